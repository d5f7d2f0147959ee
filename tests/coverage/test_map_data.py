"""The coverage page's map fetches its venues and its polygons (issue 16, item 12): the page
names the URLs and carries neither, they come with an ETag the browser revalidates (a 304
without a body while unchanged, never kept by a shared cache), in the page's scope; the
exported file still embeds them."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

from tests.coverage.test_rule import point_in

FEATURES = re.compile(r"var features = (\{.*\});$", re.M)


def _data_url(client, query: str, what: str = "venues") -> str:
    r = client.get(f"/coverage?{query}")
    assert r.status_code == 200
    assert "no-store" in r.headers["Cache-Control"]  # the page itself: never kept
    return unescape(re.search(f'data-{what}="([^"]+)"', r.get_data(as_text=True))[1])


def test_page_fetches_its_venues_and_they_answer_304_while_unchanged(
    as_user, create_venue, create_inspection
):
    lat, lon = point_in("593")
    seen = create_venue(name="Karaoke Sao Mai", lat=lat, lon=lon)
    create_inspection(seen, on=date(2024, 3, 3))
    client = as_user("t_coord")
    page = client.get("/coverage?period=2024&level=district").get_data(as_text=True)
    assert "Karaoke Sao Mai" not in page  # the rows are not in the page
    url = _data_url(client, "period=2024&level=district")
    assert url.startswith("/api/v1/coverage/map/venues?")

    first = client.get(url)
    assert first.status_code == 200
    [row] = first.json["venues"]
    assert row[2:5] == [0, seen.id, "Karaoke Sao Mai"]  # inspected in the period
    for i in range(12):  # enough rows to be compressed
        create_venue(name=f"Nhà nghỉ Hướng Dương số {i}", lat=lat + i * 0.0002, lon=lon)
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    # compressed as a browser asks: Flask-Compress answers the 304 of the encoded copy
    br = client.get(url, headers={"Accept-Encoding": "br"})
    assert br.headers["Content-Encoding"] == "br" and br.headers["ETag"] != etag
    br_again = client.get(
        url, headers={"Accept-Encoding": "br", "If-None-Match": br.headers["ETag"]}
    )
    assert br_again.status_code == 304 and br_again.data == b""

    create_venue(name="Karaoke Hai", lat=lat + 0.001, lon=lon)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Karaoke Hai" in {r[4] for r in changed.json["venues"]}


def test_the_venues_are_in_the_accounts_scope(app, as_user, create_venue):
    lat, lon = point_in("593")
    in_593 = create_venue(name="Quán Phan Thiết", lat=lat, lon=lon)
    lat, lon = point_in("594")
    in_594 = create_venue(name="Quán La Gi", lat=lat, lon=lon)
    query = "period=2024&level=district"

    district = as_user("t_coord_pt")  # the coordinator of district 593
    url = _data_url(district, query)
    assert {r[3] for r in district.get(url).json["venues"]} == {in_593.id}
    # the same URL, asked by the province's coordinator: every venue, another ETag
    etag = district.get(url).headers["ETag"]
    province = as_user("t_coord")
    answer = province.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert {r[3] for r in answer.json["venues"]} == {in_593.id, in_594.id}

    assert app.test_client().get(url).status_code == 401  # signed out


def test_venues_refuse_bad_input_and_the_file_still_embeds_them(as_user, create_venue):
    client = as_user("t_coord")
    r = client.get("/api/v1/coverage/map/venues?period=2024&level=ward")
    assert r.status_code == 422 and "level" in r.json["errors"]
    assert r.headers["Cache-Control"] == "no-store"
    lat, lon = point_in("593")
    create_venue(name="Karaoke Sao Mai", lat=lat, lon=lon)
    html = client.get("/coverage/map.html?period=2024").get_data(as_text=True)
    assert "Karaoke Sao Mai" in html and "data-venues" not in html and "fetch(" not in html
    features = json.loads(FEATURES.search(html)[1])["features"]
    assert all(f["geometry"] for f in features)  # the polygons too


def test_page_fetches_the_polygons_by_code_and_they_answer_304(app, as_user):
    client = as_user("t_coord")
    page = client.get("/coverage?period=2024&level=district").get_data(as_text=True)
    embedded = json.loads(FEATURES.search(page)[1])["features"]
    assert len(embedded) == 10  # every district, with its name, status and popup
    assert all(f["geometry"] is None and f["properties"]["popup"] for f in embedded)
    url = _data_url(client, "period=2024&level=district", "areas")
    assert url.startswith("/api/v1/coverage/map/shapes?")

    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/geo+json"
    shapes = {f["id"]: f["geometry"]["type"] for f in first.json["features"]}
    assert shapes.keys() == {f["id"] for f in embedded}
    assert set(shapes.values()) <= {"Polygon", "MultiPolygon"}
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    district = as_user("t_coord_pt")  # the coordinator of district 593: its polygon only
    answer = district.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert answer.status_code == 200
    assert [f["id"] for f in answer.json["features"]] == ["593"]
    assert app.test_client().get(url).status_code == 401  # signed out


def test_maps_render_as_branca_renders_them_without_compiling(
    as_user, create_venue, create_inspection, monkeypatch
):
    """The map's elements keep what their macros rendered as text (map_elements.py): the
    page and the exported file are what branca's own rendering gives, and rendering them
    compiles no template. After a branca upgrade this check is due again."""
    import branca
    import jinja2
    from branca.element import MacroElement

    from inspections.coverage import map_elements

    assert branca.__version__ == "0.8.2" and map_elements.MACROS_RENDERED_AS_TEXT, (
        "branca changed: check MacroElement.render against map_elements._render_macros"
    )
    lat, lon = point_in("593")
    create_inspection(create_venue(name="Karaoke Sao Mai", lat=lat, lon=lon), on=date(2024, 3, 3))
    client = as_user("t_coord")
    paths = ["/coverage?period=2024&level=district", "/coverage/map.html?period=2024"]

    def pages() -> list[str]:
        out = []
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200
            text = r.get_data(as_text=True)
            text = re.sub(r'(nonce|value)="[^"]+"', "", text)  # per request
            out.append(re.sub(r"[0-9a-f]{32}", "ID", text))  # folium's random element ids
        return out

    pages()  # the page templates are compiled once, on first use
    compiled = []
    real_compile = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment,
        "compile",
        lambda env, *a, **k: compiled.append(1) or real_compile(env, *a, **k),
    )
    ours = pages()
    assert len(compiled) <= 2  # the Figure's meta tag, made once per map by branca itself
    monkeypatch.setattr(MacroElement, "render", map_elements.BRANCA_RENDER)
    assert ours == pages()
