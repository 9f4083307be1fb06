"""The report's tables, once: the page, the print view, the CSV and the XLSX all use these columns.

Numbers on the page follow the language (vi: decimal comma, dot between thousands: 1.234 and 19,4);
the exports carry real numbers and dates (a spreadsheet formats them), never text that looks like one.
No export holds a status-page token or anything a clerk typed (notes, call reasons): the summary table
they read has neither (store/report_facts.py).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.reports import level_name

# (field, word key, kind): kind is text | date | int | minutes | share
DIMENSION_COLUMNS = (
    ("issued", "issued", "int"), ("served", "served", "int"), ("no_show", "no_show", "int"),
    ("cancelled", "cancelled", "int"), ("expired", "expired", "int"), ("transferred", "transferred", "int"),
    ("mean_wait", "mean_wait", "minutes"), ("within_share", "within_share", "share"),
    ("mean_walk", "mean_walk", "minutes"), ("mean_service", "mean_service", "minutes"),
    ("rated", "rated", "int"), ("satisfied_share", "satisfied_share", "share"),
)
# report key → (title word, first column's word, its kind)
TABLES = {
    "days": ("by_day", "day", "date"), "months": ("by_month", "month", "text"),
    "services": ("by_service", "service", "text"), "groups": ("by_group", "group", "text"),
    "hours": ("by_hour", "hour", "text"), "counters": ("by_counter", "counter", "text"),
    "clerks": ("by_clerk", "clerk", "text"),
}
TICKET_COLUMNS = (
    ("day", "day", "date"), ("number", "number", "text"), ("service", "service", "text"),
    ("group", "group", "text"), ("priority", "priority", "text"), ("channel", "channel", "text"),
    ("status", "status", "text"), ("counter", "counter", "text"), ("clerk", "clerk", "text"),
    ("issued_at", "issued_at", "datetime"), ("called_at", "called_at", "datetime"),
    ("started_at", "started_at", "datetime"), ("finished_at", "finished_at", "datetime"),
    ("wait", "wait_minutes", "minutes"), ("walk", "walk_minutes", "minutes"),
    ("service_time", "service_minutes", "minutes"), ("transfers", "transfers", "int"),
    ("no_shows", "no_shows", "int"), ("rating", "rating", "int"), ("rating_name", "level_name", "text"),
)
# The printed wait's error (core/estimate_accuracy.py): report["estimate"][key] rows.
ESTIMATE_COLUMNS = (
    ("count", "est_count", "int"), ("blank", "est_blank", "int"), ("median_abs", "est_median", "minutes"),
    ("p90_abs", "est_p90", "minutes"), ("bias", "est_bias", "minutes"),
    ("within_3_share", "est_within_3", "share"), ("within_25_share", "est_within_25", "share"),
)
ESTIMATE_TABLES = {"estimate_days": ("estimate_by_day", "day", "date", "days"),
                   "estimate_services": ("estimate_by_service", "service", "text", "services")}
CSV_TABLES = ("tickets", *TABLES, *ESTIMATE_TABLES)


def number(value, digits: int = 1, lang: str = "vi") -> str:
    """19.4 → "19,4" in Vietnamese, "19.4" in English; None → "–"."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "vi" else text


def share(value, lang: str = "vi") -> str:
    """0.4 → "40,0%"."""
    return "–" if value is None else number(value * 100, 1, lang) + "%"


def shown(value, kind: str, lang: str) -> str:
    """A cell as the page shows it."""
    if kind == "int":
        return number(value, 0, lang)
    if kind == "minutes":
        return number(value, 1, lang)
    if kind == "share":
        return share(value, lang)
    if kind == "date" and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return "" if value is None else str(value)


def _real(value, kind: str):
    """A cell as the exports hold it: a number, a date or text."""
    if value is None:
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "minutes":
        return round(value, 2)
    return value


# --- the tickets (detail) ---------------------------------------------------------------------------
class TicketNames:
    """Turns a row of facts into what a person reads: names, not codes; local times, not UTC stamps."""

    def __init__(self, settings, words: dict, lang: str):
        self.settings, self.words, self.lang = settings, words, lang
        self.zone = settings.centre.timezone

    def _name(self, items: dict, key):
        item = items.get(key)
        if item is None:
            return key or None
        return item.name_en if self.lang == "en" and item.name_en else item.name

    def _local(self, stamp):
        return datetime.fromisoformat(stamp).astimezone(self.zone).replace(tzinfo=None) if stamp else None

    def row(self, facts: dict) -> dict:
        service = self.settings.services.get(facts["service"])
        minutes = (lambda seconds: None if seconds is None else seconds / 60)
        channel = facts["channel"]
        return {
            "day": facts["day"], "number": facts["number"], "service": self._name(self.settings.services, facts["service"]),
            "group": self._name(self.settings.groups, service.group) if service else None,
            "priority": self._name(self.settings.priority_groups, facts["priority"]) if facts["priority"] else None,
            "channel": self.words.get(f"channel_{channel}", channel),
            "status": self.words.get(f"status_{facts['status']}", facts["status"]),
            "counter": self._name(self.settings.counters, facts["counter"]) if facts["counter"] else None,
            "clerk": facts["clerk"], "issued_at": self._local(facts["issued_at"]),
            "called_at": self._local(facts["called_at"]), "started_at": self._local(facts["started_at"]),
            "finished_at": self._local(facts["finished_at"]), "wait": minutes(facts["wait"]),
            "walk": minutes(facts["walk"]), "service_time": minutes(facts["service_time"]),
            "transfers": facts["transfers"], "no_shows": facts["no_shows"], "rating": facts["rating"],
            "rating_name": level_name(facts["rating"], facts["rating_levels"], self.lang)
            if facts["rating"] and facts["rating_levels"] else None,
        }


def dimension_rows(report: dict, table: str):
    """(header kinds, rows) of one of TABLES or ESTIMATE_TABLES: the first column is the row's name."""
    if table in ESTIMATE_TABLES:
        _, _, kind, key = ESTIMATE_TABLES[table]
        return [((row["key" if kind == "date" else "name"], kind), *((row[field], k) for field, _, k in ESTIMATE_COLUMNS))
                for row in report.get("estimate", {}).get(key, [])]
    _, first, kind = TABLES[table]
    key = "key" if table in ("days", "months") else "name"
    return [((row[key], kind), *((row[field], k) for field, _, k in DIMENSION_COLUMNS)) for row in report[table]]


def headers(words: dict, table: str) -> list[str]:
    if table == "tickets":
        return [words[word] for _, word, _ in TICKET_COLUMNS]
    if table in ESTIMATE_TABLES:
        return [words[ESTIMATE_TABLES[table][1]], *(words[word] for _, word, _ in ESTIMATE_COLUMNS)]
    return [words[TABLES[table][1]], *(words[word] for _, word, _ in DIMENSION_COLUMNS)]


# --- CSV ---------------------------------------------------------------------------------------------
def csv_text(report: dict, table: str, words: dict, tickets=None) -> str:
    """One table as CSV (comma, UTF-8 with a BOM so Excel reads the Vietnamese letters; numbers with a dot,
    shares as fractions 0–1, dates YYYY-MM-DD and times YYYY-MM-DD HH:MM:SS, local)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(words, table))
    if table == "tickets":
        for row in tickets:
            writer.writerow([_csv_cell(_real(row[field], kind)) for field, _, kind in TICKET_COLUMNS])
    else:
        for cells in dimension_rows(report, table):
            writer.writerow([_csv_cell(_real(value, kind)) for value, kind in cells])
    return out.getvalue()


def _csv_cell(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return "" if value is None else value


# --- XLSX --------------------------------------------------------------------------------------------
FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm:ss", "minutes": "0.0", "share": "0.0%", "int": "0"}


def xlsx_bytes(report: dict, words: dict, lang: str) -> bytes:
    """The whole report as a workbook: the summary, the times, one sheet per table, the rating levels.

    Not the ticket list: openpyxl writes about 60,000 cells a second here, so a busy month's 22,000 tickets
    × 20 columns would take 7 s and more; the list is the CSV (table=tickets), streamed in well under that."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: list[str]):
        ws = book.create_sheet(title=title[:31])
        ws.append([_styled(ws, text, font=bold) for text in header])
        return ws

    summary = sheet(words["totals"], [words["figure"], words["count"]])
    totals = report["totals"]
    summary.append([words["period"], f"{_vn_date(report['from'])} – {_vn_date(report['to'])}"])
    for field in ("issued", "served", "no_show", "cancelled", "expired", "transferred", "called"):
        summary.append([words[field], totals[field]])
    qd = report["qd468"]
    summary.append([f"{words['target']} ({words['minutes']})", qd["target_minutes"]])
    summary.append([words["mean_wait"], _styled(summary, _round(qd["mean_wait"]), "minutes")])
    summary.append([words["within_share"], _styled(summary, qd["within_share"], "share")])
    summary.append([words["satisfied_share"], _styled(summary, report["satisfaction"]["satisfied_share"], "share")])
    times = sheet(words["times"], [words["figure"], words["count"], words["mean"], words["median"], words["p90"], words["max"]])
    for name, word in (("wait", "wait"), ("walk", "walk"), ("service", "service_time")):
        figures = report["times"][name]
        times.append([words[word], figures["count"], *(_styled(times, _round(figures[k]), "minutes")
                                                       for k in ("mean", "median", "p90", "max"))])
    for table, (title, _, _) in TABLES.items():
        ws = sheet(words[title], headers(words, table))
        for cells in dimension_rows(report, table):
            ws.append([_styled(ws, _real(value, kind), kind) for value, kind in cells])
    for table, (title, _, _, _) in ESTIMATE_TABLES.items():
        ws = sheet(words[title], headers(words, table))
        for cells in dimension_rows(report, table):
            ws.append([_styled(ws, _real(value, kind), kind) for value, kind in cells])
    levels = sheet(words["satisfaction"], [words["level"], words["level_name"], words["count"]])
    for row in report["satisfaction"]["levels"]:
        levels.append([row["level"], row["name"], row["count"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _styled(ws, value, kind: str | None = None, font=None):
    cell = WriteOnlyCell(ws, value=value)
    if kind in FORMATS and value is not None:
        cell.number_format = FORMATS[kind]
    if font is not None:
        cell.font = font
    return cell


def _round(value):
    return None if value is None else round(value, 2)


def _vn_date(day: str) -> str:
    return f"{day[8:10]}/{day[5:7]}/{day[:4]}"
