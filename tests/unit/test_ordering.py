"""Who is called next (core/ordering.py and the engine): FIFO, priority streak, priority counter, transfers."""

from datetime import datetime, timezone

import pytest

from core import events
from core.engine import QueueEngine
from core.errors import NotAllowed
from core.ordering import choose_next
from tests.conftest import with_policy
from tests.unit.queue_helpers import CLERK, all_events, call_order, issue, local, ticket_row, waiting_numbers

ELDERLY = "elderly"


def tickets(spec: str) -> list[dict]:
    """FIFO candidates from a spec like "NPN": N is a normal ticket, P a priority one; ids count from 1."""
    return [{"id": i, "priority": ELDERLY if kind == "P" else None} for i, kind in enumerate(spec, start=1)]


def issue_many(engine, clock, spec: str, service: str = "KS") -> list[str]:
    """Issue one ticket per letter of `spec` (N normal, P elderly) in that order; returns their numbers."""
    return [issue(engine, clock, service, ELDERLY if kind == "P" else None)["number"] for kind in spec]


# --- the pure rule -------------------------------------------------------------------------------

def test_choose_next_with_nobody_waiting():
    assert choose_next([], streak=0, streak_limit=2, priority_counter=False) is None


def test_choose_next_is_fifo_among_equals():
    choice = choose_next(tickets("NNN"), streak=0, streak_limit=2, priority_counter=False)
    assert (choice.ticket["id"], choice.priority_streak) == (1, 0)


@pytest.mark.parametrize("streak, picked, new_streak", [(0, 3, 1), (1, 3, 2), (2, 1, 0)])
def test_choose_next_priority_until_the_streak_limit(streak, picked, new_streak):
    choice = choose_next(tickets("NNPP"), streak=streak, streak_limit=2, priority_counter=False)
    assert (choice.ticket["id"], choice.priority_streak) == (picked, new_streak)


def test_choose_next_streak_only_counts_while_a_normal_ticket_waits():
    choice = choose_next(tickets("PPP"), streak=2, streak_limit=2, priority_counter=False)
    assert (choice.ticket["id"], choice.priority_streak) == (1, 0)


def test_choose_next_at_a_priority_counter_ignores_the_streak():
    choice = choose_next(tickets("NP"), streak=50, streak_limit=2, priority_counter=True)
    assert (choice.ticket["id"], choice.priority_streak) == (2, 0)
    assert choose_next(tickets("NN"), streak=0, streak_limit=2, priority_counter=True).ticket["id"] == 1


# --- FIFO within what a counter serves ------------------------------------------------------------

def test_counter_calls_oldest_first_among_its_services(engine, clock):
    for code in ("KS", "GCN", "KH", "KS", "TL-DN", "XNHN"):
        issue(engine, clock, code)
    assert waiting_numbers(engine, "1") == ["A001", "B001", "A002", "D001"]
    assert call_order(engine, "1", 10) == ["A001", "B001", "A002", "D001"]
    assert call_order(engine, "3", 10) == ["1001"]
    assert call_order(engine, "5", 10) == ["E001"]


def test_a_counter_never_gets_a_service_it_does_not_serve(engine, clock):
    others = [issue(engine, clock, code) for code in ("KS", "GCN", "CT-BS", "TL-DN")]
    assert engine.call_next("9", actor=CLERK) is None  # quầy 9: GPLX, DKX only
    with pytest.raises(NotAllowed) as caught:
        engine.call_specific("9", others[0]["id"], actor=CLERK)
    assert caught.value.code == "not_served_here"
    assert caught.value.message == "Quầy số 9 không phục vụ số A001."
    issue(engine, clock, "GPLX")
    assert engine.call_next("9", actor=CLERK)["number"] == "R001"


def test_fifo_is_by_instant_whatever_offset_the_clock_reports(engine, clock):
    """Arrival order compares instants: 09:00+07:00 is before 02:30 UTC (09:30 in Hà Nội)."""
    first = issue(engine, clock, gap_minutes=0)
    clock.set(datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc))
    second = issue(engine, clock, gap_minutes=0)
    assert waiting_numbers(engine, "1") == [first["number"], second["number"]]
    assert ticket_row(engine.store, first["id"])["arrived_at"] == "2026-11-23T02:00:00.000+00:00"


# --- priority, without starving everyone else -----------------------------------------------------

def test_priority_streak_two_gives_p_p_n(engine, clock):
    normal = issue_many(engine, clock, "NNN")
    priority = issue_many(engine, clock, "PPPPP")
    order = call_order(engine, "1", 8)
    kinds = "".join("P" if number in priority else "N" for number in order)
    assert kinds == "PPNPPNPN"
    assert order == [priority[0], priority[1], normal[0], priority[2], priority[3], normal[1], priority[4],
                     normal[2]]


def test_priority_streak_one_alternates(settings, store, clock):
    engine = QueueEngine(with_policy(settings, priority_streak=1), store, clock)
    normal = issue_many(engine, clock, "NNN")
    issue_many(engine, clock, "PPP")
    kinds = "".join("N" if number in normal else "P" for number in call_order(engine, "1", 6))
    assert kinds == "PNPNPN"


def test_streak_is_not_used_up_while_no_normal_ticket_waits(engine, clock):
    priority = issue_many(engine, clock, "PPPPP")
    assert call_order(engine, "1", 2) == priority[:2]  # nobody normal waited: the streak stays at 0
    normal = issue_many(engine, clock, "N")
    assert call_order(engine, "1", 4) == [priority[2], priority[3], normal[0], priority[4]]


def test_priority_streak_is_kept_per_waiting_citizen_across_counters(engine, clock):
    # README "Fairness": the bound is what the citizen first in line sees, whichever counter calls.
    normal = issue_many(engine, clock, "NN")
    priority = issue_many(engine, clock, "PPPP")
    assert call_order(engine, "1", 2) == priority[:2]
    assert call_order(engine, "2", 1) == [normal[0]]  # two priority calls already went ahead of it at quầy 1
    assert call_order(engine, "2", 1) == [priority[2]]  # the next normal ticket starts its own count


def test_priority_counter_always_serves_priority_first(engine, clock, settings):
    assert settings.counters["10"].priority
    normal = issue_many(engine, clock, "NN")
    priority = issue_many(engine, clock, "PPP") + issue_many(engine, clock, "P", service="GCN")
    assert call_order(engine, "10", 6) == priority + normal  # normal tickets only once no priority waits


def test_a_clerks_out_of_order_pick_does_not_count_towards_the_streak(engine, clock):
    normal = issue_many(engine, clock, "NN")
    priority = issue_many(engine, clock, "PPP")
    engine.call_specific("1", engine.waiting_list("1")[4]["id"], actor=CLERK, reason="khách đã chờ lâu")
    engine.start(5, actor=CLERK, counter_id="1")
    engine.finish(5, actor=CLERK, counter_id="1")
    assert call_order(engine, "1", 3) == [priority[0], priority[1], normal[0]]


# --- transfers --------------------------------------------------------------------------------

def transfer_after_land_service(engine, clock) -> tuple[str, str, str]:
    """A001 (KS) at 09:00, 1001 (GCN) at 09:01, A002 (KS) at 09:02; 1001 is called at counter 3 at 09:10,
    started, then sent to KS. Returns the three numbers in issue order."""
    first, land, second = (issue(engine, clock, code)["number"] for code in ("KS", "GCN", "KS"))
    clock.set(local(23, 9, 10))
    called = engine.call_next("3", actor=CLERK)
    engine.start(called["id"], actor=CLERK, counter_id="3")
    moved = engine.transfer(called["id"], actor=CLERK, counter_id="3", service="KS", note="Nộp thêm khai sinh")
    assert (moved["status"], moved["service"], moved["number"]) == ("transferred", "KS", land)
    return first, land, second


def test_transferred_ticket_keeps_its_original_place(engine, clock):
    first, land, second = transfer_after_land_service(engine, clock)
    assert waiting_numbers(engine, "1") == [first, land, second]
    assert call_order(engine, "1", 3) == [first, land, second]
    event = all_events(engine.store, events.TRANSFERRED)[-1]
    assert event["details"] | {"number": land} == {"number": land, "from_service": "GCN", "to_service": "KS",
                                                   "to_counter": None, "note": "Nộp thêm khai sinh"}
    assert event["counter"] == "3"


def test_transferred_ticket_goes_to_the_back_when_policy_says_so(settings, store, clock):
    engine = QueueEngine(with_policy(settings, keep_position_on_transfer=False), store, clock)
    first, land, second = transfer_after_land_service(engine, clock)
    assert waiting_numbers(engine, "1") == [first, second, land]


def test_transfer_frees_the_counter(engine, clock):
    transfer_after_land_service(engine, clock)
    issue(engine, clock, "GCN")
    assert engine.call_next("3", actor=CLERK)["number"] == "1002"


def test_transfer_straight_to_a_counter_only_that_counter_can_call_it(engine, clock):
    first, second = (issue(engine, clock)["id"] for _ in range(2))
    engine.call_next("1", actor=CLERK)
    moved = engine.transfer(first, actor=CLERK, counter_id="1", to_counter="5", note="Hỏi về hộ kinh doanh")
    assert (moved["target_counter"], moved["service"]) == ("5", "KS")  # quầy 5 does not serve KS: kept
    assert waiting_numbers(engine, "1") == waiting_numbers(engine, "2") == ["A002"]
    assert waiting_numbers(engine, "10") == ["A002"]
    assert waiting_numbers(engine, "5") == ["A001"]
    with pytest.raises(NotAllowed, match="không phục vụ số A001"):
        engine.call_specific("2", first, actor=CLERK)
    assert engine.call_next("1", actor=CLERK)["id"] == second
    called = engine.call_next("5", actor=CLERK)
    assert (called["id"], called["counter"], called["target_counter"]) == (first, "5", None)


def test_transfer_to_a_counter_that_serves_the_service_excludes_its_peers(engine, clock):
    ticket = issue(engine, clock)
    engine.transfer(ticket["id"], actor=CLERK, counter_id=None, to_counter="2")
    assert engine.call_next("1", actor=CLERK) is None
    assert engine.call_next("10", actor=CLERK) is None
    assert engine.call_next("2", actor=CLERK)["id"] == ticket["id"]


# --- a clerk's own pick ----------------------------------------------------------------------------

def test_call_specific_out_of_order_is_logged_with_the_reason(engine, clock):
    ids = [issue(engine, clock)["id"] for _ in range(3)]
    picked = engine.call_specific("1", ids[2], actor="scanner:1", reason="Có giấy hẹn trước")
    assert (picked["number"], picked["status"], picked["counter"]) == ("A003", "called", "1")
    event = all_events(engine.store, events.CALLED)[-1]
    assert (event["ticket_id"], event["actor"], event["counter"]) == (ids[2], "scanner:1", "1")
    assert event["details"]["out_of_order"] is True
    assert event["details"]["reason"] == "Có giấy hẹn trước"
    assert event["details"]["counter_name"] == "Quầy số 1"


def test_call_specific_of_the_next_ticket_is_in_order(engine, clock):
    ids = [issue(engine, clock)["id"] for _ in range(2)]
    engine.call_specific("2", ids[0], actor=CLERK)
    assert all_events(engine.store, events.CALLED)[-1]["details"]["out_of_order"] is False
    engine.call_next("1", actor=CLERK)
    assert all_events(engine.store, events.CALLED)[-1]["details"] == {
        "number": "A002", "counter_name": "Quầy số 1", "priority": None, "out_of_order": False}


def test_yesterdays_priority_streak_does_not_skip_this_mornings_priority_ticket(engine, clock):
    issue_many(engine, clock, "PPN")
    assert call_order(engine, "1", 2) == ["A001", "A002"]   # streak 2 with A003 (normal) waiting
    clock.set(local(24, 7, 30))                              # next morning: A003 expired overnight
    issue_many(engine, clock, "NP")
    assert call_order(engine, "1", 1) == ["A002"]            # the priority ticket first, streak starts over


def test_streak_survives_a_restart_on_the_same_day(settings, store, clock):
    engine = QueueEngine(settings, store, clock)
    issue_many(engine, clock, "PPNP")
    assert call_order(engine, "1", 2) == ["A001", "A002"]
    restarted = QueueEngine(settings, store, clock)           # a new process on the same database
    assert call_order(restarted, "1", 1) == ["A003"]          # the streak limit still holds


def test_moving_a_clerk_to_another_counter_logs_the_sign_out(engine, store):
    engine.claim_counter("1", "lan", actor="clerk:lan")
    engine.claim_counter("2", "lan", actor="clerk:lan")
    signed_out = all_events(store, events.CLERK_SIGNED_OUT)
    assert [(e["counter"], e["details"]["moved_to"]) for e in signed_out] == [("1", "2")]
    assert engine.snapshot()["counters"][0]["staffed"] is False
    assert engine.snapshot()["counters"][1]["staffed"] is True
