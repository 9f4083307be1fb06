"""Lobby wall display (issue 5): the screen and the voice that call citizens to counters.

A screen package like kiosk/ and counter/: its pages in templates/display/, its scripts, style and shipped
logo in static/ (served at /display/static/), and `register(app)` the one line app.register_screens() calls.
The pieces every screen shares (templates/base.html, static/xh.css, api.js, feed.js and the vendored
socket.io client) live at the top level, served at /static/.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the lobby and per-counter displays, their audio and the notices to a centre's app."""
    from . import board  # noqa: F401  (the public board's routes join the display blueprint)
    from . import dossier_board  # noqa: F401  (the dossier results board, issue 13)
    from .routes import blueprint

    app.register_blueprint(blueprint)
