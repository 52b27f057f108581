// The base map: our own layers (districts, streets, communities, stations) from warmmap's
// vector tiles, described by their TileJSON. No glyphs and no sprite: every text on the map is
// HTML (markers, popups, the panel), so Chinese comes from the machine's own fonts and nothing
// is asked of a glyph server.
import { url } from "./api.js";

const maplibregl = globalThis.maplibregl;

export function tileSource(layer, params = {}) {
  return { type: "vector", url: url(`tiles/${layer}.json`, params) };
}

export function baseStyle() {
  return {
    version: 8,
    sources: {
      districts: tileSource("districts"),
      streets: tileSource("streets"),
      communities: tileSource("communities"),
      stations: tileSource("stations"),
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": "#e9ecef" } },
      {
        id: "districts-fill", type: "fill", source: "districts", "source-layer": "districts",
        paint: { "fill-color": "#fbfbfa" },
      },
      {
        id: "communities-line", type: "line", source: "communities", "source-layer": "communities",
        minzoom: 12, paint: { "line-color": "#dee2e6", "line-width": 0.6 },
      },
      {
        id: "streets-line", type: "line", source: "streets", "source-layer": "streets",
        paint: { "line-color": "#adb5bd", "line-width": 0.8, "line-dasharray": [3, 2] },
      },
      {
        id: "districts-line", type: "line", source: "districts", "source-layer": "districts",
        paint: { "line-color": "#868e96", "line-width": 1.4 },
      },
      {
        id: "stations-dot", type: "circle", source: "stations", "source-layer": "stations",
        paint: {
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 6, 1.5, 14, 4],
          "circle-color": ["match", ["get", "status"], "open", "#e8590c", "#adb5bd"],
          "circle-opacity": 0.7,
        },
      },
    ],
  };
}

export function createMap(container, { center, zoom }) {
  maplibregl.setWorkerUrl(url("map-assets/vendor/maplibre-gl-csp-worker.js"));
  const map = new maplibregl.Map({
    container,
    style: baseStyle(),
    center,
    zoom,
    attributionControl: false,
    localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
    dragRotate: false,
    pitchWithRotate: false,
  });
  styleLoaded.set(map, new Promise((resolve) => map.once("load", resolve)));
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  return map;
}

// Resolves once the style has loaded ("load" fires once; map.loaded() turns false again
// whenever tiles are loading, so it cannot tell a view built later).
const styleLoaded = new WeakMap();

export function whenLoaded(map) {
  return styleLoaded.get(map);
}

// An HTML marker: a round badge with a short text (a rank, "me"), no glyphs needed.
export function badgeMarker(lngLat, text, className = "", testid = null) {
  const element = document.createElement("div");
  element.className = `marker ${className}`;
  element.textContent = text;
  if (testid) element.dataset.testid = testid;
  return new maplibregl.Marker({ element }).setLngLat(lngLat);
}

// Fit the map to a set of [lon, lat] points (with a minimum span, so one point is not z22).
export function fitPoints(map, points, maxZoom = 15) {
  if (!points.length) return;
  const bounds = new maplibregl.LngLatBounds(points[0], points[0]);
  for (const point of points) bounds.extend(point);
  map.fitBounds(bounds, { padding: 50, maxZoom, duration: 0 });
}

// GeoJSON overlay helpers: one source per overlay, replaced wholesale.
export function setOverlay(map, id, data) {
  const source = map.getSource(id);
  if (source) source.setData(data);
  else map.addSource(id, { type: "geojson", data });
}

export function emptyCollection() {
  return { type: "FeatureCollection", features: [] };
}
