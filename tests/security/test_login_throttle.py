"""Login throttling: growing delays per account instead of a lock, a lock per address, 429 with
Retry-After; unknown usernames cost the same password verification as known ones.

No sleeping: the service's clock (services.utcnow) is frozen and moved by hand.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inspections.accounts import services
from inspections.accounts.models import LoginAttempt
from inspections.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The login service's now, frozen at START; clock.advance(seconds=…) moves it."""

    class Clock:
        now = START

        def advance(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(services, "utcnow", lambda: c.now)
    return c


def attempt(client, username, password, address="127.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def attempts(username) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == username)
    )


# ---------------------------------------------------------------- per account: growing delays


def test_the_right_password_waits_out_the_delay_then_works(client, clock):
    for _ in range(services.MAX_FAILS_PER_ACCOUNT):
        assert attempt(client, "t_insp", "wrong-password-x").status_code == 401
    r = attempt(client, "t_insp", TEST_PASSWORD)  # during the delay: not even checked
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert "Try again in 2 seconds" in r.get_data(as_text=True)
    clock.advance(seconds=2)
    r = attempt(client, "t_insp", TEST_PASSWORD)
    assert r.status_code == 302 and client.get("/").status_code == 200


def test_delays_grow_up_to_a_cap_and_refused_attempts_do_not_count(client, clock):
    waits = []
    for _ in range(services.MAX_FAILS_PER_ACCOUNT - 1):
        assert attempt(client, "t_viewer", "wrong-password-x").status_code == 401
    for _ in range(10):
        assert attempt(client, "t_viewer", "wrong-password-x").status_code == 401
        r = attempt(client, "t_viewer", "wrong-password-x")
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    # the refused attempts were neither checked nor logged
    assert attempts("t_viewer") == services.MAX_FAILS_PER_ACCOUNT - 1 + 10
    # after the last delay, the right password still works, and resets the count
    assert attempt(client, "t_viewer", TEST_PASSWORD).status_code == 302
    other = client.application.test_client()
    assert attempt(other, "t_viewer", "wrong-password-x").status_code == 401


def test_failures_older_than_a_day_are_forgotten(client, clock):
    for _ in range(services.MAX_FAILS_PER_ACCOUNT + 3):
        clock.advance(seconds=300)  # past each delay
        assert attempt(client, "t_insp_pt", "wrong-password-x").status_code == 401
    assert attempt(client, "t_insp_pt", "wrong-password-x").status_code == 429
    clock.advance(hours=25)
    assert attempt(client, "t_insp_pt", "wrong-password-x").status_code == 401


def test_an_unknown_username_is_delayed_like_a_real_one(client, clock):
    for _ in range(services.MAX_FAILS_PER_ACCOUNT):
        assert attempt(client, "nobody-here", "wrong-password-x").status_code == 401
    r = attempt(client, "nobody-here", "wrong-password-x")
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"


# ---------------------------------------------------------------- per address


def test_many_failures_from_one_address_lock_that_address(client, clock, monkeypatch):
    monkeypatch.setattr(services, "MAX_FAILS_PER_ADDRESS", 6)  # fewer slow verifications
    for i in range(services.MAX_FAILS_PER_ADDRESS):
        assert attempt(client, f"ghost{i}", "wrong-password-x", "203.0.113.7").status_code == 401
    r = attempt(client, "t_coord", TEST_PASSWORD, "203.0.113.7")
    assert r.status_code == 429 and r.headers["Retry-After"] == "900"
    assert "from this address" in r.get_data(as_text=True)
    # another address is not affected, and the account itself has no delay
    other = client.application.test_client()
    assert attempt(other, "t_coord", TEST_PASSWORD, "198.51.100.4").status_code == 302
    clock.advance(minutes=15)
    assert attempt(client, "t_coord", TEST_PASSWORD, "203.0.113.7").status_code == 302


# ---------------------------------------------------------------- no enumeration by timing


class SpyHasher:
    """The real hasher, counting verifications."""

    def __init__(self, real):
        self.real, self.verified = real, 0

    def verify(self, hash_, password):
        self.verified += 1
        return self.real.verify(hash_, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("username", ["t_insp", "nobody-here", "x" * 80])
def test_every_failed_login_verifies_one_hash(client, monkeypatch, username):
    spy = SpyHasher(services._hasher)
    monkeypatch.setattr(services, "_hasher", spy)
    r = attempt(client, username, "wrong-password-x")
    assert r.status_code == 401
    assert spy.verified == 1
