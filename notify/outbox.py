"""Sending the outbox: one background task per channel, retries with backoff, an hourly limit per recipient.

Nothing here runs on a request: a request (or the queue watcher) only INSERTs a row (store/outbox.py) and
sets an Event. Each channel's task then takes the due rows in a short read, lets go of the store, sends
each message (bounded by the channel's timeout), and writes the outcome in a second short transaction. A
channel that hangs therefore parks its own task only: tickets, lookups and the other channel go on.
Under gevent the tasks are greenlets (socketio.start_background_task), in threading mode threads.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

from core.notify_rules import mask, retry_at
from store import outbox

from .channels import Channel, Message

log = logging.getLogger(__name__)
IDLE_SECONDS = 5.0       # a task looks again at least this often (another process may have queued rows)
WORKERS_PER_CHANNEL = 4  # messages of one channel in flight at once (never two to the same recipient)
HOUR = timedelta(hours=1)


def stamp(moment: datetime) -> str:
    """A stored UTC time (the same shape as events.at)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def utc_now() -> datetime:
    # Wall-clock time, not the engine's: retries must come even under a test's FixedClock.
    return datetime.now(timezone.utc)


class Outbox:
    """Queues messages and sends them: WORKERS_PER_CHANNEL tasks per channel, so one slow or hanging
    request holds up one task, not the channel."""

    def __init__(self, store, options, channels: dict[str, Channel], start_task):
        self.store, self.options, self.channels = store, options, channels
        self._start_task = start_task
        self._wake = {name: threading.Event() for name in channels}
        self._stopped = False
        self._claim_lock = threading.Lock()      # gevent's under monkey-patching: cooperative
        self._busy: set[int] = set()             # ids of the messages being sent now
        self._busy_recipients: set[str] = set()
        self.sent = 0  # messages handed over since start

    def start(self) -> "Outbox":
        for name in self.channels:
            for _ in range(WORKERS_PER_CHANNEL):
                self._start_task(self._run, name)
        return self

    def stop(self) -> None:
        self._stopped = True
        for event in self._wake.values():
            event.set()

    def enqueue(self, tx, *, channel: str, recipient: str, body: str, kind: str, ref: str, day: str,
                subject: str = "", expires_minutes: int | None = None) -> int | None:
        """Queue a message inside the caller's transaction `tx` (None when `ref` was queued before, or the
        channel is not configured). The sending task is woken after the caller commits (wake())."""
        if channel not in self.channels:
            return None
        now = utc_now()
        expires = stamp(now + timedelta(minutes=expires_minutes)) if expires_minutes else None
        return outbox.enqueue(tx.connection, channel=channel, recipient=recipient, body=body, kind=kind, ref=ref,
                              day=day, now=stamp(now), subject=subject, expires_at=expires)

    def wake(self, channel: str | None = None) -> None:
        for name, event in self._wake.items():
            if channel in (None, name):
                event.set()

    # --- the sending task ---------------------------------------------------------------------------
    def _run(self, channel: str) -> None:
        while not self._stopped:
            try:
                sent_any = self.send_due(channel)
                wait = 0 if sent_any else self._seconds_until_due(channel)
            except sqlite3.ProgrammingError:
                return  # the store was closed: the app is shutting down (tests close theirs)
            except Exception:  # one bad round must not end the channel
                log.exception("sending %s failed", channel)
                wait = IDLE_SECONDS
            if wait:
                self._wake[channel].wait(wait)
                self._wake[channel].clear()

    def _seconds_until_due(self, channel: str) -> float:
        with self.store.read() as tx:
            next_at = outbox.next_due_at(tx.connection, channel)
        if next_at is None:
            return IDLE_SECONDS
        seconds = (datetime.fromisoformat(next_at) - utc_now()).total_seconds()
        if seconds <= 0:  # due, but another task holds it (or its recipient): wait for a task to finish
            return IDLE_SECONDS
        return min(IDLE_SECONDS, seconds)

    def send_due(self, channel: str) -> bool:
        """Send the due messages of `channel` that no other task holds; True if any was handled."""
        handled = False
        while not self._stopped:
            row = self._claim(channel)
            if row is None:
                return handled
            try:
                self._send_one(channel, row)
            finally:
                with self._claim_lock:
                    self._busy.discard(row["id"])
                    self._busy_recipients.discard(row["recipient"])
                self._wake[channel].set()  # the others may now take what this one held back
            handled = True
        return handled

    def _claim(self, channel: str) -> dict | None:
        """A due message nobody sends now, to no recipient being sent to now. The read happens under the
        claim lock and a message is released only after its outcome is committed, so no message is taken
        twice."""
        with self._claim_lock:
            with self.store.read() as tx:
                rows = outbox.due(tx.connection, channel, stamp(utc_now()), limit=50)
            for row in rows:
                if row["id"] not in self._busy and row["recipient"] not in self._busy_recipients:
                    self._busy.add(row["id"])
                    self._busy_recipients.add(row["recipient"])
                    return row
        return None

    def _send_one(self, channel: str, row: dict) -> None:
        now = utc_now()
        if row["expires_at"] and row["expires_at"] < stamp(now):
            with self.store.transaction() as tx:
                outbox.expire(tx.connection, row["id"], "quá hạn: không gửi kịp (notify.queue_message_minutes)")
            return
        with self.store.read() as tx:
            count, first = outbox.sent_since(tx.connection, row["recipient"], stamp(now - HOUR))
        if count >= self.options.per_recipient_per_hour:
            later = datetime.fromisoformat(first) + HOUR + timedelta(seconds=1)
            with self.store.transaction() as tx:
                outbox.postpone(tx.connection, row["id"], stamp(later))
            return
        message = Message(channel=channel, recipient=row["recipient"], body=row["body"], subject=row["subject"],
                          ref=row["ref"])
        try:
            self.channels[channel].send(message)
        except Exception as error:  # SendError, OSError, a timeout, a bug in an adapter: all are retried
            attempts = row["attempts"] + 1
            final = attempts >= self.options.max_attempts
            next_at = None if final else stamp(retry_at(utc_now(), attempts, self.options.retry_seconds,
                                                         self.options.retry_max_seconds))
            text = f"{type(error).__name__}: {error}"
            with self.store.transaction() as tx:
                outbox.mark_failed(tx.connection, row["id"], text, next_at)
            log.warning("%s to %s failed (attempt %s%s): %s", channel, mask(row["recipient"]), attempts,
                        ", dead letter" if final else "", text)
            return
        with self.store.transaction() as tx:
            outbox.mark_sent(tx.connection, row["id"], stamp(utc_now()))
        self.sent += 1
