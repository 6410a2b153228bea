// topics dashboard (README, "Dashboard"). Plain ES module, no framework, no build step.
// Every string from the server is put into the page with textContent / createElement,
// never parsed as HTML: record data is untrusted.

const TOKEN_KEY = "topics.dashboard.token";
const MAX_ROWS = 500;          // records kept in the view (oldest dropped)
const BACKLOG = 200;           // on select, start this many seqs before the head
const TOPICS_EVERY_MS = 3000;
const ROUTERS_EVERY_MS = 5000;

const $ = (id) => document.getElementById(id);

// ---------- small DOM helpers (text only) ----------
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = String(v);
    else if (k.startsWith("data-") || k === "title" || k === "role" || k === "tabindex" || k === "id") e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function fmtBytes(n) {
  if (typeof n !== "number") return String(n ?? "");
  if (n < 1024) return n + " B";
  const u = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return v.toFixed(v < 10 ? 1 : 0) + " " + u[i];
}
function fmtTs(ms) {
  if (typeof ms !== "number") return "";
  const d = new Date(ms);
  const p = (x, n = 2) => String(x).padStart(n, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
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
const parseExact = (text) => JSON.parse(text, exactReviver);

// ---------- token and API ----------
function token() { try { return localStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; } }
function setToken(t) {
  try { if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ }
}

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

/** fetch against the native API; body is a JSON string (built by the caller) or undefined. */
async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  const t = token();
  if (t) headers["Authorization"] = "Bearer " + t;
  if (body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, "network_error", "cannot reach the server (" + e.message + ")");
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const err = json && json.error ? json.error : {};
    throw new ApiError(res.status, err.code || "http_" + res.status, err.message || res.statusText || "request failed");
  }
  return json;
}

function describe(err) {
  if (err instanceof ApiError) {
    let hint = "";
    if (err.status === 401) hint = " — enter a valid token above";
    else if (err.status === 403) hint = " — this token is not allowed to do that";
    return `${err.status ? err.status + " " : ""}${err.code}: ${err.message}${hint}`;
  }
  return String(err && err.message ? err.message : err);
}

let errorTimer = null;
function showError(context, err) {
  const bar = $("error-bar");
  bar.textContent = context + ": " + describe(err);
  bar.hidden = false;
  bar.dataset.code = err instanceof ApiError ? err.code : "error";
  bar.dataset.status = err instanceof ApiError ? String(err.status) : "";
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { bar.hidden = true; }, 15000);
}
function clearError() { $("error-bar").hidden = true; }

function setStatus(form, text, ok) {
  const s = form.querySelector(".form-status");
  s.textContent = text;
  s.dataset.ok = ok ? "true" : "false";
}

const enc = encodeURIComponent;

// JSON bodies are built from validated pieces so large integers keep their exact digits.
const U64 = /^\d{1,20}$/;
function jsonObject(entries) {
  return "{" + entries.map(([k, raw]) => JSON.stringify(k) + ":" + raw).join(",") + "}";
}
function u64Field(form, name, entries, { keepEmpty = false } = {}) {
  const v = form.elements[name].value.trim();
  if (v === "") { if (keepEmpty) entries.push([name, "0"]); return true; }
  if (!U64.test(v)) throw new Error(name + " must be a non-negative integer");
  entries.push([name, v.replace(/^0+(?=\d)/, "")]);
  return true;
}

// ---------- header ----------
async function loadNode() {
  try {
    const n = await api("GET", "/v0/node");
    $("node-id").textContent = n.node_id;
    $("auth-mode").textContent = n.auth + (n.version ? " · " + (/^\d/.test(n.version) ? "v" : "") + n.version : "");
    document.title = "topics · " + n.node_id;
  } catch (e) {
    $("node-id").textContent = "?";
    showError("node", e);
  }
}

// ---------- topics list ----------
let selected = null; // name of the topic in the view
let topicsTimer = null;

async function loadTopics() {
  const body = $("topics-body");
  const prefix = $("topics-prefix").value.trim();
  try {
    const r = await api("GET", "/v0/topics?limit=1000" + (prefix ? "&prefix=" + enc(prefix) : ""));
    clear(body);
    for (const t of r.topics) {
      const flags = [t.public_read ? "public read" : null, t.public_publish ? "public publish" : null].filter(Boolean).join(", ");
      const row = el("tr", { "data-test": "topic-row", "data-topic": t.topic, tabindex: 0, class: t.topic === selected ? "selected" : "" },
        el("td", { class: "name" }, el("code", { text: t.topic })),
        el("td", { class: "num", "data-test": "topic-head-seq", text: t.head_seq }),
        el("td", { class: "num", "data-test": "topic-count", text: t.count }),
        el("td", { class: "num", "data-test": "topic-bytes", text: fmtBytes(t.bytes), title: String(t.bytes) + " bytes" }),
        el("td", { "data-test": "topic-owner", text: t.owner ?? "" }),
        el("td", { class: "muted", text: flags || "—" }));
      row.addEventListener("click", () => selectTopic(t.topic));
      row.addEventListener("keydown", (ev) => { if (ev.key === "Enter") selectTopic(t.topic); });
      body.append(row);
    }
    $("topics-note").textContent = r.topics.length === 0 ? "No topics yet." :
      r.topics.length + " topic" + (r.topics.length === 1 ? "" : "s") + (r.next_after ? " (more not shown; use the prefix filter)" : "");
  } catch (e) {
    $("topics-note").textContent = describe(e);
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) clear(body);
  }
}

async function createTopic(ev) {
  ev.preventDefault();
  const f = ev.target;
  try {
    const name = f.elements.name.value.trim();
    if (!name) throw new Error("a name is required");
    const entries = [];
    u64Field(f, "ttl_ms", entries);
    u64Field(f, "cap_records", entries);
    entries.push(["public_read", f.elements.public_read.checked ? "true" : "false"]);
    entries.push(["public_publish", f.elements.public_publish.checked ? "true" : "false"]);
    const r = await api("PUT", "/v0/topics/" + enc(name), jsonObject(entries));
    setStatus(f, r.created ? "created " + r.topic : "updated " + r.topic + " (it already existed)", true);
    f.reset();
    clearError();
    await loadTopics();
    selectTopic(r.topic);
  } catch (e) {
    setStatus(f, describe(e), false);
    if (e instanceof ApiError) showError("create topic", e);
  }
}

// ---------- routers ----------
async function loadRouters() {
  const body = $("routers-body");
  try {
    const r = await api("GET", "/v0/routers");
    clear(body);
    for (const x of r.routers) {
      const dest = x.dest_url ? x.dest_url + " → " + (x.dest_topic ?? "") : x.dest;
      const row = el("tr", { "data-test": "router-row", "data-router": x.router, class: "state-" + x.state },
        el("td", {}, el("code", { text: x.router })),
        el("td", { text: x.source }),
        el("td", { text: dest }),
        el("td", { class: "num", "data-test": "router-lag", text: x.lag ?? "" }),
        el("td", { "data-test": "router-state" }, el("span", { class: "badge state-" + x.state, text: x.state }),
          x.last_error ? el("div", { class: "muted small", text: x.last_error }) : null));
      body.append(row);
    }
    $("routers-note").textContent = r.routers.length === 0 ? "No routers." : "";
  } catch (e) {
    $("routers-note").textContent = describe(e);
  }
}

// ---------- topic view: watch session + EventSource ----------
let stream = null;     // the EventSource
let streamGen = 0;     // bumps on every (re)select, so late callbacks of an old stream are ignored
let lastSeq = 0;       // highest seq shown
let retryTimer = null;

function indicator(state, text) {
  const s = $("watch-status");
  s.dataset.state = state;
  s.textContent = text;
}

function closeStream() {
  streamGen++;
  clearTimeout(retryTimer);
  if (stream) { stream.close(); stream = null; }
}

function recordRow(rec) {
  let pretty;
  try { pretty = JSON.stringify(rec.data, null, 2); } catch { pretty = String(rec.data); }
  return el("article", { class: "record", "data-test": "record-row", "data-seq": rec.$seq },
    el("div", { class: "meta" },
      el("span", { class: "seq", "data-test": "record-seq", text: "#" + rec.$seq }),
      el("time", { "data-test": "record-ts", title: String(rec.$ts), text: fmtTs(rec.$ts) }),
      rec.$tag !== undefined ? el("span", { class: "tag", "data-test": "record-tag", text: rec.$tag }) : null,
      rec.$node !== undefined ? el("span", { class: "node muted", "data-test": "record-node", text: "node " + rec.$node }) : null),
    el("pre", { class: "data", "data-test": "record-data", text: pretty }));
}

function addRecords(records) {
  const box = $("records");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const frag = document.createDocumentFragment();
  for (const rec of records) {
    if (rec.$seq <= lastSeq) continue; // never show one twice
    lastSeq = rec.$seq;
    frag.append(recordRow(rec));
  }
  box.append(frag);
  const empty = box.querySelector(".empty");
  if (empty && box.querySelector(".record")) empty.remove();
  while (box.querySelectorAll(".record").length > MAX_ROWS) box.querySelector(".record").remove();
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function showTombstone(t) {
  const box = $("tombstone");
  box.hidden = false;
  box.dataset.reason = t.reason;
  let text;
  if (t.reason === "retention") text = `Records ${t.from_seq}–${t.to_seq} were evicted by retention before they could be shown.`;
  else if (t.reason === "reset") text = `The topic was deleted and made again (head ${t.head_seq}); the view restarts from its beginning.`;
  else if (t.reason === "deleted") text = "This topic was deleted.";
  else text = "Tombstone: " + JSON.stringify(t);
  box.textContent = text;
}

async function selectTopic(name) {
  closeStream();
  selected = name;
  lastSeq = 0;
  history.replaceState(null, "", "#topic=" + enc(name));
  for (const r of document.querySelectorAll("#topics-body tr")) r.classList.toggle("selected", r.dataset.topic === name);
  $("topic-name").textContent = name;
  $("tombstone").hidden = true;
  $("topic-forms").hidden = false;
  const box = $("records");
  clear(box);
  box.append(el("p", { class: "empty muted", text: "No records yet." }));
  indicator("connecting", "connecting…");
  let info;
  try {
    info = await api("GET", "/v0/topics/" + enc(name));
  } catch (e) {
    indicator("error", "error");
    $("topic-summary").textContent = describe(e);
    showError("topic " + name, e);
    return;
  }
  if (selected !== name) return;
  showSummary(info);
  fillConfig(info.config);
  const from = Math.max(0, (info.head_seq || 0) - BACKLOG);
  startWatch(name, from);
}

function showSummary(info) {
  $("topic-summary").textContent = `head ${info.head_seq} · earliest ${info.earliest_seq} · ${info.count} records · ` +
    `${fmtBytes(info.bytes)} · owner ${info.owner ?? "—"} · created ${info.created_at ?? "?"}` +
    (info.head_seq > BACKLOG ? ` · showing from seq ${info.head_seq - BACKLOG + 1}` : "");
}

async function startWatch(name, fromSeq) {
  const gen = ++streamGen;
  let session;
  try {
    const body = jsonObject([["topics", jsonObject([[name, jsonObject([["from_seq", String(fromSeq)]])]])], ["heartbeat_ms", "15000"]]);
    session = await api("POST", "/v0/watch", body);
  } catch (e) {
    if (gen !== streamGen) return;
    indicator("error", "cannot watch");
    showError("watch " + name, e);
    retryTimer = setTimeout(() => { if (gen === streamGen) startWatch(name, lastSeq || fromSeq); }, 5000);
    return;
  }
  if (gen !== streamGen) return;
  // EventSource sends no headers: the wid in the URL is the capability.
  const es = new EventSource(session.stream_url);
  stream = es;
  es.addEventListener("open", () => { if (gen === streamGen && $("watch-status").dataset.state !== "caught-up") indicator("behind", "catching up…"); });
  es.addEventListener("record", (ev) => {
    if (gen !== streamGen) return;
    const m = parseExact(ev.data);
    if (m.topic !== name) return;
    addRecords(m.records);
    if (m.to_seq < m.head_seq) indicator("behind", `behind (${m.head_seq - m.to_seq})`);
    else indicator("caught-up", "caught up");
  });
  es.addEventListener("caught-up", (ev) => {
    if (gen !== streamGen) return;
    const m = parseExact(ev.data);
    if (m.topic === name) indicator("caught-up", "caught up");
  });
  es.addEventListener("tombstone", (ev) => {
    if (gen !== streamGen) return;
    const m = parseExact(ev.data);
    if (m.topic !== name) return;
    showTombstone(m.tombstone);
    if (m.tombstone.reason === "reset") { clear($("records")); lastSeq = 0; }
    if (m.tombstone.reason === "deleted") { es.close(); indicator("deleted", "deleted"); }
  });
  es.addEventListener("error", () => {
    if (gen !== streamGen) return;
    if (es.readyState === EventSource.CLOSED) {
      // the session is gone (expired, or the server refused it): make a new one from where we are
      if ($("watch-status").dataset.state === "deleted") return;
      indicator("reconnecting", "reconnecting…");
      retryTimer = setTimeout(() => { if (gen === streamGen) startWatch(name, lastSeq); }, 3000);
    } else {
      // EventSource retries by itself with Last-Event-ID; the server resumes exactly
      indicator("reconnecting", "reconnecting…");
    }
  });
}

// ---------- per-topic forms ----------
async function writeRecord(ev) {
  ev.preventDefault();
  const f = ev.target;
  if (!selected) return;
  try {
    const text = f.elements.data.value;
    try { JSON.parse(text); } catch (e) { throw new Error("data is not valid JSON: " + e.message); }
    const rec = [["data", text.trim()]];
    const tag = f.elements.tag.value;
    if (tag !== "") rec.push(["tag", JSON.stringify(tag)]);
    const r = await api("POST", "/v0/topics/" + enc(selected), jsonObject([["records", "[" + jsonObject(rec) + "]"]]));
    setStatus(f, `written: seq ${r.first_seq}${r.last_seq !== r.first_seq ? "–" + r.last_seq : ""} (head ${r.head_seq})`, true);
    clearError();
    loadTopics();
  } catch (e) {
    setStatus(f, describe(e), false);
    if (e instanceof ApiError) showError("write", e);
  }
}

async function deleteRecords(ev) {
  ev.preventDefault();
  const f = ev.target;
  if (!selected) return;
  try {
    const entries = [];
    const tag = f.elements.tag.value;
    if (tag !== "") entries.push(["match", JSON.stringify(["tag", "Eq", tag])]);
    const from = f.elements.from_seq.value.trim(), to = f.elements.to_seq.value.trim();
    if (from !== "" || to !== "") {
      if (from === "" || to === "") throw new Error("give both from_seq and to_seq for a range");
      u64Field(f, "from_seq", entries);
      u64Field(f, "to_seq", entries);
    }
    if (entries.length === 0) throw new Error("give a tag or a seq range");
    const r = await api("POST", "/v0/topics/" + enc(selected) + "/delete", jsonObject(entries));
    setStatus(f, `deleted ${r.deleted} record${r.deleted === 1 ? "" : "s"} (${r.count} left)`, true);
    clearError();
    loadTopics();
    selectTopic(selected); // deletes are silent on streams: rebuild the view
  } catch (e) {
    setStatus(f, describe(e), false);
    if (e instanceof ApiError) showError("delete", e);
  }
}

const CONFIG_NUMS = ["ttl_ms", "cap_records", "cap_bytes", "idempotency_window_ms"];
const CONFIG_BOOLS = ["public_read", "public_publish", "auto_create", "dedupe_node"];
const CONFIG_ENUMS = ["discard", "durability"];

function fillConfig(cfg) {
  const f = $("config-form");
  if (!cfg) return;
  for (const k of CONFIG_NUMS) f.elements[k].value = cfg[k] ?? "";
  for (const k of CONFIG_BOOLS) f.elements[k].checked = !!cfg[k];
  for (const k of CONFIG_ENUMS) if (cfg[k] !== undefined) f.elements[k].value = cfg[k];
  setStatus(f, "", true);
}

async function saveConfig(ev) {
  ev.preventDefault();
  const f = ev.target;
  if (!selected) return;
  try {
    const entries = [];
    for (const k of CONFIG_NUMS) u64Field(f, k, entries);
    for (const k of CONFIG_ENUMS) entries.push([k, JSON.stringify(f.elements[k].value)]);
    for (const k of CONFIG_BOOLS) entries.push([k, f.elements[k].checked ? "true" : "false"]);
    const r = await api("PATCH", "/v0/topics/" + enc(selected), jsonObject(entries));
    fillConfig(r.config);
    setStatus(f, "saved", true);
    clearError();
    loadTopics();
  } catch (e) {
    setStatus(f, describe(e), false);
    if (e instanceof ApiError) showError("config", e);
  }
}

// ---------- start ----------
function refreshAll() { loadNode(); loadTopics(); loadRouters(); }

function init() {
  $("token-input").value = token();
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setToken($("token-input").value.trim());
    clearError();
    refreshAll();
    if (selected) selectTopic(selected);
  });
  $("token-clear").addEventListener("click", () => { setToken(""); $("token-input").value = ""; refreshAll(); });
  $("topics-prefix").addEventListener("input", () => loadTopics());
  $("create-topic-form").addEventListener("submit", createTopic);
  $("write-form").addEventListener("submit", writeRecord);
  $("delete-form").addEventListener("submit", deleteRecords);
  $("config-form").addEventListener("submit", saveConfig);
  refreshAll();
  topicsTimer = setInterval(() => { if (!document.hidden) loadTopics(); }, TOPICS_EVERY_MS);
  setInterval(() => { if (!document.hidden) loadRouters(); }, ROUTERS_EVERY_MS);
  const fromHash = () => {
    const m = /^#topic=(.+)$/.exec(location.hash);
    if (!m) return;
    let name;
    try { name = decodeURIComponent(m[1]); } catch { return; /* bad hash */ }
    if (name !== selected) selectTopic(name);
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();
}

init();
