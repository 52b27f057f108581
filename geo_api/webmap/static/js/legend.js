// Colour ramps shared by the map's layers and their legends (one definition for both).
import { h } from "./dom.js";

export const RIDER_STEPS = [[1, "#d0ebff"], [10, "#74c0fc"], [30, "#339af0"], [80, "#1c7ed6"], [200, "#0b3d91"]];
export const SHARE_STEPS = [[0, "#c92a2a"], [0.25, "#f76707"], [0.5, "#fab005"], [0.75, "#94d82d"], [1, "#2b8a3e"]];

// A MapLibre step expression over `value` for a ramp.
export function stepColour(value, steps) {
  const expression = ["step", value, steps[0][1]];
  for (const [limit, colour] of steps.slice(1)) expression.push(limit, colour);
  return expression;
}

// A ramp's legend: its title, the colours, and the labels of its two ends.
export function legend(title, steps, [low, high], testid) {
  return h("div", { class: "legend", "data-testid": testid }, title, ` ${low} `,
    steps.map(([, colour]) => h("span", { style: { background: colour } })), ` ${high}`);
}
