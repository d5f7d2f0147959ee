"""Registering and editing a venue, and its lifecycle (suspend, reopen, close)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from ...accounts.permissions import P, requires
from ...errors import InspectionsError
from ...forms import form_dict
from .. import services
from ..geo import format_point
from ..models import Venue
from ..schemas import LifecycleForm, VenueForm
from . import bp
from .common import choices, map_config, user_scope


def _form_values(venue: Venue | None) -> dict:
    if venue is None:
        return {"status": "operating"}
    lat, lon = services.lat_lon(venue)
    values = {k: getattr(venue, k) for k in services.EDITABLE}
    values.update(
        sector=venue.sector.code,
        coordinates=format_point(lat, lon),
        security_cert_on=venue.security_cert_on.strftime("%d/%m/%Y")
        if venue.security_cert_on
        else "",
        opened_on=venue.opened_on.strftime("%d/%m/%Y") if venue.opened_on else "",
    )
    values["licences"] = [
        {
            "kind": lic.kind,
            "number": lic.number,
            "issued_on": lic.issued_on.strftime("%d/%m/%Y") if lic.issued_on else "",
            "expires_on": lic.expires_on.strftime("%d/%m/%Y") if lic.expires_on else "",
            "issuer": lic.issuer or "",
        }
        for lic in venue.licences
    ]
    return values


def _read_form() -> tuple[dict | None, dict, dict]:
    """(data, errors, values to re-show) from the posted venue form."""
    form = request.form
    schema = VenueForm()
    raw = form_dict(schema, form)
    lists = {f: form.getlist(f"licence_{f}") for f in services.LICENCE_FIELDS}
    licences = []
    for i in range(max((len(v) for v in lists.values()), default=0)):
        row = {
            f: (lists[f][i] if i < len(lists[f]) else "").strip() for f in services.LICENCE_FIELDS
        }
        if row["number"] or row["issued_on"] or row["expires_on"]:
            licences.append(row)
    raw["licences"] = licences
    raw.pop("status", None)  # status changes go through the lifecycle forms
    values = {**form.to_dict(), "licences": licences}
    try:
        return schema.load(raw), {}, values
    except ValidationError as exc:
        return None, exc.messages_dict, values


@bp.route("/venues/new", methods=["GET", "POST"])
@requires(P.VENUES_WRITE)
def new():
    errors, values, status = {}, _form_values(None), 200
    if request.method == "POST":
        data, errors, values = _read_form()
        if data:
            try:
                venue = services.create_venue(data, scope=user_scope(), user=current_user)
            except InspectionsError as exc:
                errors = _field_errors(exc)
            else:
                flash(_("Venue %(name)s registered.", name=venue.name), "success")
                return redirect(url_for("venues.detail", venue_id=venue.id))
        status = 422
    return _form_page(None, values, errors), status


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@requires(P.VENUES_WRITE)
def edit(venue_id: int):
    venue = services.get_venue(venue_id, user_scope())
    if venue.merged_into_id:
        flash(_("This record was merged; edit the venue it was merged into."), "warning")
        return redirect(url_for("venues.detail", venue_id=venue.merged_into_id))
    errors: dict
    errors, values, status = {}, _form_values(venue), 200
    if request.method == "POST":
        data, errors, values = _read_form()
        if data:
            data.setdefault("licences", [])
            for key in services.EDITABLE:
                data.setdefault(key, None)  # an emptied box clears the field
            built = services.compose_address(venue.house_no, venue.street, venue.address_commune)
            if data["address"] and data["address"] == built:
                data["address"] = None  # it was built from the parts: build it again
            data["name"] = data["name"] or venue.name
            try:
                services.update_venue(venue, data, scope=user_scope(), user=current_user)
            except InspectionsError as exc:
                errors = _field_errors(exc)
                venue = services.get_venue(venue_id, user_scope())
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for("venues.detail", venue_id=venue.id))
        status = 422
    return _form_page(venue, values, errors), status


def _form_page(venue: Venue | None, values: dict, errors: dict) -> str:
    return render_template(
        "venues/form.html",
        venue=venue,
        values=values,
        errors=errors,
        map_config=map_config(),
        **choices(),
    )


def _field_errors(exc: InspectionsError) -> dict:
    messages = exc.messages()
    if "location" in messages:  # the form's box is called coordinates
        messages["coordinates"] = messages.pop("location")
    return messages


# ---------------------------------------------------------------- lifecycle


@bp.post("/venues/<int:venue_id>/lifecycle")
@requires(P.VENUES_WRITE)
def lifecycle(venue_id: int):
    venue = services.get_venue(venue_id, user_scope())
    try:
        data = LifecycleForm().load(form_dict(LifecycleForm(), request.form))
        services.change_status(
            venue, data["action"], data["on"], data.get("reason"), user=current_user
        )
    except ValidationError as exc:
        flash(_messages(exc.messages_dict), "danger")
        return redirect(url_for("venues.detail", venue_id=venue_id, _anchor="status"))
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("venues.detail", venue_id=venue_id, _anchor="status"))
    flash(_("Status changed."), "success")
    return redirect(url_for("venues.detail", venue_id=venue_id))


def _messages(messages: dict) -> str:
    labels = {"action": _("Action"), "on": _("Date"), "reason": _("Reason")}
    return "; ".join(
        f"{labels.get(k, k)}: {' '.join(map(str, v if isinstance(v, list) else [v]))}"
        for k, v in messages.items()
    )
