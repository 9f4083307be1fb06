"""Devices and users have a life cycle (issue 8 items 3 and 6), against the real server and its command line:
a replaced or revoked token is refused at once, open sockets included; staff sockets get the full feed,
anonymous ones get it without what clerks typed."""

from __future__ import annotations

import subprocess
import sys

import requests
import socketio

from bench.feed import FeedFollower
from tests.conftest import ROOT


def cli(server, *args: str) -> subprocess.CompletedProcess:
    """server.py's command line against the running server's database (another process, as an admin runs it)."""
    return subprocess.run([sys.executable, str(ROOT / "server.py"), "--config", str(server.config), "--db",
                           str(server.db), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def services(server, token: str) -> int:
    return requests.get(f"{server.url}/kiosk/kiosk-1/services", headers=server.headers(token), timeout=10).status_code


def test_add_device_again_is_refused_unless_it_replaces_the_old_token(live_server):
    assert services(live_server, "demo-kiosk-1") == 200
    again = cli(live_server, "add-device", "kiosk", "kiosk-1")
    assert again.returncode == 2 and "--replace" in again.stderr
    assert services(live_server, "demo-kiosk-1") == 200  # nothing changed
    replaced = cli(live_server, "add-device", "kiosk", "kiosk-1", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    new_token = replaced.stdout.strip().splitlines()[-1]
    assert services(live_server, "demo-kiosk-1") == 401  # at once: not after a cache runs out
    assert services(live_server, new_token) == 200


def test_list_devices_and_users(live_server):
    cli(live_server, "revoke-device", "display", "display-2")
    devices = cli(live_server, "list-devices").stdout.splitlines()
    assert "kiosk\tkiosk-1\tpaired" in "\n".join(devices)
    assert any(line.startswith("display\tdisplay-2\trevoked") for line in devices)
    cli(live_server, "disable-user", "hoa")
    users = dict(line.split("\t")[0:3:2] for line in cli(live_server, "list-users").stdout.splitlines())
    assert users["lan"] == "active" and users["hoa"].startswith("disabled")
    assert cli(live_server, "revoke-device", "display", "display-2").returncode == 1  # nothing left to revoke
    assert cli(live_server, "disable-user", "nobody").returncode == 2


def _wait_disconnected(follower: FeedFollower, timeout: float = 10) -> bool:
    with follower.lock:
        return follower.lock.wait_for(lambda: not follower.client.connected, timeout)


def _watch_disconnects(follower: FeedFollower) -> None:
    @follower.client.on("disconnect")
    def _gone(*_):
        with follower.lock:
            follower.lock.notify_all()


def test_a_revoked_counter_token_is_refused_at_once_and_its_socket_closed(live_server):
    counter = FeedFollower(live_server.url, {"counter": "1", "token": "demo-counter-1"})
    counter.client.reconnection = False
    _watch_disconnects(counter)
    counter.connect()
    try:
        assert counter.wait_for(lambda f: f.snapshot is not None)
        assert cli(live_server, "revoke-device", "counter", "1").returncode == 0
        called = requests.post(f"{live_server.url}/api/counters/1/next", headers=live_server.headers("demo-counter-1"),
                               timeout=10)
        assert called.status_code == 401 and called.json()["error"] == "invalid_token"
        assert _wait_disconnected(counter)
        again = socketio.Client(reconnection=False)
        try:
            again.connect(live_server.url, auth={"counter": "1", "token": "demo-counter-1"},
                          transports=["websocket"], wait_timeout=5)
            refused = False
        except socketio.exceptions.ConnectionError:
            refused = True
        assert refused
    finally:
        counter.close()


def sign_in(server, name: str, password: str, counter: str | None = None) -> requests.Session:
    browser = requests.Session()
    response = browser.post(f"{server.url}/api/session", json={"name": name, "password": password,
                                                                "counter": counter}, timeout=10)
    assert response.status_code == 200, response.text
    browser.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return browser


def _cookie_header(browser: requests.Session) -> dict:
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in browser.cookies)}


def test_a_disabled_clerk_is_signed_out_everywhere_open_socket_included(live_server):
    lan = sign_in(live_server, "lan", "lan12345", counter="1")
    screen = FeedFollower(live_server.url, {"counter": "1"}, headers=_cookie_header(lan))
    screen.client.reconnection = False
    _watch_disconnects(screen)
    screen.connect()
    try:
        assert screen.wait_for(lambda f: f.snapshot is not None)
        assert "status_url" in str(screen.snapshot) or screen.snapshot["counters"]  # a staff snapshot
        assert cli(live_server, "disable-user", "lan").returncode == 0
        assert lan.post(f"{live_server.url}/api/counters/1/pause", timeout=10).json()["error"] == "session_ended"
        assert _wait_disconnected(screen)
    finally:
        screen.close()


def test_a_counter_screen_whose_session_ended_is_refused_with_the_reason(live_server):
    lan = sign_in(live_server, "lan", "lan12345", counter="1")
    cookie = _cookie_header(lan)
    lan.delete(f"{live_server.url}/api/session", timeout=10)
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", lambda data: errors.append(data))
    try:
        client.connect(live_server.url, auth={"counter": "1"}, headers=cookie, transports=["websocket"],
                       wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        pass
    assert errors and errors[0]["data"]["code"] == "session_ended"


def test_clerks_notes_reach_staff_sockets_only(live_server):
    issued = requests.post(f"{live_server.url}/api/tickets", json={"service": "KS", "priority": None},
                           headers=live_server.headers("demo-kiosk-1"), timeout=10).json()
    lobby = FeedFollower(live_server.url, {"display": "display-1"}).connect()
    staff = FeedFollower(live_server.url, {"counter": "2", "token": "demo-counter-2"}).connect()
    try:
        assert lobby.wait_for(lambda f: f.snapshot is not None) and staff.wait_for(lambda f: f.snapshot is not None)
        counter = live_server.headers("demo-counter-1")
        requests.post(f"{live_server.url}/api/counters/1/call", json={"ticket": issued["id"],
                      "reason": "Bà Nguyễn Thị A, CCCD 001203004567"}, headers=counter, timeout=10)
        requests.post(f"{live_server.url}/api/tickets/{issued['id']}/transfer",
                      json={"service": "KH", "note": "Ông Trần Văn B, CCCD 079123456789"}, headers=counter, timeout=10)
        assert lobby.wait_for(lambda f: len(f.events) == 2) and staff.wait_for(lambda f: len(f.events) == 2)
        assert [e["kind"] for e in lobby.events] == [e["kind"] for e in staff.events] == ["called", "transferred"]
        assert staff.events[0]["details"]["reason"].startswith("Bà Nguyễn")
        assert staff.events[1]["details"]["note"].startswith("Ông Trần")
        assert "CCCD" not in str(lobby.events) and "reason" not in lobby.events[0]["details"]
        assert lobby.events[1]["details"]["to_service"] == "KH"  # what the lobby needs is still there
    finally:
        lobby.close()
        staff.close()


def test_public_state_carries_no_status_page_tokens(live_server):
    issued = requests.post(f"{live_server.url}/api/tickets", json={"service": "KS", "priority": None},
                           headers=live_server.headers("demo-kiosk-1"), timeout=10).json()
    requests.post(f"{live_server.url}/api/counters/1/next", headers=live_server.headers("demo-counter-1"), timeout=10)
    token = issued["status_url"].rsplit("/", 1)[-1]
    assert token not in requests.get(f"{live_server.url}/api/state", timeout=10).text
    lobby = FeedFollower(live_server.url, {"display": "display-1"}).connect()
    try:
        assert lobby.wait_for(lambda f: f.snapshot is not None)
        assert token not in str(lobby.snapshot)
    finally:
        lobby.close()


def test_resyncs_in_a_burst_cost_one_snapshot_a_second(live_server):
    follower = FeedFollower(live_server.url).connect()
    try:
        assert follower.wait_for(lambda f: f.snapshot is not None)
        for _ in range(50):
            follower.client.emit("resync")
        assert follower.wait_for(lambda f: f.snapshots == 2, timeout=5)  # one coalesced answer …
        assert not follower.wait_for(lambda f: f.snapshots > 2, timeout=1.5)  # … and no more
    finally:
        follower.close()
