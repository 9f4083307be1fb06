"""The reports' summary table: one row of facts per ticket, kept up with the event log, and its sums.

Why a catch-up and not a write in every queue transaction: the queue's writes (issue, call, finish) stay
exactly as fast as before (bench reports measures it), and a rating, a transfer or any event another
part of the program adds later is picked up without touching the engine. `catch_up` reads the events
after `report_progress.seq`, re-folds every ticket they touch from ALL of that ticket's events (the fold
is core/report_facts.py, passed in: store/ does not import core/) and writes the rows and the new seq in
one transaction. Any report first catches up, so it is exact to the last committed event.

Everything here opens its OWN SQLite connection: reports run on a native thread
(blocking.run_blocking), away from the gevent loop and from the server's connection and its lock.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from typing import Callable, Iterator

CHUNK_EVENTS = 5000        # events folded per transaction: the write lock is held ~tens of ms at most
BUSY_TIMEOUT_MS = 5000     # a native thread may wait in C for the server's short write transactions
CLERK_KINDS = ("clerk_signed_in", "clerk_signed_out")

COLUMNS = ("ticket_id", "number", "day", "weekday", "hour", "service", "priority", "channel", "status",
           "counter", "clerk", "transfers", "no_shows", "issued_at", "called_at", "started_at",
           "finished_at", "wait", "walk", "service_time", "rating", "rating_levels", "rating_channel")

# Pre-summed cells of the filtered tickets, grouped by {group}: the reports fold these, not the tickets.
CELL_SQL = """
SELECT {group},
       count(*), sum(status = 'done'), sum(status = 'no_show'), sum(status = 'cancelled'),
       sum(status = 'expired'), sum(transfers > 0),
       count(wait), total(wait), sum(wait <= :target),
       count(walk), total(walk),
       sum(status = 'done' AND service_time IS NOT NULL), total(CASE WHEN status = 'done' THEN service_time END),
       count(rating), sum(rating IS NOT NULL AND CASE WHEN :satisfied > 0 THEN rating <= :satisfied
                                                   ELSE rating * 2 <= rating_levels END)
FROM report_facts WHERE {where} GROUP BY {group}
"""
SUMS = ("issued", "served", "no_show", "cancelled", "expired", "transferred", "waits", "wait_sum", "within",
        "walks", "walk_sum", "services", "service_sum", "rated", "satisfied")
GROUPINGS = {"detail": ("day", "service", "counter", "clerk"), "clock": ("weekday", "hour")}


@contextmanager
def connect(path: str) -> Iterator[sqlite3.Connection]:
    """A connection of our own to the centre's database (WAL: reading never blocks the server)."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                 check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield connection
    finally:
        connection.close()


def _event(row) -> dict:
    seq, at, actor, ticket_id, kind, counter, service, details = row
    return {"seq": seq, "at": at, "actor": actor, "ticket_id": ticket_id, "kind": kind, "counter": counter,
            "service": service, "details": json.loads(details)}


def _progress(connection) -> int:
    row = connection.execute("SELECT seq FROM report_progress WHERE id = 1").fetchone()
    return row[0] if row else 0


def catch_up(path: str, fold: Callable, chunk: int = CHUNK_EVENTS) -> int:
    """Bring report_facts up to the newest event; returns how many events were folded.

    `fold(ticket_events, clerk_at)` returns a ticket's facts (a dict with COLUMNS) or None.
    """
    folded = 0
    with connect(path) as connection:
        while True:
            done = _catch_up_chunk(connection, fold, chunk)
            folded += done
            if done < chunk:
                return folded


def _catch_up_chunk(connection, fold: Callable, chunk: int) -> int:
    connection.execute("BEGIN IMMEDIATE")  # two catch-ups at once: the second simply finds less to do
    try:
        after = _progress(connection)
        rows = connection.execute("SELECT seq, at, actor, ticket_id, kind, counter, service, details FROM events "
                                  "WHERE seq > ? ORDER BY seq LIMIT ?", (after, chunk)).fetchall()
        if not rows:
            connection.execute("COMMIT")
            return 0
        touched: dict[int, list[dict]] = {}
        for row in rows:
            if row[3] is not None:
                touched.setdefault(row[3], []).append(_event(row))
        clerk_at = _clerk_lookup(connection)
        facts = []
        for ticket_id, new_events in touched.items():
            history = new_events
            if new_events[0]["kind"] != "issued":  # an older ticket moved on: fold its whole life again
                history = [_event(row) for row in connection.execute(
                    "SELECT seq, at, actor, ticket_id, kind, counter, service, details FROM events "
                    "WHERE ticket_id = ? AND seq <= ? ORDER BY seq", (ticket_id, rows[-1][0]))]
            row = fold(history, clerk_at)
            if row is not None:
                facts.append(tuple(row[column] for column in COLUMNS))
        connection.executemany(f"INSERT OR REPLACE INTO report_facts ({', '.join(COLUMNS)}) "
                               f"VALUES ({', '.join('?' * len(COLUMNS))})", facts)
        connection.execute("INSERT OR REPLACE INTO report_progress (id, seq) VALUES (1, ?)", (rows[-1][0],))
        connection.execute("COMMIT")
        return len(rows)
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _clerk_lookup(connection) -> Callable[[str, int], str | None]:
    """clerk_at(counter, seq): who was signed in at that counter just before that event (None if nobody)."""
    cache: dict = {}

    def clerk_at(counter: str, seq: int) -> str | None:
        if (counter, seq) not in cache:
            row = connection.execute(
                f"SELECT kind, actor FROM events WHERE kind IN ({', '.join('?' * len(CLERK_KINDS))}) "
                "AND counter = ? AND seq < ? ORDER BY seq DESC LIMIT 1", (*CLERK_KINDS, counter, seq)).fetchone()
            cache[(counter, seq)] = row[1].partition(":")[2] if row and row[0] == "clerk_signed_in" else None
        return cache[(counter, seq)]

    return clerk_at


def _where(filters: dict) -> tuple[str, dict]:
    """SQL for the filters: day_from/day_to (inclusive), services (a list), counter, clerk, priority
    ('' = no priority), channel."""
    where, params = ["day BETWEEN :day_from AND :day_to"], {"day_from": filters["day_from"],
                                                           "day_to": filters["day_to"]}
    if filters.get("services") is not None:
        names = [f":service{i}" for i in range(len(filters["services"]))]
        where.append(f"service IN ({', '.join(names) or 'NULL'})")
        params.update({name[1:]: code for name, code in zip(names, filters["services"])})
    for column in ("counter", "clerk", "priority", "channel"):
        if filters.get(column) is not None:
            where.append(f"{column} = :{column}")
            params[column] = filters[column]
    return " AND ".join(where), params


def cells(connection, filters: dict, target_seconds: float, grouping: str, satisfied_levels: int = 0) -> list[tuple]:
    """Pre-summed cells of the filtered tickets: the GROUPINGS[grouping] keys, then the SUMS (None → 0).
    A rating counts as satisfied at a level ≤ `satisfied_levels`, or in the top half of its scale with 0."""
    where, params = _where(filters)
    params["target"], params["satisfied"] = target_seconds, satisfied_levels
    keys = GROUPINGS[grouping]
    sql = CELL_SQL.format(group=", ".join(keys), where=where)
    return [row[:len(keys)] + tuple(value or 0 for value in row[len(keys):])
            for row in connection.execute(sql, params)]


def sorted_times(connection, filters: dict, column: str) -> list[float]:
    """Every known value of wait, walk or service_time (served tickets) among the filtered, ascending."""
    if column not in ("wait", "walk", "service_time"):
        raise ValueError(column)
    where, params = _where(filters)
    extra = " AND status = 'done'" if column == "service_time" else ""
    return [row[0] for row in connection.execute(
        f"SELECT {column} FROM report_facts WHERE {where} AND {column} IS NOT NULL{extra} ORDER BY {column}", params)]


def rating_levels(connection, filters: dict) -> list[tuple[int, int, int]]:
    """(levels, level, count) of the filtered tickets' ratings."""
    where, params = _where(filters)
    return connection.execute(f"SELECT rating_levels, rating, count(*) FROM report_facts WHERE {where} "
                              "AND rating IS NOT NULL GROUP BY rating_levels, rating ORDER BY 1, 2", params).fetchall()


def ticket_rows(connection, filters: dict) -> Iterator[dict]:
    """The filtered tickets' facts, in order of issue (for the exports' detail sheet)."""
    where, params = _where(filters)
    for row in connection.execute(f"SELECT {', '.join(COLUMNS)} FROM report_facts WHERE {where} "
                                  "ORDER BY issued_at, ticket_id", params):
        yield dict(zip(COLUMNS, row))
