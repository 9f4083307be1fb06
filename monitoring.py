"""The live monitor's engine room: compute the monitor once per burst of events, push it, raise alerts.

One background task (a greenlet under gevent) owns the work:
- every commit wakes it (the store's listener only sets a flag); it reads the day once and computes the
  monitor once (core/monitor.py, on gevent's thread pool: blocking.run_blocking), however many monitors are
  open and however many events came in meanwhile, then emits one `monitor` push to room "monitor";
- time alone makes alerts due (a ticket waiting past the target while nobody acts): it also wakes every
  TICK_SECONDS and recomputes when the clock has passed the next moment an alert starts (core/monitor.
  next_due), and at least every REFRESH_SECONDS;
- the alert events due (core/monitor_log.py decides them from the log, inside the write) are appended,
  and the banners go out: room "alerts:managers" (every signed-in manager and admin that asked) and
  room "alerts:counter:<id>" (the counter screens serving a thủ tục in breach), only when their set changes.
Consecutive computations are spaced by MIN_SPACING_FACTOR × the last one's cost (at least MIN_SECONDS, at
most MAX_SPACING_SECONDS), so a flood of events costs a bounded share of the CPU instead of one computation
each, and a quiet centre's call shows at once.

Who may join which room is api/auth.py's decision (may_watch_monitor, alert_scope).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from flask import request
from flask_socketio import join_room

from api.auth import alert_scope, may_watch_monitor
from blocking import run_blocking
from core import monitor
from core.monitor_log import MonitorLog
from store.health import StorageUnavailable

log = logging.getLogger(__name__)
MONITOR_ROOM = "monitor"
MANAGERS_ROOM = "alerts:managers"
TICK_SECONDS = 1.0         # how often the timer looks at the clock (a comparison, no database work)
REFRESH_SECONDS = 30.0     # the monitor is recomputed at least this often (device statuses, clocks)
MIN_SECONDS = 0.02         # and at most this often,
MIN_SPACING_FACTOR = 2.0   # nor sooner than 2× the last computation's cost after it (≤ ⅓ of a core in a flood),
MAX_SPACING_SECONDS = 0.1  # but never more than this: a slow round on a busy machine must not delay the next


def counter_room(counter_id: str) -> str:
    return f"alerts:counter:{counter_id}"


def alert_key(alert: dict) -> tuple:
    """What makes an alert the same alert from one computation to the next (its minutes grow)."""
    return alert["kind"], alert["service"], alert["counter"], alert["ticket_id"]


class MonitorHub:
    """Computes the monitor for every watcher at once, and keeps the alert log and banners up to date."""

    def __init__(self, app, socketio, engine, realtime, devices, tick_seconds: float = TICK_SECONDS):
        self.app, self.socketio, self.engine, self.realtime = app, socketio, engine, realtime
        self.devices = devices          # () → current printer and scanner statuses (the screens know them)
        self.log = MonitorLog(engine)
        self.tick_seconds = tick_seconds
        self.view: dict | None = None
        self.computations = 0
        self._dirty = True
        self._wake = threading.Event()
        self._next_due = None
        self._computed_at = 0.0
        self._cost = 0.0
        self._sent: dict[str, tuple] = {}  # room → alert keys last sent there
        self._task = None
        self._stopped = False
        engine.store.subscribe(self._on_commit)
        socketio.on_event("monitor", self.on_watch)
        socketio.on_event("alerts", self.on_alerts)

    def start(self) -> "MonitorHub":
        if self._task is None:
            self._task = self.socketio.start_background_task(self._run_forever)
        return self

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def wake(self) -> None:
        """Recompute now (a test moved the clock)."""
        self._dirty = True
        self._wake.set()

    def _on_commit(self, _rows) -> None:
        # Runs under the store's lock: set a flag, nothing more.
        self._dirty = True
        self._wake.set()

    # --- the loop ----------------------------------------------------------------------------------
    def _run_forever(self) -> None:
        last_full = 0.0
        while not self._stopped:
            self._wake.wait(self.tick_seconds)
            self._wake.clear()
            if self._stopped:
                return
            now = self.engine.clock.now()
            due = self._next_due is not None and now >= self._next_due
            if not (self._dirty or due or time.monotonic() - last_full >= REFRESH_SECONDS):
                continue
            spacing = min(MAX_SPACING_SECONDS, max(MIN_SECONDS, MIN_SPACING_FACTOR * self._cost))
            spacing -= time.monotonic() - self._computed_at
            if spacing > 0:
                time.sleep(spacing)  # cooperative under gevent; events arriving meanwhile join this round
            try:
                self.refresh()
                last_full = time.monotonic()
            except sqlite3.ProgrammingError:
                return  # the store was closed: this app is being shut down (tests close theirs)
            except StorageUnavailable as error:
                log.warning("monitor: storage refuses (%s); next round will retry", error.code)
                self._dirty = True
            except Exception:  # a failed round must not stop the next one
                log.exception("monitor round failed")

    def refresh(self) -> dict:
        """One computation: read, compute, log the alerts that are due, push what changed."""
        began = time.monotonic()
        self._dirty = False
        with self.app.app_context():
            data, logged = self.log.read(self.devices())
            view = run_blocking(monitor.build, self.engine.settings, data)
            if monitor.alert_events_due(view, logged):
                self.log.record(view)  # its commit marks the hub dirty: the next round shows the new seq
            self._next_due = monitor.next_due(self.engine.settings, data)
            self.view = view
            self.computations += 1
            self._push(view)
        self._computed_at = time.monotonic()
        self._cost = self._computed_at - began
        log.debug("monitor computed in %.1f ms (seq %s)", self._cost * 1000, view["seq"])
        return view

    def _has_members(self, room: str) -> bool:
        return bool(self.socketio.server.manager.rooms.get("/", {}).get(room))

    def _push(self, view: dict) -> None:
        if self._has_members(MONITOR_ROOM):
            self.socketio.emit("monitor", view, to=MONITOR_ROOM)
        self._send_alerts(MANAGERS_ROOM, view["alerts"], view)
        for counter_id in self.engine.settings.counters:
            self._send_alerts(counter_room(counter_id), monitor.alerts_for_counter(view, counter_id), view)

    def _send_alerts(self, room: str, alerts: list[dict], view: dict) -> None:
        keys = tuple(sorted(map(alert_key, alerts), key=repr))
        if self._sent.get(room) == keys:
            return
        self._sent[room] = keys
        if self._has_members(room):
            self.socketio.emit("alerts", {"at": view["at"], "alerts": alerts}, to=room)

    # --- Socket.IO: joining --------------------------------------------------------------------------
    def on_watch(self, _data=None):
        """A monitor page asks for the monitor: manager or admin sockets only (api/auth.may_watch_monitor)."""
        caller = self.realtime.staff.get(request.sid)
        if not may_watch_monitor(caller):
            self.socketio.emit("monitor_refused", {"code": "forbidden_role", "message":
                               "Chỉ quản lý trung tâm và quản trị viên được xem màn hình giám sát."}, to=request.sid)
            return
        join_room(MONITOR_ROOM)
        view = self.view if self.view is not None else self.refresh()
        self.socketio.emit("monitor", view, to=request.sid)

    def on_alerts(self, _data=None):
        """A staff page asks for its banners: managers and admins get every alert, a counter (its device or
        the clerk signed in there) the wait breaches of the thủ tục it serves; anyone else nothing."""
        scope = alert_scope(self.realtime.staff.get(request.sid))
        if scope is None:
            return
        view = self.view if self.view is not None else self.refresh()
        if scope == "managers":
            join_room(MANAGERS_ROOM)
            alerts = view["alerts"]
        else:
            join_room(counter_room(scope))
            alerts = monitor.alerts_for_counter(view, scope)
        self.socketio.emit("alerts", {"at": view["at"], "alerts": alerts}, to=request.sid)


def device_statuses(app):
    """() → the kiosks' printer and the counters' scanner statuses, as the screens last heard them."""
    def statuses() -> list[dict]:
        settings = app.extensions["xephang"].settings
        found = []
        printing = app.extensions.get("xephang_kiosk")
        if printing is not None:
            for kiosk_id in printing.workers:
                state = printing.printer_state(kiosk_id)
                found.append({"kind": "printer", "id": kiosk_id, "name": settings.kiosks[kiosk_id].name,
                              "status": state["status"], "message": state["message"]})
        scanners = app.extensions.get("xephang_scanners")
        if scanners is not None:
            for counter_id in dict.fromkeys(counter for counter, _ in scanners.entries):
                counter = settings.counters.get(counter_id)
                for index, status in enumerate(scanners.statuses(counter_id)):
                    found.append({"kind": "scanner", "id": f"{counter_id}#{index + 1}",
                                  "name": counter.name if counter else counter_id, "status": status,
                                  "message": SCANNER_MESSAGES.get(status, status)})
        return found
    return statuses


SCANNER_MESSAGES = {"connected": "Máy quét đã kết nối", "disconnected": "Máy quét mất kết nối. Kiểm tra dây cáp.",
                    "starting": "Máy quét đang khởi động", "stopped": "Máy quét đã dừng"}
