"""The one period parser: every accepted form, and the refusals with what is accepted."""

import re
from datetime import UTC, date, datetime

import pytest

from inspections import clock
from inspections.coverage import periods
from inspections.errors import Invalid


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-q3", date(2024, 7, 1), date(2024, 9, 30)),
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31)),
        # Decree 09/2019 Art. 12: 15th of the month before the quarter → 14th of its last month
        ("report:2024-Q1", date(2023, 12, 15), date(2024, 3, 14)),
        ("report:2024-Q2", date(2024, 3, 15), date(2024, 6, 14)),
        ("report:2024-Q3", date(2024, 6, 15), date(2024, 9, 14)),
        ("report:2024-Q4", date(2024, 9, 15), date(2024, 12, 14)),
        ("report:2024-6M", date(2023, 12, 15), date(2024, 6, 14)),
        ("report:2024-9M", date(2023, 12, 15), date(2024, 9, 14)),
        ("report:2024-Y", date(2023, 12, 15), date(2024, 12, 14)),
    ],
)
def test_named_periods(key, start, end):
    p = periods.parse(key)
    assert (p.start, p.end) == (start, end)
    assert periods.parse(p.key) == p  # the key names the same period again


def test_custom_dates_and_default():
    p = periods.parse(start=date(2024, 2, 10), end=date(2024, 2, 10))
    assert (p.start, p.end, p.key, p.days) == (date(2024, 2, 10), date(2024, 2, 10), None, 1)
    assert p.args() == {"start": "2024-02-10", "end": "2024-02-10"}
    assert periods.parse(today=date(2025, 3, 1)).key == "2025"
    # exactly ten years is accepted
    assert periods.parse(start=date(2015, 1, 1), end=date(2024, 12, 31)).days == 3653


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"period": "2024-Q5"}, "period"),
        ({"period": "2024-13"}, "period"),
        ({"period": "last year"}, "period"),
        ({"period": "report:2024-8M"}, "period"),
        ({"period": "1850"}, "period"),
        ({"start": date(2024, 5, 2), "end": date(2024, 5, 1)}, "end"),
        ({"start": date(2015, 1, 1), "end": date(2025, 1, 1)}, "end"),
        ({"start": date(2024, 5, 2)}, "end"),
        ({"period": "2024", "start": date(2024, 1, 1), "end": date(2024, 2, 1)}, "period"),
    ],
)
def test_refusals_say_what_is_accepted(kwargs, field):
    with pytest.raises(Invalid) as exc:
        periods.parse(**kwargs)
    assert exc.value.field == field
    if field == "period" or "years" in exc.value.message:
        assert "report:2024-6M" in exc.value.message and "2024-Q3" in exc.value.message


def test_presets_are_parseable_and_described():
    for key, label in periods.presets(date(2024, 8, 1)):
        p = periods.parse(key)
        assert label in periods.describe(p)
    assert periods.describe(periods.parse("2024-06")).startswith("Month 06/2024")


def test_the_default_period_is_the_provinces_year_at_2330_utc(monkeypatch, as_user):
    """At 23:30 UTC on 31 December 2025 the province (UTC+7) is already in 2026."""
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert periods.parse() == periods.Period(date(2026, 1, 1), date(2026, 12, 31), "2026")
    client = as_user("t_coord")
    body = client.get("/api/v1/coverage").json
    assert body["period"] == {"start": "2026-01-01", "end": "2026-12-31", "key": "2026"}
    page = client.get("/coverage").get_data(as_text=True)
    assert "01/01/2026 – 31/12/2026" in page


def test_picker_offers_every_year_and_window_back_to_the_baseline():
    groups = periods.picker_groups(date(2026, 12, 2), baseline=date(2021, 1, 1))
    assert [year for year, _c in groups] == ["2026", "2025", "2024", "2023", "2022", "2021"]
    for year, choices in groups:
        keys = [k for k, _label in choices]
        assert keys == [
            year,
            *(f"{year}-Q{q}" for q in range(1, 5)),
            *(f"report:{year}-Q{q}" for q in range(1, 5)),
            f"report:{year}-6M",
            f"report:{year}-9M",
            f"report:{year}-Y",
        ]
        for key, label in choices:  # each parses and is named as the page names it
            assert label in periods.describe(periods.parse(key))
    # without a plan: this year and last year
    assert [y for y, _c in periods.picker_groups(date(2026, 3, 1))] == ["2026", "2025"]
    # from 15 December the next year's first windows have started
    late = periods.picker_groups(date(2026, 12, 15), baseline=date(2025, 1, 1))
    assert [y for y, _c in late] == ["2027", "2026", "2025"]
    assert [k for k, _l in late[0][1]] == [
        "report:2027-Q1",
        "report:2027-6M",
        "report:2027-9M",
        "report:2027-Y",
    ]
    # a baseline far back is cut to a list a person can scroll
    assert len(periods.picker_groups(date(2026, 1, 1), baseline=date(1990, 1, 1))) == 25


def test_the_page_picker_groups_years_most_recent_first(monkeypatch, as_user):
    """The seeded plan's baseline is 1 January 2021: the picker goes back to 2021."""
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    page = as_user("t_coord").get("/coverage?period=report:2022-9M").get_data(as_text=True)
    picker = page[page.index('id="f-period"') : page.index("</select>", page.index("f-period"))]
    years = re.findall(r'<optgroup label="([^"]+)"', picker)
    assert years == ["2026", "2025", "2024", "2023", "2022", "2021"]
    assert picker.count("<option") == 1 + 6 * 12  # "custom dates" and 12 periods a year
    assert re.search(r'<option value="report:2022-9M" selected>', picker)
    assert 'value="report:2021-Q1"' in picker and 'value="2020"' not in picker
    # a period before the baseline is still shown, chosen
    old = as_user("t_coord").get("/coverage?period=2019-Q2").get_data(as_text=True)
    assert re.search(r'<option value="2019-Q2" selected>', old)


def test_a_later_plan_does_not_hide_the_earlier_years(monkeypatch, as_user):
    """A 2026 plan whose phase begins in 2026 (the demo's) still leaves 2021–2025 in the
    picker: coordinators compare with the 2024 plan's years."""
    from decimal import Decimal

    from inspections.coverage.models import Plan
    from inspections.extensions import db

    db.session.add(
        Plan(
            number="DEMO-2026/KH-TEST",
            year=2026,
            issuer="Ủy ban nhân dân tỉnh Lâm Đồng",
            coverage_target_pct=Decimal(20),
            baseline_on=date(2026, 1, 1),
            tips_target_pct=Decimal(100),
        )
    )
    db.session.flush()
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    page = as_user("t_coord").get("/coverage").get_data(as_text=True)
    picker = page[page.index('id="f-period"') : page.index("</select>", page.index("f-period"))]
    years = re.findall(r'<optgroup label="([^"]+)"', picker)
    assert years == ["2026", "2025", "2024", "2023", "2022", "2021"]
