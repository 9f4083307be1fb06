"""The reads behind the live monitor (core/monitor_log.py): a fixed number of statements per computation,
whatever the length of the queue, each on an index (tickets by day, events by (kind, seq)). The counting
is done by SQLite: with 600 waiting, reading every ticket row into Python cost ~15 ms a computation, these
aggregates ~2 ms (bench monitor)."""

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


def issued_counts(tx, day: str) -> dict[str, int]:
    """Thủ tục a number was taken for → how many, on `day`."""
    rows = tx.connection.execute("SELECT issued_service, count(*) FROM tickets WHERE day = ? GROUP BY issued_service",
                                 (day,))
    return {row[0]: row[1] for row in rows}


def status_counts(tx, day: str) -> dict[tuple[str, str], int]:
    """(thủ tục the ticket is at now, status) → how many tickets of `day`."""
    rows = tx.connection.execute("SELECT service, status, count(*) FROM tickets WHERE day = ? GROUP BY service, status",
                                 (day,))
    return {(row[0], row[1]): row[2] for row in rows}


def oldest_waiting(tx, day: str, statuses: tuple[str, ...]) -> dict[str, dict]:
    """Per thủ tục, its callable ticket waiting longest, counting from issue or return (a ticket transferred
    after a call is left out: transferred_after_call gives those, whose wait began at the transfer)."""
    rows = tx.connection.execute(
        f"""SELECT service, min(coalesce(returned_at, issued_at)), id, number FROM tickets
            WHERE day = ? AND status IN ({_placeholders(statuses)})
              AND NOT (status = 'transferred' AND called_at IS NOT NULL)
            GROUP BY service""", (day, *statuses))
    return {row[0]: {"since": row[1], "id": row[2], "number": row[3]} for row in rows}


def transferred_after_call(tx, day: str) -> list[dict]:
    """Tickets of `day` waiting at a new thủ tục or counter after being called elsewhere, with when they
    were transferred (their last `transferred` event)."""
    rows = tx.connection.execute(
        """SELECT t.id, t.number, t.service, (SELECT max(e.at) FROM events e
                                              WHERE e.ticket_id = t.id AND e.kind = 'transferred')
           FROM tickets t WHERE t.day = ? AND t.status = 'transferred' AND t.called_at IS NOT NULL""", (day,))
    return [{"id": row[0], "number": row[1], "service": row[2], "since": row[3]} for row in rows]


def first_call_waits(tx, from_seq: int) -> dict[str, tuple[int, float]]:
    """Per thủ tục asked for: (tickets first called from `from_seq` on, sum of their waits in seconds from
    issue to that first call)."""
    rows = tx.connection.execute(
        """SELECT t.issued_service, count(*), sum(max(0, (julianday(f.first) - julianday(t.issued_at)) * 86400))
           FROM (SELECT ticket_id, min(at) AS first FROM events WHERE kind = 'called' AND seq >= ?
                 GROUP BY ticket_id) f
           JOIN tickets t ON t.id = f.ticket_id GROUP BY t.issued_service""", (from_seq,))
    return {row[0]: (row[1], row[2] or 0.0) for row in rows}


def tickets_by_id(tx, ids: list[int]) -> dict[int, dict]:
    """Some tickets (the counters' current ones) by id."""
    if not ids:
        return {}
    rows = tx.connection.execute(f"SELECT * FROM tickets WHERE id IN ({_placeholders(ids)})", ids)
    return {row["id"]: dict(row) for row in rows}


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
