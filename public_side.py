"""The public side: what a phone on the centre's lobby Wi-Fi may reach, and nothing else (issue 8 item 5).

The server can listen twice (server.py --public-port): the staff listener serves the whole app to the
staff LAN (kiosks, counters, displays, sign-in, the API); the public listener serves the same app through
`PublicSide`, which lets through only the phone's status page and what that page loads:

    GET /t/<token>, /t/<token>/state, /t/<token>/qr.svg     the status page, its JSON, its QR code
    GET and POST /t/<token>/rating                           the citizen's rating, once the ticket is done
    POST and DELETE /t/<token>/phone                         the phone number for SMS (kiosk/status_phone.py)
    the page's CSS and JavaScript (PUBLIC_FILES)             nothing else from /static or /kiosk-static
    /socket.io/                                              where realtime.on_connect accepts only
                                                             clients that follow a ticket ({"ticket": token})

Everything else answers 404, the same for a route that exists and one that does not, so the lobby learns
nothing about the staff side (README.md, "Security"). Requests are matched against the app's own URL
map, so a route added later is refused here until it is listed on purpose.
"""

from __future__ import annotations

import json

from werkzeug.exceptions import HTTPException

# A key of the WSGI environ, set only by PublicSide: a client cannot set it (its headers arrive as HTTP_*).
PUBLIC_MARK = "xephang.public_side"

PUBLIC_ENDPOINTS = frozenset({"status.page", "status.state", "status.qr_code", "status.rating"})
# The only writes a phone may make: (endpoint, method). Everything else on this side only reads.
PUBLIC_WRITES = frozenset({("status.rate", "POST"), ("status.leave_phone", "POST"),
                           ("status.forget_phone", "DELETE")})
# (endpoint, filename) of the static files the status page loads (kiosk/templates/kiosk/status.html and
# the modules it imports); tests/browser/test_public_side.py fails if the page needs one more.
PUBLIC_FILES = frozenset({("static", "xh.css"), ("static", "feed.js"), ("static", "vendor/socket.io.min.js"),
                          ("static", "wording.js"),
                          ("kiosk.static", "status.css"), ("kiosk.static", "status.js")})
SOCKET_PATH = "/socket.io/"  # Flask-SocketIO's default path; engine.io answers it before Flask routes
READ_METHODS = ("GET", "HEAD")

NOT_FOUND_BODY = json.dumps({"error": "not_found", "message": "Không tìm thấy địa chỉ này."},
                            ensure_ascii=False).encode("utf-8")


def is_public(environ: dict) -> bool:
    """Did this request (or the socket's opening request) arrive on the public listener?"""
    return environ.get(PUBLIC_MARK) is True


class PublicSide:
    """WSGI middleware for the public listener: marks each request public, passes the allowed ones to the
    app and answers 404 to everything else. Every answer carries the app's security headers, engine.io's
    too (they do not pass through Flask's after_request)."""

    def __init__(self, app):
        from app import SECURITY_HEADERS  # app.py is loaded by then: it built `app`

        self.app = app
        self.headers = list(SECURITY_HEADERS.items())

    def __call__(self, environ, start_response):
        environ[PUBLIC_MARK] = True
        if not self.allows(environ):
            start_response("404 NOT FOUND", [("Content-Type", "application/json; charset=utf-8"),
                                             ("Content-Length", str(len(NOT_FOUND_BODY))), *self.headers])
            return [NOT_FOUND_BODY]

        def start_public_response(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [(name, value) for name, value in self.headers if name.lower() not in present]
            return start_response(status, [*headers, *extra], exc_info)

        return self.app(environ, start_public_response)

    def allows(self, environ) -> bool:
        """Is this request one the status page makes? Matched by endpoint in the app's URL map."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(SOCKET_PATH):
            return environ.get("REQUEST_METHOD") in ("GET", "POST")  # engine.io polls with POST
        method = environ.get("REQUEST_METHOD")
        if method not in READ_METHODS:
            try:
                endpoint, _ = self.app.url_map.bind_to_environ(environ).match(path, method=method)
            except HTTPException:
                return False
            return (endpoint, method) in PUBLIC_WRITES
        try:
            endpoint, arguments = self.app.url_map.bind_to_environ(environ).match(path, method="GET")
        except HTTPException:  # no such route, or a redirect to one (e.g. a missing slash)
            return False
        if endpoint in PUBLIC_ENDPOINTS:
            return True
        return (endpoint, arguments.get("filename")) in PUBLIC_FILES
