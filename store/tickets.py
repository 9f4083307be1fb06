"""The SQL behind the queue: every query core needs, in one place, over one connection."""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable


def _placeholders(items: Iterable) -> str:
    return ",".join("?" for _ in items)


class TicketQueries:
    """Reads and writes of tickets, counter state and events. Callers hold the Store's lock."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self._counter_states: dict[str, dict] | None = None  # read once per transaction (see all_counter_states)

    # --- tickets -----------------------------------------------------------------------------
    def ticket(self, ticket_id: int) -> dict | None:
        row = self.connection.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return dict(row) if row else None

    def ticket_by_token(self, token: str) -> dict | None:
        row = self.connection.execute("SELECT * FROM tickets WHERE token = ?", (token,)).fetchone()
        return dict(row) if row else None

    def insert_ticket(self, **fields) -> int:
        columns = ",".join(fields)
        cursor = self.connection.execute(
            f"INSERT INTO tickets ({columns}) VALUES ({_placeholders(fields)})", tuple(fields.values()))
        return cursor.lastrowid

    def update_ticket(self, ticket_id: int, **fields) -> None:
        assignments = ",".join(f"{name} = ?" for name in fields)
        self.connection.execute(f"UPDATE tickets SET {assignments} WHERE id = ?", (*fields.values(), ticket_id))

    def last_sequence_number(self, day: str, service: str) -> tuple[int | None, int]:
        """(highest number issued today for the service, how many were issued today)."""
        row = self.connection.execute(
            "SELECT max(sequence_number), count(*) FROM tickets WHERE day = ? AND issued_service = ?",
            (day, service)).fetchone()
        return row[0], row[1]

    def callable_tickets(self, statuses: tuple[str, ...], services: Iterable[str], counter: str | None,
                         day: str) -> list[dict]:
        """Tickets that may be called: in one of `services` and not sent to another counter, or sent to `counter`.

        Ordered by arrival then id, which is FIFO; core/ordering.py applies priority on top.
        """
        services = tuple(services)
        rows = self.connection.execute(
            f"""SELECT * FROM tickets
                WHERE day = ? AND status IN ({_placeholders(statuses)})
                  AND ((target_counter IS NULL AND service IN ({_placeholders(services)}))
                       OR target_counter = ?)
                ORDER BY arrived_at, id""",
            (day, *statuses, *services, counter)).fetchall()
        return [dict(row) for row in rows]

    def next_candidates(self, statuses: tuple[str, ...], services: Iterable[str], counter: str,
                        day: str) -> list[dict]:
        """The oldest callable priority ticket, the oldest one that never came back from a no-show, and
        the oldest normal one (what ordering chooses between; core/ordering.py says why three).

        LIMIT 1 queries instead of loading the whole queue: call-next stays cheap with hundreds waiting.
        """
        services = tuple(services)
        found = []
        for priority_test in ("priority IS NOT NULL", "priority IS NOT NULL AND returned_at IS NULL",
                              "priority IS NULL"):
            row = self.connection.execute(
                f"""SELECT * FROM tickets
                    WHERE day = ? AND status IN ({_placeholders(statuses)}) AND {priority_test}
                      AND ((target_counter IS NULL AND service IN ({_placeholders(services)}))
                           OR target_counter = ?)
                    ORDER BY arrived_at, id LIMIT 1""",
                (day, *statuses, *services, counter)).fetchone()
            if row and all(row["id"] != other["id"] for other in found):
                found.append(dict(row))
        return sorted(found, key=lambda t: (t["arrived_at"], t["id"]))

    def count_ahead(self, ticket: dict, statuses: tuple[str, ...], services: tuple[str, ...]) -> dict[str, int]:
        """Callable tickets in `services` that go before `ticket`, counted per service.

        A priority ticket is behind older priority tickets only; a normal ticket is behind older normal
        tickets and every waiting priority ticket (core/estimate.py explains why).
        """
        rows = self.connection.execute(
            f"""SELECT service, count(*) FROM tickets
                WHERE day = ? AND status IN ({_placeholders(statuses)}) AND id != ?
                  AND service IN ({_placeholders(services)})
                  AND ((priority IS NOT NULL AND (? OR (arrived_at, id) < (?, ?)))
                       OR (priority IS NULL AND ? AND (arrived_at, id) < (?, ?)))
                GROUP BY service""",
            (ticket["day"], *statuses, ticket["id"], *services,
             ticket["priority"] is None, ticket["arrived_at"], ticket["id"],
             ticket["priority"] is None, ticket["arrived_at"], ticket["id"])).fetchall()
        return {row[0]: row[1] for row in rows}

    def tickets_of_day(self, day: str, statuses: tuple[str, ...]) -> list[dict]:
        rows = self.connection.execute(
            f"SELECT * FROM tickets WHERE day = ? AND status IN ({_placeholders(statuses)}) ORDER BY arrived_at, id",
            (day, *statuses)).fetchall()
        return [dict(row) for row in rows]

    QUEUE_COLUMNS = ("id", "service", "priority", "arrived_at", "returned_at", "target_counter", "priority_jumps")

    def queue_rows(self, day: str, statuses: tuple[str, ...]) -> list[tuple]:
        """QUEUE_COLUMNS of `day`'s tickets in `statuses`, FIFO (arrived_at, id), as plain tuples: what the
        wait estimate needs of every waiting ticket, read without building a dict per row (core/waits.py)."""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        return cursor.execute(
            f"SELECT {', '.join(self.QUEUE_COLUMNS)} FROM tickets WHERE day = ? "
            f"AND status IN ({_placeholders(statuses)}) ORDER BY arrived_at, id", (day, *statuses)).fetchall()

    def open_tickets_before(self, day: str, statuses: tuple[str, ...]) -> list[dict]:
        rows = self.connection.execute(
            f"SELECT * FROM tickets WHERE day < ? AND status IN ({_placeholders(statuses)})",
            (day, *statuses)).fetchall()
        return [dict(row) for row in rows]

    def recent_occupancy(self, since: str, per_service: int, services) -> dict[str, list[float]]:
        """Per service of `services`, how long each of its `per_service` most recent tickets finished (done or
        no-show) since `since` held a counter, call → finish, in minutes (core/estimate.py).

        One indexed seek per service (tickets_finished: service, finished_at), newest first, stopping at
        `per_service`: the cost does not grow with the history. A single query with a window function
        read every finished ticket of the year instead (32 ms a call on a year's demo data, on every
        finish)."""
        result: dict[str, list[float]] = {}
        for service in services:
            rows = self.connection.execute(
                """SELECT (julianday(finished_at) - julianday(called_at)) * 1440 FROM tickets
                   WHERE service = ? AND finished_at >= ? AND status IN ('done', 'no_show')
                         AND called_at IS NOT NULL
                   ORDER BY finished_at DESC LIMIT ?""", (service, since, per_service)).fetchall()
            minutes = [row[0] for row in rows if row[0] is not None and row[0] >= 0]
            if minutes:
                result[service] = minutes
        return result

    def occupancy_of_day(self, day: str) -> list[float]:
        """Call → finish minutes of every ticket of `day` finished (done or no-show)."""
        rows = self.connection.execute(
            """SELECT (julianday(finished_at) - julianday(called_at)) * 1440 FROM tickets
               WHERE day = ? AND status IN ('done', 'no_show') AND called_at IS NOT NULL""", (day,)).fetchall()
        return [row[0] for row in rows if row[0] is not None and row[0] >= 0]

    def priority_issued(self, day: str) -> tuple[dict[str, int], str | None]:
        """({service: priority tickets issued on `day`}, when the day's first ticket was issued)."""
        rows = self.connection.execute(
            "SELECT issued_service, count(*) FROM tickets WHERE day = ? AND priority IS NOT NULL "
            "GROUP BY issued_service", (day,)).fetchall()
        first = self.connection.execute("SELECT min(issued_at) FROM tickets WHERE day = ?", (day,)).fetchone()[0]
        return {row[0]: row[1] for row in rows}, first

    def counter_days_between(self, first_day: str, before_day: str) -> int:
        """How many (counter, local day) pairs from `first_day` to before `before_day` called someone: the
        counter-days worked, to count breaks per counter-day (core/estimate.py stretch). The day range keeps
        it on the tickets_day index: a week of tickets, not the whole history."""
        return self.connection.execute(
            "SELECT count(*) FROM (SELECT DISTINCT counter, day FROM tickets WHERE day >= ? AND day < ? "
            "AND called_at IS NOT NULL AND counter IS NOT NULL)", (first_day, before_day)).fetchone()[0]

    def transfers_since(self, since: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
        """(to_service, to_counter, from_counter, from_service) of every transfer since `since`; from_counter
        is None for a ticket transferred while waiting. Newest first through the (kind, seq) index,
        stopping at the first older one, so a year of history is not read."""
        found = []
        cursor = self.connection.cursor()
        cursor.row_factory = None
        for at, to_service, to_counter, from_counter, from_service in cursor.execute(
                "SELECT at, json_extract(details, '$.to_service'), json_extract(details, '$.to_counter'), counter, "
                "json_extract(details, '$.from_service') FROM events WHERE kind = 'transferred' ORDER BY seq DESC"):
            if at < since:
                break
            found.append((to_service, to_counter, from_counter, from_service))
        return found

    def pauses_since(self, since: str) -> list[tuple[str, str, str]]:
        """(kind, counter, at) of every counter_paused / counter_resumed event since `since`, in order."""
        return [tuple(row) for row in self.connection.execute(
            "SELECT kind, counter, at FROM events WHERE kind IN ('counter_paused', 'counter_resumed') AND at >= ? "
            "ORDER BY seq", (since,))]

    def last_call_day(self, counter: str) -> str | None:
        """The local day of the ticket most recently called at `counter`."""
        row = self.connection.execute(
            "SELECT day FROM tickets WHERE counter = ? AND called_at IS NOT NULL ORDER BY called_at DESC LIMIT 1",
            (counter,)).fetchone()
        return row[0] if row else None

    def closed_at_counter(self, counter: str, day: str, statuses: tuple[str, ...]) -> list[dict]:
        """Tickets of `day` last called at `counter` that ended in one of `statuses`, most recent first."""
        rows = self.connection.execute(
            f"""SELECT * FROM tickets WHERE day = ? AND counter = ? AND status IN ({_placeholders(statuses)})
                ORDER BY finished_at DESC, id DESC""",
            (day, counter, *statuses)).fetchall()
        return [dict(row) for row in rows]

    # --- counters ----------------------------------------------------------------------------
    def counter_state(self, counter: str) -> dict:
        row = self.connection.execute("SELECT * FROM counter_state WHERE counter = ?", (counter,)).fetchone()
        if row:
            return dict(row)
        return {"counter": counter, "current_ticket": None, "paused": 0, "priority_streak": 0, "clerk": None,
                "last_activity": None}

    def all_counter_states(self) -> dict[str, dict]:
        """Every counter's stored state; read once per transaction (a waiting list computes one wait per
        ticket, each needing the open counters) and re-read after set_counter_state. Do not mutate."""
        if self._counter_states is None:
            self._counter_states = {row["counter"]: dict(row)
                                    for row in self.connection.execute("SELECT * FROM counter_state")}
        return self._counter_states

    def set_counter_state(self, counter: str, **fields) -> None:
        self._counter_states = None
        state = self.counter_state(counter)
        state.update(fields)
        self.connection.execute(
            """INSERT INTO counter_state (counter, current_ticket, paused, priority_streak, clerk, last_activity)
               VALUES (:counter, :current_ticket, :paused, :priority_streak, :clerk, :last_activity)
               ON CONFLICT (counter) DO UPDATE SET current_ticket = excluded.current_ticket,
                 paused = excluded.paused, priority_streak = excluded.priority_streak, clerk = excluded.clerk,
                 last_activity = excluded.last_activity""",
            state)

    def counter_seen(self) -> dict[str, str]:
        """counter → UTC stamp of the last action taken there (core/staffing.py)."""
        return {row[0]: row[1] for row in self.connection.execute("SELECT counter, seen_at FROM counter_seen")}

    def set_counter_seen(self, counter: str, at: str) -> None:
        self.connection.execute(
            "INSERT INTO counter_seen (counter, seen_at) VALUES (?, ?) "
            "ON CONFLICT (counter) DO UPDATE SET seen_at = excluded.seen_at", (counter, at))

    # --- idempotency keys of POST /api/tickets -------------------------------------------------
    def idempotent_ticket(self, scope: str, day: str, key: str) -> tuple[int, str] | None:
        """(ticket id, request) that `key` of `scope` already answered on `day`, or None."""
        row = self.connection.execute(
            "SELECT ticket_id, request FROM idempotency_keys WHERE scope = ? AND day = ? AND key = ?",
            (scope, day, key)).fetchone()
        return (row[0], row[1]) if row else None

    def remember_idempotency_key(self, scope: str, day: str, key: str, request: str, ticket_id: int) -> None:
        self.connection.execute(
            "INSERT INTO idempotency_keys (scope, day, key, request, ticket_id) VALUES (?, ?, ?, ?, ?)",
            (scope, day, key, request, ticket_id))

    def forget_idempotency_keys_before(self, day: str) -> int:
        """Keys are good for their day only; returns how many were forgotten."""
        return self.connection.execute("DELETE FROM idempotency_keys WHERE day < ?", (day,)).rowcount

    # --- events ------------------------------------------------------------------------------
    def last_seq(self) -> int:
        return self.connection.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def events(self, *, ticket_id: int | None = None, kinds: tuple[str, ...] | None = None,
               after_seq: int = 0, limit: int | None = None, newest_first: bool = False,
               since: str | None = None) -> list[dict]:
        """Events in seq order; `since` (a UTC stamp) keeps only those at or after it."""
        where, params = ["seq > ?"], [after_seq]
        if since is not None:
            where.append("at >= ?")
            params.append(since)
        if ticket_id is not None:
            where.append("ticket_id = ?")
            params.append(ticket_id)
        if kinds:
            where.append(f"kind IN ({_placeholders(kinds)})")
            params.extend(kinds)
        sql = f"SELECT * FROM events WHERE {' AND '.join(where)} ORDER BY seq {'DESC' if newest_first else 'ASC'}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        result = []
        for row in self.connection.execute(sql, params):
            event = dict(row)
            event["details"] = json.loads(event["details"])
            result.append(event)
        return result
