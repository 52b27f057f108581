// Shaping the API's numbers for reading (the numbers themselves all come from the API).

export function distance(t, metres) {
  return metres < 1000 ? `${Math.round(metres)} ${t.unit_m}` : `${(metres / 1000).toFixed(1)} ${t.unit_km}`;
}

export function minutes(t, value) {
  return `${Math.round(value)} ${t.unit_min}`;
}

// "21:00" from "2026-11-30T21:00:00+08:00"; with the date when it is not the day of `at`.
export function clock(iso, at) {
  if (!iso) return "";
  const day = iso.slice(0, 10);
  const time = iso.slice(11, 16);
  return at && at.slice(0, 10) !== day ? `${day.slice(5)} ${time}` : time;
}

export function share(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value * 100)}%`;
}

export function count(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-US");
}

// A note of the API in the page's language.
export function noteText(note, lang) {
  return lang === "zh" ? note.message_zh : note.message;
}
