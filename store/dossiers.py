"""The dossiers table: a copy of what the một cửa điện tử system says, and the hook for notifications.

Rows come from an import (`server.py import-dossiers`, the watched folder) or from an HTTP lookup; both
go through `save`, which writes only what changed (re-importing the same file changes nothing) and stamps
`ready_at` the first time a dossier is seen "đã có kết quả".

**Hook for the "kết quả đã có" notification** (README "Hồ sơ (dossiers)"): `ready_since(store, since)`
returns every dossier whose status became ready after `since` (UTC ISO-8601), oldest first, with its
phone and e-mail. store/ does not import core/: records are plain dicts with core/dossiers.py's fields.
"""

from __future__ import annotations

import json
import sqlite3

CHUNK = 500  # rows per transaction: another writer (a kiosk) never waits long for the write lock
COLUMNS = ("code", "procedure", "grp", "received", "due", "status", "step", "note", "masked_name", "phone",
           "email", "resolved")
COMPARED = COLUMNS[1:]


def _record(row) -> dict:
    record = dict(row)
    record["group"] = record.pop("grp")
    return record


def _values(dossier: dict) -> tuple:
    return tuple(dossier["group"] if name == "grp" else dossier[name] for name in COLUMNS)


def save(store, dossiers: list[dict], *, source: str, at: str) -> dict:
    """Insert new dossiers and update changed ones; returns {"added", "changed", "unchanged"}."""
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for start in range(0, len(dossiers), CHUNK):
        with store.transaction() as tx:
            for dossier in dossiers[start:start + CHUNK]:
                counts[_save_one(tx.connection, dossier, source, at)] += 1
    return counts


def _save_one(connection, dossier: dict, source: str, at: str) -> str:
    values = _values(dossier)
    old = connection.execute("SELECT * FROM dossiers WHERE code = ?", (dossier["code"],)).fetchone()
    became_ready = dossier["status"] == "ready" and (old is None or old["status"] != "ready")
    if old is None:
        connection.execute(
            f"INSERT INTO dossiers ({', '.join(COLUMNS)}, source, first_seen, updated_at, ready_at) "
            f"VALUES ({', '.join('?' * len(COLUMNS))}, ?, ?, ?, ?)",
            (*values, source, at, at, at if became_ready else None))
        return "added"
    if tuple(old[name] for name in COMPARED) == values[1:]:
        return "unchanged"
    connection.execute(
        f"UPDATE dossiers SET {', '.join(f'{name} = ?' for name in COMPARED)}, source = ?, updated_at = ?, "
        "ready_at = CASE WHEN ? THEN ? ELSE ready_at END WHERE code = ?",
        (*values[1:], source, at, became_ready, at, dossier["code"]))
    return "changed"


def record_import(store, *, at: str, file: str, rows: int, counts: dict, errors: list) -> None:
    """Remember one import (the board's "last refresh" and the admin's record of bad rows)."""
    with store.transaction() as tx:
        tx.connection.execute(
            "INSERT INTO dossier_imports (at, file, rows, added, changed, unchanged, errors) VALUES (?,?,?,?,?,?,?)",
            (at, file, rows, counts["added"], counts["changed"], counts["unchanged"],
             json.dumps(errors[:1000], ensure_ascii=False)))


def find(store, code: str) -> dict | None:
    """The stored dossier with that (normalised) code, or None."""
    with store.read() as tx:
        row = tx.connection.execute("SELECT * FROM dossiers WHERE code = ?", (code,)).fetchone()
    return _record(row) if row else None


def ready_since(store, since: str) -> list[dict]:
    """THE HOOK: dossiers whose status became "đã có kết quả" after `since` (UTC ISO-8601), oldest first.

    Each dict has code, procedure, group, due, masked_name, phone, email, ready_at (and the other fields).
    A dossier counts once: going ready → returned → ready again stamps a new ready_at."""
    with store.read() as tx:
        rows = tx.connection.execute(
            "SELECT * FROM dossiers WHERE ready_at > ? AND status = 'ready' ORDER BY ready_at, code",
            (since,)).fetchall()
    return [_record(row) for row in rows]


def for_board(store, year: str) -> list[dict]:
    """Dossiers the board counts: received or resolved in `year` (YYYY), or still open."""
    with store.read() as tx:
        rows = tx.connection.execute(
            "SELECT code, grp, received, due, status, resolved FROM dossiers "
            "WHERE substr(received, 1, 4) = ? OR substr(resolved, 1, 4) = ? "
            "OR status IN ('processing', 'supplement', 'overdue')", (year, year)).fetchall()
    return [_record(row) for row in rows]


def last_import(store) -> dict | None:
    """The newest import: at, file, rows, added, changed, unchanged, errors."""
    with store.read() as tx:
        row = tx.connection.execute("SELECT * FROM dossier_imports ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    record = dict(row)
    record["errors"] = json.loads(record["errors"])
    return record


def count(store) -> int:
    with store.read() as tx:
        return tx.connection.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]


def board_facts(path: str, year: str) -> tuple[list[dict], str | None]:
    """for_board's rows and the newest import's time, on a connection of its own: the lobby board runs
    this on a native thread (blocking.run_blocking), away from the event loop and the store's lock."""
    from .report_facts import connect

    with connect(path) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute(
            "SELECT code, grp, received, due, status, resolved FROM dossiers "
            "WHERE substr(received, 1, 4) = ? OR substr(resolved, 1, 4) = ? "
            "OR status IN ('processing', 'supplement', 'overdue')", (year, year)).fetchall()
        last = connection.execute("SELECT max(at) FROM dossier_imports").fetchone()[0]
    return [_record(row) for row in rows], last
