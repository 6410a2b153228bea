// Live charts of the selected topic, drawn as inline SVG: its write rate, and the lag of
// each router reading it and each of its subscriptions. The server keeps counters, not
// history, so the page samples them every SAMPLE_MS and keeps the last WINDOW_MS.
import { $, el, clear } from "./dom.js";
import { api, enc, refused, describe } from "./api.js";

const SAMPLE_MS = 2000;
const WINDOW_MS = 180_000;
const SVG = "http://www.w3.org/2000/svg";
const W = 320, H = 90;

let topic = null;
let timer = null;
let series = new Map(); // key → {title, unit, lines: [{name, points: [[t, v]]}]}
let lastHead = null;    // [t, head_seq] of the previous sample, for records/s

/** Starts sampling `name` (null stops). */
export function chartTopic(name) {
  clearInterval(timer);
  topic = name;
  series = new Map();
  lastHead = null;
  clear($("charts"));
  $("charts-note").textContent = "";
  if (!name) return;
  sample();
  timer = setInterval(() => { if (!document.hidden) sample(); }, SAMPLE_MS);
}

function push(key, title, lineNames, values, t) {
  let s = series.get(key);
  if (!s) {
    s = { title, lines: lineNames.map((n) => ({ name: n, points: [] })) };
    series.set(key, s);
  }
  s.lines.forEach((line, i) => {
    if (values[i] === null || values[i] === undefined) return;
    line.points.push([t, values[i]]);
    while (line.points.length && line.points[0][0] < t - WINDOW_MS) line.points.shift();
  });
  s.seen = t;
}

async function sample() {
  const name = topic;
  const t = Date.now();
  const notes = [];
  const [stats, info, routers, subs] = await Promise.allSettled([
    api("GET", "/v0/topics/" + enc(name) + "/stats"),
    api("GET", "/v0/topics/" + enc(name)),
    api("GET", "/v0/routers"),
    api("GET", "/v0/topics/" + enc(name) + "/subscriptions"),
  ]);
  if (topic !== name) return;

  // writes: the server's one-minute count of write requests as a per-second average, and
  // the records per second between two samples of head_seq (needs only read)
  let perSec = null, recPerSec = null;
  if (stats.status === "fulfilled") perSec = stats.value.activity.writes_1m / 60;
  else notes.push(refused(stats.reason) ? "write requests/s needs the admin (stats); records/s is from head_seq" : "stats: " + describe(stats.reason));
  if (info.status === "fulfilled") {
    const head = info.value.head_seq;
    if (lastHead && head >= lastHead[1]) recPerSec = (head - lastHead[1]) * 1000 / (t - lastHead[0]);
    lastHead = [t, head];
  }
  push("writes", "Writes per second", ["write requests/s (1-min avg)", "records/s"], [perSec, recPerSec], t);

  if (routers.status === "fulfilled") {
    for (const r of routers.value.routers) {
      if (r.source === name) push("router:" + r.router, "Router lag: " + r.router, ["lag (records)"], [r.lag], t);
    }
  }
  if (subs.status === "fulfilled") {
    for (const s of subs.value.subscriptions) push("sub:" + s.subscription, "Subscription lag: " + s.subscription, ["lag (records)"], [s.lag], t);
  } else if (!refused(subs.reason)) notes.push("subscriptions: " + describe(subs.reason));

  for (const [key, s] of series) if (s.seen !== t) series.delete(key); // router or subscription gone
  $("charts-note").textContent = notes.join(" · ");
  render(t);
}

function niceMax(v) {
  if (v <= 1) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
const fmt = (v) => (v === null || v === undefined ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1));

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function render(now) {
  const box = $("charts");
  clear(box);
  for (const [key, s] of series) {
    const all = s.lines.flatMap((l) => l.points.map((p) => p[1]));
    const max = niceMax(Math.max(0, ...all));
    const x = (t) => ((t - (now - WINDOW_MS)) / WINDOW_MS) * W;
    const y = (v) => H - 4 - (v / max) * (H - 8);
    const last = s.lines.map((l) => (l.points.length ? l.points[l.points.length - 1][1] : null));
    const label = s.title + ": " + s.lines.map((l, i) => `${l.name} ${fmt(last[i])}`).join(", ") + `; scale 0–${max}; last 3 minutes`;
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img", "aria-label": label, class: "spark" });
    const title = svgEl("title", {});
    title.textContent = label;
    svg.append(title);
    for (const f of [0.5, 1]) svg.append(svgEl("line", { x1: 0, x2: W, y1: y(max * f), y2: y(max * f), class: "grid" }));
    s.lines.forEach((l, i) => {
      if (!l.points.length) return;
      const pts = l.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      svg.append(svgEl("polyline", { points: pts, class: "line line-" + i, "data-test": "chart-line" }));
    });
    const legend = el("ul", { class: "legend" }, ...s.lines.map((l, i) =>
      el("li", { class: "key-" + i }, el("span", { class: "swatch", "aria-hidden": "true" }), l.name + " ",
        el("strong", { "data-test": "chart-value", text: fmt(last[i]) }))));
    box.append(el("figure", { class: "chart", "data-test": "chart", "data-series": key, "data-last": last.map((v) => v ?? "").join(","),
      "data-max": max, "data-points": Math.max(...s.lines.map((l) => l.points.length)) },
    el("figcaption", {}, el("span", { class: "chart-title", text: s.title }), el("span", { class: "muted small", text: `0–${max} · last 3 min` })),
    svg, legend));
  }
  if (!series.size) box.append(el("p", { class: "muted", text: "No samples yet." }));
}
