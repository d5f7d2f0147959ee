// Leaflet's own words (zoom buttons, layer switcher) in the page's language. Load it after
// leaflet.js; the words come from the catalogue through the script tag's data attributes.
(function () {
  'use strict';
  var words = (document.currentScript && document.currentScript.dataset) || {};
  if (typeof L === 'undefined') return;
  L.Control.Zoom.mergeOptions({
    zoomInTitle: words.zoomIn || 'Zoom in',
    zoomOutTitle: words.zoomOut || 'Zoom out'
  });
  var initLayout = L.Control.Layers.prototype._initLayout;
  L.Control.Layers.include({
    _initLayout: function () {
      initLayout.call(this);
      if (this._layersLink && words.layers) {
        this._layersLink.title = words.layers;
        this._layersLink.setAttribute('aria-label', words.layers);
      }
    }
  });
})();
