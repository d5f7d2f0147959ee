"""Pages: login, logout, own password, accounts (admin) and teams (coordinator)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import and_, func, or_, select

from .. import clock
from ..areas.models import Area
from ..areas.versions import in_force_clause
from ..audit.services import history, record, said
from ..core.redirects import safe_target
from ..errors import InspectionsError
from ..extensions import db
from ..forms import load_form
from ..text import fold, like_pattern
from . import services
from .models import Agency, ApiToken, Team, User
from .permissions import ROLES, P, requires
from .schemas import LoginForm, PasswordForm, ResetForm, TeamForm, UserForm
from .scope import former_map_clause

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    return safe_target(target, url_for("core.home"))


@bp.route("/login", methods=["GET", "POST"])
@requires(P.PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    errors, status, values = {}, 200, {"next": request.args.get("next", "")}
    headers = {}
    if request.method == "POST":
        data, errors = load_form(LoginForm(), request.form)
        values = {
            "username": request.form.get("username", ""),
            "next": request.form.get("next", ""),
        }
        if data:
            try:
                user = services.authenticate(
                    data["username"], data["password"], request.remote_addr or "?"
                )
            except services.TooManyAttempts as exc:
                errors, status = exc.messages(), 429
                headers["Retry-After"] = str(exc.retry_after)
            except InspectionsError as exc:
                errors, status = exc.messages(), 401
            else:
                login_user(user)
                record("login", user)  # the action says it all
                if user.must_change_password:
                    flash(_("Please choose a new password."), "warning")
                    return redirect(url_for("accounts.password"))
                return redirect(_safe_next(data.get("next")))
        else:
            status = 422
    return render_template("accounts/login.html", errors=errors, values=values), status, headers


@bp.post("/logout")
@requires(P.AUTHENTICATED)
def logout():
    record("logout", current_user)
    services.end_sessions(current_user)  # a copy of the cookie must not outlive the sign-out
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(P.AUTHENTICATED)
def password():
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = load_form(PasswordForm(), request.form)
        if data:
            if not services.verify_password(current_user, data["current_password"]):
                errors = {"current_password": [_("The current password is wrong.")]}
            elif data["new_password"] != data["confirm"]:
                errors = {"confirm": [_("The two new passwords differ.")]}
            else:
                try:
                    services.change_password(current_user, data["new_password"])
                except InspectionsError as exc:
                    errors = {"new_password": [exc.message]}
                else:
                    # keep this session, with the new token (the user, not the proxy: Flask-Login
                    # would store current_user as its own user and recurse on the next look-up)
                    login_user(current_user._get_current_object())
                    flash(_("Your password was changed."), "success")
                    return redirect(url_for("core.home"))
        status = 422
    return render_template("accounts/password.html", errors=errors), status


# ---------------------------------------------------------------- accounts (admin)


def _choices(current: Area | None = None) -> dict:
    """The account form's lists. Home areas: the province in force once ("whole province"),
    today's communes on the former province's land by name, then the former districts
    (before 1 July 2025) apart; an account's current home on the former map stays offered
    until it is re-scoped."""
    today = clock.today()
    province = db.session.scalars(
        select(Area).where(Area.level == "province", in_force_clause(today)).order_by(Area.code)
    ).first()
    communes = db.session.scalars(
        # the units on the former province's land (formed from its communes)
        select(Area).where(
            Area.level == "commune", in_force_clause(today), Area.predecessor_links.any()
        )
    )
    former = db.session.scalars(
        select(Area).where(Area.level == "district", Area.valid_to.is_not(None))
    )
    former_units = sorted(former, key=lambda a: (fold(a.name), a.code))
    if current is not None and current.valid_to is not None and current not in former_units:
        former_units.append(current)
    return {
        "roles": ROLES,
        "agencies": list(db.session.scalars(select(Agency).order_by(Agency.sort_order))),
        "province": province,
        "areas": sorted(communes, key=lambda a: (fold(a.name), a.code)),
        "former_areas": former_units,
    }


@bp.get("/admin/users")
@requires(P.USERS_MANAGE)
def users():
    q = select(User).order_by(User.username)
    term = request.args.get("q", "").strip()
    if term:
        q = q.where(
            or_(
                func.lower(User.username).like(like_pattern(term), escape="\\"),
                func.lower(User.full_name).like(f"%{term.lower()}%"),
            )
        )
    role = request.args.get("role")
    if role in ROLES:
        q = q.where(User.role == role)
    former = request.args.get("former") == "1"
    if former:  # accounts to re-scope to today's units
        q = q.where(former_map_clause(User))
    page = db.paginate(q, per_page=50, error_out=False)
    to_rescope = db.session.scalar(select(func.count()).where(former_map_clause(User)))
    return render_template(
        "accounts/users.html",
        page=page,
        term=term,
        role=role,
        roles=ROLES,
        former=former,
        to_rescope=to_rescope,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(P.USERS_MANAGE)
def user_new():
    errors, values, status = {}, {"active": True}, 200
    if request.method == "POST":
        values = request.form
        data, errors = load_form(UserForm(), request.form)
        if data and not data.get("password"):
            errors = {"password": [_("Set a first password (the user changes it at login).")]}
        elif data:
            try:
                user = services.create_user(
                    username=data["username"],
                    password=data["password"],
                    role=data["role"],
                    agency_code=data["agency"],
                    area_code=data["area"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    must_change_password=True,
                )
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("Account %(u)s created.", u=user.username), "success")
                return redirect(url_for("accounts.user_edit", user_id=user.id))
        status = 422
    return render_template(
        "accounts/user_form.html", user=None, errors=errors, values=values, **_choices()
    ), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(P.USERS_MANAGE)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    errors: dict[str, list[str]]
    errors, status = {}, 200
    values = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "agency": user.agency.code,
        "area": user.home_area.code if user.home_area else "",
        "active": user.active,
    }
    if request.method == "POST":
        values = {**request.form, "username": user.username}
        form = request.form.copy()
        form["username"] = user.username
        data, errors = load_form(UserForm(), form)
        if data:
            try:
                services.update_user(
                    user,
                    full_name=data["full_name"],
                    role=data["role"],
                    agency_code=data["agency"],
                    area_code=data["area"],
                    phone=data["phone"],
                    active=data["active"],
                )
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("Account %(u)s saved.", u=user.username), "success")
                return redirect(url_for("accounts.user_edit", user_id=user.id))
        status = 422
    tokens = list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )
    return render_template(
        "accounts/user_form.html",
        user=user,
        errors=errors,
        values=values,
        tokens=tokens,
        events=history("user", user.id, 50),
        **_choices(user.home_area),
    ), status


@bp.post("/admin/users/<int:user_id>/reset")
@requires(P.USERS_MANAGE)
def user_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    data, errors = load_form(ResetForm(), request.form)
    if data:
        try:
            services.reset_password(user, data["password"])
        except InspectionsError as exc:
            errors = exc.messages()
    if errors:
        for messages in errors.values():
            for m in messages:
                flash(m, "danger")
        return redirect(url_for("accounts.user_edit", user_id=user.id)), 303
    flash(_("Password reset; %(u)s must change it at next login.", u=user.username), "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/revoke-tokens")
@requires(P.USERS_MANAGE)
def user_revoke(user_id: int):
    user = db.get_or_404(User, user_id)
    n = services.revoke_tokens(user, request.form.get("prefix") or None)
    record("token_revoked", user, summary=said("%(n)s token(s) revoked.", n=n))
    flash(_("%(n)s token(s) revoked.", n=n), "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


# ---------------------------------------------------------------- teams


@bp.get("/teams")
@requires(P.TEAMS_MANAGE)
def teams():
    rows = services.teams_in(services.scope_of(current_user))
    return render_template("accounts/teams.html", teams=rows)


def _team_choices(scope: services.Scope, team: Team | None) -> dict:
    return {
        "agencies": list(db.session.scalars(select(Agency).order_by(Agency.sort_order))),
        "people": services.team_candidates(scope, team),
        "areas": list(
            db.session.scalars(
                select(Area)
                .where(
                    or_(
                        Area.level.in_(("province", "district")),
                        and_(  # today's communes on the former province's land
                            Area.level == "commune",
                            Area.valid_to.is_(None),
                            Area.predecessor_links.any(),
                        ),
                        Area.id == scope.area_id,
                    ),
                    scope.areas(Area),
                )
                .order_by(Area.valid_to.is_(None).desc(), Area.level, Area.code)
            )
        ),
    }


@bp.route("/teams/new", methods=["GET", "POST"])
@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires(P.TEAMS_MANAGE)
def team_edit(team_id: int | None = None):
    scope = services.scope_of(current_user)
    team = services.get_team(team_id, scope) if team_id else None
    errors: dict
    errors, status = {}, 200
    if team:
        values = {
            "name": team.name,
            "lead_agency": team.lead_agency.code,
            "active_from": team.active_from.isoformat(),
            "active_to": team.active_to.isoformat() if team.active_to else "",
            "decision_no": team.decision_no or "",
            "members": [m.user.username for m in team.memberships],
            "lead": next((m.user.username for m in team.memberships if m.is_lead), ""),
            "areas": [a.code for a in team.areas],
        }
    else:
        values = {"members": [], "areas": []}
    if request.method == "POST":
        values = {
            **request.form,
            "members": request.form.getlist("members"),
            "areas": request.form.getlist("areas"),
        }
        data, errors = load_form(TeamForm(), request.form)
        if data:
            try:
                team = services.save_team(
                    team,
                    name=data["name"],
                    lead_agency_code=data["lead_agency"],
                    active_from=data["active_from"],
                    active_to=data["active_to"],
                    member_usernames=data["members"],
                    lead_username=data["lead"],
                    area_codes=data["areas"],
                    decision_no=data["decision_no"],
                    scope=scope,
                )
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("Team saved."), "success")
                return redirect(url_for("accounts.team_edit", team_id=team.id))
        status = 422
    return render_template(
        "accounts/team_form.html",
        team=team,
        errors=errors,
        values=values,
        **_team_choices(scope, team),
    ), status
