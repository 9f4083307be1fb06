// The public board: today's figures from board.json, fetched again after every change that moves them
// (at most once every 2 s while the centre is busy) and every minute anyway (the day changes at midnight).
import { followCentre, showConnection } from "/static/feed.js";

const config = JSON.parse(document.getElementById("display-config").textContent);
const words = config.words;
const MOVES = new Set(["issued", "called", "finished", "no_show", "cancelled", "expired", "transferred", "rated", "returned"]);
const QUIET_MS = 2000;

const locale = config.lang === "vi" ? "vi-VN" : "en-GB";
const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(locale);
const minutes = (value) => (value === null ? "–" : decimal.format(value));
const share = (value) => (value === null ? "–" : `${decimal.format(value * 100)}%`);

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function render(board) {
  const t = board.totals;
  document.getElementById("board-served").textContent = whole.format(t.served);
  document.getElementById("board-mean-wait").textContent = minutes(t.mean_wait);
  document.getElementById("board-target").textContent = `${words.board_minutes} · ${words.board_target} ${board.target_minutes}`;
  document.getElementById("board-within").textContent = share(t.within_share);
  document.getElementById("board-satisfied").textContent = share(t.satisfied_share);
  const [year, month, day] = board.day.split("-");
  document.getElementById("board-date").textContent = `${day}/${month}/${year}`;
  const body = document.querySelector("#board-groups tbody");
  body.replaceChildren(...board.groups.map((g) => {
    const row = document.createElement("tr");
    row.dataset.group = g.id;
    row.append(cell(g.name), cell(whole.format(g.served)), cell(minutes(g.mean_wait)), cell(share(g.within_share)),
               cell(share(g.satisfied_share)));
    return row;
  }));
  document.body.dataset.seq = String(board.seq);
}

let timer = null;
let last = 0;
async function refresh() {
  timer = null;
  last = Date.now();
  try {
    const response = await fetch(config.url, { headers: { Accept: "application/json" } });
    if (response.ok) render(await response.json());
  } catch (error) {
    showConnection(false);
  }
}
function soon() {
  if (timer === null) timer = setTimeout(refresh, Math.max(0, last + QUIET_MS - Date.now()));
}

followCentre({
  auth: { display: config.display },
  onSnapshot: () => soon(),
  onEvent: (event) => { if (MOVES.has(event.kind)) soon(); },
  onConnection: showConnection,
});
setInterval(soon, 60000);
