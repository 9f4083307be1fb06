"""The one place that turns committed events into Socket.IO pushes.

Protocol (DESIGN.md decision 5), the same for every screen:
- connect with auth {"display": id} | {"counter": id} | {"ticket": token} | {} ; the server puts the client in
  its rooms and sends `snapshot` (the whole state with the seq it is current to);
- every committed event is pushed as `event` with its seq to room "centre" (every screen but phones) and
  to "ticket:<token>" (that ticket's phone, as a fresh `ticket` state, so phones need no seq bookkeeping);
- events in "centre" have consecutive seqs: a client that sees seq > last + 1 emits `resync` and gets a
  new snapshot. Events with seq ≤ the snapshot's are already in it and are dropped by the client.
The server forgets rooms when it restarts; clients reconnect and receive a fresh snapshot.
"""

from __future__ import annotations

import logging
import queue

from flask import request
from flask_socketio import SocketIO, join_room

import public_side
from core.errors import QueueError

log = logging.getLogger(__name__)
CENTRE_ROOM = "centre"
PUBLIC_FIELDS = ("seq", "at", "kind", "ticket_id", "counter", "service", "details")


def without_websocket_compression(wsgi_app):
    """WSGI middleware: WebSockets without permessage-deflate.

    Browsers offer it and simple-websocket accepts it, and then every push is compressed once per
    connection. Measured with 2,000 clients offering it (python -m bench fanout): server RSS 415 MB
    instead of 200 MB (a zlib context per connection) and twice the fan-out time, to save a few
    hundred bytes per event on the centre's LAN. Dropping the offer makes the handshake plain.
    """
    def application(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)
    return application


def public_event(row: dict) -> dict:
    """What screens receive: no actor (clerk names stay in the audit log) and no routing data."""
    return {name: row[name] for name in PUBLIC_FIELDS}


class Realtime:
    """Subscribes to the store's commits and pushes them, in seq order, from one background task."""

    def __init__(self, socketio: SocketIO, engine):
        self.socketio, self.engine = socketio, engine
        self.outbox: queue.Queue = queue.Queue()
        self.task = None
        engine.store.subscribe(self.outbox.put)  # runs under the store lock: enqueue only, push later
        socketio.on_event("connect", self.on_connect)
        socketio.on_event("resync", self.on_resync)

    def start(self) -> None:
        """Start the pusher (once the server's async mode is in place)."""
        if self.task is None:
            self.task = self.socketio.start_background_task(self._push_forever)

    def _push_forever(self) -> None:
        while True:
            batch = self.outbox.get()
            if batch is None:
                return
            for row in batch:
                try:
                    self.push(row)
                except Exception:  # a push must never stop the feed
                    log.exception("push of event %s failed", row.get("seq"))

    def push(self, row: dict) -> None:
        self.socketio.emit("event", public_event(row), to=CENTRE_ROOM)
        token = row.get("route", {}).get("token")
        # Only look the ticket up when a phone is following it: most tickets have nobody listening.
        if token and self.socketio.server.manager.rooms.get("/", {}).get(f"ticket:{token}"):
            try:
                ticket = self.engine.ticket_for_token(token)
            except QueueError:
                return
            self.socketio.emit("ticket", ticket, to=f"ticket:{token}")

    def stop(self) -> None:
        self.outbox.put(None)

    # --- Socket.IO handlers ------------------------------------------------------------------------
    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("ticket")
        if public_side.is_public(request.environ) and not (isinstance(token, str) and token):
            return False  # the lobby Wi-Fi: a phone follows its own ticket, nothing else (public_side.py)
        if isinstance(token, str) and token:
            try:
                ticket = self.engine.ticket_for_token(token)
            except QueueError:
                return False  # refuse: unknown ticket
            join_room(f"ticket:{token}")
            self.socketio.emit("ticket", ticket, to=request.sid)
            return True
        # Join before reading the snapshot: an event committed in between arrives after the snapshot
        # or is already in it; the client drops seq ≤ snapshot.seq either way.
        join_room(CENTRE_ROOM)
        self.socketio.emit("snapshot", self.engine.snapshot(), to=request.sid)
        return True

    def on_resync(self, _data=None):
        if public_side.is_public(request.environ):
            return  # a phone gets its ticket, never the centre's snapshot (public_side.py)
        self.socketio.emit("snapshot", self.engine.snapshot(), to=request.sid)
