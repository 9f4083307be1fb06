"""Reports at /admin/reports (issue 12 item 2), for managers and admins.

    GET /admin/reports                 the page: filters, figures, SVG charts
    GET /admin/reports/print           the same, laid out for A4
    GET /admin/reports/export.csv      one table (?table=days|months|services|groups|hours|counters|clerks|tickets|
                                       estimate_days|estimate_services)
    GET /admin/reports/export.xlsx     the whole report, one sheet per table (the ticket list is the CSV's)
    GET /admin/reports/data.json       the report as JSON

Every route takes the same filters (core/reports.py parse_filters: from, to, service, group, counter,
clerk, priority, channel); a wrong one is a 400 with a Vietnamese message. The report reads a year of
tickets, so it is computed on a native thread (blocking.run_blocking) with its own SQLite connection.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify, request

from api import centre
from blocking import run_blocking
from core import estimate_accuracy, reports
from core.errors import InvalidRequest
from core.numbering import local_day
from i18n import language, words
from store import access, report_facts

from . import report_charts as charts
from . import report_tables as tables
from .console import blueprint, nav, render, viewer
from .report_words import WORDS
from .words import WORDS as CONSOLE_WORDS

ROLES = ("admin", "manager")
PAGE_ONLY = ("lang", "table")  # parameters that are not filters

nav("reports", "admin.reports_page", roles=ROLES)


def _filters() -> dict:
    today = datetime.fromisoformat(local_day(centre().engine.clock.now(), centre().settings.centre.timezone))
    args = {key: value for key, value in request.args.items() if key not in PAGE_ONLY}
    return reports.parse_filters(args, centre().settings, today.date())


def _build(path: str, settings, filters: dict, lang: str) -> dict:
    """The report and, under "estimate", the printed wait's error (core/estimate_accuracy.py)."""
    report = reports.build_report(path, settings, filters, lang)
    report["estimate"] = estimate_accuracy.accuracy_report(path, settings, filters, lang)
    return report


def _report(filters: dict, lang: str) -> dict:
    return run_blocking(_build, centre().store.path, centre().settings, filters, lang)


def _choices(lang: str) -> dict:
    settings = centre().settings
    name = (lambda item: item.name_en if lang == "en" and item.name_en else item.name)
    clerks = sorted(user["name"] for user in access.list_users(centre().store) if user["role"] == "clerk")
    return {"services": [(code, name(s)) for code, s in settings.services.items()],
            "groups": [(gid, name(g)) for gid, g in settings.groups.items()],
            "counters": [(cid, c.name) for cid, c in settings.counters.items()],
            "priorities": [(pid, name(p)) for pid, p in settings.priority_groups.items()],
            "clerks": clerks, "channels": ("kiosk", "staff")}


def _page(template: str):
    viewer(*ROLES)
    lang = language()
    filters = _filters()
    report = _report(filters, lang)
    w = {**words(CONSOLE_WORDS, lang), **words(WORDS, lang)}
    weekday_names = w["weekdays"].split("|")
    drawn = {
        "wait_by_day": charts.bars([(tables.shown(d["key"], "date", lang)[:5], d["mean_wait"]) for d in report["days"]],
                                   title=w["chart_wait_by_day"], chart_id="chart-wait-by-day", lang=lang,
                                   target=report["target_minutes"]),
        "hours": charts.bars([(h["name"], h["issued"]) for h in report["hours"]], title=w["chart_hours"],
                             chart_id="chart-hours", lang=lang, line=[h["mean_wait"] for h in report["hours"]]),
        "heatmap": charts.heatmap(weekday_names, report["heatmap"]["hours"], report["heatmap"]["cells"], "issued",
                                  title=w["heatmap"], chart_id="chart-heatmap", lang=lang),
        "heatmap_wait": charts.heatmap(weekday_names, report["heatmap"]["hours"], report["heatmap"]["cells"],
                                       "mean_wait", title=w["heatmap_wait"], chart_id="chart-heatmap-wait",
                                       lang=lang, digits=1),
        "levels": charts.level_bars(report["satisfaction"]["levels"], title=w["chart_levels"],
                                    chart_id="chart-levels", lang=lang),
    }
    query = {key: value for key, value in request.args.items() if key not in PAGE_ONLY}
    return render(template, words_of=WORDS, report=report, charts=drawn, tables=tables, choices=_choices(lang),
                  query=query, shown=tables.shown,
                  generated=datetime.now(centre().settings.centre.timezone).strftime("%H:%M %d/%m/%Y"))


@blueprint.get("/reports")
def reports_page():
    """The report for the filters (default: this month), with charts and the download links."""
    return _page("admin/reports.html")


@blueprint.get("/reports/print")
def reports_print():
    """The same report laid out for one or more A4 pages (the browser's Print)."""
    return _page("admin/reports_print.html")


@blueprint.get("/reports/data.json")
def reports_data():
    """The report as JSON (times in minutes, shares 0–1)."""
    viewer(*ROLES)
    return jsonify(_report(_filters(), language()))


def _tickets(filters: dict, names: tables.TicketNames) -> list[dict]:
    path = centre().store.path  # read here: the native thread below has no Flask app context

    def read():
        with report_facts.connect(path) as connection:
            return [names.row(row) for row in report_facts.ticket_rows(connection, filters)]
    return run_blocking(read)


def _download(body, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/reports/export.csv")
def reports_csv():
    """One table as CSV: ?table=days (default), months, services, groups, hours, counters, clerks, tickets,
    estimate_days, estimate_services."""
    viewer(*ROLES)
    table = request.args.get("table", "days")
    if table not in tables.CSV_TABLES:
        raise InvalidRequest("unknown_table", f"Không có bảng “{table}”. Các bảng: {', '.join(tables.CSV_TABLES)}.")
    lang = language()
    filters = _filters()
    report = _report(filters, lang)
    w = words(WORDS, lang)
    tickets = _tickets(filters, tables.TicketNames(centre().settings, w, lang)) if table == "tickets" else None
    text = run_blocking(tables.csv_text, report, table, w, tickets)
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8",
                     f"bao-cao-{table}-{filters['day_from']}-{filters['day_to']}.csv")


@blueprint.get("/reports/export.xlsx")
def reports_xlsx():
    """The whole report as an Excel workbook (openpyxl): real numbers and dates, Vietnamese headers; one
    sheet per table (the ticket list is export.csv?table=tickets: see report_tables.xlsx_bytes)."""
    viewer(*ROLES)
    lang = language()
    filters = _filters()
    report = _report(filters, lang)
    body = run_blocking(tables.xlsx_bytes, report, words(WORDS, lang), lang)
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"bao-cao-{filters['day_from']}-{filters['day_to']}.xlsx")
