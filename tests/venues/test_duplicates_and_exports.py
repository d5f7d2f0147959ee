"""Possible duplicates and merging; exports of filtered lists in XLSX, CSV and GeoJSON."""

import csv
import io
import json
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from inspections.accounts.services import Scope
from inspections.audit.models import AuditEvent
from inspections.core.services import home_summary  # noqa: F401 - counts merged too (core)
from inspections.extensions import db
from inspections.venues import duplicates
from inspections.venues.importing.files import read_table
from inspections.venues.importing.write import run_import
from inspections.venues.models import Venue, VenueEvent, VenueLicence
from inspections.visits.models import Inspection


def _pairs():
    return {(p.a.name, p.b.name): p.reasons for p in duplicates.find_pairs(Scope(), limit=500)}


def test_possible_duplicates(create_venue):
    create_venue(name="Karaoke Hoàng Gia", lat=10.92900, lon=108.10200)
    create_venue(name="karaoke hoang gia 2", lat=10.92920, lon=108.10210)  # 25 m
    create_venue(name="Karaoke Hoàng Gia", lat=10.95000, lon=108.12000)  # 3 km: a chain
    create_venue(name="Karaoke Sóng Biển", lat=10.92905, lon=108.10205)  # next door, other name
    a = create_venue(
        name="Nhà nghỉ A", sector="lodging", registration_no="KD-DUP", lat=10.94, lon=108.16
    )
    b = create_venue(
        name="Khách sạn B", sector="lodging", registration_no="kd-dup", lat=10.97, lon=108.2
    )
    c = create_venue(name="Spa C", sector="spa_sauna", lat=10.95, lon=108.13)
    d = create_venue(name="Spa D", sector="spa_sauna", lat=10.96, lon=108.14)
    for v in (c, d):
        db.session.add(VenueLicence(venue_id=v.id, kind="fire_safety", number="PC-SAME"))
    db.session.flush()
    # the same certificate number issued in two different years is two certificates
    create_venue(
        name="Bar E",
        sector="bar",
        security_cert_no="45/GCN",
        lat=10.95,
        lon=108.15,
        security_cert_on=date(2019, 3, 1),
    )
    create_venue(
        name="Bar F",
        sector="bar",
        security_cert_no="45/GCN",
        lat=10.96,
        lon=108.16,
        security_cert_on=date(2022, 7, 9),
    )
    create_venue(name="Bar G", sector="bar", security_cert_no="45/gcn", lat=10.97, lon=108.17,
                 security_cert_on=date(2022, 7, 9))  # fmt: skip
    pairs = _pairs()
    assert pairs[("Bar F", "Bar G")] == ["certificate"]
    assert ("Bar E", "Bar F") not in pairs and ("Bar E", "Bar G") not in pairs
    assert pairs[("Karaoke Hoàng Gia", "karaoke hoang gia 2")] == ["name"]
    assert pairs[(a.name, b.name)] == ["registration"]
    assert pairs[(c.name, d.name)] == ["licence"]
    assert not any("Sóng Biển" in x or "Sóng Biển" in y for x, y in pairs)
    assert sum(1 for x, y in pairs if x == y == "Karaoke Hoàng Gia") == 0


def test_merge_keeps_both_histories_and_moves_inspections(
    as_user, post, create_venue, create_inspection
):
    kept = create_venue(name="Karaoke Hoàng Gia", lat=10.92900, lon=108.10200)
    dup = create_venue(
        name="Karaoke Hoang Gia", lat=10.92920, lon=108.10210, registration_no="KD-555"
    )
    insp = create_inspection(dup, on=date(2024, 4, 4))
    from inspections.violations.models import LegalViolation, RecordedViolation

    legal = db.session.scalar(select(LegalViolation).limit(1))
    found = RecordedViolation(inspection_id=insp.id, venue_id=dup.id, legal_violation_id=legal.id)
    db.session.add(found)
    db.session.flush()
    client = as_user("t_coord")
    html = client.get("/venues/duplicates").get_data(as_text=True)
    assert f"pair-{kept.id}-{dup.id}" in html
    r = post("/venues/duplicates/merge", {"keep": kept.id, "other": dup.id, "reason": "trùng"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Venue, dup.id).merged_into_id == kept.id
    assert db.session.get(Inspection, insp.id).venue_id == kept.id
    assert db.session.get(RecordedViolation, found.id).venue_id == kept.id  # history moves too
    assert db.session.get(Venue, kept.id).registration_no == "KD-555"  # blank filled
    merges = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "merge")
    ).all()
    assert sorted(merges) == sorted([kept.id, dup.id])
    kinds = dict(db.session.execute(select(VenueEvent.venue_id, VenueEvent.kind)).all())
    assert kinds == {dup.id: "merged_into", kept.id: "merged_from"}
    # the duplicate keeps its page (with its history) but counts nowhere
    page = client.get(f"/venues/{dup.id}").get_data(as_text=True)
    assert "merged into another venue" in page
    names = [v["name"] for v in client.get("/api/v1/venues?q=hoang gia").json]
    assert names == ["Karaoke Hoàng Gia"]
    assert "Inspected 04/04/2024" in client.get("/venues?q=hoang gia").get_data(as_text=True)
    assert f"pair-{kept.id}-{dup.id}" not in client.get("/venues/duplicates").get_data(as_text=True)
    exported = client.get("/venues/export.csv?q=hoang gia").data.decode("utf-8-sig")
    assert exported.count("Hoang Gia") + exported.count("Hoàng Gia") == 1
    # merging again, or into a merged record, is refused
    r = post("/venues/duplicates/merge", {"keep": dup.id, "other": kept.id}, follow_redirects=True)
    assert "already merged" in r.get_data(as_text=True)


def test_dismissed_pairs_stay_dismissed(as_user, post, create_venue):
    a = create_venue(name="Bar Sao Mai", sector="bar", lat=10.929, lon=108.102)
    b = create_venue(name="Bar Sao Mai", sector="bar", lat=10.9291, lon=108.1021)
    as_user("t_coord")
    post("/venues/duplicates/dismiss", {"keep": a.id, "other": b.id})
    assert ("Bar Sao Mai", "Bar Sao Mai") not in _pairs()


def test_exports_of_a_filtered_list(as_user, create_venue, create_inspection, app, monkeypatch):
    v = create_venue(
        name="Karaoke Xuất Khẩu",
        address="7 Lê Lợi, Phường Bình Hưng",
        registration_no="KD-EXP",
        opened_on=date(2020, 5, 6),
    )
    db.session.add(
        VenueLicence(venue_id=v.id, kind="fire_safety", number="PC-9", expires_on=date(2027, 1, 1))
    )
    create_inspection(v, on=date(2024, 3, 3))
    create_venue(name="Bar Không Xuất", sector="bar")
    client = as_user("t_review")  # reviewers may export

    r = client.get("/venues/export.csv?sector=karaoke&q=xuat khau")
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    assert 'filename="co-so-' in r.headers["Content-Disposition"]  # named in Vietnamese
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "Karaoke Xuất Khẩu"
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Opened on"] == "06/05/2020" and record["Last inspection"] == "03/03/2024"
    assert (
        record["Commune (from location)"] == "Phường Bình Hưng"
        and "PC-9" in record["Other licences"]
    )

    r = client.get("/venues/export.xlsx?q=xuat khau")
    ws = load_workbook(io.BytesIO(r.data)).active
    values = list(ws.values)
    assert len(values) == 2 and values[1][1] == "Karaoke Xuất Khẩu"
    assert values[1][values[0].index("Opened on")].date() == date(2020, 5, 6)

    r = client.get("/venues/export.geojson?q=xuat khau")
    fc = json.loads(r.data)
    assert r.mimetype == "application/geo+json" and fc["type"] == "FeatureCollection"
    (feature,) = fc["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [108.102, 10.929]}
    assert feature["properties"]["commune_code"] == "22951"
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "export")
    ).all()
    assert any(s.startswith("csv: 1 venues (q=xuat khau, sector=karaoke)") for s in summaries)
    assert as_user("t_insp").get("/venues/export.csv").status_code == 403

    # the spreadsheet re-imports as it is: nothing changes
    client = as_user("t_review")
    data = client.get("/venues/export.xlsx?q=xuat khau").data
    report = run_import(
        read_table(data, "export.xlsx", 10 * 1024 * 1024), scope=Scope(), dry_run=True
    )
    assert (report.unchanged, report.created, len(report.rejected)) == (1, 0, 0), report.results


def test_vietnamese_exports_re_import_too(as_user, create_venue, app, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "vi")
    create_venue(
        name="Massage Tiếng Việt", sector="massage", registration_no="KD-VI", status="suspended"
    )
    data = as_user("t_coord").get("/venues/export.csv?q=tieng viet").data
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("ID,Tên cơ sở,Ngành nghề,Địa chỉ")
    report = run_import(read_table(data, "xuat.csv", 10 * 1024 * 1024), scope=Scope(), dry_run=True)
    assert report.unchanged == 1 and not report.rejected


def test_formula_like_text_stays_text_in_exports(as_user, create_venue):
    create_venue(name='=HYPERLINK("http://evil","Karaoke Công Thức")', registration_no="KD-F",
                 owner_phone="+84 912 345 678")  # fmt: skip
    client = as_user("t_coord")
    text = client.get("/venues/export.csv?q=cong thuc").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+84 912 345 678" in text
    ws = load_workbook(io.BytesIO(client.get("/venues/export.xlsx?q=cong thuc").data)).active
    row = list(ws.values)[1]
    assert row[1].startswith("=HYPERLINK") and ws.cell(row=2, column=2).data_type == "s"
    report = run_import(read_table(text.encode("utf-8-sig"), "x.csv", 10 * 1024 * 1024),
                        scope=Scope(), dry_run=True)  # fmt: skip
    assert report.unchanged == 1, report.results  # the quote is dropped again on import
