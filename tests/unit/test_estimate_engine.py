"""The wait estimate from the store's rows (core/waits.py, core/estimate.py) through the real engine.

config.toml: GPLX and DKX are served by quầy 9 alone; KS by quầy 1, 2 and the priority quầy 10;
policy.default_service_minutes = 8. A counter is staffed when its clerk signed in or its device acted.
"""

import dataclasses

from core import estimate
from core.engine import QueueEngine
from store import Store
from tests.unit.queue_helpers import CLERK, issue

DEVICE = "counter:9"


def _eta(engine, ticket):
    found = engine.get_ticket(ticket["id"], with_history=False)
    return found["position"], found["eta_minutes"], found["eta_low"], found["eta_high"]


def _staff(engine, counter: str, clerk: str = "lan"):
    engine.claim_counter(counter, clerk, actor=CLERK)


def test_no_staffed_counter_means_no_minutes_and_one_staffed_counter_gives_them(engine, clock):
    first = issue(engine, clock, "GPLX")
    second = issue(engine, clock, "GPLX")
    # Nobody at quầy 9: people ahead, but "Chưa ước tính được" (minutes None), on the ticket as printed.
    assert _eta(engine, second) == (1, None, None, None)
    assert second["estimate"] == {"ahead": 1, "minutes": None, "low": None, "high": None}
    _staff(engine, "9")
    assert _eta(engine, first)[:2] == (0, 0) and _eta(engine, second)[:2] == (1, 8)


def test_an_unstaffed_counter_is_left_out_of_a_shared_thu_tuc(engine, clock):
    _staff(engine, "1")                       # quầy 2 and the priority quầy 10 have nobody
    tickets = [issue(engine, clock, "KS", gap_minutes=0) for _ in range(5)]
    assert _eta(engine, tickets[4])[:2] == (4, 32)   # 4 × 8 min at quầy 1 alone
    _staff(engine, "2", "minh")
    assert _eta(engine, tickets[4])[:2] == (4, 16)   # two counters share them


def test_a_paused_counter_is_expected_back_at_the_end_of_a_typical_break(engine, clock):
    _staff(engine, "9")
    engine.set_paused("9", True, actor=CLERK)
    clock.advance(minutes=5)
    ticket = issue(engine, clock, "GPLX", gap_minutes=0)
    # No break measured yet: DEFAULT_BREAK_MINUTES (15) − 5 gone = 10; not "no estimate", not doubled.
    assert _eta(engine, ticket)[:2] == (0, round(estimate.DEFAULT_BREAK_MINUTES - 5))
    engine.set_paused("9", False, actor=CLERK)
    for _ in range(3):                        # three breaks of 24 minutes: the centre's typical break
        engine.set_paused("9", True, actor=CLERK)
        clock.advance(minutes=24)
        engine.set_paused("9", False, actor=CLERK)
    engine.set_paused("9", True, actor=CLERK)
    clock.advance(minutes=4)
    # Breaks measured: 5, 24, 24, 24 minutes; of those longer than the 4 gone, what was left: 1, 20, 20, 20.
    assert _eta(engine, ticket)[:2] == (0, 15)


def test_a_citizen_at_the_counter_counts_for_the_rest_of_the_service(engine, clock):
    issue(engine, clock, "GPLX", gap_minutes=0)
    called = engine.call_next("9", actor=DEVICE)
    engine.start(called["id"], actor=DEVICE, counter_id="9")
    clock.advance(minutes=3)
    waiting = issue(engine, clock, "GPLX", gap_minutes=0)
    assert _eta(engine, waiting)[:2] == (0, 5)        # 8 − 3 minutes still to go, though nobody waits ahead
    clock.advance(minutes=9)                            # longer than the default: expected to end soon
    assert _eta(engine, waiting)[:2] == (0, round(estimate.OVERDUE_MINUTES))


def test_the_first_hour_default_then_todays_mean_then_the_thu_tucs_own(engine, clock):
    _staff(engine, "9")
    _staff(engine, "1", "minh")
    probe = [issue(engine, clock, "GPLX", gap_minutes=0) for _ in range(2)][1]
    assert _eta(engine, probe)[1] == 8                  # nothing measured: policy.default_service_minutes
    for _ in range(3):                                  # three KS tickets of 4 minutes at quầy 1
        issue(engine, clock, "KS", gap_minutes=0)
        called = engine.call_next("1", actor=CLERK)
        clock.advance(minutes=4)
        engine.finish(engine.start(called["id"], actor=CLERK, counter_id="1")["id"], actor=CLERK, counter_id="1")
    assert _eta(engine, probe)[1] == 4                  # GPLX has no samples: today's mean over every thủ tục
    for minutes in (12, 12, 12):                        # then GPLX's own: three of 12 minutes at quầy 9
        sample = issue(engine, clock, "GPLX", gap_minutes=0)
        called = engine.call_specific("9", sample["id"], actor=DEVICE, reason="mẫu")
        clock.advance(minutes=minutes)
        engine.finish(engine.start(called["id"], actor=DEVICE, counter_id="9")["id"], actor=DEVICE, counter_id="9")
    assert _eta(engine, probe)[:2] == (1, 12)


def test_a_ticket_transferred_to_a_counter_waits_for_that_counter_only(engine, clock):
    _staff(engine, "1")
    _staff(engine, "2", "minh")
    ticket = issue(engine, clock, "KS", gap_minutes=0)
    called = engine.call_next("1", actor=CLERK)
    engine.start(called["id"], actor=CLERK, counter_id="1")
    for _ in range(3):
        issue(engine, clock, "KS", gap_minutes=0)
    sent = engine.transfer(ticket["id"], actor=CLERK, counter_id="1", to_counter="2")
    # Kept its place (oldest), only quầy 2 may call it and quầy 2 is free: called first, nobody ahead.
    assert (sent["position"], sent["eta_minutes"]) == (0, 0)
    busy = engine.call_next("2", actor=CLERK)
    assert busy["id"] == ticket["id"]
    later = issue(engine, clock, "KS", gap_minutes=0)
    # Quầy 1 is free now, quầy 2 busy for 8 more. Today's transfer slows both: 8 of the first 60 minutes
    # went to a visit that is no sample (quầy 1) and to a ticket that jumped the line (quầy 2), so each
    # service takes 8 ÷ (1 − 8/60) = 9.2: quầy 1 at 0 and 9.2, quầy 2 at 8, then this one at 17.2.
    assert _eta(engine, later)[:2] == (3, 17)


def test_a_priority_rate_today_lengthens_a_normal_wait(engine, clock):
    _staff(engine, "9")
    normal = [issue(engine, clock, "GPLX", gap_minutes=0) for _ in range(5)]
    assert _eta(engine, normal[4])[:2] == (4, 32)
    for _ in range(3):   # three priority citizens this first hour (they left: only the rate stays)
        engine.cancel(issue(engine, clock, "GPLX", "elderly", gap_minutes=0)["id"], actor=CLERK)
    # 3 an hour = one every 20 minutes: 0, 8, 16 normal; 24 the one due at 20; 32; 40 the next; 48.
    assert _eta(engine, normal[4])[:2] == (4, 48)


def test_breaks_a_counter_has_still_to_take_today_slow_its_pace(engine, clock):
    monday = clock.now()                                 # 09:00: 150 + 210 open minutes left today
    clock.set(monday.replace(day=20))                    # last Friday: quầy 9 worked and took two breaks
    issue(engine, clock, "GPLX", gap_minutes=0)
    engine.finish(engine.start(engine.call_next("9", actor=DEVICE)["id"], actor=DEVICE, counter_id="9")["id"],
                  actor=DEVICE, counter_id="9")
    for _ in range(2):
        engine.set_paused("9", True, actor=DEVICE)
        clock.advance(minutes=15)
        engine.set_paused("9", False, actor=DEVICE)
    clock.set(monday)
    _staff(engine, "9")
    tickets = [issue(engine, clock, "GPLX", gap_minutes=0) for _ in range(5)]
    # Two breaks of 15 (the default: fewer than 3 measured) still to come in 360 open minutes:
    # 4 × 8 × (1 + 30/360) = 34.7 → 35 instead of 32.
    assert _eta(engine, tickets[4])[:2] == (4, 35)
    for _ in range(2):                                   # today's two breaks taken: the plain pace again
        engine.set_paused("9", True, actor=CLERK)
        engine.set_paused("9", False, actor=CLERK)
    assert _eta(engine, tickets[4])[:2] == (4, 32)


def test_transfers_that_keep_their_place_are_expected_to_keep_coming(engine, clock, settings, tmp_path):
    def sent_on(engine):
        _staff(engine, "9")
        moved = issue(engine, clock, "DKX", gap_minutes=0)
        engine.call_next("9", actor=DEVICE)
        engine.transfer(moved["id"], actor=DEVICE, counter_id="9", service="GPLX")  # goes first among GPLX
        return [issue(engine, clock, "GPLX", gap_minutes=0) for _ in range(3)][-1]
    last = sent_on(engine)
    # One transfer at quầy 9 into GPLX in the first hour (counted over at least 60 minutes): 8/60 of its
    # time went to a visit that is no service-time sample, 8/60 more to a ticket that jumped the line:
    # 3 ahead × 8 min ÷ (1 − 16/60) = 32.7 → 33, not 24.
    assert _eta(engine, last)[:2] == (3, 33)
    to_the_back = dataclasses.replace(settings, policy=dataclasses.replace(settings.policy,
                                                                           keep_position_on_transfer=False))
    other = Store(tmp_path / "other.db")
    try:
        fresh = QueueEngine(to_the_back, other, clock)
        # Transfers go to the back: nobody is overtaken; the visit's time is still lost: 24 ÷ (1 − 8/60).
        assert _eta(fresh, sent_on(fresh))[:2] == (3, 28)
    finally:
        other.close()
