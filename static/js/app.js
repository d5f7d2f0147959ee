// Shared behaviour of every page (kept tiny: the inspection form has a weight budget).
(function () {
  'use strict';
  // Close the menu when tapping outside it.
  document.addEventListener('click', function (ev) {
    document.querySelectorAll('details.menu[open]').forEach(function (menu) {
      if (!menu.contains(ev.target)) menu.removeAttribute('open');
    });
  });
  // Buttons with data-confirm ask before submitting.
  document.addEventListener('submit', function (ev) {
    var btn = ev.submitter;
    var msg = (btn && btn.dataset.confirm) || ev.target.dataset.confirm;
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
})();
