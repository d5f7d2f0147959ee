"""The demo round: this month's round of the Phan Thiết demo team, filled from "what to
inspect next", with one venue the team could not get into. Idempotent (found by its title)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from .. import clock
from ..accounts.models import Team
from ..extensions import db
from . import outcomes, services
from .models import Round

DEMO_TEAM_DECISION = "DEMO-593/QĐ-UBND"
DEMO_SIZE = 25
# The seed acts as a province-level planner (no account of its own).
SEED_ACTOR = SimpleNamespace(id=None, role="admin", home_area=None, full_name="seed")


def load_demo_rounds() -> int:
    """Seed step: the demo round of the current month (1 when created, else 0)."""
    team = db.session.scalar(select(Team).where(Team.decision_no == DEMO_TEAM_DECISION))
    if team is None:
        return 0
    start, end = services.month_of(clock.today())
    title = f"Đợt kiểm tra tháng {start.month:02d}/{start.year}"
    if db.session.scalar(select(Round.id).where(Round.team_id == team.id, Round.title == title)):
        return 0
    found = services.save_round(
        SEED_ACTOR,
        None,
        team_id=team.id,
        title=title,
        kind="month",
        decision_no=f"{start.month:02d}/QĐ-ĐKTLN",
        decision_on=start,
        starts_on=start,
        ends_on=end,
        venue_ids=[],
        fill_limit=DEMO_SIZE,
    )
    lead = next((m.user for m in team.memberships if m.is_lead), None)
    if lead is not None and found.venues:
        outcomes.record_outcome(
            lead,
            found,
            venue_id=found.venues[-1].venue_id,
            kind="closed",
            reason="Cơ sở đóng cửa, không có người trông coi.",
        )
    return 1
