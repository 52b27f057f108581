// The web map's entry: read the URL (view, lang, lon, lat, crs), draw the header, make the
// map, and hand both to the chosen view's module.
import { api } from "./api.js";
import { createMap, whenLoaded } from "./basemap.js";
import { fill, h } from "./dom.js";
import { managerView } from "./manager.js";
import { plannerView } from "./planner.js";
import en from "./strings/en.js";
import zh from "./strings/zh.js";
import { workerView } from "./worker.js";

const VIEWS = { worker: workerView, planner: plannerView, manager: managerView };

function readParams() {
  const query = new URLSearchParams(location.search);
  const number = (name) => (query.get(name) === null || query.get(name) === "" ? null : Number(query.get(name)));
  return {
    view: query.get("view") in VIEWS ? query.get("view") : "worker",
    lang: query.get("lang") === "en" ? "en" : "zh",
    lon: number("lon"),
    lat: number("lat"),
    crs: query.get("crs") || "wgs84",
    city: query.get("city"),
    query,
  };
}

function linkTo(params, changes) {
  const query = new URLSearchParams(params.query);
  for (const [name, value] of Object.entries(changes)) query.set(name, value);
  return `?${query}`;
}

function header(params, t) {
  document.title = `${t.title} · ${t.views[params.view]}`;
  document.querySelector("[data-testid=title]").textContent = t.title;
  fill(document.querySelector("[data-testid=views]"), Object.keys(VIEWS).map((view) =>
    h("a", { href: linkTo(params, { view }), "aria-current": view === params.view ? "page" : null, "data-view": view }, t.views[view])));
  const other = document.querySelector("[data-testid=lang-switch]");
  other.textContent = t.other_lang;
  other.href = linkTo(params, { lang: params.lang === "zh" ? "en" : "zh" });
}

// Where the map starts: the asked point; else around a station (the extent of every station
// may span China, zoomed out below our layers' first zoom); else the districts loaded.
async function start(params) {
  if (params.lon !== null && params.lat !== null) return { center: [params.lon, params.lat], zoom: 14 };
  try {
    const [station] = (await api("stations", { params: { limit: 1 } })).features;
    if (station) return { center: station.geometry.coordinates, zoom: 11 };
    const [west, south, east, north] = (await api("tiles/districts.json")).bounds;
    return { center: [(west + east) / 2, (south + north) / 2], zoom: 4, bounds: [[west, south], [east, north]] };
  } catch {
    return { center: [104.07, 30.66], zoom: 4 };
  }
}

async function main() {
  performance.mark("warmmap:start"); // MapLibre and the modules are loaded and parsed
  const params = readParams();
  const t = params.lang === "en" ? en : zh;
  document.documentElement.lang = params.lang === "en" ? "en" : "zh-CN";
  header(params, t);
  const view = await start(params);
  const map = createMap(document.getElementById("map"), view);
  performance.mark("warmmap:map-created");
  if (view.bounds) map.fitBounds(view.bounds, { padding: 20, duration: 0 });
  VIEWS[params.view]({ map, panel: document.getElementById("panel"), t, lang: params.lang, params });
  globalThis.warmmap = { map }; // for users' own automation
  // Tests and automation wait for this rather than for a script (the page's CSP forbids eval).
  // data-idle: every tile and overlay asked for is drawn (screenshots wait for it).
  whenLoaded(map).then(() => { map.getContainer().dataset.state = "loaded"; });
  map.on("idle", () => { map.getContainer().dataset.idle = "true"; });
  map.on("dataloading", () => { map.getContainer().dataset.idle = "false"; });
}

main();
