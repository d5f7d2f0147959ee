"""The coverage map: a folium (Leaflet) choropleth of the areas, venue clusters, a legend.

Every script and stylesheet comes from ``static/vendor/`` (folium's CDN defaults are replaced
on each element), tiles from ``TILE_URL`` (none when empty: the polygons, borders and labels
still read on a plain background). The same GeoJSON features feed the map and the API.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path

import folium
from flask import current_app, url_for
from flask_babel import gettext as _
from folium.plugins import FastMarkerCluster
from folium.template import Template
from folium.utilities import JsCode
from markupsafe import escape

from ..i18n import fmt_decimal
from .rule import EARLIER, IN_PERIOD, NEVER, Coverage, Figures

LEAFLET_JS = "vendor/leaflet-1.9.4/leaflet.js"
LEAFLET_CSS = "vendor/leaflet-1.9.4/leaflet.css"
CLUSTER_JS = "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js"
CLUSTER_CSS = (
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.css",
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
)
# Colour-blind-safe pairs: orange below target, teal meeting it, grey without venues.
COLOURS = {"below": "#e66101", "meets": "#1b9e77", "none": "#bdbdbd"}
VENUE_COLOURS = {IN_PERIOD: "#1b9e77", EARLIER: "#7570b3", NEVER: "#d7191c"}
STATE_CODES = {IN_PERIOD: 0, EARLIER: 1, NEVER: 2}
BORDER = "#263238"
# Clusters in a neutral colour (the status colours belong to areas and venues), ringed in red
# when they hold a never-inspected venue.
CLUSTER_ICON = """function (cluster) {
    var ms = cluster.getAllChildMarkers(), never = false;
    for (var i = 0; i < ms.length && !never; i++) { never = ms[i].options.state === 2; }
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : (n < 100 ? 36 : 42);
    return L.divIcon({html: '<div><span>' + n + '</span></div>',
        className: 'marker-cluster cov-cluster' + (never ? ' has-never' : ''),
        iconSize: L.point(size, size)});
}"""


def _static(path: str) -> str:
    return url_for("static", filename=path)


def status_of(fig: Figures) -> str:
    """below / meets / none: the colour class of an area."""
    if fig.meets_target is None:
        return "none"
    return "meets" if fig.meets_target else "below"


def pct(value: float | None) -> str:
    """12,5 % (in the locale's notation), or the "no venues" words."""
    if value is None:
        return _("no venues")
    return f"{fmt_decimal(value)} %"


def figures_properties(fig: Figures) -> dict:
    """The JSON properties of one area: the API's field names."""
    from .schemas import figures_dict

    return figures_dict(fig, with_sectors=False)


def feature_collection(cov: Coverage, shapes: list[tuple]) -> dict:
    """The areas' polygons with their figures (the GeoJSON of the API and of the map)."""
    by_id = {r.area_id: r for r in cov.rows}
    features = []
    for area_id, code, _name, source, geojson, _lat, _lon in shapes:
        fig = by_id.get(area_id)
        if fig is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    **figures_properties(fig),
                    "status": status_of(fig),
                    "approximate_boundary": source == "demo",
                },
                "geometry": json.loads(geojson),
            }
        )
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------- folium elements


class VendoredMap(folium.Map):
    """A folium Map whose scripts and styles come from static/vendor/, sized by its container.

    folium's own header sets html/body to full height and a phone viewport; the page has its
    own, so only the map's size and Leaflet's global switches are kept.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} { position: relative; width: 100%; height: 100%; }
                .leaflet-container { font-size: 0.8rem; background: #eef1f4; }
                .cov-label { background: none; border: 0; }
                .cov-label span { display: inline-block; transform: translate(-50%, -50%);
                    white-space: nowrap; font: 600 12px/1.2 system-ui, sans-serif;
                    color: #102027; background: rgba(255,255,255,.85); border-radius: 4px;
                    padding: 1px 4px; box-shadow: 0 0 0 1px rgba(0,0,0,.25); }
                .cov-legend { background: rgba(255,255,255,.92); padding: 4px 6px;
                    border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
                    font: 11px/1.3 system-ui, sans-serif; max-width: 15rem; }
                .cov-legend-row { display: flex; flex-wrap: wrap; gap: 0 8px; }
                .cov-legend-row span { white-space: nowrap; }
                .cov-legend b { display: block; margin-bottom: 2px; }
                .cov-legend i { display: inline-block; width: 10px; height: 10px;
                    margin-right: 3px; vertical-align: -2px; border: 1px solid #263238; }
                .cov-legend i.dot { border-radius: 50%; border-color: #fff;
                    box-shadow: 0 0 0 1px #888; }
                .cov-legend small { display: block; color: #555; margin-top: 3px; }
                @media (max-width: 480px) {
                    .cov-legend { max-width: 12rem; font-size: 10px; }
                    .cov-legend small { display: none; }
                }
                .cov-popup a { display: inline-block; margin-top: 4px; }
                .cov-cluster div { background: rgba(38, 50, 56, .82); color: #fff;
                    font-weight: 600; }
                .cov-cluster.has-never div { box-shadow: 0 0 0 3px #d7191c; }
            </style>
            <script>
                L_NO_TOUCH = {{ this.global_switches.no_touch |tojson}};
                L_DISABLE_3D = {{ this.global_switches.disable_3d|tojson }};
            </script>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }} ></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{this.options|tojavascript}}
                }
            );
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Instance lists: never mutate folium's module-level defaults.
        self.default_js = [("leaflet", _static(LEAFLET_JS))]
        self.default_css = [("leaflet_css", _static(LEAFLET_CSS))]


class VenueClusters(FastMarkerCluster):
    """Venues as clustered circle markers built in the browser from compact rows."""

    def __init__(self, data, callback: str, **kwargs):
        super().__init__(data, callback=callback, **kwargs)
        self.default_js = [("markerclusterjs", _static(CLUSTER_JS))]
        self.default_css = [
            ("markerclustercss", _static(CLUSTER_CSS[0])),
            ("markerclusterdefaultcss", _static(CLUSTER_CSS[1])),
        ]


class AreaLabels(folium.map.Layer):
    """The two counts ("12/60") at a point inside each area; not interactive."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var map = {{ this._parent.get_name() }};
                // Above the venue clusters, under popups; taps go through to the polygons.
                if (!map.getPane('covLabels')) {
                    var pane = map.createPane('covLabels');
                    pane.style.zIndex = 640;
                    pane.style.pointerEvents = 'none';
                }
                var group = L.layerGroup();
                {{ this.labels|tojson }}.forEach(function (l) {
                    L.marker([l[0], l[1]], {
                        interactive: false, keyboard: false, pane: 'covLabels',
                        icon: L.divIcon({className: 'cov-label', iconSize: null,
                                         html: '<span>' + l[2] + '</span>'})
                    }).addTo(group);
                });
                return group;
            })();
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, labels: list, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "AreaLabels"
        self.labels = labels


class Legend(folium.MacroElement):
    """A legend control (and the boundary caveat in the attribution)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var legend = L.control({position: 'bottomright'});
                legend.onAdd = function () {
                    var div = L.DomUtil.create('div', 'cov-legend');
                    div.innerHTML = {{ this.html|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                legend.addTo({{ this._parent.get_name() }});
                {%- if this.attribution %}
                {{ this._parent.get_name() }}.attributionControl.addAttribution(
                    {{ this.attribution|tojson }});
                {%- endif %}
            })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, attribution: str | None):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.attribution = attribution


# ---------------------------------------------------------------- building the map


def _legend_html(cov: Coverage) -> str:
    target = f"{fmt_decimal(cov.targets.coverage_pct)} %"

    def swatch(colour: str, text: str, dot: bool = False) -> str:
        cls = ' class="dot"' if dot else ""
        return f'<span><i{cls} style="background:{colour}"></i>{escape(text)}</span>'

    title = _("Coverage against the target (%(t)s)", t=target)
    groups = _("Numbered circles: groups of venues; a red ring: some never inspected.")
    rows = [
        f"<b>{escape(title)}</b>",
        '<div class="cov-legend-row">',
        swatch(COLOURS["below"], _("below target")),
        swatch(COLOURS["meets"], _("meets target")),
        swatch(COLOURS["none"], _("no venues")),
        "</div>",
        '<div class="cov-legend-row">',
        swatch(VENUE_COLOURS[IN_PERIOD], _("inspected in the period"), dot=True),
        swatch(VENUE_COLOURS[EARLIER], _("inspected earlier"), dot=True),
        swatch(VENUE_COLOURS[NEVER], _("never inspected"), dot=True),
        "</div>",
        f"<small>{escape(groups)}</small>",
    ]
    if cov.approximate_boundaries:
        caveat = _("Boundaries are approximate (demo).")
        rows.append(f"<small>{escape(caveat)}</small>")
    return "".join(rows)


def _area_popup(fig: Figures, links: dict[str, str]) -> str:
    cov_text = (
        _("no venues")
        if fig.coverage_pct is None
        else f"{fig.inspected}/{fig.in_scope} = {fig.coverage_pct:g} %"
    )
    words = {
        "coverage": _("Coverage"),
        "target": _("Target"),
        "never": _("Never inspected"),
        "list": _("List of never-inspected venues"),
    }
    parts = [
        f'<div class="cov-popup"><strong>{escape(fig.name)}</strong>',
        f"<div>{escape(words['coverage'])}: {escape(cov_text)}</div>",
        f"<div>{escape(words['target'])}: {float(fig.target_pct):g} %</div>",
    ]
    if fig.in_scope:
        parts.append(
            f"<div>{escape(words['never'])}: {fig.never_inspected}</div>"
            f'<a href="{escape(links["never_inspected"])}">{escape(words["list"])}</a>'
        )
    parts.append("</div>")
    return "".join(parts)


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
    shapes: list[tuple],
    points: list[tuple],
    area_links,
    *,
    external: bool = False,
) -> folium.Map:
    """The folium map of a figure set.

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
    fc = feature_collection(cov, shapes)
    by_code = {r.code: r for r in cov.rows}
    for feat in fc["features"]:
        code = feat["id"]
        links = {"never_inspected": area_links(code, "never_inspected")}
        # The map needs only what it shows; the API's GeoJSON keeps every figure.
        feat["properties"] = {
            "name": feat["properties"]["name"],
            "status": feat["properties"]["status"],
            "popup": _area_popup(by_code[code], links),
        }
    if fc["features"]:
        status = {f["id"]: f["properties"]["status"] for f in fc["features"]}
        folium.GeoJson(
            fc,
            name=_("Coverage"),
            style_function=lambda f: {
                "fillColor": COLOURS[status[f["id"]]],
                "color": BORDER,
                "weight": 1.5,
                "fillOpacity": 0.55,
            },
            highlight_function=lambda f: {"weight": 3, "fillOpacity": 0.7},
            on_each_feature=JsCode(
                "function (feature, layer) {"
                " layer.bindPopup(feature.properties.popup);"
                " layer.bindTooltip(feature.properties.name, {sticky: true}); }"
            ),
        ).add_to(fmap)
        bounds = _bounds(fc)
        if bounds:
            fmap.fit_bounds(bounds)
        labels = [
            [round(lat, 5), round(lon, 5), str(escape(_label(by_code[code])))]
            for _id, code, _name, _src, _geo, lat, lon in shapes
            if code in by_code and lat is not None
        ]
        AreaLabels(labels, name=_("Counts (inspected/in scope)")).add_to(fmap)
    if points:
        area_codes = {r.area_id: r.code for r in cov.rows}
        index = {aid: i for i, aid in enumerate(area_codes)}
        fallback_urls = [area_links(code, "in_scope") for code in area_codes.values()]
        data = [
            [
                round(lat, 5),
                round(lon, 5),
                STATE_CODES[state],
                vid,
                name,
                index.get(area_id, -1),
            ]
            for lat, lon, state, vid, name, area_id in points
        ]
        VenueClusters(
            data,
            callback=_venue_callback(_venue_url_template(external), fallback_urls),
            name=_("Venues"),
            chunkedLoading=True,
            showCoverageOnHover=False,
            maxClusterRadius=45,
            disableClusteringAtZoom=16,
            icon_create_function=CLUSTER_ICON,
        ).add_to(fmap)
    Legend(
        _legend_html(cov),
        _("Boundaries are approximate (demo).") if cov.approximate_boundaries else None,
    ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def _label(fig: Figures) -> str:
    if not fig.in_scope:
        return _("no venues")
    return f"{fig.inspected}/{fig.in_scope}"


def _bounds(fc: dict):
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in fc["features"]:
        walk(f["geometry"]["coordinates"])
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def _venue_callback(url_template: str | None, fallback_urls: list[str]) -> str:
    """The JS that turns a compact row into a coloured circle marker with a popup."""
    labels = [
        _("inspected in the period"),
        _("inspected earlier"),
        _("never inspected"),
    ]
    colours = [VENUE_COLOURS[IN_PERIOD], VENUE_COLOURS[EARLIER], VENUE_COLOURS[NEVER]]
    config = {
        "labels": labels,
        "colours": colours,
        "url": url_template,
        "fallback": fallback_urls,
        "open": _("Open the venue") if url_template else _("Venues of this area"),
    }
    # JSON inside a script: escape "<" so no "</script>" can end it early.
    cfg = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return (
        "(function () {"
        f" var C = {cfg};"
        " return function (row) {"
        "  var m = L.circleMarker([row[0], row[1]], {radius: 6, color: '#fff', weight: 1.5,"
        "   fillColor: C.colours[row[2]], fillOpacity: 0.95, state: row[2]});"
        "  m.bindPopup(function () {"
        "   var div = document.createElement('div'); div.className = 'cov-popup';"
        "   var b = document.createElement('strong'); b.textContent = row[4];"
        "   div.appendChild(b);"
        "   var s = document.createElement('div'); s.textContent = C.labels[row[2]];"
        "   div.appendChild(s);"
        "   var href = C.url ? C.url.replace('{id}', row[3]) : C.fallback[row[5]];"
        "   if (href) { var a = document.createElement('a'); a.href = href;"
        "    a.textContent = C.open; div.appendChild(a); }"
        "   return div;"
        "  });"
        "  return m;"
        " };"
        "})()"
    )


# ---------------------------------------------------------------- rendering

_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)")


def with_nonce(html: str, nonce: str) -> str:
    """Give every <script> tag the request's CSP nonce."""
    return _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', html)


def render_parts(fmap: folium.Map, nonce: str) -> MapParts:
    """The map split for embedding in a page, every script tag carrying the nonce."""
    figure = fmap.get_root()
    figure.render()
    return MapParts(
        header=with_nonce(figure.header.render(), nonce),
        html=figure.html.render(),
        script=figure.script.render(),
    )


_JS_LINK = re.compile(r'<script src="([^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')
_CSS_URL = re.compile(r"url\((images/[^)]+\.png)\)")


def _vendor_file(url: str) -> Path:
    static_url = current_app.static_url_path.rstrip("/") + "/"
    if not url.startswith(static_url):
        raise ValueError(f"not a static asset: {url}")
    root = Path(current_app.static_folder).resolve()
    path = (root / url[len(static_url) :]).resolve()
    if root not in path.parents:
        raise ValueError(f"outside static: {url}")
    return path


def _inline_css(path: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def data_uri(m):
        png = (path.parent / m[1]).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(png).decode() + ")"

    return _CSS_URL.sub(data_uri, css)


def standalone_html(fmap: folium.Map, title: str, intro: str) -> str:
    """A self-contained HTML file of the map: vendored JS/CSS inlined, no CDN, works offline
    (tiles excepted, when configured)."""
    parts = render_parts(fmap, nonce="")
    header = parts.header.replace(' nonce=""', "")
    header = _JS_LINK.sub(
        lambda m: (
            "<script>"
            + _vendor_file(m[1]).read_text(encoding="utf-8").replace("</script", "<\\/script")
            + "</script>"
        ),
        header,
    )
    header = _CSS_LINK.sub(
        lambda m: "<style>" + _inline_css(_vendor_file(m[1])) + "</style>", header
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>html,body{height:100%;margin:0;font-family:system-ui,sans-serif}"
        "#cov-head{padding:6px 10px;font-size:14px;border-bottom:1px solid #ccc}"
        "#cov-body{position:absolute;top:54px;bottom:0;left:0;right:0}</style>\n"
        f"{header}\n</head>\n<body>\n"
        f'<div id="cov-head"><strong>{escape(title)}</strong><br><small>{escape(intro)}</small>'
        f'</div>\n<div id="cov-body">{parts.html}</div>\n'
        f"<script>\n{parts.script}\n</script>\n</body>\n</html>\n"
    )
