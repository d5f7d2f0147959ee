"""Sessions end on the server: a cookie replayed after sign-out, a password change or an
administrator disabling the account no longer reads anything, pages or API."""

from inspections.extensions import db
from tests.accounts.test_accounts import post_login, post_password
from tests.conftest import TEST_PASSWORD, csrf_token, login, user


def _signed_in(app, username="t_insp"):
    """A client signed in through the real form, and its session cookie."""
    client = app.test_client()
    r = post_login(client, username, TEST_PASSWORD)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client, client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh client carrying a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _reads(client, venue_id) -> bool:
    page = client.get(f"/venues/{venue_id}")
    api = client.get(f"/api/v1/venues/{venue_id}")
    assert (page.status_code == 200) == (api.status_code == 200), (page, api)
    return page.status_code == 200


def test_a_cookie_replayed_after_sign_out_reads_nothing(app, create_venue):
    venue = create_venue()
    client, cookie = _signed_in(app)
    assert _reads(_replay(app, cookie), venue.id)
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    thief = _replay(app, cookie)
    assert not _reads(thief, venue.id)
    assert thief.get(f"/api/v1/venues/{venue.id}").status_code == 401
    assert "/login" in thief.get(f"/venues/{venue.id}").headers["Location"]
    # signing in again works, with a new session
    again, fresh = _signed_in(app)
    assert fresh != cookie and _reads(again, venue.id)


def test_sign_out_ends_every_session_of_the_account(app, create_venue):
    venue = create_venue()
    phone, _cookie = _signed_in(app)
    desk, _other = _signed_in(app)
    desk.post("/logout", data={"csrf_token": csrf_token(desk, "/")})
    assert not _reads(phone, venue.id)


def test_a_cookie_replayed_after_a_password_change_reads_nothing(app, create_venue):
    venue = create_venue()
    client, cookie = _signed_in(app)
    r = post_password(client, "another-long-pass")
    assert r.status_code == 302
    assert _reads(client, venue.id)  # the session that changed it goes on, with a new cookie
    assert not _reads(_replay(app, cookie), venue.id)


def test_a_cookie_replayed_after_the_account_was_disabled_reads_nothing(app, client, create_venue):
    venue = create_venue()
    _client, cookie = _signed_in(app, "t_viewer")
    target = user("t_viewer")
    login(client, "t_admin")
    form = {
        "full_name": target.full_name,
        "role": target.role,
        "agency": target.agency.code,
        "area": target.home_area.code,
        "csrf_token": csrf_token(client, f"/admin/users/{target.id}"),
    }
    assert client.post(f"/admin/users/{target.id}", data=form).status_code == 302  # unchecked
    assert not _reads(_replay(app, cookie), venue.id)
    # enabled again: the old session stays ended, a new sign-in works
    assert client.post(f"/admin/users/{target.id}", data={**form, "active": "1"}).status_code == 302
    db.session.expire_all()
    assert user("t_viewer").active
    assert not _reads(_replay(app, cookie), venue.id)
    again, _fresh = _signed_in(app, "t_viewer")
    assert _reads(again, venue.id)
