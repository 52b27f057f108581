// The planner's or grid manager's API key: typed once, kept for this tab in session storage,
// sent only as the X-API-Key header (never in a URL).
import { fill, h } from "./dom.js";

const STORAGE = "warmmap.apiKey";

export function storedKey() {
  return sessionStorage.getItem(STORAGE);
}

export function forgetKey() {
  sessionStorage.removeItem(STORAGE);
}

// A form asking for the key; `done` runs once it is stored.
export function keyForm(t, done) {
  const input = h("input", {
    type: "password", autocomplete: "off", "data-testid": "api-key", placeholder: "wm_…", size: 30,
  });
  const form = h("form", { class: "key-form", "data-testid": "key-form" },
    h("label", {}, t.key_prompt, h("br"), input),
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit", "data-testid": "key-save" }, t.key_save)),
    h("p", { class: "hint" }, t.key_hint));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    sessionStorage.setItem(STORAGE, input.value.trim());
    done();
  });
  return form;
}

// Build a view that needs a key once there is one; until then the panel asks for it.
export function withKey(context, title, build) {
  if (storedKey()) {
    build(context);
    return;
  }
  fill(context.panel, h("h2", {}, title), keyForm(context.t, () => withKey(context, title, build)));
}

export function signOutButton(t) {
  return h("button", { type: "button", onclick: () => { forgetKey(); location.reload(); } }, t.key_forget);
}
