"""The offline app's server side: the data pack (scope, size, ETag), the session check, the
service worker, the manifest, the offline pages and the per-sector form shells."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date

from sqlalchemy import select

from inspections.accounts.services import save_team
from inspections.areas.models import Area
from inspections.extensions import db
from inspections.venues.models import Venue

PACK = "/api/v1/offline/pack"
SESSION = "/api/v1/offline/session"


def _ids(resp) -> set[int]:
    return {v["id"] for v in resp.json["venues"]}


def test_pack_has_the_operating_venues_of_the_team_areas(as_user, create_venue, team):
    here = create_venue(name="Karaoke Biển Xanh", address="3 Tôn Đức Thắng")
    bar = create_venue(name="Bar Đêm", sector="bar", lat=10.93, lon=108.11)
    closed = create_venue(name="Karaoke Đã Đóng", status="closed", closed_on=date(2024, 1, 1))
    suspended = create_venue(name="Karaoke Tạm Ngừng", status="suspended")
    merged = create_venue(name="Karaoke Trùng")
    merged.merged_into_id = here.id
    lagi = create_venue(name="Karaoke La Gi", lat=10.66, lon=107.77)
    db.session.flush()

    resp = as_user("t_insp").get(PACK)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    ids = _ids(resp)
    assert {here.id, bar.id} <= ids
    assert not ids & {closed.id, suspended.id, merged.id, lagi.id}
    pack = resp.json
    found = next(v for v in pack["venues"] if v["id"] == here.id)
    assert found["name"] == "Karaoke Biển Xanh" and found["address"] == "3 Tôn Đức Thắng"
    assert found["sector"] == "karaoke" and abs(found["lat"] - 10.929) < 1e-4
    # the commune of today's map, not the former one the address usually names already
    today_commune = db.session.get(Area, db.session.get(Venue, here.id).commune_2025_id)
    assert today_commune and found["commune"] == today_commune.name
    assert pack["user"]["username"] == "t_insp"
    assert [a["code"] for a in pack["areas"]] == ["593"]
    karaoke = next(s for s in pack["sectors"] if s["code"] == "karaoke")
    assert karaoke["form"] == "/offline/form/karaoke"
    assert [i["code"] for i in karaoke["checklist"]["items"]][:2] == ["KAR-01", "KAR-02"]
    assert {s["code"] for s in pack["sectors"]} >= {"karaoke", "bar"}
    assert pack["violation_types"] and all(
        set(t["sectors"]) <= {s["code"] for s in pack["sectors"]} for t in pack["violation_types"]
    )


def test_pack_follows_the_team_areas_not_the_whole_scope(as_user, create_venue):
    """An administrator sees the province, but carries only the areas of the team."""
    in_593 = create_venue(name="Karaoke Phan Thiết")
    lagi = create_venue(name="Karaoke La Gi", lat=10.66, lon=107.77)
    client = as_user("t_admin")
    assert {in_593.id, lagi.id} <= _ids(client.get(PACK))
    save_team(
        None,
        name="Đoàn La Gi",
        lead_agency_code="labour",
        active_from=date(2024, 1, 1),
        member_usernames=["t_admin"],
        lead_username="t_admin",
        area_codes=["594"],
    )
    ids = _ids(client.get(PACK))
    assert lagi.id in ids and in_593.id not in ids


def test_pack_etag_answers_304_until_the_data_changes(as_user, create_venue, team):
    create_venue(name="Karaoke Một")
    client = as_user("t_insp")
    first = client.get(PACK)
    etag = first.headers["ETag"]
    assert etag and "no-store" not in first.headers["Cache-Control"]
    again = client.get(PACK, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    create_venue(name="Karaoke Hai")
    changed = client.get(PACK, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Karaoke Hai" in {v["name"] for v in changed.json["venues"]}
    # a new member of the team changes the form shells, so the pack too
    from inspections.accounts.services import set_team_members

    set_team_members(team, ["t_insp", "t_insp_pt", "t_admin"], "t_insp")
    db.session.flush()
    assert client.get(PACK, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 200


def test_pack_of_a_district_with_300_venues_is_small(as_user, create_venue, team):
    for i in range(300):
        create_venue(
            name=f"Karaoke Số {i} Phường Đức Thắng",
            address=f"{i} Đường Nguyễn Tất Thành, Phường Phú Thủy",
            lat=10.90 + (i % 20) * 0.002,
            lon=108.08 + (i // 20) * 0.002,
        )
    resp = as_user("t_insp").get(PACK)
    assert len(resp.json["venues"]) >= 300
    size, zipped = len(resp.data), len(gzip.compress(resp.data))
    assert size < 1_000_000 and zipped < 200_000, (size, zipped)


def test_pack_and_session_need_an_account(client, as_user):
    for url in (PACK, SESSION):
        resp = client.get(url)
        assert resp.status_code == 401 and resp.is_json
    assert as_user("t_viewer").get(PACK).status_code == 403
    assert as_user("t_viewer").get(SESSION).status_code == 200


def test_session_gives_a_fresh_csrf_token_for_the_queue(as_user, make_doc):
    client = as_user("t_insp")
    resp = client.get(SESSION)
    body = resp.json
    assert body["username"] == "t_insp" and body["csrf_token"] and body["server_time"]
    assert resp.headers["Cache-Control"] == "no-store"
    made = client.post(
        "/api/v1/inspections",
        json=make_doc(),
        headers={"X-CSRFToken": body["csrf_token"], "Idempotency-Key": "queue-0001-abcdef"},
    )
    assert made.status_code == 201
    refused = client.post("/api/v1/inspections", json=make_doc(), headers={"X-CSRFToken": "x"})
    assert refused.status_code == 400


def test_service_worker_is_served_from_the_root(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Service-Worker-Allowed"] == "/"
    assert resp.headers["Cache-Control"] == "no-cache"
    text = resp.get_data(as_text=True)
    version = re.search(r'^const VERSION = "([^"]+)";', text, re.M).group(1)
    shell = json.loads(re.search(r"^const SHELL = (\[.*\]);", text, re.M).group(1))
    assert version.startswith("0.") and len(version) > 10
    assert "/offline" in shell and "/offline/queue" in shell
    assert "/static/vendor/bootstrap-5.3.3/bootstrap.min.css" in shell
    assert "/static/js/visits-form.js" in shell
    for url in shell:
        if url.startswith("/static/"):
            with client.get(url) as asset:
                assert asset.status_code == 200, url
    assert "worker-src 'self'" in resp.headers["Content-Security-Policy"]


def test_manifest_makes_the_app_installable(client):
    resp = client.get("/manifest.webmanifest")
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    manifest = json.loads(resp.data)
    assert manifest["short_name"] == "Inspections"  # the tests' default locale is English
    assert manifest["start_url"].startswith("/offline")
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#0b5563"
    sizes = {i["sizes"] for i in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as got:
            assert got.status_code == 200
    client.set_cookie("lang", "vi")
    vietnamese = json.loads(client.get("/manifest.webmanifest").data)
    assert (vietnamese["name"], vietnamese["short_name"]) == ("Kiểm tra cơ sở", "Kiểm tra")


def test_pages_show_the_badge_and_register_the_worker_for_inspectors(as_user):
    html = as_user("t_insp").get("/").get_data(as_text=True)
    assert 'rel="manifest"' in html and 'id="sync-badge"' in html
    assert "js/offline.js" in html and 'data-sw="/sw.js"' in html
    viewer = as_user("t_viewer").get("/").get_data(as_text=True)
    assert 'rel="manifest"' in viewer and "sync-badge" not in viewer


def test_offline_pages_and_form_shells(client, as_user, team):
    assert client.get("/offline").status_code == 302
    inspector = as_user("t_insp")
    assert "off-venues" in inspector.get("/offline").get_data(as_text=True)
    queue = inspector.get("/offline/queue").get_data(as_text=True)
    assert "q-list" in queue and "Send now" in queue
    shell = inspector.get("/offline/form/karaoke")
    assert shell.status_code == 200
    html = shell.get_data(as_text=True)
    data = json.loads(re.search(r'id="insp-data">(.*?)</script>', html, re.S).group(1))
    assert data["offline"] is True and data["venue"]["id"] is None
    assert data["venue"]["sector"] == "karaoke" and data["mode"] == "new"
    assert data["start"]["team_id"] == team.id and data["catalogue"]
    assert 'data-item="KAR-01"' in html
    assert inspector.get("/offline/form/no-such-sector").status_code == 404
    assert as_user("t_viewer").get("/offline/form/karaoke").status_code == 403


def test_online_form_is_not_a_shell(as_user, venue, team):
    html = as_user("t_insp").get(f"/inspections/new?venue={venue.id}").get_data(as_text=True)
    data = json.loads(re.search(r'id="insp-data">(.*?)</script>', html, re.S).group(1))
    assert data["offline"] is False and data["venue"]["id"] == venue.id
    assert db.session.scalar(select(Venue.id).where(Venue.id == venue.id))


def test_cache_version_changes_with_the_app_version_and_any_cached_asset(tmp_path):
    from inspections.offline.services import SHELL_ASSETS, _assets_hash

    for name in [*SHELL_ASSETS, "js/sw.js"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"/* {name} */")
    first = _assets_hash(str(tmp_path), "0.1.0")
    assert _assets_hash(str(tmp_path), "0.1.0") == first
    assert _assets_hash(str(tmp_path), "0.2.0") != first
    (tmp_path / "js/visits-form.js").write_text("/* changed */")
    _assets_hash.cache_clear()  # a deploy starts new processes
    assert _assets_hash(str(tmp_path), "0.1.0") != first
