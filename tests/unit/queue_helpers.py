"""Small helpers shared by the unit tests of the queue rules (imported, not collected)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CLERK = "clerk:lan"
KIOSK = "kiosk:kiosk-1"


def local(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A moment in the centre's time zone (Asia/Ho_Chi_Minh, UTC+7)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def with_service(settings, code: str, **changes):
    """A copy of settings with one service's fields changed (e.g. daily_cap=2)."""
    services = dict(settings.services)
    services[code] = dataclasses.replace(services[code], **changes)
    return dataclasses.replace(settings, services=services)


def issue(engine, clock, service: str = "KS", priority: str | None = None, *, gap_minutes: float = 1) -> dict:
    """Take a number at the kiosk, then let `gap_minutes` pass so arrivals are strictly ordered."""
    ticket = engine.issue_ticket(service, priority, actor=KIOSK, kiosk="kiosk-1")
    if gap_minutes:
        clock.advance(minutes=gap_minutes)
    return ticket


def serve(engine, counter: str) -> str | None:
    """Call the next ticket at `counter`, start and finish it; returns its number (None if nobody waits)."""
    called = engine.call_next(counter, actor=CLERK)
    if called is None:
        return None
    engine.start(called["id"], actor=CLERK, counter_id=counter)
    engine.finish(called["id"], actor=CLERK, counter_id=counter)
    return called["number"]


def call_order(engine, counter: str, count: int) -> list[str]:
    """The numbers `counter` calls, serving each in turn, `count` times (stops early when nobody waits)."""
    numbers = []
    for _ in range(count):
        number = serve(engine, counter)
        if number is None:
            break
        numbers.append(number)
    return numbers


def waiting_numbers(engine, counter: str) -> list[str]:
    """The numbers `counter` may call, in FIFO order (priority not applied)."""
    return [ticket["number"] for ticket in engine.waiting_list(counter)]


def ticket_row(store, ticket_id: int) -> dict:
    """The raw tickets row."""
    with store.read() as tx:
        return tx.ticket(ticket_id)


def all_events(store, kind: str | None = None) -> list[dict]:
    """Every event in seq order, optionally only one kind."""
    with store.read() as tx:
        return tx.events(kinds=(kind,) if kind else None)


def database_state(store) -> dict:
    """Everything an action may change: all tickets, all counter states and the event count."""
    with store.read() as tx:
        connection = tx.connection
        return {
            "tickets": [dict(row) for row in connection.execute("SELECT * FROM tickets ORDER BY id")],
            "counters": [dict(row) for row in connection.execute("SELECT * FROM counter_state ORDER BY counter")],
            "events": connection.execute("SELECT count(*) FROM events").fetchone()[0],
        }
