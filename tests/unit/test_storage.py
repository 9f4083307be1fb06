"""The store (store/db.py, store/schema.py): durable settings, one event per change, append-only log, migrations."""

import sqlite3
from contextlib import closing

import pytest

from core import events
from core.engine import QueueEngine
from core.errors import Conflict
from store import Store
from store.schema import MIGRATIONS, current_version, migrate
from tests.unit.queue_helpers import CLERK, all_events, database_state, issue, local, waiting_numbers


def hand_ticket(**changes) -> dict:
    """A complete tickets row as the first migration defines it (A001 for KS on Mon 23 Nov 2026, 08:00)."""
    row = dict(token="hand-made-token", day="2026-11-23", issued_service="KS", sequence_number=1, number="A001",
               service="KS", status="waiting", issued_at="2026-11-23T01:00:00.000+00:00",
               arrived_at="2026-11-23T01:00:00.000+00:00", recalls=0)
    return row | changes


def insert_row(connection, table: str, row: dict) -> None:
    """INSERT one row given as a dict."""
    connection.execute(f"INSERT INTO {table} ({','.join(row)}) VALUES ({','.join('?' for _ in row)})",
                       tuple(row.values()))


@pytest.fixture
def published(store):
    """Every batch of events the store publishes after a commit, in order."""
    batches = []
    store.subscribe(lambda batch: batches.append([e["seq"] for e in batch]))
    return batches


# --- connection settings ---------------------------------------------------------------------------

def test_wal_and_full_synchronous(store):
    connection = store.connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 0  # never sleep in C: store/db.py


def test_wal_is_recorded_in_the_file(tmp_path):
    Store(tmp_path / "q.db").close()
    with closing(sqlite3.connect(tmp_path / "q.db")) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- the event log ----------------------------------------------------------------------------------

def test_every_state_change_appends_exactly_one_event(engine, clock, published):
    steps = [
        (lambda: issue(engine, clock), events.ISSUED),
        (lambda: issue(engine, clock, priority="disabled"), events.ISSUED),
        (lambda: engine.call_next("1", actor=CLERK), events.CALLED),          # A002: priority first
        (lambda: engine.recall(2, actor=CLERK, counter_id="1"), events.RECALLED),
        (lambda: engine.start(2, actor=CLERK, counter_id="1"), events.STARTED),
        (lambda: engine.finish(2, actor=CLERK, counter_id="1"), events.FINISHED),
        (lambda: engine.call_next("1", actor=CLERK), events.CALLED),          # A001
        (lambda: engine.no_show(1, actor=CLERK, counter_id="1"), events.NO_SHOW),
        (lambda: engine.return_ticket(1, actor=CLERK), events.RETURNED),
        (lambda: engine.transfer(1, actor=CLERK, counter_id=None, service="KH"), events.TRANSFERRED),
        (lambda: engine.call_specific("2", 1, actor=CLERK, reason="ưu tiên hồ sơ"), events.CALLED),
        (lambda: engine.transfer(1, actor=CLERK, counter_id="2", to_counter="5"), events.TRANSFERRED),
        (lambda: issue(engine, clock), events.ISSUED),
        (lambda: engine.cancel(3, actor="kiosk:kiosk-1"), events.CANCELLED),
        (lambda: engine.set_paused("7", True, actor=CLERK), events.COUNTER_PAUSED),
        (lambda: engine.set_paused("7", False, actor=CLERK), events.COUNTER_RESUMED),
        (lambda: engine.claim_counter("7", "lan", actor="clerk:lan"), events.CLERK_SIGNED_IN),
        (lambda: engine.release_counter("7", "lan", actor="clerk:lan"), events.CLERK_SIGNED_OUT),
    ]
    for number, (step, kind) in enumerate(steps, start=1):
        step()
        log = all_events(engine.store)
        assert len(log) == number, kind
        assert (log[-1]["seq"], log[-1]["kind"]) == (number, kind)
        assert published[-1] == [number]
    assert [e["seq"] for e in all_events(engine.store)] == list(range(1, len(steps) + 1))
    assert len(published) == len(steps)


def test_event_rows_are_complete_and_in_utc(engine, clock):
    ticket = issue(engine, clock, "GCN", "elderly")
    [event] = all_events(engine.store)
    assert event == {"seq": 1, "at": "2026-11-23T02:00:00.000+00:00", "actor": "kiosk:kiosk-1",
                     "ticket_id": ticket["id"], "kind": "issued", "counter": None, "service": "GCN",
                     "details": {"number": "1001", "priority": "elderly", "kiosk": "kiosk-1",
                                 # nobody staffs a counter yet at 09:00 in this test: no minutes, no range
                                 "estimate": {"ahead": 0, "minutes": None, "low": None, "high": None}}}


def test_rollover_expiry_and_the_action_are_published_together(engine, clock, published):
    clock.set(local(23, 20))
    issue(engine, clock)
    issue(engine, clock)
    clock.set(local(24, 7, 30))
    issue(engine, clock)
    assert published == [[1], [2], [3, 4, 5]]
    assert [e["kind"] for e in all_events(engine.store)] == ["issued", "issued", "expired", "expired", "issued"]


def test_events_are_append_only(engine, clock):
    issue(engine, clock)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        engine.store.connection.execute("UPDATE events SET kind = 'finished' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        engine.store.connection.execute("DELETE FROM events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with engine.store.transaction() as tx:
            tx.connection.execute("UPDATE events SET details = '{}'")
    assert [e["kind"] for e in all_events(engine.store)] == ["issued"]


def test_unique_day_service_number_rejects_a_hand_made_duplicate(engine, clock, published):
    issue(engine, clock)
    before = database_state(engine.store)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        with engine.store.transaction() as tx:
            tx.append_event(at=clock.now(), actor="test", kind=events.ISSUED)
            tx.insert_ticket(**hand_ticket(token="another-token"))
    assert database_state(engine.store) == before
    assert published == [[1]]
    # The same number on another day, or from another service's sequence, is fine.
    with engine.store.transaction() as tx:
        tx.insert_ticket(**hand_ticket(token="t2", day="2026-11-24"))
        tx.insert_ticket(**hand_ticket(token="t3", issued_service="KH", number="B001"))


def test_a_rolled_back_transaction_publishes_nothing_and_leaves_no_rows(store, clock, published):
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.insert_ticket(**hand_ticket())
            tx.append_event(at=clock.now(), actor="test", kind=events.ISSUED, ticket_id=1)
            raise RuntimeError("power cut in the middle")
    assert published == []
    assert database_state(store) == {"tickets": [], "counters": [], "events": 0}
    with store.transaction() as tx:  # the next seq is still 1: nothing was used up
        assert tx.append_event(at=clock.now(), actor="test", kind=events.COUNTER_PAUSED)["seq"] == 1
    assert published == [[1]]


def test_a_refused_action_publishes_nothing(engine, clock, published):
    ticket = issue(engine, clock)
    with pytest.raises(Conflict):
        engine.finish(ticket["id"], actor=CLERK, counter_id="1")
    assert published == [[1]]


def test_listeners_run_after_commit(tmp_path, clock):
    store = Store(tmp_path / "q.db")
    other = sqlite3.connect(tmp_path / "q.db")
    seen = []
    store.subscribe(lambda batch: seen.append(other.execute("SELECT count(*) FROM events").fetchone()[0]))
    with store.transaction() as tx:
        tx.append_event(at=clock.now(), actor="test", kind=events.COUNTER_PAUSED)
    assert seen == [1]  # another connection already sees the committed row
    other.close()
    store.close()


# --- migrations ----------------------------------------------------------------------------------------

def old_database(path, migrations: int = 1) -> None:
    """A database made by an older program: only the first `migrations` migrations, with one ticket in it."""
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, MIGRATIONS[:migrations]) == migrations
    insert_row(connection, "tickets", hand_ticket())
    insert_row(connection, "events", {"at": "2026-11-23T01:00:00.000+00:00", "actor": "kiosk:kiosk-1",
                                      "ticket_id": 1, "kind": "issued", "details": '{"number": "A001"}'})
    connection.close()


def test_migrations_upgrade_an_existing_database_in_place(tmp_path, settings, clock):
    path = tmp_path / "centre.db"
    old_database(path)
    store = Store(path)
    try:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        row = store.connection.execute("SELECT number, status, token FROM tickets").fetchone()
        assert tuple(row) == ("A001", "waiting", "hand-made-token")
        engine = QueueEngine(settings, store, clock)
        assert issue(engine, clock)["number"] == "A002"        # numbering continues after the old ticket
        assert waiting_numbers(engine, "1") == ["A001", "A002"]
        assert engine.call_next("1", actor=CLERK)["number"] == "A001"  # counter_state came with migration 2
        assert [e["seq"] for e in all_events(store)] == [1, 2, 3]
    finally:
        store.close()


def test_opening_an_up_to_date_database_changes_nothing(tmp_path):
    path = tmp_path / "centre.db"
    old_database(path, migrations=len(MIGRATIONS))
    for _ in range(2):
        store = Store(path)
        assert current_version(store.connection) == len(MIGRATIONS)
        assert store.connection.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
        store.close()


def test_a_database_newer_than_the_program_is_refused(tmp_path):
    path = tmp_path / "centre.db"
    old_database(path, migrations=len(MIGRATIONS))
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this program"):
        Store(path)
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
        assert connection.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    path = tmp_path / "centre.db"
    old_database(path)
    connection = sqlite3.connect(path, isolation_level=None)
    broken = MIGRATIONS[:2] + [("broken", "CREATE TABLE counter_state (x);")]  # migration 2 already made it
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        migrate(connection, broken)
    assert current_version(connection) == 1
    assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'counter_state'").fetchone() is None
    connection.close()
