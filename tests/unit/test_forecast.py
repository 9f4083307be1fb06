"""The forward simulation (core/forecast.py) on hand-built counters and queues: every figure checked by hand."""

import random

from core.forecast import HORIZON_MINUTES, Station, Waiting, simulate

FLAT = {"X": (10.0, 4.0), "Y": (3.0, 1.0), "Z": (4.0, 1.0)}


def _waiting(specs):
    """[(service, priority, target)] in arrival order → Waiting tickets 1, 2, 3, …"""
    return [Waiting(index, service, priority, (f"t{index:04d}", index), target=target)
            for index, (service, priority, target) in enumerate(specs, start=1)]


def _run(stations, specs, *, limit=2, rates=None, newcomers=(), times=FLAT):
    return simulate(stations, _waiting(specs), times, streak_limit=limit, priority_rates=rates,
                    newcomer_services=newcomers)


def test_one_idle_counter_takes_its_queue_in_turn():
    result = _run([Station("1", ("X",))], [("X", False, None)] * 3, newcomers=("X",))
    assert [(p.minutes, p.ahead) for p in result.tickets.values()] == [(0.0, 0), (10.0, 1), (20.0, 2)]
    assert [p.variance for p in result.tickets.values()] == [0.0, 4.0, 8.0]  # the spread adds up
    assert (result.newcomers["X"].minutes, result.newcomers["X"].ahead) == (30.0, 3)


def test_a_paused_counter_is_free_at_the_expected_end_of_its_break():
    # Quầy 1 on a break with 12 minutes expected to go (variance 9): its queue waits for it, not forever.
    result = _run([Station("1", ("X",), free_in=12.0, variance=9.0)], [("X", False, None)] * 2)
    assert [(p.minutes, p.variance) for p in result.tickets.values()] == [(12.0, 9.0), (22.0, 13.0)]


def test_a_citizen_already_at_a_counter_holds_it_for_the_rest_of_the_service():
    busy = Station("1", ("X",), free_in=6.5, variance=4.0)
    result = _run([busy, Station("2", ("X",))], [("X", False, None)] * 3)
    # Quầy 2 takes the first at once and the third at 10; quầy 1 the second when its citizen leaves.
    assert [p.minutes for p in result.tickets.values()] == [0.0, 6.5, 10.0]


def test_a_thu_tuc_of_one_counter_beside_a_busier_pair_is_not_divided_by_one():
    # Quầy 6 serves CT-BS (Y) and LLTP (Z), quầy 7 CT-BS only: ten CT-BS citizens, then one LLTP.
    stations = [Station("6", ("Y", "Z")), Station("7", ("Y",))]
    result = _run(stations, [("Y", False, None)] * 10 + [("Z", False, None)])
    lltp = result.tickets[11]
    # The pair shares the ten CT-BS (3 min each): quầy 6 is free for LLTP after its five, at 15 minutes,
    # not 10 × 3 ÷ 1 = 30 as dividing by LLTP's one counter said; five of the ten went to quầy 6 before it.
    assert (lltp.minutes, lltp.ahead) == (15.0, 5)


def test_a_later_ticket_of_a_line_is_never_promised_less_than_an_earlier_one():
    chance = random.Random(9)
    for _ in range(40):
        stations = [Station("1", ("X", "Y")), Station("2", ("X", "Y")), Station("3", ("Z", "Y")),
                    Station("4", ("X", "Y", "Z"), priority=True)]
        for station in stations:
            station.free_in = chance.uniform(0, 8)
        specs = [(chance.choice("XYZ"), chance.random() < 0.15, None) for _ in range(60)]
        result = _run(stations, specs, rates={"X": 0.05})
        lines = {}
        for ticket in _waiting(specs):
            lines.setdefault((ticket.service, ticket.priority), []).append(result.tickets[ticket.id].minutes)
        for key, minutes in lines.items():
            assert minutes == sorted(minutes), key


def test_a_ticket_sent_to_a_counter_counts_only_there():
    stations = [Station("6", ("Y",)), Station("7", ("Y",), free_in=20.0)]
    result = _run(stations, [("Y", False, "7"), ("Y", False, None), ("Y", False, None)])
    sent, first, second = (result.tickets[i] for i in (1, 2, 3))
    assert (sent.minutes, sent.ahead) == (20.0, 0)      # only quầy 7 may call it, free in 20 minutes
    assert (first.minutes, first.ahead) == (0.0, 0)     # not behind it at quầy 6
    assert (second.minutes, second.ahead) == (3.0, 1)


def test_a_ticket_for_a_counter_or_thu_tuc_nobody_staffs_is_not_placed():
    result = _run([Station("1", ("X",))], [("Y", False, None), ("X", False, "9"), ("X", False, None)],
                  newcomers=("X", "Y"))
    assert set(result.tickets) == {3} and set(result.newcomers) == {"X"}


def test_priority_citizens_expected_to_arrive_go_ahead_of_a_normal_wait():
    # One priority citizen every 20 minutes, at most 2 priority calls in a row while a normal one waits.
    alone = _run([Station("1", ("X",))], [("X", False, None)] * 5)
    fed = _run([Station("1", ("X",))], [("X", False, None)] * 5, rates={"X": 1 / 20})
    assert alone.tickets[5].minutes == 40.0
    # 0 n1, 10 n2, 20 p (arrived at 20), 30 n3, 40 p, 50 n4, 60 p, 70 n5: two hours' arrivals taken in.
    assert fed.tickets[5].minutes == 70.0
    assert fed.tickets[5].ahead == 4   # people ahead counts the citizens here, not the expected ones


def test_a_crowd_of_waiting_priority_tickets_passes_a_normal_one_at_most_streak_times():
    stations = [Station("1", ("X",)), Station("2", ("X",))]
    result = _run(stations, [("X", False, None)] + [("X", True, None)] * 8, limit=2)
    # Two counters: the first two priority calls go ahead (one at each), then the normal ticket is called.
    assert result.tickets[1].minutes == 10.0
    assert sum(1 for i in range(2, 10) if result.tickets[i].minutes < 10.0) == 2


def test_a_priority_counter_takes_priority_first_and_ghosts_take_no_counter_time():
    stations = [Station("10", ("X",), priority=True)]
    result = _run(stations, [("X", False, None), ("X", True, None)], newcomers=("X",))
    assert result.tickets[2].minutes == 0.0 and result.tickets[1].minutes == 10.0
    assert result.newcomers["X"].minutes == 20.0 and result.newcomers["X"].ahead == 2


def test_a_flood_of_priority_arrivals_at_a_priority_counter_stops_at_the_horizon():
    result = _run([Station("10", ("X",), priority=True)], [("X", False, None)], rates={"X": 1.0})
    assert 1 not in result.tickets or result.tickets[1].minutes <= HORIZON_MINUTES


def test_a_counter_expected_to_take_breaks_works_at_a_slower_pace():
    result = _run([Station("1", ("X",), stretch=1.25)], [("X", False, None)] * 3)
    assert [p.minutes for p in result.tickets.values()] == [0.0, 12.5, 25.0]


def test_no_priority_citizen_is_expected_after_the_session_ends():
    specs = [("X", False, None)] * 5
    fed = simulate([Station("1", ("X",))], _waiting(specs), FLAT, streak_limit=2, priority_rates={"X": 1 / 20},
                   arrivals_until=25.0)
    assert fed.tickets[5].minutes == 50.0     # only the one due at 20 comes before the kiosks close at 25
