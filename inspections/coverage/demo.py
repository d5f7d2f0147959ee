"""A demo plan for 2026 on today's map (``flask demo`` only, never the reference seed).

No 2026 plan of Lâm Đồng is published in the project's sources, so the demo adds one, clearly
marked as such (its number starts with DEMO and its notes say it is invented), for the
coverage and report pages of 2026 to have targets; a coordinator enters the real plan.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from .models import Plan
from .plans import save_plan

DEMO_YEAR = 2026
DEMO_NUMBER = "DEMO-2026/KH-UBND"
SOURCE_NUMBER = "1227/KH-UBND"  # the 2024 plan of Bình Thuận (seed_data/indicators.yaml)
DEMO_NOTE = (
    "Kế hoạch minh họa của dữ liệu demo (không phải văn bản thật): chỉ tiêu như kế hoạch "
    "2024, tính theo xã, phường của tỉnh Lâm Đồng từ 1/7/2025."
)


def load_demo_plan() -> int:
    """Add the demo 2026 plan unless a plan of 2026 exists; returns 1 when it was added."""
    if db.session.scalar(select(Plan.id).where(Plan.year == DEMO_YEAR)) is not None:
        return 0
    plan = save_plan(
        None,
        number=DEMO_NUMBER,
        year=DEMO_YEAR,
        issued_on=date(2026, 3, 16),
        issuer="Ủy ban nhân dân tỉnh Lâm Đồng (minh họa)",
        programme="Chương trình phòng, chống mại dâm (minh họa, dữ liệu demo)",
        coverage_target_pct=20,
        baseline_on=date(2026, 1, 1),
        tips_target_pct=100,
        notes=DEMO_NOTE,
        standing_agency="health",
        standing_agency_name="Sở Y tế tỉnh Lâm Đồng",
        place_name="Lâm Đồng",
    )
    # "targets as the 2024 plan": its indicators, read on today's map (districts → communes)
    from ..reports.indicators import copy_indicators

    source = db.session.scalar(select(Plan).where(Plan.number == SOURCE_NUMBER))
    if source is not None:
        copy_indicators(plan, source)
    return 1
