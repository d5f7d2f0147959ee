"""Rebuild the unit lists of seed_data/areas/ from the PyPI packages that keep them.

    .venv/bin/pip install -e '.[seedbuild]'
    .venv/bin/python seed_data/build_areas.py

- ``binh_thuan.json``: the former map (until 30 June 2025): Bình Thuận (60), its districts and
  communes, from ``vietnamadminunits`` (MIT): the GSO list (names, codes, unit types) with one
  geocoded point per commune, and the successor codes of the 1 July 2025 reorganisation.
- ``lam_dong_2025.json``: today's map (since 1 July 2025): Lâm Đồng (68) and its 124
  commune-level units (code, name, type, point, area in km²) with the predecessors of the 45
  on former Bình Thuận (whole or a part of a divided commune), and the three former provinces
  it was formed from. Units from ``vietnamadminunits`` (its ``admin_units`` table and
  ``converter_2025.json``), compared with ``vietnam-provinces`` (the GSO list,
  danhmuchanhchinh.gso.gov.vn): where a unit of the same name has another code there, the
  GSO's code is taken (codes are the GSO's, Decision 19/2025/QĐ-TTg); names stay those of
  vietnamadminunits (its spelling matches the former list). Differences are written into the
  file and printed.

We keep the facts only: codes, names, unit types, points, areas, predecessors.
"""

import json
import sqlite3
import unicodedata
from importlib import metadata, resources
from pathlib import Path

PROVINCE_CODE = "60"
NEW_PROVINCE_CODE = "68"
NEW_PROVINCE_KEY = "tinhlamdong"
FORMER_PROVINCES = ("60", "68", "67")  # Bình Thuận, Lâm Đồng, Đắk Nông
VALID_FROM = "2025-07-01"
LAST_FORMER_DAY = "2025-06-30"
FOLDER = Path(__file__).parent / "areas"
OUT = FOLDER / "binh_thuan.json"
OUT_2025 = FOLDER / "lam_dong_2025.json"
TYPE_EN = {
    "Tỉnh": "Province",
    "Thành phố": "City",
    "Thị xã": "Town",
    "Huyện": "District",
    "Phường": "Ward",
    "Thị trấn": "Township",
    "Xã": "Commune",
    "Đặc khu": "Special Zone",
}


def ascii_name(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def english(short: str, unit_type: str) -> str:
    return f"{ascii_name(short)} {TYPE_EN.get(unit_type, '')}".strip()


def open_package():
    """The package's dataset (rows by name) and its 2025 converter."""
    data = resources.files("vietnamadminunits") / "data"
    db = sqlite3.connect(str(data / "dataset.db"))
    db.row_factory = sqlite3.Row
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    return db, converter


def successor_map(db, converter, fixes: dict[str, str]) -> dict[str, list[dict]]:
    """Former ward key (province_district_ward) -> its successors in Lâm Đồng: code (the GSO's
    where it differs), whole or split, and for a split whether it is the converter's default
    (main) part."""
    new_codes = {
        r["wardKey"]: fixes.get(r["wardCode"], r["wardCode"])
        for r in db.execute(
            "SELECT wardKey, wardCode FROM admin_units WHERE provinceCode = ?",
            (NEW_PROVINCE_CODE,),
        )
    }
    undivided = converter["DICT_PROVINCE_WARD_NO_DIVIDED"][NEW_PROVINCE_KEY]
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(NEW_PROVINCE_KEY, {})
    out: dict[str, list[dict]] = {}
    for new_key, old_keys in undivided.items():
        for old in old_keys:
            out.setdefault(old, []).append({"code": new_codes[new_key], "kind": "whole"})
    for old, targets in divided.items():
        out[old] = [
            {
                "code": new_codes[t["newWardKey"]],
                "kind": "split",
                "main_part": bool(t["isDefaultNewWard"]),
            }
            for t in targets
        ]
    return out


def build_binh_thuan(db, successors: dict) -> dict:
    """The former map of Bình Thuận (unchanged format of binh_thuan.json)."""
    rows = db.execute(
        "SELECT * FROM admin_units_legacy WHERE provinceCode = ? ORDER BY districtCode, wardCode",
        (PROVINCE_CODE,),
    ).fetchall()
    first = rows[0]
    province = {
        "code": PROVINCE_CODE,
        "name": first["province"],
        "name_en": english(first["provinceShort"], "Tỉnh"),
        "unit_type": "Tỉnh",
        "valid_to": LAST_FORMER_DAY,
        "successor_codes": [NEW_PROVINCE_CODE],
    }
    districts: dict[str, dict] = {}
    for r in rows:
        d = districts.setdefault(
            r["districtCode"],
            {
                "code": r["districtCode"],
                "name": r["district"],
                "name_en": english(r["districtShort"], r["districtType"]),
                "unit_type": r["districtType"],
                "valid_to": LAST_FORMER_DAY,
                "communes": [],
            },
        )
        old_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        d["communes"].append(
            {
                "code": r["wardCode"],
                "name": r["ward"],
                "name_en": english(r["wardShort"], r["wardType"]),
                "unit_type": r["wardType"],
                "lat": round(r["wardLat"], 6),
                "lon": round(r["wardLon"], 6),
                "valid_to": LAST_FORMER_DAY,
                "successor_codes": sorted({s["code"] for s in successors.get(old_key, [])}),
            }
        )
    return {
        "source": {
            "package": f"vietnamadminunits {metadata.version('vietnamadminunits')} (MIT)",
            "facts": "GSO names, codes and unit types; one geocoded point per commune "
            "(not a centroid); successor units of the 1 July 2025 reorganisation",
            "built_by": "seed_data/build_areas.py",
        },
        "province": province,
        "districts": list(districts.values()),
    }


def gso_units() -> dict[str, tuple[str, str]] | None:
    """Code -> (name, type) of the units of 68 in the GSO list packaged by vietnam-provinces
    (None when it is not installed)."""
    try:
        from vietnam_provinces import ProvinceCode, Ward
    except ImportError:
        return None
    return {
        str(int(w.code)): (w.name, w.division_type.value)
        for w in Ward.iter_by_province(ProvinceCode(int(NEW_PROVINCE_CODE)))
    }


def compare_with_gso(db, theirs: dict | None) -> tuple[dict[str, str], list[str]]:
    """({our code: GSO code} for a unit of the same name coded differently, notes on every
    difference of names, codes and types)."""
    if theirs is None:
        return {}, ["vietnam-provinces is not installed: not compared"]
    ours = {
        r["wardCode"]: (r["ward"], r["wardType"].lower())
        for r in db.execute(
            "SELECT wardCode, ward, wardType FROM admin_units WHERE provinceCode = ?",
            (NEW_PROVINCE_CODE,),
        )
    }
    notes = [f"vietnam-provinces {metadata.version('vietnam-provinces')}: {len(theirs)} units"]
    only_theirs = {theirs[c][0].lower(): c for c in set(theirs) - set(ours)}
    fixes = {}
    for code in sorted(set(ours) - set(theirs)):
        gso = only_theirs.get(ours[code][0].lower())
        if gso:
            fixes[code] = gso
            notes.append(
                f"{ours[code][0]}: code {code} in vietnamadminunits, {gso} in the GSO list (taken)"
            )
        else:
            notes.append(f"{code} {ours[code][0]}: not in the GSO list")
    for code in sorted(set(theirs) - set(ours) - set(fixes.values())):
        notes.append(f"{code} {theirs[code][0]}: only in the GSO list")
    for code in sorted(set(ours) & set(theirs)):
        if ours[code][0] != theirs[code][0]:
            notes.append(
                f"{code}: name {ours[code][0]!r} kept, {theirs[code][0]!r} in the GSO list"
            )
        if ours[code][1] != theirs[code][1]:
            notes.append(
                f"{code}: type {ours[code][1]!r} kept, {theirs[code][1]!r} in the GSO list"
            )
    return fixes, notes


def province_record(code: str, row) -> dict:
    """A province of a unit list from a row of the package (province, provinceShort, point)."""
    return {
        "code": code,
        "name": row["province"],
        "name_en": english(row["provinceShort"], "Tỉnh"),
        "unit_type": "Tỉnh",
        "lat": round(row["provinceLat"], 6),
        "lon": round(row["provinceLon"], 6),
    }


def build_lam_dong(db, successors: dict, fixes: dict[str, str], notes: list[str]) -> dict:
    """Today's map of Lâm Đồng with the predecessors of the units on former Bình Thuận."""
    legacy_code = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": r["wardCode"]
        for r in db.execute(
            "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy "
            "WHERE provinceCode = ?",
            (PROVINCE_CODE,),
        )
    }
    predecessors: dict[str, list[dict]] = {}
    for old_key, targets in successors.items():
        if old_key not in legacy_code:  # former Lâm Đồng and Đắk Nông: not in the seed
            continue
        for t in targets:
            link = {"code": legacy_code[old_key], "kind": t["kind"]}
            if t["kind"] == "split":
                link["main_part"] = t["main_part"]
            predecessors.setdefault(t["code"], []).append(link)
    rows = db.execute(
        "SELECT * FROM admin_units WHERE provinceCode = ? ORDER BY wardCode",
        (NEW_PROVINCE_CODE,),
    ).fetchall()
    units = [
        {
            "code": fixes.get(r["wardCode"], r["wardCode"]),
            "name": r["ward"],
            "name_en": english(r["wardShort"], r["wardType"]),
            "unit_type": r["wardType"],
            "lat": round(r["wardLat"], 6),
            "lon": round(r["wardLon"], 6),
            "area_km2": r["wardAreaKm2"],
            "predecessors": sorted(
                predecessors.get(fixes.get(r["wardCode"], r["wardCode"]), []),
                key=lambda p: p["code"],
            ),
        }
        for r in rows
    ]
    units.sort(key=lambda u: u["code"])
    first = rows[0]
    former = []
    for code in FORMER_PROVINCES:
        p = db.execute(
            "SELECT province, provinceShort, provinceLat, provinceLon FROM admin_units_legacy "
            "WHERE provinceCode = ? LIMIT 1",
            (code,),
        ).fetchone()
        former.append(province_record(code, p))
    return {
        "source": {
            "package": f"vietnamadminunits {metadata.version('vietnamadminunits')} (MIT)",
            "facts": "units of province 68 since 1 July 2025 (Decision 19/2025/QĐ-TTg codes): "
            "names, codes, types, one point and the area in km² per unit; predecessors of the "
            "units on former Bình Thuận from converter_2025.json",
            "codes": "the GSO list (vietnam-provinces) where it codes a unit of the same name "
            "differently",
            "compared_with": notes,
            "built_by": "seed_data/build_areas.py",
        },
        "valid_from": VALID_FROM,
        "former_provinces": former,
        "province": {
            **province_record(NEW_PROVINCE_CODE, first),
            "predecessors": [{"code": c, "kind": "whole"} for c in FORMER_PROVINCES],
        },
        "units": units,
    }


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    db, converter = open_package()
    fixes, notes = compare_with_gso(db, gso_units())
    successors = successor_map(db, converter, fixes)
    former = build_binh_thuan(db, successors)
    write(OUT, former)
    communes = [c for d in former["districts"] for c in d["communes"]]
    missing = [c["code"] for c in communes if not c["successor_codes"]]
    print(
        f"wrote {OUT}: {len(former['districts'])} districts, {len(communes)} communes; "
        f"no successor: {missing}"
    )
    today = build_lam_dong(db, successors, fixes, notes)
    write(OUT_2025, today)
    on_former = [u for u in today["units"] if u["predecessors"]]
    print(f"wrote {OUT_2025}: {len(today['units'])} units, {len(on_former)} on former Bình Thuận")
    for note in today["source"]["compared_with"]:
        print(f"  {note}")


if __name__ == "__main__":
    main()
