"""The wait printed on a ticket (core/estimate.py, core/views.py): people ahead and minutes.

Driving-licence services (GPLX, DKX) are served by quầy 9 alone, so their numbers are easy to check by hand:
minutes = people ahead × minutes per person / open counters. Birth registration (KS) has three counters
(1, 2 and the priority counter 10).
"""

import pytest

from core.estimate import MIN_SAMPLES, estimate_minutes, mean_service_minutes
from tests.unit.queue_helpers import CLERK, issue, local

ELDERLY = "elderly"


def place(engine, ticket: dict) -> tuple[int | None, int | None]:
    """(position, eta_minutes) of a ticket as its status page shows it now."""
    view = engine.get_ticket(ticket["id"], with_history=False)
    return view["position"], view["eta_minutes"]


def serve_taking(engine, clock, counter: str, minutes: float) -> dict:
    """Call the next ticket at `counter`, start it, let `minutes` pass, finish it; returns the finished view."""
    called = engine.call_next(counter, actor=CLERK)
    engine.start(called["id"], actor=CLERK, counter_id=counter)
    clock.advance(minutes=minutes)
    return engine.finish(called["id"], actor=CLERK, counter_id=counter)


# --- the pure rules ------------------------------------------------------------------------------

def test_mean_service_minutes_uses_the_default_until_enough_samples():
    assert MIN_SAMPLES == 3
    assert mean_service_minutes([], 8) == 8
    assert mean_service_minutes([2, 4], 8) == 8
    assert mean_service_minutes([2, 4, 6], 8) == 4


def test_estimate_minutes_divides_work_by_open_counters_and_rounds_up():
    assert estimate_minutes({}, {}, 2) == 0
    assert estimate_minutes({"KS": 2, "KH": 1}, {"KS": 8, "KH": 5}, 3) == 7  # 21 / 3
    assert estimate_minutes({"KS": 1}, {"KS": 8}, 3) == 3                    # 2.67 → 3
    assert estimate_minutes({"KS": 4}, {"KS": 8}, 0) is None


# --- through the engine --------------------------------------------------------------------------

def test_first_in_line_waits_zero(engine, clock):
    ticket = issue(engine, clock, "GPLX")
    assert (ticket["position"], ticket["eta_minutes"]) == (0, 0)


def test_wait_grows_with_the_people_ahead(engine, clock):
    tickets = [issue(engine, clock, code) for code in ("GPLX", "DKX", "GPLX", "GPLX")]
    assert [(t["position"], t["eta_minutes"]) for t in tickets] == [(0, 0), (1, 8), (2, 16), (3, 24)]
    assert [place(engine, t) for t in tickets] == [(0, 0), (1, 8), (2, 16), (3, 24)]


def test_wait_shrinks_as_people_ahead_are_called(engine, clock):
    tickets = [issue(engine, clock, "GPLX") for _ in range(3)]
    engine.call_next("9", actor=CLERK)
    assert place(engine, tickets[0]) == (None, None)  # called: no longer in line
    assert place(engine, tickets[2]) == (1, 8)


def test_other_counters_services_do_not_count(engine, clock):
    issue(engine, clock, "TL-DN")  # quầy 5 only: does not compete with GPLX
    licence = issue(engine, clock, "GPLX")
    assert (licence["position"], licence["eta_minutes"]) == (0, 0)


def test_priority_ticket_goes_ahead_of_normal_ones(engine, clock):
    normal = [issue(engine, clock, "GPLX") for _ in range(2)]
    priority = issue(engine, clock, "GPLX", ELDERLY)
    later = issue(engine, clock, "GPLX", "pregnant")
    assert place(engine, priority) == (0, 0)
    assert place(engine, later) == (1, 8)          # behind the older priority ticket only
    assert place(engine, normal[0]) == (2, 16)     # both priority tickets go first
    assert place(engine, normal[1]) == (3, 24)


def test_open_counters_share_the_work(engine, clock):
    tickets = [issue(engine, clock, "KS") for _ in range(4)]
    # A normal ticket counts on the two ordinary counters (the priority counter serves priority first).
    assert [t["eta_minutes"] for t in tickets] == [0, 4, 8, 12]  # 8, 16, 24 minutes over 2 counters


def test_priority_ticket_counts_on_the_priority_counter_too(engine, clock):
    tickets = [issue(engine, clock, "KS", priority="elderly") for _ in range(4)]
    assert [t["eta_minutes"] for t in tickets] == [0, 3, 6, 8]  # 8, 16, 24 minutes over 3 counters


def test_only_services_sharing_an_ordinary_counter_are_ahead_of_a_normal_ticket(engine, clock):
    for _ in range(6):
        issue(engine, clock, "GCN")  # land tickets: counters 3, 4 and the priority counter 10
    birth = issue(engine, clock, "KS")
    assert place(engine, birth) == (0, 0)


def test_paused_counter_is_left_out_of_the_estimate(engine, clock):
    first, second = issue(engine, clock, "KS"), issue(engine, clock, "KS")
    assert place(engine, second) == (1, 4)      # 8 / 2 ordinary counters
    engine.set_paused("1", True, actor=CLERK)
    assert place(engine, second) == (1, 8)      # 8 / 1
    engine.set_paused("2", True, actor=CLERK)
    assert place(engine, second) == (1, 8)      # only the priority counter is left, and it serves
    assert place(engine, first) == (0, 0)


def test_no_estimate_while_every_counter_for_the_service_is_paused(engine, clock):
    tickets = [issue(engine, clock, "GPLX") for _ in range(2)]
    engine.set_paused("9", True, actor=CLERK)
    assert place(engine, tickets[0]) == (0, None)
    assert place(engine, tickets[1]) == (1, None)
    assert issue(engine, clock, "DKX")["eta_minutes"] is None
    engine.set_paused("9", False, actor=CLERK)
    assert place(engine, tickets[1]) == (1, 8)


def test_measured_service_times_replace_the_default_after_three(engine, clock):
    tickets = [issue(engine, clock, "GPLX", gap_minutes=0) for _ in range(6)]
    serve_taking(engine, clock, "9", 3)
    serve_taking(engine, clock, "9", 4)
    clock.advance(minutes=2)                  # views cache service times for a minute
    assert place(engine, tickets[5]) == (3, 24)  # two samples: still the default 8 minutes
    serve_taking(engine, clock, "9", 5)
    clock.advance(minutes=2)
    assert place(engine, tickets[5]) == (2, 8)   # mean of 3, 4, 5 = 4 minutes each


def test_no_shows_and_old_tickets_are_not_service_time_samples(engine, clock):
    clock.set(local(10, 9))                   # two weeks ago: outside the 7-day window
    for _ in range(3):
        issue(engine, clock, "GPLX", gap_minutes=0)
    for _ in range(3):
        serve_taking(engine, clock, "9", 1)
    clock.set(local(23, 9))
    for _ in range(3):
        issue(engine, clock, "GPLX", gap_minutes=0)
        called = engine.call_next("9", actor=CLERK)
        clock.advance(minutes=1)
        engine.no_show(called["id"], actor=CLERK, counter_id="9")
    clock.advance(minutes=2)
    tickets = [issue(engine, clock, "GPLX", gap_minutes=0) for _ in range(2)]
    assert place(engine, tickets[1]) == (1, 8)


@pytest.mark.parametrize("status_after", ["transfer", "cancel"])
def test_tickets_that_left_the_line_have_no_place(engine, clock, status_after):
    first, second = issue(engine, clock, "GPLX"), issue(engine, clock, "GPLX")
    if status_after == "cancel":
        engine.cancel(first["id"], actor=CLERK)
        assert place(engine, first) == (None, None)
    else:
        engine.transfer(first["id"], actor=CLERK, counter_id=None, service="GCN")
        assert place(engine, first)[0] == 0   # transferred tickets wait again, in their new service
    assert place(engine, second) == (0, 0)
