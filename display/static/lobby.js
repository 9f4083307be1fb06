// The lobby wall display: follows the centre's feed and redraws a fixed set of elements.
// - state comes only from the snapshot (on every (re)connect and resync) and the events after it, so a
//   server restart or a network drop heals itself (feed.js reconnects with backoff);
// - what the snapshot lacks (this display's own recent calls, the notice) is fetched from state.json
//   after each snapshot and merged with events that arrived meanwhile;
// - the DOM is built once by the server (tiles, N recent rows, waiting rows) and only its text changes,
//   and every list in memory is capped: a TV runs all day without growing.
import { followCentre, showConnection } from "/static/feed.js";
import { Announcer } from "./announcer.js";

const config = JSON.parse(document.getElementById("display-config").textContent);
const words = config.words;
const inScope = new Set(config.counters.map((c) => c.id));
const services = new Set(config.services);
const counterNames = new Map(config.counters.map((c) => [c.id, c.name]));
const CATCH_UP_SECONDS = 60;   // a call missed while offline is still announced if it is this fresh
const STAFFING_EVENTS = new Set(["called", "recalled", "started", "finished", "no_show", "counter_paused",
                                  "counter_resumed", "clerk_signed_in"]);
const RESYNC_MS = 120000;      // a fresh snapshot now and then: counters close after an hour without action
const ANNOUNCED_MEMORY = 50;   // seqs already announced, to never announce a call twice

const state = {
  counters: new Map(),   // every counter: id → {current: {id, number, status, service} | null, paused, open}
  waiting: {},           // service code → tickets waiting
  recent: [],            // this display's calls, newest first, ≤ config.recentCalls, one per number
  notice: { all: config.notice.all, mine: config.notice.mine, seqAll: config.notice.seq, seqMine: config.notice.seq },
  seq: null,             // last seq applied
  offset: 0,             // server clock − this clock (ms): TVs' clocks drift, the server's is the truth
  highlightUntil: 0,
  highlightSeq: null,
  highlightTimer: null,
  announced: [],         // seqs already announced (≤ ANNOUNCED_MEMORY)
  calendar: null,        // today's hours or holiday and the next exception (state.json)
};

const el = {
  hero: document.getElementById("hero"),
  heroNumber: document.getElementById("hero-number"),
  heroCounter: document.getElementById("hero-counter"),
  tiles: [...document.querySelectorAll("#counters .tile")],
  recentRows: [...document.querySelectorAll("#recent tr")],
  waitingRows: [...document.querySelectorAll("#waiting li")].map((li) => ({
    li, count: li.querySelector(".waiting-count"),
    services: (config.waiting.find((row) => row.key === li.dataset.key) || { services: [] }).services,
  })),
  notice: document.getElementById("notice"),
  noticeBar: document.getElementById("notice-bar"),
  time: document.getElementById("time"),
  date: document.getElementById("date"),
  soundBlocked: document.getElementById("sound-blocked"),
};

// The grid's sizes come as data-* attributes, not style="…": the Content-Security-Policy allows no inline
// style (README, "Security"); a style set through the DOM, as here, is allowed.
for (const [id, property, key] of [["counters", "--columns", "columns"],
  ["counters", "--columns-portrait", "columnsPortrait"], ["waiting", "--rows", "rows"]]) {
  const node = document.getElementById(id);
  node.style.setProperty(property, node.dataset[key]);
}

const serverNow = () => Date.now() + state.offset;
const announcer = new Announcer({
  voice: config.voice, timezone: config.timezone, now: serverNow,
  onBlocked: () => { el.soundBlocked.hidden = false; },
});
// For tests and for whoever opens the TV's dev tools: what the display holds (every list here is capped).
window.__xhDisplay = { state, announcer };
el.soundBlocked.addEventListener("click", () => { el.soundBlocked.hidden = true; announcer.unblock(); });

// --- state changes ----------------------------------------------------------------------------------
const shows = (counter, service) => inScope.has(counter) && services.has(service);

function addRecent(call) {
  const rest = state.recent.filter((c) => c.number !== call.number && c.seq !== call.seq);
  state.recent = [call, ...rest].sort((a, b) => b.seq - a.seq).slice(0, config.recentCalls);
}

// Say the call (once, however often it reaches us) and highlight it for highlightSeconds.
function announce(call) {
  if (state.announced.includes(call.seq)) return;
  state.announced.push(call.seq);
  if (state.announced.length > ANNOUNCED_MEMORY) state.announced.shift();
  announcer.announce(call);
  state.highlightSeq = call.seq;
  state.highlightUntil = serverNow() + config.highlightSeconds * 1000;
  clearTimeout(state.highlightTimer);
  state.highlightTimer = setTimeout(scheduleRender, config.highlightSeconds * 1000 + 50);
}

function counterState(id) {
  if (!state.counters.has(id)) state.counters.set(id, { current: null, paused: false, open: false });
  return state.counters.get(id);
}

function changeWaiting(service, delta) {
  if (service) state.waiting[service] = Math.max(0, (state.waiting[service] || 0) + delta);
}

function onSnapshot(snapshot) {
  const previousSeq = state.seq;
  state.offset = Date.parse(snapshot.at) - Date.now();
  state.counters = new Map(snapshot.counters.map((c) => [c.id, {
    paused: c.paused,
    open: c.open,
    current: c.current ? { id: c.current.id, number: c.current.number, status: c.current.status,
                           service: c.current.service } : null,
  }]));
  state.waiting = { ...snapshot.waiting };
  state.recent = [];
  for (const call of [...snapshot.recent_calls].reverse()) {
    if (shows(call.counter, call.service)) addRecent({ ...call, counter_name: counterNames.get(call.counter) });
  }
  state.seq = snapshot.seq;
  scheduleRender();
  loadDisplayState(previousSeq);
}

function onEvent(event) {
  state.seq = event.seq;
  const details = event.details || {};
  const counter = event.counter ? counterState(event.counter) : null;
  const holds = counter && counter.current && counter.current.id === event.ticket_id;
  // Open (staffed) as core/staffing.py says: anything done at a counter opens it; signing out closes it
  // unless a citizen is still there. Time alone also closes one (an hour without action): the periodic
  // resync below brings the server's word on that.
  if (counter && event.kind === "clerk_signed_out") counter.open = Boolean(counter.current);
  else if (counter && STAFFING_EVENTS.has(event.kind)) counter.open = true;
  switch (event.kind) {
    case "issued": case "returned": changeWaiting(event.service, +1); break;
    case "cancelled": changeWaiting(event.service, -1); break;
    case "called": case "recalled": {
      if (event.kind === "called") changeWaiting(event.service, -1);
      if (!counter) break;
      counter.current = { id: event.ticket_id, number: details.number, status: "called", service: event.service };
      if (shows(event.counter, event.service)) {
        const call = { seq: event.seq, at: event.at, kind: event.kind, ticket_id: event.ticket_id,
                       number: details.number, counter: event.counter, counter_name: counterNames.get(event.counter),
                       service: event.service };
        addRecent(call);
        announce(call);
      }
      break;
    }
    case "started": if (holds) counter.current.status = "serving"; break;
    case "finished": case "no_show": if (holds) counter.current = null; break;
    case "transferred":
      // From a counter the ticket joins the waiting again; from the waiting it only changes service.
      if (holds) counter.current = null; else changeWaiting(details.from_service, -1);
      changeWaiting(details.to_service || event.service, +1);
      break;
    case "expired":
      if (holds) counter.current = null;
      if (details.previous_status === "waiting" || details.previous_status === "transferred") {
        changeWaiting(event.service, -1);
      }
      break;
    case "counter_paused": case "counter_resumed": if (counter) counter.paused = event.kind === "counter_paused"; break;
    case "notice_changed":
      if (details.display === null || details.display === undefined) {
        Object.assign(state.notice, { all: details.text, seqAll: event.seq });
      } else if (details.display === config.display) {
        Object.assign(state.notice, { mine: details.text, seqMine: event.seq });
      }
      break;
    default:
      // The console changed the hours or holidays: state.json carries the new calendar.
      if (event.kind.startsWith("admin_day_exception") || event.kind === "admin_hours_changed") loadDisplayState(null);
      break;
  }
  scheduleRender();
}

// state.json: this display's recent calls (filtered, today) and its notice, at some seq ≥ the snapshot's.
let loading = false;
let again = null;   // a load asked for while one was in flight: {after} (the oldest catch-up point wins)
function loadDisplayState(catchUpAfter) {
  if (loading) {
    const points = [again ? again.after : null, catchUpAfter].filter((seq) => seq !== null && seq !== undefined);
    again = { after: points.length ? Math.min(...points) : null };
    return;
  }
  loading = true;
  fetch(config.stateUrl, { cache: "no-store" })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
    .then((data) => mergeDisplayState(data, catchUpAfter))
    .catch(() => setTimeout(() => { if (state.seq !== null) loadDisplayState(catchUpAfter); }, 3000))
    .finally(() => {
      loading = false;
      if (again) { const { after } = again; again = null; loadDisplayState(after); }
    });
}

function mergeDisplayState(data, catchUpAfter) {
  const newer = state.recent.filter((call) => call.seq > data.seq);
  state.recent = [];
  [...data.recent_calls].reverse().forEach(addRecent);
  newer.reverse().forEach(addRecent);
  if (data.notice.seq >= state.notice.seqAll) Object.assign(state.notice, { all: data.notice.all, seqAll: data.notice.seq });
  if (data.notice.seq >= state.notice.seqMine) Object.assign(state.notice, { mine: data.notice.mine, seqMine: data.notice.seq });
  if (catchUpAfter !== null && catchUpAfter !== undefined) {
    // Back from a drop or a restart: calls made meanwhile are on screen already; the fresh ones are also said.
    const missed = data.recent_calls.filter((call) => call.seq > catchUpAfter
      && serverNow() - Date.parse(call.at) <= CATCH_UP_SECONDS * 1000);
    missed.reverse().forEach(announce);
  }
  state.calendar = data.calendar || null;
  document.body.dataset.stateSeq = String(data.seq);
  scheduleRender();
}

// Today's hours or holiday, then the next dated exception (set in the admin console).
function calendarText(calendar) {
  const note = (item) => (config.lang === "en" && item.note_en ? item.note_en : item.note);
  const sessions = (list) => list.map((text) => text.replace("-", "–")).join(", ");
  const say = (key, values) => words[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  const parts = [];
  if (calendar.today && calendar.today.kind === "holiday") parts.push(say("calendar_holiday", { note: note(calendar.today) }));
  else if (calendar.sessions.length) parts.push(say("calendar_today", { sessions: sessions(calendar.sessions) }));
  else parts.push(say("calendar_today_closed", {}));
  const next = calendar.upcoming[0];
  if (next) {
    const end = next.sessions.length ? next.sessions[next.sessions.length - 1].split("-")[1] : "";
    parts.push(say(`calendar_next_${next.kind}`, { day: `${next.day.slice(8, 10)}/${next.day.slice(5, 7)}`,
                                                   note: note(next), sessions: sessions(next.sessions), end }));
  }
  return parts.join(" · ");
}

// --- drawing -------------------------------------------------------------------------------------------
let renderTimer = null;
function scheduleRender() {
  // At most one redraw per 50 ms however many events arrive (a burst of calls after a reconnect).
  if (renderTimer === null) renderTimer = setTimeout(render, 50);
}

// Only touch the DOM when the text changes; true when it did.
function setText(node, text) {
  if (node.textContent === text) return false;
  node.textContent = text;
  return true;
}

function render() {
  renderTimer = null;
  const highlighting = serverNow() < state.highlightUntil;
  const newest = state.recent[0];
  el.hero.classList.toggle("idle", !newest);
  el.hero.classList.toggle("highlight", Boolean(newest && highlighting && newest.seq === state.highlightSeq));
  if (setText(el.heroNumber, newest ? newest.number : "—")) {
    el.heroNumber.style.setProperty("--chars", Math.max(4, el.heroNumber.textContent.length));
  }
  setText(el.heroCounter, newest ? newest.counter_name : words.no_calls);

  for (const tile of el.tiles) {
    const counter = state.counters.get(tile.dataset.counter) || { current: null, paused: false, open: false };
    const current = counter.current;
    const status = current ? current.status : counter.paused ? "paused" : counter.open ? "idle" : "closed";
    tile.className = `tile ${status}`;
    if (current && highlighting && newest && newest.counter === tile.dataset.counter
        && newest.number === current.number) tile.classList.add("highlight");
    const number = tile.querySelector(".tile-number");
    if (setText(number, current ? current.number : "—")) number.style.setProperty("--chars", Math.max(4, number.textContent.length));
    setText(tile.querySelector(".tile-status"), words[status === "serving" ? "serving" : status] || "");
  }

  el.recentRows.forEach((row, index) => {
    const call = state.recent[index];
    row.className = call ? (index === 0 && highlighting ? "fresh" : "") : "empty";
    setText(row.cells[0], call ? call.number : "");
    setText(row.cells[1], call ? call.counter_name : "");
  });

  for (const row of el.waitingRows) {
    setText(row.count, String(row.services.reduce((sum, code) => sum + (state.waiting[code] || 0), 0)));
  }

  if (state.calendar) {
    const line = document.getElementById("calendar-line");
    setText(line, calendarText(state.calendar));
    line.hidden = false;
    line.classList.toggle("holiday", Boolean(state.calendar.today && state.calendar.today.kind === "holiday"));
  }

  const notice = state.notice.mine || state.notice.all || "";
  if (el.notice.textContent !== notice) {
    el.notice.textContent = notice;   // text, never HTML: an admin's "<script>" is shown as typed
    el.noticeBar.hidden = !notice;
    el.noticeBar.style.setProperty("--notice-seconds", `${Math.max(15, notice.length * 0.3)}s`);
  }
  document.body.dataset.seq = String(state.seq);
}

// --- the clock, in the centre's time zone from the server's time ---------------------------------------
const dateParts = new Intl.DateTimeFormat("en-US", {
  timeZone: config.timezone, weekday: "short", day: "2-digit", month: "2-digit", year: "numeric",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
const WEEKDAY_INDEX = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const weekdays = words.weekdays.split("|");

let today = null;
function tick() {
  const parts = Object.fromEntries(dateParts.formatToParts(new Date(serverNow())).map((p) => [p.type, p.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  // Past midnight the list of recent calls starts again: state.json only lists today's.
  if (today !== null && day !== today && state.seq !== null) loadDisplayState(null);
  today = day;
  setText(el.time, `${parts.hour}:${parts.minute}`);
  setText(el.date, words.date_format.replace("{weekday}", weekdays[WEEKDAY_INDEX[parts.weekday]])
    .replace("{day}", parts.day).replace("{month}", parts.month).replace("{year}", parts.year));
  if (el.hero.classList.contains("highlight") && serverNow() >= state.highlightUntil) scheduleRender();
}
tick();
setInterval(tick, 1000);

const feed = followCentre({
  auth: { display: config.display },
  onSnapshot, onEvent,
  onConnection: (connected) => { showConnection(connected); document.body.dataset.connected = String(connected); },
});
setInterval(() => { if (feed.connected) feed.emit("resync"); }, RESYNC_MS);
