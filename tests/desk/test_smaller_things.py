"""Smaller desk fixes: punctuation folded like accents in search (and recomputed for stored
venues), closed venues last and without a start button, the API documentation link only for
admins and token holders."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from inspections.extensions import db
from inspections.text import search_fold
from inspections.venues.models import Venue


def test_punctuation_is_folded_like_accents():
    assert search_fold("KARAOKE CAT-VANG") == search_fold("Karaoke Cát Vàng") == "karaoke cat vang"
    assert search_fold("0003/GCN-ANTT") == "0003 gcn antt"


def test_searching_with_punctuation_finds_the_venue_and_closed_ones_come_last(
    as_user, create_venue
):
    create_venue(name="Karaoke Cát Vàng", address="5 Lê Lợi")
    create_venue(
        name="Karaoke Cát Vàng Cũ",
        address="7 Lê Lợi",
        status="closed",
        closed_on=date(2023, 1, 1),
    )
    create_venue(name="Karaoke Cát Vàng 2", address="9 Lê Lợi")
    client = as_user("t_insp")
    for q in ("KARAOKE CAT-VANG", "cat.vang", "Cát Vàng"):
        html = client.get("/venues", query_string={"q": q}).get_data(as_text=True)
        assert "Karaoke Cát Vàng" in html, q
        assert html.index("Karaoke Cát Vàng 2") < html.index("Karaoke Cát Vàng Cũ"), q
    api = client.get("/api/v1/venues", query_string={"q": "cat-vang"}).json
    names = [v["name"] for v in api]
    assert names[-1] == "Karaoke Cát Vàng Cũ" and len(names) == 3
    picked = client.get("/inspections/new", query_string={"q": "CAT-VANG"}).get_data(as_text=True)
    assert "Karaoke Cát Vàng 2" in picked


def test_reindex_recomputes_search_text_stored_under_the_old_rules(runner, create_venue):
    venue = create_venue(name="Karaoke Cát-Vàng", address="5 Lê Lợi")
    db.session.execute(
        update(Venue).where(Venue.id == venue.id).values(search_text="karaoke cat-vang 5 le loi")
    )
    from inspections.venues.reindex import reindex_search_text

    assert reindex_search_text() >= 1
    stored = db.session.scalar(select(Venue.search_text).where(Venue.id == venue.id))
    # the name and the address as written, then the address on today's map, folded
    today = db.session.scalar(select(Venue.address_2025).where(Venue.id == venue.id))
    assert today and today.startswith("5 Lê Lợi, ")
    assert stored == "karaoke cat vang 5 le loi " + search_fold(today)
    assert reindex_search_text() == 0
    result = runner.invoke(args=["venues", "reindex"])
    assert result.exit_code == 0 and "0 venues reindexed" in result.output


def test_a_closed_venue_offers_no_new_inspection(as_user, create_venue):
    open_venue = create_venue(name="Karaoke Mở")
    closed = create_venue(name="Karaoke Đóng", status="closed", closed_on=date(2024, 1, 1))
    client = as_user("t_insp")
    assert "/inspections/new?venue=" in client.get(f"/venues/{open_venue.id}").get_data(
        as_text=True
    )
    html = client.get(f"/venues/{closed.id}").get_data(as_text=True)
    assert "/inspections/new?venue=" not in html and "Start inspection" not in html


def test_the_api_documentation_link_is_for_admins_and_token_holders(as_user, token_for):
    def shows(username: str) -> bool:
        client = as_user(username)
        return bool(re.search(r'href="/api/v1/docs"', client.get("/").get_data(as_text=True)))

    assert shows("t_admin")
    assert not shows("t_coord") and not shows("t_insp")
    token_for("t_coord")
    assert shows("t_coord")
