"""Seed step: the plans' standing agencies and indicators of seed_data/indicators.yaml
(idempotent; a plan the seed does not hold is skipped)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Agency
from ..coverage.models import Plan
from ..extensions import db
from .indicators import check_values
from .models import Indicator

INDICATORS_FILE = "indicators.yaml"
PLAN_FIELDS = ("standing_agency_name", "place_name")


def _set(obj, values: dict) -> bool:
    dirty = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            dirty = True
    return dirty


def load_indicators() -> int:
    """Create or update the plans' standing agencies and indicators; returns changes."""
    from ..seeding import read_yaml

    changes = 0
    for rec in read_yaml(INDICATORS_FILE)["plans"]:
        plan = db.session.scalar(select(Plan).where(Plan.number == rec["number"]))
        if plan is None:
            continue
        agency = rec["standing_agency"]
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == agency))
        values = {key: rec.get(key) for key in PLAN_FIELDS}
        changes += _set(plan, {"standing_agency_id": agency_id, **values})
        for order, item in enumerate(rec["indicators"], start=1):
            values = {
                "target_no": None,
                "source": None,
                "target_pct": None,
                "target_text_vi": None,
                "target_text_en": None,
                "denominator_vi": None,
                "denominator_en": None,
                **item,
                "sort_order": order,
            }
            if values["target_pct"] is not None:
                values["target_pct"] = Decimal(str(values["target_pct"]))
            check_values(values)
            same = (Indicator.plan_id == plan.id, Indicator.code == item["code"])
            found = db.session.scalar(select(Indicator).where(*same))
            if found is None:
                db.session.add(Indicator(plan_id=plan.id, **values))
                changes += 1
            else:
                changes += _set(found, values)
    db.session.flush()
    return changes
