"""Who may act on a ticket at a counter (issue 8 item 2): every action, on a called and on a serving ticket,
by every kind of caller. "No counter" is nobody's owner; only an admin acts on any counter's ticket."""

from __future__ import annotations

import pytest

from tests.web.api_support import ClerkClient, assert_error, bearer, counter_token

ACTIONS = ("recall", "start", "finish", "no-show", "transfer", "cancel", "return")
LEGAL = {("recall", "called"), ("start", "called"), ("no-show", "called"), ("finish", "serving"),
         ("transfer", "called"), ("transfer", "serving")}
CALLERS = ("counter-1", "counter-2", "counter-3", "clerk-1", "clerk-2", "clerk-without-counter", "admin",
           "kiosk", "display", "anonymous")


def expected(caller: str, action: str, state: str) -> tuple[int, str | None]:
    """(status, error code) the API must answer."""
    if caller == "anonymous":
        return 401, "unauthenticated"
    if caller in ("kiosk", "display"):
        return 403, "forbidden_role"
    if caller == "admin":
        if action in ("recall", "start", "finish", "no-show"):
            return 403, "forbidden_role"
        return (200, None) if action == "transfer" else (409, "illegal_transition")
    if caller == "clerk-without-counter":
        return 403, "no_counter"
    if caller in ("counter-2", "clerk-2"):  # serves the same thủ tục, did not call the ticket
        return (409, "illegal_transition") if action in ("cancel", "return") else (403, "not_your_ticket")
    if caller == "counter-3":  # another counter, another thủ tục
        return (403, "not_served_here") if action in ("cancel", "return") else (403, "not_your_ticket")
    return (200, None) if (action, state) in LEGAL else (409, "illegal_transition")


@pytest.mark.parametrize("state", ["called", "serving"])
def test_every_action_by_every_caller_on_a_ticket_at_counter_1(api, state):
    clerks = {"clerk-1": api.sign_in("lan", counter="1"), "clerk-2": api.sign_in("minh", counter="2"),
              "clerk-without-counter": api.sign_in("hoa"), "admin": api.sign_in("admin")}
    # A clerk signed in at counter 1 takes it from counter 1's device token: act as the clerk there.
    tokens = {"counter-1": counter_token("1"), "counter-2": counter_token("2"), "counter-3": counter_token("3"),
              "kiosk": "demo-kiosk-1", "display": "demo-display-1"}
    for caller in CALLERS:
        for action in ACTIONS:
            ticket = api.issue("KS")
            called = api.call_next("1")
            assert called["id"] == ticket["id"]
            if state == "serving":
                api.act(ticket["id"], "start")
            path = f"/api/tickets/{ticket['id']}/{action}"
            payload = {"json": {"service": "KH"}} if action == "transfer" else {}
            status, code = expected(caller, action, state)
            if status == 200:
                if caller in clerks:
                    response = clerks[caller].post(path, **payload)
                else:
                    response = api.client.post(path, headers=bearer(tokens[caller]), **payload)
                assert response.status_code == 200, (caller, action, state, response.get_json())
            else:
                with api.unchanged():
                    if caller in clerks:
                        response = clerks[caller].post(path, **payload)
                    else:
                        response = api.client.post(path, headers=bearer(tokens.get(caller)), **payload)
                    assert_error(response, status, code)
            _free_counter_1(api)


def _free_counter_1(api) -> None:
    with api.store.read() as tx:
        current = tx.counter_state("1")["current_ticket"]
        ticket = tx.ticket(current) if current else None
    if ticket and ticket["status"] == "called":
        api.act(ticket["id"], "no-show")
    elif ticket and ticket["status"] == "serving":
        api.act(ticket["id"], "finish")
    with api.store.read() as tx:
        left = [row[0] for row in tx.connection.execute(
            "SELECT id FROM tickets WHERE status IN ('waiting', 'transferred')")]
    for ticket_id in left:  # a transferred ticket waits again: withdraw it so the next call is the next ticket
        api.act(ticket_id, "cancel")


def test_a_clerk_without_a_counter_cannot_transfer_away_another_counters_ticket(api):
    """The reported hole: a counterless clerk's transfer of a called ticket answered 200 and freed counter 1."""
    ticket = api.issue("KS")
    api.call_next("1")
    hoa = api.sign_in("hoa")
    with api.unchanged():
        assert_error(hoa.post(f"/api/tickets/{ticket['id']}/transfer", json={"service": "KH"}), 403, "no_counter")
    with api.store.read() as tx:
        assert tx.counter_state("1")["current_ticket"] == ticket["id"]


def test_a_clerk_whose_counter_was_taken_over_acts_nowhere(api):
    ticket = api.issue("KS")
    lan = api.sign_in("lan", counter="1")
    assert lan.post("/api/counters/1/next").status_code == 200
    other_tab = ClerkClient(api.app.test_client())
    assert other_tab.sign_in("lan", "lan12345", counter="2").status_code == 200  # lan moves to counter 2
    with api.unchanged():
        for action in ("recall", "no-show", "transfer"):
            payload = {"json": {"service": "KH"}} if action == "transfer" else {}
            assert_error(lan.post(f"/api/tickets/{ticket['id']}/{action}", **payload), 403, "no_counter")
