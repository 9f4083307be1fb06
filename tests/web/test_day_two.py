"""Issue 8 over real HTTP: idempotent ticket issue (surviving kill -9), free-counter against a running
server, and the rollover timer that needs no request."""

from __future__ import annotations

import threading
from datetime import timedelta

import requests

from tests.unit.queue_helpers import local
from tests.web.api_support import KIOSK, assert_error


def post_ticket(server, body, key=None, token="demo-kiosk-1"):
    headers = server.headers(token) | ({"Idempotency-Key": key} if key is not None else {})
    return requests.post(f"{server.url}/api/tickets", json=body, headers=headers, timeout=10)


def test_a_kiosk_retry_with_its_key_gets_the_same_ticket_even_after_kill_9(live_server):
    first = post_ticket(live_server, {"service": "KS", "priority": None}, key="tap-1")
    assert first.status_code == 201
    again = post_ticket(live_server, {"service": "KS", "priority": None}, key="tap-1")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert (again.json()["id"], again.json()["number"]) == (first.json()["id"], first.json()["number"])
    live_server.kill()
    live_server.start()
    after_restart = post_ticket(live_server, {"service": "KS", "priority": None}, key="tap-1")
    assert (after_restart.status_code, after_restart.json()["id"]) == (200, first.json()["id"])
    other = post_ticket(live_server, {"service": "KH", "priority": None}, key="tap-1")
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"
    bad = post_ticket(live_server, {"service": "KS"}, key="tab\there")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_idempotency_key"
    fresh = post_ticket(live_server, {"service": "KS"}, key="tap-2")
    assert fresh.status_code == 201 and fresh.json()["number"] == "A002"
    state = requests.get(f"{live_server.url}/api/state", timeout=10).json()
    assert state["waiting"]["KS"] == 2  # two taps, two numbers: the retries took none


def test_free_counter_while_the_server_runs(live_server):
    lan = requests.Session()
    signed = lan.post(f"{live_server.url}/api/session", json={"name": "lan", "password": "lan12345", "counter": "1"},
                      timeout=10)
    assert signed.status_code == 200
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    minh = requests.post(f"{live_server.url}/api/session",
                         json={"name": "minh", "password": "minh1234", "counter": "1"}, timeout=10)
    assert minh.json()["error"] == "counter_taken"
    output = live_server.command("free-counter", "1").stdout
    assert "freed (was lan)" in output
    # lan keeps the session but no longer acts for counter 1.
    refused = lan.post(f"{live_server.url}/api/counters/1/next", headers=csrf, timeout=10)
    assert refused.status_code == 403 and refused.json()["error"] == "no_counter"
    assert lan.get(f"{live_server.url}/api/session", timeout=10).json()["user"]["name"] == "lan"
    minh = requests.post(f"{live_server.url}/api/session",
                         json={"name": "minh", "password": "minh1234", "counter": "1"}, timeout=10)
    assert minh.status_code == 200


def test_the_rollover_runs_on_its_timer_without_a_request(api, clock):
    clock.set(local(23, 23, 58))
    ticket = api.issue()
    api.call_next("1")
    expired = threading.Event()  # set by the store when the timer's rollover commits: no polling
    api.store.subscribe(lambda batch: any(e["kind"] == "expired" for e in batch) and expired.set())
    housekeeping = api.app.extensions["xephang_housekeeping"]
    housekeeping.tick_seconds = 0.05
    housekeeping.wake()
    clock.set(local(24, 0, 0) + timedelta(seconds=1))
    assert expired.wait(10), "the rollover timer did not run"
    assert api.engine.get_ticket(ticket["id"], with_history=False)["status"] == "expired"
    state = api.client.get("/api/state").get_json()
    assert state["recent_calls"] == [] and all(c["current"] is None for c in state["counters"])


def test_replay_is_answered_through_the_test_client_too(api):
    headers = {"Authorization": f"Bearer {KIOSK}", "Idempotency-Key": "x" * 101}
    assert_error(api.client.post("/api/tickets", json={"service": "KS"}, headers=headers), 400,
                 "invalid_idempotency_key")


def test_after_a_restart_a_phone_hears_its_place_move_without_any_status_page(live_server):
    from bench.feed import FeedFollower

    first, second = (post_ticket(live_server, {"service": "KS"}).json() for _ in range(2))
    live_server.kill()
    live_server.start()  # nobody opens /t/<token> after this: only the phone's socket reconnects
    token = second["status_url"].rsplit("/", 1)[1]
    phone = FeedFollower(live_server.url, {"ticket": token}).connect()
    try:
        assert phone.wait_for(lambda f: len(f.tickets) == 1 and f.tickets[0]["position"] == 1)
        called = requests.post(f"{live_server.url}/api/counters/1/next", headers=live_server.headers("demo-counter-1"),
                               timeout=10)
        assert called.json()["id"] == first["id"]
        assert phone.wait_for(lambda f: f.tickets[-1]["position"] == 0)
    finally:
        phone.close()
