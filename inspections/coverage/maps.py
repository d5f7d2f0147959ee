"""The coverage map: a folium (Leaflet) choropleth of the areas, venue clusters, a legend.

Tiles come from ``TILE_URL`` (none when empty: the polygons, borders and labels still read on a
plain background). The elements are in map_elements.py, the GeoJSON in map_geojson.py (the
API's schema describes the same features), the standalone file in map_file.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import folium
from branca.element import Figure
from flask import current_app, url_for
from flask_babel import gettext as _
from folium.utilities import JsCode
from markupsafe import escape
from sqlalchemy import Row

from .map_elements import (
    CLUSTER_ICON,
    AreaLabels,
    AreaShapes,
    Legend,
    VendoredMap,
    VenueClusters,
    legend_html,
    venue_callback,
)
from .map_geojson import MapAreasOut, area_features, bounds, venue_rows
from .rule import Coverage, Figures


def _popup_words() -> dict[str, str]:
    """The words of the area popups (translated once per map, not once per area)."""
    return {
        "none": _("no venues"),
        "coverage": _("Coverage"),
        "target": _("Target"),
        "never": _("Never inspected"),
        "list": _("List of never-inspected venues"),
    }


def _area_popup(fig: Figures, never_url: str, words: dict[str, str]) -> str:
    cov_text = (
        words["none"]
        if fig.coverage_pct is None
        else f"{fig.inspected}/{fig.in_scope} = {fig.coverage_pct:g} %"
    )
    parts = [
        f'<div class="cov-popup"><strong>{escape(fig.name)}</strong>',
        f"<div>{escape(words['coverage'])}: {escape(cov_text)}</div>",
        f"<div>{escape(words['target'])}: {float(fig.target_pct):g} %</div>",
    ]
    if fig.in_scope:
        parts.append(
            f"<div>{escape(words['never'])}: {fig.never_inspected}</div>"
            f'<a href="{escape(never_url)}">{escape(words["list"])}</a>'
        )
    parts.append("</div>")
    return "".join(parts)


def _label(fig: Figures) -> str:
    if not fig.in_scope:
        return _("no venues")
    return f"{fig.inspected}/{fig.in_scope}"


def _venue_url_template(external: bool) -> str | None:
    """URL of a venue's page with {id}, when the venues capability provides one (it is built
    in parallel: until then popups link to the venue list of the area)."""
    if "venues.detail" not in current_app.view_functions:
        return None
    url = url_for("venues.detail", venue_id=987654321, _external=external)
    return url.replace("987654321", "{id}")


@dataclass
class MapParts:
    """The rendered map: what goes in the head, the body, and the (inline) script."""

    header: str
    html: str
    script: str


def build_map(
    cov: Coverage,
    shapes: Sequence[Row],
    points: Sequence[Row],
    area_links: Callable[[str, str], str],
    *,
    unit_points: Sequence[Row] = (),
    planned: Sequence[Row] = (),
    external: bool = False,
    venues_url: str | None = None,
    shapes_url: str | None = None,
) -> folium.Map:
    """The folium map of a figure set (shapes from lists.area_shapes, venue points from
    lists.map_points, the points of units without a polygon from lists.unit_points: drawn as
    circles). With venues_url and shapes_url the venues and the polygons are not embedded:
    the page fetches them from there (map_geojson.MapVenuesOut, MapShapesOut), the browser
    keeps them; the exported file embeds everything.

    area_links(code, figure) gives the URL of the venue list behind a figure of an area.
    """
    tiles = current_app.config.get("TILE_URL") or ""
    fmap = VendoredMap(
        location=[10.93, 108.1],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        zoom_control=True,
    )
    # Clustering needs the map's zoom range even when no tile layer sets one.
    fmap.options["max_zoom"] = 19
    fmap.options["min_zoom"] = 5
    if tiles:
        folium.TileLayer(
            tiles=tiles,
            attr=current_app.config.get("TILE_ATTRIBUTION") or " ",
            name=_("Base map"),
            max_zoom=19,
        ).add_to(fmap)
    areas = area_features(cov, shapes, unit_points)
    areas.features = [f for f in areas.features if f.drawable]
    words = _popup_words()
    for feature in areas.features:
        code = feature.figures.code
        feature.popup = _area_popup(feature.figures, area_links(code, "never_inspected"), words)
    fc = MapAreasOut().dump(areas)
    by_code = {r.code: r for r in cov.rows}
    if fc["features"]:
        box = bounds(fc)
        if shapes_url:  # the page: polygons fetched, the units drawn at a point embedded
            fmap.sources["areas"] = shapes_url
            polygons = {s.code for s in shapes}
            for f in fc["features"]:
                if f["id"] in polygons:
                    f["geometry"] = None
        AreaShapes(fc, name=_("Coverage"), source="areas" if shapes_url else None).add_to(fmap)
        if box:  # the first view, at once (no zoom animation while the page loads)
            fit = folium.map.FitBounds(box)
            fit.options["animate"] = False
            fmap.add_child(fit)
        places = [(s.code, s.label_lat, s.label_lon) for s in shapes]
        places += [(u.code, u.lat, u.lon) for u in unit_points]
        # most important first (where labels would overlap, these are the ones shown): the
        # units with the most venues, then those below target
        places = sorted(
            (p for p in places if p[0] in by_code and p[1] is not None),
            key=lambda p: (-by_code[p[0]].in_scope, by_code[p[0]].status != "below", p[0]),
        )
        labels = [
            [round(lat, 5), round(lon, 5), str(escape(_label(by_code[code])))]
            for code, lat, lon in places
        ]
        AreaLabels(labels, name=_("Counts (inspected/in scope)")).add_to(fmap)
    if points or venues_url:
        url_template = _venue_url_template(external)
        fallback_urls = (
            {}
            if url_template
            else {r.area_id: area_links(r.code, "in_scope") for r in cov.rows if r.area_id}
        )
        if venues_url:
            fmap.sources["venues"] = venues_url
        VenueClusters(
            [] if venues_url else venue_rows(points),
            callback=venue_callback(url_template, fallback_urls),
            source="venues" if venues_url else None,
            name=_("Venues"),
            chunkedLoading=True,
            showCoverageOnHover=False,
            maxClusterRadius=45,
            disableClusteringAtZoom=16,
            icon_create_function=CLUSTER_ICON,
        ).add_to(fmap)
    if planned:
        planned_layer(planned).add_to(fmap)
    Legend(
        legend_html(cov),
        _("Boundaries are approximate (demo).") if cov.approximate_boundaries else None,
    ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


PLANNED_COLOUR = "#1f4e9c"


def planned_layer(rows: Sequence[Row]) -> folium.FeatureGroup:
    """The venues planned in inspection rounds and not yet done (rounds/progress.py
    planned_points: lat, lon, id, name, round), as their own layer: a ring around the venue."""
    features = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{r.round_id}-{r.id}",
                "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
                "properties": {"name": f"{r.name} — {r.round_title}"},
            }
            for r in rows
            if r.lat is not None
        ],
    }
    group = folium.FeatureGroup(name=_("Planned in rounds"), show=True)
    folium.GeoJson(
        features,
        marker=folium.CircleMarker(
            radius=9, color=PLANNED_COLOUR, weight=2, fill=False, fill_opacity=0
        ),
        # the name is text, never markup
        on_each_feature=JsCode(
            "function (feature, layer) {"
            " var name = document.createElement('span');"
            " name.textContent = feature.properties.name;"
            " layer.bindTooltip(name); }"
        ),
    ).add_to(group)
    return group


_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)")


def with_nonce(html: str, nonce: str) -> str:
    """Give every <script> tag the request's CSP nonce."""
    return _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', html)


def render_parts(fmap: folium.Map, nonce: str) -> MapParts:
    """The map split for embedding in a page, every script tag carrying the nonce."""
    figure = cast(Figure, fmap.get_root())  # typed as any Element; a Map sits in its own Figure
    figure.render()
    return MapParts(
        header=with_nonce(figure.header.render(), nonce),
        html=figure.html.render(),
        script=figure.script.render(),
    )
