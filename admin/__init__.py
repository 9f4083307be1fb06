"""The admin console at /admin (issue 11): one Flask blueprint shared by every console page.

How a team adds a page (one module, one line here):

1. Write `admin/<page>.py`. Add routes to the shared blueprint and register the page's nav entry::

       from .console import blueprint, nav, render, viewer, writer
       from .words import WORDS as BASE   # or your own {"vi": {...}, "en": {...}}

       nav("monitor", "admin.monitor_page", roles=("admin", "manager"))   # key from console.NAV_ORDER

       @blueprint.get("/monitor")
       def monitor_page():
           caller = viewer("admin", "manager")          # role check (api/auth.py require); anon → sign-in
           return render("admin/monitor.html", words=MY_WORDS, caller=caller)

       @blueprint.post("/monitor/something")
       def monitor_something():
           caller = writer("admin", "manager")          # role check + CSRF (form field or X-CSRF-Token)
           ...                                           # one transaction + one admin_* event

   Name view functions `<page>_<what>` (they share the blueprint's endpoint namespace). Templates go in
   `admin/templates/admin/<page>*.html` and extend "admin/base.html"; scripts and styles go in
   `admin/static/` (`url_for('admin.static', filename=...)`; a script's file name must be unique in the whole
   repository, tests/unit/test_structure.py checks it: `monitor.js`, not `page.js`). Forms carry `{{ csrf_field() }}`.
2. Add the module's name to PAGES below.

A refused request raises a core.errors QueueError (code + Vietnamese message); the blueprint answers it as
JSON for programs (Accept: application/json or a JSON body) and as the console's error page otherwise.
"""

from __future__ import annotations

import importlib

from flask import Flask

# One line per page module (import order does not matter: console.NAV_ORDER orders the menu).
PAGES = (
    "home",
    "users",
    "devices",
    "notices",
    "history",
    "monitor",
    "catalogue",  # thủ tục and lĩnh vực
    "counters",   # quầy: services served, priority, pause/resume/free
    "hours",      # giờ làm việc, ngày nghỉ lễ, làm bù
    "policy",     # chính sách hàng đợi
    "reports",
    "notifications",  # tin nhắn: the outbox's dead letters, the webhooks' lag (notify/)
)


def register(app: Flask) -> None:
    """Add the console (sign-in, every page module of PAGES) to `app`."""
    from . import console

    for page in PAGES:
        importlib.import_module(f"{__name__}.{page}")
    console.register(app)
