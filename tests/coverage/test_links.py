"""Every download and drill-down of the coverage page names the figure set the page shows:
the period (named or custom dates), the level, the administrative map (as_of), the sector; the
files say that period in their name and their "Kỳ:" line."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from tests.coverage.test_rule import point_in

HREF = re.compile(r'href="(/coverage(?:[/?][^"]*)?)"')

# (query of the page, what every link must carry, period words, file name's dates)
CASES = [
    (
        "period=custom&start=2024-01-01&end=2024-12-31",
        {"start": "2024-01-01", "end": "2024-12-31", "level": "district"},
        "01/01/2024 – 31/12/2024",
        "20240101-20241231",
    ),
    (
        "period=custom&start=2024-03-05&end=2024-08-20&level=commune&sector=karaoke",
        {"start": "2024-03-05", "end": "2024-08-20", "level": "commune", "sector": "karaoke"},
        "05/03/2024 – 20/08/2024",
        "20240305-20240820",
    ),
    (
        "period=2024-Q3&start=2026-01-01&end=2026-12-31&level=commune",  # the picker's dates
        {"period": "2024-Q3", "level": "commune"},
        "Quarter 3/2024 (01/07/2024 – 30/09/2024)",
        "20240701-20240930",
    ),
    (
        "period=report:2024-Y&level=province&sector=karaoke",
        {"period": "report:2024-Y", "level": "province", "sector": "karaoke"},
        "Report, year 2024 (15/12/2023 – 14/12/2024)",
        "20231215-20241214",
    ),
    (
        "period=2024&as_of=2025-07-01&level=commune",  # 2024's venues on today's communes
        {"period": "2024", "as_of": "2025-07-01", "level": "commune"},
        "Year 2024 (01/01/2024 – 31/12/2024)",
        "20240101-20241231",
    ),
]


def _links(page: str) -> dict[str, list[dict]]:
    """The page's coverage links by route, each with its query."""
    out: dict[str, list[dict]] = {}
    for href in HREF.findall(page):
        url = urlsplit(html_lib.unescape(href))
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        route = "area" if url.path.startswith("/coverage/areas/") else url.path
        out.setdefault(route, []).append({"path": url.path, **query})
    return out


def _carries(link: dict, expected: dict) -> bool:
    named = "period" in expected
    return all(link.get(k) == v for k, v in expected.items()) and (named or "period" not in link)


def _xlsx_lines(body: bytes) -> list[str]:
    ws = load_workbook(BytesIO(body))["Tỷ lệ kiểm tra"]
    return [str(row[0]) for row in ws.iter_rows(max_row=8, values_only=True) if row[0]]


@pytest.mark.parametrize(("query", "expected", "words", "dates"), CASES)
def test_downloads_and_drill_downs_carry_the_page_figure_set(
    as_user, create_venue, create_inspection, query, expected, words, dates
):
    lat, lon = point_in("593")
    create_inspection(create_venue(name="Karaoke Một", lat=lat, lon=lon), on=date(2024, 7, 2))
    client = as_user("t_coord")
    page = client.get(f"/coverage?{query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert words in text
    links = _links(text)
    xlsx, map_html = links["/coverage/export.xlsx"], links["/coverage/map.html"]
    assert len(xlsx) == len(map_html) == 1
    assert links["area"], "the figures open their lists"
    for link in [*xlsx, *map_html, *links["area"]]:
        assert _carries(link, expected), (link, expected)

    # the files say the period shown, in their name and on their "Kỳ:" line
    r = client.get(xlsx[0]["path"], query_string={k: v for k, v in xlsx[0].items() if k != "path"})
    assert r.status_code == 200
    assert f'filename="do-bao-phu-{dates}.xlsx"' in r.headers["Content-Disposition"]
    lines = _xlsx_lines(r.data)
    assert f"Kỳ: {words}" in lines
    level_words = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}
    assert any(level_words[expected["level"]] in line for line in lines)
    r = client.get(
        map_html[0]["path"], query_string={k: v for k, v in map_html[0].items() if k != "path"}
    )
    assert r.status_code == 200
    assert f'filename="ban-do-bao-phu-{dates}.html"' in r.headers["Content-Disposition"]
    assert html_lib.escape(words, quote=False) in r.get_data(as_text=True)

    # a drill-down shows the same period, and its way back opens the same table
    area = links["area"][0]
    r = client.get(area["path"], query_string={k: v for k, v in area.items() if k != "path"})
    assert r.status_code == 200
    area_text = r.get_data(as_text=True)
    assert words in area_text
    (back,) = [x for x in _links(area_text)["/coverage"] if len(x) > 1]  # not the menu's
    assert _carries(back, expected), (back, expected)
    again = client.get("/coverage", query_string={k: v for k, v in back.items() if k != "path"})
    assert again.status_code == 200 and words in again.get_data(as_text=True)
    for tab in _links(area_text)["area"]:
        assert _carries(tab, expected), (tab, expected)


def test_units_below_target_and_what_they_need(as_user, create_venue, create_inspection):
    """Phan Thiết 5/10 meets 20 %, Bắc Bình 0/5 needs 1, Đức Linh 0/6 needs 2: the province
    (5/21) meets its target, yet 3 venues are still needed in the two units below it — the
    page's card and totals and the XLSX's totals row say 3, not the province's 0."""
    for code, n, inspected in (("593", 10, 5), ("596", 5, 0), ("600", 6, 0)):
        lat, lon = point_in(code)
        for i in range(n):
            v = create_venue(name=f"Quán {code}-{i}", lat=lat, lon=lon)
            if i < inspected:
                create_inspection(v, on=date(2024, 4, 4))
    client = as_user("t_coord")
    page = client.get("/coverage?period=2024").get_data(as_text=True)
    card = page[page.index('id="cov-below"') : page.index("</section>", page.index("cov-below"))]
    assert re.findall(r'data-code="(\d+)" data-needed="(\d+)"', card) == [
        ("600", "2"),
        ("596", "1"),
    ]
    assert "2 units below the target · 3 more venues to inspect in them" in card
    tile = page[page.index('id="cov-needed-tile"') :]
    assert re.search(r'class="tile-num">3<', tile[:200])
    assert "more to inspect in the 2 units below target" in tile[:400]
    assert re.search(r'<td class="num cov-needed" data-value="3"', page)  # the totals row
    r = client.get("/coverage/export.xlsx?period=2024")
    ws = load_workbook(BytesIO(r.data))["Tỷ lệ kiểm tra"]
    last = [c.value for c in ws[ws.max_row]]
    assert last[1].startswith("Tổng cộng") and last[2:4] == [21, 5] and last[-1] == 3
    # every unit meeting the target: no card, and the tile says so
    met = client.get("/coverage?period=2024-Q2&sector=massage").get_data(as_text=True)
    assert 'id="cov-below"' not in met and "every unit meets the target" in met


@pytest.mark.parametrize("external", [False, True])
def test_a_table_link_is_what_url_for_gives(app, external):
    """The table builds its links from one url_for: each must equal url_for of the cell."""
    from flask import url_for

    from inspections.coverage import periods
    from inspections.coverage.views import _links

    with app.test_request_context():
        period = periods.parse("2024-Q3")
        link = _links(period, "karaoke", external=external, as_of=date(2025, 7, 1), level="commune")
        for code in ("22918", "593", "68", "a b/ç"):
            for figure in ("in_scope", "never_inspected", "next"):
                assert link(code, figure) == url_for(
                    "coverage.area",
                    code=code,
                    figure=figure,
                    _external=external,
                    **period.args(),
                    sector="karaoke",
                    as_of="2025-07-01",
                    level="commune",
                )
