// Read views of what hangs off a topic (subscriptions, webhooks and their deliveries,
// shares) and of the server's principals and permissions (the admin's). Each loader fills
// its table, or says in its note why it cannot (a token without the right is not an error
// for the whole page: the view just says so).
import { $, el, td, clear, fmtTime } from "./dom.js";
import { api, enc, jsonObject, describe, refused, setStatus, clearError, showError } from "./api.js";

function noteFor(id, e) {
  $(id).textContent = refused(e) ? "Not available with this token (" + describe(e) + ")." : describe(e);
}

// Only the newest load of a table fills it: an answer for a topic no longer shown that
// arrives late is dropped. stale() is taken before the request, checked after it.
const loads = {};
function staleCheck(kind) {
  const n = (loads[kind] = (loads[kind] || 0) + 1);
  return () => loads[kind] !== n;
}

const filterText = (f) => (f === null || f === undefined ? "—" : JSON.stringify(f));

// ---------- subscriptions ----------
export async function loadSubscriptions(topic) {
  const body = $("subs-body");
  const stale = staleCheck("subs");
  try {
    const r = await api("GET", "/v0/topics/" + enc(topic) + "/subscriptions");
    if (stale()) return;
    clear(body);
    for (const s of r.subscriptions) {
      body.append(el("tr", { "data-test": "sub-row", "data-subscription": s.subscription },
        td("subscription", { class: "name" }, el("code", { text: s.subscription })),
        td("cursor", { class: "num", text: s.cursor }),
        td("lag", { class: "num", "data-test": "sub-lag", text: s.lag }),
        td("filter", { class: "wrap" }, el("code", { text: filterText(s.filter) })),
        td("created", { text: fmtTime(s.created_at) })));
    }
    $("subs-note").textContent = r.subscriptions.length ? "" : "No subscriptions.";
  } catch (e) {
    if (stale()) return;
    clear(body);
    noteFor("subs-note", e);
  }
}

// ---------- webhooks and deliveries ----------
let openWebhook = null; // [topic, id] whose deliveries are shown

export async function loadWebhooks(topic) {
  const body = $("webhooks-body");
  const stale = staleCheck("webhooks");
  try {
    const r = await api("GET", "/v0/topics/" + enc(topic) + "/webhooks");
    if (stale()) return;
    clear(body);
    for (const w of r.webhooks) {
      const show = el("button", { type: "button", class: "secondary small-btn", "data-test": "webhook-deliveries",
        "aria-label": "deliveries of " + w.id, text: "Deliveries" });
      show.addEventListener("click", () => { openWebhook = [topic, w.id]; loadDeliveries(); });
      body.append(el("tr", { "data-test": "webhook-row", "data-webhook": w.id },
        td("webhook", { class: "name" }, el("code", { text: w.id })),
        td("url", { class: "wrap", text: w.url }),
        td("state", {}, el("span", { class: "badge state-" + w.state, "data-test": "webhook-state", text: w.state })),
        td("cursor", { class: "num", text: w.cursor }),
        td("deliveries", {}, show)));
    }
    $("webhooks-note").textContent = r.webhooks.length ? "" : "No webhooks.";
    if (openWebhook && openWebhook[0] === topic) await loadDeliveries();
  } catch (e) {
    if (stale()) return;
    clear(body);
    noteFor("webhooks-note", e);
  }
}

async function loadDeliveries() {
  const [topic, id] = openWebhook;
  $("deliveries").hidden = false;
  $("deliveries-webhook").textContent = id;
  const body = $("deliveries-body");
  const stale = staleCheck("deliveries");
  try {
    const r = await api("GET", "/v0/topics/" + enc(topic) + "/webhooks/" + enc(id) + "/deliveries");
    if (stale()) return;
    clear(body);
    for (const d of r.deliveries) {
      body.append(el("tr", { "data-test": "delivery-row", "data-delivery": d.id, title: d.id },
        td("seqs", { class: "num" }, d.from_seq === d.to_seq ? "#" + d.from_seq : `#${d.from_seq}–#${d.to_seq}`),
        td("status", {}, el("span", { class: "badge delivery-" + d.status, "data-test": "delivery-status", text: d.status }),
          d.last_status !== null && d.last_status !== undefined ? el("span", { class: "muted small", text: " HTTP " + d.last_status }) : null),
        td("attempts", { class: "num", "data-test": "delivery-attempts", text: d.attempts }),
        td("last error", { class: "wrap", "data-test": "delivery-error", text: d.last_error ?? "—" }),
        td("next attempt", { text: fmtTime(d.next_attempt_at) })));
    }
    $("deliveries-note").textContent = r.deliveries.length ? "" : "No deliveries yet.";
  } catch (e) {
    if (stale()) return;
    clear(body);
    noteFor("deliveries-note", e);
  }
}

export function forgetWebhook() {
  openWebhook = null;
  $("deliveries").hidden = true;
}

// ---------- shares ----------
export async function loadShares(topic) {
  const body = $("shares-body");
  const stale = staleCheck("shares");
  try {
    const r = await api("GET", "/v0/topics/" + enc(topic) + "/shares");
    if (stale()) return;
    clear(body);
    for (const s of r.shares) {
      const revoke = el("button", { type: "button", class: "danger small-btn", "data-test": "share-revoke",
        "aria-label": "revoke " + s.id, text: "Revoke" });
      revoke.addEventListener("click", async () => {
        try {
          await api("DELETE", "/v0/topics/" + enc(topic) + "/shares/" + enc(s.id));
          loadShares(topic);
        } catch (e) { showError("revoke share", e); }
      });
      body.append(el("tr", { "data-test": "share-row", "data-share": s.id },
        td("share", { class: "name" }, el("code", { text: s.id })),
        td("access", { "data-test": "share-access-cell", text: s.access }),
        td("label", { class: "wrap", text: s.label ?? "—" }),
        td("expires", { text: s.expires_at ? fmtTime(s.expires_at) : "never" }),
        td("actions", {}, revoke)));
    }
    $("shares-note").textContent = r.shares.length ? "" : "No share tokens.";
  } catch (e) {
    if (stale()) return;
    clear(body);
    noteFor("shares-note", e);
  }
}

export async function createShare(ev, topic) {
  ev.preventDefault();
  const f = ev.target;
  const out = $("share-token");
  out.hidden = true;
  try {
    const entries = [["access", JSON.stringify(f.elements.access.value)]];
    const label = f.elements.label.value.trim();
    if (label) entries.push(["label", JSON.stringify(label)]);
    const exp = f.elements.expires_at.value.trim();
    if (exp) entries.push(["expires_at", JSON.stringify(exp)]);
    const r = await api("POST", "/v0/topics/" + enc(topic) + "/shares", jsonObject(entries));
    setStatus(f, "created " + r.id + "; the token is shown once:", true);
    out.textContent = r.token;
    out.hidden = false;
    clearError();
    loadShares(topic);
  } catch (e) {
    setStatus(f, describe(e), false);
  }
}

// ---------- principals and permissions (admin) ----------
export async function loadAdmin() {
  const pBody = $("principals-body"), qBody = $("permissions-body");
  try {
    const r = await api("GET", "/v0/principals");
    clear(pBody);
    for (const p of r.principals) {
      pBody.append(el("tr", { "data-test": "principal-row", "data-principal": p.name },
        td("principal", { class: "name" }, el("code", { text: p.name })),
        td("admin", { text: p.admin ? "yes" : "no" }),
        td("tokens", { class: "num", text: p.tokens.length, title: p.tokens.map((t) => t.id).join(", ") }),
        td("created", { text: fmtTime(p.created_at) })));
    }
    $("principals-note").textContent = r.principals.length ? "" : "No principals (the admin token is not one).";
  } catch (e) {
    clear(pBody);
    noteFor("principals-note", e);
  }
  try {
    const r = await api("GET", "/v0/permissions");
    clear(qBody);
    for (const p of r.permissions) {
      qBody.append(el("tr", { "data-test": "permission-row", "data-permission": p.id, title: p.id },
        td("principal", {}, el("code", { text: p.principal })),
        td("pattern", { class: "wrap" }, el("code", { text: p.pattern })),
        td("actions", { text: p.actions.join(", ") }),
        td("effect", {}, el("span", { class: "badge effect-" + p.effect, text: p.effect }))));
    }
    $("permissions-note").textContent = r.permissions.length ? "" : "No permissions.";
  } catch (e) {
    clear(qBody);
    noteFor("permissions-note", e);
  }
}
