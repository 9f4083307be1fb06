"""The notification commands of server.py: list-dead-letters, retry-dead-letters (safe while the server runs)."""

from __future__ import annotations

from datetime import datetime, timezone

from core.notify_rules import mask
from store import outbox


def list_dead_letters(store, limit: int = 200) -> int:
    """Print the dead letters (newest first), the outbox's counts and each webhook receiver's cursor."""
    with store.read() as tx:
        dead = outbox.dead_letters(tx.connection, limit)
        counts = outbox.counts(tx.connection)
        readers = outbox.cursors(tx.connection)
        last = tx.last_seq()
    print(f"outbox: {counts.get('pending', 0)} pending, {counts.get('sent', 0)} sent, {counts.get('dead', 0)} dead")
    for row in dead:
        # Recipients are masked here too: this list may be pasted into a ticket or a chat.
        print(f"#{row['id']}\t{row['created_at']}\t{row['channel']}\t{mask(row['recipient'])}\t{row['kind']}\t"
              f"{row['attempts']} attempt(s)\t{row['last_error'] or ''}\t{row['body'][:80]}")
    for reader in readers:
        if reader["name"].startswith("webhook:"):
            behind = last - reader["seq"]
            state = "up to date" if behind == 0 else f"{behind} event(s) behind"
            failing = (f", {reader['failures']} failure(s) in a row: {reader['last_error']}"
                       if reader["failures"] else "")
            print(f"{reader['name']}\tseq {reader['seq']}\t{state}{failing}")
    return 0


def retry_dead_letters(store) -> int:
    """Give today's dead letters one more round of attempts (past days' recipients are masked: not retried)."""
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    with store.transaction() as tx:
        count = outbox.retry_dead(tx.connection, now)
    print(f"{count} dead letter(s) queued again; the running server sends them within a few seconds")
    return 0
