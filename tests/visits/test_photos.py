"""Photos: checked by content, capped, hashed, stored outside static/, served to readers only."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from inspections.extensions import db
from inspections.visits.models import InspectionPhoto
from tests.conftest import login
from tests.visits.conftest import jpeg_bytes, new_key

API = "/api/v1/inspections"


def upload(api, inspection_id, data, item=None, key=None, user="t_insp", name="p.jpg"):
    form = {"file": (io.BytesIO(data), name)}
    if item:
        form["item"] = item
    return api(
        "POST",
        f"{API}/{inspection_id}/photos",
        key=key,
        user=user,
        data=form,
        content_type="multipart/form-data",
    )


def test_photo_upload_is_checked_hashed_and_kept_once(app, api, make_doc):
    inspection = api("POST", API, make_doc(), key=new_key()).json
    data = jpeg_bytes()
    key = new_key()
    r = upload(api, inspection["id"], data, item="KAR-05", key=key)
    assert r.status_code == 201, r.json
    photo = r.json
    assert photo["sha256"] == hashlib.sha256(data).hexdigest()
    assert photo["item"] == "KAR-05" and (photo["width"], photo["height"]) == (800, 600)
    stored = db.session.get(InspectionPhoto, photo["id"])
    path = Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name
    assert path.read_bytes() == data
    assert "static" not in path.parts
    # the same upload retried, or the same photo again: one photo
    again = upload(api, inspection["id"], data, item="KAR-05", key=key)
    assert again.status_code == 201 and again.json["id"] == photo["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    twice = upload(api, inspection["id"], data, key=new_key())
    assert twice.status_code == 200 and twice.json["id"] == photo["id"]
    doc = api("GET", f"{API}/{inspection['id']}").json
    assert [p["id"] for p in doc["photos"]] == [photo["id"]]


def test_not_an_image_or_too_large_is_refused(app, api, client, make_doc, token_for):
    inspection = api("POST", API, make_doc(), key=new_key()).json
    r = upload(api, inspection["id"], b"%PDF-1.4 not a photo" * 50, name="photo.jpg")
    assert r.status_code == 422 and "not a photo" in r.json["errors"]["file"][0]
    fake_jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 2000  # right magic bytes, broken content
    assert upload(api, inspection["id"], fake_jpeg).status_code == 422
    gif = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert upload(api, inspection["id"], gif.getvalue()).status_code == 422
    # 40 MB from an API client: refused from its Content-Length before anything reads the
    # body (raw bytes: the test client would spool a multipart body to a temporary file)
    boundary = "----x"
    huge = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + b"\xff\xd8\xff"
        + b"\x00" * (40 * 1024 * 1024)
    )
    r = client.post(
        f"{API}/{inspection['id']}/photos",
        data=huge,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=token_for("t_insp"),
    )
    assert r.status_code == 413
    assert "40.0 MB" in r.json["message"] and "limit is 10 MB" in r.json["message"]
    assert api("GET", f"{API}/{inspection['id']}").json["photos"] == []
    assert upload(api, inspection["id"], jpeg_bytes(), item="NOPE").status_code == 422


def test_photos_are_served_only_to_those_who_may_see_the_inspection(app, api, client, make_doc):
    inspection = api("POST", API, make_doc(), key=new_key()).json
    photo = upload(api, inspection["id"], jpeg_bytes(size=(2000, 1500))).json
    url = f"/inspections/{inspection['id']}/photos/{photo['id']}"
    full = client.get(url)
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.headers["Cache-Control"].startswith("private")
    thumb = client.get(url + "?thumb=1")
    assert thumb.status_code == 200 and len(thumb.data) < len(full.data)
    login(client, "t_review")
    assert client.get(url).status_code == 200
    login(client, "t_insp_lagi")
    assert client.get(url).status_code == 404
    client.post("/logout", data={})
    anon = app.test_client()
    assert anon.get(url).status_code == 302
    # a file changed on disk is not served as evidence
    stored = db.session.get(InspectionPhoto, photo["id"])
    path = Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name
    original = path.read_bytes()
    path.write_bytes(original[:-10])
    login(client, "t_insp")
    assert client.get(url).status_code == 404
    path.write_bytes(original)


def test_draft_photos_can_be_removed_submitted_ones_not(api, make_doc):
    inspection = api("POST", API, make_doc(), key=new_key()).json
    photo = upload(api, inspection["id"], jpeg_bytes()).json
    url = f"{API}/{inspection['id']}/photos/{photo['id']}"
    assert api("DELETE", url).status_code == 204
    assert api("GET", f"{API}/{inspection['id']}").json["photos"] == []
    photo = upload(api, inspection["id"], jpeg_bytes(color=(1, 2, 3))).json
    assert api("POST", f"{API}/{inspection['id']}/submit", {}).status_code == 200
    r = api("DELETE", f"{API}/{inspection['id']}/photos/{photo['id']}")
    assert r.status_code == 409
    # evidence may still be added after submitting (it is dated)
    assert upload(api, inspection["id"], jpeg_bytes(color=(9, 9, 9))).status_code == 201
    assert api("DELETE", url, user="t_review").status_code == 403


def test_signatures_must_be_png(api, make_doc):
    bad = make_doc(signatures=[{"role": "lead", "image": "data:image/png;base64,bm90IGEgcG5n"}])
    r = api("POST", API, bad)
    assert r.status_code == 422 and "file" in r.json["errors"]
    r = api(
        "POST", API, make_doc(signatures=[{"role": "lead", "image": "data:text/html;base64,PGI+"}])
    )
    assert r.status_code == 422 and "signatures.0.image" in r.json["errors"]


def test_a_removed_photo_leaves_the_storage_only_when_its_removal_commits(app, make_doc):
    from inspections import storage, uow
    from inspections.visits import files, lifecycle, photos
    from tests.conftest import user
    from tests.visits.conftest import recent

    owner = user("t_insp")
    body = {**make_doc(), "inspected_at": recent()}
    for section in ("signatures", "location"):
        body.pop(section)
    draft = lifecycle.create(owner, body)
    row, _created = photos.add_photo(owner, draft, jpeg_bytes())
    key, photo_id = row.stored_name, row.id
    assert key == f"inspections/{draft.id}/{row.sha256}.jpg"
    assert files.thumbnail(key, row.sha256)
    kept = storage.storage()
    assert kept.exists(key) and kept.exists(files.thumbnail_key(key))

    class Undone(Exception):
        pass

    try:
        with uow.unit():
            photos.delete_photo(owner, draft, row)  # a savepoint of the unit: not yet durable
            raise Undone
    except Undone:
        pass
    assert kept.exists(key) and db.session.get(InspectionPhoto, photo_id) is not None
    photos.delete_photo(owner, draft, db.session.get(InspectionPhoto, photo_id))
    assert db.session.get(InspectionPhoto, photo_id) is None
    assert not kept.exists(key) and not kept.exists(files.thumbnail_key(key))
