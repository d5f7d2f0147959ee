// Coverage pages: period picker, sortable table, "from here" for the next visits.
(function () {
  'use strict';
  // The custom dates show only when "Custom dates…" is chosen.
  var period = document.getElementById('f-period');
  if (period) {
    var sync = function () {
      document.querySelectorAll('.cov-custom').forEach(function (el) {
        el.hidden = period.value !== 'custom';
      });
    };
    period.addEventListener('change', sync);
    sync();
  }
  // Today's map has no districts: choosing it (or a day since the reorganisation) with the
  // district level switches to communes; the former map offers districts again.
  var asOf = document.getElementById('f-as-of');
  var level = document.getElementById('f-level');
  if (asOf && level) {
    asOf.addEventListener('change', function () {
      if (asOf.value && asOf.value >= asOf.dataset.reorganised && level.value === 'district') {
        level.value = 'commune';
      }
    });
    level.addEventListener('change', function () {
      if (level.value === 'district' && asOf.value >= asOf.dataset.reorganised) {
        asOf.value = asOf.dataset.former;  // districts exist on the former map only
      }
    });
  }
  // Sortable tables: click a header; numbers compare by data-value.
  document.querySelectorAll('table.cov-table').forEach(function (table) {
    var heads = table.querySelectorAll('thead th[data-sort]');
    heads.forEach(function (th, col) {
      th.tabIndex = 0;
      var sort = function () {
        var numeric = th.dataset.sort === 'num';
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.value, y = b.cells[col].dataset.value;
          if (numeric) return dir * (parseFloat(x) - parseFloat(y));
          return dir * String(x).localeCompare(String(y), 'vi');
        });
        rows.forEach(function (r) { body.appendChild(r); });
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); sort(); }
      });
    });
  });
  // "From here": fill the start point from the phone's position and list by distance.
  var here = document.getElementById('cov-here');
  var form = document.getElementById('cov-near');
  if (here && form && navigator.geolocation) {
    here.hidden = false;
    here.addEventListener('click', function () {
      here.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        form.submit();
      }, function () { here.disabled = false; }, {enableHighAccuracy: true, timeout: 15000});
    });
  }
})();
