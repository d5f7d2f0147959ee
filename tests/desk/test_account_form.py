"""The admin's new account form: no role chosen for them, the province in force once,
today's communes by name, the former districts apart."""

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


def test_the_province_in_force_appears_once_then_todays_communes_then_former_districts(client):
    login(client, "t_admin")
    client.set_cookie("lang", "vi")
    html = client.get("/admin/users/new").get_data(as_text=True)
    areas = _options(html, "area")
    texts = [t for _v, t, _s in areas]
    # the whole province is Lâm Đồng (68), in force since 1 July 2025, offered once
    assert texts[0] == "Toàn tỉnh" and areas[0][0] == "68"
    assert sum("Toàn tỉnh" in t or "(60)" in t or "(68)" in t for t in texts) == 1
    from inspections.text import fold

    communes = [t for v, t, _s in areas[1:] if len(v) == 5]
    districts = [t for v, t, _s in areas[1:] if len(v) == 3]
    assert len(communes) + len(districts) == len(areas) - 1
    # today's communes on former Bình Thuận's land (45), by name, before the former districts
    assert len(communes) == 45 and "Phường Mũi Né (22918)" in communes
    assert communes == sorted(communes, key=fold)
    assert len(districts) == 10 and all("trước 1/7/2025" in t for t in districts)
    assert [fold(t) for t in districts] == sorted(fold(t) for t in districts)
    assert texts.index(communes[-1]) < texts.index(districts[0])
    groups = re.findall(r'<optgroup label="([^"]+)"', html)
    assert len(groups) == 2 and "trước 1/7/2025" in groups[1]


def test_a_todays_commune_account_is_created_from_the_form(client):
    login(client, "t_admin")
    r = client.post(
        "/admin/users/new",
        data={
            "username": "mui.ne",
            "full_name": "Trần Văn Bình",
            "role": "coordinator",
            "agency": "police",
            "area": "22918",
            "password": "first-password-1",
            "csrf_token": csrf_token(client, "/admin/users/new"),
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    home = user("mui.ne").home_area
    # 22918 names today's Phường Mũi Né (the former Phường Hàm Tiến had the code until 2025)
    assert (home.name, home.valid_from.isoformat()) == ("Phường Mũi Né", "2025-07-01")
