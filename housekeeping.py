"""The timer that runs what time alone makes due: the rollover just after local midnight, idle claims.

core/engine.py's `housekeeping()` decides what is due from the engine's clock; this task only wakes it
up: every `tick_seconds`, and just after the next local midnight (so displays drop yesterday's calls
and current tickets within a second of 00:00, not at the first write of the day). It runs as a
Socket.IO background task, so it is a greenlet under gevent and a thread in threading mode. Its wait
is a threading.Event, which gevent's monkey-patching makes cooperative; tests that move a FixedClock
call `wake()` or set a short `tick_seconds` instead of waiting for midnight.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timedelta

log = logging.getLogger(__name__)
TICK_SECONDS = 30.0       # idle claims are freed within this long of their limit
AFTER_MIDNIGHT = 0.5      # seconds past 00:00 local at which the rollover runs


def seconds_until_next_midnight(now: datetime, zone) -> float:
    """Real seconds from `now` until just after the next local midnight in `zone`."""
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
    return max(0.0, (midnight - now).total_seconds()) + AFTER_MIDNIGHT


class Housekeeping:
    """One background task calling engine.housekeeping() on time; its events go out like any commit."""

    def __init__(self, socketio, engine, tick_seconds: float = TICK_SECONDS):
        self.socketio, self.engine, self.tick_seconds = socketio, engine, tick_seconds
        self._wake = threading.Event()
        self._task = None

    def start(self) -> "Housekeeping":
        if self._task is None:
            self._task = self.socketio.start_background_task(self._run_forever)
        return self

    def wake(self) -> None:
        """Run a round now (after a test moved the clock, for instance)."""
        self._wake.set()

    def _run_forever(self) -> None:
        while True:
            try:
                self.engine.housekeeping()
            except sqlite3.ProgrammingError:
                return  # the store was closed: this app is being shut down (tests close theirs)
            except Exception:  # a failed round must not stop the next one
                log.exception("housekeeping round failed")
            zone = self.engine.settings.centre.timezone
            self._wake.wait(min(self.tick_seconds, seconds_until_next_midnight(self.engine.clock.now(), zone)))
            self._wake.clear()
