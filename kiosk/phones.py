"""Keeping every phone's "people ahead" and estimated wait live, not only its own ticket's changes.

realtime.py pushes `ticket` to a phone when *its* ticket changes. But a citizen's place also moves when
someone ahead is called, cancelled or transferred, or a counter pauses. So after such commits this
pusher sends a fresh `ticket` to every room "ticket:<token>" that has a phone in it and whose ticket
still waits. At most once a second (a burst of calls costs one round); started with the app
(kiosk/__init__.py), so phones that reconnect after a restart keep hearing their place move.
"""

from __future__ import annotations

import logging
import queue

from core import events, lifecycle
from core.errors import QueueError

log = logging.getLogger(__name__)

# Events that can change a waiting ticket's place or wait (issued: a priority ticket goes ahead).
MOVES = {events.ISSUED, events.CALLED, events.CANCELLED, events.TRANSFERRED, events.RETURNED, events.EXPIRED,
         events.NO_SHOW, events.FINISHED, events.COUNTER_PAUSED, events.COUNTER_RESUMED}
ROUND_SECONDS = 1.0


class PhonePusher:
    """Re-sends waiting tickets' state to the phones following them when the queue moves."""

    def __init__(self, socketio, engine):
        self.socketio, self.engine = socketio, engine
        self._moves: queue.Queue = queue.Queue()
        self._task = None
        engine.store.subscribe(self._on_commit)  # runs under the store lock: enqueue only

    def start(self) -> None:
        """Start the pushing task (idempotent); the status page calls it when a phone first opens it."""
        if self._task is None:
            self._task = self.socketio.start_background_task(self._push_forever)

    def _on_commit(self, rows: list[dict]) -> None:
        if self._task is not None and any(row["kind"] in MOVES for row in rows):
            self._moves.put(True)

    def _push_forever(self) -> None:
        while True:
            self._moves.get()
            while not self._moves.empty():  # one round for everything that happened meanwhile
                self._moves.get_nowait()
            try:
                self.push_round()
            except Exception:  # a failed round must not stop the next one
                log.exception("pushing places to phones failed")
            self.socketio.sleep(ROUND_SECONDS)

    def push_round(self) -> int:
        """Send each followed waiting ticket its current state; returns how many were sent."""
        rooms = [room for room, members in list(self.socketio.server.manager.rooms.get("/", {}).items())
                 if isinstance(room, str) and room.startswith("ticket:") and members]
        sent = 0
        for room in rooms:
            try:
                ticket = self.engine.ticket_for_token(room.removeprefix("ticket:"))
            except QueueError:
                continue
            if ticket["status"] in lifecycle.CALLABLE:  # the others change only with their own events
                self.socketio.emit("ticket", ticket, to=room)
                sent += 1
        return sent
