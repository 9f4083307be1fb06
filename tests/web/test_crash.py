"""kill -9 the server while tickets are issued and called; restart; nothing promised is lost."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from collections import defaultdict

import pytest
import requests

from load import CALLING_COUNTERS, caller, issuer

# What each event kind leaves a ticket as: replaying the log must give the tickets table.
STATUS_AFTER = {"issued": "waiting", "called": "called", "recalled": "called", "started": "serving",
                "finished": "done", "no_show": "no_show", "returned": "waiting", "transferred": "transferred",
                "cancelled": "cancelled", "expired": "expired"}


@pytest.mark.slow
def test_kill_9_mid_load_loses_nothing_that_got_a_201(live_server):
    context = multiprocessing.get_context("fork")
    results, issuers_done = context.Queue(), context.Event()
    processes = [context.Process(target=issuer, args=(live_server.url, "demo-kiosk-1", 400, results, i))
                 for i in range(4)]
    processes += [context.Process(target=caller, args=(live_server.url, c, issuers_done, results))
                  for c in CALLING_COUNTERS]
    for process in processes:
        process.start()
    messages = []
    while sum(1 for m in messages if m[0] == "issued") < 150:  # well into the load…
        messages.append(results.get(timeout=60))
    live_server.kill()                                          # …pull the plug
    issuers_done.set()
    for process in processes:
        process.join(timeout=30)
        assert not process.is_alive()
    while not results.empty():
        messages.append(results.get(timeout=5))
    promised = {m[1]: m[2] for m in messages if m[0] == "issued"}
    called = {m[1] for m in messages if m[0] == "called"}
    finished = {m[1] for m in messages if m[0] == "finished"}

    live_server.start()
    with sqlite3.connect(live_server.db) as db:
        db.row_factory = sqlite3.Row
        tickets = {row["id"]: dict(row) for row in db.execute("SELECT * FROM tickets")}
        for ticket_id, number in promised.items():
            assert ticket_id in tickets and tickets[ticket_id]["number"] == number
        for ticket_id in called:
            assert tickets[ticket_id]["status"] in ("called", "serving", "done")
        for ticket_id in finished:
            assert tickets[ticket_id]["status"] == "done"

        events = [dict(row) for row in db.execute("SELECT * FROM events ORDER BY seq")]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "seq has a gap"
        replayed, current = {}, defaultdict(lambda: None)
        for event in events:
            replayed[event["ticket_id"]] = STATUS_AFTER[event["kind"]]
            if event["kind"] == "called":
                current[event["counter"]] = event["ticket_id"]
            elif event["kind"] in ("finished", "no_show"):
                current[event["counter"]] = None
        assert replayed == {ticket_id: t["status"] for ticket_id, t in tickets.items()}
        states = {row["counter"]: row["current_ticket"] for row in db.execute("SELECT * FROM counter_state")}
        assert {c: t for c, t in states.items() if t} == {c: t for c, t in current.items() if t}
        for event in events:
            json.loads(event["details"])

    # The restarted server goes on where it stopped: the next number follows the last one issued.
    last_ks = max((t["sequence_number"] for t in tickets.values() if t["issued_service"] == "KS"), default=0)
    response = requests.post(f"{live_server.url}/api/tickets", json={"service": "KS"},
                             headers=live_server.headers("demo-kiosk-1"), timeout=10)
    assert response.status_code == 201
    assert response.json()["number"] == f"A{last_ks + 1:03d}"
