"""The satisfaction rating screen beside each counter (issue 12 item 1) and the counters' serial rating keypads.

`register(app)` adds /rate/<counter> (rate/routes.py) and starts a reader for each keypad of [[raters]]
(rate/keypads.py). The rules (what may be rated, once, by whom) are core/rating.py's; the phone's rating
is part of its status page (kiosk/status.py).
"""

from __future__ import annotations

import weakref

from flask import Flask

from .keypads import RaterStation


def register(app: Flask) -> None:
    """Add the rating screen to `app` and start the serial rating keypads of config.toml ([[raters]])."""
    from .routes import blueprint

    app.register_blueprint(blueprint)
    centre = app.extensions["xephang"]
    station = RaterStation(centre.engine, centre.settings.raters)
    app.extensions["xephang_raters"] = station
    station.start()
    weakref.finalize(app, station.stop, 0)
