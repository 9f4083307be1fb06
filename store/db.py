"""One SQLite connection per process, one writer at a time, events published only after commit.

Why this shape (docs/design.md, decision 3, re-measured here):
- WAL + BEGIN IMMEDIATE for every read-then-write: a plain BEGIN (sqlite-utils' `atomic()`) takes the
  write lock late and fails with "database is locked" under several writer processes.
- synchronous=FULL, not NORMAL: a ticket that got its 201 must survive a power cut, or its number could be
  issued twice the next morning. Measured on this machine: 0.16 ms per commit (FULL) vs 0.01 ms (NORMAL),
  far below what HTTP costs per ticket.
- One connection behind a lock: transactions of one process never interleave, so under gevent a greenlet
  never waits on SQLite's busy timeout for a lock its own process holds.
- No waiting inside SQLite when ANOTHER process holds the write lock (a backup tool, a DB browser):
  SQLite's busy handler sleeps in C, and under gevent that freezes every screen (with the old 10 s
  timeout, for 10 s, then a 500). Instead SQLite answers "busy" at once, and `transaction()` waits between
  attempts with time.sleep (gevent's sleep once monkey-patched) WITHOUT holding the store's lock, so reads
  (lobby displays, /api/state; WAL readers need no write lock) go on meanwhile; after `busy_wait_seconds`
  it raises StorageBusy (HTTP 503). README, "When the database is busy or full".
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from .health import StorageBusy, StorageHealth, StorageUnavailable, is_busy, translate
from .schema import migrate
from .tickets import TicketQueries

log = logging.getLogger(__name__)

# Appended (actor "system") by the first transaction that commits after writes were refused; the same
# name as core.events.STORAGE_RECOVERED (store/ may not import core/).
STORAGE_RECOVERED = "storage_recovered"
OPENING_BUSY_TIMEOUT_SECONDS = 10


class Transaction(TicketQueries):
    """What core may do inside one BEGIN IMMEDIATE … COMMIT: queries, updates and event appends."""

    def __init__(self, connection: sqlite3.Connection):
        super().__init__(connection)
        self.events: list[dict] = []

    def append_event(self, *, at: datetime, actor: str, kind: str, ticket_id: int | None = None,
                     counter: str | None = None, service: str | None = None, details: dict | None = None) -> dict:
        """Append one row to the event log and return it (with its seq) for publishing after commit."""
        # UTC like every stored time, whatever offset the clock reports.
        row = {"at": at.astimezone(timezone.utc).isoformat(timespec="milliseconds"), "actor": actor,
               "ticket_id": ticket_id, "kind": kind, "counter": counter, "service": service, "details": details or {}}
        cursor = self.connection.execute(
            "INSERT INTO events (at, actor, ticket_id, kind, counter, service, details) VALUES (?,?,?,?,?,?,?)",
            (row["at"], actor, ticket_id, kind, counter, service, json.dumps(row["details"], ensure_ascii=False)))
        row["seq"] = cursor.lastrowid
        self.events.append(row)
        return row


class Store:
    """The database of one centre. Use `transaction()` for writes and `read()` for consistent reads.

    `busy_wait_seconds` bounds how long a write waits for another process's write lock before it is refused
    with StorageBusy; `recovery_probe_seconds` is how often, while writes are refused, the store tries to
    commit the storage_recovered event by itself (so /healthz and the staff learn of the recovery even if
    nobody writes).
    """

    def __init__(self, path: str | Path, busy_wait_seconds: float = 2.0, recovery_probe_seconds: float = 1.0):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; the sqlite3 module must not add BEGINs.
        # While opening (nothing is served yet) SQLite may wait in C for another writer, as before; once
        # open, busy_timeout is 0: SQLite must never sleep in C (see the module docstring).
        self.connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                          timeout=OPENING_BUSY_TIMEOUT_SECONDS)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = FULL")
        self.connection.execute("PRAGMA foreign_keys = ON")
        migrate(self.connection)
        self.connection.execute("PRAGMA busy_timeout = 0")
        self.busy_wait_seconds = busy_wait_seconds
        self.recovery_probe_seconds = recovery_probe_seconds
        self.health = StorageHealth()
        self.db = sqlite_utils.Database(self.connection)
        self.path = str(path)
        self._lock = threading.RLock()
        self._listeners: list[Callable[[list[dict]], None]] = []
        self._closed = False
        self._probing = False
        self.memo: dict = {}  # per-database caches of read-mostly lookups (device tokens)

    def subscribe(self, listener: Callable[[list[dict]], None]) -> None:
        """Call `listener(events)` after each commit, in commit order. Keep it quick: it runs under the lock."""
        self._listeners.append(listener)

    @contextlib.contextmanager
    def _locked(self, begin: str, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold the store's lock with `begin` executed; retry "busy" cooperatively up to the bound.

        Between attempts the lock is released, so this process's reads are not stuck behind a write that
        waits for another process.
        """
        deadline = time.monotonic() + (self.busy_wait_seconds if wait_seconds is None else wait_seconds)
        delay = 0.002
        while True:
            self._lock.acquire()
            try:
                self.connection.execute(begin)
                break
            except sqlite3.Error as error:
                self._lock.release()
                if not is_busy(error):
                    raise translate(error) or error
                if time.monotonic() + delay > deadline:
                    raise StorageBusy(str(error)) from error
            time.sleep(delay)  # gevent.sleep under monkey-patching: the loop serves other screens meanwhile
            delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            self._lock.release()

    def transaction(self) -> "contextlib.AbstractContextManager[Transaction]":
        """BEGIN IMMEDIATE … COMMIT; on any exception ROLLBACK, and nothing is published.

        Raises StorageBusy when another process keeps the write lock past `busy_wait_seconds`, StorageFull
        when the disk is full, StorageUnavailable on an I/O error; in every case nothing was written.
        """
        return self._transaction(wait_seconds=None, counted=True)

    @contextlib.contextmanager
    def _transaction(self, *, wait_seconds: float | None, counted: bool) -> Iterator[Transaction]:
        try:
            with self._locked("BEGIN IMMEDIATE", wait_seconds):
                transaction = Transaction(self.connection)
                recovery = self.health.recovery_details()
                if recovery is not None:  # the first commit after refusals tells the staff about them
                    transaction.append_event(at=datetime.now(timezone.utc), actor="system",
                                             kind=STORAGE_RECOVERED, details=recovery)
                try:
                    yield transaction
                    self.connection.execute("COMMIT")
                except BaseException as error:
                    self._roll_back()
                    if isinstance(error, sqlite3.Error) and translate(error) is not None:
                        raise translate(error) from error
                    raise
                if recovery is not None:
                    self.health.recovered()
                    log.warning("storage accepts writes again after %s s (%s refused, %s)",
                                recovery["seconds"], recovery["refused"], recovery["state"])
                # Still under the lock, so listeners see commits in seq order: only committed events go out.
                if transaction.events:
                    for listener in self._listeners:
                        listener(list(transaction.events))
        except StorageUnavailable as error:
            if counted:
                self._note_refusal(error)
            raise

    def _roll_back(self) -> None:
        # SQLite rolls back by itself on SQLITE_FULL and some I/O errors; a second ROLLBACK would raise.
        if self.connection.in_transaction:
            try:
                self.connection.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("ROLLBACK failed; SQLite discards the transaction when the connection resets")

    def _note_refusal(self, error: StorageUnavailable) -> None:
        if self.health.refused(error):
            log.warning("storage refuses writes (%s): %s", error.code, error.detail)
        if not self._probing and not self._closed:
            self._probing = True
            threading.Thread(target=self._probe_recovery, name="storage-recovery", daemon=True).start()

    def _probe_recovery(self) -> None:
        """While writes are refused, try now and then to commit the storage_recovered event on its own."""
        try:
            while not self._closed and self.health.state != "ok":
                time.sleep(self.recovery_probe_seconds)
                if self._closed:
                    return
                try:
                    with self._transaction(wait_seconds=0, counted=False):
                        pass  # _transaction() itself appends storage_recovered while health is not ok
                except StorageUnavailable:
                    continue  # still refused (not counted: only requests are); try again later
                except Exception:
                    log.exception("storage recovery probe failed")
        finally:
            self._probing = False

    @contextlib.contextmanager
    def read(self) -> Iterator[TicketQueries]:
        """A consistent read-only view (one deferred transaction). WAL readers need no write lock."""
        with self._lock:
            self.connection.execute("BEGIN")
            try:
                yield TicketQueries(self.connection)
            except sqlite3.Error as error:
                raise translate(error) or error
            finally:
                if self.connection.in_transaction:
                    self.connection.execute("COMMIT")

    def data_version(self) -> int:
        """SQLite's PRAGMA data_version: moves whenever another connection (another process) commits."""
        with self._lock:
            return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        """Close the connection (and stop the recovery probe)."""
        self._closed = True
        with self._lock:
            self.connection.close()
