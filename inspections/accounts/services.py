"""Accounts: passwords, login with rate limits, API tokens, teams and the area scope."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import secrets
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import joinedload

from .. import clock
from ..areas.models import Area
from ..areas.services import get_area
from ..audit.services import keep, record, said
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, NotFound, OutsideScope
from ..extensions import db
from ..uow import transactional
from .models import Agency, ApiToken, LoginAttempt, Team, TeamMember, User
from .password_rules import weakness
from .permissions import ROLES
from .scope import Scope, home_area_for, scope_of

_hasher = PasswordHasher()
TOKEN_PREFIX = "insp_"  # noqa: S105 - a visible prefix, not a secret
# Per account: after MAX_FAILS_PER_ACCOUNT failures (since the last success, within a day) each
# further attempt waits 2, 4, 8… seconds after the latest failure, at most MAX_DELAY. A delay,
# not a lock: once it has passed the right password works, so nobody can lock an inspector out.
MAX_FAILS_PER_ACCOUNT = 5
ACCOUNT_WINDOW = timedelta(hours=24)
MAX_DELAY = timedelta(minutes=5)
# Per address: many failures from one address within ADDRESS_WINDOW refuse it for a while.
MAX_FAILS_PER_ADDRESS = 20
ADDRESS_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10


class TooManyAttempts(Invalid):
    """Login refused for a while after repeated failures."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, field="username")
        self.retry_after = retry_after


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return _hasher.hash(password)


def check_password_rules(password: str, username: str) -> None:
    """Refuse weak passwords with the reason."""
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(
            _("The password must have at least %(n)s characters.", n=MIN_PASSWORD), field="password"
        )
    if username and username.lower() in password.lower():
        raise Invalid(_("The password must not contain the username."), field="password")
    reason = weakness(password)
    if reason:
        raise Invalid(reason, field="password")


def verify_password(user: User, password: str) -> bool:
    """True when the password matches; rehashes transparently when parameters changed."""
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _verify_dummy(password: str) -> None:
    """Spend the time a real verification takes, so that an unknown username answers as slowly
    as a wrong password (no user enumeration by timing)."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password)


# ---------------------------------------------------------------- login


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def account_wait(username: str, now: datetime) -> int:
    """Seconds the account's next attempt must wait (0: none), from its recent failures."""
    since = now - ACCOUNT_WINDOW
    last_ok = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.success.is_(True),
            LoginAttempt.at >= since,
        )
    )
    row = db.session.execute(
        select(func.count().label("fails"), func.max(LoginAttempt.at).label("latest")).where(
            LoginAttempt.username == username,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > last_ok if last_ok is not None else LoginAttempt.at >= since,
        )
    ).one()
    if row.fails < MAX_FAILS_PER_ACCOUNT:
        return 0
    delay = min(MAX_DELAY, timedelta(seconds=2 ** (row.fails - MAX_FAILS_PER_ACCOUNT + 1)))
    left = row.latest + delay - now
    return _seconds(left) if left > timedelta(0) else 0


def address_wait(address: str, now: datetime) -> int:
    """Seconds the address must wait (0: none) after too many failures from it."""
    row = db.session.execute(
        select(func.count().label("fails"), func.min(LoginAttempt.at).label("oldest")).where(
            LoginAttempt.address == address,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > now - ADDRESS_WINDOW,  # open again after Retry-After seconds
        )
    ).one()
    if row.fails < MAX_FAILS_PER_ADDRESS:
        return 0
    return _seconds(row.oldest + ADDRESS_WINDOW - now)


@transactional
def authenticate(username: str, password: str, address: str) -> User:
    """The user for these credentials, or Invalid / TooManyAttempts; attempts are logged.

    An attempt refused for waiting is not checked (nor logged): it neither reveals whether the
    password was right nor makes the wait longer.
    """
    username = (username or "").strip().lower()
    now = utcnow()
    wait = address_wait(address, now)
    if wait:
        raise TooManyAttempts(
            _(
                "Too many failed logins from this address. Try again in %(m)s minutes.",
                m=math.ceil(wait / 60),
            ),
            wait,
        )
    wait = account_wait(username, now)
    if wait:
        raise TooManyAttempts(
            _("Too many failed logins for this account. Try again in %(s)s seconds.", s=wait),
            wait,
        )
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _verify_dummy(password)
        ok = False
    else:
        ok = verify_password(user, password) and user.active
    keep(
        LoginAttempt.__table__,
        {"username": username, "address": address, "success": ok, "at": utcnow()},
    )
    if user is None or not ok:
        record(
            "login_failed",
            object_type="user",
            object_id=user.id if user else None,
            summary=said("Failed sign-in as %(username)s", username=repr(username)),
        )
        # Same message whether the account exists or not.
        raise Invalid(
            _("Wrong username or password, or the account is disabled."), field="password"
        )
    user.last_login_at = utcnow()
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<session token>"; a rotated token ends old sessions."""
    user_id, _sep, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


@transactional
def end_sessions(user: User) -> None:
    """End every session of the account at once: a new session token makes each cookie signed
    with the old one (any browser, any copy of the cookie) load no user."""
    user.session_token = secrets.token_hex(16)
    db.session.flush()


@transactional
def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session of the user (the view signs its own in again)."""
    check_password_rules(new_password, user.username)
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    user.must_change_password = False
    db.session.flush()
    record("password", user)


# ---------------------------------------------------------------- users


@transactional
def create_user(
    *,
    username: str,
    password: str,
    role: str,
    agency_code: str,
    full_name: str,
    area_code: str | None = None,
    phone: str | None = None,
    must_change_password: bool = False,
) -> User:
    """A new account; refuses duplicates, unknown roles, agencies, areas and weak passwords."""
    username = username.strip().lower()
    if role not in ROLES:
        raise Invalid(
            _("Unknown role %(role)s; use one of %(roles)s.", role=role, roles=", ".join(ROLES)),
            field="role",
        )
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise Invalid(_("Unknown agency %(code)s.", code=agency_code), field="agency")
    area = home_area_for(area_code, clock.today()) if area_code else None
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_("The username %(u)s is taken.", u=username), field="username")
    check_password_rules(password, username)
    user = User(
        username=username,
        full_name=full_name.strip(),
        phone=phone,
        role=role,
        agency_id=agency.id,
        home_area_id=area.id if area else None,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    return user


@transactional
def update_user(
    user: User,
    *,
    full_name: str,
    role: str,
    agency_code: str,
    area_code: str | None,
    phone: str | None,
    active: bool,
) -> None:
    """Change an account's details; a role or area change ends its sessions."""
    if role not in ROLES:
        raise Invalid(
            _("Unknown role %(role)s; use one of %(roles)s.", role=role, roles=", ".join(ROLES)),
            field="role",
        )
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise Invalid(_("Unknown agency %(code)s.", code=agency_code), field="agency")
    area = home_area_for(area_code, clock.today(), keep=user.home_area) if area_code else None
    if area is not None and area.level == "province" and scope_of(user).everything:
        area = user.home_area  # the whole province either way: nothing changes
    new_area_id = area.id if area else None
    if role != user.role or new_area_id != user.home_area_id:
        end_sessions(user)
    user.full_name, user.phone, user.role = full_name.strip(), phone, role
    user.agency_id, user.home_area_id = agency.id, new_area_id
    if user.active != active:
        set_active(user, active)
    db.session.flush()


def get_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(_("No account named %(u)s.", u=username), field="username")
    return user


@transactional
def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and tokens."""
    user.active = active
    if not active:
        end_sessions(user)
        for token in db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = utcnow()
    db.session.flush()


@transactional
def reset_password(user: User, new_password: str) -> None:
    """Admin reset: the user must choose a new password at next login."""
    change_password(user, new_password)
    user.must_change_password = True


# ---------------------------------------------------------------- API tokens


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def create_token(user: User, name: str = "api", days: int | None = None) -> str:
    """A new bearer token; the clear text is returned once and never stored."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user_id=user.id,
            name=name[:80],
            prefix=clear[:12],
            token_hash=_digest(clear),
            expires_at=utcnow() + timedelta(days=days) if days else None,
        )
    )
    db.session.flush()
    return clear


def user_for_token(clear: str) -> User | None:
    """The active user of a valid, unrevoked, unexpired token, else None."""
    if not clear or not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # one round trip per API request, not two
        .where(ApiToken.token_hash == _digest(clear))
    )
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at < now)
    ):
        return None
    if not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token.user


@transactional
def revoke_tokens(user: User, prefix: str | None = None) -> int:
    """Revoke a user's tokens (all, or the one starting with prefix); returns how many."""
    q = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if prefix:
        q = q.where(ApiToken.prefix == prefix[:12])
    tokens = list(db.session.scalars(q))
    for token in tokens:
        token.revoked_at = utcnow()
    db.session.flush()
    return len(tokens)


# ---------------------------------------------------------------- teams


def _scope_area_ids(scope: Scope) -> list[int]:
    return list(db.session.scalars(select(Area.id).where(scope.areas(Area))))


def team_clause_in(scope: Scope):
    """WHERE clause: teams inside the scope, i.e. with areas, all of them inside it.

    A team without areas, or one that also covers another district, belongs to the province.
    """
    if scope.everything:
        return true()
    inside = _scope_area_ids(scope)
    return and_(Team.areas.any(), ~Team.areas.any(Area.id.not_in(inside)))


def teams_in(scope: Scope) -> list[Team]:
    """The teams a coordinator of the scope manages, current ones first."""
    q = select(Team).where(team_clause_in(scope))
    return list(db.session.scalars(q.order_by(Team.active_to.is_(None).desc(), Team.name)))


def get_team(team_id: int, scope: Scope) -> Team:
    """The team, or NotFound when it does not exist or lies outside the scope."""
    team = db.session.get(Team, team_id)
    message = _("This page or object does not exist, or is outside your area.")
    if team is None:
        raise NotFound(message)
    if not (scope.everything or _team_inside(team, scope)):
        raise OutsideScope(message, object_type="team", object_id=team_id)
    return team


def _team_inside(team: Team, scope: Scope) -> bool:
    return bool(team.areas) and all(scope.allows_area(a) for a in team.areas)


def team_candidates(scope: Scope, team: Team | None = None) -> list[User]:
    """Active accounts that may join a team managed in the scope (and its current members)."""
    q = select(User).where(User.active.is_(True))
    if not scope.everything:
        keep_ids = [m.user_id for m in team.memberships] if team else []
        q = q.where(or_(User.home_area_id.in_(_scope_area_ids(scope)), User.id.in_(keep_ids)))
    return list(db.session.scalars(q.order_by(User.full_name)))


@transactional
def save_team(
    team: Team | None,
    *,
    name: str,
    lead_agency_code: str,
    active_from: date,
    active_to: date | None = None,
    member_usernames: list[str] | None = None,
    lead_username: str | None = None,
    area_codes: list[str] | None = None,
    decision_no: str | None = None,
    scope: Scope | None = None,
) -> Team:
    """Create (team=None) or update a team with its members and areas, inside the scope
    (the whole province when None): its areas and new members must lie inside it."""
    scope = scope or Scope()
    if team is not None and not scope.everything and not _team_inside(team, scope):
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    agency = db.session.scalar(select(Agency).where(Agency.code == lead_agency_code))
    if agency is None:
        raise Invalid(_("Unknown agency %(code)s.", code=lead_agency_code), field="lead_agency")
    if active_to and active_to < active_from:
        raise Invalid(_("The end date is before the start date."), field="active_to")
    areas = [get_area(c) for c in dict.fromkeys(area_codes or [])]
    if not scope.everything:
        if not areas:
            raise Invalid(_("Choose at least one area of the team."), field="areas")
        outside = [a.code for a in areas if not scope.allows_area(a)]
        if outside:
            raise Invalid(
                _("Outside your area: %(codes)s.", codes=", ".join(outside)), field="areas"
            )
    allowed = None if scope.everything else {u.id for u in team_candidates(scope, team)}
    if team is None:
        team = Team(name=name, lead_agency_id=agency.id, active_from=active_from)
        db.session.add(team)
    team.name, team.lead_agency_id = name.strip(), agency.id
    team.active_from, team.active_to, team.decision_no = active_from, active_to, decision_no
    db.session.flush()
    set_team_members(team, member_usernames or [], lead_username, allowed_ids=allowed)
    team.areas = areas
    db.session.flush()
    return team


@transactional
def set_team_members(
    team: Team, usernames: list[str], lead_username: str | None, allowed_ids: set | None = None
) -> None:
    """Replace the members of a team (only accounts in allowed_ids when given)."""
    users = [get_user(u) for u in dict.fromkeys(usernames)]
    if allowed_ids is not None:
        outside = [u.username for u in users if u.id not in allowed_ids]
        if outside:
            raise Invalid(
                _("Outside your area: %(codes)s.", codes=", ".join(outside)), field="members"
            )
    if lead_username and lead_username.lower() not in {u.username for u in users}:
        raise Invalid(_("The team lead must be one of the members."), field="lead")
    team.memberships = [
        TeamMember(user_id=u.id, is_lead=(u.username == (lead_username or "").lower()))
        for u in users
    ]
    db.session.flush()


def teams_of(user: User, on: date | None = None) -> list[Team]:
    """Teams the user belongs to, active on a day when given."""
    q = select(Team).join(TeamMember).where(TeamMember.user_id == user.id)
    if on is not None:
        q = q.where(Team.active_from <= on, or_(Team.active_to.is_(None), Team.active_to >= on))
    return list(db.session.scalars(q.order_by(Team.name)))


def team_clause(on: date):
    """WHERE clause: teams active on a day."""
    return and_(Team.active_from <= on, or_(Team.active_to.is_(None), Team.active_to >= on))
