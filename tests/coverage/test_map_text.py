"""Names in the exported coverage map are text, never markup (issue 13, finding 5): the areas'
GeoJSON carries the name as data with an escaped popup, the tooltip is bound as text, and the
venues' rows reach their popups as text (the browser test opens the same file)."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from inspections.areas.models import Area
from inspections.extensions import db
from tests.coverage.test_rule import point_in

EVIL = "<img src=x onerror=alert(1)><b>Bar</b>"
EVIL_AREA = "<img src=x onerror=alert(2)><b>Phường</b>"
# the map's script lines: the areas' layer gets its FeatureCollection, the clusters their rows
AREAS = re.compile(r"var features = (\{.*\});$", re.M)
ROWS = re.compile(r"var data = (\[.*\]);$", re.M)


def test_names_in_the_exported_map_file_are_escaped(as_user, create_venue):
    area = db.session.scalar(select(Area).where(Area.code == "593", Area.level == "district"))
    area.name = EVIL_AREA
    lat, lon = point_in("593")
    create_venue(name=EVIL, lat=lat, lon=lon)
    db.session.flush()
    r = as_user("t_coord").get("/coverage/map.html?period=2024")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    for markup in ("<img src=x", "<b>Bar", "<b>Phường"):
        assert markup not in html, markup

    areas = json.loads(AREAS.search(html)[1])
    [feature] = [f for f in areas["features"] if f["properties"]["name"] == EVIL_AREA]
    popup = feature["properties"]["popup"]
    assert "<strong>&lt;img src=x onerror=alert(2)&gt;&lt;b&gt;Phường&lt;/b&gt;</strong>" in popup
    assert "<img" not in popup and "<b>" not in popup
    # the tooltip: the name goes in as the text of an element, not as HTML
    assert "name.textContent = feature.properties.name;" in html
    assert "layer.bindTooltip(name, {sticky: true})" in html
    assert "bindTooltip(feature.properties.name" not in html

    rows = json.loads(ROWS.search(html)[1])
    assert [row[4] for row in rows] == [EVIL]
    assert "b.textContent = row[4];" in html  # the venue's popup: text as well
