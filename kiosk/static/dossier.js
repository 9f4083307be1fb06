// "Tra cứu hồ sơ": a receipt's code from the kiosk's barcode scanner (a USB scanner in keyboard mode
// types it in a burst and ends with Enter) or typed on the on-screen keyboard, looked up through
// POST /kiosk/<id>/dossier; the answer is drawn with textContent only (it comes from another system).
import { api } from "/static/api.js";
import { $, config, state, word } from "./common.js";
import { buildKeyboard } from "./search.js";

const ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm.-"];
const LONGEST_BOX = 64;      // what the box holds; the server refuses codes over dossiers.max_length
const BURST_GAP_MS = 60;     // wedge scanners type a key every 2–20 ms; people are slower
const SCAN_MINIMUM = 8;      // a burst this long ended by Enter is a scan

let hooks = null;            // { show(screen), issueService(code) } from kiosk.js
const burst = { text: "", last: 0 };

export function dossierEnabled() {
  return Boolean(config.dossierUrl);
}

function drawBox() {
  $("dossier-box").textContent = state.dossierCode || word("dossier_placeholder");
  $("dossier-box").classList.toggle("empty", !state.dossierCode);
}

function typeKey(key) {
  if (key === "delete") state.dossierCode = state.dossierCode.slice(0, -1);
  else if (state.dossierCode.length < LONGEST_BOX) state.dossierCode += key.toUpperCase();
  drawBox();
}

export function openDossier(code = "") {
  state.dossierCode = code;
  state.dossier = null;
  renderDossier();
  hooks.show("dossier");
  if (code) lookUp();
}

export function renderDossier() {
  drawBox();
  const dossier = state.dossier;
  $("dossier-entry").hidden = Boolean(dossier);
  $("dossier-result").hidden = !dossier;
  if (!dossier) return;
  if (dossier.lang !== state.lang && !state.busy) { lookUp(); return; }  // the language button: ask in the other
  $("dossier-result").dataset.status = dossier.status;
  $("dossier-status").textContent = dossier.status_name;
  $("dossier-next").textContent = dossier.next;
  $("dossier-procedure").textContent = dossier.procedure;
  $("dossier-received").textContent = dossier.received_text;
  $("dossier-due").textContent = dossier.due_text;
  $("dossier-step").textContent = dossier.step;
  $("dossier-step-row").hidden = !dossier.step;
  $("dossier-note").textContent = dossier.note;
  $("dossier-note-row").hidden = !dossier.note;
  $("dossier-name").textContent = dossier.masked_name || "–";
  $("dossier-code").textContent = dossier.code;
  const service = dossier.ticket_service && state.data.services.find((item) => item.code === dossier.ticket_service);
  $("dossier-ticket").hidden = !(service && service.available);
}

function messageOf(error) {
  if (state.lang === "vi") return error.message || word("dossier_error_generic");
  return word(`error_${error.code}`) === `error_${error.code}` ? word("dossier_error_generic") : word(`error_${error.code}`);
}

async function lookUp() {
  if (state.busy || !state.dossierCode) return;
  state.busy = true;
  $("busy").hidden = false;
  $("busy").querySelector("p").textContent = word("dossier_looking");
  try {
    const lang = state.lang;
    const dossier = await api("POST", config.dossierUrl, { code: state.dossierCode, lang }, { token: state.token });
    state.dossier = { ...dossier, lang };
    renderDossier();
  } catch (error) {
    // The server's message is Vietnamese; the English screen has its own words for the known codes.
    $("message-text").textContent = messageOf(error);
    $("message").hidden = false;
  } finally {
    state.busy = false;
    $("busy").hidden = true;
    $("busy").querySelector("p").textContent = word("issuing");
  }
}

// Keyboard-wedge scanners: on the start screen a fast burst ended by Enter opens the lookup with it; on
// the lookup screen every key goes into the box (a person with a keyboard may type too).
function onKey(event) {
  if (!dossierEnabled() || event.ctrlKey || event.altKey || event.metaKey) return;
  if (!["groups", "dossier", "services", "priority"].includes(state.screen)) return;
  const now = performance.now();
  if (state.screen === "dossier" && !state.dossier) {
    if (event.key === "Enter") { event.preventDefault(); lookUp(); return; }
    if (event.key === "Backspace") { typeKey("delete"); return; }
    if (event.key.length === 1 && event.key !== " ") typeKey(event.key);
    return;
  }
  if (event.key === "Enter") {
    const scanned = burst.text;
    burst.text = "";
    if (scanned.length >= SCAN_MINIMUM && now - burst.last < BURST_GAP_MS * 3) {
      event.preventDefault();
      openDossier(scanned.toUpperCase());
    }
    return;
  }
  if (event.key.length !== 1) return;
  if (now - burst.last > BURST_GAP_MS) burst.text = "";
  burst.text = (burst.text + event.key).slice(-LONGEST_BOX * 2);
  burst.last = now;
}

export function wireDossier(given) {  // given: { show, goHome, issueService }
  hooks = given;
  state.dossierCode = "";
  state.dossier = null;
  $("open-dossier").hidden = !dossierEnabled();
  if (!dossierEnabled()) return;
  buildKeyboard($("dossier-keyboard"), typeKey, { rows: ROWS, space: false });
  $("open-dossier").addEventListener("click", () => openDossier(""));
  $("dossier-lookup").addEventListener("click", lookUp);
  $("dossier-again").addEventListener("click", () => openDossier(""));
  $("dossier-done").addEventListener("click", () => hooks.goHome());
  $("dossier-ticket").addEventListener("click", () => {
    if (state.dossier && state.dossier.ticket_service) hooks.issueService(state.dossier.ticket_service);
  });
  document.addEventListener("keydown", onKey, true);
}
