// The topic view's records: followed live over a watch session (EventSource), paged back
// with diff reads, and jumped to a seq or a time. The rows on screen are always one
// contiguous stretch of the topic: every live record with low < seq <= high.
import { $, el, clear, fmtTs, parseExact } from "./dom.js";
import { api, enc, jsonObject, showError } from "./api.js";

const MAX_ROWS = 500;   // rows kept while following live or paging (the far end is dropped)
const HARD_MAX = 2000;  // paging back while live keeps rows up to this; past it the view pauses
const BACKLOG = 200;    // on select, start this many seqs before the head
const PAGE = 100;       // seqs per page (older / newer)
const TIME_SCAN_ROUNDS = 50; // diff reads per "go to time" (each examines up to 100,000 records)

const view = {
  topic: null,
  mode: "idle",  // live: following the stream · paused: a page of history, no stream
  low: 0,        // cursor before the oldest row: rows have seq > low
  high: 0,       // highest seq dealt with: the stream (or "newer") goes on after it
  earliest: 1,
  head: 0,
  note: "",      // what the last jump found, shown until the next one
  gen: 0,        // bumps on every reset: an older page load that finishes late changes nothing
};
let stream = null;     // the EventSource
let streamGen = 0;     // bumps on every (re)start, so late callbacks of an old stream are ignored
let retryTimer = null;
let jumps = 0;          // bumps on every jump (and "go live"): only the latest one shows its page
let busyGen = -1;      // the view generation a page load is running for (one at a time)

export const currentTopic = () => view.topic;

function indicator(state, text) {
  const s = $("watch-status");
  s.dataset.state = state;
  s.textContent = text;
}

export function closeStream() {
  streamGen++;
  clearTimeout(retryTimer);
  if (stream) { stream.close(); stream = null; }
}

const rows = () => $("records").querySelectorAll(".record");

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

function dropEmptyNote() {
  const empty = $("records").querySelector(".empty");
  if (empty && rows().length) empty.remove();
}

/** Appends records after `high` (never one twice); trims the oldest rows while the reader follows the end. */
function append(records, { follow }) {
  const box = $("records");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const frag = document.createDocumentFragment();
  for (const rec of records) {
    if (rec.$seq <= view.high) continue;
    view.high = rec.$seq;
    frag.append(recordRow(rec));
  }
  box.append(frag);
  dropEmptyNote();
  // while the reader is up in older pages, live rows do not push those pages out (up to HARD_MAX)
  const keep = !follow || atBottom ? MAX_ROWS : HARD_MAX;
  const r = rows();
  for (let i = 0; i < r.length - keep; i++) { view.low = Number(r[i].dataset.seq); r[i].remove(); }
  if (follow && atBottom) box.scrollTop = box.scrollHeight;
  pagerStatus();
}

/** Puts older records (ascending, all <= low) before the first row, keeping the reader's place. */
function prepend(records) {
  const box = $("records");
  const before = box.scrollHeight;
  const frag = document.createDocumentFragment();
  for (const rec of records) frag.append(recordRow(rec));
  const first = box.querySelector(".record");
  box.insertBefore(frag, first);
  dropEmptyNote();
  box.scrollTop += box.scrollHeight - before;
}

function pagerStatus() {
  const r = rows();
  const first = r.length ? r[0].dataset.seq : null, last = r.length ? r[r.length - 1].dataset.seq : null;
  const shown = r.length ? `showing #${first}–#${last} (${r.length})` : "no records shown";
  $("page-status").textContent = `${view.note ? view.note + " · " : ""}${shown} · ${view.mode === "live" ? "following live" : "paused"} · earliest ${view.earliest} · head ${view.head}`;
  const busy = busyGen === view.gen;
  $("page-older").disabled = busy || view.low < view.earliest;
  $("page-newer").disabled = busy || view.mode !== "paused";
  $("page-live").disabled = busy || view.mode === "live";
  $("pager").dataset.mode = view.mode;
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

function reset(name) {
  closeStream();
  view.gen++;
  view.topic = name;
  view.mode = "idle";
  view.low = view.high = 0;
  view.note = "";
  $("tombstone").hidden = true;
  const box = $("records");
  clear(box);
  box.append(el("p", { class: "empty muted", text: "No records yet." }));
  $("pager").hidden = false;
}

/** Shows a topic following live from BACKLOG seqs before its head (info: GET /v0/topics/{name}). */
export function openTopic(name, info, note = "") {
  reset(name);
  view.note = note;
  view.earliest = info.earliest_seq;
  view.head = info.head_seq;
  const from = Math.max(0, info.earliest_seq - 1, info.head_seq - BACKLOG);
  view.low = view.high = from;
  startLive();
}

function startLive() {
  view.mode = "live";
  pagerStatus();
  startWatch(view.topic, view.high);
}

async function startWatch(name, fromSeq) {
  const gen = ++streamGen;
  indicator("connecting", "connecting…");
  let session;
  try {
    const body = jsonObject([["topics", jsonObject([[name, jsonObject([["from_seq", String(fromSeq)]])]])], ["heartbeat_ms", "15000"]]);
    session = await api("POST", "/v0/watch", body);
  } catch (e) {
    if (gen !== streamGen) return;
    indicator("error", "cannot watch");
    showError("watch " + name, e);
    retryTimer = setTimeout(() => { if (gen === streamGen) startWatch(name, view.high); }, 5000);
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
    view.head = Math.max(view.head, m.head_seq);
    append(m.records, { follow: true });
    if (m.to_seq < m.head_seq) indicator("behind", `behind (${m.head_seq - m.to_seq})`);
    else indicator("caught-up", "caught up");
  });
  es.addEventListener("caught-up", (ev) => {
    if (gen !== streamGen) return;
    const m = parseExact(ev.data);
    if (m.topic === name) { view.head = Math.max(view.head, m.head_seq); indicator("caught-up", "caught up"); pagerStatus(); }
  });
  es.addEventListener("tombstone", (ev) => {
    if (gen !== streamGen) return;
    const m = parseExact(ev.data);
    if (m.topic !== name) return;
    showTombstone(m.tombstone);
    if (m.tombstone.reason === "reset") { clear($("records")); view.low = view.high = 0; view.earliest = 1; view.head = m.tombstone.head_seq; pagerStatus(); }
    if (m.tombstone.reason === "deleted") { es.close(); indicator("deleted", "deleted"); }
  });
  es.addEventListener("error", () => {
    if (gen !== streamGen) return;
    if (es.readyState === EventSource.CLOSED) {
      // the session is gone (expired, or the server refused it): make a new one from where we are
      if ($("watch-status").dataset.state === "deleted") return;
      indicator("reconnecting", "reconnecting…");
      retryTimer = setTimeout(() => { if (gen === streamGen) startWatch(name, view.high); }, 3000);
    } else {
      // EventSource retries by itself with Last-Event-ID; the server resumes exactly
      indicator("reconnecting", "reconnecting…");
    }
  });
}

function pause(reason) {
  closeStream();
  view.mode = "paused";
  indicator("paused", reason);
}

async function diff(fromSeq, limit, filter, current) {
  const entries = [["from_seq", String(fromSeq)], ["limit", String(limit)]];
  if (filter) entries.push(["filter", JSON.stringify(filter)]);
  const r = await api("POST", "/v0/topics/" + enc(view.topic) + "/diff", jsonObject(entries), { exact: true });
  if (current()) { view.earliest = r.earliest_seq; view.head = r.head_seq; }
  return r;
}

/**
 * Runs one page load at a time for the view as it is now; fn gets a check that is false
 * once the view was reset (another topic, a jump) while it waited for the server.
 */
async function guarded(what, fn) {
  const gen = view.gen;
  if (busyGen === gen || !view.topic) return;
  busyGen = gen;
  pagerStatus();
  const current = () => view.gen === gen;
  try {
    await fn(current);
  } catch (e) {
    if (current()) showError(what, e);
  } finally {
    if (current()) { busyGen = -1; pagerStatus(); }
  }
}

/** Loads the page of seqs before the first row (skipping stretches left empty by deletes). */
export function older() {
  return guarded("older records", async (current) => {
    for (let round = 0; round < 20 && view.low >= view.earliest; round++) {
      const to = view.low;
      const start = Math.max(view.earliest - 1, to - PAGE);
      const got = [];
      for (let cursor = start; cursor < to;) {
        const r = await diff(cursor, Math.min(PAGE, to - cursor), null, current);
        if (!current()) return;
        for (const rec of r.records) if (rec.$seq <= to) got.push(rec);
        if (r.records.length === 0 || r.next_from_seq <= cursor) break;
        cursor = r.next_from_seq;
      }
      prepend(got);
      view.low = start;
      if (got.length) break;
    }
    const r = rows();
    const cap = view.mode === "live" ? HARD_MAX : MAX_ROWS;
    if (r.length > cap) {
      // keep the reader's older pages: drop the newest rows instead, and stop following
      if (view.mode === "live") pause("paused (history)");
      for (let i = r.length - 1; i >= cap; i--) r[i].remove();
      const last = rows();
      view.high = Number(last[last.length - 1].dataset.seq);
    }
  });
}

/** Loads the page after the last row; reaching the head resumes following live. */
export function newer() {
  return guarded("newer records", async (current) => {
    if (view.mode !== "paused") return;
    const r = await diff(view.high, PAGE, null, current);
    if (!current()) return;
    append(r.records, { follow: false });
    view.high = Math.max(view.high, r.next_from_seq);
    if (r.caught_up) startLive();
  });
}

/** Back to following the head (the newest BACKLOG seqs, then live). */
export async function live(note = "") {
  const name = view.topic;
  if (!name) return;
  const j = ++jumps;
  const info = await api("GET", "/v0/topics/" + enc(name)).catch((e) => { showError("topic " + name, e); return null; });
  if (info && view.topic === name && j === jumps) openTopic(name, info, note);
}

/** Shows the records from seq n on, paused (following live again once the page reaches the head). */
export async function jumpToSeq(n, note) {
  const name = view.topic;
  if (!name) return;
  const j = ++jumps;
  const info = await api("GET", "/v0/topics/" + enc(name));
  if (view.topic !== name || j !== jumps) return;
  reset(name);
  view.earliest = info.earliest_seq;
  view.head = info.head_seq;
  view.low = view.high = Math.min(Math.max(n - 1, info.earliest_seq - 1, 0), info.head_seq);
  view.note = note || (n - 1 > view.low ? `#${n} is past the head` : n - 1 < view.low ? `#${n} is gone; from the earliest` : `from #${n}`);
  pause("paused (history)");
  await newer();
}

/**
 * Shows the records from the first one written at or after `ms` (ms since the epoch). The
 * API reads by seq only, so the seq is found with a diff whose filter is ["ts", "Gte", ms]:
 * the server skips the earlier records (up to 100,000 per read) and returns the first match.
 */
export async function jumpToTime(ms) {
  const name = view.topic;
  if (!name) return;
  const j = ++jumps;
  const info = await api("GET", "/v0/topics/" + enc(name));
  let cursor = Math.max(0, info.earliest_seq - 1);
  for (let round = 0; round < TIME_SCAN_ROUNDS; round++) {
    const r = await api("POST", "/v0/topics/" + enc(name) + "/diff",
      jsonObject([["from_seq", String(cursor)], ["limit", "1"], ["filter", JSON.stringify(["ts", "Gte", Math.trunc(ms)])]]));
    if (view.topic !== name || j !== jumps) return;
    if (r.records.length) {
      const seq = r.records[0].$seq;
      return jumpToSeq(seq, `first record at or after ${fmtTs(ms)} is #${seq}`);
    }
    if (r.caught_up || r.next_from_seq <= cursor) return live(`no record at or after ${fmtTs(ms)}`);
    cursor = r.next_from_seq;
  }
  await live(`gave up looking for ${fmtTs(ms)} at #${cursor}: too many records before it; go to a seq near it instead`);
}

/** Forgets the view (the topic was deselected). */
export function closeView() {
  closeStream();
  view.topic = null;
}
