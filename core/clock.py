"""Time, injectable so tests can cross local midnight without waiting for it."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


class SystemClock:
    """The real time, always timezone-aware (UTC)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now, self._lock = start, threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta) -> datetime:
        """Move forward by timedelta keywords (minutes=5) and return the new time."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


class OffsetFileClock:
    """The real time plus a number of seconds read from a file: a live server's controllable clock.

    For rehearsals and browser tests (`server.py --clock-offset-file PATH`): write "900" into PATH and the
    whole server lives 15 minutes later, so a wait passes its target without waiting for it. The file is
    looked at most every RECHECK_SECONDS; a missing or unreadable file means no offset.
    """

    RECHECK_SECONDS = 0.2

    def __init__(self, path):
        self.path = path
        self._offset, self._checked, self._lock = 0.0, float("-inf"), threading.Lock()

    def offset_seconds(self) -> float:
        with self._lock:
            if time.monotonic() - self._checked >= self.RECHECK_SECONDS:
                self._checked = time.monotonic()
                try:
                    with open(self.path, encoding="utf-8") as file:
                        self._offset = float(file.read().strip() or 0)
                except (OSError, ValueError):
                    self._offset = 0.0
            return self._offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=self.offset_seconds())
