"""The venues API (create, read, patch; area scope) and the signed QR labels."""

from datetime import date

from sqlalchemy import select

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.venues import qr
from inspections.venues.models import Venue
from tests.venues.conftest import LA_GI


def test_api_creates_a_venue_and_derives_its_areas(client, token_for):
    headers = token_for("t_coord")
    r = client.post(
        "/api/v1/venues",
        json={
            "name": "Karaoke API",
            "sector": "karaoke",
            "address": "9 Nguyễn Huệ, Phường Bình Hưng",
            "latitude": "10°55'44.4\"N",
            "longitude": 108.102,
            "opened_on": "2021-06-01",
            "licences": [{"kind": "fire_safety", "number": "PC-1", "expires_on": "31/12/2027"}],
        },
        headers=headers,
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert body["id"] > 0 and body["district_code"] == "593" and body["commune_code"] == "22951"
    assert body["latitude"] == 10.929 and body["opened_on"] == "2021-06-01"
    assert body["licences"][0]["expires_on"] == "2027-12-31"
    assert body["commune_mismatch"] is False
    assert client.get(f"/api/v1/venues/{body['id']}", headers=headers).json["name"] == "Karaoke API"


def test_api_says_which_field_is_wrong_and_writes_nothing(client, token_for):
    headers = token_for("t_coord")
    before = db.session.scalar(select(db.func.count()).select_from(Venue))
    r = client.post("/api/v1/venues", json={"sector": "casino", "latitude": "abc"}, headers=headers)
    assert r.status_code == 422
    assert {"name", "sector", "latitude", "longitude"} <= set(r.json["errors"])
    r = client.post(
        "/api/v1/venues",
        json={"name": "Bar Xa", "sector": "bar", "latitude": 10.77, "longitude": 106.70},
        headers=headers,
    )
    assert r.status_code == 422 and "outside the province" in r.json["errors"]["location"][0]
    r = client.post(
        "/api/v1/venues",
        json={"name": "Bar Đảo", "sector": "bar", "latitude": 108.1, "longitude": 10.93},
        headers=headers,
    )
    assert r.status_code == 422 and "swapped" in r.json["errors"]["location"][0]
    r = client.post(
        "/api/v1/venues",
        json={
            "name": "Bar Ngày",
            "sector": "bar",
            "latitude": 10.93,
            "longitude": 108.1,
            "opened_on": "2022-01-01",
            "status": "closed",
            "closed_on": "2021-01-01",
        },
        headers=headers,
    )
    assert r.status_code == 422 and "before it opened" in r.json["errors"]["closed_on"][0]
    assert db.session.scalar(select(db.func.count()).select_from(Venue)) == before


def test_api_patch_status_and_scope(client, token_for, create_venue):
    venue = create_venue(name="Spa Đóng", sector="spa_sauna", opened_on=date(2020, 1, 1))
    coord = token_for("t_coord")
    r = client.patch(f"/api/v1/venues/{venue.id}", json={"status": "closed"}, headers=coord)
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = client.patch(
        f"/api/v1/venues/{venue.id}",
        json={"status": "closed", "closed_on": "2024-08-01", "status_reason": "giải thể"},
        headers=coord,
    )
    assert (
        r.status_code == 200
        and r.json["status"] == "closed"
        and r.json["closed_on"] == "2024-08-01"
    )
    r = client.patch(
        f"/api/v1/venues/{venue.id}", json={"owner_phone": "0901 234 567"}, headers=coord
    )
    # the number is kept in its one form (issue 17: the same for the form, the API, the import)
    assert r.json["owner_phone"] == "0901234567" and r.json["status"] == "closed"
    lagi = token_for("t_insp_lagi")
    assert client.get(f"/api/v1/venues/{venue.id}", headers=lagi).status_code == 404
    assert client.patch(f"/api/v1/venues/{venue.id}", json={}, headers=lagi).status_code == 403
    far = create_venue(name="Karaoke La Gi", lat=LA_GI[0], lon=LA_GI[1])
    viewer = token_for("t_viewer")  # district 593
    assert client.get(f"/api/v1/venues/{far.id}", headers=viewer).status_code == 404
    ids = {v["id"] for v in client.get("/api/v1/venues?page_size=100", headers=viewer).json}
    assert far.id not in ids and venue.id in ids


def test_qr_label_opens_the_venue_page(as_user, create_venue):
    venue = create_venue(name="Karaoke Nhãn")
    token = qr.venue_token(venue.id)
    client = as_user("t_insp")
    r = client.get(f"/q/{token}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/venues/{venue.id}?scanned=1")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Genuine QR label of this venue (version 1)" in page
    png = client.get(f"/venues/{venue.id}/qr.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")


def test_forged_and_stale_labels_say_so(as_user, create_venue, post):
    venue = create_venue(name="Karaoke Thật")
    other = create_venue(name="Karaoke Khác")
    token = qr.venue_token(venue.id)
    payload, _sig = token.rsplit(".", 1)
    forged = qr.venue_token(other.id).rsplit(".", 1)[0] + "." + token.rsplit(".", 1)[1]
    client = as_user("t_insp")
    for bad in (forged, payload + ".AAAA", "hello"):
        r = client.get(f"/q/{bad}")
        assert r.status_code == 404 and "forged or damaged" in r.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(db.func.count()).where(
                AuditEvent.action == "denied", AuditEvent.summary.like("invalid QR label%")
            )
        )
        == 3
    )
    as_user("t_coord")
    assert post(f"/venues/{venue.id}/label").status_code == 302  # re-issue: version 2
    r = client.get(f"/q/{token}")
    assert r.status_code == 410 and "out of date" in r.get_data(as_text=True)
    db.session.expire_all()
    assert client.get(f"/q/{qr.venue_token(venue.id)}").status_code == 302  # the new label


def test_labels_of_merged_and_closed_venues(as_user, create_venue, post):
    kept = create_venue(name="Karaoke Giữ")
    dup = create_venue(name="Karaoke Giữ 2")
    closed = create_venue(name="Karaoke Đã Đóng", status="closed", closed_on=date(2024, 1, 1))
    dup_token, closed_token = qr.venue_token(dup.id), qr.venue_token(closed.id)
    as_user("t_coord")
    post("/venues/duplicates/merge", {"keep": kept.id, "other": dup.id})
    client = as_user("t_insp")
    r = client.get(f"/q/{dup_token}")
    html = r.get_data(as_text=True)
    assert r.status_code == 410 and "merged into" in html and f"/venues/{kept.id}" in html
    client.set_cookie("lang", "vi")  # a Vietnamese reader: the page in Vietnamese, the trail
    assert "đã được gộp" in client.get(f"/q/{dup_token}").get_data(as_text=True)  # as always
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(
            AuditEvent.action == "denied", AuditEvent.object_id == dup.id
        )
    ).all()
    assert (
        summaries[-1]
        == summaries[0]
        == (
            f"This label is out of date: the venue was merged into #{kept.id} Karaoke Giữ, "
            "whose label should replace this one."
        )
    )
    client.set_cookie("lang", "en")
    r = client.get(f"/q/{closed_token}", follow_redirects=True)
    assert r.status_code == 200 and "recorded as closed since 01/01/2024" in r.get_data(
        as_text=True
    )


def test_label_sheets_pdf_and_png(as_user, create_venue):
    for i in range(12):
        create_venue(name=f"Nhà nghỉ Nhãn {i} Hoàng Gia Phú Quý Thịnh Vượng", sector="lodging")
    client = as_user("t_coord")
    page = client.get("/venues/labels?q=nha nghi nhan").get_data(as_text=True)
    assert "12 venues selected" in page and "2 pages" in page
    pdf = client.get("/venues/labels.pdf?q=nha nghi nhan")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert (
        pdf.data.count(b"/Type /Page\n") + pdf.data.count(b"/Type /Page ") >= 2
        or b"/Count 2" in pdf.data
    )
    assert b"DejaVu" in pdf.data
    png = client.get("/venues/labels.png?q=nha nghi nhan&sheet=2")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(png.data)).size == (1654, 2339)  # A4 at 200 dpi
    assert client.get("/venues/labels.png?q=nha nghi nhan&sheet=3").status_code == 404
    events = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "export")
    ).all()
    assert any("QR labels PDF: 12 venues" in e for e in events)
