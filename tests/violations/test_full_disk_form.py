"""A follow-up form whose evidence meets a full upload disk: the page says so (507), nothing
is recorded and no file stays behind."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from inspections.clock import today
from inspections.violations.models import FollowupFile, ViolationFollowup
from tests.violations.test_followup import _count, _post
from tests.visits.conftest import jpeg_bytes
from tests.visits.test_full_disk import disk  # noqa: F401 - the fixture


def test_evidence_on_a_full_disk_is_refused_on_the_page(
    app,
    as_user,
    client,
    create_venue,
    record_violation,
    disk,  # noqa: F811
):
    venue = create_venue()
    day = today()
    v = record_violation(venue, day - timedelta(days=5), remedy="Sửa", deadline=day)
    as_user("t_review")
    root = Path(app.config["UPLOAD_FOLDER"])
    before = sorted(p for p in root.rglob("*") if p.is_file())
    disk.full = True
    photo = jpeg_bytes(color=(random.randrange(256), 10, 10))
    r = _post(
        client, f"/violations/{v.id}/followups", {"kind": "remedied", "on": day},
        [("a.jpg", photo)],
    )  # fmt: skip
    assert r.status_code == 507
    html = r.get_data(as_text=True)
    assert "storage is full" in html and "<form" in html  # the form again, with the message
    assert _count(ViolationFollowup) == 0 and _count(FollowupFile) == 0
    assert sorted(p for p in root.rglob("*") if p.is_file()) == before
