"""Photos stored sideways with an EXIF orientation (as phones take them) are shown upright:
their thumbnails, the photo served, and the minutes; the stored original is never changed."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image

from inspections.extensions import db
from inspections.visits.models import InspectionPhoto
from tests.visits.conftest import new_key
from tests.visits.test_photos import API, upload


def sideways_jpeg() -> bytes:
    """A 400×200 frame whose camera says "turn me 90° clockwise" (orientation 6): upright
    it is 200 wide and 400 high, red on its top half."""
    img = Image.new("RGB", (400, 200), (20, 20, 200))
    img.paste((220, 20, 20), (0, 0, 200, 200))  # the left half: the top once turned
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_thumbnails_and_served_photos_are_upright(app, api, client, make_doc):
    data = sideways_jpeg()
    inspection = api("POST", API, make_doc(), key=new_key()).json
    photo = upload(api, inspection["id"], data).json
    url = f"/inspections/{inspection['id']}/photos/{photo['id']}"
    from tests.conftest import login

    login(client, "t_insp")
    for path in (url + "?thumb=1", url):
        r = client.get(path)
        assert r.status_code == 200, path
        with Image.open(io.BytesIO(r.data)) as img:
            width, height = img.size
            assert height > width, path  # upright: taller than wide
            top = img.convert("RGB").getpixel((width // 2, height // 4))
            assert top[0] > 150 and top[2] < 100, (path, top)  # red on top
    stored = db.session.get(InspectionPhoto, photo["id"])
    original = (Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name).read_bytes()
    assert hashlib.sha256(original).hexdigest() == stored.sha256 == hashlib.sha256(data).hexdigest()
