"""Versioned checklist templates: the seed, a new version from a changed file, admin upload."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from inspections.errors import Invalid
from inspections.extensions import db
from inspections.venues.models import Sector
from inspections.visits.checklists import as_yaml, import_template, load_checklists, template_for
from inspections.visits.models import ChecklistTemplate
from tests.conftest import ROOT, csrf_token, login, user
from tests.visits.conftest import new_key, template_version

SEED = ROOT / "seed_data" / "checklists"


def karaoke_id() -> int:
    return db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))


def copy_seed(tmp_path: Path) -> Path:
    folder = tmp_path / "checklists"
    shutil.copytree(SEED, folder)
    return folder


def test_seed_loads_one_version_per_sector():
    assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == 7
    karaoke = template_version("karaoke")
    assert karaoke.version == 1 and len(karaoke.items) == 10
    assert karaoke.items[4].code == "KAR-05" and "ND38-2021-D15-6b" in karaoke.items[4].proposes
    assert load_checklists(SEED) == 0  # idempotent


def test_a_changed_file_with_a_new_version_adds_a_version(tmp_path, api, make_doc):
    submitted = api("POST", "/api/v1/inspections", make_doc(status="submitted"), key=new_key()).json
    folder = copy_seed(tmp_path)
    path = folder / "karaoke.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"][0]["text_vi"] = "Có giấy chứng nhận đăng ký kinh doanh bản chính"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # version 1 is used by an inspection: the same number with other content is refused
    with pytest.raises(Invalid, match="keeps version 1"):
        load_checklists(folder)
    data["version"], data["valid_from"] = 2, date(2026, 1, 1)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_checklists(folder) == 1
    assert load_checklists(folder) == 0
    assert template_for(karaoke_id(), date(2025, 6, 1)).version == 1
    assert template_for(karaoke_id(), date(2026, 6, 1)).version == 2
    # the submitted inspection keeps the version it used
    doc = api("GET", f"/api/v1/inspections/{submitted['id']}").json
    assert doc["checklist_template"]["version"] == 1


def test_an_unused_version_is_corrected_in_place(tmp_path):
    folder = copy_seed(tmp_path)
    path = folder / "bar.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title_en"] = "Bar inspection (corrected)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_checklists(folder) == 1
    assert template_version("bar").title_en == "Bar inspection (corrected)"
    assert template_version("bar").version == 1


def test_bad_files_are_refused_with_reasons():
    with pytest.raises(Invalid, match="not valid YAML"):
        import_template("sector: [karaoke", "x.yaml", None)
    with pytest.raises(Invalid, match="not a valid checklist"):
        import_template("sector: karaoke\nversion: 1\n", "x.yaml", None)
    text = as_yaml(template_version("karaoke"))
    with pytest.raises(Invalid, match="Nothing changed compared with version 1"):
        import_template(text, "x.yaml", None)
    with pytest.raises(Invalid, match="not in the catalogue"):
        import_template(text.replace("ND38-2021-D15-6b", "ND99-NOPE"), "x.yaml", None)
    with pytest.raises(Invalid, match="do not apply to this sector"):
        import_template(text.replace("ND38-2021-D15-6b", "ND38-2021-D15-6e"), "x.yaml", None)
    dup = text.replace("code: KAR-02", "code: KAR-01")
    with pytest.raises(Invalid, match="used twice"):
        import_template(dup, "x.yaml", None)


def test_admin_uploads_a_new_version(client):
    login(client, "t_admin")
    page = client.get("/inspections/checklists")
    assert page.status_code == 200 and "v1" in page.get_data(as_text=True)
    karaoke = template_version("karaoke")
    download = client.get(f"/inspections/checklists/{karaoke.id}?format=yaml")
    assert download.mimetype == "application/x-yaml"
    edited = download.get_data(as_text=True).replace(
        "Closed between 00:00 and 08:00", "Closed between 00:00 and 08:00 (check the log)"
    )
    token = csrf_token(client, "/inspections/checklists")
    r = client.post(
        "/inspections/checklists",
        data={"csrf_token": token, "file": (io.BytesIO(edited.encode()), "karaoke.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    latest = template_version("karaoke")
    assert latest.version == 2 and latest.created_by_id == user("t_admin").id
    assert latest.source == "upload:karaoke.yaml"
    assert "(check the log)" in latest.items[6].text_en
    r = client.post("/inspections/checklists", data={"csrf_token": token, "text": "::"})
    assert r.status_code == 422 and "not" in r.get_data(as_text=True)
    login(client, "t_coord")
    assert client.get("/inspections/checklists").status_code == 403


def test_checklist_api(client, as_user):
    as_user("t_insp")
    r = client.get("/api/v1/checklists?sector=lodging")
    assert r.status_code == 200 and len(r.json) == 1
    assert r.json[0]["sector"] == "lodging" and r.json[0]["items"][0]["code"] == "LOD-01"
    assert len(client.get("/api/v1/checklists").json) == 7
