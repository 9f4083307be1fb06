// The lobby's dossier results board: dossiers.json on load and then on a schedule (the figures change
// only when an export is imported, so no socket is needed); the time of the last refresh is shown.
import { showConnection } from "/static/feed.js";

const config = JSON.parse(document.getElementById("display-config").textContent);
const words = config.words;
const locale = config.lang === "vi" ? "vi-VN" : "en-GB";
const whole = new Intl.NumberFormat(locale);
const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const share = (value) => (value === null || value === undefined ? "–" : `${decimal.format(value * 100)}%`);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
const stamp = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit",
                                                 year: "numeric", hourCycle: "h23", timeZone: config.timezone });

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function renderPeriod(name, period) {
  const section = document.getElementById(`dossier-${name}`);
  const [year, month] = period.prefix.split("-");
  section.querySelector(".dossier-period-title").textContent =
    name === "month" ? fill(words.dossier_month, { month: `${month}/${year}` }) : fill(words.dossier_year, { year });
  const totals = period.totals;
  for (const node of section.querySelectorAll("[data-figure]")) {
    const key = node.dataset.figure;
    node.textContent = key.endsWith("_share") ? share(totals[key]) : whole.format(totals[key]);
  }
  section.querySelector("tbody").replaceChildren(...period.groups.map((group) => {
    const row = document.createElement("tr");
    row.dataset.group = group.name;
    row.append(cell(group.name), cell(whole.format(group.received)), cell(whole.format(group.resolved)),
               cell(share(group.early_share)), cell(share(group.on_time_share)), cell(share(group.late_share)));
    return row;
  }));
}

function render(figures) {
  renderPeriod("month", figures.month);
  renderPeriod("year", figures.year);
  const refreshed = fill(words.dossier_refreshed, { time: stamp.format(new Date(figures.refreshed_at)) });
  const imported = figures.imported_at ? ` · ${fill(words.dossier_imported, { time: stamp.format(new Date(figures.imported_at)) })}` : "";
  const stale = figures.source_error ? ` · ${words.dossier_stale}` : "";  // the last good figures, still shown
  document.getElementById("dossier-refreshed").textContent = refreshed + imported + stale;
  document.getElementById("dossier-none").hidden = figures.year.totals.received + figures.year.totals.resolved > 0;
  document.body.dataset.refreshedAt = figures.refreshed_at;
}

async function refresh() {
  try {
    const response = await fetch(config.url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    render(await response.json());
    showConnection(true);
  } catch (error) {
    showConnection(false);  // the figures stay as they were, with their time: never half-drawn
  }
}

refresh();
setInterval(refresh, config.refreshSeconds * 1000);
