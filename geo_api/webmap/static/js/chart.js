// The coverage curve of a site plan as inline SVG: riders covered for p = 0 (before) .. p.
const NS = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text = null) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

// points: [{p, covered_riders}], with p = 0 for the riders covered before any new site.
export function coverageCurve(points, total, title) {
  const width = 360, height = 140, left = 46, right = 8, top = 16, bottom = 22;
  const maxP = Math.max(1, ...points.map((d) => d.p));
  const low = Math.min(...points.map((d) => d.covered_riders));
  const high = Math.max(total, ...points.map((d) => d.covered_riders));
  const x = (p) => left + (p / maxP) * (width - left - right);
  const y = (v) => top + (1 - (v - low) / Math.max(1, high - low)) * (height - top - bottom);
  const chart = svg("svg", { class: "curve", viewBox: `0 0 ${width} ${height}`, role: "img", "data-testid": "coverage-curve" });
  chart.append(svg("title", {}, title));
  chart.append(svg("line", { x1: left, y1: y(total), x2: width - right, y2: y(total), stroke: "#adb5bd", "stroke-dasharray": "4 3" }));
  chart.append(svg("text", { x: width - right, y: y(total) - 3, "text-anchor": "end" }, String(total)));
  chart.append(svg("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: "#868e96" }));
  chart.append(svg("line", { x1: left, y1: top, x2: left, y2: height - bottom, stroke: "#868e96" }));
  chart.append(svg("text", { x: left - 4, y: y(low) + 3, "text-anchor": "end" }, String(low)));
  chart.append(svg("polyline", {
    points: points.map((d) => `${x(d.p)},${y(d.covered_riders)}`).join(" "),
    fill: "none", stroke: "#6741d9", "stroke-width": 2,
  }));
  for (const d of points) {
    chart.append(svg("circle", { cx: x(d.p), cy: y(d.covered_riders), r: 3, fill: "#6741d9", "data-p": d.p, "data-riders": d.covered_riders }));
    chart.append(svg("text", { x: x(d.p), y: height - 6, "text-anchor": "middle" }, String(d.p)));
  }
  return chart;
}
