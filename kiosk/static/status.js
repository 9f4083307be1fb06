// The phone's status page: follow one ticket live (static/feed.js followTicket); when it is called,
// a full-screen "Mời bạn đến quầy số 5" with vibration and a short beep where the phone allows them.
// A phone sleeps and loses Wi-Fi: socket.io reconnects by itself, and waking the page asks again.
import { followTicket, showConnection } from "/static/feed.js";
import { waitWords } from "/static/wording.js";

const config = JSON.parse(document.getElementById("status-config").textContent);
const $ = (id) => document.getElementById(id);
let ticket = config.ticket;
let alerted = null;   // which call (called_at + recalls) was already announced
let audio = null;
const CALL_CAN_COME = new Set(["waiting", "transferred", "called", "no_show"]);

function word(key, values = {}) {
  const text = config.words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// "Quầy số 5" → "quầy số 5" inside a Vietnamese sentence; English keeps the name, "Quầy số 5" → "counter 5".
function counterPhrase(current) {
  const name = current.counter_name || current.counter || "";
  if (config.lang === "en") return name.replace(/^Quầy số\s*/u, "counter ");
  return name.charAt(0).toLocaleLowerCase("vi") + name.slice(1);
}

function render() {
  document.body.className = `phone status-${ticket.status}`;
  $("number").textContent = ticket.number;
  $("service").textContent = config.lang === "en" ? ticket.service_name_en : ticket.service_name;
  $("status").textContent = word(`status_${ticket.status}`);
  const waiting = ticket.position !== null && ticket.position !== undefined;
  $("facts").hidden = !waiting;
  // The same words as the kiosk and the ticket (wording.py / static/wording.js).
  const wait = waitWords(config.waitWords, ticket.position, ticket.eta_minutes, ticket.eta_low, ticket.eta_high);
  $("ahead").textContent = waiting ? wait.ahead_count : "—";
  $("eta").textContent = waiting ? wait.wait_short : "—";
  // Sound and vibration are offered only while a call can still come: not once the ticket is done.
  $("alerts").hidden = !CALL_CAN_COME.has(ticket.status);
  if ($("sms")) $("sms").hidden = !CALL_CAN_COME.has(ticket.status);
  const service = config.lang === "en" ? ticket.service_name_en : ticket.service_name;
  $("note").textContent = word(`note_${ticket.status}`, { counter: counterPhrase(ticket), service,
                                                           minutes: config.returnMinutes });
  const time = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", second: "2-digit",
                                                  timeZone: config.timezone }).format(new Date());
  $("updated").textContent = word("updated", { time });
  const called = ticket.status === "called";
  $("called").hidden = !called || $("called").dataset.dismissed === callKey();
  $("called-title").textContent = word("called_title", { counter: counterPhrase(ticket) });
  $("called-number").textContent = word("called_number", { number: ticket.number });
  document.title = called ? `🔔 ${word("called_title", { counter: counterPhrase(ticket) })}` : `${ticket.number} · ${word("title")}`;
  if (called && alerted !== callKey()) {
    alerted = callKey();
    announce();
  }
}

const callKey = () => `${ticket.called_at}|${ticket.recalls}`;

// --- the rating card: once the ticket is done, once per ticket (core/rating.py says whether it may) -----
const rate = { options: null, level: null, reasons: new Set(), sending: false, thanked: false, asked: null };

async function loadRating() {
  if (ticket.status !== "done" || rate.sending) { $("rate").hidden = true; return; }
  try {
    const response = await fetch(config.ratingUrl, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    rate.options = await response.json();
  } catch { return; /* offline: the next ticket push or wake asks again */ }
  renderRating();
}

function renderRating() {
  const options = rate.options;
  if (!options || ticket.status !== "done" || (!options.open && !options.rated)) { $("rate").hidden = true; return; }
  $("rate").hidden = false;
  const result = $("rate-result");
  if (!options.open) {
    $("rate-question").hidden = true; $("rate-levels").hidden = true; $("rate-why").hidden = true;
    result.hidden = false;
    result.textContent = word(rate.thanked ? "rate_thanks" : "rate_done");
    return;
  }
  result.hidden = true;
  const levels = $("rate-levels");
  levels.replaceChildren();
  for (const item of options.levels) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `phone-rate-level level-${item.level} of-${options.levels.length}`;
    button.dataset.level = String(item.level);
    button.setAttribute("aria-pressed", String(rate.level === item.level));
    button.textContent = item.label;
    button.addEventListener("click", () => chooseLevel(item.level));
    levels.append(button);
  }
  const why = options.reasons_from_level > 0 && rate.level !== null && rate.level >= options.reasons_from_level
              && options.reasons.length > 0;
  $("rate-why").hidden = !why;
  const reasons = $("rate-reasons");
  reasons.replaceChildren();
  for (const reason of options.reasons) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "phone-rate-reason";
    button.dataset.reason = reason.id;
    button.setAttribute("aria-pressed", String(rate.reasons.has(reason.id)));
    button.textContent = reason.name;
    button.addEventListener("click", () => {
      if (rate.reasons.has(reason.id)) rate.reasons.delete(reason.id); else rate.reasons.add(reason.id);
      renderRating();
    });
    reasons.append(button);
  }
}

function chooseLevel(level) {
  const options = rate.options;
  rate.level = level;
  if (options.reasons_from_level > 0 && level >= options.reasons_from_level && options.reasons.length > 0) {
    renderRating();  // a low rating may say why; "Gửi đánh giá" sends it
    return;
  }
  rate.reasons.clear();
  sendRating();
}

async function sendRating() {
  if (rate.sending || rate.level === null) return;
  rate.sending = true;
  const reasons = rate.options.reasons.map((r) => r.id).filter((id) => rate.reasons.has(id));
  let answer = null;
  try {
    const response = await fetch(config.ratingUrl, {
      method: "POST", cache: "no-store", headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ level: rate.level, reasons }),
    });
    answer = await response.json().catch(() => ({}));
    if (response.ok) rate.thanked = true;
    else if (answer.error !== "already_rated") throw new Error(answer.message || "rate_error");
  } catch (error) {
    const result = $("rate-result");
    result.hidden = false;
    result.textContent = config.lang === "vi" && error.message && error.message !== "rate_error" ? error.message
                                                                                              : word("rate_error");
    rate.sending = false;
    return;
  }
  rate.sending = false;
  await loadRating();
}

$("rate-send").addEventListener("click", sendRating);

function update(next) {
  if (!next || (typeof next.seq === "number" && typeof ticket.seq === "number" && next.seq < ticket.seq)) return;
  ticket = next;
  render();
  loadRating();  // done now, or rated at the counter meanwhile: the card follows
}

// Vibration and sound need a tap on most phones: the button below gives it; without it we try anyway.
function announce() {
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive !== false) {
    try { navigator.vibrate([400, 150, 400, 150, 800]); } catch { /* not allowed here */ }
  }
  beep();
}

function beep() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    const start = audio.currentTime + 0.05;
    for (let i = 0; i < 3; i += 1) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = i === 2 ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, start + i * 0.32);
      gain.gain.exponentialRampToValueAtTime(0.5, start + i * 0.32 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.32 + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + i * 0.32);
      tone.stop(start + i * 0.32 + 0.27);
    }
  } catch { /* no Web Audio on this phone: the screen and vibration still say it */ }
}

async function refresh() {
  try {
    const response = await fetch(config.stateUrl, { cache: "no-store", headers: { Accept: "application/json" } });
    if (response.ok) update(await response.json());
  } catch { /* offline: the socket's reconnect will bring the state */ }
}

$("alerts").addEventListener("click", () => {
  beep();
  try { navigator.vibrate?.(60); } catch { /* not allowed */ }
  $("alerts").textContent = word("alerts_on");
  $("alerts").classList.add("on");
});
$("called-ok").addEventListener("click", () => {
  $("called").dataset.dismissed = callKey();
  $("called").hidden = true;
});

// --- the phone field for SMS: the number goes to this page's own address, never on the socket -----------
async function sendPhone(method, payload) {
  const response = await fetch(config.phoneUrl, {
    method, cache: "no-store", headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || "sms_error");
  return answer;
}

function smsResult(text, error = false) {
  $("sms-result").hidden = false;
  $("sms-result").textContent = text;
  $("sms-result").classList.toggle("error", error);
}

if (config.phones) {
  $("sms-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("sms-send").disabled = true;
    try {
      const answer = await sendPhone("POST", { phone: $("sms-phone").value, consent: $("sms-consent").checked });
      $("sms-form").hidden = true;
      $("sms-phone").value = "";
      $("sms-forget").hidden = false;
      smsResult(word("sms_saved", { phone: answer.phone }));
    } catch (error) {
      smsResult(config.lang === "vi" && error.message !== "sms_error" ? error.message : word("sms_error"), true);
    }
    $("sms-send").disabled = false;
  });
  $("sms-forget").addEventListener("click", async () => {
    try {
      await sendPhone("DELETE", {});
      $("sms-forget").hidden = true;
      $("sms-form").hidden = false;
      smsResult(word("sms_forgotten"));
    } catch (error) {
      smsResult(word("sms_error"), true);
    }
  });
}

render();
loadRating();
const socket = followTicket({ token: config.token, onTicket: update, onConnection: showConnection });
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible") return;
  if (!socket.connected) socket.connect();
  refresh();
});
window.addEventListener("online", () => { if (!socket.connected) socket.connect(); refresh(); });
window.addEventListener("pageshow", (event) => { if (event.persisted) refresh(); });
