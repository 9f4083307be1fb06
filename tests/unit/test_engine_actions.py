"""Counter actions (core/engine.py): recall limit, busy and paused counters, no-show return, one clerk per counter."""

import dataclasses

import pytest

from core import events
from core.engine import QueueEngine
from core.errors import Conflict, InvalidRequest
from tests.conftest import with_policy
from tests.unit.queue_helpers import (CLERK, all_events, database_state, issue, local, serve, ticket_row,
                                      waiting_numbers)


def called_ticket(engine, clock, counter: str = "1") -> dict:
    """Issue a KS ticket and call it at `counter`; returns the called ticket's view."""
    issue(engine, clock)
    return engine.call_next(counter, actor=CLERK)


def refused(engine, code: str, action) -> Conflict:
    """Run `action`, expect Conflict `code`, check the database did not change; returns the error."""
    before = database_state(engine.store)
    with pytest.raises(Conflict) as caught:
        action()
    assert caught.value.code == code, caught.value.message
    assert database_state(engine.store) == before
    return caught.value


# --- issuing ---------------------------------------------------------------------------------

def test_issue_refuses_unknown_service_and_priority_group(engine):
    for service, priority, code in (("KHAI-SINH", None, "unknown_service"), (None, None, "unknown_service"),
                                    ("KS", "vip", "unknown_priority")):
        with pytest.raises(InvalidRequest) as caught:
            engine.issue_ticket(service, priority, actor="kiosk:kiosk-1")
        assert caught.value.code == code
    assert database_state(engine.store)["events"] == 0


@pytest.mark.parametrize("moment, is_open", [
    (local(23, 9, 0), True),      # Monday morning
    (local(23, 12, 0), False),    # lunch break
    (local(23, 17, 0), False),    # the afternoon session ends at 17:00
    (local(28, 8, 0), True),      # Saturday morning
    (local(29, 9, 0), False),     # Sunday
])
def test_enforced_opening_hours(settings, store, clock, moment, is_open):
    enforced = dataclasses.replace(settings, hours=dataclasses.replace(settings.hours, enforce=True))
    engine = QueueEngine(enforced, store, clock)
    clock.set(moment)
    if is_open:
        assert engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")["number"] == "A001"
        return
    error = refused(engine, "closed", lambda: engine.issue_ticket("KS", None, actor="kiosk:kiosk-1"))
    assert error.message.startswith("Ngoài giờ làm việc")


def test_demo_centre_issues_at_any_hour(engine, clock):
    clock.set(local(29, 22, 0))  # Sunday night: the demo does not enforce hours
    assert engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")["status"] == "waiting"


# --- recall -----------------------------------------------------------------------------------

def test_recall_up_to_max_recalls_then_recall_limit(engine, clock, settings):
    ticket = called_ticket(engine, clock)
    for expected in range(1, settings.policy.max_recalls + 1):
        assert engine.recall(ticket["id"], actor=CLERK, counter_id="1")["recalls"] == expected
    recalled = all_events(engine.store, events.RECALLED)
    assert [e["details"]["recalls"] for e in recalled] == [1, 2, 3]
    assert {(e["counter"], e["details"]["counter_name"], e["details"]["number"]) for e in recalled} == \
        {("1", "Quầy số 1", "A001")}
    error = refused(engine, "recall_limit", lambda: engine.recall(ticket["id"], actor=CLERK, counter_id="1"))
    assert error.message == "Đã gọi lại số A001 đủ 3 lần. Hãy đánh dấu vắng mặt."
    assert engine.no_show(ticket["id"], actor=CLERK, counter_id="1")["status"] == "no_show"


def test_max_recalls_zero_forbids_recalling(settings, store, clock):
    engine = QueueEngine(with_policy(settings, max_recalls=0), store, clock)
    ticket = called_ticket(engine, clock)
    refused(engine, "recall_limit", lambda: engine.recall(ticket["id"], actor=CLERK, counter_id="1"))


def test_a_new_call_starts_the_recall_count_again(engine, clock):
    ticket = called_ticket(engine, clock)
    engine.recall(ticket["id"], actor=CLERK, counter_id="1")
    engine.transfer(ticket["id"], actor=CLERK, counter_id="1", service="KH")
    assert engine.call_next("2", actor=CLERK)["recalls"] == 0


# --- one ticket at a time per counter -----------------------------------------------------------

def test_counter_busy_while_its_ticket_is_called_or_serving(engine, clock):
    ticket = called_ticket(engine, clock)
    other = issue(engine, clock)
    error = refused(engine, "counter_busy", lambda: engine.call_next("1", actor=CLERK))
    assert "Quầy số 1 chưa xử lý xong số A001" in error.message
    refused(engine, "counter_busy", lambda: engine.call_specific("1", other["id"], actor=CLERK))
    engine.start(ticket["id"], actor=CLERK, counter_id="1")
    refused(engine, "counter_busy", lambda: engine.call_next("1", actor=CLERK))
    engine.finish(ticket["id"], actor=CLERK, counter_id="1")
    assert engine.call_next("1", actor=CLERK)["id"] == other["id"]


def test_no_show_frees_the_counter(engine, clock):
    ticket = called_ticket(engine, clock)
    issue(engine, clock)
    engine.no_show(ticket["id"], actor=CLERK, counter_id="1")
    assert engine.call_next("1", actor=CLERK)["number"] == "A002"


def test_another_counter_is_not_blocked(engine, clock):
    called_ticket(engine, clock, "1")
    issue(engine, clock)
    assert engine.call_next("2", actor=CLERK)["number"] == "A002"


# --- pause ----------------------------------------------------------------------------------

def test_paused_counter_cannot_call(engine, clock):
    issue(engine, clock)
    view = engine.set_paused("1", True, actor=CLERK)
    assert view["paused"] is True and view["name"] == "Quầy số 1"
    error = refused(engine, "counter_paused", lambda: engine.call_next("1", actor=CLERK))
    assert error.message.startswith("Quầy số 1 đang tạm nghỉ")
    refused(engine, "counter_paused", lambda: engine.call_specific("1", 1, actor=CLERK))
    assert engine.call_next("2", actor=CLERK)["number"] == "A001"  # the others carry on


def test_pause_and_resume_are_logged_and_not_repeated(engine):
    refused(engine, "not_paused", lambda: engine.set_paused("3", False, actor=CLERK))
    engine.set_paused("3", True, actor=CLERK)
    refused(engine, "already_paused", lambda: engine.set_paused("3", True, actor=CLERK))
    assert engine.set_paused("3", False, actor=CLERK)["paused"] is False
    assert [(e["kind"], e["counter"], e["ticket_id"]) for e in all_events(engine.store)] == [
        (events.COUNTER_PAUSED, "3", None), (events.COUNTER_RESUMED, "3", None)]


# --- no-show and return -----------------------------------------------------------------------

def test_no_show_returns_within_the_window_to_the_back_of_the_queue(engine, clock):
    ticket = called_ticket(engine, clock)
    for _ in range(2):
        issue(engine, clock)
    clock.set(local(23, 9, 5))
    engine.no_show(ticket["id"], actor=CLERK, counter_id="1")
    clock.set(local(23, 9, 35))  # exactly 30 minutes: still inside the window
    back = engine.return_ticket(ticket["id"], actor="clerk:minh")
    assert (back["status"], back["recalls"], back["finished_at"]) == ("waiting", 0, None)
    assert waiting_numbers(engine, "1") == ["A002", "A003", "A001"]
    assert all_events(engine.store)[-1]["kind"] == events.RETURNED
    assert [serve(engine, "1") for _ in range(3)] == ["A002", "A003", "A001"]


def test_return_after_the_window_is_refused(engine, clock):
    ticket = called_ticket(engine, clock)
    engine.no_show(ticket["id"], actor=CLERK, counter_id="1")
    clock.advance(minutes=30, seconds=1)
    error = refused(engine, "return_window_passed", lambda: engine.return_ticket(ticket["id"], actor=CLERK))
    assert error.message == "Số A001 đã vắng mặt quá 30 phút. Xin vui lòng lấy số mới."
    assert ticket_row(engine.store, ticket["id"])["status"] == "no_show"


def test_return_window_follows_policy(settings, store, clock):
    engine = QueueEngine(with_policy(settings, no_show_return_minutes=5), store, clock)
    ticket = called_ticket(engine, clock)
    engine.no_show(ticket["id"], actor=CLERK, counter_id="1")
    clock.advance(minutes=6)
    refused(engine, "return_window_passed", lambda: engine.return_ticket(ticket["id"], actor=CLERK))


# --- one clerk per counter ----------------------------------------------------------------------

def test_one_clerk_per_counter(engine):
    assert engine.claim_counter("1", "lan", actor="clerk:lan")["clerk"] == "lan"
    error = refused(engine, "counter_taken", lambda: engine.claim_counter("1", "minh", actor="clerk:minh"))
    assert error.message == "Quầy số 1 đang có cán bộ lan làm việc."
    assert engine.claim_counter("1", "lan", actor="clerk:lan")["clerk"] == "lan"  # signing in again is fine


def test_a_clerk_moving_counters_frees_the_first(engine):
    engine.claim_counter("1", "lan", actor="clerk:lan")
    engine.claim_counter("2", "lan", actor="clerk:lan")
    assert engine.claim_counter("1", "minh", actor="clerk:minh")["clerk"] == "minh"
    with engine.store.read() as tx:
        assert {c: s["clerk"] for c, s in tx.all_counter_states().items()} == {"1": "minh", "2": "lan"}


def test_release_counter_only_by_its_clerk(engine):
    engine.claim_counter("4", "lan", actor="clerk:lan")
    engine.release_counter("4", "minh", actor="clerk:minh")  # not hers: nothing happens
    refused(engine, "counter_taken", lambda: engine.claim_counter("4", "minh", actor="clerk:minh"))
    engine.release_counter("4", "lan", actor="clerk:lan")
    assert engine.claim_counter("4", "minh", actor="clerk:minh")["clerk"] == "minh"
    kinds = [e["kind"] for e in all_events(engine.store)]
    assert kinds == [events.CLERK_SIGNED_IN, events.CLERK_SIGNED_OUT, events.CLERK_SIGNED_IN]


# --- transfer requests ------------------------------------------------------------------------

@pytest.mark.parametrize("target, code", [
    ({}, "transfer_target"),
    ({"service": "KH", "to_counter": "2"}, "transfer_target"),
    ({"service": "KHAI-TU"}, "unknown_service"),
])
def test_transfer_needs_exactly_one_known_target(engine, clock, target, code):
    ticket = issue(engine, clock)
    before = database_state(engine.store)
    with pytest.raises(InvalidRequest) as caught:
        engine.transfer(ticket["id"], actor=CLERK, counter_id=None, **target)
    assert caught.value.code == code
    assert database_state(engine.store) == before


def test_history_lists_every_event_of_a_ticket_in_order(engine, clock):
    ticket = called_ticket(engine, clock)
    engine.recall(ticket["id"], actor=CLERK, counter_id="1")
    engine.start(ticket["id"], actor=CLERK, counter_id="1")
    engine.finish(ticket["id"], actor=CLERK, counter_id="1")
    view = engine.get_ticket(ticket["id"])
    assert view["status_name"] == "đã xong" and view["counter_name"] == "Quầy số 1"
    assert [h["kind"] for h in view["history"]] == ["issued", "called", "recalled", "started", "finished"]
    assert engine.ticket_for_token(ticket["status_url"].rsplit("/", 1)[1])["number"] == "A001"
