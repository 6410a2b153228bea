// topics dashboard (README, "Dashboard"). Plain ES modules, no framework, no build step:
// app.js wires the page; api.js (calls and tokens), dom.js (text-only DOM), records.js
// (the live, paged record view), panels.js (subscriptions, webhooks, shares, admin) and
// charts.js (rates and lags as inline SVG). Record data is untrusted: it is put into the
// page with textContent only.
import { $, el, td, clear, fmtBytes, parseTime } from "./dom.js";
import { api, ApiError, describe, showError, clearError, setStatus, enc, jsonObject, u64Field, U64, token, setToken, tokenKind } from "./api.js";
import { openTopic, closeView, older, newer, live, jumpToSeq, jumpToTime } from "./records.js";
import { loadSubscriptions, loadWebhooks, forgetWebhook, loadShares, createShare, loadAdmin } from "./panels.js";
import { chartTopic } from "./charts.js";

const TOPICS_EVERY_MS = 3000;
const ROUTERS_EVERY_MS = 5000;
const PANES_EVERY_MS = 3000;

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
let selectedInfo = null; // its GET /v0/topics/{name}, head and counts kept current by the list's refresh

async function loadTopics() {
  const body = $("topics-body");
  const prefix = $("topics-prefix").value.trim();
  try {
    const r = await api("GET", "/v0/topics?limit=1000" + (prefix ? "&prefix=" + enc(prefix) : ""));
    clear(body);
    for (const t of r.topics) {
      if (t.topic === selected && selectedInfo) {
        selectedInfo = { ...selectedInfo, head_seq: t.head_seq, count: t.count, bytes: t.bytes, owner: t.owner };
        showSummary(selectedInfo);
      }
      const flags = [t.public_read ? "read" : null, t.public_publish ? "publish" : null].filter(Boolean);
      const row = el("tr", { "data-test": "topic-row", "data-topic": t.topic, tabindex: 0, class: t.topic === selected ? "selected" : "",
        "aria-current": t.topic === selected ? "true" : null },
        td("topic", { class: "name", title: t.topic }, el("code", { text: t.topic })),
        td("head", { class: "num", "data-test": "topic-head-seq", text: t.head_seq }),
        td("count", { class: "num", "data-test": "topic-count", text: t.count }),
        td("bytes", { class: "num", "data-test": "topic-bytes", text: fmtBytes(t.bytes), title: String(t.bytes) + " bytes" }),
        td("owner", { class: "ellipsis", "data-test": "topic-owner", text: t.owner ?? "—", title: t.owner ?? "no owner" }),
        td("public", { class: "flags" }, ...(flags.length ? flags.map((f) => el("span", { class: "flag", text: f })) : [el("span", { class: "muted", text: "—" })])));
      row.addEventListener("click", () => selectTopic(t.topic));
      row.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectTopic(t.topic); } });
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
      body.append(el("tr", { "data-test": "router-row", "data-router": x.router, class: "state-" + x.state },
        td("router", { class: "name" }, el("code", { text: x.router })),
        td("source → dest", { class: "wrap" }, x.source, el("span", { class: "muted", text: " → " }), dest),
        td("lag", { class: "num", "data-test": "router-lag", text: x.lag ?? "" }),
        td("state", { class: "wrap", "data-test": "router-state" }, el("span", { class: "badge state-" + x.state, text: x.state }),
          x.last_error ? el("div", { class: "muted small wrap", text: x.last_error }) : null)));
    }
    $("routers-note").textContent = r.routers.length === 0 ? "No routers." : "";
  } catch (e) {
    clear(body);
    $("routers-note").textContent = describe(e);
  }
}

// ---------- the topic view ----------
async function selectTopic(name) {
  selected = name;
  selectedInfo = null;
  history.replaceState(null, "", "#topic=" + enc(name));
  for (const r of document.querySelectorAll("#topics-body tr")) {
    r.classList.toggle("selected", r.dataset.topic === name);
    if (r.dataset.topic === name) r.setAttribute("aria-current", "true"); else r.removeAttribute("aria-current");
  }
  $("topic-name").textContent = name;
  $("topic-tabs").hidden = false;
  $("topic-forms").hidden = false;
  forgetWebhook();
  $("share-token").hidden = true;
  for (const id of ["subs-body", "webhooks-body", "shares-body"]) clear($(id)); // the last topic's rows
  let info;
  try {
    info = await api("GET", "/v0/topics/" + enc(name));
  } catch (e) {
    closeView();
    chartTopic(null);
    $("watch-status").dataset.state = "error";
    $("watch-status").textContent = "error";
    $("topic-summary").textContent = describe(e);
    showError("topic " + name, e);
    return;
  }
  if (selected !== name) return;
  selectedInfo = info;
  showSummary(info);
  fillConfig(info.config);
  openTopic(name, info);
  chartTopic(name);
  refreshPane();
}

function showSummary(info) {
  $("topic-summary").textContent = `head ${info.head_seq} · ${info.count} records · ` +
    `${fmtBytes(info.bytes)} · owner ${info.owner ?? "—"} · created ${info.created_at ?? "?"}`;
}

// tabs (WAI-ARIA tabs pattern: arrow keys move between tabs, Home/End to the ends)
const TABS = ["records", "charts", "subscriptions", "webhooks", "shares"];
let pane = "records";

function showTab(name, focus = false) {
  pane = name;
  for (const t of TABS) {
    const tab = $("tab-" + t);
    tab.setAttribute("aria-selected", t === name ? "true" : "false");
    tab.tabIndex = t === name ? 0 : -1;
    $("pane-" + t).hidden = t !== name;
  }
  if (focus) $("tab-" + name).focus();
  refreshPane();
}

function refreshPane() {
  if (!selected) return;
  if (pane === "subscriptions") loadSubscriptions(selected);
  else if (pane === "webhooks") loadWebhooks(selected);
  else if (pane === "shares") loadShares(selected);
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
    live(); // deletes are silent on streams: rebuild the view
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
function refreshAll() { loadNode(); loadTopics(); loadRouters(); loadAdmin(); }

function init() {
  $("token-input").value = token();
  $("token-kind").textContent = tokenKind();
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setToken($("token-input").value.trim());
    $("token-kind").textContent = tokenKind();
    clearError();
    refreshAll();
    if (selected) selectTopic(selected);
  });
  $("token-clear").addEventListener("click", () => {
    setToken("");
    $("token-input").value = "";
    $("token-kind").textContent = tokenKind();
    refreshAll();
  });
  $("topics-prefix").addEventListener("input", () => loadTopics());
  $("create-topic-form").addEventListener("submit", createTopic);
  $("write-form").addEventListener("submit", writeRecord);
  $("delete-form").addEventListener("submit", deleteRecords);
  $("config-form").addEventListener("submit", saveConfig);
  $("share-form").addEventListener("submit", (ev) => { if (selected) createShare(ev, selected); else ev.preventDefault(); });

  $("page-older").addEventListener("click", () => older());
  $("page-newer").addEventListener("click", () => newer());
  $("page-live").addEventListener("click", () => live());
  $("jump-seq-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = ev.target.elements.seq.value.trim();
    if (!U64.test(v) || Number(v) < 1) { showError("go to seq", new Error("a seq is a whole number from 1")); return; }
    jumpToSeq(Number(v)).catch((e) => showError("go to seq", e));
  });
  $("jump-time-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const ms = parseTime(ev.target.elements.time.value);
    if (Number.isNaN(ms)) { showError("go to time", new Error("write the time as 2026-12-03 17:40:00 (local), RFC 3339, or ms since the epoch")); return; }
    jumpToTime(ms).catch((e) => showError("go to time", e));
  });

  for (const t of TABS) {
    const tab = $("tab-" + t);
    tab.addEventListener("click", () => showTab(t));
    tab.addEventListener("keydown", (ev) => {
      const i = TABS.indexOf(t);
      let j = null;
      if (ev.key === "ArrowRight") j = (i + 1) % TABS.length;
      else if (ev.key === "ArrowLeft") j = (i + TABS.length - 1) % TABS.length;
      else if (ev.key === "Home") j = 0;
      else if (ev.key === "End") j = TABS.length - 1;
      if (j !== null) { ev.preventDefault(); showTab(TABS[j], true); }
    });
  }

  refreshAll();
  setInterval(() => { if (!document.hidden) loadTopics(); }, TOPICS_EVERY_MS);
  setInterval(() => { if (!document.hidden) { loadRouters(); loadAdmin(); } }, ROUTERS_EVERY_MS);
  setInterval(() => { if (!document.hidden) refreshPane(); }, PANES_EVERY_MS);
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
