"""The offline-first field app on a 390×844 phone: with no connection an inspector records and
submits two inspections (one with a photo) from venues kept on the phone; the queue survives a
reload; when the connection returns both arrive exactly once, also when the queue is replayed,
and nothing is lost when the server answers 503 or the session has ended."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import func, select

from inspections.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import phan_thiet_team

SPOT = (10.9290, 108.1020)
NAMES = ("Karaoke Hải Đăng", "Karaoke Gió Biển")

# The worker keeps the home page and every form of the pack, and controls the page.
READY = "() => Boolean(document.documentElement.dataset.offlineReady) && "
READY += "Boolean(navigator.serviceWorker.controller)"

QUEUE = """() => new Promise((resolve, reject) => {
  const req = indexedDB.open('inspections-offline');
  req.onsuccess = () => {
    const tx = req.result.transaction(['queue', 'photos']);
    const out = {};
    tx.objectStore('queue').getAll().onsuccess = (e) => (out.queue = e.target.result);
    tx.objectStore('photos').getAll().onsuccess = (e) => (out.photos = e.target.result);
    tx.oncomplete = () => resolve(out);
  };
  req.onerror = () => reject(req.error);
})"""


# Copy the queue and its photos (Blobs and all) into another database of the page, and back.
COPY = """([source, target]) => new Promise((resolve, reject) => {
  const open = (name) => new Promise((ok, ko) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('queue', { keyPath: 'key' });
      req.result.createObjectStore('photos', { keyPath: 'key' }).createIndex('owner', 'owner');
      req.result.createObjectStore('meta');
    };
    req.onsuccess = () => ok(req.result);
    req.onerror = () => ko(req.error);
  });
  Promise.all([open(source), open(target)]).then(([from, to]) => {
    const read = from.transaction(['queue', 'photos']);
    const got = {};
    read.objectStore('queue').getAll().onsuccess = (e) => (got.queue = e.target.result);
    read.objectStore('photos').getAll().onsuccess = (e) => (got.photos = e.target.result);
    read.oncomplete = () => {
      const write = to.transaction(['queue', 'photos'], 'readwrite');
      for (const item of got.queue) write.objectStore('queue').put(item);
      for (const photo of got.photos) write.objectStore('photos').put(photo);
      write.oncomplete = () => resolve(got.queue.length);
      write.onerror = () => reject(write.error);
    };
  }, reject);
})"""


def _arrange(app) -> list[int]:
    """Two karaoke venues in Phan Thiết and a team of two (the inspector adds the third);
    the server lives for the module, so later tests add two more venues."""
    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.text import fold
    from inspections.venues.models import Sector, Venue

    with app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        ids = []
        for i, name in enumerate(NAMES):
            venue = Venue(
                name=name,
                search_text=fold(f"{name} {i + 1} Nguyễn Huệ"),
                sector_id=sector,
                address=f"{i + 1} Nguyễn Huệ",
                location=point(SPOT[0] + i * 0.0001, SPOT[1]),
                opened_on=date(2019, 5, 1),
            )
            db.session.add(venue)
            db.session.flush()
            ids.append(venue.id)
        assign_venue_areas(ids)
        from inspections.accounts.models import Team

        if db.session.scalar(select(Team.id).limit(1)) is None:
            phan_thiet_team()
        db.session.commit()
        return ids


def _server(app, venue_ids) -> dict:
    """What the server holds for these venues: inspections by status, photos, submit events."""
    from inspections.audit.models import AuditEvent
    from inspections.visits.models import Inspection, InspectionPhoto

    with app.app_context():
        rows = db.session.execute(
            select(Inspection.id, Inspection.status, Inspection.venue_id).where(
                Inspection.venue_id.in_(venue_ids)
            )
        ).all()
        ids = [r.id for r in rows]
        photos = db.session.scalar(
            select(func.count())
            .select_from(InspectionPhoto)
            .where(InspectionPhoto.inspection_id.in_(ids))
        )
        submits = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "submit", AuditEvent.object_id.in_(ids))
        )
        db.session.rollback()
        return {
            "statuses": sorted(r.status for r in rows),
            "venues": sorted(r.venue_id for r in rows),
            "photos": photos,
            "submits": submits,
        }


def _script_errors(page) -> list[str]:
    """Console errors other than the answers the tests provoke (401, 409, 503)."""
    return [e for e in page.errors if not e.startswith("Failed to load resource")]


def _draw(page, selector: str) -> None:
    canvas = page.locator(selector)
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 14, box["y"] + box["height"] / 2 + (i % 3 - 1) * 20)
    page.mouse.up()


def _sign(page) -> None:
    """The lead signs (again if the pad was not ready for the first stroke on a busy machine)."""
    state = page.locator(".sign-block[data-role=lead] .sign-state")
    for _attempt in range(3):
        _draw(page, ".sign-block[data-role=lead] canvas")
        try:
            expect(state).to_contain_text("Signed", timeout=3000)
            return
        except AssertionError:
            continue
    expect(state).to_contain_text("Signed")


def _open_cached_venue(page, live_server, venue_id: int, name: str) -> None:
    page.goto(live_server.url("/offline"))
    page.locator(f'a[data-venue="{venue_id}"]').click()
    page.wait_for_url(f"**/inspections/new?venue={venue_id}")
    expect(page.locator(".insp-title")).to_have_text(name)
    expect(page.locator("#save-state")).to_have_text("Kept on this phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _record(page, *, photo: Path | None = None, violation: bool = False) -> None:
    """Fill the whole form (team, checklist, maybe a violation and a photo, signatures)."""
    page.fill("#new-member-name", "Phạm Thu Hà")
    page.select_option("#new-member-agency", "culture")
    page.click("#add-member")
    for item in page.locator(".item").all():
        bad = violation and item.get_attribute("data-item") == "KAR-05"
        item.locator(f".seg-btn[data-answer={'not_compliant' if bad else 'compliant'}]").click()
    if violation:
        page.locator("#item-KAR-05 .proposal").first.click()
        card = page.locator("#violations .viol").first
        card.locator("[data-offender=organisation]").click()
        page.locator("#violations .viol").first.locator(".fine-min").click()
    if photo is not None:
        page.locator("#item-KAR-05 .photo-input").set_input_files(str(photo))
        expect(page.locator("#item-KAR-05 .thumb")).to_have_count(1)
    page.click("#sec-sign > summary")
    _sign(page)
    page.check(".sign-block[data-role=representative] .sign-refused")
    page.fill(".sign-block[data-role=representative] .sign-reason", "Không ký; đoàn chứng kiến")


def _submit_offline(page) -> None:
    page.click("#submit")
    try:
        page.wait_for_url("**/offline/queue?saved=*", timeout=20000)
    except Exception as exc:
        said = (page.inner_text("#insp-alert"), page.inner_text("#problem-list"), page.errors)
        raise AssertionError(f"not queued: {said}") from exc
    expect(page.locator("#q-note")).to_have_text("Saved on this phone, not yet sent.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "camera.jpg"
    Image.new("RGB", (3000, 2000), (40, 120, 160)).save(path, "JPEG", quality=85)
    return path


def _start(page, live_server, app) -> list[int]:
    venue_ids = _arrange(app)
    page.context.grant_permissions(["geolocation"], origin=live_server.base)
    page.context.set_geolocation(
        {"latitude": SPOT[0] + 0.0002, "longitude": SPOT[1], "accuracy": 10}
    )
    sign_in(page, live_server, "t_insp")
    page.goto(live_server.url("/offline"))
    try:
        page.wait_for_function(READY, timeout=30000)
    except PlaywrightTimeout:
        # on a loaded machine the worker's first answer can reach the page the inspector
        # left; opening the page again (what a user does) asks the worker once more
        page.reload()
        page.wait_for_function(READY, timeout=30000)
    for venue_id in venue_ids:
        expect(page.locator(f'.off-venue[data-venue="{venue_id}"]')).to_have_count(1)
    return venue_ids


def test_record_offline_then_sync_exactly_once(phone, live_server, tmp_path: Path):
    app, page = live_server.app, phone
    venue_ids = _start(page, live_server, app)
    badge = page.locator("#sync-badge")

    page.context.set_offline(True)
    _open_cached_venue(page, live_server, venue_ids[0], NAMES[0])
    _record(page, photo=_photo(tmp_path), violation=True)
    _submit_offline(page)
    expect(badge).to_be_visible()
    expect(badge.locator(".sync-count")).to_have_text("1")

    _open_cached_venue(page, live_server, venue_ids[1], NAMES[1])
    _record(page)
    _submit_offline(page)
    expect(badge.locator(".sync-count")).to_have_text("2")

    # the phone reloads while offline: the queue (and its photo) is still there
    page.reload()
    expect(page.locator("#q-list .q-item")).to_have_count(2)
    expect(page.locator("#q-list .q-item").first).to_contain_text("Waiting to be sent")
    expect(page.locator("#q-net")).to_contain_text("No connection")
    saved = page.evaluate(QUEUE)
    saved["queue"].sort(key=lambda x: x["seq"])
    assert len(saved["queue"]) == 2 and len(saved["photos"]) == 1
    assert _server(app, venue_ids)["statuses"] == []
    assert page.evaluate(COPY, ["inspections-offline", "queue-copy"]) == 2

    # the connection returns, but the server answers 503 to photos for a while
    page.route("**/api/v1/inspections/*/photos", lambda route: route.fulfill(status=503))
    page.context.set_offline(False)
    first = page.locator(f'#q-list .q-item[data-key="{saved["queue"][0]["key"]}"]')
    expect(first).to_contain_text("Next try at", timeout=20000)
    assert _server(app, venue_ids) == {
        "statuses": ["draft"],
        "venues": [venue_ids[0]],
        "photos": 0,
        "submits": 0,
    }
    left = page.evaluate(QUEUE)
    assert len(left["photos"]) == 1 and {x["state"] for x in left["queue"]} == {"waiting"}

    # the server is back: "Send now" sends both, in order, exactly once
    page.unroute("**/api/v1/inspections/*/photos")
    page.click("#q-send")
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(2, timeout=20000)
    expect(badge).to_be_hidden()
    assert _server(app, venue_ids) == {
        "statuses": ["submitted", "submitted"],
        "venues": venue_ids,
        "photos": 1,
        "submits": 2,
    }
    assert page.evaluate(QUEUE)["photos"] == []

    # the same queue replayed (as if the phone never heard the answers): still exactly once
    assert page.evaluate(COPY, ["queue-copy", "inspections-offline"]) == 2
    page.reload()
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(2, timeout=20000)
    assert _server(app, venue_ids) == {
        "statuses": ["submitted", "submitted"],
        "venues": venue_ids,
        "photos": 1,
        "submits": 2,
    }
    with app.app_context():
        from inspections.visits.models import Inspection

        done = db.session.scalar(select(Inspection).where(Inspection.venue_id == venue_ids[0]))
        assert done.presence == "on_site" and len(done.violation_rows) == 1
        assert max(done.photos[0].width, done.photos[0].height) == 1600
        assert done.client_key == saved["queue"][0]["key"]
        db.session.rollback()
    assert _script_errors(page) == []


FULL_STORAGE = """
(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (localStorage.getItem('test-storage-full') === '1' && this.name !== 'meta') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args);
  };
})();
"""


def test_full_storage_and_unreadable_photo_lose_nothing(phone, live_server, tmp_path: Path):
    app, page = live_server.app, phone
    page.add_init_script(FULL_STORAGE)
    venue_ids = _start(page, live_server, app)
    page.context.set_offline(True)
    _open_cached_venue(page, live_server, venue_ids[0], NAMES[0])

    # a file the phone cannot decode as a picture
    page.locator("#item-KAR-01 .photo-input").set_input_files(
        files=[{"name": "broken.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"}]
    )
    expect(page.locator("#insp-alert")).to_have_text("This file cannot be read as a photo.")
    expect(page.locator("#item-KAR-01 .thumb")).to_have_count(0)

    # the phone's storage is full: the photo cannot be kept, and the form says so
    page.evaluate("localStorage.setItem('test-storage-full', '1')")
    _record(page)
    page.locator("#item-KAR-02 .photo-input").set_input_files(str(_photo(tmp_path)))
    expect(page.locator("#insp-alert")).to_contain_text("storage is full")
    expect(page.locator("#item-KAR-02 .thumb")).to_have_count(0)
    page.click("#submit")
    expect(page.locator("#insp-alert")).to_contain_text("storage is full")
    assert "/inspections/new" in page.url
    assert page.evaluate(QUEUE)["queue"] == []

    # space freed: the same form (kept on the phone across a reload) goes to the queue
    page.evaluate("localStorage.removeItem('test-storage-full')")
    page.reload()
    expect(page.locator("#progress-text")).to_have_text("10/10 answered")
    page.click("#sec-sign > summary")
    _sign(page)
    _submit_offline(page)
    page.context.set_offline(False)
    page.click("#q-send")
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(1, timeout=20000)
    assert _server(app, venue_ids)["statuses"] == ["submitted"]
    assert _script_errors(page) == []


def test_signed_out_and_conflicts_keep_the_queue(phone, live_server):
    app, page = live_server.app, phone
    page.on("dialog", lambda dialog: dialog.accept())
    venue_ids = _start(page, live_server, app)
    page.context.set_offline(True)
    # the first is recorded 2 km from the venue's registered place: only the server can say
    far = {"latitude": SPOT[0] + 0.02, "longitude": SPOT[1], "accuracy": 10}
    near = {"latitude": SPOT[0] + 0.0002, "longitude": SPOT[1], "accuracy": 10}
    for venue_id, name, spot in zip(venue_ids, NAMES, (far, near), strict=True):
        page.context.set_geolocation(spot)
        _open_cached_venue(page, live_server, venue_id, name)
        _record(page)
        _submit_offline(page)
    # meanwhile the second venue was closed (yesterday)
    with app.app_context():
        from datetime import timedelta

        from inspections.venues.models import Venue

        closed = db.session.get(Venue, venue_ids[1])
        closed.status, closed.closed_on = "closed", date.today() - timedelta(days=1)
        db.session.commit()

    # the session ended while the phone was away: sign in again, the queue stays
    page.context.clear_cookies()
    page.context.set_offline(False)
    expect(page.locator("#q-signin")).to_be_visible(timeout=15000)
    expect(page.locator("#q-signin")).to_contain_text("sign in again")
    expect(page.locator("#q-list .q-item.q-waiting")).to_have_count(2)
    assert _server(app, venue_ids)["statuses"] == []

    sign_in(page, live_server, "t_insp")
    page.goto(live_server.url("/offline/queue"))
    failed = page.locator("#q-list .q-item.q-failed")
    expect(failed).to_contain_text("Not accepted: The inspection cannot be submitted yet.")
    expect(failed.locator(".q-errors")).to_contain_text("from the venue's registered location")
    conflict = page.locator("#q-list .q-item.q-conflict")
    expect(conflict).to_contain_text("Conflict: The venue was closed on")
    expect(page.locator("#sync-badge .sync-count")).to_have_text("2")
    assert _server(app, venue_ids)["statuses"] == ["draft"]

    # the inspector opens the draft the server kept, says why, and submits it online
    failed.get_by_role("link", name="Open the draft to correct it").click()
    page.wait_for_url("**/inspections/*/edit")
    expect(page.locator("#reason-box")).to_be_visible()  # the form opened it itself
    page.fill("#f-reason", "Cơ sở đã chuyển địa điểm, đoàn kiểm tra tại địa chỉ mới")
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/inspections/\d+$"))
    assert _server(app, venue_ids)["statuses"] == ["submitted"]
    # "Try again" then finds it submitted: sent, and it leaves the phone
    page.goto(live_server.url("/offline/queue"))
    page.locator("#q-list .q-item.q-failed .q-retry").click()
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(1, timeout=20000)
    assert _server(app, venue_ids)["statuses"] == ["submitted"]
    conflict = page.locator("#q-list .q-item.q-conflict")
    # kept until the inspector decides; then discarded explicitly
    conflict.locator(".q-keep").click()
    expect(page.locator("#q-note")).to_contain_text("Kept on this phone")
    page.reload()
    expect(page.locator("#q-list .q-item.q-conflict")).to_have_count(1)
    page.locator("#q-list .q-item.q-conflict .q-discard").click()
    expect(page.locator("#q-list .q-item.q-conflict")).to_have_count(0)
    expect(page.locator("#sync-badge")).to_be_hidden()
    assert _script_errors(page) == []


CLOCK_AHEAD = """
(() => {
  const RealDate = Date;
  const shift = 5 * 3600 * 1000;
  class PhoneDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shift);
      else super(...args);
    }
    static now() {
      return RealDate.now() + shift;
    }
  }
  window.Date = PhoneDate;
})();
"""


def test_a_phone_clock_five_hours_ahead_is_kept_as_recorded(phone, live_server):
    from datetime import UTC, datetime, timedelta

    app, page = live_server.app, phone
    page.add_init_script(CLOCK_AHEAD)
    venue_ids = _start(page, live_server, app)
    page.context.set_offline(True)
    _open_cached_venue(page, live_server, venue_ids[0], NAMES[0])
    _record(page)
    _submit_offline(page)
    page.context.set_offline(False)
    page.click("#q-send")
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(1, timeout=20000)
    with app.app_context():
        from inspections.visits.models import Inspection

        done = db.session.scalar(select(Inspection).where(Inspection.venue_id == venue_ids[0]))
        now = datetime.now(UTC)
        # the phone's time as it recorded it; the server's own time for when it arrived
        assert timedelta(hours=4, minutes=50) < done.inspected_at - now < timedelta(hours=5)
        assert abs(done.submitted_at - now) < timedelta(minutes=5)
        assert done.status == "submitted"
        db.session.rollback()
    assert _script_errors(page) == []


def test_signal_lost_in_the_middle_of_an_online_inspection(phone, live_server, tmp_path: Path):
    """Started online (the draft is on the server), finished in a basement: kept on the
    phone with its photo, then sent to the same draft."""
    app, page = live_server.app, phone
    venue_ids = _start(page, live_server, app)
    page.goto(live_server.url(f"/inspections/new?venue={venue_ids[0]}"))
    page.wait_for_url("**/inspections/*/edit")
    inspection_id = int(page.url.rstrip("/").split("/")[-2])
    _record(page)
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))

    page.context.set_offline(True)
    page.click("#sec-more > summary")
    page.fill("#f-notes", "Ghi chú viết dưới tầng hầm")
    page.locator("#item-KAR-03 .photo-input").set_input_files(str(_photo(tmp_path)))
    expect(page.locator("#item-KAR-03 .thumb")).to_have_count(1)
    _submit_offline(page)
    assert _server(app, venue_ids)["statuses"] == ["draft"]

    page.context.set_offline(False)
    page.click("#q-send")
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(1, timeout=20000)
    assert _server(app, venue_ids) == {
        "statuses": ["submitted"],
        "venues": [venue_ids[0]],
        "photos": 1,
        "submits": 1,
    }
    with app.app_context():
        from inspections.visits.models import Inspection

        done = db.session.get(Inspection, inspection_id)
        assert done.status == "submitted" and done.notes == "Ghi chú viết dưới tầng hầm"
        db.session.rollback()
    assert _script_errors(page) == []


# What the phone keeps: the pack (the meta store) and the worker's caches, by path.
PACK = """() => new Promise((resolve, reject) => {
  const req = indexedDB.open('inspections-offline');
  req.onsuccess = () => {
    const get = req.result.transaction('meta').objectStore('meta').getAll();
    get.onsuccess = () => resolve({
      kept: get.result.length,
      venues: get.result.reduce((n, p) => n + ((p && p.data && p.data.venues) || []).length, 0),
    });
  };
  req.onerror = () => reject(req.error);
})"""
CACHED = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths.sort();
}"""
LEFT = "1 inspection(s) not yet sent stay on this phone; sign in again as {} to send them."


def _sign_out(page) -> None:
    page.click("details.menu > summary")
    page.click(".menu-logout")
    page.wait_for_url("**/login")


def test_sign_out_leaves_only_the_unsent_queue(phone, live_server):
    """Issue 13, finding 10: signing out deletes the pack and the kept pages; the unsent
    inspection stays, not listed to anyone but the same inspector signed in again."""
    app, page = live_server.app, phone
    venue_ids = _start(page, live_server, app)
    assert page.evaluate(PACK)["venues"] >= 2
    assert {"/offline", "/offline/queue", "/offline/form/karaoke"} <= set(page.evaluate(CACHED))
    page.context.set_offline(True)
    _open_cached_venue(page, live_server, venue_ids[0], NAMES[0])
    _record(page)
    _submit_offline(page)
    # the connection returns but the server takes no inspection: it stays waiting
    page.route("**/api/v1/inspections**", lambda route: route.fulfill(status=503))
    page.context.set_offline(False)
    expect(page.locator("#q-list .q-item")).to_contain_text("Next try at", timeout=20000)
    key = page.evaluate(QUEUE)["queue"][0]["key"]

    _sign_out(page)
    note = page.locator("#signed-out-note")
    expect(note).to_contain_text(LEFT.format("Test t_insp (t_insp)"))
    expect(note).to_contain_text("pages kept on this phone for working without a connection")
    assert page.evaluate(PACK) == {"kept": 0, "venues": 0}
    left = page.evaluate(QUEUE)["queue"]
    assert [(x["key"], x["state"]) for x in left] == [(key, "waiting")]
    cached = page.evaluate(CACHED)
    # the app shell stays (under its content-hashed name once the static files are built)
    assert [p for p in cached if re.fullmatch(r"/static/js/offline(-[0-9a-f]{32})?\.js", p)]
    assert [p for p in cached if not p.startswith("/static/")] == []

    # nobody signed in: the queue is not listed, with or without a connection
    page.goto(live_server.url("/offline/queue"))
    assert "/login" in page.url and NAMES[0] not in page.content()
    page.context.set_offline(True)
    page.goto(live_server.url("/offline/queue"))
    assert NAMES[0] not in page.content() and page.locator(".q-item").count() == 0
    page.goto(live_server.url("/offline"))
    assert NAMES[0] not in page.content() and page.locator(".off-venue").count() == 0
    page.context.set_offline(False)
    assert [p for p in page.evaluate(CACHED) if not p.startswith("/static/")] == []

    # another inspector on this phone: the inspection is counted, not shown nor sent
    sign_in(page, live_server, "t_insp_pt")
    page.goto(live_server.url("/offline/queue"))
    expect(page.locator("#q-others")).to_have_text(LEFT.format("Test t_insp (t_insp)"))
    expect(page.locator("#q-list .q-item")).to_have_count(0)
    assert NAMES[0] not in page.inner_text("main")
    _sign_out(page)
    expect(page.locator("#signed-out-note")).to_contain_text(LEFT.format("Test t_insp (t_insp)"))

    # the same inspector signs in again: it is listed and sent
    page.unroute("**/api/v1/inspections**")
    sign_in(page, live_server, "t_insp")
    page.goto(live_server.url("/offline/queue"))
    expect(page.locator(f'#q-list .q-item[data-key="{key}"]')).to_contain_text(NAMES[0])
    page.click("#q-send")
    expect(page.locator("#q-list .q-item.q-sent")).to_have_count(1, timeout=20000)
    expect(page.locator("#q-others")).to_be_hidden()
    assert _server(app, venue_ids)["statuses"] == ["submitted"]
    assert _script_errors(page) == []
