// The live monitor (/admin/monitor): one `monitor` push per burst of events redraws the page; between
// pushes the durations tick from the server's clock (offset measured at each push). No polling.
/* global io */
import { showConnection } from "/static/feed.js";

const config = JSON.parse(document.getElementById("monitor-config").textContent);
const words = JSON.parse(document.getElementById("monitor-words").textContent);
const $ = (id) => document.getElementById(id);
let view = config.view;
let offset = 0;  // server clock − this browser's clock, in ms

function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = text;
  if (className) node.className = className;
  return node;
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
const serverNow = () => Date.now() + offset;
const secondsSince = (iso) => (iso ? Math.max(0, (serverNow() - new Date(iso)) / 1000) : null);

// 75 s → "1:15", 3,725 s → "1:02:05": a wait in minutes and seconds, hours when it comes to that.
function duration(seconds) {
  if (seconds === null || seconds === undefined) return words.none;
  const whole = Math.floor(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

const name = (item, key = "name") => (words.lang === "en" && item[`${key}_en`]) || item[key];

function alertText(alert) {
  const minutes = Math.floor((secondsSince(alert.since) ?? alert.seconds) / 60);
  const values = { number: alert.number, minutes, limit: alert.limit_minutes,
                   service: name(alert, "service_name"), counter: alert.counter_name };
  return fill(alert.kind === "long_service" ? words.alert_long : words.alert_wait, values);
}

function drawAlerts() {
  $("alerts-none").hidden = view.alerts.length > 0;
  $("alerts-list").replaceChildren(...view.alerts.map((alert) => {
    const item = element("li", alertText(alert), "alert");
    item.dataset.kind = alert.kind;
    item.dataset.service = alert.service;
    if (alert.counter) item.dataset.counter = alert.counter;
    return item;
  }));
}

function drawTotals() {
  const t = view.totals;
  $("total-issued").textContent = t.issued;
  $("total-waiting").textContent = t.waiting;
  $("total-serving").textContent = t.called_now + t.serving_now;
  $("total-served").textContent = t.served;
  $("total-no_show").textContent = t.no_show;
  $("total-mean_wait").textContent = duration(t.mean_wait_seconds);
  $("total-longest_wait").textContent = duration(longestNow());
  $("total-longest_wait").classList.toggle("breached", t.breaches > 0);
}

function longestNow() {
  const waits = view.services.filter((s) => s.longest_since).map((s) => secondsSince(s.longest_since));
  return waits.length ? Math.max(...waits) : null;
}

function drawServices() {
  const rows = view.services.map((service) => {
    const row = element("tr");
    row.dataset.service = service.code;
    row.classList.toggle("breached", service.breached);
    row.classList.toggle("idle", !service.waiting && !service.issued);
    const label = element("th", name(service));
    label.scope = "row";
    row.append(label, element("td", String(service.waiting), "num"),
               element("td", service.waiting ? duration(secondsSince(service.longest_since)) : words.none, "num wait"),
               element("td", String(service.issued), "num"), element("td", String(service.served), "num"),
               element("td", duration(service.mean_wait_seconds), "num"));
    return row;
  });
  $("services").tBodies[0].replaceChildren(...rows);
}

function drawCounters() {
  const rows = view.counters.map((counter) => {
    const row = element("tr");
    row.dataset.counter = counter.id;
    row.dataset.state = counter.state;
    row.classList.toggle("breached", counter.long_service);
    const label = element("th", counter.name);
    label.scope = "row";
    const state = element("td", words[`state_${counter.state}`] || counter.state, "state");
    row.append(label, element("td", counter.clerk || words.none), state,
               element("td", counter.ticket ? counter.ticket.number : words.none, "number"),
               element("td", duration(secondsSince(counter.since)), "num elapsed"));
    return row;
  });
  $("counters").tBodies[0].replaceChildren(...rows);
}

function drawDevices() {
  $("devices-ok").hidden = view.devices.length > 0;
  $("devices").replaceChildren(...view.devices.map((device) => {
    const item = element("li", `${words[`device_${device.kind}`]} ${device.name}: ${device.message}`, "device");
    item.dataset.device = `${device.kind}:${device.id}`;
    return item;
  }));
}

function draw() {
  document.body.dataset.seq = view.seq;
  $("monitor-updated").textContent = new Intl.DateTimeFormat(words.lang === "en" ? "en-GB" : "vi-VN", {
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: config.timezone,
  }).format(new Date(view.at));
  drawAlerts();
  drawTotals();
  drawServices();
  drawCounters();
  drawDevices();
}

function receive(next) {
  view = next;
  offset = new Date(next.at) - Date.now();
  draw();
}

receive(view);
setInterval(draw, 1000);  // the clocks tick between pushes

const socket = io({ transports: ["websocket"], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
socket.on("connect", () => { showConnection(true); socket.emit("monitor"); });  // every reconnect: a fresh view
socket.on("disconnect", () => showConnection(false));
socket.on("connect_error", () => showConnection(false));
socket.on("monitor", receive);
socket.on("monitor_refused", () => window.location.assign("/admin/login?next=/admin/monitor"));
