// Bundled by esbuild into saferplaces/web/static/saferplaces/build/map.js.
// The map page works without this script (an SVG map and a table); with it,
// the map becomes a Leaflet map that pans and zooms (arrow keys, + and -),
// from the same figures, with a base map only if one is configured.
import "leaflet/dist/leaflet.css";
import L from "leaflet";

const container = document.querySelector("[data-map-geojson]");
if (container) {
  fetch(container.dataset.mapGeojson, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((areas) => {
      if (!areas.features.length) return;
      container.hidden = false;
      const map = L.map(container, { keyboard: true, zoomSnap: 0.25 });
      map.getContainer().setAttribute("aria-label", container.dataset.mapLabel);
      if (container.dataset.tileUrl) {
        L.tileLayer(container.dataset.tileUrl, {
          attribution: container.dataset.tileAttribution || "",
        }).addTo(map);
      }
      // Outlines (the wards around a tasking pack's cells) are drawn over the
      // areas, named, and not links.
      const outlines = areas.features.filter((feature) => feature.properties.outline);
      const shaded = { ...areas, features: areas.features.filter((f) => !f.properties.outline) };
      // Few enough areas to read (wards of a district): each is named on the
      // map, as on the SVG map; otherwise its name and figure show on hover.
      const named = shaded.features.length <= 40;
      const layer = L.geoJSON(shaded, {
        style: (feature) => ({ className: feature.properties.bin, weight: 1, fillOpacity: 1 }),
        onEachFeature: (feature, path) => {
          if (named) {
            path.bindTooltip(feature.properties.name, {
              permanent: true,
              direction: "center",
              className: "app-map-name",
            });
          } else {
            path.bindTooltip(feature.properties.label);
          }
          path.on("click", () => window.location.assign(feature.properties.href));
        },
      }).addTo(map);
      if (outlines.length) {
        const wards = L.geoJSON({ type: "FeatureCollection", features: outlines }, {
          style: () => ({ className: "app-map-outline", weight: 2, fill: false }),
          interactive: false,
          onEachFeature: (feature, path) => {
            path.bindTooltip(feature.properties.name, {
              permanent: true,
              direction: "center",
              className: "app-map-name",
            });
          },
        }).addTo(map);
        map.fitBounds(layer.getBounds().extend(wards.getBounds()));
      } else {
        map.fitBounds(layer.getBounds());
      }
      const fallback = document.querySelector("[data-map-fallback]");
      if (fallback) fallback.hidden = true;
    })
    .catch(() => {
      // The SVG map and the table stay: nothing is lost.
    });
}
