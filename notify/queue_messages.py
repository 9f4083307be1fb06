"""The queue's messages to citizens who left a phone number: "còn N người nữa" and "mời bạn đến quầy số N".

A reader of the event log with its own cursor (notify_cursors "queue"): after each commit it is woken, reads
the new events, and in ONE transaction queues the messages they call for and moves its cursor, so a crash
between the two neither loses nor repeats a message (the outbox's `ref` is unique, too). Who is due what is
core/notify_rules.py; the texts are [notify.templates]. Phone numbers of past days are purged here, at the
first round after local midnight (and at start).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import timedelta

from core import notify_rules as rules
from store import outbox

from .outbox import IDLE_SECONDS, stamp, utc_now

log = logging.getLogger(__name__)
CURSOR = "queue"
BATCH = 500
KEEP_SENT_DAYS = 7
SAVE_SECONDS = 5.0  # the cursor is saved at least this often while events come
# Places are recomputed at most this often (one forecast of the whole queue, like kiosk/phones.py): under
# a burst of tickets the forecast would otherwise run after every commit and steal the loop from the screens.
AHEAD_EVERY_SECONDS = 1.0


class QueueMessages:
    """Turns the queue's events into outbox rows for the phones of the day."""

    def __init__(self, engine, outbox_sender, start_task):
        self.engine, self.outbox = engine, outbox_sender
        self.store = engine.store
        self._start_task = start_task
        self._wake = threading.Event()
        self._recheck = False
        self._stopped = False
        self._purged_day = None
        self._seq: int | None = None
        self._saved_at = 0.0
        self._moved = False        # the queue moved since the last look at places
        self._places_at = 0.0      # when places were last looked at (time.monotonic)
        with self.store.transaction() as tx:  # a new centre starts from now: no messages about the past
            outbox.start_cursor(tx.connection, CURSOR, tx.last_seq(), stamp(utc_now()))
        self.store.subscribe(self._on_commit)  # runs under the store's lock: only set a flag

    def start(self) -> "QueueMessages":
        self._start_task(self._run)
        return self

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def _on_commit(self, rows: list[dict]) -> None:
        self._wake.set()

    def phone_changed(self) -> None:
        """A phone number was left: check its place now (it may already be within notify.ahead)."""
        self._recheck = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            try:
                self.purge_if_new_day()
                while self.round() == BATCH:
                    pass
            except sqlite3.ProgrammingError:
                return  # the store was closed
            except Exception:
                log.exception("queue notifications round failed")
            wait = IDLE_SECONDS
            if self._moved:  # places are due again within AHEAD_EVERY_SECONDS
                wait = max(0.0, self._places_at + AHEAD_EVERY_SECONDS - time.monotonic())
            self._wake.wait(wait)
            self._wake.clear()

    def round(self) -> int:
        """Queue what the events after the cursor call for; returns how many events were read.

        Reads first, writes only when there is something to queue: the cursor itself is saved with the
        messages or every SAVE_SECONDS (replaying events after a crash is harmless: refs are unique)."""
        recheck, self._recheck = self._recheck, False
        now = self.engine.clock.now()
        today = self.engine._today(now)
        with self.store.read() as tx:
            if self._seq is None:
                self._seq = outbox.cursor(tx.connection, CURSOR)["seq"]
            rows = tx.events(after_seq=self._seq, limit=BATCH)
            calls = [row for row in rows if row["kind"] in rules.CALL_EVENTS and row["ticket_id"] is not None
                     and outbox.phone_of(tx.connection, row["ticket_id"]) is not None]
            self._moved = self._moved or recheck or any(row["kind"] in rules.MOVES for row in rows)
            look = self._moved and time.monotonic() - self._places_at >= AHEAD_EVERY_SECONDS
            waiting = outbox.phones_waiting(tx.connection, today) if look else []
        if look:
            self._moved, self._places_at = False, time.monotonic()
        if not rows and not waiting:
            return 0
        queued = 0
        last = rows[-1]["seq"] if rows else self._seq
        save = calls or waiting or time.monotonic() - self._saved_at > SAVE_SECONDS
        if save:
            with self.store.transaction() as tx:
                for row in calls:
                    queued += self._called(tx, row, today, now)
                for ticket_id, phone in waiting:
                    queued += self._ahead(tx, ticket_id, phone, today, now)
                outbox.move_cursor(tx.connection, CURSOR, last, stamp(utc_now()))
            self._saved_at = time.monotonic()
        self._seq = last
        if queued:
            self.outbox.wake("sms")
        return len(rows)

    def _called(self, tx, row: dict, today: str, now) -> int:
        phone = outbox.phone_of(tx.connection, row["ticket_id"])
        ticket = tx.ticket(row["ticket_id"])
        if phone is None or ticket is None or phone["day"] != today:
            return 0
        view = self.engine.ticket_view(tx, ticket, now)
        values = rules.queue_values(view, self._centre_name())
        text = rules.render(self.engine.settings.notify.templates["called"], values)
        return self._queue(tx, phone["phone"], text, "called", f"called:{ticket['id']}:{row['seq']}", today)

    def _ahead(self, tx, ticket_id: int, phone: str, today: str, now) -> int:
        ticket = tx.ticket(ticket_id)
        if ticket is None:
            return 0
        view = self.engine.ticket_view(tx, ticket, now)
        options = self.engine.settings.notify
        if not rules.ahead_due(view, options.ahead, already_sent=False):
            return 0
        outbox.mark_ahead_sent(tx.connection, ticket_id)
        text = rules.render(options.templates["ahead"], rules.queue_values(view, self._centre_name()))
        return self._queue(tx, phone, text, "ahead", f"ahead:{ticket_id}", today)

    def _queue(self, tx, phone: str, text: str, kind: str, ref: str, today: str) -> int:
        queued = self.outbox.enqueue(tx, channel="sms", recipient=phone, body=text, kind=kind, ref=ref, day=today,
                                     expires_minutes=self.engine.settings.notify.queue_message_minutes)
        return 1 if queued else 0

    def _centre_name(self) -> str:
        return self.engine.settings.centre.name

    def purge_if_new_day(self) -> dict | None:
        """Phone numbers kept for the day only: at the first round of a new local day, past days' numbers
        are deleted and past days' recipients in the outbox masked (store/outbox.py purge_before)."""
        now = self.engine.clock.now()
        today = self.engine._today(now)
        if today == self._purged_day:
            return None
        keep_from = (now.astimezone(self.engine.settings.centre.timezone).date()
                     - timedelta(days=KEEP_SENT_DAYS)).isoformat()
        with self.store.transaction() as tx:
            purged = outbox.purge_before(tx.connection, today, keep_from)
        self._purged_day = today
        if any(purged.values()):
            log.info("notifications purge before %s: %s", today, purged)
        return purged
