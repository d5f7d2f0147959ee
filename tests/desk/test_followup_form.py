"""The follow-up form of a violation: nothing chosen for the reviewer, a clear message when
nothing is chosen, the remedy required shown in full above the choice."""

from __future__ import annotations

import re
from datetime import timedelta

from inspections.clock import today
from tests.violations.test_followup import _post


def test_the_follow_up_form_chooses_nothing_and_shows_the_remedy(
    as_user, client, create_venue, record_violation
):
    day = today()
    remedy = "Tháo toàn bộ chốt cửa bên trong các phòng hát và lắp lại cửa kính trong suốt"
    v = record_violation(
        create_venue(), day - timedelta(days=20), remedy=remedy, deadline=day - timedelta(days=5)
    )
    as_user("t_review")
    client.set_cookie("lang", "vi")
    html = client.get(f"/violations/{v.id}").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="followup-form".*?</form>', html, re.S).group(0)
    kind = re.search(r'<select[^>]*id="f-kind".*?</select>', form, re.S).group(0)
    assert re.search(r'<option value=""\s*selected', kind)
    assert kind.count("selected") == 1 and "required" in kind
    assert remedy in form  # the whole remedy, not cut
    r = _post(client, f"/violations/{v.id}/followups", {"on": day.isoformat()})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "Hãy chọn kết quả theo dõi." in text and "Missing data" not in text
    assert "Vui lòng sửa các ô được đánh dấu." in text
