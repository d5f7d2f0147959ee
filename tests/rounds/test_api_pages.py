"""Rounds over HTTP: the API (scoping, 422 with nothing saved, outcomes with Idempotency-Key),
the pages, and the rounds in the offline pack."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from inspections.extensions import db
from inspections.rounds.models import Round, RoundOutcome
from tests.conftest import csrf_token
from tests.rounds.helpers import make_round


def _body(world, **kw):
    return {
        "team_id": world["team"].id,
        "title": "Đợt tháng 12",
        "starts_on": world["start"].isoformat(),
        "ends_on": world["end"].isoformat(),
        "decision_no": "15/QĐ-UBND",
        "venue_ids": [world["v"]["A"].id, world["v"]["B"].id],
        **kw,
    }


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 20, 20)).save(out, "JPEG")
    return out.getvalue()


def test_api_create_read_patch_put(world, client, token_for):
    coord = token_for("t_coord_pt")
    made = client.post("/api/v1/rounds", json=_body(world), headers=coord)
    assert made.status_code == 201, made.json
    doc = made.json
    assert doc["status"] == "active" and doc["counts"] == {
        "planned": 2,
        "done": 0,
        "could_not": 0,
        "todo": 2,
        "done_pct": 0.0,
    }
    assert [v["venue_id"] for v in doc["venues"]] == [world["v"]["A"].id, world["v"]["B"].id]
    assert doc["projection"][0]["area"] == "593" and doc["projection"][0]["target_pct"] == 20.0
    rid = doc["id"]
    listed = client.get("/api/v1/rounds?status=active", headers=coord).json
    assert [r["id"] for r in listed] == [rid]
    patched = client.patch(
        f"/api/v1/rounds/{rid}", json={"title": "Đợt cao điểm", "kind": "campaign"}, headers=coord
    )
    assert patched.status_code == 200 and patched.json["title"] == "Đợt cao điểm"
    put = client.put(
        f"/api/v1/rounds/{rid}/venues", json={"venue_ids": [world["v"]["B"].id]}, headers=coord
    )
    assert [v["venue_id"] for v in put.json["venues"]] == [world["v"]["B"].id]


def test_api_refuses_bad_rounds_with_nothing_saved(world, client, token_for):
    coord = token_for("t_coord_pt")
    before = db.session.scalar(select(func.count()).select_from(Round))
    cases = [
        (_body(world, venue_ids=[world["v"]["L"].id]), "venue_ids"),
        (_body(world, venue_ids=[world["v"]["C"].id]), "venue_ids"),
        (_body(world, ends_on=(world["start"] - timedelta(days=1)).isoformat()), "ends_on"),
        (_body(world, team_id=world["lagi"].id, venue_ids=[]), "team_id"),
    ]
    for body, field in cases:
        res = client.post("/api/v1/rounds", json=body, headers=coord)
        assert res.status_code == 422, res.json
        assert field in res.json["errors"], res.json
    assert db.session.scalar(select(func.count()).select_from(Round)) == before


def test_api_scoping(world, client, token_for):
    r = make_round(world, team_id=world["lagi"].id, venues=("L",), unannounced=True)
    assert client.get(f"/api/v1/rounds/{r.id}", headers=token_for("t_coord_pt")).status_code == 404
    assert client.get(f"/api/v1/rounds/{r.id}", headers=token_for("t_insp")).status_code == 404
    assert client.get(f"/api/v1/rounds/{r.id}", headers=token_for("t_insp_lagi")).status_code == 200
    assert client.get("/api/v1/rounds", headers=token_for("t_viewer")).status_code == 403
    # members read, only coordinators plan
    res = client.patch(
        f"/api/v1/rounds/{r.id}", json={"title": "x"}, headers=token_for("t_insp_lagi")
    )
    assert res.status_code == 403


def test_api_outcome_idempotent_with_photo(world, client, token_for):
    r = make_round(world, venues=("A",))
    insp = {**token_for("t_insp"), "Idempotency-Key": "outcome-key-0001"}
    form = {"venue_id": str(world["v"]["A"].id), "kind": "refused", "reason": "Chủ không cho vào"}

    def send(extra=None):
        data = {**form, **(extra or {}), "photo": (io.BytesIO(_jpeg()), "p.jpg")}
        return client.post(
            f"/api/v1/rounds/{r.id}/outcomes",
            data=data,
            headers=insp,
            content_type="multipart/form-data",
        )

    first = send()
    assert first.status_code == 201, first.json
    assert first.json["has_photo"] and first.json["kind"] == "refused"
    again = send()
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert send({"reason": "khác"}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(RoundOutcome)) == 1
    bad = client.post(
        f"/api/v1/rounds/{r.id}/outcomes",
        data={**form, "venue_id": str(world["v"]["B"].id)},
        headers=token_for("t_insp"),
    )
    assert bad.status_code == 422 and "not in the round" in bad.json["message"]
    doc = client.get(f"/api/v1/rounds/{r.id}", headers=insp).json
    assert doc["venues"][0]["state"] == "could_not" and doc["venues"][0]["outcome"] == "refused"


def test_pack_has_the_teams_current_rounds(world, client, as_user):
    r = make_round(world, venues=("B", "A"))
    make_round(
        world,
        title="Đợt cũ",
        starts_on=world["start"] - timedelta(days=60),
        ends_on=world["start"] - timedelta(days=31),
        venues=("A",),
    )
    pack = as_user("t_insp").get("/api/v1/offline/pack").json
    assert [p["id"] for p in pack["rounds"]] == [r.id]
    assert pack["rounds"][0]["venues"] == [
        [world["v"]["B"].id, "t", None],
        [world["v"]["A"].id, "t", None],
    ]
    ids = {v["id"] for v in pack["venues"]}
    assert {world["v"]["A"].id, world["v"]["B"].id} <= ids
    other = client.get("/api/v1/offline/pack")  # same client, still t_insp
    assert other.json["rounds"] == pack["rounds"]


def test_pages(world, client, as_user):
    r = make_round(world, venues=("A", "B"))
    coord = as_user("t_coord_pt")
    assert "Đợt tháng này" in coord.get("/rounds").get_data(as_text=True)
    page = coord.get(f"/rounds/{r.id}").get_data(as_text=True)
    assert "after this round" in page and "Carry 2 unfinished venues" in page
    token = csrf_token(coord, "/rounds/new")
    res = coord.post(
        "/rounds/new",
        data={
            "csrf_token": token,
            "team_id": str(world["team"].id),
            "title": "Đợt mới",
            "kind": "month",
            "starts_on": world["start"].isoformat(),
            "ends_on": world["end"].isoformat(),
            "venue_ids": f"{world['v']['A'].id}\n#{world['v']['L'].id}",
        },
    )
    assert res.status_code == 422 and "Outside the team&#39;s area" in res.get_data(as_text=True)
    res = coord.post(
        f"/rounds/{r.id}/carry",
        data={"csrf_token": token},
    )
    assert res.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Round)) == 2
    insp = as_user("t_insp")
    assert insp.get("/rounds").status_code == 403
    mine = insp.get("/rounds/mine")
    assert mine.status_code == 200 and "rounds-phone.js" in mine.get_data(as_text=True)
    assert insp.get(f"/rounds/{r.id}").status_code == 200


def test_coverage_map_has_the_planned_layer(world, as_user, create_inspection):
    r = make_round(world, venues=("A", "B"), unannounced=True)
    a, b = (f'"{r.id}-{world["v"][n].id}"' for n in ("A", "B"))
    create_inspection(world["v"]["A"], on=world["today"])  # done: no longer "planned"
    year = world["today"].year
    page = as_user("t_coord").get(f"/coverage?period={year}").get_data(as_text=True)
    assert "Planned in rounds" in page
    assert b in page and a not in page
    # an unannounced round is not shown to a viewer outside its team
    viewer = as_user("t_viewer").get(f"/coverage?period={year}").get_data(as_text=True)
    assert b not in viewer and "Planned in rounds" not in viewer


def test_outcome_photo_only_for_those_who_see_the_round(world, client, token_for, as_user):
    r = make_round(world, venues=("A",))
    res = client.post(
        f"/api/v1/rounds/{r.id}/outcomes",
        data={
            "venue_id": str(world["v"]["A"].id),
            "kind": "closed",
            "reason": "Đóng cửa",
            "photo": (io.BytesIO(_jpeg()), "p.jpg"),
        },
        headers=token_for("t_insp"),
        content_type="multipart/form-data",
    )
    assert res.status_code == 201, res.json
    path = f"/rounds/outcomes/{res.json['id']}/photo"
    assert as_user("t_insp_pt").get(path).mimetype == "image/jpeg"
    assert as_user("t_insp_lagi").get(path).status_code == 404


def test_form_fills_from_what_to_inspect_next(world, as_user):
    coord = as_user("t_coord_pt")
    res = coord.post(
        "/rounds/new",
        data={
            "csrf_token": csrf_token(coord, "/rounds/new"),
            "team_id": str(world["team"].id),
            "title": "Đợt tự động",
            "kind": "month",
            "starts_on": world["start"].isoformat(),
            "ends_on": world["end"].isoformat(),
            "unannounced": "1",
            "venue_ids": "",
            "fill_limit": "10",
        },
    )
    assert res.status_code == 302, res.get_data(as_text=True)
    found = db.session.scalar(select(Round).where(Round.title == "Đợt tự động"))
    ids = {rv.venue_id for rv in found.venues}
    assert found.unannounced and {world["v"]["A"].id, world["v"]["B"].id} <= ids
    assert world["v"]["C"].id not in ids and world["v"]["L"].id not in ids
    edit = coord.get(f"/rounds/{found.id}/edit").get_data(as_text=True)
    assert "Đợt tự động" in edit and "checked" in edit
