"""README "Fairness": policy.priority_streak bounds the priority calls that go ahead of one waiting citizen,
across every counter that serves them (tickets.priority_jumps), not per counter; and the estimate knows it."""

from tests.unit.queue_helpers import CLERK, issue


def _serve(engine, counter: str) -> dict:
    called = engine.call_next(counter, actor=CLERK)
    engine.start(called["id"], actor=CLERK, counter_id=counter)
    engine.finish(called["id"], actor=CLERK, counter_id=counter)
    return called


def test_a_crowd_of_priority_arrivals_passes_a_normal_citizen_at_most_streak_times(engine, clock, settings):
    assert settings.policy.priority_streak == 2
    engine.claim_counter("1", "lan", actor=CLERK)
    engine.claim_counter("2", "minh", actor=CLERK)
    normal = issue(engine, clock, "KS")
    crowd = [issue(engine, clock, "KS", "elderly", gap_minutes=0.1) for _ in range(8)]  # a bus of elderly
    # The estimate foresees the bound: two priority calls (one at each counter), then this citizen.
    promised = engine.get_ticket(normal["id"], with_history=False)
    assert (promised["position"], promised["eta_minutes"]) == (2, 8)
    calls = [_serve(engine, counter)["id"] for counter in ("1", "2", "1", "2", "1")]
    # Per counter, quầy 1 and quầy 2 could each call two priority tickets in a row: four ahead of it.
    assert calls[:2] == [crowd[0]["id"], crowd[1]["id"]]
    assert calls[2] == normal["id"]
    assert calls[3:] == [crowd[2]["id"], crowd[3]["id"]]   # the crowd goes on once it is called
