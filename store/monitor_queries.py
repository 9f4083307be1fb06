"""The reads behind the live monitor (core/monitor_log.py): a fixed number of statements per computation,
whatever the length of the queue, each on an index (events by (kind, seq), tickets by day)."""

from __future__ import annotations

import json

from .tickets import _placeholders


def first_seq_since(tx, stamp: str) -> int:
    """The seq of the first event at or after `stamp` (a UTC stamp), or the next seq when there is none.

    Events are appended in time order, so `at` grows with seq: a binary search over the primary key
    finds the day's first event in ~20 lookups instead of scanning a log that grows for years."""
    low, high = 1, tx.last_seq() + 1
    while low < high:
        middle = (low + high) // 2
        row = tx.connection.execute("SELECT at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1",
                                    (middle,)).fetchone()
        if row is None or row[0] >= stamp:
            high = middle
        else:
            low = middle + 1
    return low


def tickets_of_day(tx, day: str) -> list[dict]:
    """Every ticket of `day`, whatever its status."""
    return [dict(row) for row in tx.connection.execute("SELECT * FROM tickets WHERE day = ? ORDER BY id", (day,))]


def first_calls(tx, from_seq: int) -> dict[int, str]:
    """Ticket id → its first `called` event from `from_seq` on."""
    rows = tx.connection.execute(
        "SELECT ticket_id, min(at) FROM events WHERE kind = 'called' AND seq >= ? GROUP BY ticket_id", (from_seq,))
    return {row[0]: row[1] for row in rows}


def last_transfers(tx, ticket_ids: list[int]) -> dict[int, str]:
    """Ticket id → its last `transferred` event, for the given tickets."""
    if not ticket_ids:
        return {}
    rows = tx.connection.execute(
        f"""SELECT ticket_id, max(at) FROM events WHERE kind = 'transferred'
            AND ticket_id IN ({_placeholders(ticket_ids)}) GROUP BY ticket_id""", ticket_ids)
    return {row[0]: row[1] for row in rows}


def last_counter_events(tx, kinds: tuple[str, ...], from_seq: int) -> dict[str, str]:
    """Counter id → the time of its last event of `kinds` from `from_seq` on."""
    rows = tx.connection.execute(
        f"""SELECT counter, max(at) FROM events WHERE kind IN ({_placeholders(kinds)}) AND seq >= ?
            AND counter IS NOT NULL GROUP BY counter""", (*kinds, from_seq))
    return {row[0]: row[1] for row in rows}


def events_of_kinds(tx, kinds: tuple[str, ...], from_seq: int) -> list[dict]:
    """Events of `kinds` from `from_seq` on, in seq order, details decoded."""
    rows = tx.connection.execute(
        f"SELECT * FROM events WHERE kind IN ({_placeholders(kinds)}) AND seq >= ? ORDER BY seq", (*kinds, from_seq))
    result = []
    for row in rows:
        event = dict(row)
        event["details"] = json.loads(event["details"])
        result.append(event)
    return result
