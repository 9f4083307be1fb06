"""The public transparency board (issue 12 item 3): today's results on a lobby screen, live.

    GET /display/<display id>/board        the page (public, like the lobby screen)
    GET /display/<display id>/board.json   today's figures for this display's thủ tục

Công khai, minh bạch: tickets served today, the mean wait against QĐ 468's target, the share called
within it and the share of citizens satisfied, overall and per lĩnh vực. Nothing personal: no numbers,
no names, no clerk. The figures are the reports' (core/reports.py, one definition each), computed on a
native thread, and remembered until the log moves on, so ten screens refreshing cost one computation.
"""

from __future__ import annotations

import threading

from flask import current_app, jsonify, render_template

from api import centre
from blocking import run_blocking
from core import reports
from core.errors import NotFound
from core.numbering import local_day
from i18n import language, name_of, words

from .routes import blueprint
from .scope import scope_of
from .words import WORDS

FIGURES = ("issued", "served", "mean_wait", "within_share", "satisfied_share", "rated")


def _display(display_id: str):
    display = centre().settings.displays.get(display_id)
    if display is None:
        raise NotFound("display_not_found", f"Không có màn hình “{display_id}”.")
    return display


def board_figures(display_id: str, lang: str) -> dict:
    """Today's figures for a display's thủ tục: totals and one row per lĩnh vực (nothing personal)."""
    settings, engine = centre().settings, centre().engine
    display = _display(display_id)
    today = local_day(engine.clock.now(), settings.centre.timezone)
    with centre().store.read() as tx:
        seq = tx.last_seq()
    cache = current_app.extensions.setdefault("xephang_board_cache", {"lock": threading.Lock(), "rows": {}})
    key = (display.id, lang)
    with cache["lock"]:
        hit = cache["rows"].get(key)
    if hit and hit["seq"] == seq and hit["day"] == today:
        return hit
    filters = reports.day_filters(today)
    if display.services or display.counters:  # a floor's board: the thủ tục its counters serve
        scope = scope_of(settings, display)
        served = {code for counter in scope.counters for code in settings.counters[counter].services}
        filters["services"] = [code for code in scope.services if code in served]
    report = run_blocking(reports.build_report, centre().store.path, settings, filters, lang)
    totals = report["totals"]
    board = {"seq": seq, "day": today, "target_minutes": report["target_minutes"],
             "totals": {field: totals[field] for field in FIGURES},
             "groups": [{"id": row["key"], "name": name_of(settings.groups[row["key"]], lang),
                         **{field: row[field] for field in FIGURES}}
                        for row in report["groups"] if row["key"] in settings.groups]}
    with cache["lock"]:
        cache["rows"][key] = board
    return board


def board_page(display_id: str, template: str, data_name: str, **extra_config):
    """A lobby board's page (this one, display/dossier_board.py): its script fetches `data_name` from
    this display's address; 404 page for an unknown display."""
    settings = centre().settings
    display = settings.displays.get(display_id)
    if display is None:
        from .routes import _not_found
        return _not_found("not_found_text")
    lang = language()
    w = words(WORDS, lang)
    config = {"display": display.id, "lang": lang, "words": w, "url": f"/display/{display.id}/{data_name}",
              "timezone": settings.centre.timezone.key, **extra_config}
    return render_template(template, w=w, lang=lang, display=display, config=config,
                           centre_name=settings.centre.name_en if lang == "en" else settings.centre.name)


@blueprint.get("/<display_id>/board")
def board(display_id: str):
    """The board's page; display/static/board.js fetches board.json on load and after each change."""
    return board_page(display_id, "display/board.html", "board.json")


@blueprint.get("/<display_id>/board.json")
def board_data(display_id: str):
    """Today's figures (see board_figures)."""
    return jsonify(board_figures(display_id, language()))
