"""The live monitor at /admin/monitor (issue 11 item 4): the lobby in numbers, for managers and admins.

The page is drawn once with the current monitor, then kept live over Socket.IO: it joins room "monitor"
(monitoring.py; api/auth.may_watch_monitor decides who may) and redraws on every `monitor` push. No
polling, no reload; the durations tick in the browser between pushes. `GET /admin/monitor/state` is the
same document as JSON, for programs.
"""

from __future__ import annotations

from flask import current_app, jsonify

from api.auth import MONITOR_ROLES

from .console import blueprint, nav, render, viewer
from .monitor_words import MONITOR_WORDS

nav("monitor", "admin.monitor_page", roles=MONITOR_ROLES)


def _hub():
    return current_app.extensions["xephang_monitor"]


def _current() -> dict:
    hub = _hub()
    return hub.view if hub.view is not None else hub.refresh()


@blueprint.get("/monitor")
def monitor_page():
    """The monitor page; its script (monitor.js) follows the `monitor` pushes."""
    viewer(*MONITOR_ROLES)
    view = _current()
    settings = current_app.extensions["xephang"].settings
    config = {"timezone": settings.centre.timezone.key, "view": view}
    return render("admin/monitor.html", words_of=MONITOR_WORDS, view=view, config=config)


@blueprint.get("/monitor/state")
def monitor_state():
    """The monitor as JSON: per thủ tục, per counter, the day's totals, failing devices, alerts."""
    viewer(*MONITOR_ROLES)
    response = jsonify(_current())
    response.headers["Cache-Control"] = "no-store"
    return response
