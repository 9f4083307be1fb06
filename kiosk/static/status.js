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

function update(next) {
  if (!next || (typeof next.seq === "number" && typeof ticket.seq === "number" && next.seq < ticket.seq)) return;
  ticket = next;
  render();
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

render();
const socket = followTicket({ token: config.token, onTicket: update, onConnection: showConnection });
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible") return;
  if (!socket.connected) socket.connect();
  refresh();
});
window.addEventListener("online", () => { if (!socket.connected) socket.connect(); refresh(); });
window.addEventListener("pageshow", (event) => { if (event.persisted) refresh(); });
