"""The counter terminal (issue 4): the clerk's screen, its sign-in page, and the counters' barcode scanners."""

from __future__ import annotations

import weakref

from flask import Flask

from .scanning import ScannerStation


def register(app: Flask) -> None:
    """Add the counter pages to `app` and start the serial scanners of config.toml ([[scanners]]).

    The readers run until the process exits (closed by an atexit hook) or until `app` is garbage
    collected, so an app built for one test does not leave its reader threads behind.
    """
    from .routes import blueprint

    app.register_blueprint(blueprint)
    centre = app.extensions["xephang"]
    station = ScannerStation(centre.engine, centre.settings.scanners, app.extensions.get("xephang_dossiers"))
    app.extensions["xephang_scanners"] = station
    station.start()
    weakref.finalize(app, station.stop, 0)
