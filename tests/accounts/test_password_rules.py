"""Weak passwords are refused with the reason, by the one rule every path calls."""

import secrets

import pytest

from inspections.accounts.password_rules import common_passwords
from inspections.accounts.services import check_password_rules, create_user
from inspections.errors import Invalid
from inspections.extensions import db
from tests.accounts.test_accounts import post_password
from tests.conftest import TEST_PASSWORD, csrf_token, login, user

COMMON = ["password12", "Password123", "P@ssw0rd123", "iloveyou99", "matkhau123", "Matkhau@2024",
          "mật khẩu 123", "anhyeuem12", "1qaz2wsx3edc", "binhthuan2024"]  # fmt: skip
REPETITIVE = ["aaaaaaaaaa", "abababababab", "1212121212", "zzzzzzzzzzzzzz9"]
SEQUENTIAL = ["1234567890", "abcdefghij", "qwertyuiop", "9876543210", "a123456789", "abc@123456",
              "asdfghjkl;", "QWERTYUIOP"]  # fmt: skip


@pytest.mark.parametrize(
    "password, reason",
    [(p, "most common") for p in COMMON]
    + [(p, "too few different characters") for p in REPETITIVE]
    + [(p, "simple sequence") for p in SEQUENTIAL],
)
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    with app.test_request_context(), pytest.raises(Invalid) as exc:
        check_password_rules(password, "someone")
    assert reason in exc.value.message and exc.value.field == "password"


def test_good_passwords_pass(app):
    with app.test_request_context():
        for password in [TEST_PASSWORD, "another-long-pass", "temporary-pass-1",
                         "Phan Thiết mùa mưa 2024", "x839201746"]:  # fmt: skip
            check_password_rules(password, "someone")
        # the demo password (flask demo) is secrets.token_urlsafe(9)
        for _ in range(2000):
            check_password_rules(secrets.token_urlsafe(9), "someone")


def test_the_bundled_list_is_big_and_has_the_vietnamese_ones():
    words = common_passwords()
    assert len(words) > 10_000
    assert {"matkhau", "matkhau123", "123456a@", "anhyeuem", "iloveyou"} <= words


def test_the_reason_is_in_vietnamese(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "vi")
    login(client, "t_coord")
    r = post_password(client, "matkhau123")
    assert r.status_code == 422
    assert "phổ biến nhất" in r.get_data(as_text=True)


def test_the_admin_page_refuses_a_weak_first_password(client):
    login(client, "t_admin")
    r = client.post(
        "/admin/users/new",
        data={
            "username": "hoa",
            "full_name": "Lê Thị Hoa",
            "role": "reviewer",
            "agency": "culture",
            "password": "1234567890",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )
    assert r.status_code == 422 and "simple sequence" in r.get_data(as_text=True)
    assert user("hoa") is None
    target = user("t_viewer")
    before = target.password_hash
    r = client.post(
        f"/admin/users/{target.id}/reset",
        data={"password": "password12", "csrf_token": csrf_token(client, "/")},
    )
    db.session.expire_all()
    assert user("t_viewer").password_hash == before


def test_the_cli_refuses_a_weak_password(runner, monkeypatch):
    monkeypatch.setenv("INSPECTIONS_NEW_PASSWORD", "aaaaaaaaaa")
    result = runner.invoke(
        args=["users", "create", "newbie", "--role", "viewer", "--agency", "police"]
    )
    assert result.exit_code == 1 and "too few different characters" in result.output
    assert user("newbie") is None


def test_the_service_refuses_a_weak_password():
    with pytest.raises(Invalid):
        create_user(username="weak", password="password12", role="viewer", agency_code="police",
                    full_name="Weak")  # fmt: skip
