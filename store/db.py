"""One SQLite connection per process, one writer at a time, events published only after commit.

Why this shape (DESIGN.md decision 3, re-measured here):
- WAL + BEGIN IMMEDIATE for every read-then-write: a plain BEGIN (sqlite-utils' `atomic()`) takes the
  write lock late and fails with "database is locked" under several writer processes.
- synchronous=FULL, not NORMAL: a ticket that got its 201 must survive a power cut, or its number could be
  issued twice the next morning. Measured on this machine: 0.16 ms per commit (FULL) vs 0.01 ms (NORMAL),
  far below what HTTP costs per ticket.
- One connection behind a lock: transactions of one process never interleave, so under gevent a greenlet
  never waits on SQLite's busy timeout for a lock its own process holds.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from .schema import migrate
from .tickets import TicketQueries


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
    """The database of one centre. Use `transaction()` for writes and `read()` for consistent reads."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; the sqlite3 module must not add BEGINs.
        self.connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                          timeout=busy_timeout_ms / 1000)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = FULL")
        self.connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.db = sqlite_utils.Database(self.connection)
        self.path = str(path)
        self._lock = threading.RLock()
        self._listeners: list[Callable[[list[dict]], None]] = []
        self.memo: dict = {}  # per-database caches of read-mostly lookups (device tokens)
        migrate(self.connection)

    def subscribe(self, listener: Callable[[list[dict]], None]) -> None:
        """Call `listener(events)` after each commit, in commit order. Keep it quick: it runs under the lock."""
        self._listeners.append(listener)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """BEGIN IMMEDIATE … COMMIT; on any exception ROLLBACK, and nothing is published."""
        with self._lock:
            self.connection.execute("BEGIN IMMEDIATE")
            transaction = Transaction(self.connection)
            try:
                yield transaction
                self.connection.execute("COMMIT")
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            # Still under the lock, so listeners see commits in seq order: only committed events go out.
            if transaction.events:
                for listener in self._listeners:
                    listener(list(transaction.events))

    @contextmanager
    def read(self) -> Iterator[TicketQueries]:
        """A consistent read-only view (one deferred transaction)."""
        with self._lock:
            self.connection.execute("BEGIN")
            try:
                yield TicketQueries(self.connection)
            finally:
                self.connection.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self.connection.close()
