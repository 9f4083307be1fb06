"""8 processes issuing and 4 counters calling at once, over real HTTP on loopback, against the real server."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections import Counter, defaultdict

import pytest

from load import CALLING_COUNTERS, caller, issuer

ISSUERS, TICKETS_EACH = 8, 25


@pytest.mark.slow
def test_no_duplicates_no_double_calls_nothing_lost(live_server):
    context = multiprocessing.get_context("fork")
    results, issuers_done = context.Queue(), context.Event()
    kiosks = ["demo-kiosk-1"] * ISSUERS
    processes = [context.Process(target=issuer, args=(live_server.url, kiosks[i], TICKETS_EACH, results, i))
                 for i in range(ISSUERS)]
    processes += [context.Process(target=caller, args=(live_server.url, c, issuers_done, results))
                  for c in CALLING_COUNTERS]
    for process in processes:
        process.start()
    messages, finished_issuers, finished_callers = [], 0, 0
    while finished_callers < len(CALLING_COUNTERS):
        message = results.get(timeout=120)
        messages.append(message)
        if message[0] == "issuer_done":
            finished_issuers += 1
            if finished_issuers == ISSUERS:
                issuers_done.set()
        elif message[0] == "caller_done":
            finished_callers += 1
    for process in processes:
        process.join(timeout=30)

    assert [m for m in messages if m[0] == "error"] == []
    issued = [m for m in messages if m[0] == "issued"]
    called = [m for m in messages if m[0] == "called"]
    assert len(issued) == ISSUERS * TICKETS_EACH

    numbers = [m[2] for m in issued]
    assert len(set(numbers)) == len(numbers), "duplicate numbers"
    by_service = defaultdict(list)
    for _, _, number, service in issued:
        by_service[service].append(number)
    with sqlite3.connect(live_server.db) as db:
        first = {"KS": 1, "KH": 1, "GCN": 1001}
        for service, numbers_of_service in by_service.items():
            sequence = sorted(row[0] for row in db.execute(
                "SELECT sequence_number FROM tickets WHERE issued_service = ?", (service,)))
            assert sequence == list(range(first[service], first[service] + len(numbers_of_service))), service

        twice = [ticket for ticket, n in Counter(m[1] for m in called).items() if n > 1]
        assert twice == [], "a ticket was called by two counters"
        assert sorted(m[1] for m in called) == sorted(m[1] for m in issued), "a ticket was lost or never called"
        statuses = Counter(row[0] for row in db.execute("SELECT status FROM tickets"))
        assert statuses == {"done": ISSUERS * TICKETS_EACH}
        called_events = db.execute("SELECT ticket_id, count(*) FROM events WHERE kind = 'called' "
                                   "GROUP BY ticket_id HAVING count(*) > 1").fetchall()
        assert called_events == []
        seqs = [row[0] for row in db.execute("SELECT seq FROM events ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1))
