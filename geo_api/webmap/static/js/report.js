// "Report a problem here": a case filed with POST /cases at the worker's point, in one of the
// categories the service offers (GET /cases/categories).
import { api, ApiError } from "./api.js";
import { fill, h } from "./dom.js";

let categories = null;

async function loadCategories() {
  categories ??= api("cases/categories").then((answer) => answer.data);
  return categories;
}

export function reportForm({ t, lang, point, onClose }) {
  const select = h("select", { "data-testid": "report-category", required: true });
  const description = h("textarea", { "data-testid": "report-description", maxlength: 1000, placeholder: t.report_placeholder });
  const outcome = h("div", { "data-testid": "report-outcome" });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "report-submit" }, t.report_submit);
  const form = h("form", { "data-testid": "report-form" },
    h("fieldset", {},
      h("legend", {}, t.report_here),
      h("label", {}, t.report_category, " ", select),
      h("div", {}, description),
      h("div", { class: "row" }, submit, h("button", { type: "button", onclick: onClose }, t.cancel)),
      outcome));

  loadCategories().then((list) => {
    fill(select, list.map((c) => h("option", { value: c.code }, lang === "zh" ? c.name_zh : c.name_en)));
  }).catch(() => fill(outcome, h("p", { class: "error" }, t.failed)));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const receipt = await api("cases", {
        method: "POST",
        body: { lon: point.lon, lat: point.lat, crs: point.crs, category: select.value, description: description.value || null },
      });
      fill(outcome, h("div", { class: "note", "data-testid": "report-receipt", "data-case-id": receipt.id },
        h("p", {}, t.report_done(receipt.id, receipt.routed_to.name ?? receipt.routed_to.adcode, receipt.due_at.slice(0, 16).replace("T", " "))),
        h("p", {}, t.report_token, " ", h("code", {}, receipt.token))));
    } catch (error) {
      submit.disabled = false;
      fill(outcome, h("p", { class: "error" }, error instanceof ApiError ? error.message : t.failed));
    }
  });
  return form;
}
