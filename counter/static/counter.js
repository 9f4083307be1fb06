// The clerk's screen: follows the centre live (static/feed.js), refetches this counter's state and its
// waiting list when an event concerns them, and sends every action through the HTTP API.
import { followAlerts } from "/static/alerts.js";
import { api } from "/static/api.js";
import { followCentre, showConnection } from "/static/feed.js";
import { listenForKeys } from "./keys.js";
import { renderBanners, renderButtons, renderCurrent, renderToday, renderWaiting } from "./render.js";
import { chime } from "./sound.js";
import { errorText } from "./text.js";

const config = JSON.parse(document.getElementById("counter-config").textContent);
const words = config.words;
const counterId = config.counter.id;
const myServices = new Set(config.counter.services.map((service) => service.code));
const PRINTER_KINDS = new Set(["printed", "print_failed", "printer_status"]);
const DEVICE_KINDS = new Set([...PRINTER_KINDS, "scanner_status", "scan_rejected", "dossier_scanned"]);
const REFRESH_DELAY = 150;  // ms: a burst of events (a kiosk rush) costs one refetch, not one each

const state = { summary: null, waiting: null, clockOffset: 0, busy: false, banners: new Map() };
const $ = (id) => document.getElementById(id);
const serverNow = () => new Date(Date.now() + state.clockOffset);

// --- messages ---------------------------------------------------------------------------------------
let noticeTimer = null;
function notice(text, kind = "info") {
  const box = $("notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = !text;
  clearTimeout(noticeTimer);
  if (text) noticeTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 15000 : 6000);
}

function fail(error) {
  notice(errorText(error, words), "error");
  // Signed out elsewhere, or another clerk took the counter: the sign-in page says what to do.
  if (error.status === 401 || error.code === "no_counter") setTimeout(() => window.location.assign("/counter/login"), 1500);
}

// --- drawing -------------------------------------------------------------------------------------
function draw() {
  const now = serverNow();
  const current = state.summary ? state.summary.counter.current : null;
  renderCurrent(current, now, config);
  renderButtons(state.summary, config, state.busy);
  if (state.waiting) {
    const canCall = Boolean(state.summary) && !current && !state.summary.counter.paused && !state.busy;
    renderWaiting(state.waiting, now, config, canCall);
  }
  if (state.summary) renderToday(state.summary.today, config);
  const banners = new Map(state.banners);
  const scannerOff = state.summary && state.summary.scanners.includes("disconnected");
  if (scannerOff && !state.scannerDismissed) banners.set("scanner", words.scanner_off);
  renderBanners(banners, words, (key) => {
    if (key === "scanner") state.scannerDismissed = true;
    else state.banners.delete(key);
    draw();
  });
}

// --- fetching --------------------------------------------------------------------------------------
let refreshing = null;
let refreshAgain = false;
let refreshTimer = null;

async function refresh() {
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      try {
        const [summary, waiting] = await Promise.all([
          api("GET", "/counter/summary"), api("GET", `/api/counters/${encodeURIComponent(counterId)}/waiting`)]);
        state.clockOffset = Date.parse(summary.now) - Date.now();
        if (!summary.scanners.includes("disconnected")) state.scannerDismissed = false;
        const wasEmpty = state.waiting !== null && state.waiting.length === 0;
        state.summary = summary;
        state.waiting = waiting;
        if (wasEmpty && waiting.length > 0) chime();
        draw();
      } catch (error) {
        fail(error);
      }
    } while (refreshAgain);
  })();
  try { await refreshing; } finally { refreshing = null; }
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, REFRESH_DELAY);
}

// --- live events -------------------------------------------------------------------------------------
function concernsUs(event) {
  const details = event.details || {};
  return event.counter === counterId || details.to_counter === counterId
    || myServices.has(event.service) || myServices.has(details.from_service);
}

function onDeviceEvent(event) {
  const details = event.details || {};
  if (event.kind === "dossier_scanned" && event.counter === counterId && details.dossier) {
    openDossier(details.dossier);  // this counter's serial scanner read a receipt
  } else if (event.kind === "scan_rejected" && event.counter === counterId) {
    notice(errorText({ code: details.code, message: details.message }, words), "error");
  } else if (event.kind === "scanner_status" && event.counter === counterId) {
    refreshSoon();  // the summary carries every scanner's state
  } else if (PRINTER_KINDS.has(event.kind)) {
    const key = `printer:${details.kiosk || ""}`;
    const fine = details.status === "ok" && event.kind !== "print_failed";
    if (fine || event.kind === "printed") {
      if (fine) state.banners.delete(key);  // a ticket printed, or the printer says it is ready again
    } else {
      const status = words[`printer_${details.status}`] || words.printer_unknown;
      const what = event.kind === "print_failed" ? `${words.print_failed} (${status})` : status;
      const kiosk = config.kiosks[details.kiosk] || details.kiosk;
      state.banners.set(key, `${words.printer_problem}${kiosk ? ` – ${kiosk}` : ""}: ${what}`);
    }
    draw();
  }
}

function onEvent(event) {
  if (DEVICE_KINDS.has(event.kind)) onDeviceEvent(event);
  else if (concernsUs(event)) refreshSoon();
}

// --- actions ---------------------------------------------------------------------------------------
const counterPath = `/api/counters/${encodeURIComponent(counterId)}`;
const ticketPath = (action) => `/api/tickets/${state.summary.counter.current.id}/${action}`;

const actions = {
  next: async () => {
    const ticket = await api("POST", `${counterPath}/next`);
    if (ticket === null) notice(words.nobody_waiting);
  },
  recall: () => api("POST", ticketPath("recall")),
  start: () => api("POST", ticketPath("start")),
  finish: () => api("POST", ticketPath("finish")),
  "no-show": () => api("POST", ticketPath("no-show")),
  pause: () => api("POST", `${counterPath}/${state.summary.counter.paused ? "resume" : "pause"}`),
};

async function run(action) {
  const button = $(`action-${action}`);
  if (!button || button.disabled || state.busy) return;
  button.blur();  // Enter at the end of a keyboard-mode scan must not press it again
  if (action === "transfer") { openTransfer(); return; }
  await act(actions[action]);
}

// One action at a time: the buttons stay disabled until the server answered and the screen is redrawn.
async function act(request) {
  state.busy = true;
  draw();
  notice("");
  try {
    await request();
  } catch (error) {
    fail(error);
  } finally {
    state.busy = false;
    await refresh();
  }
}

for (const button of document.querySelectorAll(".actions button[data-action]")) {
  button.addEventListener("click", () => run(button.dataset.action));
}

// --- dialogs: transfer, and calling a chosen ticket with a reason -------------------------------------
function dialogError(dialog, text) {
  const box = dialog.querySelector(".dialog-error");
  box.textContent = text;
  box.hidden = !text;
}

function fillOptions(select, items, value, label) {
  select.replaceChildren(...items.map((item) => {
    const option = document.createElement("option");
    option.value = value(item);
    option.textContent = label(item);
    return option;
  }));
}

fillOptions($("transfer-service"), config.services, (s) => s.code, (s) => s.name);
fillOptions($("transfer-counter"), config.counters, (c) => c.id, (c) => c.name);
for (const target of ["service", "counter"]) {  // picking from a list picks that kind of target
  $(`transfer-${target}`).addEventListener("change", () => {
    $("transfer-form").querySelector(`input[name="target"][value="${target}"]`).checked = true;
  });
}

function openTransfer() {
  const current = state.summary && state.summary.counter.current;
  if (!current) return;
  const dialog = $("transfer-dialog");
  dialog.dataset.ticketId = current.id;
  $("transfer-number").textContent = current.number;
  $("transfer-form").reset();  // a fresh choice each time: the last transfer's target is not this one's
  dialogError(dialog, "");
  dialog.showModal();
}

function openCall(ticketId, number) {
  const dialog = $("call-dialog");
  dialog.dataset.ticketId = ticketId;
  $("call-number").textContent = number;
  $("call-reason").value = "";
  dialogError(dialog, "");
  dialog.showModal();
}

for (const dialog of document.querySelectorAll("dialog")) {
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
}

$("transfer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const dialog = $("transfer-dialog");
  const form = event.target;
  const target = form.elements.target.value;
  const payload = { note: form.elements.note.value.trim() };
  payload[target] = target === "service" ? form.elements.service.value : form.elements.counter.value;
  submitDialog(dialog, () => api("POST", `/api/tickets/${dialog.dataset.ticketId}/transfer`, payload));
});

$("call-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const dialog = $("call-dialog");
  const reason = $("call-reason").value.trim();
  if (!reason) { dialogError(dialog, words.reason_required); $("call-reason").focus(); return; }
  const ticket = Number(dialog.dataset.ticketId);
  submitDialog(dialog, () => api("POST", `${counterPath}/call`, { ticket, reason }));
});

async function submitDialog(dialog, request) {
  const confirm = dialog.querySelector('button[type="submit"]');
  confirm.disabled = true;
  try {
    await request();
    dialog.close();
    notice("");
  } catch (error) {
    dialogError(dialog, errorText(error, words));
  } finally {
    confirm.disabled = false;
    await refresh();
  }
}

$("waiting-list").addEventListener("click", (event) => {
  const button = event.target.closest("button.call-this");
  if (!button || button.disabled) return;
  const row = button.closest("li");
  openCall(row.dataset.ticketId, row.dataset.number);
});

// --- keyboard: shortcuts and keyboard-mode scanners ---------------------------------------------------
const shortcuts = {};
for (const button of document.querySelectorAll(".actions button[data-action]")) {
  shortcuts[button.getAttribute("aria-keyshortcuts").toLowerCase()] = () => run(button.dataset.action);
}

// --- a dossier's receipt (issue 13): its status above the queue ------------------------------------
function showDossier(dossier) {
  const panel = $("dossier-panel");
  panel.dataset.status = dossier.status;
  $("dossier-code").textContent = dossier.code;
  $("dossier-status").textContent = dossier.status_name;
  $("dossier-next").textContent = dossier.next;
  $("dossier-procedure").textContent = dossier.procedure;
  $("dossier-received").textContent = dossier.received_text;
  $("dossier-due").textContent = dossier.due_text;
  $("dossier-step").textContent = dossier.step || "–";
  $("dossier-note").textContent = dossier.note || "–";
  $("dossier-name").textContent = dossier.masked_name || "–";
  panel.hidden = false;
}

async function openDossier(code) {
  try {
    showDossier(await api("POST", "/counter/dossier", { code }));
  } catch (error) {
    notice(errorText(error, words), "error");
  }
}
$("dossier-close").addEventListener("click", () => { $("dossier-panel").hidden = true; });

async function scanned(code) {
  try {
    const result = await api("POST", "/counter/scan", { code });
    if (result.outcome === "dossier") {
      showDossier(result.dossier);
      const english = words.scan_dossier;
      notice(english ? english.replace("{code}", result.dossier.code).replace("{status}", result.dossier.status_name)
        : result.message);
    } else if (result.outcome === "rejected") {
      notice(errorText({ code: result.code, message: result.message }, words), "error");
    } else {
      const english = words[`scan_${result.outcome}`];  // the server's message is Vietnamese
      notice(english ? english.replace("{number}", result.ticket.number) : result.message);
    }
  } catch (error) {
    fail(error);
  }
  await refresh();
}

listenForKeys({ shortcuts, onScan: scanned,
                onDropped: (keys) => notice(words.keys_dropped.replace("{keys}", keys.toUpperCase().split("").join(" + ")), "error") });

// --- sign-out, clock, start ---------------------------------------------------------------------------
let signingOut = false;  // our own sign-out also ends the socket: that is no "session ended" news
$("sign-out").addEventListener("click", async () => {
  signingOut = true;
  try {
    await api("DELETE", "/api/session");
  } catch (error) {
    if (error.status !== 401) {
      signingOut = false;
      notice(`${words.sign_out_failed}: ${errorText(error, words)}`, "error");
      return;
    }
  }
  window.location.assign("/counter/login");
});

setInterval(draw, 20000);  // the waits grow while nothing happens

// A session that ended (sign-out in another tab, password or role changed, account disabled, shift over)
// goes back to the sign-in page instead of showing errors on every button.
const signInAgain = () => { if (!signingOut) window.location.assign("/counter/login?ended=1"); };
window.addEventListener("xh:session-ended", signInAgain);

const socket = followCentre({
  auth: { counter: counterId },
  onRefused: signInAgain,
  onSnapshot: () => refresh(),  // first load, and every reconnect: nothing missed while offline
  onEvent,
  onConnection: showConnection,
});
// Wait-target banners for the thủ tục this counter serves (static/alerts.js).
followAlerts(socket, { list: $("wait-alerts"), words, lang: words.lang });
