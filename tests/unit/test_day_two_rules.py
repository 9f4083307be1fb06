"""Issue 8's queue rules: a returning priority no-show, idempotent issuing, claims that expire, rollover."""

import dataclasses
import tomllib
from datetime import timedelta

import pytest

from core import events
from core.config_reader import ConfigError
from core.settings import parse_settings
from core.engine import QueueEngine
from core.errors import Conflict
from core.ordering import choose_next
from tests.conftest import CONFIG, with_policy
from tests.unit.queue_helpers import CLERK, KIOSK, all_events, issue, local, serve, ticket_row

ELDERLY = "elderly"


# --- a returning priority no-show ---------------------------------------------------------------

def test_choose_next_holds_a_returned_priority_ticket_behind_older_normal_ones():
    candidates = [{"id": 1, "priority": None}, {"id": 2, "priority": ELDERLY, "returned_at": "x"},
                  {"id": 3, "priority": ELDERLY}]
    assert choose_next(candidates[:2], streak=0, streak_limit=2, priority_counter=False).ticket["id"] == 1
    assert choose_next(candidates[:2], streak=0, streak_limit=2, priority_counter=True).ticket["id"] == 1
    # A later priority ticket that came on time still goes first; the returned one does not block it.
    assert choose_next(candidates, streak=0, streak_limit=2, priority_counter=False).ticket["id"] == 3


def test_returned_priority_no_show_overtakes_nobody_who_waited_meanwhile(engine, clock):
    elderly = issue(engine, clock, "KS", ELDERLY)  # A001
    called = engine.call_next("1", actor=CLERK)
    assert called["number"] == "A001"
    engine.no_show(elderly["id"], actor=CLERK, counter_id="1")
    for _ in range(2):
        issue(engine, clock)  # A002, A003 wait meanwhile
    engine.return_ticket(elderly["id"], actor=CLERK)
    clock.advance(minutes=1)
    issue(engine, clock)  # A004 arrives after the return: the elderly citizen goes before it
    assert [serve(engine, "1") for _ in range(4)] == ["A002", "A003", "A001", "A004"]
    assert ticket_row(engine.store, elderly["id"])["returned_at"] is not None


def test_the_bug_before_the_rule_a_returned_priority_ticket_jumped_everyone(engine, clock):
    """The same as above at the priority counter: it used to call A001 first (it is priority)."""
    elderly = issue(engine, clock, "KS", ELDERLY)
    engine.call_next("10", actor=CLERK)
    engine.no_show(elderly["id"], actor=CLERK, counter_id="10")
    issue(engine, clock)
    engine.return_ticket(elderly["id"], actor=CLERK)
    assert serve(engine, "10") == "A002"
    assert serve(engine, "10") == "A001"


# --- idempotent issuing -------------------------------------------------------------------------

def test_same_key_same_request_gets_the_same_ticket_once(engine, clock):
    first, created = engine.issue_ticket_once("KS", None, actor=KIOSK, kiosk="kiosk-1", idempotency_key="k1")
    again, created_again = engine.issue_ticket_once("KS", None, actor=KIOSK, kiosk="kiosk-1",
                                                    idempotency_key="k1")
    assert (created, created_again) == (True, False)
    assert (again["id"], again["number"]) == (first["id"], first["number"])
    assert len(all_events(engine.store, events.ISSUED)) == 1
    # Another kiosk's key of the same name is its own.
    other, created = engine.issue_ticket_once("KS", None, actor="kiosk:kiosk-2", idempotency_key="k1")
    assert created and other["id"] != first["id"]


def test_same_key_other_request_is_refused_and_changes_nothing(engine, clock):
    engine.issue_ticket_once("KS", None, actor=KIOSK, idempotency_key="k1")
    with pytest.raises(Conflict) as refused:
        engine.issue_ticket_once("KH", None, actor=KIOSK, idempotency_key="k1")
    assert refused.value.code == "idempotency_key_reused"
    assert len(all_events(engine.store, events.ISSUED)) == 1


def test_keys_are_good_for_their_day_only(engine, clock):
    first, _ = engine.issue_ticket_once("KS", None, actor=KIOSK, idempotency_key="k1")
    clock.set(local(24, 9))
    next_day, created = engine.issue_ticket_once("KS", None, actor=KIOSK, idempotency_key="k1")
    assert created and next_day["id"] != first["id"] and next_day["number"] == "A001"
    with engine.store.read() as tx:
        days = [row[0] for row in tx.connection.execute("SELECT day FROM idempotency_keys")]
    assert days == ["2026-11-24"]  # yesterday's went at the rollover


# --- counter claims ---------------------------------------------------------------------------

def signed_out(engine) -> list[dict]:
    """Every clerk_signed_out event, oldest first."""
    return all_events(engine.store, events.CLERK_SIGNED_OUT)


def test_a_claim_left_overnight_is_freed_at_the_rollover(engine, clock):
    engine.claim_counter("1", "lan", actor="clerk:lan")
    clock.set(local(24, 0, 0) + timedelta(seconds=1))
    assert engine.clerk_at("1") is None  # over already, before anything is written
    assert engine.housekeeping()["freed"] == 1
    assert signed_out(engine)[-1]["details"]["reason"] == "day_over"
    engine.claim_counter("1", "minh", actor="clerk:minh")  # the next morning's clerk is not refused


def test_an_idle_claim_is_freed_and_actions_keep_it_alive(settings, store, clock):
    engine = QueueEngine(with_policy(settings, counter_idle_minutes=30), store, clock)
    engine.claim_counter("1", "lan", actor="clerk:lan")
    clock.advance(minutes=25)
    engine.call_next("1", actor="clerk:lan")  # nobody waits, but the clerk is there
    clock.advance(minutes=25)
    assert engine.clerk_at("1") == "lan" and engine.housekeeping()["freed"] == 0
    clock.advance(minutes=6)
    assert engine.clerk_at("1") is None
    # Without the timer, a second clerk is still not kept out by the idle claim.
    engine.claim_counter("1", "minh", actor="clerk:minh")
    assert [e["details"].get("reason") for e in signed_out(engine)] == ["idle"]
    assert engine.clerk_at("1") == "minh"


def test_idle_zero_keeps_a_claim_all_day(settings, store, clock):
    engine = QueueEngine(with_policy(settings, counter_idle_minutes=0), store, clock)
    engine.claim_counter("1", "lan", actor="clerk:lan")
    clock.advance(hours=10)
    assert engine.clerk_at("1") == "lan"


def test_admin_frees_a_counter(engine, clock):
    engine.claim_counter("2", "lan", actor="clerk:lan")
    assert engine.free_counter("2", actor="admin:command-line") == "lan"
    assert engine.free_counter("2", actor="admin:command-line") is None
    last = signed_out(engine)[-1]
    assert (last["actor"], last["details"]["reason"], last["counter"]) == ("admin:command-line",
                                                                           "freed_by_admin", "2")
    with engine.store.read() as tx:
        assert tx.counter_state("2")["clerk"] is None


# --- the rollover on its own, and config changes ----------------------------------------------

def test_housekeeping_rolls_the_day_over_without_any_write(engine, clock):
    ticket = issue(engine, clock)
    engine.call_next("1", actor=CLERK)
    clock.set(local(24, 0, 0) + timedelta(seconds=1))
    assert engine.housekeeping()["expired"] == 1
    assert ticket_row(engine.store, ticket["id"])["status"] == "expired"
    snapshot = engine.snapshot()
    assert snapshot["recent_calls"] == []  # yesterday's calls are not today's
    assert all(counter["current"] is None for counter in snapshot["counters"])
    assert engine.housekeeping() == {"expired": 0, "freed": 0}


def test_a_service_removed_from_the_config_keeps_its_open_tickets_workable(settings, store, clock):
    engine = QueueEngine(settings, store, clock)
    waiting = issue(engine, clock, "KT")
    called = issue(engine, clock, "KT")
    engine.call_specific("1", called["id"], actor=CLERK)
    services = {code: s for code, s in settings.services.items() if code != "KT"}
    counters = {cid: type(c)(c.id, c.name, tuple(x for x in c.services if x != "KT"), c.priority)
                for cid, c in settings.counters.items()}
    renamed = QueueEngine(dataclasses.replace(settings, services=services, counters=counters), store, clock)
    snapshot = renamed.snapshot()
    assert snapshot["waiting"]["KT"] == 1
    current = next(c for c in snapshot["counters"] if c["id"] == "1")["current"]
    assert (current["service"], current["service_name"]) == ("KT", "KT")
    renamed.recall(called["id"], actor=CLERK, counter_id="1")
    renamed.start(called["id"], actor=CLERK, counter_id="1")
    renamed.finish(called["id"], actor=CLERK, counter_id="1")
    moved = renamed.transfer(waiting["id"], actor="admin:boss", counter_id=None, service="KS")
    assert moved["service"] == "KS"
    renamed.counter_day("1")


@pytest.mark.parametrize("value", [-1, 24 * 60 + 1, "30", True])
def test_counter_idle_minutes_is_validated(value):
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    data["policy"]["counter_idle_minutes"] = value
    with pytest.raises(ConfigError, match=r"^policy\.counter_idle_minutes: expected an integer between 0 and 1440"):
        parse_settings(data)
    del data["policy"]["counter_idle_minutes"]
    assert parse_settings(data).policy.counter_idle_minutes == 180
