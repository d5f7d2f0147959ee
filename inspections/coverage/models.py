"""Plans: the yearly plan whose targets the coverage is measured against."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Agency
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

DEFAULT_COVERAGE_TARGET = Decimal("20")
DEFAULT_TIPS_TARGET = Decimal("100")


class Plan(Model):
    """A named plan (e.g. 1227/KH-UBND for 2024) with its measurable targets."""

    __tablename__ = "plan"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    # The calendar year the plan is for: one plan per year decides the targets of that year.
    year: Mapped[int] = mapped_column(Integer, unique=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(200))
    # The multi-year programme plan this yearly plan implements (e.g. 57/KH-UBND, 2021–2025).
    programme: Mapped[str | None] = mapped_column(String(200))
    coverage_target_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=DEFAULT_COVERAGE_TARGET
    )
    # Start of the programme phase for "every venue inspected at least once".
    baseline_on: Mapped[date | None] = mapped_column(Date)
    tips_target_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_TIPS_TARGET)
    notes: Mapped[str | None] = mapped_column(Text)
    # The standing agency (cơ quan thường trực) the units report to and that compiles the
    # province's report: Labour until February 2025, Health since 1 March 2025 (Decree
    # 42/2025/NĐ-CP). Its full name as the plan writes it, and the place name its documents
    # carry (Decree 30/2020/NĐ-CP: where the body has its seat).
    standing_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    standing_agency_name: Mapped[str | None] = mapped_column(String(200))
    place_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    standing_agency: Mapped[Agency | None] = relationship(lazy="joined")

    @property
    def standing_agency_title(self) -> str | None:
        """The standing agency's name as the plan writes it (else the agency's name)."""
        if self.standing_agency_name:
            return self.standing_agency_name
        return self.standing_agency.name_vi if self.standing_agency else None

    def __repr__(self) -> str:
        return f"<Plan {self.number} {self.year}>"
