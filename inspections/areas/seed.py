"""Seed the province's units and their approximate (demo) boundaries."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from .models import Area
from .services import import_boundaries, load_unit_list

UNIT_LIST = "areas/binh_thuan.json"
DEMO_FILES = (
    ("district", "areas/demo_districts.geojson"),
    ("commune", "areas/demo_communes.geojson"),
)


def load_areas(seed_dir: Path) -> int:
    """Province, districts and communes, then demo polygons where no official ones exist."""
    data = json.loads((seed_dir / UNIT_LIST).read_text(encoding="utf-8"))
    changes = load_unit_list(data)
    for level, name in DEMO_FILES:
        fc = json.loads((seed_dir / name).read_text(encoding="utf-8"))
        official = set(
            db.session.scalars(
                select(Area.code).where(
                    Area.level == level,
                    Area.boundary_source.is_not(None),
                    Area.boundary_source != "demo",
                )
            )
        )
        fc["features"] = [f for f in fc["features"] if f["properties"]["gso_code"] not in official]
        if fc["features"]:
            changes += len(import_boundaries(fc, level, source="demo", audited=False).updated)
    return changes
