"""Bad input never reaches the database as a 500: ids out of range, control characters, values
the database refuses."""

from __future__ import annotations

import pytest

from inspections.inputs import has_control
from tests.conftest import csrf_token

HUGE_IDS = ["2147483648", "9223372036854775808", "99999999999999999999999"]


@pytest.mark.parametrize("venue_id", HUGE_IDS)
def test_ids_beyond_the_integer_columns_are_404_on_pages_and_api(as_user, token_for, venue_id):
    client = as_user("t_coord")
    assert client.get(f"/venues/{venue_id}").status_code == 404
    r = client.get(f"/api/v1/venues/{venue_id}", headers=token_for("t_coord"))
    assert r.status_code == 404 and r.is_json
    assert client.get(f"/inspections/{venue_id}").status_code == 404


def test_the_largest_id_is_still_an_id(as_user):
    assert as_user("t_coord").get("/venues/2147483647").status_code == 404  # routed, not found


@pytest.mark.parametrize("query", ["q=%00", "q=Karaoke%00x", "sector=%01", "q%00=x"])
def test_control_characters_in_a_search_are_refused_with_422(as_user, query):
    r = as_user("t_coord").get(f"/venues?{query}")
    assert r.status_code == 422
    assert "control characters" in r.get_data(as_text=True)


def test_control_characters_in_json_bodies_are_refused(client, token_for):
    headers = token_for("t_coord")
    r = client.get("/api/v1/violations/export?code=%00", headers=headers)
    assert r.status_code == 422 and r.json["errors"] == {
        "query": ["Text may not contain control characters (such as a NUL byte)."]
    }
    r = client.post(
        "/api/v1/venues",
        json={
            "name": "Karaoke\u0000Hồng",
            "sector": "karaoke",
            "latitude": 10.93,
            "longitude": 108.1,
        },
        headers=headers,
    )
    assert r.status_code == 422 and "json" in r.json["errors"]


def test_control_characters_in_a_form_are_refused(as_user):
    client = as_user("t_coord")
    token = csrf_token(client, "/venues/new")
    r = client.post("/venues/new", data={"csrf_token": token, "name": "Bar\x00 Xanh"})
    assert r.status_code == 422


def test_tabs_and_line_breaks_are_text():
    assert not has_control("Dòng 1\r\nDòng 2\tcột")
    assert has_control({"notes": ["ok", "nul\x00"]})
    assert has_control("\x7f") and has_control("\x1b[31m")


@pytest.mark.parametrize("page", ["99999999999999999999", "9e22", "0", "-1", "x", "٣"])
def test_a_page_number_out_of_range_is_a_422_on_every_list(as_user, token_for, page):
    client = as_user("t_coord")
    for path in ("/venues", "/violations", "/tips", "/inspections"):
        r = client.get(f"{path}?page={page}")
        assert r.status_code == 422, path
    r = client.get(f"/api/v1/venues?page={page}", headers=token_for("t_coord"))
    assert r.status_code == 422 and r.json["errors"]["page"]
    assert client.get("/venues?page=2").status_code == 200


def test_a_405_says_which_methods_are_allowed(client, token_for):
    r = client.delete("/api/v1/violations/totals", headers=token_for("t_coord"))
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_an_api_patch_without_a_body_is_refused(client, token_for, create_venue):
    venue = create_venue()
    r = client.patch(f"/api/v1/venues/{venue.id}", headers=token_for("t_coord"))
    assert r.status_code == 422 and "json" in r.json["errors"]


def test_api_filters_sent_empty_are_refused_but_the_page_ignores_them(client, as_user, token_for):
    r = client.get("/api/v1/venues?until=&inspected=", headers=token_for("t_coord"))
    assert r.status_code == 422 and {"until", "inspected"} <= set(r.json["errors"])
    assert as_user("t_coord").get("/venues?until=&inspected=").status_code == 200


def test_an_empty_idempotency_key_is_refused(client, token_for, create_venue):
    venue = create_venue()
    r = client.post(
        "/api/v1/inspections",
        json={"venue_id": venue.id, "inspected_at": "2024-05-01T09:00:00+07:00"},
        headers={**token_for("t_insp"), "Idempotency-Key": ""},
    )
    assert r.status_code == 422 and "Idempotency-Key" in r.json["errors"]


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**20])
def test_ids_out_of_range_in_bodies_and_queries_are_not_500s(client, token_for, huge):
    headers = token_for("t_insp")
    r = client.post(
        "/api/v1/inspections",
        json={"venue_id": huge, "inspected_at": "2024-05-01T09:00:00+07:00"},
        headers=headers,
    )
    assert r.status_code in (404, 422), r.get_data(as_text=True)
    r = client.get(f"/api/v1/violations?venue={huge}", headers=token_for("t_coord"))
    assert r.status_code in (200, 404, 422)
    r = client.get(f"/api/v1/venues?ids={huge}", headers=token_for("t_coord"))
    assert r.status_code in (200, 422)


def test_a_method_no_route_takes_is_405_whatever_the_input(client, token_for):
    r = client.put("/api/v1/areas?page=0&q=%00", headers=token_for("t_coord"))
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_a_one_value_parameter_sent_twice_is_refused(client, token_for):
    r = client.get("/api/v1/violations?code=a&code=b", headers=token_for("t_coord"))
    assert r.status_code == 422 and "code" in r.json["errors"]
    r = client.get("/api/v1/venues?ids=1&ids=2", headers=token_for("t_coord"))
    assert r.status_code == 200  # a list parameter may repeat
