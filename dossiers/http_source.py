"""source = "http": GET {url}/{code} on the một cửa điện tử system's API (README "Hồ sơ (dossiers)").

The whole answer has one deadline (`timeout_seconds`, connect included): under gevent a gevent.Timeout
around the request (its sockets are cooperative, so a dead source never stops the loop); without gevent
(tests in threading mode, the command line) each socket operation gets the time left and a timer shuts
the socket at the deadline, so a server that drips one byte a second cannot hold a kiosk past it.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import threading
import time
from datetime import datetime, timezone
from functools import partial
from urllib.parse import quote, urlsplit

from blocking import gevent_active
from core.dossiers import DossierError, dossier_from_fields, normalise_code
from store import dossiers as stored
from store.health import StorageUnavailable

from .source import BUSY_MESSAGE, INVALID_MESSAGE, SourceUnavailable

log = logging.getLogger(__name__)
LARGEST_ANSWER = 256 * 1024
REMEMBERED = 2000  # cached answers at most


class _Deadline(Exception):
    pass


class HttpDossierSource:
    """One adapter per centre; `store` (optional) keeps each found dossier, for the notification hook."""

    def __init__(self, options, store=None, clock=time.monotonic):
        self.options, self.http, self.store, self.clock = options, options.http, store, clock
        self._cache: dict[str, tuple[float, dict | None]] = {}
        self._lock = threading.Lock()

    def lookup(self, code: str) -> dict | None:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(code)
        if hit and hit[0] > now:
            return hit[1]
        status, body = self._get(code)
        dossier = self._parse(code, status, body)
        with self._lock:
            if len(self._cache) >= REMEMBERED:
                self._cache.clear()
            self._cache[code] = (now + self.http.cache_seconds, dossier)
        if dossier is not None and self.store is not None:
            at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            try:  # kept for the notification hook; a busy database must not cost the citizen the answer
                stored.save(self.store, [dossier], source="http", at=at)
            except StorageUnavailable as error:
                log.warning("dossier %s not kept: %s", code, error.code)
        return dossier

    # --- the request ----------------------------------------------------------------------------------
    def _get(self, code: str) -> tuple[int, bytes]:
        return http_get(f"{self.http.url}/{quote(code, safe='')}", self.http)

    # --- the answer -----------------------------------------------------------------------------------
    def _parse(self, code: str, status: int, body: bytes) -> dict | None:
        if status == 404:
            return None
        if status != 200:
            log.warning("dossier source %s answered %s", self.http.url, status)
            raise SourceUnavailable("source_busy", BUSY_MESSAGE, f"HTTP {status}")
        try:
            record = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SourceUnavailable("source_invalid", INVALID_MESSAGE, "not JSON") from None
        if isinstance(record, dict) and isinstance(record.get("data"), dict):
            record = record["data"]
        if not isinstance(record, dict):
            raise SourceUnavailable("source_invalid", INVALID_MESSAGE, "not a JSON object")
        values = {name: _dig(record, key) for name, key in self.http.fields.items() if key}
        check = partial(normalise_code, pattern=self.options.code_pattern, checksum="none",
                        max_length=self.options.max_length)
        try:
            dossier = dossier_from_fields(values, normalise=check, extra_statuses=self.options.statuses)
        except DossierError as error:
            raise SourceUnavailable("source_invalid", INVALID_MESSAGE, error.code) from None
        if dossier.code != code:
            raise SourceUnavailable("source_invalid", INVALID_MESSAGE, "another dossier's code")
        return dossier.as_row()


def http_get(url: str, http_options) -> tuple[int, bytes]:
    """GET `url` with the source's auth header, within its timeout; (status, body of a 200 or b"").
    Raises SourceUnavailable("source_busy") for no answer in time, a refused connection, a broken reply."""
    deadline = time.monotonic() + http_options.timeout_seconds
    try:
        if gevent_active():
            import gevent
            with gevent.Timeout(http_options.timeout_seconds, _Deadline):
                return _request(url, http_options, deadline)
        return _request(url, http_options, deadline)
    except (_Deadline, TimeoutError, OSError, http.client.HTTPException) as error:
        log.warning("dossier source %s: %s", url, type(error).__name__)
        raise SourceUnavailable("source_busy", BUSY_MESSAGE, type(error).__name__) from None


def _request(url: str, http_options, deadline: float) -> tuple[int, bytes]:
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=http_options.timeout_seconds)
    # Without gevent, a timer shuts the socket at the deadline (a blocking recv then returns at once).
    timer = None if gevent_active() else threading.Timer(max(0.0, deadline - time.monotonic()),
                                                         partial(_shut, connection))
    if timer:
        timer.daemon = True
        timer.start()
    try:
        headers = {"Accept": "application/json", "User-Agent": "XepHang-dossiers/1"}
        secret = os.environ.get(http_options.auth_env, "") if http_options.auth_env else ""
        if http_options.auth_header and secret:
            headers[http_options.auth_header] = secret
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        response = connection.getresponse()
        body = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Deadline()
            if connection.sock is not None:
                connection.sock.settimeout(left)
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            body += chunk
            if len(body) > LARGEST_ANSWER:
                raise http.client.HTTPException("answer too large")
        if time.monotonic() > deadline:
            raise _Deadline()
        return response.status, body if response.status == 200 else b""
    finally:
        if timer:
            timer.cancel()
        connection.close()


def _dig(record: dict, key: str):
    """record["a"]["b"] for key "a.b"; None when a step is missing."""
    value = record
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _shut(connection) -> None:
    sock = connection.sock
    if sock is not None:
        try:
            import socket
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def fetch_summary(http_options, today: str) -> dict:
    """The board's figures from `summary_url?day=YYYY-MM-DD` (README "The lobby board of results");
    raises SourceUnavailable (busy or invalid) — the board then keeps its last good figures."""
    from core.dossier_views import summary_from_counts

    separator = "&" if "?" in http_options.summary_url else "?"
    status, body = http_get(f"{http_options.summary_url}{separator}day={today}", http_options)
    if status != 200:
        raise SourceUnavailable("source_busy", BUSY_MESSAGE, f"HTTP {status}")
    try:
        answer = json.loads(body.decode("utf-8"))
        if isinstance(answer, dict) and isinstance(answer.get("data"), dict):
            answer = answer["data"]
        return summary_from_counts(answer, today)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise SourceUnavailable("source_invalid", INVALID_MESSAGE, "summary") from None
