"""`flask seed`: reference data every installation needs, and the demo set on request.

Each step is idempotent: running the seed twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select

from .extensions import db


def seed_dir() -> Path:
    """The repository's seed_data/ folder (configurable for packaged installs)."""
    configured = current_app.config.get("SEED_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "seed_data"


def read_yaml(relative: str) -> dict:
    """A YAML file of seed_data/."""
    with open(seed_dir() / relative, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def upsert_by_code(model, records: list[dict], key: str = "code") -> int:
    """Create or update rows of model matched on key; returns how many rows changed."""
    changes = 0
    for order, rec in enumerate(records):
        values = {**rec}
        if hasattr(model, "sort_order") and "sort_order" not in values:
            values["sort_order"] = order
        row = db.session.scalar(select(model).where(getattr(model, key) == rec[key]))
        if row is None:
            db.session.add(model(**values))
            changes += 1
            continue
        dirty = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                dirty = True
        changes += dirty
    db.session.flush()
    return changes


def steps(demo: bool, password: str | None = None) -> list[tuple[str, Callable[[], int]]]:
    """The seed steps in dependency order: the table of contents of what the seed loads.

    password: the demo accounts' password (``flask demo``, ``seed --demo --admin-password``);
    without it the demo teams are made of the accounts that already exist.
    """
    from .accounts.models import Agency
    from .areas.seed import load_areas
    from .coverage.seed import load_plans
    from .reports.seed import load_indicators
    from .venues.models import Sector
    from .venues.reindex import reindex_search_text
    from .violations.services import load_catalogue
    from .visits.checklists import load_checklists

    reference = read_yaml("reference.yaml")
    out: list[tuple[str, Callable[[], int]]] = [
        ("sectors", lambda: upsert_by_code(Sector, reference["sectors"])),
        ("agencies", lambda: upsert_by_code(Agency, reference["agencies"])),
        ("areas and demo boundaries", lambda: load_areas(seed_dir())),
        ("plans", load_plans),
        ("plan indicators and standing agencies", load_indicators),
        ("legal catalogue", lambda: load_catalogue(seed_dir() / "catalogue" / "violations.yaml")),
        ("checklist templates", lambda: load_checklists(seed_dir() / "checklists")),
    ]
    if demo:
        from .coverage.demo import load_demo_plan
        from .rounds.demo import load_demo_rounds
        from .venues.demo import load_demo_venues
        from .violations.demo import load_demo_followups
        from .visits.demo import load_demo_inspections

        out += [
            ("demo venues", load_demo_venues),
            ("demo teams and inspections", lambda: load_demo_inspections(password)),
            ("demo follow-ups, payments, notes and tips", load_demo_followups),
            ("demo 2026 plan (marked DEMO)", load_demo_plan),
            ("demo inspection round", load_demo_rounds),
        ]
    # venues stored under earlier folding rules (accents, punctuation) are searchable again
    out.append(("venue search text and addresses on today's map", reindex_search_text))
    return out


def run(
    demo: bool = False, echo: Callable[[str], None] | None = None, password: str | None = None
) -> int:
    """Run every step and flush; the caller commits. Returns the total number of changes."""
    total = 0
    for name, step in steps(demo, password):
        changed = step()
        total += changed
        if echo:
            echo(f"{name}: {changed} changed")
    return total
