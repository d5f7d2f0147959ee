"""The list behind each computed figure of a report: coverage drill-downs, the violation
register, the inspections and tips lists (URLs from url_for, for accounts that may open them).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for

from ..accounts.permissions import P, role_allows
from .report import IndicatorLine, Report

# Stands for the area code in a cached URL (letters no GSO code holds).
AREA_MARK = "AREAXCODE"
COVERAGE_FIGURES = {
    "in_scope": "in_scope",
    "inspected": "inspected",
    "coverage_pct": "inspected",
    "ever_inspected": "ever_inspected",
    "never_inspected": "never_inspected",
}


class Links:
    """Builds the drill-down URLs of one report for one account's role."""

    def __init__(self, report: Report, role: str | None, external: bool = False):
        self.report = report
        self.role = role
        self.external = external
        self.dates = {"start": report.start.isoformat(), "end": report.end.isoformat()}
        self._templates: dict[tuple, str] = {}

    def _may(self, permission: P) -> bool:
        return role_allows(self.role, permission)

    def _url(self, endpoint: str, **args) -> str:
        """url_for, once per endpoint and arguments but the area: an annex has thousands of
        cells, which differ only by their unit's code (digits, written into its place)."""
        code_key = "code" if "code" in args else "area" if "area" in args else None
        code = str(args.pop(code_key)) if code_key else None
        key = (endpoint, code_key, tuple(sorted(args.items())))
        template = self._templates.get(key)
        if template is None:
            marked = {code_key: AREA_MARK} if code_key else {}
            template = url_for(endpoint, _external=self.external, **args, **marked)
            self._templates[key] = template
        return template.replace(AREA_MARK, quote(code, safe="")) if code is not None else template

    def coverage(self, code: str, figure: str, sector: str | None = None) -> str | None:
        """The venues behind a coverage figure of an area."""
        if not self._may(P.COVERAGE_READ):
            return None
        extra = {"sector": sector} if sector else {}
        return self._url(
            "coverage.area", code=code, figure=figure, period=self.report.window, **extra
        )

    def violations(self, area: str | None, **filters) -> str | None:
        """The register filtered to the window (and an area, an article, a sector...)."""
        if not self._may(P.VIOLATIONS_READ):
            return None
        args = {**self.dates, **filters}
        if area:
            args["area"] = area
        return self._url("violations.index", **args)

    def inspections(self, area: str | None) -> str | None:
        """The submitted inspections of the window in an area."""
        if not self._may(P.INSPECTIONS_READ):
            return None
        args = {"status": "submitted", **self.dates}
        if area:
            args["area"] = area
        return self._url("visits.index", **args)

    def tips(self, area: str | None, due: bool = False, state: str | None = None) -> str | None:
        """Tips received (or due) in the window in an area, in a state."""
        if not self._may(P.TIPS_READ):
            return None
        first, last = ("due_from", "due_to") if due else ("received_from", "received_to")
        args = {first: self.dates["start"], last: self.dates["end"]}
        if area:
            args["area"] = area
        if state:
            args["state"] = state
        if state == "overdue":  # overdue by the window's end: due by then
            args["due_to"] = self.dates["end"]
        return self._url("tips.index", **args)

    def indicator(self, line: IndicatorLine) -> str | None:
        """The list behind a computed indicator's numerator."""
        code = self.report.area_code
        return {
            "coverage": lambda: self.coverage(code, "inspected"),
            "ever_inspected": lambda: self.coverage(code, "ever_inspected"),
            "tips_in_time": lambda: self.tips(code, due=True),
            "violations": lambda: self.violations(code),
            "fines": lambda: self.violations(code),
        }.get(line.source or "", lambda: None)()

    def cell(self, table: str, row: dict, column: str) -> str | None:
        """The list behind one cell of an annex table (None: no list shows it)."""
        ref = row.get("ref") or {}
        area = ref.get("area")
        if table == "violations" and column != "legal":
            filters = {"decree": ref["decree"], "article": ref["article"]} if ref else {}
            if column.startswith("sector:"):
                filters["sector"] = column[7:]
            return self.violations(self.report.area_code, **filters)
        if table == "repeat" and column == "venue" and ref.get("venue"):
            if not self._may(P.VIOLATIONS_READ):
                return None
            return self._url("violations.venue_timeline", venue_id=ref["venue"])
        if not area or column == "unit":
            return None
        if table == "venues":
            if column.startswith("sector:"):
                return self.coverage(area, "in_scope", column[7:])
            if column in COVERAGE_FIGURES:
                return self.coverage(area, COVERAGE_FIGURES[column])
        if table == "inspections":
            if column == "inspections":
                return self.inspections(area)
            if column == "venues":
                return self.coverage(area, "inspected")
        if table == "fines":
            paid = {"paid": {"paid": "yes"}, "unpaid": {"paid": "no"}}.get(column, {})
            return self.violations(area, **paid)
        if table == "tips":
            state = {"verified": "closed", "in_time": "in_time", "overdue": "overdue"}
            return self.tips(area, state=state.get(column))
        return None
