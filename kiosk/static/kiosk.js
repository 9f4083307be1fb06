// The kiosk screen: lĩnh vực → thủ tục in two taps, an optional priority step, the number with its QR
// code, and the printer's outcome from the realtime feed. Every text set with textContent (names come
// from config.toml); the page has no links, so a citizen cannot wander off it.
import { api, takeToken } from "/static/api.js";
import { followCentre, showConnection } from "/static/feed.js";
import { $, QUEUE_KINDS, TOKEN_KEY, closeMessage, config, element, nameOf, serviceByCode, showMessage, state,
         word } from "./common.js";
import { applyPrint, renderResult, reprint, showResult } from "./result.js";
import { buildKeyboard, matchServices } from "./search.js";
import { renderDossier, wireDossier } from "./dossier.js";
import { waitWords } from "/static/wording.js";

// --- pairing: ?token=… once, then localStorage; the address bar never keeps the token --------------

function showUnpaired(problem) {
  $("unpaired-problem").hidden = !problem;
  $("unpaired-problem").textContent = problem ? word("invalid_token") : "";
  $("unpaired-text").textContent = word("unpaired_text", { kiosk: config.kiosk, url: config.pageUrl });
  show("unpaired");
}

// --- screens ---------------------------------------------------------------------------------------
function show(screen) {
  state.screen = screen;
  $("app").dataset.screen = screen;
  for (const section of document.querySelectorAll(".screen")) section.hidden = section.id !== `screen-${screen}`;
  window.scrollTo(0, 0);
  restartIdle();
}

function render() {
  if (!state.data) return;
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-word]")) node.textContent = word(node.dataset.word);
  $("lang").textContent = word("other_language");
  $("lang").lang = state.lang === "vi" ? "en" : "vi";
  $("centre-name").textContent = nameOf(state.data.centre);
  $("connection").textContent = word("connection_lost");
  renderBanners();
  renderGroups();
  if (state.group) renderServices();
  renderSearch();
  renderPriorities();
  if (state.ticket) renderResult();
  if (state.screen === "dossier") renderDossier();
}

function renderBanners() {
  const printer = state.data.printer;
  const out = printer.status !== "none" && !printer.can_print;
  $("printer-banner").hidden = !out;
  if (out) {
    $("printer-banner").textContent = word("printer_banner", { message: word(`printer_${printer.status}`) });
  }
  renderCalendar();
  const group = state.data.priority_groups.find((item) => item.id === state.priority);
  $("priority-banner").hidden = !group;
  $("priority-text").textContent = group ? word("priority_chosen", { name: nameOf(group) }) : "";
}

// Today's hours or holiday, and the next dated exception (ngày nghỉ lễ, làm bù, về sớm) set in the console.
function renderCalendar() {
  const calendar = state.data.calendar;
  const banner = $("calendar-banner");
  if (!calendar) { banner.hidden = true; return; }
  const note = (item) => (state.lang === "en" && item.note_en ? item.note_en : item.note);
  const shortDay = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}`;
  const sessions = (list) => list.map((text) => text.replace("-", "–")).join(", ");
  const parts = [];
  const holiday = calendar.today && calendar.today.kind === "holiday";
  if (holiday) parts.push(word("calendar_holiday", { note: note(calendar.today) }));
  else if (calendar.sessions.length) parts.push(word("calendar_today", { sessions: sessions(calendar.sessions) }));
  else parts.push(word("calendar_today_closed"));
  const next = calendar.upcoming[0];
  if (next) {
    const last = next.sessions.length ? next.sessions[next.sessions.length - 1].split("-")[1] : "";
    parts.push(word(`calendar_next_${next.kind}`, { day: shortDay(next.day), note: note(next),
                                                    sessions: sessions(next.sessions), end: last }));
  }
  banner.textContent = parts.join(" · ");
  banner.classList.toggle("holiday", holiday);
  banner.hidden = false;
}

// Under a greyed-out card: why, with the holiday's name or the reason the console gave.
function reasonText(service) {
  const note = state.lang === "en" && service.reason_note_en ? service.reason_note_en : service.reason_note;
  return note ? `${word(`reason_${service.reason}`)}: ${note}` : word(`reason_${service.reason}`);
}

function etaText(service) {
  // The same words as the result screen, the ticket and the phone (wording.py / static/wording.js).
  return waitWords(config.waitWords[state.lang], service.people_ahead, service.eta_minutes, service.eta_low,
                   service.eta_high).wait_short;
}

function serviceCard(service) {
  const card = element("button", "card service");
  card.type = "button";
  card.dataset.service = service.code;
  card.append(element("span", "card-title", nameOf(service)));
  if (service.available) {
    card.append(element("span", "card-meta", `${word("waiting", { n: service.waiting })} · ${etaText(service)}`));
    card.addEventListener("click", () => issue(service));
  } else {
    card.disabled = true;
    card.append(element("span", "reason", reasonText(service)));
  }
  return card;
}

function renderGroups() {
  const cards = state.data.groups.map((group) => {
    const services = group.services.map(serviceByCode);
    const card = element("button", "card group");
    card.type = "button";
    card.dataset.group = group.id;
    card.append(element("span", "card-title", nameOf(group)));
    const waiting = services.reduce((total, service) => total + service.waiting, 0);
    card.append(element("span", "card-meta",
      `${word("services_count", { n: services.length })} · ${word("waiting", { n: waiting })}`));
    const open = services.find((service) => service.available);
    if (open) {
      card.addEventListener("click", () => { state.group = group.id; renderServices(); show("services"); });
    } else {
      card.disabled = true;
      card.append(element("span", "reason", reasonText(services[0])));
    }
    return card;
  });
  $("group-list").replaceChildren(...cards);
}

function renderServices() {
  const group = state.data.groups.find((item) => item.id === state.group);
  if (!group) { state.group = null; return; }
  $("group-title").textContent = nameOf(group);
  $("service-list").replaceChildren(...group.services.map((code) => serviceCard(serviceByCode(code))));
}

function renderSearch() {
  $("search-box").textContent = state.query || word("search_placeholder");
  $("search-box").classList.toggle("empty", !state.query);
  const found = matchServices(state.data.services, state.query);
  const cards = found.map(serviceCard);
  if (state.query && !found.length) cards.push(element("p", "hint", word("search_empty")));
  $("search-results").replaceChildren(...cards);
}

function typeKey(key) {
  if (key === "delete") state.query = state.query.slice(0, -1);
  else if (state.query.length < 40 && !(key === " " && state.query.endsWith(" "))) state.query += key;
  renderSearch();
}

function renderPriorities() {
  const choose = (id) => () => { state.priority = id; renderBanners(); show("groups"); };
  const cards = state.data.priority_groups.map((group) => {
    const card = element("button", "card priority");
    card.type = "button";
    card.dataset.priority = group.id;
    card.append(element("span", "card-title", nameOf(group)));
    card.addEventListener("click", choose(group.id));
    return card;
  });
  const none = element("button", "card priority none");
  none.type = "button";
  none.dataset.priority = "";
  none.append(element("span", "card-title", word("priority_none")));
  none.addEventListener("click", choose(null));
  $("priority-list").replaceChildren(...cards, none);
}

// --- taking a number -------------------------------------------------------------------------------
// One Idempotency-Key per tap, reused by its retries: when the answer is lost (Wi-Fi drop, server
// restart) the retry gets the number the server already gave, not a second one (README, "Kiosk").
const RETRY_DELAYS_MS = [500, 1500, 3000];

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function requestTicket(body) {
  const headers = { "Idempotency-Key": newKey() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api("POST", "/api/tickets", body, { token: state.token, headers });
    } catch (error) {
      const retriable = error.status === 0 || error.status >= 502;  // no answer, or the server restarting
      if (!retriable || attempt >= RETRY_DELAYS_MS.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }
}

async function issue(service) {
  if (state.busy) return;  // a second tap while the first is on its way is ignored
  state.busy = true;
  $("busy").hidden = false;
  try {
    const ticket = await requestTicket({ service: service.code, priority: state.priority });
    state.priority = null;  // the next citizen at this kiosk starts without it
    showResult(ticket);
    show("result");
  } catch (error) {
    if (error.status === 401) {  // the token was revoked: this kiosk needs pairing again
      localStorage.removeItem(TOKEN_KEY);
      showUnpaired(true);
    } else {
      showMessage(error);
    }
    if (["daily_cap_reached", "closed", "holiday", "service_closed", "service_retired"].includes(error.code)) {
      loadServices();
    }
  } finally {
    state.busy = false;
    $("busy").hidden = true;
  }
}

// --- the rest of the screen's life -----------------------------------------------------------------
function goHome() {
  clearTimeout(state.printTimer);
  Object.assign(state, { lang: "vi", group: null, priority: null, query: "", ticket: null, dossier: null,
                         dossierCode: "" });
  closeMessage();
  render();
  show("groups");
}

function restartIdle() {
  clearTimeout(state.idleTimer);
  const atRest = state.screen === "groups" && state.lang === "vi" && !state.priority && $("message").hidden;
  if (state.data && !atRest && state.screen !== "unpaired") {
    state.idleTimer = setTimeout(goHome, config.idleSeconds * 1000);
  }
}

let refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer === null) refreshTimer = setTimeout(() => { refreshTimer = null; loadServices(); }, 500);
}

async function loadServices() {
  try {
    state.data = await api("GET", config.servicesUrl, undefined, { token: state.token });
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      localStorage.removeItem(TOKEN_KEY);
      showUnpaired(true);
    } else {
      setTimeout(scheduleRefresh, 3000);  // the feed's reconnect will also ask again
    }
    return;
  }
  // Fresh numbers arrive with every call in the centre: never swap a card under a finger that is on it
  // (the tap would be lost); draw once the finger is up and its click has been handled.
  if (state.touching) state.renderPending = true;
  else render();
  if (state.screen === "loading") show("groups");
}

function trackTouch(event) {
  state.touching = event.type === "pointerdown";
  if (!state.touching && state.renderPending) {
    state.renderPending = false;
    setTimeout(render, 0);
  }
}

function onEvent(event) {
  // admin_*: the console changed thủ tục, hours or holidays (or anything else; a refresh is cheap).
  if (QUEUE_KINDS.has(event.kind) || event.kind.startsWith("admin_")) scheduleRefresh();
  if (!state.data || !event.details || event.details.kiosk !== config.kiosk) return;
  if (event.kind === "printer_status") {
    state.data.printer = { status: event.details.status, can_print: event.details.can_print,
                           message: event.details.message };
    renderBanners();
  } else if (event.kind === "printed" || event.kind === "print_failed") {
    state.printResults.set(event.ticket_id, event);
    if (state.printResults.size > 50) state.printResults.delete(state.printResults.keys().next().value);
    applyPrint(event);
  }
}

function updateClock() {
  const format = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: config.timezone });
  $("clock").textContent = format.format(new Date());
}

function wire() {
  // A kiosk stays on this page: no context menu, no back gesture, no link to follow.
  document.addEventListener("contextmenu", (event) => event.preventDefault());
  history.pushState({ kiosk: true }, "", location.href);
  window.addEventListener("popstate", () => history.pushState({ kiosk: true }, "", location.href));
  for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, restartIdle, true);
  for (const kind of ["pointerdown", "pointerup", "pointercancel"]) document.addEventListener(kind, trackTouch, true);
  $("lang").addEventListener("click", () => { state.lang = state.lang === "vi" ? "en" : "vi"; render(); restartIdle(); });
  for (const back of document.querySelectorAll("[data-go]")) back.addEventListener("click", () => show(back.dataset.go));
  $("open-search").addEventListener("click", () => { state.query = ""; renderSearch(); show("search"); });
  $("open-priority").addEventListener("click", () => show("priority"));
  $("priority-clear").addEventListener("click", () => { state.priority = null; renderBanners(); restartIdle(); });
  $("done").addEventListener("click", goHome);
  $("reprint").addEventListener("click", reprint);
  $("message-close").addEventListener("click", () => { closeMessage(); restartIdle(); });
  buildKeyboard($("keyboard"), typeKey);
  wireDossier({ show, goHome, issueService: (code) => {
    const service = serviceByCode(code);
    if (service) issue(service);
  } });
  document.addEventListener("keydown", (event) => {  // a physical keyboard, when there is one
    if (state.screen !== "search" || event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.key === "Backspace") typeKey("delete");
    else if (/^[\p{L} ]$/u.test(event.key)) typeKey(event.key.toLowerCase());
  });
  updateClock();
  setInterval(updateClock, 15000);
}

wire();
state.token = takeToken(TOKEN_KEY);
if (!state.token) {
  showUnpaired(false);
} else {
  loadServices();
  followCentre({ auth: { kiosk: config.kiosk }, onSnapshot: scheduleRefresh, onEvent, onConnection: showConnection });
}
