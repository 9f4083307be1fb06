"""The console's overlay on config.toml: what a manager or admin edited, kept in the database.

config.toml is what a new centre starts from; once an entry is edited in the console its row here wins
(core/catalogue.py merges both into Settings). Rows are whole records (a service's every field, a
counter's name + services + priority), so an entry edited once no longer depends on the file.

`overlay_version` moves with every change, so another process (a second server, a script) can tell
whether the overlay changed when SQLite's `PRAGMA data_version` says someone else committed.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

# kind → what its key is
KINDS = {
    "group": "lĩnh vực id",
    "service": "thủ tục code",
    "counter": "counter id",
    "weekly": "'hours' (the weekly sessions, one row)",
    "exception": "local date YYYY-MM-DD (holiday, làm bù, closing early)",
    "closure": "'YYYY-MM-DD/CODE': a thủ tục closed for that day, with its reason",
    "policy": "'policy' (one row)",
}


def read_overlay(tx) -> dict[str, dict[str, dict]]:
    """Every overlay row as {kind: {key: data}} (kinds with no row are present and empty)."""
    overlay: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}
    for row in tx.connection.execute("SELECT kind, key, data FROM catalogue_entries ORDER BY kind, key"):
        overlay.setdefault(row[0], {})[row[1]] = json.loads(row[2])
    return overlay


def overlay_version(tx) -> int:
    """A number that moves with every overlay change (0 before the first one)."""
    row = tx.connection.execute("SELECT version FROM catalogue_version WHERE id = 1").fetchone()
    return row[0] if row else 0


def _bump(tx) -> None:
    tx.connection.execute("INSERT INTO catalogue_version (id, version) VALUES (1, 1) "
                          "ON CONFLICT (id) DO UPDATE SET version = version + 1")


def put(tx, kind: str, key: str, data: dict) -> None:
    """Write (insert or replace) one overlay row inside the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown overlay kind {kind!r}")
    tx.connection.execute(
        """INSERT INTO catalogue_entries (kind, key, data, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at""",
        (kind, key, json.dumps(data, ensure_ascii=False, sort_keys=True),
         datetime.now(timezone.utc).isoformat(timespec="milliseconds")))
    _bump(tx)


def remove(tx, kind: str, key: str) -> bool:
    """Delete one overlay row (a holiday taken back, a thủ tục opened again); whether there was one."""
    cursor = tx.connection.execute("DELETE FROM catalogue_entries WHERE kind = ? AND key = ?", (kind, key))
    if cursor.rowcount:
        _bump(tx)
    return bool(cursor.rowcount)


def open_ticket_counts(tx, open_statuses) -> dict[str, int]:
    """Open tickets per service code, whatever their day (a retired thủ tục's list shows them)."""
    marks = ",".join("?" * len(open_statuses))
    rows = tx.connection.execute(
        f"SELECT service, count(*) FROM tickets WHERE status IN ({marks}) GROUP BY service", tuple(open_statuses))
    return {row[0]: row[1] for row in rows}
