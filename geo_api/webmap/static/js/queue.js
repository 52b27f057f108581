// A grid manager's case queue (GET /cases, overdue first) and its moves (POST
// /cases/{id}/transitions). The lifecycle's rules are the API's: a move it forbids comes back
// as its one-line 409, shown next to the case.
import { api } from "./api.js";
import { fill, h } from "./dom.js";

const STATUSES = ["reported", "accepted", "dispatched", "resolved", "verified", "closed", "rejected", "duplicate"];
const PAGE = 50;

let categories = null;

export function caseQueue({ t, lang, scope, message }) {
  const overdue = h("input", { type: "checkbox", "data-testid": "overdue-only", onchange: load });
  const list = h("ol", { class: "case-list", "data-testid": "case-list" });
  const box = h("div", {}, h("label", {}, overdue, " ", t.overdue_only), list);

  async function load() {
    list.dataset.state = "loading";
    try {
      categories ??= api("cases/categories").then((a) => new Map(a.data.map((c) => [c.code, c])));
      const [names, queue] = await Promise.all([
        categories,
        api("cases", { params: { scope, overdue: overdue.checked ? "true" : null, limit: PAGE }, key: true }),
      ]);
      fill(list, queue.data.map((item) => caseItem(item, names)));
      list.dataset.total = queue.total;
      list.dataset.state = "ready";
    } catch (error) {
      fill(list, h("li", { class: "error" }, message(error)));
      list.dataset.state = "error";
    }
  }

  function caseItem(item, names) {
    const category = names.get(item.category);
    const to = h("select", { "data-testid": "case-move-to" }, STATUSES.filter((s) => s !== item.status).map((s) => h("option", { value: s }, t.status[s])));
    const outcome = h("span", { "data-testid": "case-move-outcome" });
    const move = h("button", {
      type: "button", "data-testid": "case-move",
      onclick: async () => {
        try {
          await api(`cases/${item.id}/transitions`, { method: "POST", body: { to: to.value }, key: true });
          fill(outcome, t.moved);
          await load();
        } catch (error) {
          fill(outcome, h("span", { class: "error" }, message(error)));
        }
      },
    }, t.move_to);
    return h("li", { "data-case-id": item.id, "data-status": item.status, "data-overdue": String(item.overdue) },
      h("span", { class: item.overdue ? "overdue" : "" }, `#${item.id} `),
      category ? (lang === "zh" ? category.name_zh : category.name_en) : item.category,
      ` · ${t.status[item.status] ?? item.status} · ${t.due} ${item.due_at.slice(0, 16).replace("T", " ")}`,
      h("div", { class: "row" }, move, to, outcome));
  }

  load();
  return box;
}
