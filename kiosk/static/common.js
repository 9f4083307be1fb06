// What every part of the kiosk screen shares: its config, its state, its words, small DOM helpers.
export const config = JSON.parse(document.getElementById("kiosk-config").textContent);
export const TOKEN_KEY = `xh-kiosk-token:${config.kiosk}`;
export const QUEUE_KINDS = new Set(["issued", "called", "recalled", "started", "finished", "no_show", "returned",
  "transferred", "cancelled", "expired", "counter_paused", "counter_resumed"]);
export const PRINT_WAIT_MS = 12000;   // no word from the printer by then: show the ticket as a vé điện tử
export const RESULT_GUARD_MS = 1200;  // taps that were meant for the service button must not press "Xong"
const MESSAGE_MS = 10000;

export const state = {
  lang: "vi", token: null, data: null, screen: "loading", group: null, priority: null, query: "",
  busy: false, ticket: null, printTimer: null, guardTimer: null, idleTimer: null, messageTimer: null,
  printResults: new Map(), touching: false, renderPending: false,
};
export const $ = (id) => document.getElementById(id);

export function word(key, values = {}) {
  const text = config.words[state.lang][key] ?? config.words.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
export const nameOf = (item) => (state.lang === "en" && item.name_en ? item.name_en : item.name);
export const serviceByCode = (code) => state.data.services.find((service) => service.code === code);

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function showMessage(error) {
  const known = { rate_limited: "error_rate_limited", network: "error_network" };
  let text = state.lang === "vi" ? error.message : word(known[error.code] || "error_generic");
  if (!text) text = word("error_generic");
  $("message-text").textContent = text;
  $("message").hidden = false;
  clearTimeout(state.messageTimer);
  state.messageTimer = setTimeout(closeMessage, MESSAGE_MS);
}

export function closeMessage() {
  $("message").hidden = true;
}
