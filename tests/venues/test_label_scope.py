"""QR labels read outside the user's area (issue 13, finding 9): an old label of another
district's venue, or a merged venue's label, answers exactly like a forged label (404, the
same page), naming neither the venue nor what replaced it; inside the area the 410 names them."""

import difflib
import re

from sqlalchemy import select

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.venues import qr
from tests.venues.conftest import LA_GI

FORGED = "hello"
CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


def _page(client, token: str):
    r = client.get(f"/q/{token}")
    # what differs per request: the sign-out form's CSRF token, the page's own address
    body = CSRF.sub('name="csrf_token" value=""', r.get_data(as_text=True))
    return r.status_code, body.replace(f"/q/{token}", "/q/TOKEN")


def _same(answer, forged):
    """The same status and the same page (the diff says where they differ)."""
    diff = "\n".join(
        difflib.unified_diff(forged[1].splitlines(), answer[1].splitlines(), lineterm="", n=1)
    )
    assert answer[0] == forged[0] and not diff, diff


def _merge(as_user, post, dup, kept):
    as_user("t_coord")
    r = post("/venues/duplicates/merge", {"keep": kept.id, "other": dup.id}, follow_redirects=True)
    assert r.status_code == 200  # (the message shown, not left for the next page)
    db.session.expire_all()


def test_stale_label_of_another_district_is_answered_like_a_forged_one(as_user, create_venue, post):
    far = create_venue(name="Karaoke Phước Hội Xa", lat=LA_GI[0], lon=LA_GI[1])  # 594
    old = qr.venue_token(far.id)
    as_user("t_coord")
    r = post(f"/venues/{far.id}/label", follow_redirects=True)
    assert r.status_code == 200 and "version 2" in r.get_data(as_text=True)  # re-issued
    db.session.expire_all()
    current = qr.venue_token(far.id)

    client = as_user("t_insp")  # district 593
    forged = _page(client, FORGED)
    assert forged[0] == 404 and "forged or damaged" in forged[1]
    for token in (old, current):
        status, body = _page(client, token)
        _same((status, body), forged)
        assert "Phước Hội Xa" not in body and "version" not in body
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(
            AuditEvent.action == "denied", AuditEvent.object_id == far.id
        )
    ).all()
    assert summaries == ["QR label of a venue outside the user's area"] * 2

    client = as_user("t_insp_lagi")  # district 594: the stale label names its venue
    status, body = _page(client, old)
    assert status == 410 and "Karaoke Phước Hội Xa" in body and "version 2" in body
    assert client.get(f"/q/{current}").status_code == 302


def test_merged_label_names_the_venue_kept_only_inside_the_area(as_user, create_venue, post):
    kept = create_venue(name="Karaoke Biển Xanh Giữ", lat=LA_GI[0], lon=LA_GI[1])  # 594
    dup = create_venue(name="Karaoke Biển Xanh Trùng", lat=LA_GI[0], lon=LA_GI[1] + 0.0002)
    label = qr.venue_token(dup.id)
    _merge(as_user, post, dup, kept)

    client = as_user("t_insp")  # district 593
    forged = _page(client, FORGED)
    status, body = _page(client, label)
    _same((status, body), forged)
    assert "Biển Xanh" not in body and f"/venues/{kept.id}" not in body

    client = as_user("t_insp_lagi")  # district 594
    status, body = _page(client, label)
    assert status == 410 and "merged into" in body
    assert "Karaoke Biển Xanh Giữ" in body and f"/venues/{kept.id}" in body


def test_merged_into_a_venue_of_another_district_names_nothing(as_user, create_venue, post):
    kept = create_venue(name="Karaoke Sóng Giữ", lat=LA_GI[0], lon=LA_GI[1])  # 594
    dup = create_venue(name="Karaoke Sóng Phan Thiết")  # 593
    label = qr.venue_token(dup.id)
    _merge(as_user, post, dup, kept)

    client = as_user("t_insp")  # the label's venue is in 593, the venue kept is not
    status, body = _page(client, label)
    assert status == 410 and "merged into another one, outside your area" in body
    assert "Sóng Giữ" not in body and f"/venues/{kept.id}" not in body
    client = as_user("t_insp_lagi")  # 594 does not see the 593 venue
    _same(_page(client, label), _page(client, FORGED))
