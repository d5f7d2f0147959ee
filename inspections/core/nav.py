"""The navigation: one table, filtered by what exists and what the user may do."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..accounts.permissions import P, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: P
    icon: str
    phone_bar: bool = False  # also in the bottom bar on phones


NAV = [
    NavItem("core.home", _l("Home"), P.AUTHENTICATED, "home", phone_bar=True),
    NavItem("venues.index", _l("Venues"), P.VENUES_READ, "list", phone_bar=True),
    NavItem("venues.near", _l("Near me"), P.VENUES_READ, "pin", phone_bar=True),
    NavItem("visits.index", _l("Inspections"), P.INSPECTIONS_READ, "check", phone_bar=True),
    # the inspector's rounds (rounds/views.mine); coordinators plan them on rounds.index
    NavItem("rounds.mine", _l("Rounds"), P.INSPECTIONS_WRITE, "calendar", phone_bar=True),
    NavItem("offline.home", _l("On this phone"), P.INSPECTIONS_WRITE, "cloud-off"),
    NavItem("coverage.index", _l("Coverage"), P.COVERAGE_READ, "map"),
    NavItem("violations.index", _l("Violations"), P.VIOLATIONS_READ, "alert"),
    NavItem("tips.index", _l("Tips"), P.TIPS_READ, "file"),
    NavItem("reports.index", _l("Reports"), P.REPORTS_READ, "file"),
    NavItem("rounds.index", _l("Inspection rounds"), P.ROUNDS_MANAGE, "calendar"),
    NavItem("accounts.teams", _l("Teams"), P.TEAMS_MANAGE, "users"),
    NavItem("accounts.users", _l("Accounts"), P.USERS_MANAGE, "user"),
    NavItem("areas.index", _l("Areas"), P.VENUES_READ, "layers"),
    NavItem("audit.index", _l("Audit trail"), P.AUDIT_READ, "clock"),
]


def visible_items() -> list[NavItem]:
    """Items whose page exists and which the current user may open."""
    views = current_app.view_functions
    return [item for item in NAV if item.endpoint in views and can(item.permission)]
