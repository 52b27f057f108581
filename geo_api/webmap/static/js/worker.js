// The worker view: where am I, which stations are nearest (open, with what I need), how do I
// get there, and "report a problem here".
import { api, ApiError } from "./api.js";
import { badgeMarker, emptyCollection, fitPoints, setOverlay, whenLoaded } from "./basemap.js";
import { fill, h } from "./dom.js";
import { clock, distance, minutes, noteText } from "./format.js";
import { reportForm } from "./report.js";

const AMENITIES = ["charging", "water", "toilet", "rest", "microwave", "first_aid", "air_conditioning", "wifi"];
const K = 5;

export function workerView({ map, panel, t, lang, params }) {
  const state = { asked: 0, point: null, amenities: new Set(), openNow: false, at: "", selected: null, answer: null };
  let markers = [];
  const routeReady = whenLoaded(map).then(() => {
    setOverlay(map, "route", emptyCollection());
    map.addLayer({ id: "route-line", type: "line", source: "route", paint: { "line-color": "#1971c2", "line-width": 3, "line-dasharray": [2, 1.5] } });
  });

  const status = h("p", { class: "hint", "data-testid": "worker-status" }, t.worker_hint);
  const list = h("ol", { class: "stations", "data-testid": "nearest-list" });
  const notes = h("div", { "data-testid": "nearest-notes" });
  const report = h("div", { "data-testid": "report-area" });
  const chips = AMENITIES.map((amenity) =>
    h("button", {
      type: "button", class: "chip", "aria-pressed": "false", "data-amenity": amenity,
      "data-testid": `amenity-${amenity}`,
      onclick: (event) => {
        const on = !state.amenities.has(amenity);
        if (on) state.amenities.add(amenity);
        else state.amenities.delete(amenity);
        event.currentTarget.setAttribute("aria-pressed", String(on));
        refresh();
      },
    }, t.amenities[amenity]));
  const openNow = h("input", {
    type: "checkbox", "data-testid": "open-now",
    onchange: (event) => { state.openNow = event.target.checked; refresh(); },
  });
  const at = h("input", {
    type: "datetime-local", "data-testid": "open-at",
    onchange: (event) => { state.at = event.target.value; refresh(); },
  });
  const locate = h("button", { type: "button", class: "primary", "data-testid": "locate-me", onclick: locateMe }, t.locate_me);
  const reportButton = h("button", {
    type: "button", "data-testid": "report-here", disabled: true,
    onclick: () => fill(report, reportForm({ t, lang, point: state.point, onClose: () => fill(report) })),
  }, t.report_here);

  fill(panel,
    h("h2", {}, t.worker_title),
    h("div", { class: "row" }, locate, reportButton),
    status,
    h("div", { class: "row", "data-testid": "amenity-chips" }, chips),
    h("div", { class: "row" }, h("label", {}, openNow, " ", t.open_now), h("label", {}, t.open_at, " ", at)),
    notes, list, report);

  async function refresh() {
    if (!state.point) return;
    const ticket = ++state.asked; // a later question wins over an earlier, slower answer
    list.dataset.state = "loading";
    const { lon, lat, crs } = state.point;
    try {
      const answer = await api("stations/nearest", {
        params: {
          lon, lat, crs, k: K, amenity: [...state.amenities],
          open_now: state.openNow ? "true" : null, at: state.at || null,
        },
      });
      if (ticket !== state.asked) return;
      state.answer = answer;
      draw(answer);
    } catch (error) {
      if (ticket !== state.asked) return;
      fill(notes, h("p", { class: "error", "data-testid": "worker-error" }, error instanceof ApiError ? error.message : t.failed));
      fill(list);
      list.dataset.state = "error";
    }
  }

  function draw(answer) {
    for (const marker of markers) marker.remove();
    markers = [badgeMarker(answer.origin, "", "me", "me-marker").addTo(map)];
    fill(notes, answer.notes.map((note) => h("p", { class: "note", "data-note": note.code }, noteText(note, lang))));
    fill(list, answer.features.map((feature, index) => stationItem(feature, index, answer.at)));
    answer.features.forEach((feature, index) => {
      const marker = badgeMarker(feature.geometry.coordinates, String(index + 1), "", `station-marker-${feature.properties.id}`);
      marker.getElement().addEventListener("click", (event) => {
        event.stopPropagation(); // a click on a station chooses it; it does not move "me"
        choose(feature.properties.id);
      });
      markers.push(marker.addTo(map));
    });
    status.textContent = answer.features.length ? t.worker_found(answer.features.length) : t.worker_none;
    const first = answer.features[0];
    state.selected = null;
    if (first) choose(first.properties.id, false);
    else routeReady.then(() => setOverlay(map, "route", emptyCollection()));
    fitPoints(map, [answer.origin, ...answer.features.map((f) => f.geometry.coordinates)]);
    list.dataset.state = "ready";
    performance.mark("warmmap:stations-drawn");
  }

  function stationItem(feature, index, atTime) {
    const p = feature.properties;
    const opening = p.open_now === true
      ? h("span", { class: "open" }, p.closes_at ? t.open_until(clock(p.closes_at, atTime)) : t.open_24h)
      : p.open_now === false
        ? h("span", { class: "closed" }, p.opens_at ? t.closed_opens(clock(p.opens_at, atTime)) : t.closed)
        : h("span", { class: "muted" }, t.hours_unknown);
    const nav = ["amap", "baidu", "tencent"].map((app) =>
      h("a", { class: "button", href: p.navigation[app], target: "_blank", rel: "noopener", "data-testid": `nav-${app}` }, t.apps[app]));
    return h("li", { "data-station-id": p.id, "aria-selected": "false", onclick: () => choose(p.id) },
      h("div", {}, h("span", { class: "badge" }, index + 1), h("span", { class: "station-name" }, p.name)),
      h("div", { class: "muted" }, `${distance(t, p.distance_m)} · ${t.walk} ${minutes(t, p.walk_min)} · ${t.ride} ${minutes(t, p.ride_min)}`),
      h("div", {}, opening, p.phone ? [" · ", h("a", { href: `tel:${p.phone}`, "data-testid": "station-phone" }, p.phone)] : null),
      p.address ? h("div", { class: "muted" }, p.address) : null,
      p.amenities.length ? h("div", { class: "muted" }, p.amenities.map((a) => t.amenities[a] ?? a).join(" · ")) : null,
      h("div", { class: "row" }, t.navigate, nav));
  }

  function choose(stationId, scroll = true) {
    const feature = state.answer?.features.find((f) => f.properties.id === stationId);
    if (!feature) return;
    state.selected = stationId;
    for (const item of list.children) item.setAttribute("aria-selected", String(Number(item.dataset.stationId) === stationId));
    const line = { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: [state.answer.origin, feature.geometry.coordinates] } };
    routeReady.then(() => setOverlay(map, "route", { type: "FeatureCollection", features: [line] }));
    if (scroll) list.querySelector(`[data-station-id="${stationId}"]`)?.scrollIntoView({ block: "nearest" });
  }

  function setPoint(point) {
    state.point = point;
    reportButton.disabled = false;
    fill(report);
    refresh();
  }

  function locateMe() {
    if (!navigator.geolocation) {
      status.textContent = t.no_geolocation;
      return;
    }
    status.textContent = t.locating;
    navigator.geolocation.getCurrentPosition(
      (position) => setPoint({ lon: position.coords.longitude, lat: position.coords.latitude, crs: "wgs84" }),
      () => { status.textContent = t.no_geolocation; },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }

  // The stations of a point in the URL are asked for at once: the list and the markers need
  // no style; only the line to the chosen station waits for the map to load.
  if (params.lon !== null && params.lat !== null) setPoint({ lon: params.lon, lat: params.lat, crs: params.crs });
  map.on("click", (event) => setPoint({ lon: event.lngLat.lng, lat: event.lngLat.lat, crs: "wgs84" }));
}
