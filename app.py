"""The Flask application: one centre = settings + store + queue engine + realtime, behind one app.

Kept apart from server.py so that `python server.py` can install gevent's monkey-patching before
Flask, sqlite3 callers and threading are imported (patching after them leaves real OS locks behind).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from flask import Flask, jsonify, request, send_file
from flask_socketio import SocketIO
from werkzeug.exceptions import HTTPException

from core.catalogue import Catalogue
from core.engine import QueueEngine
from core.errors import QueueError
from core.settings import Settings, load_settings
from housekeeping import Housekeeping
from realtime import Realtime, without_websocket_compression
from store import Store, access
from store.health import StorageUnavailable

log = logging.getLogger(__name__)

HTTP_ERRORS_VI = {
    404: ("not_found", "Không tìm thấy địa chỉ này."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
    413: ("too_large", "Nội dung gửi lên quá lớn."),
    415: ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ."),
}

# On every response (README.md, "Security"). Every page loads its scripts, styles, fonts, images and audio
# from this server and opens its socket to it; no inline script, style attribute or handler anywhere, so
# injected markup cannot run. data: images only for an empty favicon (<link rel="icon" href="data:,">).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "media-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'"])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers older than CSP 2
    # No page's address leaves in a Referer, above all the status page's: its token is its only key.
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Centre:
    """Everything a request handler needs, kept on app.extensions["xephang"] (no module globals)."""
    file_settings: Settings  # config.toml as read at start; the console's overlay goes on top of it
    store: Store
    engine: QueueEngine
    socketio: SocketIO
    realtime: Realtime

    @property
    def settings(self) -> Settings:
        """The settings the centre runs on now: config.toml merged with the console's edits
        (core/catalogue.py swaps them into the engine on every edit)."""
        return self.engine.settings


def create_app(settings: Settings, db_path: str, *, clock=None, async_mode: str = "threading") -> Flask:
    """Build the app for one centre. `async_mode` must match the server that runs it (gevent in production)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.ensure_ascii = False  # Vietnamese stays readable in responses and logs
    app.json.sort_keys = False
    store = Store(db_path)
    app.secret_key = access.secret(store, "flask_session_key")
    # The cookie lives as long as the browser; api/auth.py ends the session itself ([security]).
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=settings.security.cookie_secure)
    engine = QueueEngine(settings, store, clock)
    catalogue = Catalogue(engine, settings)
    catalogue.load()  # what the console edited wins over config.toml (README "Where the truth lives")
    app.extensions["xephang_catalogue"] = catalogue
    engine.expire_past_days()
    # Default CORS policy: a browser page may open a socket only from this server's own origin.
    socketio = SocketIO(app, async_mode=async_mode)
    realtime = Realtime(socketio, engine)
    app.wsgi_app = without_websocket_compression(app.wsgi_app)  # realtime.py says why
    app.extensions["xephang"] = Centre(settings, store, engine, socketio, realtime)

    from api.routes import blueprint as api_blueprint
    app.register_blueprint(api_blueprint)
    register_screens(app)

    @app.before_request
    def catalogue_changed_elsewhere():
        catalogue.refresh()  # another process edited the overlay: one PRAGMA when nothing moved

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)  # a route may be stricter (the status page's referrer)
        return response

    @app.errorhandler(QueueError)
    def queue_error(error: QueueError):
        response = jsonify({"error": error.code, "message": error.message, **_safe(error.details)})
        if isinstance(error.details.get("retry_after"), int):
            response.headers["Retry-After"] = str(error.details["retry_after"])
        return response, error.status

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error: StorageUnavailable):
        # 503 + Retry-After: the request was fine, the database could not take it now; nothing was written.
        body = {"error": error.code, "message": error.message, "retry_after": error.retry_after}
        return jsonify(body), 503, {"Retry-After": str(error.retry_after)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_ERRORS_VI.get(error.code, ("http_error", "Yêu cầu không hợp lệ."))
        if request.path.startswith("/api/") or error.code not in (404,):
            # Keep the exception's own headers (a 405 must say Allow), but not its HTML Content-Type.
            headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
            return jsonify({"error": code, "message": message}), error.code, headers
        return error

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return jsonify({"error": "internal_error", "message": "Lỗi hệ thống. Xin vui lòng thử lại."}), 500

    @app.get("/healthz")
    def health():
        """200 while the database takes writes; 503 with the refusal (state, since, seconds, refused) if not."""
        with store.read() as tx:
            seq = tx.last_seq()
        storage = store.health.as_json()
        healthy = storage["state"] == "ok"
        return jsonify({"ok": healthy, "seq": seq, "storage": storage}), 200 if healthy else 503

    realtime.start(app)
    # The rollover on time and idle counter claims freed, without waiting for a write (housekeeping.py).
    app.extensions["xephang_housekeeping"] = Housekeeping(socketio, engine).start()
    # The live monitor and its wait-target alerts, computed once per burst of events (monitoring.py).
    from monitoring import MonitorHub, device_statuses
    app.extensions["xephang_monitor"] = MonitorHub(app, socketio, engine, realtime, device_statuses(app)).start()
    # SMS, e-mail and webhooks, sent by background tasks from an outbox in SQLite (notify/, [notify]).
    import notify
    notify.register(app)
    return app


def register_screens(app: Flask) -> None:
    """The screens (kiosk/, counter/, display/): each a package with its own pages, scripts and style,
    added by one register(app) line."""
    import admin
    import counter
    import display
    import dossiers
    import kiosk
    import rate

    dossiers.register(app)  # the dossier lookup (kiosk, counter) and its source ([dossiers])
    display.register(app)  # lobby and per-counter displays, their audio and notice
    kiosk.register(app)    # kiosk screen, phone status page /t/<token>, rate limit, printers
    counter.register(app)  # counter pages + the serial barcode scanners of [[scanners]]
    admin.register(app)    # the admin console /admin: users, devices, notices, change log, other teams' pages
    rate.register(app)     # rating screens /rate/<counter> + the serial rating keypads of [[raters]]


def _safe(details: dict) -> dict:
    return {k: v for k, v in details.items() if isinstance(v, (str, int, float, bool, type(None)))}


def create_app_from_env() -> Flask:
    """Factory for an external WSGI server (gunicorn 'app:create_app_from_env()'), used by the benchmarks."""
    settings = load_settings(os.environ.get("XH_CONFIG", "config.toml"))
    return create_app(settings, os.environ.get("XH_DB", "data/queue.db"),
                      async_mode=os.environ.get("XH_ASYNC_MODE", "threading"))
