"""Every ticket event to each [[notify.webhooks]] receiver, in seq order, signed, until it says 2xx.

One task per receiver, with its own cursor in SQLite (notify_cursors "webhook:<url>"): it POSTs the events
after its cursor one by one over a kept-alive connection, and the cursor passes an event only after its
2xx (saved per batch and every SAVE_SECONDS: a crash may repeat the last few, never skip one). A
receiver that fails is retried with backoff (notify.retry_seconds doubling up to notify.retry_max_seconds)
on THE SAME event, so nothing after it goes first; a receiver that was down gets everything it missed,
in order, when it is back, even after a restart of our server. A slow receiver parks only its own task. A new receiver starts from the
newest event (it does not get the whole history).

The request (README "Notifications"):

    POST <url>   Content-Type: application/json; charset=utf-8
    X-XepHang-Event: called       X-XepHang-Seq: 1234       User-Agent: XepHang-webhook/1
    X-XepHang-Signature: sha256=<hex HMAC-SHA256 of the raw body, key = the receiver's secret>
    {"seq": 1234, "at": "…Z", "kind": "called", "ticket": {"id": 7, "number": "A007", "service": "KS",
     "status": "called", "day": "2026-12-02"}, "counter": "5", "service": "KS", "actor": "counter:5",
     "details": {…}}

Ratings are not sent (they are anonymous), nor events that are not about a ticket.
"""

from __future__ import annotations

import hashlib
import http.client
import hmac
import json
import logging
import sqlite3
import threading
import time
from urllib.parse import urlsplit

from core import events as kinds
from core.notify_rules import retry_at
from store import outbox

from .channels import RESPONSE_LIMIT, SendError, connection_for
from .outbox import IDLE_SECONDS, stamp, utc_now

log = logging.getLogger(__name__)
BATCH = 200
# The cursor is saved at the end of each batch and at least this often within one: after a crash a
# receiver may get the last few events again (it drops a seq it has seen), never miss one.
SAVE_SECONDS = 0.5
NOT_SENT = {kinds.RATED}


def signature(secret: str, body: bytes) -> str:
    """The X-XepHang-Signature header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(event: dict, ticket: dict | None) -> bytes:
    """The JSON body of one event's delivery (compact, UTF-8)."""
    body = {"seq": event["seq"], "at": event["at"], "kind": event["kind"],
            "ticket": None if ticket is None else {key: ticket[key] for key in
                                                   ("id", "number", "service", "status", "day")},
            "counter": event["counter"], "service": event["service"], "actor": event["actor"],
            "details": event["details"]}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookSender:
    """The delivery task of one receiver."""

    def __init__(self, store, hook, options, start_task):
        self.store, self.hook, self.options = store, hook, options
        self.name = f"webhook:{hook.url}"
        self._start_task = start_task
        self._wake = threading.Event()
        self._stopped = False
        self.delivered = 0
        self._saved_at = 0.0
        self._connection = KeptConnection(hook.url, hook.timeout_seconds)
        with store.transaction() as tx:
            outbox.start_cursor(tx.connection, self.name, tx.last_seq(), stamp(utc_now()))
        store.subscribe(lambda rows: self._wake.set())  # under the store's lock: only a flag

    def start(self) -> "WebhookSender":
        self._start_task(self._run)
        return self

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            try:
                wait = self.deliver_some()
            except sqlite3.ProgrammingError:
                return  # the store was closed
            except Exception:
                log.exception("webhook %s round failed", self.hook.url)
                wait = IDLE_SECONDS
            if wait:
                self._wake.wait(wait)
                self._wake.clear()

    def deliver_some(self) -> float:
        """Deliver the events after the cursor; returns how long to wait before the next round (0: go on)."""
        with self.store.read() as tx:
            after = outbox.cursor(tx.connection, self.name)["seq"]
            rows = tx.events(after_seq=after, limit=BATCH)
            tickets = {row["ticket_id"]: tx.ticket(row["ticket_id"]) for row in rows if row["ticket_id"]}
        if not rows:
            return IDLE_SECONDS
        done = after
        for row in rows:
            if self._stopped:
                break
            if row["ticket_id"] is not None and row["kind"] not in NOT_SENT:
                try:
                    self._post(row, tickets.get(row["ticket_id"]))
                except Exception as error:  # refused, timed out, unreachable: the same event next time
                    with self.store.transaction() as tx:
                        if done != after:  # skipped events before this one (a success resets the count)
                            outbox.move_cursor(tx.connection, self.name, done, stamp(utc_now()))
                        failures = outbox.note_cursor_failure(tx.connection, self.name,
                                                              f"seq {row['seq']}: {type(error).__name__}: {error}",
                                                              stamp(utc_now()))
                    log.warning("webhook %s: seq %s not delivered (%s in a row): %s", self.hook.url, row["seq"],
                                failures, error)
                    later = retry_at(utc_now(), failures, self.options.retry_seconds, self.options.retry_max_seconds)
                    return max(0.01, (later - utc_now()).total_seconds())
                self.delivered += 1
            done = row["seq"]
            if time.monotonic() - self._saved_at >= SAVE_SECONDS:
                self._save(done)
                after = done
        if done != after:
            self._save(done)
        return 0

    def _save(self, seq: int) -> None:
        with self.store.transaction() as tx:
            outbox.move_cursor(tx.connection, self.name, seq, stamp(utc_now()))
        self._saved_at = time.monotonic()

    def _post(self, row: dict, ticket: dict | None) -> None:
        body = payload(row, ticket)
        headers = {"Content-Type": "application/json; charset=utf-8", "X-XepHang-Event": row["kind"],
                   "X-XepHang-Seq": str(row["seq"]), "X-XepHang-Signature": signature(self.hook.secret, body),
                   "User-Agent": "XepHang-webhook/1"}
        status, answer = self._connection.request(headers, body)
        if not 200 <= status < 300:
            raise SendError(f"answered {status}: {answer[:200].decode('utf-8', 'replace')}")


class KeptConnection:
    """One keep-alive HTTP connection to a receiver (a new one after any failure or a close by the server):
    under a burst of events, no connect per event."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        self.url, self.timeout = url, timeout
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connection = None

    def request(self, headers: dict, body: bytes) -> tuple[int, bytes]:
        reused = self.connection is not None
        try:
            return self._request(headers, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            return self._request(headers, body)  # the receiver closed an idle connection: once more, fresh

    def _request(self, headers: dict, body: bytes) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = connection_for(self.url, self.timeout)
        try:
            self.connection.request("POST", self.path, body=body, headers=headers)
            response = self.connection.getresponse()
            answer = response.read(RESPONSE_LIMIT)
            if response.will_close or response.length:  # closed by the server, or more than we read
                self.close()
            return response.status, answer
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
