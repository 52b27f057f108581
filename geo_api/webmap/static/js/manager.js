// The grid manager's view: the outlets of a scope coloured by whether they have their two
// liaisons (the API's /outlets/unassigned says which are missing), a click assigns them, the
// auto-assigner's dry run then apply, and the case queue, overdue first, with its moves.
import { api, ApiError } from "./api.js";
import { emptyCollection, fitPoints, setOverlay, whenLoaded } from "./basemap.js";
import { fill, h } from "./dom.js";
import { signOutButton, withKey } from "./key.js";
import { caseQueue } from "./queue.js";

const STATE_COLOURS = { all: "#2b8a3e", part: "#f59f00", none: "#c92a2a" };
const ROLES = ["community", "police"];

// The query parameter naming an area by the length of its code (street 9, community 12).
export function areaParams(scope) {
  return scope.length === 9 ? { street: scope } : { community: scope };
}

export function managerView(context) {
  withKey(context, context.t.manager_title, manager);
}

function manager({ map, panel, t, lang, params }) {
  const state = { outlets: null };
  const scope = h("input", { "data-testid": "scope", size: 13, inputmode: "numeric", value: params.query.get("scope") ?? "" });
  const summary = h("div", { class: "totals", "data-testid": "outlet-summary" });
  const outletPanel = h("div", { "data-testid": "outlet-panel" }, h("p", { class: "hint" }, t.outlet_pick));
  const auto = h("div", { "data-testid": "auto-area" });
  const queue = h("div", { "data-testid": "case-queue" });

  fill(panel,
    h("div", { class: "row" }, h("h2", {}, t.manager_title), signOutButton(t)),
    h("div", { class: "row" }, h("label", {}, t.scope, " ", scope), h("button", { type: "button", "data-testid": "manager-show", onclick: show }, t.show)),
    h("h3", {}, t.outlets_title), summary,
    h("div", { class: "row" }, Object.entries(STATE_COLOURS).map(([name, colour]) =>
      h("span", {}, h("span", { class: "swatch", style: { background: colour } }), t[`assigned_${name}`]))),
    outletPanel,
    h("h3", {}, t.auto_title), auto,
    h("h3", {}, t.queue_title), queue);

  // A new scope: its outlets, the auto-assigner's form and the case queue.
  function show() {
    const area = scope.value.trim();
    fill(auto, autoForm(area));
    fill(queue, caseQueue({ t, lang, scope: area, message }));
    return loadOutlets(area);
  }

  async function loadOutlets(area) {
    summary.dataset.state = "loading";
    try {
      const [outlets, missing] = await Promise.all([
        api("outlets", { params: { ...areaParams(area), limit: 1000 }, key: true }),
        api("outlets/unassigned", { params: { ...areaParams(area), limit: 1000 }, key: true }),
      ]);
      drawOutlets(outlets, missing);
      summary.dataset.state = "ready";
    } catch (error) {
      fill(summary, h("p", { class: "error" }, message(error)));
      summary.dataset.state = "error";
    }
  }

  function drawOutlets(outlets, missing) {
    const lacking = new Map(missing.data.map((m) => [m.id, m.missing.length]));
    const features = outlets.features.map((feature) => {
      const gaps = lacking.get(feature.properties.id) ?? 0;
      const assignment = gaps === 0 ? "all" : gaps === ROLES.length ? "none" : "part";
      return { ...feature, properties: { id: feature.properties.id, assignment } };
    });
    state.outlets = new Map(outlets.features.map((f) => [f.properties.id, f]));
    setOverlay(map, "outlets", { type: "FeatureCollection", features });
    fill(summary, h("p", { "data-testid": "unassigned-total", "data-total": missing.total },
      `${t.outlets}: ${outlets.numberMatched} · ${t.assigned_part}/${t.assigned_none}: ${missing.total}`));
    const points = features.map((f) => f.geometry.coordinates);
    if (points.length) fitPoints(map, points, 15);
  }

  async function pick(outletId) {
    const outlet = state.outlets?.get(outletId);
    if (!outlet) return;
    const p = outlet.properties;
    outletPanel.dataset.outletId = outletId;
    setOverlay(map, "outlet-picked", { type: "FeatureCollection", features: [outlet] });
    fill(outletPanel, h("p", { class: "hint" }, "…"));
    try {
      const liaisons = await api("liaisons", { params: { community: p.community_adcode, active: true, limit: 1000 }, key: true });
      const current = await api(`outlets/${outletId}/liaisons`, { key: true });
      fill(outletPanel, assignForm(outletId, p, liaisons.data, current));
    } catch (error) {
      fill(outletPanel, h("p", { class: "error" }, message(error)));
    }
  }

  function assignForm(outletId, outlet, liaisons, current) {
    const selects = Object.fromEntries(ROLES.map((role) => [role, h("select", { "data-testid": `assign-${role}` },
      h("option", { value: "" }, "—"),
      liaisons.filter((l) => l.role === role).map((l) => h("option", {
        value: l.id, selected: current[role]?.liaison.id === l.id,
      }, `${l.name} · ${l.organization ?? ""} (${l.current_outlets ?? 0})`)))]));
    const outcome = h("div", { "data-testid": "assign-outcome" });
    const form = h("form", { "data-testid": "assign-form" },
      h("p", {}, h("strong", {}, outlet.name), ` · ${t.riders} ${outlet.riders}`),
      ROLES.map((role) => h("div", { class: "row" }, h("label", {}, t[`role_${role}`], " ", selects[role]))),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", "data-testid": "assign-save" }, t.assign)), outcome);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {};
      for (const role of ROLES) if (selects[role].value) body[role] = Number(selects[role].value);
      try {
        await api(`outlets/${outletId}/liaisons`, { method: "PUT", body, key: true });
        fill(outcome, h("p", { class: "note", "data-testid": "assign-done" }, t.assigned_ok));
        await loadOutlets(scope.value.trim());
      } catch (error) {
        fill(outcome, h("p", { class: "error" }, message(error)));
      }
    });
    return form;
  }

  function autoForm(area) {
    const role = h("select", { "data-testid": "auto-role" }, ROLES.map((r) => h("option", { value: r }, t[`role_${r}`])));
    const most = h("input", { type: "number", min: 1, value: 30, size: 4, "data-testid": "auto-max" });
    const result = h("div", { "data-testid": "auto-result" });
    const apply = h("button", { type: "button", class: "primary", disabled: true, "data-testid": "auto-apply", onclick: () => run(false) }, t.auto_apply);
    const dry = h("button", { type: "button", "data-testid": "auto-dry", onclick: () => run(true) }, t.auto_dry);
    async function run(dryRun) {
      try {
        const answer = await api("assignments/auto", {
          method: "POST", key: true,
          body: { scope_adcode: area, role: role.value, max_per_liaison: Number(most.value), keep_existing: true, dry_run: dryRun },
        });
        fill(result, h("p", { class: answer.feasible ? "note" : "error", "data-applied": String(answer.applied), "data-assignments": answer.assignments.length },
          answer.feasible ? "" : `${t.auto_infeasible} ${answer.reason ?? ""} `,
          t.auto_result(answer.assignments.length, (answer.total_distance_m / 1000).toFixed(1), answer.unassigned.length)));
        apply.disabled = !dryRun;
        if (!dryRun) await loadOutlets(area);
      } catch (error) {
        fill(result, h("p", { class: "error" }, message(error)));
      }
    }
    for (const input of [role, most]) input.addEventListener("change", () => { apply.disabled = true; });
    return h("div", {}, h("div", { class: "row" }, h("label", {}, t.auto_role, " ", role), h("label", {}, t.auto_max, " ", most)),
      h("div", { class: "row" }, dry, apply), result);
  }

  function message(error) {
    return error instanceof ApiError ? error.message : t.failed;
  }

  whenLoaded(map).then(() => {
    setOverlay(map, "outlets", emptyCollection());
    map.addLayer({
      id: "outlets-dot", type: "circle", source: "outlets",
      paint: {
        "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
        "circle-color": ["match", ["get", "assignment"], "all", STATE_COLOURS.all, "part", STATE_COLOURS.part, STATE_COLOURS.none],
      },
    });
    setOverlay(map, "outlet-picked", emptyCollection());
    map.addLayer({
      id: "outlet-picked-ring", type: "circle", source: "outlet-picked",
      paint: { "circle-radius": 12, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#1971c2", "circle-stroke-width": 3 },
    });
    map.on("click", "outlets-dot", (event) => pick(event.features[0].properties.id));
    map.on("mouseenter", "outlets-dot", () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "outlets-dot", () => { map.getCanvas().style.cursor = ""; });
    if (scope.value) show();
  });
}
