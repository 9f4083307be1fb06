"""Realtime over real Socket.IO on loopback: snapshot on connect, every committed event with its seq."""

from __future__ import annotations

import requests
import socketio

from bench.feed import FeedFollower


def issue(server, service="KS", priority=None, kiosk="demo-kiosk-1"):
    response = requests.post(f"{server.url}/api/tickets", json={"service": service, "priority": priority},
                             headers=server.headers(kiosk), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_connect_gets_snapshot_then_each_event_in_seq_order(live_server):
    first = issue(live_server)
    display = FeedFollower(live_server.url, {"display": "display-1"}).connect()
    try:
        assert display.wait_for(lambda f: f.snapshot is not None)
        assert display.snapshot["seq"] == 1
        assert display.snapshot["waiting"]["KS"] == 1
        second = issue(live_server)
        called = requests.post(f"{live_server.url}/api/counters/1/next",
                               headers=live_server.headers("demo-counter-1"), timeout=10).json()
        assert called["id"] == first["id"]
        assert display.wait_for(lambda f: len(f.events) == 2)
        assert [e["seq"] for e in display.events] == [2, 3]
        assert [e["kind"] for e in display.events] == ["issued", "called"]
        assert display.events[0]["details"]["number"] == second["number"]
        assert display.events[1]["counter"] == "1"
        assert "actor" not in display.events[1]  # clerk names stay in the audit log
        assert display.resyncs == 0
    finally:
        display.close()


def test_resync_returns_a_snapshot_current_to_the_latest_seq(live_server):
    display = FeedFollower(live_server.url).connect()
    try:
        assert display.wait_for(lambda f: f.snapshot is not None)
        for _ in range(3):
            issue(live_server)
        assert display.wait_for(lambda f: f.seq == 3)
        display.client.emit("resync")
        assert display.wait_for(lambda f: f.snapshots == 2)
        assert display.snapshot["seq"] == 3
        assert display.snapshot["waiting"]["KS"] == 3
    finally:
        display.close()


def test_a_gap_makes_the_follower_ask_for_a_snapshot(live_server):
    display = FeedFollower(live_server.url).connect()
    try:
        assert display.wait_for(lambda f: f.snapshot is not None)
        with display.lock:  # pretend we missed events 1–2 (a dropped packet, a sleeping tablet)
            display.seq = -2
        issue(live_server)
        assert display.wait_for(lambda f: f.resyncs == 1 and f.snapshots == 2 and f.seq == 1)
    finally:
        display.close()


def test_phone_follows_its_ticket_and_sees_the_call(live_server):
    ticket = issue(live_server)
    token = ticket["status_url"].rsplit("/", 1)[1]
    phone = FeedFollower(live_server.url, {"ticket": token}).connect()
    try:
        assert phone.wait_for(lambda f: len(f.tickets) == 1)
        assert phone.tickets[0]["status"] == "waiting"
        requests.post(f"{live_server.url}/api/counters/2/next", headers=live_server.headers("demo-counter-2"),
                      timeout=10)
        assert phone.wait_for(lambda f: f.tickets[-1]["status"] == "called")
        assert phone.tickets[-1]["counter_name"] == "Quầy số 2"
        assert phone.events == []  # phones get their ticket's state, not the whole centre's feed
    finally:
        phone.close()


def test_unknown_ticket_token_is_refused(live_server):
    client = socketio.Client(reconnection=False)
    try:
        client.connect(live_server.url, auth={"ticket": "not-a-real-token"}, transports=["websocket"],
                       wait_timeout=5)
        connected = True
    except socketio.exceptions.ConnectionError:
        connected = False
    finally:
        client.disconnect()
    assert not connected


def test_a_refused_request_pushes_nothing(live_server):
    display = FeedFollower(live_server.url).connect()
    try:
        assert display.wait_for(lambda f: f.snapshot is not None)
        refused = requests.post(f"{live_server.url}/api/tickets", json={"service": "NOPE"},
                                headers=live_server.headers("demo-kiosk-1"), timeout=10)
        assert refused.status_code == 400
        issue(live_server)  # the next committed event is seq 1: nothing was pushed for the refusal
        assert display.wait_for(lambda f: len(f.events) == 1)
        assert display.events[0]["seq"] == 1
    finally:
        display.close()
