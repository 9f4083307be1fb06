"""A reference follower of the realtime feed, as every screen implements it (see realtime.py).

Buffers events until the snapshot arrives, drops what the snapshot already contains (seq ≤ snapshot's),
and asks for a resync when it sees a gap. Used by the tests and the benchmarks; a good model for any
other system that wants to follow a centre live.
"""

from __future__ import annotations

import threading

import socketio


class FeedFollower:
    """One Socket.IO client following room "centre" (or a ticket, with auth={"ticket": token})."""

    def __init__(self, url: str, auth: dict | None = None, on_event=None, headers: dict | None = None):
        self.url, self.auth, self.on_event, self.headers = url, auth or {}, on_event, headers or {}
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=2)
        self.lock = threading.Condition()
        self.snapshot: dict | None = None
        self.seq = 0
        self.events: list[dict] = []        # applied events, in seq order
        self.tickets: list[dict] = []       # 'ticket' states (phones)
        self.snapshots = 0
        self.resyncs = 0
        self._pending: list[dict] = []
        self.client.on("snapshot", self._on_snapshot)
        self.client.on("event", self._on_event)
        self.client.on("ticket", self._on_ticket)

    def connect(self, timeout: float = 10) -> "FeedFollower":
        self.client.connect(self.url, auth=self.auth, headers=self.headers, transports=["websocket"],
                            wait_timeout=timeout)
        return self

    def close(self) -> None:
        self.client.disconnect()

    def _on_snapshot(self, data: dict) -> None:
        with self.lock:
            self.snapshot, self.seq = data, data["seq"]
            self.snapshots += 1
            pending, self._pending = self._pending, []
            for event in sorted(pending, key=lambda e: e["seq"]):
                self._apply(event)
            self.lock.notify_all()

    def _on_event(self, event: dict) -> None:
        with self.lock:
            if self.snapshot is None:
                self._pending.append(event)
            else:
                self._apply(event)
            self.lock.notify_all()

    def _apply(self, event: dict) -> None:
        if event["seq"] <= self.seq:
            return  # already in the snapshot
        if event["seq"] > self.seq + 1:
            self.resyncs += 1
            self.snapshot = None
            self._pending.append(event)
            self.client.emit("resync")
            return
        self.seq = event["seq"]
        self.events.append(event)
        if self.on_event:
            self.on_event(event)

    def _on_ticket(self, ticket: dict) -> None:
        with self.lock:
            self.tickets.append(ticket)
            self.lock.notify_all()

    def wait_for(self, predicate, timeout: float = 5) -> bool:
        """Block until predicate(self) is true (checked on every message), or the timeout passes."""
        with self.lock:
            return self.lock.wait_for(lambda: predicate(self), timeout)
