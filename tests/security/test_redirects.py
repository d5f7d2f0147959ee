"""Open redirects: a user-supplied target (next, the referrer) never leaves the site."""

import pytest

from inspections.core.redirects import safe_target
from tests.accounts.test_accounts import post_login
from tests.conftest import TEST_PASSWORD

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\t/evil.example/",
    "/%09/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    " //evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/%5Cevil.example/",
    "/%2F/evil.example/",
    "/%2f%2fevil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/\u200b/evil.example/",
    "evil.example",
    "",
]


def _query(value: str) -> str:
    """The value as it would sit in a query string, already percent-encoded where the attack
    says so ("/%09/…" is sent as is and decoded by the server once)."""
    return value.replace("\t", "%09").replace("\n", "%0A").replace("\r", "%0D").replace(" ", "%20")


@pytest.mark.parametrize("target", EVIL)
def test_the_helper_refuses_anything_but_a_site_path(target):
    assert safe_target(target, "/home") == "/home"


@pytest.mark.parametrize(
    "target", ["/", "/areas", "/venues?q=karaoke&page=2", "/venues/5#timeline", "/a%20b?x=%2F"]
)
def test_the_helper_keeps_site_paths(target):
    assert safe_target(target, "/home") == target


def test_the_helper_reduces_a_referrer_of_this_site_to_its_path():
    origin = "http://localhost/"
    assert safe_target("http://localhost/venues?q=1", "/", origin=origin) == "/venues?q=1"
    assert safe_target("http://localhost.evil.example/x", "/", origin=origin) == "/"
    assert safe_target("http://localhost//evil.example/", "/", origin=origin) == "/"


def _stays_here(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and "evil" not in location


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_stays_on_the_site(client, target):
    r = client.get(f"/language/en?next={_query(target)}")
    assert r.status_code == 302 and _stays_here(r.headers["Location"]), r.headers["Location"]


def test_language_switch_refuses_a_foreign_referrer(client):
    r = client.get("/language/en", headers={"Referer": "https://evil.example/x"})
    assert r.headers["Location"] == "/"
    r = client.get("/language/en", headers={"Referer": "http://localhost/areas?x=1"})
    assert r.headers["Location"] == "/areas?x=1"


@pytest.mark.parametrize("target", ["/%09/evil.example/", "//evil.example/", "/\\evil.example"])
def test_login_next_stays_on_the_site(client, target):
    r = post_login(client, "t_coord", TEST_PASSWORD, next=target.replace("%09", "\t"))
    assert r.status_code == 302 and r.headers["Location"] == "/"
    # already signed in: the GET form redirects at once
    r = client.get(f"/login?next={_query(target)}")
    assert r.status_code == 302 and r.headers["Location"] == "/"
