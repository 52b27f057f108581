// The planner view: gap cells coloured by riders, community or street coverage, the worst
// areas, a site plan with its coverage curve, and cases per area. Every figure is the API's.
import { api, ApiError } from "./api.js";
import { badgeMarker, emptyCollection, fitPoints, setOverlay, whenLoaded } from "./basemap.js";
import { coverageCurve } from "./chart.js";
import { fill, h } from "./dom.js";
import { count, noteText, share } from "./format.js";
import { signOutButton, withKey } from "./key.js";
import { legend, RIDER_STEPS, SHARE_STEPS, stepColour } from "./legend.js";

const THRESHOLDS = [500, 1000, 2000, 3000];
const GAP_LIMIT = 5000;
const WORST = 10;

// The coverage of each area (from /coverage/communities) as a colour for the tiles' areas.
function shareColour(areas) {
  const byCode = ["match", ["get", "adcode"]];
  for (const area of areas) if (area.covered_share !== null) byCode.push(area.adcode, area.covered_share);
  byCode.push(-1);
  const known = byCode.length > 3 ? byCode : -1;
  return ["case", ["<", known, 0], "rgba(0,0,0,0)", stepColour(known, SHARE_STEPS)];
}

async function defaultCity(params) {
  if (params.city) return params.city;
  const answer = await api("ogc/collections/districts/items", { params: { limit: 1 } });
  const district = answer.features[0]?.properties;
  return district ? district.parent_adcode || district.adcode : "";
}

export function plannerView(context) {
  withKey(context, context.t.planner_title, planner);
}

function planner({ map, panel, t, lang, params }) {
  let siteMarkers = [];
  const city = h("input", { "data-testid": "city", size: 8, inputmode: "numeric" });
  const threshold = h("select", { "data-testid": "threshold" }, THRESHOLDS.map((m) => h("option", { value: m, selected: m === 1000 }, m)));
  const level = h("select", { "data-testid": "level" },
    h("option", { value: "street" }, t.level_street), h("option", { value: "community" }, t.level_community));
  const totals = h("div", { class: "totals", "data-testid": "gap-totals" });
  const worst = h("div", { "data-testid": "worst-areas" });
  const p = h("input", { type: "number", min: 1, max: 50, value: 5, "data-testid": "plan-p", size: 4 });
  const run = h("button", { type: "button", class: "primary", "data-testid": "plan-run", onclick: plan }, t.plan_run);
  const planned = h("div", { "data-testid": "plan-result" });
  const cases = h("div", { "data-testid": "case-stats" });

  fill(panel,
    h("div", { class: "row" }, h("h2", {}, t.planner_title), signOutButton(t)),
    h("div", { class: "row" },
      h("label", {}, t.city, " ", city), h("label", {}, t.threshold, " ", threshold), h("label", {}, t.area_level, " ", level),
      h("button", { type: "button", "data-testid": "planner-show", onclick: show }, t.show)),
    h("h3", {}, t.gaps_title), totals,
    legend(t.legend_riders, RIDER_STEPS, ["1", `${RIDER_STEPS.at(-1)[0]}+`], "gaps-legend"),
    legend(t.legend_share, SHARE_STEPS, ["0%", "100%"], "share-legend"),
    h("h3", {}, t.worst_title), worst,
    h("h3", {}, t.plan_title),
    h("div", { class: "row" }, h("label", {}, t.plan_p, " ", p), run), planned,
    h("h3", {}, t.cases_title), cases);

  async function show() {
    totals.dataset.state = "loading";
    const asked = { city: city.value.trim(), threshold_m: Number(threshold.value) };
    try {
      const [gaps, coverage] = await Promise.all([
        api("coverage/gaps", { params: { ...asked, limit: GAP_LIMIT } }),
        api("coverage/communities", { params: { ...asked, level: level.value } }),
      ]);
      drawGaps(gaps, coverage);
      drawCoverage(coverage);
      totals.dataset.state = "ready";
    } catch (error) {
      fill(totals, h("p", { class: "error" }, message(error)));
      totals.dataset.state = "error";
    }
    caseStats(asked.city);
  }

  function drawGaps(gaps, coverage) {
    setOverlay(map, "gaps", gaps);
    const uncoveredOutlets = coverage.totals.outlets - coverage.totals.covered_outlets;
    fill(totals,
      h("p", {}, h("span", { "data-testid": "gap-count", "data-cells": gaps.uncovered.cells }, t.gaps_summary(count(gaps.uncovered.cells), count(gaps.uncovered.riders)))),
      h("p", { "data-testid": "uncovered-by-outlet", "data-riders": coverage.totals.uncovered_riders }, t.by_outlet(count(coverage.totals.uncovered_riders), count(uncoveredOutlets))),
      [...gaps.notes, ...coverage.notes].map((note) => h("p", { class: "hint", "data-note": note.code }, noteText(note, lang))));
    const corners = gaps.features.map((f) => f.geometry.coordinates[0][0]);
    fitPoints(map, corners, 13);
  }

  function drawCoverage(coverage) {
    const source = coverage.level === "street" ? "streets" : "communities";
    if (map.getLayer("coverage-fill")) map.removeLayer("coverage-fill");
    map.addLayer({
      id: "coverage-fill", type: "fill", source, "source-layer": source,
      paint: { "fill-color": shareColour(coverage.areas), "fill-opacity": 0.45 },
    }, "communities-line");
    fill(worst, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, t.area), h("th", { class: "num" }, t.riders), h("th", { class: "num" }, t.covered), h("th", { class: "num" }, t.share))),
      h("tbody", {}, coverage.areas.slice(0, WORST).map((area) => h("tr", { "data-adcode": area.adcode },
        h("td", {}, area.name), h("td", { class: "num" }, count(area.riders)),
        h("td", { class: "num" }, count(area.covered_riders)), h("td", { class: "num" }, share(area.covered_share)))))));
  }

  async function plan() {
    run.disabled = true;
    fill(planned, h("p", { class: "hint" }, t.plan_running));
    try {
      const answer = await api("plan/sites", {
        method: "POST", key: true,
        body: { city: city.value.trim(), p: Number(p.value), threshold_m: Number(threshold.value), candidates: "cells" },
      });
      drawPlan(answer);
    } catch (error) {
      fill(planned, h("p", { class: "error" }, message(error)));
    } finally {
      run.disabled = false;
    }
  }

  function drawPlan(answer) {
    for (const marker of siteMarkers) marker.remove();
    siteMarkers = answer.sites.map((site, index) => badgeMarker([site.lon, site.lat], String(index + 1), "site", `site-marker-${index + 1}`).addTo(map));
    const curve = [{ p: 0, covered_riders: answer.covered_riders_before }, ...answer.curve];
    fill(planned,
      h("p", { "data-testid": "plan-summary" }, t.plan_result(count(answer.covered_riders_before), count(answer.covered_riders_after), count(answer.total_riders))),
      answer.notes.map((note) => h("p", { class: "note", "data-note": note.code }, noteText(note, lang))),
      h("table", { "data-testid": "plan-sites" },
        h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t.site), h("th", { class: "num" }, t.added))),
        h("tbody", {}, answer.sites.map((site, index) => h("tr", {},
          h("td", {}, index + 1), h("td", {}, site.community_name ?? site.street_name ?? site.name ?? "–"),
          h("td", { class: "num" }, count(site.added_riders)))))),
      h("p", { class: "hint" }, t.curve_title),
      coverageCurve(curve, answer.total_riders, t.curve_title));
    if (answer.sites.length) fitPoints(map, answer.sites.map((s) => [s.lon, s.lat]), 13);
  }

  async function caseStats(code) {
    try {
      const stats = await api("cases/stats", { params: { city: code, level: "street" }, key: true });
      const busiest = [...stats.areas].sort((a, b) => b.open - a.open).slice(0, WORST);
      fill(cases, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, t.area), h("th", { class: "num" }, t.received), h("th", { class: "num" }, t.open), h("th", { class: "num" }, t.overdue), h("th", { class: "num" }, t.resolved))),
        h("tbody", {}, busiest.map((area) => h("tr", { "data-adcode": area.adcode ?? "" },
          h("td", {}, area.name ?? "–"), h("td", { class: "num" }, area.received), h("td", { class: "num" }, area.open),
          h("td", { class: "num" }, area.overdue), h("td", { class: "num" }, area.resolved))))));
    } catch (error) {
      fill(cases, h("p", { class: "error" }, message(error)));
    }
  }

  function message(error) {
    return error instanceof ApiError ? error.message : t.failed;
  }

  whenLoaded(map).then(async () => {
    setOverlay(map, "gaps", emptyCollection());
    map.addLayer({
      id: "gaps-fill", type: "fill", source: "gaps",
      paint: { "fill-color": stepColour(["get", "riders"], RIDER_STEPS), "fill-opacity": 0.75, "fill-outline-color": "#0b3d91" },
    }, "stations-dot");
    // An outline as wide at every zoom, so 400 m cells still show on a whole city.
    map.addLayer({
      id: "gaps-line", type: "line", source: "gaps",
      paint: { "line-color": stepColour(["get", "riders"], RIDER_STEPS), "line-width": 2 },
    }, "stations-dot");
    city.value = await defaultCity(params).catch(() => "");
    show();
  });
}
