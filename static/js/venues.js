// Registry pages: maps (venue, location picker, near me), GPS, list selection. Plain JS.
(function () {
  'use strict';
  var PROVINCE = [11.0, 108.1];

  // Leaflet reads a string given to a tooltip or popup as HTML: names (typed by people, or
  // imported) go in as an element holding text, never as markup.
  function text(value) {
    var span = document.createElement('span');
    span.textContent = value == null ? '' : String(value);
    return span;
  }

  function baseLayer(map, el) {
    // Tiles when configured; otherwise the area boundaries, so a tap still has context.
    var tiles = el.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.attribution || '' }).addTo(map);
      return;
    }
    el.classList.add('no-tiles');
    // communes (thin, named when zoomed in) under districts (thicker): the only landmarks
    var layers = [
      { url: el.dataset.communes, pane: 'communes', z: 340, names: true,
        style: { color: '#0b5563', weight: 0.8, opacity: 0.6, fillColor: '#0b5563', fillOpacity: 0.03 } },
      { url: el.dataset.boundaries, pane: 'districts', z: 345, names: false,
        style: { color: '#073b45', weight: 2, opacity: 0.8, fill: false } }
    ];
    layers.forEach(function (spec) {
      if (!spec.url) return;
      // below the venue markers (overlay pane, 400) whichever answer comes first
      map.createPane(spec.pane).style.zIndex = spec.z;
      spec.style.pane = spec.pane;
      fetch(spec.url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (fc) {
          if (!fc) return;
          var layer = L.geoJSON(fc, { style: spec.style, pane: spec.pane, interactive: false }).addTo(map);
          if (!spec.names) return;
          var labels = L.layerGroup();
          layer.eachLayer(function (l) {
            var name = l.feature && l.feature.properties && l.feature.properties.name;
            if (name) {
              labels.addLayer(L.tooltip({ permanent: true, direction: 'center', className: 'area-label', interactive: false })
                .setLatLng(l.getBounds().getCenter()).setContent(text(name)));
            }
          });
          var toggle = function () {
            if (map.getZoom() >= 11) { labels.addTo(map); } else { labels.remove(); }
          };
          map.on('zoomend', toggle);
          toggle();
        })
        .catch(function () { /* the map still shows the points */ });
    });
  }

  function newMap(el, options) {
    var map = L.map(el, Object.assign({ zoomControl: true, attributionControl: !!el.dataset.tiles }, options || {}));
    baseLayer(map, el);
    L.control.scale({ imperial: false, maxWidth: 100 }).addTo(map);
    return map;
  }

  function dot(latlng, color, radius) {
    return L.circleMarker(latlng, { radius: radius || 8, color: '#fff', weight: 2, fillColor: color, fillOpacity: 1 });
  }

  function parseDecimalPair(text) {
    var m = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text || '');
    if (!m) return null;
    var lat = parseFloat(m[1]), lon = parseFloat(m[2]);
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return [lat, lon];
  }

  function geoMessage(box, err) {
    if (!window.isSecureContext) return box.dataset.msgInsecure;
    if (!err) return box.dataset.msgUnsupported;
    if (err.code === 1) return box.dataset.msgDenied;
    if (err.code === 3) return box.dataset.msgTimeout;
    return box.dataset.msgUnavailable;
  }

  function locate(box, status, onFix) {
    if (!window.isSecureContext || !('geolocation' in navigator)) {
      status.textContent = geoMessage(box, null);
      status.className = status.className.replace(/\bok\b/, '') + ' error';
      return;
    }
    status.textContent = box.dataset.msgLocating || '…';
    status.classList.remove('error');
    navigator.geolocation.getCurrentPosition(
      function (pos) { status.textContent = ''; onFix(pos.coords); },
      function (err) { status.textContent = geoMessage(box, err); status.classList.add('error'); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }
    );
  }

  // --- the venue page: a small read-only map
  var venueMap = document.getElementById('venue-map');
  if (venueMap && window.L) {
    var here = [parseFloat(venueMap.dataset.lat), parseFloat(venueMap.dataset.lon)];
    var vm = newMap(venueMap, { scrollWheelZoom: false, dragging: !L.Browser.mobile, tap: false });
    vm.setView(here, venueMap.dataset.tiles ? 16 : 15);
    JSON.parse(venueMap.dataset.venues || '[]').forEach(function (v) {
      dot([v[0], v[1]], '#90a4ae', 5).addTo(vm).bindTooltip(text(v[2]));
    });
    dot(here, '#b3261e', 9).addTo(vm).bindTooltip(text(venueMap.dataset.name), { permanent: true, direction: 'top', offset: [0, -8] });
  }

  // --- the create/edit form: tap the map, use GPS, or type coordinates
  var pick = document.getElementById('pick-map');
  if (pick && window.L) {
    var input = document.getElementById('f-coordinates');
    var gpsBtn = document.getElementById('use-gps');
    var gpsStatus = document.getElementById('gps-status');
    var start = parseDecimalPair(input.value);
    var pm = newMap(pick, { tap: true });
    pm.setView(start || PROVINCE, start ? 17 : 9);
    var marker = start ? dot(start, '#b3261e', 9).addTo(pm) : null;
    var setPoint = function (lat, lon, zoom) {
      var ll = [lat, lon];
      if (marker) marker.setLatLng(ll); else marker = dot(ll, '#b3261e', 9).addTo(pm);
      input.value = lat.toFixed(6) + ', ' + lon.toFixed(6);
      input.classList.remove('is-invalid');
      if (zoom) pm.setView(ll, Math.max(pm.getZoom(), zoom));
    };
    pm.on('click', function (ev) { setPoint(ev.latlng.lat, ev.latlng.lng); });
    input.addEventListener('change', function () {
      var p = parseDecimalPair(input.value);  // DMS is read by the server when saving
      if (p) { setPoint(p[0], p[1], 16); }
    });
    gpsBtn.addEventListener('click', function () {
      locate(gpsBtn, gpsStatus, function (c) {
        setPoint(c.latitude, c.longitude, 17);
        gpsStatus.textContent = (gpsBtn.dataset.msgAccuracy || '±') + ' ' + Math.round(c.accuracy) + ' m';
      });
    });
  }

  // licence rows: one more empty row on demand
  var addLicence = document.getElementById('add-licence');
  if (addLicence) {
    addLicence.addEventListener('click', function () {
      var rows = document.querySelectorAll('[data-licence-row]');
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      copy.querySelectorAll('input').forEach(function (i) { i.value = ''; });
      copy.querySelectorAll('.invalid-feedback').forEach(function (e) { e.remove(); });
      last.parentNode.insertBefore(copy, addLicence);
      copy.querySelector('input[name=licence_number]').focus();
    });
  }

  // --- near me
  var near = document.getElementById('near');
  if (near) {
    var status = document.getElementById('near-status');
    var go = function () {
      locate(near, status, function (c) {
        var url = near.dataset.url + '?lat=' + c.latitude.toFixed(6) + '&lon=' + c.longitude.toFixed(6) +
          '&acc=' + Math.round(c.accuracy || 0);
        if (near.dataset.sector) url += '&sector=' + encodeURIComponent(near.dataset.sector);
        window.location.assign(url);
      });
    };
    document.getElementById('locate').addEventListener('click', go);
    if (near.dataset.auto === '1') go();
    var nearMap = document.getElementById('near-map');
    if (nearMap && window.L) {
      var me = [parseFloat(nearMap.dataset.lat), parseFloat(nearMap.dataset.lon)];
      var nm = newMap(nearMap, { scrollWheelZoom: false, tap: false });
      var pts = [me];
      dot(me, '#1a73e8', 8).addTo(nm).bindTooltip(text('●'));
      JSON.parse(nearMap.dataset.venues || '[]').forEach(function (v, i) {
        var ll = [v[0], v[1]];
        pts.push(ll);
        L.marker(ll, {
          icon: L.divIcon({ className: 'num-marker', html: String(i + 1), iconSize: [22, 22] })
        }).addTo(nm).bindTooltip(text(v[2]));
      });
      // frame the closest few; the others are a pan away
      nm.fitBounds(L.latLngBounds(pts.slice(0, 9)).pad(0.2), { maxZoom: 17 });
    }
  }

  // --- list: filters open by default where there is room for them
  var more = document.querySelector('.more-filters');
  if (more && window.matchMedia('(min-width: 992px)').matches && !more.querySelector('.filter-chip')) {
    more.open = true;
  }

  // --- list: select all for the label sheet
  var all = document.querySelector('[data-select-all]');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('#selection input[name=ids]').forEach(function (c) { c.checked = all.checked; });
    });
  }
})();
