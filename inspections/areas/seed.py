"""Seed both maps: the former province with its approximate (demo) boundaries, and today's
province with its units, their predecessors and the polygons built from theirs."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..uow import transactional
from .boundaries import import_boundaries
from .loading import load_todays_map, load_unit_list
from .models import Area
from .versions import LAST_FORMER_DAY, in_force_clause

UNIT_LIST = "areas/binh_thuan.json"
TODAYS_UNITS = "areas/lam_dong_2025.json"
DEMO_FILES = (
    ("district", "areas/demo_districts.geojson"),
    ("commune", "areas/demo_communes.geojson"),
)


def _read(seed_dir: Path, name: str) -> dict:
    return json.loads((seed_dir / name).read_text(encoding="utf-8"))


@transactional
def load_areas(seed_dir: Path) -> int:
    """Both maps, as one unit of work: the former units, demo polygons where no official ones
    exist, today's units and their predecessors, today's polygons built from the former ones;
    then venues not yet placed on today's map."""
    changes = load_unit_list(_read(seed_dir, UNIT_LIST))
    for level, name in DEMO_FILES:
        fc = _read(seed_dir, name)
        official = set(
            db.session.scalars(
                select(Area.code).where(
                    Area.level == level,
                    in_force_clause(LAST_FORMER_DAY),
                    Area.boundary_source.is_not(None),
                    Area.boundary_source != "demo",
                )
            )
        )
        fc["features"] = [f for f in fc["features"] if f["properties"]["gso_code"] not in official]
        if fc["features"]:
            report = import_boundaries(
                fc, level, source="demo", valid_from=LAST_FORMER_DAY, audited=False
            )
            changes += len(report.updated)
    return changes + load_todays_map(_read(seed_dir, TODAYS_UNITS))
