"""seed-history --today (core/history.py): the demo opens on a lobby at work, and the demo's clerks can
still sign in anywhere."""

from __future__ import annotations

from datetime import date, datetime, time

from core.clock import FixedClock
from core.engine import QueueEngine
from core.history import seed_history

MONDAY = date(2026, 11, 23)


def test_today_is_played_up_to_now_by_device_tokens(settings, store):
    now = datetime.combine(MONDAY, time(9, 40), settings.centre.timezone)
    seeded = seed_history(settings, store, days=2, per_day=300, today=MONDAY, seed=3, until=now)
    assert seeded.days == 2 and seeded.today > 0
    with store.read() as tx:
        connection = tx.connection
        statuses = dict(connection.execute(
            "SELECT status, count(*) FROM tickets WHERE day = ? GROUP BY status", (MONDAY.isoformat(),)).fetchall())
        latest = connection.execute("SELECT max(at) FROM events").fetchone()[0]
        actors = {row[0] for row in connection.execute(
            "SELECT DISTINCT actor FROM events WHERE ticket_id IN (SELECT id FROM tickets WHERE day = ?) "
            "AND kind != 'issued'", (MONDAY.isoformat(),))}
        claims = [row[0] for row in connection.execute("SELECT clerk FROM counter_state WHERE clerk IS NOT NULL")]
    at_work = sum(statuses.get(status, 0) for status in ("waiting", "called", "serving"))
    assert at_work > 0 and statuses.get("done", 0) > 0                      # served and still being served
    assert datetime.fromisoformat(latest) <= now                              # nothing after "now"
    assert actors and all(actor.startswith(("counter:", "rating:")) for actor in actors)
    assert claims == []                                                       # lan may sign in at counter 1
    engine = QueueEngine(settings, store, FixedClock(now))
    assert engine.counter_states()["1"] == "open"                             # acted within the hour


def test_without_today_nothing_of_today(settings, store):
    seed_history(settings, store, days=2, per_day=40, today=MONDAY, seed=3)
    with store.read() as tx:
        assert tx.connection.execute("SELECT count(*) FROM tickets WHERE day = ?",
                                     (MONDAY.isoformat(),)).fetchone()[0] == 0
