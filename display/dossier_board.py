"""The lobby board of dossier results (issue 13): this month and this year, per lĩnh vực.

    GET /display/<display id>/dossiers        the page (public, like the lobby screen and /board)
    GET /display/<display id>/dossiers.json   the figures: received, resolved, early / on time / late

Computed from the imported dossiers (core/dossier_views.py summarise, one definition) on a native thread,
at most every `dossiers.board_refresh_seconds` (ten screens refreshing cost one computation), and
sooner when a new import arrived. Nothing personal: no code, no name. `refreshed_at` is when the figures
were computed, `imported_at` when the newest export was imported.
"""

from __future__ import annotations

import threading
import time

from flask import current_app, jsonify

from api import centre
from blocking import run_blocking
from core.dossier_views import summarise
from core.numbering import local_day
from dossiers.desk import SourceBusy
from dossiers.http_source import fetch_summary
from dossiers.source import SourceUnavailable
from store import dossiers as stored

from .board import _display, board_page
from .routes import blueprint


def _compute(path: str, today: str) -> dict:
    rows, imported_at = stored.board_facts(path, today[:4])
    return {"imported_at": imported_at, **summarise(rows, today)}


def _figures(today: str, previous: dict | None) -> dict:
    """From the một cửa system's summary endpoint when one is configured (on this greenlet: its sockets
    are cooperative), else from the stored dossiers (on a native thread: it is CPU work)."""
    options = centre().settings.dossiers
    if options.source == "http" and options.http.summary_url:
        try:
            return {"imported_at": None, "source_error": None, **fetch_summary(options.http, today)}
        except SourceUnavailable as error:
            if previous is not None and previous["day"] == today:
                return {**previous, "source_error": error.code}  # the last good figures, marked stale
            raise SourceBusy(error.code, error.message, retry_after=60) from None
    return {"source_error": None, **run_blocking(_compute, centre().store.path, today)}


def dossier_figures(display_id: str) -> dict:
    """The board's figures, recomputed when older than board_refresh_seconds or a new import came in."""
    _display(display_id)
    settings, engine = centre().settings, centre().engine
    now = engine.clock.now()
    today = local_day(now, settings.centre.timezone)
    cache = current_app.extensions.setdefault("xephang_dossier_board", {"lock": threading.Lock(), "figures": None})
    with cache["lock"]:
        hit = cache["figures"]
    fresh_import = None
    if hit is not None:
        latest = stored.last_import(centre().store)
        fresh_import = latest["at"] if latest else None
    if (hit is None or hit["day"] != today or hit["imported_at"] != fresh_import
            or time.monotonic() - hit["computed"] >= settings.dossiers.board_refresh_seconds):
        figures = _figures(today, hit)
        stale = figures.get("source_error") and hit is not None
        hit = {**figures, "day": today, "computed": time.monotonic(),
               "refreshed_at": hit["refreshed_at"] if stale else now.isoformat(timespec="seconds")}
        with cache["lock"]:
            cache["figures"] = hit
    return {key: value for key, value in hit.items() if key != "computed"} | {
        "refresh_seconds": settings.dossiers.board_refresh_seconds, "source": settings.dossiers.source}


@blueprint.get("/<display_id>/dossiers")
def dossier_board(display_id: str):
    """The page; display/static/dossier_board.js fetches dossiers.json on load and on the schedule."""
    return board_page(display_id, "display/dossier_board.html", "dossiers.json",
                      refreshSeconds=min(60, centre().settings.dossiers.board_refresh_seconds))


@blueprint.get("/<display_id>/dossiers.json")
def dossier_board_data(display_id: str):
    """This month's and this year's figures (see dossier_figures)."""
    return jsonify(dossier_figures(display_id))
