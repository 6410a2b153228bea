// DOM and formatting helpers of the dashboard. Every string from the server goes into the
// page through textContent / createElement, never parsed as HTML: record data is untrusted.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = String(v);
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "title" || k === "role" || k === "tabindex" || k === "id" || k === "type") {
      e.setAttribute(k, String(v));
    } else e[k] = v;
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A table cell; on narrow screens tables become cards and `label` names the value (CSS attr()). */
export function td(label, attrs = {}, ...children) {
  const { text, ...rest } = attrs;
  const value = el("div", { class: "v" }, ...(text !== undefined && text !== null ? [String(text)] : []), ...children);
  return el("td", { ...rest, "data-label": label }, value);
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

export function fmtBytes(n) {
  if (typeof n !== "number") return String(n ?? "");
  if (n < 1024) return n + " B";
  const u = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return v.toFixed(v < 10 ? 1 : 0) + " " + u[i];
}

/** Local time, to the millisecond, as records show it (and as "Go to time" reads it back). */
export function fmtTs(ms) {
  if (typeof ms !== "number") return "";
  const d = new Date(ms);
  const p = (x, n = 2) => String(x).padStart(n, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** An RFC 3339 time from the server, shown like record times; "—" for null. */
export function fmtTime(rfc) {
  if (!rfc) return "—";
  const ms = Date.parse(rfc);
  return Number.isNaN(ms) ? String(rfc) : fmtTs(ms).slice(0, 19);
}

/**
 * Reads a time typed into "Go to time": ms since the epoch (digits), RFC 3339 with Z or an
 * offset, or a local "YYYY-MM-DD HH:MM[:SS[.mmm]]" as records show it. NaN when unreadable.
 */
export function parseTime(text) {
  const s = text.trim();
  if (/^\d{1,16}$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) return NaN;
  if (m[8]) return Date.parse(s.replace(" ", "T"));
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map((x) => Number(x ?? "0"));
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  return new Date(y, mo - 1, d, h, mi, se, ms).getTime();
}

// Parse stream payloads keeping every number's exact digits for display: where the
// browser supports JSON.parse source access and JSON.rawJSON, a number that would lose
// digits (12345678901234567890, 1.0) is kept as raw JSON and printed back unchanged.
const RAW_JSON = typeof JSON.rawJSON === "function";
function exactReviver(key, value, ctx) {
  if (RAW_JSON && typeof value === "number" && ctx && typeof ctx.source === "string" && String(value) !== ctx.source) {
    return JSON.rawJSON(ctx.source);
  }
  return value;
}
export const parseExact = (text) => JSON.parse(text, exactReviver);
