"""The kiosk (issue 3): the touch screen that issues numbers, its printers, and the phone's status page.

`register(app)` is the one line app.register_screens() calls: it adds the two blueprints (kiosk/routes.py,
kiosk/status.py), puts the per-kiosk rate limit in front of POST /api/tickets (kiosk/limits.py) and starts
one print worker per kiosk printer (kiosk/printing.py); phones following a ticket hear when their place
moves (kiosk/phones.py).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import limits
from .phones import PhonePusher
from .printing import KioskPrinting


def register(app: Flask) -> None:
    """Add the kiosk's pages and API, its rate limit and its printers to a centre's app."""
    from . import dossiers  # noqa: F401  ("Tra cứu hồ sơ" joins the kiosk blueprint)
    from .routes import blueprint as kiosk_blueprint
    from . import status_phone  # noqa: F401  (its routes join the status blueprint before it registers)
    from .status import blueprint as status_blueprint

    centre = app.extensions["xephang"]
    options = centre.settings.kiosk
    app.register_blueprint(kiosk_blueprint)
    app.register_blueprint(status_blueprint)
    limits.install(app, options.rate_limit_tickets, options.rate_limit_seconds)
    # Empty: printed/ next to the database, so the demo's data/demo.db prints into data/printed/.
    fake_dir = Path(options.fake_printer_dir) if options.fake_printer_dir else Path(centre.store.path).parent / "printed"
    app.extensions["xephang_kiosk"] = KioskPrinting(centre.settings, centre.engine, fake_dir).start()
    # Started with the app: after a restart, phones that reconnect must hear their place move even
    # before anyone opens a status page (that page used to be what started it).
    app.extensions["xephang_phones"] = PhonePusher(centre.socketio, centre.engine)
    app.extensions["xephang_phones"].start()
