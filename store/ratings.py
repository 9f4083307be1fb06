"""Queries of satisfaction ratings, inside a transaction of store/db.py (core/rating.py holds the rules)."""

from __future__ import annotations


def is_rated(tx, ticket_id: int) -> bool:
    """Whether the ticket already has its one rating."""
    return tx.connection.execute("SELECT 1 FROM ratings WHERE ticket_id = ?", (ticket_id,)).fetchone() is not None


def insert_rating(tx, ticket_id: int, rated_at: str, channel: str) -> None:
    """Mark the ticket rated; the PRIMARY KEY refuses a second row even if a check was skipped."""
    tx.connection.execute("INSERT INTO ratings (ticket_id, rated_at, channel) VALUES (?, ?, ?)",
                          (ticket_id, rated_at, channel))


def last_done_at_counter(tx, counter: str, day: str) -> dict | None:
    """The ticket this counter finished last on `day` (the citizen who may still be at the desk)."""
    row = tx.connection.execute(
        "SELECT * FROM tickets WHERE day = ? AND status = 'done' AND counter = ? "
        "ORDER BY finished_at DESC, id DESC LIMIT 1", (day, counter)).fetchone()
    return dict(row) if row else None


def finisher(tx, ticket_id: int) -> str | None:
    """Who logged the ticket's last `finished` event (clerk:lan, counter:5, scanner:5)."""
    row = tx.connection.execute("SELECT actor FROM events WHERE ticket_id = ? AND kind = 'finished' "
                                "ORDER BY seq DESC LIMIT 1", (ticket_id,)).fetchone()
    return row[0] if row else None
