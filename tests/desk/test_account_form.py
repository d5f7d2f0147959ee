"""The admin's new account form: no role chosen for them, the province once, areas in order."""

from __future__ import annotations

import re

from tests.conftest import csrf_token, login, user


def _options(html: str, name: str) -> list[tuple[str, str, bool]]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return [
        (value, text.strip(), bool(selected))
        for value, selected, text in re.findall(
            r'<option value="([^"]*)"\s*(selected)?\s*>([^<]*)</option>', select
        )
    ]


def test_the_new_account_form_chooses_no_role(client):
    login(client, "t_admin")
    html = client.get("/admin/users/new").get_data(as_text=True)
    roles = _options(html, "role")
    assert roles[0][0] == "" and not any(selected for _v, _t, selected in roles)
    assert {v for v, _t, _s in roles[1:]} == {
        "admin",
        "coordinator",
        "inspector",
        "reviewer",
        "viewer",
    }


def test_an_account_without_a_role_is_refused_with_a_clear_message(client):
    login(client, "t_admin")
    r = client.post(
        "/admin/users/new",
        data={
            "username": "lan",
            "full_name": "Nguyễn Thị Lan",
            "role": "",
            "agency": "police",
            "area": "593",
            "password": "first-password-1",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )
    assert r.status_code == 422 and user("lan") is None
    assert "Choose the account&#39;s role." in r.get_data(as_text=True)
    client.set_cookie("lang", "vi")
    r = client.post(
        "/admin/users/new",
        data={"username": "lan", "csrf_token": csrf_token(client, "/admin/users/new")},
    )
    assert "Hãy chọn vai trò của tài khoản." in r.get_data(as_text=True)
    assert "Missing data" not in r.get_data(as_text=True)


def test_the_province_appears_once_and_areas_are_sorted_by_level_then_name(client):
    login(client, "t_admin")
    client.set_cookie("lang", "vi")
    areas = _options(client.get("/admin/users/new").get_data(as_text=True), "area")
    texts = [t for _v, t, _s in areas]
    assert texts[0] == "Toàn tỉnh" and areas[0][0] == "60"
    assert sum("Toàn tỉnh" in t or "Bình Thuận (60)" in t for t in texts) == 1
    districts = texts[1:]
    assert len(districts) == 10
    from inspections.text import fold

    assert districts == sorted(districts, key=fold)
