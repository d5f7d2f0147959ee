"""The coverage map's folium elements: the map, venue clusters, area labels and the legend.

Every script and stylesheet comes from ``static/`` (folium's CDN defaults are replaced on each
element); the map's own styles are ``static/css/coverage-map.css``.
"""

from __future__ import annotations

import json

import branca
import folium
from branca.element import Element, Figure, MacroElement
from flask import url_for
from flask_babel import gettext as _
from folium.plugins import FastMarkerCluster
from folium.template import Template
from markupsafe import escape

from ..i18n import fmt_decimal
from .rule import EARLIER, IN_PERIOD, NEVER, Coverage

LEAFLET_JS = "vendor/leaflet-1.9.4/leaflet.js"
LEAFLET_CSS = "vendor/leaflet-1.9.4/leaflet.css"
CLUSTER_JS = "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js"
CLUSTER_CSS = (
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.css",
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
)
MAP_CSS = "css/coverage-map.css"
# Colour-blind-safe pairs: orange below target, teal meeting it, grey without venues.
COLOURS = {"below": "#e66101", "meets": "#1b9e77", "none": "#bdbdbd"}
VENUE_COLOURS = {IN_PERIOD: "#1b9e77", EARLIER: "#7570b3", NEVER: "#d7191c"}
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


# ---------------------------------------------------------------- rendering without compiling

# branca's MacroElement.render puts what each macro rendered into Element(text), which compiles
# that text as a Jinja template (and would render it a second time): 14 compilations per
# coverage page, one of them the 30 KB script of the areas, about a tenth of the page's time.
# For the version this was checked against, the rendered text is kept as it is instead; any
# other version renders as branca does (test_map_data.py says when the check is due).
MACROS_RENDERED_AS_TEXT = branca.__version__ == "0.8.2"


class RenderedText(Element):
    """Markup a macro has already rendered, kept as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def _render_macros(self: MacroElement, **kwargs) -> None:
    """branca 0.8.2's MacroElement.render, with RenderedText for the macros' output."""
    figure = self.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    module = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            target = getattr(figure, part)
            target.add_child(RenderedText(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


BRANCA_RENDER = MacroElement.render  # branca's own, kept for comparison (test_map_data.py)
if MACROS_RENDERED_AS_TEXT:
    MacroElement.render = _render_macros  # type: ignore[method-assign]


class VendoredMap(folium.Map):
    """A folium Map whose scripts and styles come from static/, sized by its container.

    folium's own header sets html/body to full height and a phone viewport; the page has its
    own, so only Leaflet's global switches are kept (the map's styles are in MAP_CSS).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <script>
                L_NO_TOUCH = {{ this.global_switches.no_touch |tojson}};
                L_DISABLE_3D = {{ this.global_switches.disable_3d|tojson }};
            </script>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}
            {%- for key, url in this.sources.items() %}
                {{- " " }}data-{{ key }}="{{ url|e }}"
            {%- endfor %}></div>
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
            L.control.scale({ imperial: false }).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The URLs its layers fetch their data from (the live page), as data-* attributes of
        # the map's element: {"venues": url} is read as map.getContainer().dataset.venues.
        self.sources: dict[str, str] = {}
        # Instance lists: never mutate folium's module-level defaults. The map's styles come
        # after Leaflet's, which they override.
        self.default_js = [("leaflet", _static(LEAFLET_JS))]
        self.default_css = [
            ("leaflet_css", _static(LEAFLET_CSS)),
            ("coverage_map_css", _static(MAP_CSS)),
        ]


class VenueClusters(FastMarkerCluster):
    """Venues as clustered circle markers built in the browser from compact rows
    (map_geojson.venue_rows): embedded in the page, or fetched from the map's data-``source``
    URL (the live page: the browser keeps the rows and revalidates them, a 304 when they are
    unchanged)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                {%- if this.icon_create_function is not none %}
                cluster.options.iconCreateFunction =
                    {{ this.icon_create_function.strip() }};
                {%- endif %}
                function add(rows) { cluster.addLayers(rows.map(callback)); }
                {%- if this.source %}
                var map = {{ this._parent.get_name() }};
                fetch(map.getContainer().dataset[{{ this.source|tojson }}],
                      {credentials: 'same-origin', headers: {Accept: 'application/json'}})
                    .then(function (r) {
                        if (!r.ok) { throw new Error('venues: HTTP ' + r.status); }
                        return r.json();
                    })
                    .then(function (body) { add(body.venues); });
                {%- else %}
                var data = {{ this.data|tojson }};
                add(data);
                {%- endif %}
                cluster.addTo({{ this._parent.get_name() }});
                return cluster;
            })();
        {% endmacro %}"""
    )

    def __init__(self, data, callback: str, source: str | None = None, **kwargs):
        super().__init__(data, callback=callback, **kwargs)
        self.source = source
        self.default_js = [("markerclusterjs", _static(CLUSTER_JS))]
        self.default_css = [
            ("markerclustercss", _static(CLUSTER_CSS[0])),
            ("markerclusterdefaultcss", _static(CLUSTER_CSS[1])),
        ]


class AreaShapes(folium.map.Layer):
    """The areas coloured by their status, with a tooltip (the name, as text) and a popup
    (escaped HTML, maps._area_popup); a unit without a polygon is a circle at its point.

    ``features`` is the map's FeatureCollection (map_geojson.MapAreasOut). With a ``source``
    its polygons are left out of the page: they come from the map's data-``source`` URL
    (map_geojson.MapShapesOut, by GSO code; the browser keeps them and revalidates them).
    The areas have their own pane under the venues', whichever arrives first."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var map = {{ this._parent.get_name() }};
                if (!map.getPane('covAreas')) { map.createPane('covAreas').style.zIndex = 390; }
                var colours = {{ this.colours|tojson }}, border = {{ this.border|tojson }};
                function style(feature) {
                    return {fillColor: colours[feature.properties.status], color: border,
                            weight: 1.5, fillOpacity: 0.55};
                }
                var areas = L.geoJson(null, {
                    pane: 'covAreas',
                    style: style,
                    pointToLayer: function (feature, latlng) {
                        return L.circleMarker(latlng, L.extend({radius: 14, pane: 'covAreas'},
                                                               style(feature)));
                    },
                    // the popup is HTML escaped in maps._area_popup; the name is text
                    onEachFeature: function (feature, layer) {
                        layer.bindPopup(feature.properties.popup);
                        var name = document.createElement('span');
                        name.textContent = feature.properties.name;
                        layer.bindTooltip(name, {sticky: true});
                        layer.on({
                            mouseover: function () {
                                layer.setStyle({weight: 3, fillOpacity: 0.7});
                            },
                            mouseout: function () { areas.resetStyle(layer); }
                        });
                    }
                });
                var features = {{ this.features|tojson }};
                areas.addData(features);  // those with a geometry (all of them, embedded)
                {%- if this.source %}
                fetch(map.getContainer().dataset[{{ this.source|tojson }}],
                      {credentials: 'same-origin', headers: {Accept: 'application/json'}})
                    .then(function (r) {
                        if (!r.ok) { throw new Error('areas: HTTP ' + r.status); }
                        return r.json();
                    })
                    .then(function (shapes) {
                        var geometry = {};
                        shapes.features.forEach(function (s) { geometry[s.id] = s.geometry; });
                        areas.addData(features.features.filter(function (f) {
                            return !f.geometry && geometry[f.id];
                        }).map(function (f) {
                            return L.extend({}, f, {geometry: geometry[f.id]});
                        }));
                    });
                {%- endif %}
                return areas;
            })();
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, features: dict, name: str, source: str | None = None):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "AreaShapes"
        self.features = features
        self.source = source
        self.colours = COLOURS
        self.border = BORDER


class AreaLabels(folium.map.Layer):
    """The two counts ("12/60") at a point inside each area; not interactive.

    Labels come most important first; after every zoom or move a label that would overlap
    one already shown is hidden (it shows again when zooming in makes room), so small units
    crowded together never print over each other."""

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
                var group = L.layerGroup(), markers = [];
                {{ this.labels|tojson }}.forEach(function (l) {
                    markers.push(L.marker([l[0], l[1]], {
                        interactive: false, keyboard: false, pane: 'covLabels',
                        icon: L.divIcon({className: 'cov-label', iconSize: null,
                                         html: '<span>' + l[2] + '</span>'})
                    }).addTo(group));
                });
                var GAP = 2;  // pixels kept between two labels
                function declutter() {
                    if (!map.hasLayer(group)) { return; }
                    var shown = [];
                    markers.forEach(function (m) {
                        var el = m.getElement(), span = el && el.firstChild;
                        if (!span) { return; }
                        var r = span.getBoundingClientRect();
                        var clash = !r.width || shown.some(function (s) {
                            return r.left < s.right + GAP && r.right + GAP > s.left &&
                                   r.top < s.bottom + GAP && r.bottom + GAP > s.top;
                        });
                        span.style.visibility = clash ? 'hidden' : '';
                        if (!clash) { shown.push(r); }
                    });
                }
                map.on('zoomend moveend resize viewreset', declutter);
                group.on('add', function () { setTimeout(declutter, 0); });
                map.whenReady(function () { setTimeout(declutter, 0); });
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


def legend_html(cov: Coverage) -> str:
    """The legend's content: area and venue colours, clusters, the boundary caveat."""
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


def venue_callback(url_template: str | None, fallback_urls: dict[int, str]) -> str:
    """The JS that turns a compact row into a coloured circle marker with a popup
    (fallback_urls: the venue list of each area, by area id, when venues have no page)."""
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
