// The dashboard's calls to the native API, with the token the user pasted in the header.
import { $, parseExact } from "./dom.js";

const TOKEN_KEY = "topics.dashboard.token";

/** What the user saved: one token, or a principal token and a share token separated by a space. */
export function token() { try { return localStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; } }
export function setToken(t) {
  try { if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ }
}

/**
 * The credential headers for the saved token(s) (docs/API.md, "Credentials"): a topic
 * share token (`tk_…`) travels as `X-Topic-Token`, anything else (the admin token, a
 * principal's `tpk_…`) as `Authorization: Bearer`. Both may be given, separated by
 * whitespace; the server then grants the principal's rights and the share's.
 */
export function credentialHeaders(saved = token()) {
  const h = {};
  for (const t of saved.split(/[\s,]+/).filter(Boolean)) {
    if (t.startsWith("tk_")) { if (!h["X-Topic-Token"]) h["X-Topic-Token"] = t; }
    else if (!h["Authorization"]) h["Authorization"] = "Bearer " + t;
  }
  return h;
}

/** A short description of how the saved token is sent, for the header. */
export function tokenKind(saved = token()) {
  const h = credentialHeaders(saved);
  const parts = [];
  if (h["Authorization"]) parts.push("Bearer");
  if (h["X-Topic-Token"]) parts.push("X-Topic-Token (share)");
  return parts.length ? "sent as " + parts.join(" + ") : "no token";
}

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

/**
 * fetch against the native API; body is a JSON string (built by the caller) or undefined.
 * With `exact`, numbers that JSON.parse would round (record data) keep their digits.
 */
export async function api(method, path, body, { exact = false } = {}) {
  const headers = { "Accept": "application/json", ...credentialHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, "network_error", "cannot reach the server (" + e.message + ")");
  }
  const text = await res.text();
  let json = null;
  try { json = text ? (exact && res.ok ? parseExact(text) : JSON.parse(text)) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const err = json && json.error ? json.error : {};
    throw new ApiError(res.status, err.code || "http_" + res.status, err.message || res.statusText || "request failed");
  }
  return json;
}

/** True for a refusal of the caller's rights (the view is then shown as not available). */
export const refused = (e) => e instanceof ApiError && (e.status === 401 || e.status === 403);

export function describe(err) {
  if (err instanceof ApiError) {
    let hint = "";
    if (err.status === 401) hint = " — enter a valid token above";
    else if (err.status === 403) hint = " — this token is not allowed to do that";
    return `${err.status ? err.status + " " : ""}${err.code}: ${err.message}${hint}`;
  }
  return String(err && err.message ? err.message : err);
}

let errorTimer = null;
export function showError(context, err) {
  const bar = $("error-bar");
  bar.textContent = context + ": " + describe(err);
  bar.hidden = false;
  bar.dataset.code = err instanceof ApiError ? err.code : "error";
  bar.dataset.status = err instanceof ApiError ? String(err.status) : "";
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { bar.hidden = true; }, 15000);
}
export function clearError() { $("error-bar").hidden = true; }

export function setStatus(form, text, ok) {
  const s = form.querySelector(".form-status");
  s.textContent = text;
  s.dataset.ok = ok ? "true" : "false";
}

export const enc = encodeURIComponent;

// JSON bodies are built from validated pieces so large integers keep their exact digits.
export const U64 = /^\d{1,20}$/;
export function jsonObject(entries) {
  return "{" + entries.map(([k, raw]) => JSON.stringify(k) + ":" + raw).join(",") + "}";
}
export function u64Field(form, name, entries) {
  const v = form.elements[name].value.trim();
  if (v === "") return;
  if (!U64.test(v)) throw new Error(name + " must be a non-negative integer");
  entries.push([name, v.replace(/^0+(?=\d)/, "")]);
}
