"""The violation register's filter: one-tap periods (the Decree 09 report window among them),
offences by name with the code after it, the rest folded under "More choices"."""

from __future__ import annotations

import re
from datetime import date

from inspections.violations.register import presets


def _by_key(on: date) -> dict:
    return {p.key: (p.start, p.end) for p in presets(on)}


def test_presets_around_a_day(app):
    with app.test_request_context():
        found = _by_key(date(2024, 5, 20))
        assert found["12m"] == (date(2023, 5, 21), date(2024, 5, 20))
        assert found["year"] == (date(2024, 1, 1), date(2024, 12, 31))
        assert found["quarter"] == (date(2024, 4, 1), date(2024, 6, 30))
        assert found["report"] == (date(2024, 3, 15), date(2024, 6, 14))
        # from 15 December the next year's first report window is open
        assert _by_key(date(2024, 12, 20))["report"] == (date(2024, 12, 15), date(2025, 3, 14))
        assert _by_key(date(2024, 12, 14))["report"] == (date(2024, 9, 15), date(2024, 12, 14))
        assert _by_key(date(2024, 2, 29))["12m"] == (date(2023, 3, 1), date(2024, 2, 29))


def test_the_filter_names_offences_and_folds_the_rare_choices(as_user, client):
    as_user("t_review")
    client.set_cookie("lang", "vi")
    html = client.get("/violations").get_data(as_text=True)
    presets_nav = re.search(r'<nav class="period-presets".*?</nav>', html, re.S).group(0)
    for label in ("12 tháng qua", "Năm nay", "Quý này", "Kỳ báo cáo này"):
        assert label in presets_nav
    code = re.search(r'<select class="form-select" name="code">.*?</select>', html, re.S).group(0)
    option = re.search(r'<option value="ND38-2021-D15-6b"\s*>([^<]+)</option>', code).group(1)
    assert option.endswith("(ND38-2021-D15-6b)") and len(option) > 30  # a name, then the code
    more = re.search(r'<details class="more-filters"\s*>.*?</details>', html, re.S).group(0)
    for name in ("start", "end", "code", "agency", "decree", "article", "offender", "sort"):
        assert f'name="{name}"' in more, name
    main = html[html.index('<form class="register-filters"') : html.index('<details class="more')]
    assert {"area", "sector", "remedy", "paid"} == set(re.findall(r'name="(\w+)"', main))
    # a preset keeps the other filters and marks itself as the current one
    html = client.get("/violations?sector=karaoke&start=2024-01-01&end=2024-12-31").get_data(
        as_text=True
    )
    assert 'details class="more-filters" open' in html
