"""The one period parser: every accepted form, and the refusals with what is accepted."""

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
