"""Build a deterministic data set on a new PostGIS database for the coverage benchmarks.

    .venv/bin/python bench/generate.py --scale national   # 700 former districts; today's
                                                          # 34 provinces, 3,321 communes;
                                                          # 200,000 venues, 1,000,000
                                                          # inspections (2020-2026),
                                                          # 300,000 violations
    .venv/bin/python bench/generate.py --scale province   # Bình Thuận's 10 districts,
                                                          # 3,000 venues, 20,000 inspections,
                                                          # 6,000 violations

The database (inspections_bench_<scale>) is dropped and created, migrated with the project's
migrations and seeded with the reference data; the rows are made by bulk SQL (generate_series)
with pseudo-random values from hashint8extended(i, salt), so every run builds the same data.
Prints what it built and how long each step took.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get(
    "INSPECTIONS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SCALES = {
    "national": {
        "districts": 700,
        "venues": 200_000,
        "inspections": 1_000_000,
        "violations": 300_000,
    },
    "province": {"districts": 10, "venues": 3_000, "inspections": 20_000, "violations": 6_000},
}
BENCH_USER = "bench_coord"
BENCH_PASSWORD = "bench-password-2024"  # noqa: S105 - a throwaway benchmark database


# Another name for the benchmark databases (two checkouts benchmarking on one server).
BENCH_DB = os.environ.get("INSPECTIONS_BENCH_DB", "inspections_bench")


def database_url(scale: str) -> str:
    """The URL of the benchmark database of a scale."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}_{scale}"


def _step(label: str, fn) -> None:
    t = time.perf_counter()
    fn()
    print(f"  {label}: {time.perf_counter() - t:.1f} s", flush=True)


def recreate(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # As README's "Deploying on PostGIS" sets it: SSD storage, random reads are cheap.
        conn.execute(text(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1'))
    admin.dispose()
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    eng.dispose()


# h(i, salt): a deterministic pseudo-random non-negative bigint
H = "abs(hashint8extended({i}::bigint, {salt}))"


def h(i: str, salt: int) -> str:
    return H.format(i=i, salt=salt)


# Today's map of the national scale (since 1 July 2025): 34 provinces and 3,321 commune-level
# units, a grid of 81 x 41 cells over the same land as the former districts.
TODAY_PROVINCES, TODAY_COLS, TODAY_ROWS = 34, 81, 41
GRID = (102.0, 9.0, 5.6, 5.0)  # west, south, width, height in degrees: 28 x 25 districts


def national_areas(conn, n: int) -> None:
    """Both maps over one grid of land. Before 1 July 2025: a province-level root and n
    districts of 0.2° squares (valid to 30/06/2025). Since: 34 provinces and 3,321 communes
    (81 x 41 cells), each commune in province (cell number mod 34)."""
    cols = 28
    west, south, width, height = GRID
    conn.execute(text("DELETE FROM area_predecessor"))
    conn.execute(text("UPDATE user_account SET home_area_id = NULL"))
    for level in ("commune", "district"):
        conn.execute(text(f"DELETE FROM area WHERE level = '{level}'"))
    conn.execute(text("DELETE FROM area WHERE level = 'province' AND code <> '60'"))
    conn.execute(
        text(
            "UPDATE area SET code = 'VN', name = 'Toàn quốc trước 1/7/2025 (bench)', "
            "boundary_source = 'bench' WHERE level = 'province'"
        )
    )
    conn.execute(
        text(
            f"""
            INSERT INTO area (level, code, name, search_text, parent_id, valid_from, valid_to,
                              boundary_source, geom)
            SELECT 'district', lpad(g::text, 3, '0'), 'Huyện ' || g, 'huyen ' || g,
                   (SELECT id FROM area WHERE level = 'province'), DATE '0001-01-01',
                   DATE '2025-06-30', 'bench',
                   ST_Multi(ST_MakeEnvelope({west} + 0.2 * ((g - 1) % {cols}),
                                            {south} + 0.2 * ((g - 1) / {cols}),
                                            {west} + 0.2 + 0.2 * ((g - 1) % {cols}),
                                            {south} + 0.2 + 0.2 * ((g - 1) / {cols}), 4326))
            FROM generate_series(1, {n}) g
            """
        )
    )
    conn.execute(
        text(
            f"""
            INSERT INTO area (level, code, name, search_text, valid_from, boundary_source)
            SELECT 'province', 'T' || lpad(p::text, 2, '0'), 'Tỉnh ' || p, 'tinh ' || p,
                   DATE '2025-07-01', 'bench'
            FROM generate_series(1, {TODAY_PROVINCES}) p
            """
        )
    )
    dx, dy = width / TODAY_COLS, height / TODAY_ROWS
    conn.execute(
        text(
            f"""
            INSERT INTO area (level, code, name, search_text, parent_id, valid_from,
                              boundary_source, geom)
            SELECT 'commune', lpad(g::text, 5, '0'), 'Xã ' || g, 'xa ' || g,
                   (SELECT id FROM area WHERE level = 'province' AND code =
                        'T' || lpad((1 + (g - 1) % {TODAY_PROVINCES})::text, 2, '0')),
                   DATE '2025-07-01', 'bench',
                   ST_Multi(ST_MakeEnvelope({west} + {dx} * ((g - 1) % {TODAY_COLS}),
                                            {south} + {dy} * ((g - 1) / {TODAY_COLS}),
                                            {west} + {dx} * (1 + (g - 1) % {TODAY_COLS}),
                                            {south} + {dy} * (1 + (g - 1) / {TODAY_COLS}),
                                            4326))
            FROM generate_series(1, {TODAY_COLS * TODAY_ROWS}) g
            """
        )
    )


def national_todays_units(conn) -> None:
    """Each venue's unit on today's map: the grid cell its point lies in (as the areas room's
    place_on_todays_map would find by point-in-polygon, computed from the grid)."""
    west, south, width, height = GRID
    dx, dy = width / TODAY_COLS, height / TODAY_ROWS
    conn.execute(
        text(
            f"""
            UPDATE venue v SET commune_2025_id = a.id
            FROM area a
            WHERE a.level = 'commune' AND a.valid_from = DATE '2025-07-01'
              AND a.code = lpad((1 + least({TODAY_COLS - 1},
                                            floor((ST_X(v.location) - {west}) / {dx})::int)
                                   + {TODAY_COLS} * least({TODAY_ROWS - 1},
                                            floor((ST_Y(v.location) - {south}) / {dy})::int)
                                 )::text, 5, '0')
            """
        )
    )


def national_venues(conn, n: int) -> None:
    """n venues at pseudo-random points of the grid districts."""
    conn.execute(
        text(
            f"""
            WITH d AS (SELECT row_number() OVER (ORDER BY code) - 1 AS k, id, geom
                       FROM area WHERE level = 'district'),
                 g AS (SELECT i, {h("i", 1)} % (SELECT count(*) FROM d) AS k
                       FROM generate_series(1, {n}) i),
                 s AS (SELECT array_agg(id ORDER BY id) AS ids FROM sector)
            INSERT INTO venue (name, search_text, sector_id, address, registration_no, location,
                               district_id, status, opened_on, closed_on, created_at, updated_at)
            SELECT 'Cơ sở ' || i, 'co so ' || i,
                   s.ids[1 + {h("i", 2)} % array_length(s.ids, 1)],
                   'Địa chỉ ' || i, 'BENCH-' || i,
                   ST_SetSRID(ST_MakePoint(ST_XMin(d.geom) + ({h("i", 3)} % 10000) / 50000.0,
                                           ST_YMin(d.geom) + ({h("i", 4)} % 10000) / 50000.0),
                              4326),
                   d.id,
                   CASE WHEN {h("i", 5)} % 100 < 8 THEN 'closed' ELSE 'operating' END,
                   CASE WHEN {h("i", 6)} % 50 = 0 THEN NULL
                        ELSE DATE '2010-01-01' + ({h("i", 7)} % 5475)::int END,
                   CASE WHEN {h("i", 5)} % 100 < 8
                        THEN DATE '2016-01-01' + ({h("i", 8)} % 3285)::int END,
                   now(), now()
            FROM g JOIN d ON d.k = g.k, s
            """
        )
    )


def province_venues(conn, n: int) -> None:
    """n venues at deterministic random points inside Bình Thuận's (demo) districts."""
    conn.execute(
        text(
            f"""
            WITH d AS (SELECT id, code, geom, row_number() OVER (ORDER BY code) AS k,
                              count(*) OVER () AS nd
                       FROM area WHERE level = 'district' AND geom IS NOT NULL),
                 pts AS (SELECT d.id AS district_id, d.k,
                                (ST_Dump(ST_GeneratePoints(d.geom,
                                    ({n} / d.nd + CASE WHEN d.k <= {n} % d.nd THEN 1 ELSE 0 END)
                                    ::int, d.k::int))).geom AS pt
                         FROM d),
                 numbered AS (SELECT row_number() OVER (ORDER BY district_id, ST_X(pt), ST_Y(pt))
                                     AS i, district_id, pt FROM pts),
                 s AS (SELECT array_agg(id ORDER BY id) AS ids FROM sector)
            INSERT INTO venue (name, search_text, sector_id, address, registration_no, location,
                               district_id, status, opened_on, closed_on, created_at, updated_at)
            SELECT 'Cơ sở ' || i, 'co so ' || i,
                   s.ids[1 + {h("i", 2)} % array_length(s.ids, 1)],
                   'Địa chỉ ' || i, 'BENCH-' || i, pt, district_id,
                   CASE WHEN {h("i", 5)} % 100 < 8 THEN 'closed' ELSE 'operating' END,
                   CASE WHEN {h("i", 6)} % 50 = 0 THEN NULL
                        ELSE DATE '2010-01-01' + ({h("i", 7)} % 5475)::int END,
                   CASE WHEN {h("i", 5)} % 100 < 8
                        THEN DATE '2016-01-01' + ({h("i", 8)} % 3285)::int END,
                   now(), now()
            FROM numbered, s
            """
        )
    )
    conn.execute(
        text(
            """
            UPDATE venue v SET commune_id = (
                SELECT a.id FROM area a
                WHERE a.level = 'commune' AND a.parent_id = v.district_id
                  AND ST_Intersects(a.geom, v.location)
                ORDER BY a.code LIMIT 1)
            """
        )
    )


def merge_some(conn) -> None:
    """One venue in a hundred is a duplicate merged into its predecessor."""
    conn.execute(
        text(
            f"""
            UPDATE venue SET merged_into_id = id - 1
            WHERE {h("id", 9)} % 100 = 0
              AND id > (SELECT min(id) FROM venue)
            """
        )
    )


def inspections(conn, n: int) -> None:
    """n inspections of pseudo-random venues over 2020 - November 2026 (both maps: before and
    after 1 July 2025): 85 % submitted, 10 % drafts."""
    conn.execute(
        text(
            f"""
            WITH b AS (SELECT min(id) AS lo, count(*) AS n FROM venue)
            INSERT INTO inspection (venue_id, status, inspected_at, inspected_on, submitted_at,
                                    created_at, updated_at)
            SELECT b.lo + {h("j", 11)} % b.n,
                   st,
                   (day + time '09:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                   day,
                   CASE WHEN st = 'submitted'
                        THEN (day + time '11:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' END,
                   now(), now()
            FROM b, generate_series(1, {n}) j,
                 LATERAL (SELECT DATE '2020-01-01' + ({h("j", 12)} % 2526)::int AS day,
                                 CASE WHEN {h("j", 13)} % 100 < 85 THEN 'submitted'
                                      WHEN {h("j", 13)} % 100 < 95 THEN 'draft'
                                      ELSE 'cancelled' END AS st) x
            """
        )
    )


def inspection_agencies(conn) -> None:
    """Each submitted inspection: Labour (the lead) and one or two of Police, Culture, Health."""
    conn.execute(
        text(
            f"""
            INSERT INTO inspection_agency (inspection_id, agency_id)
            SELECT i.id, a.id
            FROM inspection i
            JOIN agency a ON a.code = 'labour'
                OR a.code = (ARRAY['police', 'culture', 'health'])[1 + {h("i.id", 31)} % 3]
                OR (a.code = 'police' AND {h("i.id", 32)} % 2 = 0)
            WHERE i.status = 'submitted'
            """
        )
    )


def violations(conn, n: int) -> None:
    """n violations at pseudo-random submitted inspections (a few per inspection at most),
    with the register columns filled as the services would: 40 % with a remedy (due 30 days
    later; a third remedied, a tenth escalated), fines on most, 60 % of fines paid."""
    conn.execute(
        text(
            f"""
            WITH lv AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n
                        FROM legal_violation),
                 pick AS (SELECT id, venue_id, inspected_on,
                                 {h("id", 21)} AS r
                          FROM inspection WHERE status = 'submitted'
                          ORDER BY {h("id", 22)} LIMIT {n})
            INSERT INTO recorded_violation (
                inspection_id, venue_id, legal_violation_id, offender_type, fine_vnd, measures,
                remedy, remedy_deadline, sort_order, created_at, in_register, inspected_on,
                remedy_status, remedied_on, paid_on, agency_mask)
            SELECT p.id, p.venue_id, lv.ids[1 + p.r % lv.n],
                   CASE WHEN p.r % 7 = 0 THEN 'organisation' ELSE 'individual' END,
                   CASE WHEN p.r % 10 < 8 THEN (1 + p.r % 40) * 500000 END,
                   '[]',
                   CASE WHEN p.r % 100 < 40 THEN 'Khắc phục hậu quả' END,
                   CASE WHEN p.r % 100 < 40 THEN p.inspected_on + 30 END,
                   0, now(), true, p.inspected_on,
                   CASE WHEN p.r % 100 >= 40 THEN NULL
                        WHEN p.r % 30 < 10 THEN 'remedied'
                        WHEN p.r % 30 < 13 THEN 'escalated'
                        ELSE 'open' END,
                   CASE WHEN p.r % 100 < 40 AND p.r % 30 < 10 THEN p.inspected_on + 20 END,
                   CASE WHEN p.r % 10 < 8 AND p.r % 5 < 3 THEN p.inspected_on + 10 END,
                   (SELECT coalesce(sum(1::bigint << a.agency_id), 0) FROM inspection_agency a
                    WHERE a.inspection_id = p.id)
            FROM pick p, lv
            """
        )
    )


def build(scale: str) -> str:
    """Create, migrate, seed and fill the benchmark database of a scale; returns its URL."""
    from flask_migrate import upgrade

    from inspections import create_app, seeding
    from inspections.accounts.services import create_user
    from inspections.extensions import db
    from inspections.visits.chain import relink

    sizes = SCALES[scale]
    url = database_url(scale)
    print(f"{scale}: {url}")
    _step("create database", lambda: recreate(url))
    app = create_app({"DATABASE_URL": url, "TILE_URL": ""})
    with app.app_context():

        def migrate_seed():
            upgrade()
            seeding.run(demo=False)
            db.session.commit()

        _step("migrate and seed reference data", migrate_seed)

        def user():
            create_user(
                username=BENCH_USER,
                password=BENCH_PASSWORD,
                role="coordinator",
                agency_code="labour",
                full_name="Bench coordinator",
            )
            db.session.commit()

        _step("benchmark account", user)
        engine = db.engine
    with engine.begin() as conn:
        if scale == "national":
            _step(
                f"{sizes['districts']} districts", lambda: national_areas(conn, sizes["districts"])
            )
            _step(f"{sizes['venues']:,} venues", lambda: national_venues(conn, sizes["venues"]))
            _step(
                f"venues on today's map ({TODAY_PROVINCES} provinces, "
                f"{TODAY_COLS * TODAY_ROWS:,} communes)",
                lambda: national_todays_units(conn),
            )
        else:
            _step(f"{sizes['venues']:,} venues", lambda: province_venues(conn, sizes["venues"]))

            def todays_map():
                from inspections.areas.locating import place_on_todays_map

                with app.app_context():
                    place_on_todays_map(conn)

            _step("venues on today's map (areas room)", todays_map)
        _step("merged duplicates", lambda: merge_some(conn))
        _step(
            f"{sizes['inspections']:,} inspections",
            lambda: inspections(conn, sizes["inspections"]),
        )
        _step("inspection chains (visits/chain.py)", lambda: relink(conn))
        _step("inspection agencies", lambda: inspection_agencies(conn))
        _step(f"{sizes['violations']:,} violations", lambda: violations(conn, sizes["violations"]))
    auto = engine.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        # Bulk filling rewrote every venue and submitted inspection once (their chain dates):
        # compact the tables as a database in service is kept, then set the visibility map
        # (VACUUM FULL does not) for index-only scans, and gather statistics.
        _step("vacuum full", lambda: conn.execute(text("VACUUM FULL")))
        _step("vacuum analyze", lambda: conn.execute(text("VACUUM ANALYZE")))
        counts = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM area WHERE level = 'district'),"
                " (SELECT count(*) FROM area WHERE level = 'commune' AND valid_to IS NULL),"
                " (SELECT count(*) FROM venue), (SELECT count(*) FROM inspection),"
                " (SELECT count(*) FROM inspection WHERE status = 'submitted'),"
                " (SELECT count(*) FROM venue WHERE merged_into_id IS NOT NULL),"
                " (SELECT count(*) FROM recorded_violation)"
            )
        ).one()
    print(
        f"  built: {counts[0]} districts, {counts[1]} of today's communes, {counts[2]:,} venues "
        f"({counts[5]:,} merged), {counts[3]:,} inspections ({counts[4]:,} submitted), "
        f"{counts[6]:,} violations"
    )
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=[*SCALES, "both"], default="both")
    args = parser.parse_args()
    for scale in SCALES if args.scale == "both" else [args.scale]:
        build(scale)


if __name__ == "__main__":
    main()
