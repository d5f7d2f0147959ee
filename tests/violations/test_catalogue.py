"""The legal catalogue: what is in force on a day for a sector, fine ranges, legal basis."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from inspections.errors import Invalid
from inspections.violations import services
from inspections.violations.models import LegalViolation
from tests.conftest import ROOT
from tests.visits.conftest import new_key

CATALOGUE = ROOT / "seed_data" / "catalogue" / "violations.yaml"


def codes(on, sector="karaoke"):
    return {lv.code for lv in services.catalogue(on, sector)}


def test_the_catalogue_is_loaded_and_idempotent():
    assert len(services.catalogue()) == 26
    assert services.load_catalogue(CATALOGUE) == 0


def test_decree_144_until_14_december_2025_then_282():
    before, after = codes(date(2025, 12, 14)), codes(date(2025, 12, 15))
    assert "ND144-2021-D24-BUY" in before and "ND282-2025-D32-1" not in before
    assert "ND282-2025-D32-1" in after and "ND144-2021-D24-BUY" not in after
    assert "ND38-2021-D15-6b" in before and "ND38-2021-D15-6b" in after
    assert "ND12-2022-D9-1a" not in codes(date(2022, 1, 16))  # in force from 17/01/2022


def test_sector_filter():
    assert "ND38-2021-D15-6e" in codes(date(2024, 1, 1), "dance_hall")
    assert "ND38-2021-D15-6e" not in codes(date(2024, 1, 1), "karaoke")
    assert not {c for c in codes(date(2024, 1, 1), "lodging") if c.startswith("ND38")}


def test_why_a_code_cannot_be_recorded():
    lv = services.by_codes(["ND144-2021-D24-BUY"])["ND144-2021-D24-BUY"]
    why = services.check_applies(lv, lv.code, date(2026, 3, 1), "karaoke")
    assert "not in force on 01/03/2026" in why and "Use ND282-2025-D32-1 instead." in why
    assert services.check_applies(lv, lv.code, date(2024, 3, 1), "karaoke") is None
    assert "Unknown" in services.check_applies(None, "X1", date(2024, 3, 1), "karaoke")


def test_fine_ranges_by_offender_type():
    lv = services.by_codes(["ND38-2021-D15-6b"])["ND38-2021-D15-6b"]
    assert services.fine_problems(lv, "individual", 15_000_000, []) == []
    assert services.fine_problems(lv, "individual", 30_000_000, []) != []
    assert services.fine_problems(lv, "organisation", 30_000_000, []) == []
    assert "Set the fine" in services.fine_problems(lv, "organisation", None, [])[0]
    warn = services.by_codes(["ND38-2021-D15-1"])["ND38-2021-D15-1"]
    assert services.fine_problems(warn, "individual", 0, ["warning"]) == []  # warning instead
    assert services.fine_problems(lv, "individual", 0, ["warning"]) != []  # not allowed here
    buy = services.by_codes(["ND282-2025-D32-1"])["ND282-2025-D32-1"]
    assert "applies to: an individual" in services.fine_problems(buy, "organisation", 1, [])[0]


def test_legal_basis_wording():
    lv = services.by_codes(["ND12-2022-D9-1a"])["ND12-2022-D9-1a"]
    assert services.legal_basis(lv, "vi") == "Điểm a khoản 1 Điều 9 Nghị định 12/2022/NĐ-CP"
    assert services.legal_basis(lv, "en") == "Decree 12/2022/NĐ-CP, Art. 9, cl. 1, pt. a"


def test_bad_catalogue_files_are_refused(tmp_path: Path):
    bad = tmp_path / "v.yaml"
    bad.write_text("violations:\n  - code: X1\n    decree: '1/2020'\n", encoding="utf-8")
    with pytest.raises(Invalid, match="not valid"):
        services.load_catalogue(bad)
    text = CATALOGUE.read_text(encoding="utf-8")
    broken = tmp_path / "w.yaml"
    broken.write_text(text.replace("replaced_by: ND282-2025-D32-2", "replaced_by: NOPE"), "utf-8")
    with pytest.raises(Invalid, match="unknown codes: NOPE"):
        services.load_catalogue(broken)


def test_a_corrected_entry_is_updated(tmp_path: Path):
    text = CATALOGUE.read_text(encoding="utf-8").replace(
        "fine_individual_max: 75000000", "fine_individual_max: 80000000"
    )
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    assert services.load_catalogue(path) == 1
    assert (
        services.by_codes(["ND144-2021-D26-5"])["ND144-2021-D26-5"].fine_individual_max
        == 80_000_000
    )


def test_catalogue_api_and_pages(client, as_user, api, make_doc):
    as_user("t_insp")
    r = client.get("/api/v1/violation-types?on=2026-01-01&sector=karaoke")
    assert r.status_code == 200
    got = {e["code"] for e in r.json}
    assert "ND282-2025-D32-1" in got and "ND144-2021-D24-BUY" not in got
    assert client.get("/api/v1/violation-types?sector=casino").status_code == 422
    html = client.get("/violations/catalogue?on=2025-06-01").get_data(as_text=True)
    assert (
        "Decree 144/2021/NĐ-CP, Art. 24" in html
        and "ND282-2025-D32-1" not in html.split("replaced by")[0]
    )
    latch = {"code": "ND38-2021-D15-6b", "offender": "individual", "fine_vnd": 15_000_000}
    api(
        "POST",
        "/api/v1/inspections",
        make_doc(violations=[latch], status="submitted"),
        key=new_key(),
    )
    api("POST", "/api/v1/inspections", make_doc(violations=[latch]), key=new_key())  # a draft
    html = client.get("/violations").get_data(as_text=True)
    assert "1 violations, fines totalling 15,000,000 ₫" in html
    assert "Karaoke Hoàng Gia" in html
    assert "0 violations" in client.get("/violations?sector=lodging").get_data(as_text=True)
    as_user("t_insp_lagi")
    assert "0 violations" in client.get("/violations").get_data(as_text=True)
    assert LegalViolation.__audited__
