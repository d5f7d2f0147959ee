"""The inspector's "Đợt kiểm tra" on a 390×844 phone: the team's round from the offline pack,
in the coordinator's order or nearest first, and a venue the team could not inspect recorded
with a reason and a photo, which reaches the server once through the queue."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from inspections import clock
from inspections.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import phan_thiet_team, user

SPOT = (10.9290, 108.1020)
# The worker keeps the app's pages (this one too) and controls the page.
READY = "() => Boolean(document.documentElement.dataset.offlineReady) && "
READY += "Boolean(navigator.serviceWorker.controller)"
# (name, metres north of where the inspector stands), in the coordinator's order
VENUES = (("Karaoke Xa", 0.02), ("Karaoke Gần", 0.0005), ("Karaoke Vừa", 0.006))


def _arrange(app) -> tuple[int, list[int]]:
    from inspections.areas.services import assign_venue_areas
    from inspections.rounds import services
    from inspections.spatial import point
    from inspections.text import fold
    from inspections.venues.models import Sector, Venue

    with app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        ids = []
        for name, north in VENUES:
            venue = Venue(
                name=name,
                search_text=fold(name),
                sector_id=sector,
                address="Tôn Đức Thắng",
                location=point(SPOT[0] + north, SPOT[1]),
                opened_on=date(2019, 5, 1),
            )
            db.session.add(venue)
            db.session.flush()
            ids.append(venue.id)
        assign_venue_areas(ids)
        team = phan_thiet_team()
        today = clock.today()
        found = services.save_round(
            user("t_coord"),
            None,
            team_id=team.id,
            title="Đợt kiểm tra tháng này",
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=20),
            venue_ids=ids,
        )
        db.session.commit()
        return found.id, ids


def _outcomes(app, round_id: int) -> list[tuple]:
    from inspections.rounds.models import RoundOutcome

    with app.app_context():
        rows = db.session.execute(
            select(
                RoundOutcome.venue_id,
                RoundOutcome.kind,
                RoundOutcome.reason,
                RoundOutcome.photo_key,
            ).where(RoundOutcome.round_id == round_id)
        ).all()
        db.session.rollback()
        return [tuple(r) for r in rows]


def test_inspector_round_list_and_could_not_inspect(phone, live_server, tmp_path):
    round_id, ids = _arrange(live_server.app)
    page = phone
    page.context.grant_permissions(["geolocation"], origin=live_server.base)
    page.context.set_geolocation({"latitude": SPOT[0], "longitude": SPOT[1]})
    sign_in(page, live_server, "t_insp")
    page.click("nav.bottombar >> text=Rounds")
    page.wait_for_url("**/rounds/mine")
    items = page.locator(f'section.rd-round[data-round="{round_id}"] li.rd-venue strong')
    expect(items).to_have_count(3)
    assert items.all_inner_texts() == [n for n, _d in VENUES]  # the coordinator's order
    expect(page.locator(".rd-progress")).to_contain_text("0 done · 3 not yet")
    # dates as the server prints them, dd/mm/yyyy (not the browser's short "2/12/26")
    today = clock.today()
    period = f"{today - timedelta(days=1):%d/%m/%Y} – {today + timedelta(days=20):%d/%m/%Y}"
    expect(page.locator(f'section.rd-round[data-round="{round_id}"]')).to_contain_text(period)
    expect(page.locator("#rd-state")).to_contain_text(re.compile(r"\b\d\d/\d\d/\d{4} \d\d:\d\d\b"))

    page.click("#rd-by-distance")
    expect(items.first).to_have_text("Karaoke Gần")
    assert items.all_inner_texts() == ["Karaoke Gần", "Karaoke Vừa", "Karaoke Xa"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    photo = tmp_path / "closed.jpg"
    Image.new("RGB", (64, 48), (30, 30, 30)).save(photo, "JPEG")
    near = page.locator(f'li.rd-venue[data-venue="{ids[1]}"]')
    near.locator("button.rd-cannot").click()
    near.locator("text=Entry refused").click()
    near.locator("textarea[name=reason]").fill("Chủ cơ sở không cho đoàn vào")
    near.locator("input[name=photo]").set_input_files(str(photo))
    near.locator("button[type=submit]").click()
    expect(page.locator("#rd-note")).to_contain_text("Saved on this phone")

    for _ in range(60):  # the queue sends it at once (online)
        if _outcomes(live_server.app, round_id):
            break
        time.sleep(0.25)
    ((venue_id, kind, reason, photo_key),) = _outcomes(live_server.app, round_id)
    assert (venue_id, kind, reason) == (ids[1], "refused", "Chủ cơ sở không cho đoàn vào")
    assert photo_key is not None
    chip = page.locator(f'li.rd-venue[data-venue="{ids[1]}"] .rd-chip')
    expect(chip).to_have_text("Could not inspect", timeout=10000)
    expect(page.locator(".rd-progress")).to_contain_text("1 could not inspect")
    # once more after a reload: from the refreshed pack, and nothing sent twice
    page.reload()
    expect(page.locator(f'li.rd-venue[data-venue="{ids[1]}"] .rd-chip')).to_have_text(
        "Could not inspect"
    )
    assert len(_outcomes(live_server.app, round_id)) == 1

    # with no connection: the page and the list come from the phone, the outcome waits
    page.wait_for_function(READY, timeout=45000)
    page.context.set_offline(True)
    page.reload()
    expect(items).to_have_count(3)
    far = page.locator(f'li.rd-venue[data-venue="{ids[0]}"]')
    far.locator("button.rd-cannot").click()
    far.locator("text=Venue closed").click()
    far.locator("textarea[name=reason]").fill("Cơ sở đã đóng cửa, treo biển cho thuê")
    far.locator("button[type=submit]").click()
    far_chip = page.locator(f'li.rd-venue[data-venue="{ids[0]}"] .rd-chip')
    expect(far_chip).to_have_text("Could not inspect (not yet sent)")
    assert len(_outcomes(live_server.app, round_id)) == 1
    page.context.set_offline(False)  # the connection returns: the queue is sent
    for _ in range(80):
        if len(_outcomes(live_server.app, round_id)) == 2:
            break
        time.sleep(0.25)
    got = sorted(_outcomes(live_server.app, round_id))
    assert [(v, k) for v, k, _r, _p in got] == sorted([(ids[1], "refused"), (ids[0], "closed")])
    expect(far_chip).to_have_text("Could not inspect", timeout=10000)
    assert [e for e in page.errors if not e.startswith("Failed to load resource")] == []
