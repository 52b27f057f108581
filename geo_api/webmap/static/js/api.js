// Calls to warmmap's API, relative to the page (so a prefix in front of warmmap still works).
// A key, when the view needs one, comes from session storage and travels as X-API-Key only.
import { storedKey } from "./key.js";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function url(path, params = {}) {
  const address = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    for (const one of Array.isArray(value) ? value : [value]) address.searchParams.append(name, one);
  }
  return address.toString();
}

export async function api(path, { params = {}, method = "GET", body, key = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key && storedKey()) headers["X-API-Key"] = storedKey();
  const response = await fetch(url(path, params), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const answer = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, answer?.detail ?? response.statusText);
  return answer;
}
