// The rating screen beside a counter: idle it shows the counter and the clerk; when the clerk finishes a
// ticket it asks the citizen, for rating.seconds, with one large button per level (keys 1–N of a USB
// keypad in keyboard mode do the same); a low rating may add reasons. Every text is set with textContent.
import { api, takeToken } from "/static/api.js";
import { followCentre, showConnection } from "/static/feed.js";

const config = JSON.parse(document.getElementById("rate-config").textContent);
const TOKEN_KEY = `xh-rate-token:${config.counter}`;
const THANKS_MS = 4000;
const MESSAGE_MS = 6000;
const $ = (id) => document.getElementById(id);
const state = { lang: "vi", token: null, data: null, screen: "loading", pending: null, level: null,
                chosen: new Set(), deadline: 0, timer: null, thanksTimer: null, sending: false };

function word(key, values = {}) {
  const text = config.words[state.lang][key] ?? config.words.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
const rating = () => state.data.rating[state.lang];


function show(screen) {
  state.screen = screen;
  $("app").dataset.screen = screen;
  for (const section of document.querySelectorAll(".rate-screen")) section.hidden = section.id !== `screen-${screen}`;
}

function showUnpaired(problem) {
  $("unpaired-problem").hidden = !problem;
  $("unpaired-problem").textContent = problem ? word("invalid_token") : "";
  $("unpaired-text").textContent = word("unpaired_text", { counter: config.counter, url: config.pageUrl });
  show("unpaired");
}

function translate() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-word]")) node.textContent = word(node.dataset.word);
  $("lang").textContent = word("other_language");
  $("lang").lang = state.lang === "vi" ? "en" : "vi";
}

function renderIdle() {
  const data = state.data;
  $("counter-name").textContent = data.counter_name;
  $("idle-counter").textContent = data.counter_name;
  $("clerk").textContent = data.clerk ? word("clerk", { clerk: data.clerk }) : word("no_clerk");
  const off = (data.keypads || []).includes("disconnected");
  $("keypad-banner").hidden = !off;
  $("keypad-banner").textContent = off ? word("keypad_off") : "";
}

function renderAsk() {
  const pending = state.pending;
  $("ask-service").textContent = word("service", { service: state.lang === "en" ? pending.service_name_en
                                                                                 : pending.service_name });
  const levels = $("levels");
  levels.replaceChildren();
  levels.dataset.count = String(rating().levels.length);
  for (const item of rating().levels) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `rate-level level-${item.level} of-${rating().levels.length}`;
    button.dataset.level = String(item.level);
    const key = document.createElement("span");
    key.className = "rate-key";
    key.textContent = String(item.level);
    const label = document.createElement("span");
    label.className = "rate-label";
    label.textContent = item.label;
    button.append(key, label);
    button.addEventListener("click", () => choose(item.level));
    levels.append(button);
  }
  $("keys-hint").textContent = word("keys_hint", { levels: rating().levels.length });
}

function renderReasons() {
  const list = $("reasons");
  list.replaceChildren();
  rating().reasons.forEach((reason, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rate-reason";
    button.dataset.reason = reason.id;
    button.setAttribute("aria-pressed", String(state.chosen.has(reason.id)));
    const key = document.createElement("span");
    key.className = "rate-key";
    key.textContent = String(index + 1);
    const label = document.createElement("span");
    label.textContent = reason.name;
    button.append(key, label);
    button.addEventListener("click", () => toggleReason(reason.id));
    list.append(button);
  });
}

function render() {
  translate();
  if (!state.data) return;
  renderIdle();
  if (state.screen === "ask") renderAsk();
  if (state.screen === "reasons") renderReasons();
}

// --- the question's clock --------------------------------------------------------------------------
function startCountdown(seconds, onEnd) {
  clearInterval(state.timer);
  state.deadline = performance.now() + seconds * 1000;
  const tick = () => {
    const left = Math.max(0, Math.ceil((state.deadline - performance.now()) / 1000));
    for (const id of ["ask-countdown", "reasons-countdown"]) $(id).textContent = word("seconds_left", { seconds: left });
    if (left <= 0) { clearInterval(state.timer); onEnd(); }
  };
  tick();
  state.timer = setInterval(tick, 250);
}

function goIdle() {
  clearInterval(state.timer);
  clearTimeout(state.thanksTimer);
  state.pending = null; state.level = null; state.chosen = new Set();
  state.lang = "vi";
  show("idle");
  render();
}

function ask(pending) {
  state.pending = pending; state.level = null; state.chosen = new Set();
  show("ask");
  render();
  startCountdown(pending.seconds_left, goIdle);
}

function thank() {
  clearInterval(state.timer);
  state.pending = null;
  show("thanks");
  render();
  clearTimeout(state.thanksTimer);
  state.thanksTimer = setTimeout(goIdle, THANKS_MS);
}

function asksReasons(level) {
  const options = rating();
  return options.reasons_from_level > 0 && level >= options.reasons_from_level && options.reasons.length > 0;
}

function choose(level) {
  if (state.screen !== "ask" || state.sending) return;
  state.level = level;
  if (asksReasons(level)) {
    show("reasons");
    render();
    startCountdown(state.data.rating.vi.seconds, () => send());  // out of time: the level still counts
    return;
  }
  send();
}

function toggleReason(id) {
  if (state.screen !== "reasons") return;
  if (state.chosen.has(id)) state.chosen.delete(id); else state.chosen.add(id);
  renderReasons();
}

async function send({ withReasons = true } = {}) {
  if (state.sending || !state.pending || state.level === null) return;
  state.sending = true;
  const reasons = withReasons ? rating().reasons.map((r) => r.id).filter((id) => state.chosen.has(id)) : [];
  try {
    await api("POST", config.ratingsUrl, { ticket: state.pending.ticket_id, level: state.level, reasons },
              { token: state.token });
    thank();
  } catch (error) {
    if (error.status === 401) { localStorage.removeItem(TOKEN_KEY); showUnpaired(true); return; }
    if (error.code === "already_rated") { thank(); return; }  // the keypad (or the phone) was quicker
    showMessage(error);
    goIdle();
  } finally {
    state.sending = false;
  }
}

function showMessage(error) {
  $("message").textContent = state.lang === "vi" && error.message ? error.message : word("error_generic");
  $("message").hidden = false;
  setTimeout(() => { $("message").hidden = true; }, MESSAGE_MS);
}

// --- what the server says --------------------------------------------------------------------------
async function refresh() {
  try {
    state.data = await api("GET", config.stateUrl, undefined, { token: state.token });
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      localStorage.removeItem(TOKEN_KEY);
      showUnpaired(true);
    }
    return;
  }
  const pending = state.data.pending;
  const asking = state.screen === "ask" || state.screen === "reasons";
  if (pending && (!asking || pending.ticket_id !== state.pending?.ticket_id)) ask(pending);
  else if (!pending && asking) { if (state.level === null) goIdle(); }
  else if (state.screen === "loading" || state.screen === "unpaired") goIdle();
  else render();
}

function onEvent(event) {
  if (event.counter !== config.counter) return;
  if (event.kind === "rated" && (state.screen === "ask" || state.screen === "reasons") && !state.sending) {
    thank();  // the keypad or the phone rated it: nothing left to ask
    return;
  }
  refresh();
}

// --- keys: a USB rating keypad in keyboard mode types 1–5 (and Enter) ----------------------------------
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  const digit = Number.parseInt(event.key, 10);
  if (state.screen === "ask" && digit >= 1 && digit <= rating().levels.length) {
    event.preventDefault();
    choose(digit);
  } else if (state.screen === "reasons") {
    const reason = rating().reasons[digit - 1];
    if (reason) { event.preventDefault(); toggleReason(reason.id); }
    else if (event.key === "Enter") { event.preventDefault(); send(); }
    else if (event.key === "Escape") { event.preventDefault(); send({ withReasons: false }); }
  }
});

$("reasons-send").addEventListener("click", () => send());
$("reasons-skip").addEventListener("click", () => send({ withReasons: false }));
$("lang").addEventListener("click", () => {
  state.lang = state.lang === "vi" ? "en" : "vi";
  render();
});
document.addEventListener("contextmenu", (event) => event.preventDefault());

state.token = takeToken(TOKEN_KEY);
if (!state.token) {
  showUnpaired(false);
} else {
  followCentre({
    auth: { token: state.token },
    onSnapshot: () => refresh(),
    onEvent,
    onConnection: showConnection,
    onRefused: () => { localStorage.removeItem(TOKEN_KEY); showUnpaired(true); },
  });
}
