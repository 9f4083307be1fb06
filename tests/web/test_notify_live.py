"""Notifications through the real server (gevent, python server.py) with real local gateways and receivers.

- a citizen leaves a phone number on the status page; the SMS gateway gets "còn 3 người nữa" once, then
  "mời bạn số … đến quầy số 1" when called, and the number never appears on the ticket's JSON;
- two webhook receivers get every ticket event in seq order with a valid HMAC: one from the start, one that
  is down (nothing listens on its port) while the queue moves and then gets everything it missed, in order;
- a gateway that answers 500 is retried until it answers 200; one that hangs is retried and ends as a dead
  letter (server.py list-dead-letters), and issuing stays fast all the while.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from bench.server import free_port
from tests.conftest import LiveServer, poll_until
from tests.web.notify_support import HttpReceiver, notify_config

SECRET_A, SECRET_B = "secret-of-receiver-a", "secret-of-receiver-b"
KIOSK = {"Authorization": "Bearer demo-kiosk-1"}
COUNTER = {"Authorization": "Bearer demo-counter-1"}


def start_server(directory: Path, config: Path) -> LiveServer:
    server = LiveServer(directory / "queue.db", config=config)
    server.command("seed-demo")
    return server.start()


def issue(server, count: int) -> list[dict]:
    return [requests.post(f"{server.url}/api/tickets", json={"service": "KS"}, headers=KIOSK, timeout=10).json()
            for _ in range(count)]


def serve_next(server) -> dict:
    ticket = requests.post(f"{server.url}/api/counters/1/next", headers=COUNTER, timeout=10).json()
    for action in ("start", "finish"):
        requests.post(f"{server.url}/api/tickets/{ticket['id']}/{action}", headers=COUNTER, timeout=10).raise_for_status()
    return ticket


def token_of(ticket: dict) -> str:
    return urlsplit(ticket["status_url"]).path.rsplit("/", 1)[1]


def leave_phone(server, ticket: dict, phone: str = "0912 345 678"):
    return requests.post(f"{server.url}/t/{token_of(ticket)}/phone", json={"phone": phone, "consent": True},
                         timeout=10)


def check_deliveries(receiver: HttpReceiver, secret: str) -> list[int]:
    """Every delivery's signature is right; returns the seqs of the deliveries answered 200, in order."""
    seqs = []
    for request in receiver.requests:
        expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request["headers"]["X-XepHang-Signature"], expected)
        body = json.loads(request["body"])
        assert request["headers"]["X-XepHang-Seq"] == str(body["seq"])
        assert request["headers"]["X-XepHang-Event"] == body["kind"]
        seqs.append(body["seq"])
    return seqs


@pytest.fixture
def gateway():
    receiver = HttpReceiver(answer=b'{"CodeResult":"100"}').start()
    yield receiver
    receiver.stop()


def test_queue_sms_and_webhooks_in_order_with_a_receiver_that_was_down(tmp_path, gateway):
    receiver_a = HttpReceiver().start()
    receiver_b = HttpReceiver(port=free_port())  # not started: nothing listens there yet
    config = notify_config(tmp_path, f"{gateway.url}/sms", webhooks=((f"{receiver_a.url}/hook", SECRET_A),
                                                                     (f"{receiver_b.url}/hook", SECRET_B)),
                           retry_seconds=1, retry_max_seconds=1)
    server = start_server(tmp_path, config)
    try:
        tickets = issue(server, 6)
        answer = leave_phone(server, tickets[5])
        assert answer.status_code == 201 and answer.json() == {"phone": "09******78"}
        state = requests.get(f"{server.url}/t/{token_of(tickets[5])}/state", timeout=10).text
        assert "0912345678" not in state and "912 345" not in state and "phone" not in state
        serve_next(server)                    # 4 ahead of A006: nothing yet
        serve_next(server)                    # 3 ahead: "còn 3 người nữa"
        gateway.wait_for(lambda g: g.answered >= 1, what="the ahead SMS")
        for _ in range(3):
            serve_next(server)
        called = serve_next(server)           # A006 itself
        assert called["number"] == tickets[5]["number"]
        gateway.wait_for(lambda g: g.answered >= 2, what="the call SMS")
        texts = [json.loads(r["body"]) for r in gateway.requests]
        assert [t["to"] for t in texts] == ["84912345678", "84912345678"]
        assert "còn 3 người nữa đến lượt số A006" in texts[0]["text"]
        assert texts[1]["text"].endswith("mời bạn số A006 đến quầy số 1.")

        last_seq = requests.get(f"{server.url}/api/state", timeout=10).json()["seq"]
        receiver_a.wait_for(lambda r: r.answered and json.loads(r.requests[-1]["body"])["seq"] == last_seq,
                            what="receiver A up to date")
        seqs_a = check_deliveries(receiver_a, SECRET_A)
        assert seqs_a == sorted(set(seqs_a)) and len(seqs_a) == 6 * 4  # issued, called, started, finished
        kinds = [json.loads(r["body"])["kind"] for r in receiver_a.requests]
        assert kinds[:6] == ["issued"] * 6 and kinds[6:10] == ["called", "started", "finished", "called"]
        first = json.loads(receiver_a.requests[0]["body"])
        assert first["ticket"]["number"] == "A001" and first["service"] == "KS"

        server.kill()                         # our server dies too (kill -9) and comes back while B is down
        server.start()
        receiver_b.start()                    # B comes back: it gets what it missed, in order, nothing twice
        receiver_b.wait_for(lambda r: r.answered >= len(seqs_a), what="receiver B catching up")
        assert check_deliveries(receiver_b, SECRET_B) == seqs_a
        listing = server.command("list-dead-letters").stdout
        assert "outbox: 0 pending, 2 sent, 0 dead" in listing and "up to date" in listing
    finally:
        server.stop()
        receiver_a.stop()
        receiver_b.stop()


def test_phone_field_refuses_bad_input_with_vietnamese_messages(tmp_path, gateway):
    server = start_server(tmp_path, notify_config(tmp_path, f"{gateway.url}/sms"))
    try:
        [ticket] = issue(server, 1)
        url = f"{server.url}/t/{token_of(ticket)}/phone"
        cases = [({"phone": "0112345678", "consent": True}, 400, "invalid_phone"),
                 ({"phone": "0912345678"}, 400, "consent_required"),
                 ({"phone": "0912345678", "consent": "yes"}, 400, "invalid_field"),
                 ({"phone": "0" * 5000, "consent": True}, 400, "invalid_phone"),
                 ({"phone": "0912345678", "consent": True, "name": "Lan"}, 400, "unknown_field")]
        for body, status, code in cases:
            answer = requests.post(url, json=body, timeout=10)
            assert (answer.status_code, answer.json()["error"]) == (status, code), body
        assert requests.post(url, data="phone=0912345678", timeout=10).json()["error"] == "json_required"
        missing = requests.post(f"{server.url}/t/no-such-token/phone", json={"phone": "0912345678", "consent": True},
                                timeout=10)
        assert missing.status_code == 404
        assert leave_phone(server, ticket).status_code == 201
        assert leave_phone(server, ticket, "0987654321").json() == {"phone": "09******21"}
        assert requests.delete(url, json={}, timeout=10).json() == {"forgotten": True}
        page = requests.get(f"{server.url}/t/{token_of(ticket)}", timeout=10).text
        assert "sms-form" in page and "09******21" not in page
        assert leave_phone(server, ticket, "0987654322").status_code == 201    # the third time
        assert leave_phone(server, ticket, "0987654323").status_code == 429    # erasing does not reset the count
        serve_next(server)
        assert leave_phone(server, ticket).json()["error"] == "ticket_closed"
    finally:
        server.stop()


def issue_latencies(server, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        began = time.perf_counter()
        requests.post(f"{server.url}/api/tickets", json={"service": "KT"}, headers=KIOSK, timeout=10).raise_for_status()
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def test_a_failing_gateway_is_retried_and_a_hanging_one_never_slows_issuing(tmp_path):
    failing = HttpReceiver(fail_first=2).start()
    hanging = HttpReceiver(mode="hang", hang_seconds=60).start()
    directory_a, directory_b = tmp_path / "a", tmp_path / "b"
    directory_a.mkdir(), directory_b.mkdir()
    server = start_server(directory_a, notify_config(directory_a, failing.url, retry_seconds=1, retry_max_seconds=1))
    try:
        tickets = issue(server, 2)
        leave_phone(server, tickets[1]).raise_for_status()  # 1 ahead: "còn 1 người" at once
        failing.wait_for(lambda g: g.answered == 1, what="the third attempt answered 200")
        assert failing.refused == 2 and len(failing.requests) == 3
        assert json.loads(failing.requests[0]["body"]) == json.loads(failing.requests[2]["body"])
    finally:
        server.stop()
        failing.stop()

    server = start_server(directory_b, notify_config(directory_b, hanging.url, retry_seconds=1, retry_max_seconds=1,
                                                     max_attempts=2))
    try:
        tickets = issue(server, 4)            # KS, before any KT: 0, 1, 2 and 3 ahead
        quiet = issue_latencies(server, 30)   # KT behind them, while the gateway has nothing to do
        for ticket in tickets[1:]:            # 1–3 ahead: each one's "còn N người" hangs at the gateway
            leave_phone(server, ticket).raise_for_status()
        hanging.wait_for(lambda g: len(g.requests) >= 1, what="a hanging request")
        hung = issue_latencies(server, 30)
        assert hanging.answered == 0
        # Issuing does not wait for the gateway: the same order of latency as before it hung.
        assert statistics.median(hung) < max(50.0, 3 * statistics.median(quiet)), (quiet, hung)
        assert max(hung) < 1000, hung

        def dead_letters() -> str:  # another process's state: nothing pushes it, so ask the CLI again
            listing = server.command("list-dead-letters").stdout
            return listing if re.search(r"outbox: 0 pending, 0 sent, 3 dead", listing) else ""

        listing = poll_until(dead_letters, timeout=60, what="three dead letters", every=0.5)
        assert "09******78" in listing and "0912345678" not in listing and "timed out" in listing
        assert listing.count("2 attempt(s)") == 3
        assert "3 dead letter(s) queued again" in server.command("retry-dead-letters").stdout
        hanging.wait_for(lambda g: len(g.requests) >= 7, what="the dead letters tried again")
    finally:
        server.stop()
        hanging.stop()


def test_the_phone_field_works_on_the_public_side_and_refuses_other_sites(tmp_path, gateway):
    public_port = free_port()
    server = LiveServer(tmp_path / "queue.db", config=notify_config(tmp_path, f"{gateway.url}/sms"),
                        options=("--public-host", "127.0.0.1", "--public-port", str(public_port)))
    server.command("seed-demo")
    server.start()
    try:
        [ticket] = issue(server, 1)
        url = f"http://127.0.0.1:{public_port}/t/{token_of(ticket)}/phone"
        refused = requests.post(url, json={"phone": "0912345678", "consent": True},
                                headers={"Origin": "http://evil.example"}, timeout=10)
        assert (refused.status_code, refused.json()["error"]) == (403, "cross_site")
        answer = requests.post(url, json={"phone": "0912345678", "consent": True}, timeout=10)
        assert answer.status_code == 201 and answer.json() == {"phone": "09******78"}
        assert requests.delete(url, json={}, timeout=10).json() == {"forgotten": True}
        # Nothing else of notifications on the public side: the console's page is staff-only.
        assert requests.get(f"http://127.0.0.1:{public_port}/admin/notifications", timeout=10).status_code == 404
    finally:
        server.stop()


def test_a_message_queued_before_a_crash_is_sent_after_the_restart(tmp_path):
    gateway = HttpReceiver(port=free_port())  # not listening yet: every attempt fails
    server = start_server(tmp_path, notify_config(tmp_path, gateway.url, retry_seconds=1, retry_max_seconds=1))
    try:
        tickets = issue(server, 2)
        leave_phone(server, tickets[1]).raise_for_status()  # 1 ahead: "còn 1 người" queued at once

        def tried() -> str:
            listing = server.command("list-dead-letters").stdout
            return listing if "outbox: 1 pending" in listing else ""

        poll_until(tried, what="the message pending")
        server.kill()                          # kill -9 with the message still pending
        gateway.start()
        server.start()
        gateway.wait_for(lambda g: g.answered == 1, what="the message after the restart")
        assert "còn 1 người nữa đến lượt số" in json.loads(gateway.requests[0]["body"])["text"]
    finally:
        server.stop()
        gateway.stop()
