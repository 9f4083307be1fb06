"""Worker processes that load a live server over real HTTP, for the concurrency and crash tests."""

from __future__ import annotations

import requests

ISSUED_SERVICES = ("KS", "KH", "GCN")          # served by counters 1, 2 (KS, KH), 3 (GCN) and 10 (all three)
CALLING_COUNTERS = ("1", "2", "3", "10")


def issuer(url: str, kiosk_token: str, count: int, results, index: int) -> None:
    """Take `count` numbers; put (ticket id, number, service) of every 201 on `results`."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {kiosk_token}"
    for n in range(count):
        service = ISSUED_SERVICES[(index + n) % len(ISSUED_SERVICES)]
        priority = "elderly" if (index + n) % 5 == 0 else None
        try:
            response = session.post(f"{url}/api/tickets", json={"service": service, "priority": priority}, timeout=10)
        except requests.RequestException:
            break  # the server was killed: stop, what we recorded is what the server promised
        if response.status_code == 201:
            body = response.json()
            results.put(("issued", body["id"], body["number"], body["service"]))
        else:
            results.put(("error", response.status_code, response.text, service))
    results.put(("issuer_done", index, None, None))


def caller(url: str, counter: str, issuers_done, results) -> None:
    """Call next, start and finish at one counter until the issuers are done and nobody waits."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer demo-counter-{counter}"
    try:
        while True:
            response = session.post(f"{url}/api/counters/{counter}/next", timeout=10)
            if response.status_code == 204:
                if issuers_done.is_set():
                    break
                continue
            if response.status_code != 200:
                results.put(("error", response.status_code, response.text, counter))
                break
            ticket = response.json()
            results.put(("called", ticket["id"], ticket["number"], counter))
            for action in ("start", "finish"):
                step = session.post(f"{url}/api/tickets/{ticket['id']}/{action}", timeout=10)
                if step.status_code != 200:
                    results.put(("error", step.status_code, step.text, counter))
                    return
            results.put(("finished", ticket["id"], ticket["number"], counter))
    except requests.RequestException:
        pass  # killed server
    results.put(("caller_done", counter, None, None))
