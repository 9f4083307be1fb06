"""A counter's waiting list in a fixed number of queries (issue 8 item 9), with exactly the places the
status page shows for each ticket."""

from __future__ import annotations

import random

from tests.unit.queue_helpers import CLERK, issue

SERVICES = ("KS", "KH", "KT", "XNHN", "GCN", "CT-BS", "LLTP", "NCC")  # counter 10 serves them all


def _crowd(engine, clock, count: int, seed: int = 7) -> None:
    chance = random.Random(seed)
    for _ in range(count):
        issue(engine, clock, chance.choice(SERVICES), "elderly" if chance.random() < 0.2 else None, gap_minutes=0.2)


def test_the_waiting_list_gives_every_ticket_the_place_its_status_page_shows(engine, clock):
    _crowd(engine, clock, 80)
    called = engine.call_next("1", actor=CLERK)  # someone at a counter, one paused counter: not just a queue
    engine.start(called["id"], actor=CLERK, counter_id="1")
    engine.set_paused("2", True, actor=CLERK)
    for counter in ("10", "1", "3", "6"):
        listed = engine.waiting_list(counter)
        assert listed, counter
        for ticket in listed:
            alone = engine.get_ticket(ticket["id"], with_history=False)
            assert (ticket["position"], ticket["eta_minutes"]) == (alone["position"], alone["eta_minutes"]), \
                (counter, ticket["number"])


def test_the_waiting_list_costs_the_same_few_queries_with_20_or_200_waiting(engine, clock):
    def statements_for_list() -> int:
        executed = []
        engine.store.connection.set_trace_callback(executed.append)
        try:
            engine.waiting_list("10")
        finally:
            engine.store.connection.set_trace_callback(None)
        return len(executed)

    _crowd(engine, clock, 20, seed=1)
    engine.waiting_list("10")  # warm the service-time cache
    few = statements_for_list()
    _crowd(engine, clock, 180, seed=2)
    engine.waiting_list("10")
    assert statements_for_list() == few  # was one count query per listed ticket: 20 → 200 (84 ms at 600)
    assert few < 20
