"""Shared pieces of the rounds tests."""

from __future__ import annotations

from inspections.rounds import services
from tests.conftest import user


def make_round(world, username="t_coord", venues=("A", "B"), **kw):
    values = {
        "team_id": world["team"].id,
        "title": "Đợt tháng này",
        "starts_on": world["start"],
        "ends_on": world["end"],
        "decision_no": "12/QĐ-ĐKT",
        "decision_on": world["start"],
        "venue_ids": [world["v"][n].id for n in venues],
        **kw,
    }
    return services.save_round(user(username), None, **values)
