"""When SQLite refuses to write: the errors the web layer turns into 503, and the store's health record.

Why these exist (README, "When the database is busy or full"): another process may hold SQLite's write
lock (a backup tool, a DB browser, a `VACUUM`), or the disk may be full. Either way a request must get a
quick, clear refusal that changed nothing, never a 500 after a long freeze, and the staff must learn about
it. The store records how long writes were refused and how many, shows it in /healthz, and appends a
`storage_recovered` event to the log in the first transaction that commits again.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from time import monotonic

# SQLite's primary result codes (extended codes keep them in their low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY = 5, 6, 10, 13, 8


class StorageUnavailable(Exception):
    """The database cannot take this change now; nothing was written. The web layer answers 503."""

    code = "storage_error"
    state = "failed"
    message = "Hệ thống lưu trữ đang gặp lỗi, chưa ghi được thay đổi. Xin vui lòng thử lại sau ít phút."
    retry_after = 30  # seconds a client is told to wait before trying again

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.code)
        self.detail = detail


class StorageBusy(StorageUnavailable):
    """Another process held the write lock longer than the store waits."""

    code = "storage_busy"
    state = "busy"
    message = "Hệ thống đang bận lưu dữ liệu, chưa ghi được thay đổi. Xin vui lòng thử lại sau giây lát."
    retry_after = 5


class StorageFull(StorageUnavailable):
    """The disk (or the database's size limit) is full: SQLITE_FULL."""

    code = "storage_full"
    state = "full"
    message = "Bộ nhớ lưu trữ của máy chủ đã đầy, chưa ghi được thay đổi. Xin báo cán bộ kỹ thuật."
    retry_after = 60


def primary_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error from the sqlite3 module (Python ≥ 3.11), or None."""
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_busy(error: sqlite3.Error) -> bool:
    """True for "database is locked" / "database table is locked": worth waiting and trying again."""
    return primary_code(error) in (SQLITE_BUSY, SQLITE_LOCKED)


def translate(error: sqlite3.Error) -> StorageUnavailable | None:
    """The StorageUnavailable that stands for this SQLite error, or None when it is a programming error."""
    code = primary_code(error)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StorageBusy(str(error))
    if code == SQLITE_FULL:
        return StorageFull(str(error))
    if code in (SQLITE_IOERR, SQLITE_READONLY):
        return StorageUnavailable(str(error))
    return None


@dataclass
class Refusal:
    """A period during which writes were refused: its kind, when it began, how many requests got a 503."""

    state: str
    since: datetime
    started: float  # monotonic, for the duration
    refused: int = 0
    last_error: str = ""


class StorageHealth:
    """The store's write health: "ok", or the current refusal. Updated by Store under its own lock."""

    def __init__(self):
        self.current: Refusal | None = None
        self._guard = threading.Lock()

    @property
    def state(self) -> str:
        current = self.current
        return "ok" if current is None else current.state

    def refused(self, error: StorageUnavailable) -> bool:
        """Count one refused write; True when this refusal starts a new bad period."""
        with self._guard:
            if self.current is None:
                self.current = Refusal(error.state, datetime.now(timezone.utc), monotonic())
                started = True
            else:
                started = False
            self.current.state = error.state  # the latest cause wins (a busy period may turn into full)
            self.current.refused += 1
            self.current.last_error = error.detail
            return started

    def recovery_details(self) -> dict | None:
        """What the storage_recovered event says about the period that is ending, or None when healthy."""
        current = self.current
        if current is None:
            return None
        return {"state": current.state, "since": _iso(current.since),
                "seconds": round(monotonic() - current.started, 1), "refused": current.refused}

    def recovered(self) -> None:
        """Writes commit again (called after the commit that carried the storage_recovered event)."""
        with self._guard:
            self.current = None

    def as_json(self) -> dict:
        """For /healthz: {"state", "since", "seconds", "refused", "error"}; only "state" when healthy."""
        current = self.current
        if current is None:
            return {"state": "ok"}
        return {"state": current.state, "since": _iso(current.since),
                "seconds": round(monotonic() - current.started, 1), "refused": current.refused,
                "error": current.last_error}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
