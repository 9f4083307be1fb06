"""Who may use each route of the app: one line per route (issue 11, role matrix).

tests/web/test_role_matrix.py walks app.url_map and calls every route as each caller of CALLERS; a route
without a line here fails the suite, so a new route cannot ship without a decision about who may use it.
Add your route's line in your own section, e.g.::

    "GET /admin/monitor": console("admin", "manager"),
    "POST /api/things/<thing_id>": only("admin"),

Outcomes: OK (the caller got past the role check: 2xx, 3xx, or a 4xx about the request itself such as
400/404/409), LOGIN (redirected to a sign-in page), UNAUTH (401), FORBIDDEN (403 forbidden_role,
no_counter, wrong_counter). The test's callers: a kiosk's, counter 1's and a display's bearer token; the
clerk `lan` signed in at counter 1; `quanly` (manager); `admin`. Path parameters take the values of
SAMPLES (a ticket that does not exist, so an allowed write answers 404 and changes nothing), or the
route's own `path`.
"""

from __future__ import annotations

CALLERS = ("anon", "kiosk", "counter", "display", "clerk", "manager", "admin")
OK, LOGIN, UNAUTH, FORBIDDEN = "ok", "login", "401", "403"

SAMPLES = {"counter_id": "1", "ticket_id": "999999", "kiosk_id": "kiosk-1", "display_id": "display-1",
           "token": "no-such-ticket-token", "seq": "999999", "action": "transfer", "filename": "missing.css",
           "code": "ZZ", "group_id": "no-such-group", "day": "2031-01-01"}  # the console's catalogue and hours


def everyone() -> dict:
    """Public: what the lobby, a phone or any screen may fetch."""
    return {caller: OK for caller in CALLERS}


def only(*allowed: str, anon: str = UNAUTH) -> dict:
    """The API's rule: `allowed` get through, anonymous is 401, every other caller 403."""
    return {caller: OK if caller in allowed else anon if caller == "anon" else FORBIDDEN for caller in CALLERS}


def console(*allowed: str) -> dict:
    """A console page (GET): anonymous is sent to /admin/login, other callers not allowed get 403."""
    return only(*allowed, anon=LOGIN)


def with_path(outcomes: dict, path: str) -> dict:
    """A rule whose sample address is given (a static file that exists, say)."""
    return {**outcomes, "path": path}


RULES: dict[str, dict] = {
    # --- app.py -----------------------------------------------------------------------------------
    "GET /healthz": everyone(),
    "GET /static/<path:filename>": with_path(everyone(), "/static/xh.css"),
    # --- api/routes.py ----------------------------------------------------------------------------
    "GET /api/state": everyone(),
    "GET /api/openapi.json": everyone(),
    "POST /api/session": everyone(),                 # signing in needs no credentials
    "GET /api/session": everyone(),                  # "who am I": null for anonymous and devices
    "DELETE /api/session": only("clerk", "manager", "admin"),
    "POST /api/tickets": only("kiosk", "admin"),
    "GET /api/tickets/<int(max=9223372036854775807):ticket_id>": only("kiosk", "counter", "display", "clerk", "admin"),
    "POST /api/tickets/<int(max=9223372036854775807):ticket_id>/<action>": only("counter", "clerk", "admin"),
    "POST /api/counters/<counter_id>/next": only("counter", "clerk"),
    "POST /api/counters/<counter_id>/call": only("counter", "clerk"),
    "POST /api/counters/<counter_id>/pause": only("counter", "clerk"),
    "POST /api/counters/<counter_id>/resume": only("counter", "clerk"),
    "GET /api/counters/<counter_id>/waiting": only("counter", "clerk", "admin"),
    # --- kiosk/ -----------------------------------------------------------------------------------
    "GET /kiosk/<kiosk_id>": everyone(),             # shows nothing until the browser holds the kiosk's token
    "GET /kiosk/<kiosk_id>/services": only("kiosk", "admin"),
    "GET /kiosk-static/<path:filename>": with_path(everyone(), "/kiosk-static/kiosk.css"),
    "POST /api/tickets/<int(max=9223372036854775807):ticket_id>/reprint": only("kiosk", "admin"),
    "GET /t/<token>": everyone(),
    "GET /t/<token>/state": everyone(),
    "GET /t/<token>/qr.svg": everyone(),
    # --- notifications: the status page's phone field (kiosk/status_phone.py) ------------------------
    "POST /t/<token>/phone": everyone(),            # the ticket's token is the key, like the page
    "DELETE /t/<token>/phone": everyone(),
    "GET /admin/notifications": console("manager", "admin"),   # dead letters (masked), webhooks' lag
    # --- counter/ ---------------------------------------------------------------------------------
    "GET /counter/login": everyone(),
    "GET /counter": {**everyone(), **{caller: LOGIN for caller in CALLERS if caller != "clerk"}},
    "GET /counter/summary": only("counter", "clerk"),
    "POST /counter/scan": only("counter", "clerk"),
    "GET /counter/static/<path:filename>": with_path(everyone(), "/counter/static/counter.css"),
    # --- display/ ---------------------------------------------------------------------------------
    "GET /display/": everyone(),
    "GET /display/<display_id>": everyone(),
    "GET /display/<display_id>/state.json": everyone(),
    "GET /display/counter/<counter_id>": everyone(),
    "GET /display/notice": everyone(),
    "PUT /display/notice": only("manager", "admin"),
    "GET /display/audio/chime.wav": everyone(),
    "GET /display/audio/call/<int:seq>.wav": everyone(),
    "GET /display/audio/call/<int:seq>.json": everyone(),
    "GET /display/audio/short/<int:seq>.wav": everyone(),
    "GET /display/audio/short/<int:seq>.json": everyone(),
    "GET /display/logo": everyone(),
    "GET /display/static/<path:filename>": with_path(everyone(), "/display/static/display.css"),
    # --- admin/ (console) -------------------------------------------------------------------------
    "GET /admin": console("manager", "admin"),
    "GET /admin/login": everyone(),
    "POST /admin/logout": only("manager", "admin"),
    "GET /admin/static/<path:filename>": with_path(everyone(), "/admin/static/admin.css"),
    "GET /admin/users": console("admin"),
    "POST /admin/users/add": only("admin"),
    "POST /admin/users/role": only("admin"),
    "POST /admin/users/disable": only("admin"),
    "POST /admin/users/enable": only("admin"),
    "POST /admin/users/password": only("admin"),
    "POST /admin/users/unlock": only("admin"),
    "GET /admin/devices": console("admin"),
    "POST /admin/devices/pair": only("admin"),
    "POST /admin/devices/repair": only("admin"),
    "POST /admin/devices/revoke": only("admin"),
    "GET /admin/notices": console("manager", "admin"),
    "POST /admin/notices": only("manager", "admin"),
    "GET /admin/history": console("manager", "admin"),
    # --- reports (admin/reports.py) and the public board (display/board.py) -------------------------
    "GET /admin/reports": console("manager", "admin"),
    "GET /admin/reports/print": console("manager", "admin"),
    "GET /admin/reports/data.json": console("manager", "admin"),
    "GET /admin/reports/export.csv": console("manager", "admin"),
    "GET /admin/reports/export.xlsx": console("manager", "admin"),
    "GET /display/<display_id>/board": everyone(),
    "GET /display/<display_id>/board.json": everyone(),
    # --- the console's catalogue, counters, hours, policy (admin/catalogue.py …) and monitor -------
    "GET /admin/catalogue": console("manager", "admin"),
    "GET /admin/catalogue/services/<code>": console("admin"),
    "POST /admin/catalogue/groups": only("admin"),
    "POST /admin/catalogue/groups/<group_id>": only("admin"),
    "POST /admin/catalogue/services": only("admin"),
    "POST /admin/catalogue/services/<code>": only("admin"),
    "POST /admin/catalogue/services/<code>/close": only("manager", "admin"),   # closing for today runs the day
    "POST /admin/catalogue/services/<code>/open": only("manager", "admin"),
    "POST /admin/catalogue/services/<code>/retire": only("admin"),
    "POST /admin/catalogue/services/<code>/restore": only("admin"),
    "GET /admin/counters": console("manager", "admin"),
    "POST /admin/counters/<counter_id>": with_path(only("manager", "admin"), "/admin/counters/99"),  # not the clerk's counter 1
    "POST /admin/counters/<counter_id>/pause": with_path(only("manager", "admin"), "/admin/counters/99/pause"),  # not the clerk's counter 1
    "POST /admin/counters/<counter_id>/resume": with_path(only("manager", "admin"), "/admin/counters/99/resume"),  # not the clerk's counter 1
    "POST /admin/counters/<counter_id>/free": with_path(only("manager", "admin"), "/admin/counters/99/free"),  # not the clerk's counter 1
    "GET /admin/hours": console("manager", "admin"),
    "POST /admin/hours/weekly": only("manager", "admin"),
    "POST /admin/hours/exceptions": only("manager", "admin"),
    "POST /admin/hours/exceptions/<day>/delete": only("manager", "admin"),
    "GET /admin/policy": console("admin"),
    "POST /admin/policy": only("admin"),
    "GET /admin/monitor": console("manager", "admin"),
    "GET /admin/monitor/state": console("manager", "admin"),
    # --- ratings (rate/routes.py, kiosk/status.py): only the counter's paired rating device, never the desk
    "GET /rate/<counter_id>": everyone(),              # shows nothing until it holds the rating device's token
    "GET /rate/<counter_id>/state": only(),
    "POST /rate/<counter_id>/ratings": only(),
    "GET /rate-static/<path:filename>": with_path(everyone(), "/rate-static/rate.css"),
    "GET /t/<token>/rating": everyone(),
    "POST /t/<token>/rating": everyone(),               # the citizen's phone; a ticket that does not exist is 404
    # --- dossiers (issue 13: kiosk/dossiers.py, counter/routes.py, display/dossier_board.py) ---------
    "POST /kiosk/<kiosk_id>/dossier": only("kiosk", "admin"),
    "POST /counter/dossier": only("counter", "clerk"),
    "GET /display/<display_id>/dossiers": everyone(),
    "GET /display/<display_id>/dossiers.json": everyone(),
}
