"""A ticket's life (core/lifecycle.py), and the engine refusing every other move without changing anything."""

import itertools

import pytest

from core import events, lifecycle
from core.errors import Conflict, NotAllowed, NotFound
from core.lifecycle import (ALLOWED, CALLED, CANCELLED, DONE, EXPIRED, NO_SHOW, SERVING, TRANSFERRED, WAITING,
                            check_transition)
from tests.unit.queue_helpers import CLERK, all_events, database_state, issue, local, ticket_row

STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, TRANSFERRED, CANCELLED, EXPIRED)


# --- the table itself ----------------------------------------------------------------------------

def test_every_status_has_a_row_and_a_vietnamese_name():
    assert set(ALLOWED) == set(STATUSES) == set(lifecycle.STATUS_NAMES_VI)
    assert all(targets <= set(STATUSES) for targets in ALLOWED.values())


def test_the_documented_life():
    """README "The queue's rules", edge by edge."""
    assert ALLOWED[WAITING] == {CALLED, TRANSFERRED, CANCELLED, EXPIRED}
    assert ALLOWED[CALLED] == {CALLED, SERVING, NO_SHOW, TRANSFERRED, EXPIRED}
    assert ALLOWED[SERVING] == {DONE, TRANSFERRED, EXPIRED}
    assert ALLOWED[NO_SHOW] == {WAITING, EXPIRED}
    assert ALLOWED[TRANSFERRED] == {CALLED, TRANSFERRED, CANCELLED, EXPIRED}
    assert ALLOWED[DONE] == ALLOWED[CANCELLED] == ALLOWED[EXPIRED] == set()


def test_every_open_status_can_expire_and_closed_ones_are_final():
    for status in lifecycle.OPEN:
        assert EXPIRED in ALLOWED[status]
    assert set(STATUSES) - set(lifecycle.OPEN) == {DONE, CANCELLED, EXPIRED}


@pytest.mark.parametrize("current, target", list(itertools.product(STATUSES, STATUSES)))
def test_check_transition_allows_exactly_the_table(current, target):
    if target in ALLOWED[current]:
        check_transition(current, target)
        return
    with pytest.raises(Conflict) as caught:
        check_transition(current, target)
    error = caught.value
    assert error.code == "illegal_transition" and error.status == 409
    assert error.details == {"status": current, "target": target}
    assert f"“{lifecycle.STATUS_NAMES_VI[current]}”" in error.message


def test_illegal_transition_message_is_vietnamese():
    with pytest.raises(Conflict) as caught:
        check_transition(WAITING, DONE)
    assert caught.value.message == "Không thể hoàn thành khi số đang ở trạng thái “đang chờ”."


def test_unknown_status_is_refused():
    with pytest.raises(Conflict, match="Không thể"):
        check_transition("lost", WAITING)


# --- through the engine --------------------------------------------------------------------------
# A ticket is brought to each status (at counter 1 when called or serving); then every action is tried.

def bring_to(engine, clock, status: str) -> int:
    """Issue a KS ticket and drive it to `status`; returns its id. Called/serving tickets sit at counter 1."""
    if status == EXPIRED:
        clock.set(local(22, 9))  # Sunday: issued yesterday, still waiting when Monday begins
        ticket = issue(engine, clock, gap_minutes=0)
        clock.set(local(23, 9))
        assert engine.expire_past_days() == 1
        return ticket["id"]
    ticket_id = issue(engine, clock, gap_minutes=0)["id"]
    if status in (CALLED, SERVING, DONE, NO_SHOW):
        engine.call_next("1", actor=CLERK)
    if status in (SERVING, DONE):
        engine.start(ticket_id, actor=CLERK, counter_id="1")
    if status == DONE:
        engine.finish(ticket_id, actor=CLERK, counter_id="1")
    if status == NO_SHOW:
        engine.no_show(ticket_id, actor=CLERK, counter_id="1")
    if status == TRANSFERRED:
        engine.transfer(ticket_id, actor=CLERK, counter_id=None, service="KH")
    if status == CANCELLED:
        engine.cancel(ticket_id, actor="kiosk:kiosk-1")
    assert ticket_row(engine.store, ticket_id)["status"] == status
    return ticket_id


# action name → (how to do it, status it leads to, event kind, statuses it is legal from)
ACTIONS = {
    "call_specific": (lambda e, t: e.call_specific("2", t, actor=CLERK, reason="gọi theo yêu cầu"),
                      CALLED, events.CALLED, {WAITING, TRANSFERRED}),
    "recall": (lambda e, t: e.recall(t, actor=CLERK, counter_id="1"), CALLED, events.RECALLED, {CALLED}),
    "start": (lambda e, t: e.start(t, actor=CLERK, counter_id="1"), SERVING, events.STARTED, {CALLED}),
    "finish": (lambda e, t: e.finish(t, actor=CLERK, counter_id="1"), DONE, events.FINISHED, {SERVING}),
    "no_show": (lambda e, t: e.no_show(t, actor=CLERK, counter_id="1"), NO_SHOW, events.NO_SHOW, {CALLED}),
    "transfer": (lambda e, t: e.transfer(t, actor=CLERK, counter_id="1", service="KH"),
                 TRANSFERRED, events.TRANSFERRED, {WAITING, TRANSFERRED, CALLED, SERVING}),
    "cancel": (lambda e, t: e.cancel(t, actor="kiosk:kiosk-1"), CANCELLED, events.CANCELLED,
               {WAITING, TRANSFERRED}),
    "return": (lambda e, t: e.return_ticket(t, actor=CLERK), WAITING, events.RETURNED, {NO_SHOW}),
}


def test_engine_legality_follows_the_table():
    """Each action is legal only where lifecycle.ALLOWED permits its target (and sometimes narrower)."""
    for name, (_, target, _, legal_from) in ACTIONS.items():
        assert legal_from <= {s for s in STATUSES if target in ALLOWED[s]}, name


@pytest.mark.parametrize("status, action", list(itertools.product(STATUSES, ACTIONS)))
def test_engine_action_in_every_status(engine, clock, status, action):
    do, target, kind, legal_from = ACTIONS[action]
    ticket_id = bring_to(engine, clock, status)
    before = database_state(engine.store)
    if status in legal_from:
        view = do(engine, ticket_id)
        assert view["status"] == target
        after = database_state(engine.store)
        assert after["events"] == before["events"] + 1
        assert all_events(engine.store)[-1]["kind"] == kind
        return
    with pytest.raises(Conflict) as caught:
        do(engine, ticket_id)
    assert caught.value.code == "illegal_transition", caught.value.message
    assert database_state(engine.store) == before


@pytest.mark.parametrize("status, action, code", [
    (WAITING, "finish", "illegal_transition"),
    (DONE, "start", "illegal_transition"),
    (SERVING, "recall", "illegal_transition"),
    (CALLED, "cancel", "illegal_transition"),
    (WAITING, "return", "illegal_transition"),
    (SERVING, "no_show", "illegal_transition"),
    (EXPIRED, "call_specific", "illegal_transition"),
    (CANCELLED, "transfer", "illegal_transition"),
])
def test_named_illegal_actions_leave_the_ticket_row_and_log_alone(engine, clock, status, action, code):
    ticket_id = bring_to(engine, clock, status)
    row, event_count = ticket_row(engine.store, ticket_id), len(all_events(engine.store))
    with pytest.raises(Conflict) as caught:
        ACTIONS[action][0](engine, ticket_id)
    assert caught.value.code == code
    assert caught.value.message.startswith("Không thể")
    assert ticket_row(engine.store, ticket_id) == row
    assert len(all_events(engine.store)) == event_count


def test_recall_of_a_waiting_ticket_is_an_illegal_transition(engine, clock):
    """A waiting ticket has never been announced, so there is nothing to announce again."""
    ticket_id = bring_to(engine, clock, WAITING)
    before = database_state(engine.store)
    for counter in ("1", None):
        with pytest.raises(Conflict) as caught:
            engine.recall(ticket_id, actor=CLERK, counter_id=counter)
        assert caught.value.code == "illegal_transition"
    assert database_state(engine.store) == before


def test_call_specific_cannot_take_a_ticket_called_at_another_counter(engine, clock):
    ticket_id = bring_to(engine, clock, CALLED)  # called at counter 1
    before = database_state(engine.store)
    with pytest.raises(Conflict) as caught:
        engine.call_specific("2", ticket_id, actor=CLERK)
    assert caught.value.code == "illegal_transition"
    assert database_state(engine.store) == before
    assert ticket_row(engine.store, ticket_id)["counter"] == "1"


@pytest.mark.parametrize("action", ["recall", "start", "no_show", "transfer"])
def test_a_called_ticket_belongs_to_its_counter(engine, clock, action):
    ticket_id = bring_to(engine, clock, CALLED)
    before = database_state(engine.store)
    act = {"recall": lambda: engine.recall(ticket_id, actor=CLERK, counter_id="2"),
           "start": lambda: engine.start(ticket_id, actor=CLERK, counter_id="2"),
           "no_show": lambda: engine.no_show(ticket_id, actor=CLERK, counter_id="2"),
           "transfer": lambda: engine.transfer(ticket_id, actor=CLERK, counter_id="2", service="KH")}[action]
    with pytest.raises(NotAllowed) as caught:
        act()
    assert caught.value.code == "not_your_ticket"
    assert "quầy khác" in caught.value.message
    assert database_state(engine.store) == before


def test_unknown_ticket_and_counter_are_not_found(engine, clock):
    bring_to(engine, clock, WAITING)
    before = database_state(engine.store)
    for act in (lambda: engine.start(999, actor=CLERK, counter_id="1"),
                lambda: engine.cancel("1", actor=CLERK),  # ids are integers: a string is no ticket
                lambda: engine.call_next("99", actor=CLERK)):
        with pytest.raises(NotFound):
            act()
    assert database_state(engine.store) == before
