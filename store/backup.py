"""`server.py backup FILE`: a consistent copy of the live database, safe while the server runs.

SQLite's online backup API (sqlite3.Connection.backup) copies the database from one read snapshot. In WAL
mode a reader takes no write lock, so the server keeps issuing tickets while the copy is made. The copy
is made in ONE step on purpose: in steps, SQLite restarts the copy whenever another connection writes
between two steps (measured here: 5 restarts in 47 steps with one write every few ms), so on a busy
centre a stepped backup might never end, and it would not hold any lock for less time anyway.

The copy is written beside FILE, switched to a self-contained rollback journal, verified by opening it
(integrity_check, user_version, events numbered 1..N with none missing) and only then renamed onto FILE.
README, "Backup and restore".
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """The backup was refused or its copy failed verification (the message says why, in English)."""


@dataclass
class BackupReport:
    """What was copied and verified."""

    path: Path
    user_version: int
    events: int
    tickets: int
    size_bytes: int
    seconds: float


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve() or (second.exists() and os.path.samefile(first, second))
    except OSError:
        return False


def backup(database: str | Path, destination: str | Path, *, overwrite: bool = False) -> BackupReport:
    """Copy `database` to `destination` with the online backup API, verify the copy, return what it holds."""
    database, destination = Path(database), Path(destination)
    if not database.exists():
        raise BackupError(f"{database} does not exist")
    for live in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if _same_file(live, destination):
            raise BackupError(f"{destination} is the live database ({live}); choose another file")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} exists; pass --overwrite to replace it")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    # A generous C-level timeout is fine here: this is a separate process, no screen waits on it.
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        with sqlite3.connect(partial) as copy:
            source.backup(copy, pages=-1)  # one step from one snapshot (see the module docstring)
        copy.close()
        with sqlite3.connect(partial, isolation_level=None) as copy:
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        copy.close()
        user_version = source.execute("PRAGMA user_version").fetchone()[0]
        report = verify(partial, user_version)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    report.path, report.seconds = destination, round(time.monotonic() - started, 3)
    return report


def verify(path: str | Path, user_version: int | None = None) -> BackupReport:
    """Open a copy and check it: integrity, schema version, events 1..N without a gap. Raises BackupError."""
    path = Path(path)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
        integrity = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise BackupError(f"{path}: integrity_check says {'; '.join(integrity[:5])}")
        version = copy.execute("PRAGMA user_version").fetchone()[0]
        if user_version is not None and version != user_version:
            raise BackupError(f"{path}: user_version {version}, the live database has {user_version}")
        events, last_seq = copy.execute("SELECT count(*), coalesce(max(seq), 0) FROM events").fetchone()
        if events != last_seq:
            raise BackupError(f"{path}: {events} events but the last seq is {last_seq}")
        tickets = copy.execute("SELECT count(*) FROM tickets").fetchone()[0]
    copy.close()
    return BackupReport(path, version, events, tickets, path.stat().st_size, 0.0)
