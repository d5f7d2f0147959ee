"""What an inspector's phone keeps for working without a connection.

The data pack is one small JSON document: the operating venues of the areas the inspector's
active teams cover (or of the inspector's own area when no team says so), with only what is
needed to find a venue and start an inspection, the checklist in force for those sectors,
the violation types in force today and the current rounds of the inspector's teams
(rounds/pack.py). Its ETag is a hash of its content, so a phone that already
has it gets a 304.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import and_, false, func, or_, select, true

from ..accounts.services import Scope, scope_of, teams_of
from ..areas.models import Area
from ..clock import today as local_today
from ..extensions import db
from ..venues.models import Sector, Venue
from ..violations import services as violations
from ..visits import checklists

# Assets an inspector needs without a connection, listed explicitly (no build step).
SHELL_ASSETS = (
    "vendor/bootstrap-5.3.3/bootstrap.min.css",
    "vendor/signature_pad-5.0.4/signature_pad.umd.min.js",
    "css/app.css",
    "css/visits.css",
    "css/offline.css",
    "js/app.js",
    "js/offline.js",
    "js/offline-store.js",
    "js/offline-signout.js",
    "js/offline-sync.js",
    "js/offline-pages.js",
    "js/visits-api.js",
    "js/visits-form.js",
    "js/rounds-phone.js",
    "img/favicon.svg",
    "img/icons.svg",
    "img/icon-192.png",
    "img/icon-512.png",
)
# Pages cached for use without a connection (the sector form shells come from the pack).
SHELL_PAGES = ("offline.home", "offline.queue", "rounds.mine")


@cache
def _assets_hash(static_folder: str, version: str) -> str:
    digest = hashlib.sha256(version.encode())
    for name in SHELL_ASSETS:
        path = Path(static_folder) / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    for name in ("sw.js",):
        digest.update((Path(static_folder) / "js" / name).read_bytes())
    return digest.hexdigest()[:12]


def cache_version() -> str:
    """Changes on every deploy that changes the app version or any cached asset."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("inspections")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        app_version = "0"
    return f"{app_version}-{_assets_hash(current_app.static_folder, app_version)}"


def shell_urls() -> list[str]:
    """The URLs the service worker caches when it installs."""
    pages = [url_for(endpoint) for endpoint in SHELL_PAGES]
    return pages + [url_for("static", filename=name) for name in SHELL_ASSETS]


def covered_areas(user) -> list[Area]:
    """Areas the inspector's active teams cover, else the inspector's own area (if any)."""
    found: dict[int, Area] = {}
    for team in teams_of(user, local_today()):
        for area in team.areas:
            found.setdefault(area.id, area)
    if not found and user.home_area is not None:
        found[user.home_area.id] = user.home_area
    return sorted(found.values(), key=lambda a: a.code)


def _areas_clause(areas: list[Area]):
    if not areas:
        return true()
    clauses = []
    for area in areas:
        if area.level == "province":
            return true()
        clauses.append(Scope.of(area).venues(Venue))  # on the unit's own map
    return or_(*clauses) if clauses else false()


def pack_for(user, locale: str) -> dict:
    """The inspector's data pack (see the module docstring); no timestamps, so equal data
    gives an equal ETag."""
    areas = covered_areas(user)
    today = local_today()
    # The form shells carry the team's members: a change of team changes the ETag, and the
    # phone then fetches its form shells again.
    teams = [
        {"id": t.id, "name": t.name, "members": sorted(m.id for m in t.members)}
        for t in teams_of(user, today)
    ]
    from ..rounds.pack import pack_rounds, round_venue_ids

    commune = db.aliased(Area)
    rows = db.session.execute(
        select(
            Venue.id,
            Venue.name,
            Venue.address,
            Sector.code.label("sector"),
            commune.name.label("commune"),
            func.ST_Y(Venue.location).label("lat"),
            func.ST_X(Venue.location).label("lon"),
        )
        .join(Sector, Sector.id == Venue.sector_id)
        # today's commune (found as "Phường Phan Thiết"); the former one, already in most
        # addresses, only where the venue has no today's commune
        .outerjoin(commune, commune.id == func.coalesce(Venue.commune_2025_id, Venue.commune_id))
        .where(
            scope_of(user).venues(Venue),
            Venue.merged_into_id.is_(None),
            or_(
                and_(_areas_clause(areas), Venue.status == "operating"),
                # the venues of the team's current rounds, wherever they are
                Venue.id.in_(round_venue_ids(user, today)),
            ),
        )
        .order_by(Venue.search_text, Venue.id)
    ).all()
    venues = [
        {
            "id": r.id,
            "name": r.name,
            "address": r.address,
            "sector": r.sector,
            "commune": r.commune,
            "lat": round(r.lat, 5) if r.lat is not None else None,
            "lon": round(r.lon, 5) if r.lon is not None else None,
        }
        for r in rows
    ]
    codes = sorted({v["sector"] for v in venues})
    sectors = []
    for sector in db.session.scalars(
        select(Sector).where(Sector.code.in_(codes)).order_by(Sector.sort_order)
    ):
        template = checklists.template_for(sector.id, today)
        sectors.append(
            {
                "code": sector.code,
                "name": sector.name(locale),
                "form": url_for("offline.form_shell", sector=sector.code),
                "checklist": {
                    "id": template.id,
                    "version": template.version,
                    "items": [{"code": i.code, "text": i.text(locale)} for i in template.items],
                }
                if template
                else None,
            }
        )
    in_force = [
        {
            "code": lv.code,
            "title": lv.title(locale),
            "basis": violations.legal_basis(lv, locale),
            "sectors": sorted(set(lv.sectors or []) & set(codes)),
        }
        for lv in violations.catalogue(today)
        if set(lv.sectors or []) & set(codes)
    ]
    return {
        "user": {"id": user.id, "username": user.username},
        "locale": locale,
        "cache": cache_version(),
        "areas": [{"code": a.code, "name": a.name} for a in areas],
        "teams": teams,
        "sectors": sectors,
        "venues": venues,
        "violation_types": in_force,
        "rounds": pack_rounds(user, today),
    }


def encode(pack: dict) -> tuple[bytes, str]:
    """The pack as compact JSON bytes and its (strong) ETag."""
    body = json.dumps(pack, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]
