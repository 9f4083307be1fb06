"""The one place that turns committed events into Socket.IO pushes.

Protocol (README "Realtime"), the same for every screen:
- connect with auth {"display": id} | {"counter": id} | {"ticket": token} | {} (optionally {"token": T} for
  a device, or the session cookie a signed-in browser sends anyway); the server puts the client in its room
  and sends `snapshot` (the whole state with the seq it is current to);
- every committed event is pushed as `event` with its seq: in full to room "staff" (signed-in clerks,
  managers, admins and counter devices) and without free text to room "centre" (everyone else: lobby
  displays, kiosks, anything anonymous; core/publicity.py decides what is public); a phone following its
  ticket gets a fresh `ticket` state in "ticket:<token>";
- events have consecutive seqs in both rooms: a client that sees seq > last + 1 emits `resync` and gets a
  new snapshot (at most one a second per client). Events with seq ≤ the snapshot's are dropped by the client.
- a staff client whose credential dies (token revoked, sign-out, new password or role, disabled account,
  session past its lifetime) is disconnected within WATCH_SECONDS; on reconnect it is refused.
The server forgets rooms when it restarts; clients reconnect and receive a fresh snapshot.
"""

from __future__ import annotations

import logging
import queue
import time

from flask import g, request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

import public_side
from api.auth import SESSION_ENDED, Caller, Unauthenticated, current_caller, device_caller, outlived, still_valid
from core.errors import QueueError
from core.publicity import public_details, public_snapshot
from core.rating import RATED
from core.rating import feed_event as rating_feed_event
from store import access

log = logging.getLogger(__name__)
CENTRE_ROOM = "centre"     # public: what the lobby may see
STAFF_ROOM = "staff"       # people and counters that work the queue
STAFF_KINDS = ("counter", "clerk", "manager", "admin")
PUBLIC_FIELDS = ("seq", "at", "kind", "ticket_id", "counter", "service", "details")
WATCH_SECONDS = 1.0        # how soon a revoked credential's open socket is closed
RESYNC_SECONDS = 1.0       # a client gets at most one snapshot per this long; more resyncs are coalesced


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


def staff_event(row: dict) -> dict:
    """What staff screens receive: every detail, but no actor (clerk names stay in the audit log)."""
    return {name: row[name] for name in PUBLIC_FIELDS}


def public_event(row: dict) -> dict:
    """What anonymous screens receive: the event without free text (PUBLIC_DETAILS only)."""
    event = staff_event(row)
    event["details"] = public_details(row.get("details") or {})
    return event


class Realtime:
    """Subscribes to the store's commits and pushes them, in seq order, from one background task."""

    def __init__(self, socketio: SocketIO, engine):
        self.socketio, self.engine = socketio, engine
        self.outbox: queue.Queue = queue.Queue()
        self.tasks: list = []
        self.staff: dict[str, Caller] = {}       # sid → who connected, to check again when credentials change
        self._snapshot_at: dict[str, float] = {}  # sid → when it last got a snapshot (resync throttle)
        self._resync_pending: set[str] = set()
        self.app = None
        engine.store.subscribe(self.outbox.put)  # runs under the store lock: enqueue only, push later
        socketio.on_event("connect", self.on_connect)
        socketio.on_event("disconnect", self.on_disconnect)
        socketio.on_event("resync", self.on_resync)

    def start(self, app) -> None:
        """Start the pusher and the credential watch (once the server's async mode is in place)."""
        if not self.tasks:
            self.app = app
            self.tasks = [self.socketio.start_background_task(self._push_forever),
                          self.socketio.start_background_task(self._watch_credentials_forever)]

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
        if row["kind"] == RATED:
            row = rating_feed_event(row)  # that someone rated, never which ticket or how (core/rating.py)
        self.socketio.emit("event", staff_event(row), to=STAFF_ROOM)
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
        self.app = None  # ends the credential watch

    # --- credentials of open sockets --------------------------------------------------------------
    def _watch_credentials_forever(self) -> None:
        """Close staff sockets whose credential died: revoked from the command line (another process),
        by this server (sign-out), or a session past its lifetime."""
        marker = None
        while self.app is not None:
            self.socketio.sleep(WATCH_SECONDS)
            if not self.staff or self.app is None:
                continue
            try:
                with self.app.app_context():
                    fresh = access.credentials_marker(self.engine.store)
                    self.check_staff(look_up=fresh != marker)
                    marker = fresh
            except Exception:
                log.exception("checking open sockets' credentials failed")

    def check_staff(self, look_up: bool = True) -> int:
        """Disconnect every staff socket whose credential no longer holds; returns how many.
        Without `look_up` only session lifetimes are checked (no database work)."""
        closed = 0
        for sid, caller in list(self.staff.items()):
            if outlived(caller) or (look_up and not still_valid(caller)):
                self.staff.pop(sid, None)
                self.socketio.server.disconnect(sid, namespace="/")
                closed += 1
        return closed

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
        try:
            caller = self._connecting_caller(auth)
        except QueueError as error:
            # Credentials were presented and are no good: say why, so the page can send its user to sign in.
            raise ConnectionRefusedError(error.code, {"code": error.code, "message": error.message})
        staff = caller is not None and caller.kind in STAFF_KINDS
        if staff:
            self.staff[request.sid] = caller
        # Join before reading the snapshot: an event committed in between arrives after the snapshot
        # or is already in it; the client drops seq ≤ snapshot.seq either way.
        join_room(STAFF_ROOM if staff else CENTRE_ROOM)
        self._send_snapshot(request.sid)
        return True

    @staticmethod
    def _connecting_caller(auth: dict) -> Caller | None:
        """Who connects: a device token in `auth`, else the request's bearer header or session cookie.

        A client that asks for a counter's feed with a session that has ended is refused (its page then
        asks the clerk to sign in again); any other client with a stale cookie just gets the public feed.
        """
        if isinstance(auth.get("token"), str):
            return device_caller(auth["token"])
        caller = current_caller()
        if caller is None and "counter" in auth and g.get("session_ended"):
            ended = g.session_ended
            raise Unauthenticated(ended, SESSION_ENDED[ended])
        return caller

    def on_disconnect(self, *_reason):
        self.staff.pop(request.sid, None)
        self._snapshot_at.pop(request.sid, None)
        self._resync_pending.discard(request.sid)

    def _send_snapshot(self, sid: str) -> None:
        snapshot = self.engine.snapshot()
        self._snapshot_at[sid] = time.monotonic()
        self.socketio.emit("snapshot", snapshot if sid in self.staff else public_snapshot(snapshot), to=sid)

    def on_resync(self, _data=None):
        """A client saw a gap. At most one snapshot per RESYNC_SECONDS per client: a burst of resyncs
        (a bug, or a script) costs one snapshot, sent when the second is over, not one each."""
        if public_side.is_public(request.environ):
            return  # a phone gets its ticket, never the centre's snapshot (public_side.py)
        sid = request.sid
        wait = self._snapshot_at.get(sid, 0.0) + RESYNC_SECONDS - time.monotonic()
        if wait <= 0:
            self._send_snapshot(sid)
            return
        if sid in self._resync_pending:
            return
        self._resync_pending.add(sid)
        self.socketio.start_background_task(self._delayed_snapshot, sid, wait)

    def _delayed_snapshot(self, sid: str, wait: float) -> None:
        self.socketio.sleep(wait)
        self._resync_pending.discard(sid)
        if sid in self._snapshot_at and self.app is not None:  # still connected
            with self.app.app_context():
                self._send_snapshot(sid)
