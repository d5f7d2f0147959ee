"""A refusal because an object lies outside the account's area is a 404 like a missing object,
and it is written to the audit trail (durably: the request itself rolls back)."""

from __future__ import annotations

from sqlalchemy import select

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from tests.conftest import user


def _denials(object_type: str, object_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "denied",
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == object_id,
            )
        )
    )


def test_reading_another_areas_venue_and_inspection_is_a_404_written_down(
    as_user, token_for, create_venue, create_inspection
):
    lagi = create_venue(name="Karaoke La Gi", lat=10.68, lon=107.77)  # district 594
    inspection = create_inspection(lagi)
    missing = lagi.id + 10_000
    client = as_user("t_insp")  # an inspector of 593
    outside = client.get(f"/venues/{lagi.id}")
    nowhere = client.get(f"/venues/{missing}")
    assert outside.status_code == nowhere.status_code == 404
    assert client.get(f"/inspections/{inspection.id}").status_code == 404
    api = client.get(f"/api/v1/venues/{lagi.id}", headers=token_for("t_insp"))
    assert (
        api.status_code == 404
        and api.json["message"]
        == client.get(f"/api/v1/venues/{missing}", headers=token_for("t_insp")).json["message"]
    )

    venue_denials = _denials("venue", lagi.id)
    assert len(venue_denials) == 2  # the page and the API
    assert venue_denials[0].user_id == user("t_insp").id
    assert "outside the account's area" in venue_denials[0].summary
    assert len(_denials("inspection", inspection.id)) == 1
    assert _denials("venue", missing) == []  # a missing object is not a refusal


def test_an_account_of_the_area_is_not_refused(as_user, create_venue):
    lagi = create_venue(name="Karaoke La Gi", lat=10.68, lon=107.77)
    assert as_user("t_insp_lagi").get(f"/venues/{lagi.id}").status_code == 200
    assert _denials("venue", lagi.id) == []
