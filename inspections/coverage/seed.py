"""Seed step: the reference plans of seed_data/plans.yaml (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ..extensions import db
from .models import Plan

PLANS_FILE = "plans.yaml"


def load_plans() -> int:
    """Create or update the plans of the seed file, matched by number; returns changes."""
    from ..seeding import read_yaml

    changes = 0
    for rec in read_yaml(PLANS_FILE)["plans"]:
        values = {
            **rec,
            "coverage_target_pct": Decimal(str(rec["coverage_target_pct"])),
            "tips_target_pct": Decimal(str(rec["tips_target_pct"])),
        }
        plan = db.session.scalar(select(Plan).where(Plan.number == rec["number"]))
        if plan is None:
            db.session.add(Plan(**values))
            changes += 1
            continue
        dirty = False
        for key, value in values.items():
            if getattr(plan, key) != value:
                setattr(plan, key, value)
                dirty = True
        changes += dirty
    db.session.flush()
    return changes
