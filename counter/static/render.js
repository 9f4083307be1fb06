// Drawing the counter screen from the state the server sent. Text only (textContent): service names,
// notes and clerk names come from people and must never become HTML.
import { formatNumber } from "/static/wording.js";
import { clockTime, element, minutesBetween } from "./text.js";

const $ = (id) => document.getElementById(id);

function minutesText(minutes, words) {
  return minutes === null || minutes === undefined ? "—" : `${minutes} ${words.minutes}`;
}

function serviceName(ticket, config) {
  const english = config.words.lang === "en" && ticket.service_name_en;
  return english ? ticket.service_name_en : ticket.service_name;
}

function priorityName(ticket, config) {
  return config.priority_groups[ticket.priority] || ticket.priority;
}

export function renderCurrent(current, now, config) {
  const words = config.words;
  const box = $("current");
  box.classList.toggle("empty", !current);
  box.dataset.status = current ? current.status : "";
  box.dataset.ticketId = current ? current.id : "";
  if (!current) return;
  $("current-number").textContent = current.number;
  $("current-service").textContent = serviceName(current, config);
  const priority = $("current-priority");
  priority.hidden = !current.priority;
  priority.textContent = current.priority ? `${words.priority}: ${priorityName(current, config)}` : "";
  $("current-status").textContent = current.status === "serving" ? words.status_serving : words.status_called;
  $("current-waited").textContent = minutesText(minutesBetween(current.issued_at, current.called_at || now), words);
  const serving = current.status === "serving";
  $("current-elapsed-label").textContent = serving ? words.serving_for : words.called_for;
  $("current-elapsed").textContent = minutesText(
    minutesBetween(serving ? current.started_at : current.called_at, now), words);
  $("current-recalls").textContent = `${current.recalls}/${config.max_recalls}`;
}

// The waiting list, oldest first as the server orders it; each row keeps its ticket id for "Gọi".
export function renderWaiting(waiting, now, config, canCall) {
  const words = config.words;
  const list = $("waiting-list");
  const rows = waiting.map((ticket) => {
    const row = element("li", "", ticket.priority ? "waiting-row priority" : "waiting-row");
    row.dataset.ticketId = ticket.id;
    row.dataset.number = ticket.number;
    row.append(element("span", ticket.number, "number"));
    const about = element("span", "", "about");
    about.append(element("span", serviceName(ticket, config), "service"));
    if (ticket.priority) about.append(element("span", `${words.priority}: ${priorityName(ticket, config)}`, "badge priority"));
    if (ticket.target_counter === config.counter.id) about.append(element("span", words.sent_here, "badge sent"));
    else if (ticket.status === "transferred") about.append(element("span", words.transferred, "badge sent"));
    row.append(about);
    row.append(element("span", minutesText(minutesBetween(ticket.issued_at, now), words), "waited"));
    const call = element("button", words.call_this, "call-this");
    call.type = "button";
    call.disabled = !canCall;
    row.append(call);
    return row;
  });
  list.replaceChildren(...rows);
  $("waiting-count").textContent = String(waiting.length);
  $("waiting-empty").hidden = waiting.length > 0;
}

export function renderToday(today, config) {
  const words = config.words;
  $("served-count").textContent = String(today.served_count);
  $("average-minutes").textContent = today.average_service_minutes === null
    ? "—" : `${formatNumber(today.average_service_minutes, config.numberWords)} ${words.minutes}`;
  $("no-show-count").textContent = String(today.no_show_count);
  $("served-empty").hidden = today.served.length > 0;
  $("served-list").replaceChildren(...today.served.map((ticket) => {
    const row = element("tr");
    row.dataset.ticketId = ticket.id;
    row.append(element("td", ticket.number, "number"), element("td", serviceName(ticket, config), "service-name"),
               element("td", clockTime(ticket.called_at, config.timezone)),
               element("td", clockTime(ticket.finished_at, config.timezone)),
               element("td", minutesText(ticket.service_minutes === null ? null : Math.round(ticket.service_minutes), words)));
    return row;
  }));
}

// Device problems stay until fixed (or dismissed): one line per device, newest text wins.
export function renderBanners(banners, words, onDismiss) {
  $("banners").replaceChildren(...[...banners].map(([key, text]) => {
    const item = element("li", "", "banner");
    item.dataset.device = key;
    item.append(element("span", text, "banner-text"));
    const close = element("button", words.dismiss, "quiet dismiss");
    close.type = "button";
    close.addEventListener("click", () => onDismiss(key));
    item.append(close);
    return item;
  }));
}

export function renderButtons(summary, config, busy) {
  const current = summary ? summary.counter.current : null;
  const paused = summary ? summary.counter.paused : false;
  const called = current && current.status === "called";
  const enabled = {
    next: !current && !paused,
    recall: called && current.recalls < config.max_recalls,
    start: called,
    finish: current && current.status === "serving",
    "no-show": called,
    transfer: Boolean(current),
    pause: Boolean(summary),
  };
  for (const [action, on] of Object.entries(enabled)) $(`action-${action}`).disabled = busy || !on;
  const pause = $("action-pause");
  pause.querySelector(".label").textContent = paused ? config.words.action_resume : config.words.action_pause;
  pause.classList.toggle("resume", paused);
  $("paused-banner").hidden = !paused;
}
