"""The live monitor over the real server: who may watch, pushes after a call, alerts on a moved clock,
one breach event across a restart (monitoring.py, core/monitor.py)."""

from __future__ import annotations

import queue
import time

import pytest
import requests
import socketio

from tests.conftest import LiveServer, quiet_kiosks_config

MANAGER = ("quanly-test", "quanly-test-123")


class Watcher:
    """A Socket.IO client that asks for `ask` ("monitor" or "alerts") on connect and queues what comes back."""

    def __init__(self, url: str, ask: str, *, auth: dict | None = None, headers: dict | None = None):
        self.received: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("monitor", "monitor_refused", "alerts"):
            self.client.on(name, lambda data, name=name: self.received.put((name, data)))
        self.client.connect(url, auth=auth or {}, headers=headers or {}, transports=["websocket"], wait_timeout=10)
        self.client.emit(ask)

    def next(self, kind: str, until=lambda data: True, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                name, data = self.received.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if name == kind and until(data):
                return data
        raise AssertionError(f"no {kind} push matching the condition within {timeout} s")

    def close(self):
        self.client.disconnect()


def signed_in(server, name: str, password: str) -> dict:
    browser = requests.Session()
    response = browser.post(f"{server.url}/api/session", json={"name": name, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in browser.cookies)}


@pytest.fixture
def server(tmp_path):
    offset = tmp_path / "clock-offset"
    offset.write_text("0")
    server = LiveServer(tmp_path / "queue.db", config=quiet_kiosks_config(tmp_path),
                        options=("--clock-offset-file", str(offset)))
    server.offset_file = offset
    server.command("seed-demo")
    server.command("add-user", MANAGER[0], "--role", "manager", "--password", MANAGER[1])
    server.start()
    yield server
    server.stop()


def issue(server, service: str = "KS") -> dict:
    response = requests.post(f"{server.url}/api/tickets", headers=server.headers("demo-kiosk-1"),
                             json={"service": service, "priority": None}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def history_kinds(server, ticket_id: int) -> list[str]:
    response = requests.get(f"{server.url}/api/tickets/{ticket_id}", headers=server.headers("demo-counter-1"), timeout=10)
    return [event["kind"] for event in response.json()["history"]]


def test_only_managers_and_admins_watch_and_a_call_reaches_the_monitor(server):
    clerk = Watcher(server.url, "monitor", headers=signed_in(server, "lan", "lan12345"))
    anonymous = Watcher(server.url, "monitor")
    device = Watcher(server.url, "monitor", auth={"token": "demo-counter-1"})
    manager = Watcher(server.url, "monitor", headers=signed_in(server, *MANAGER))
    try:
        for refused in (clerk, anonymous, device):
            assert refused.next("monitor_refused")["code"] == "forbidden_role"
        first = manager.next("monitor")
        assert {c["id"]: c["state"] for c in first["counters"]}["1"] == "unstaffed"
        ticket = issue(server)
        manager.next("monitor", lambda view: view["totals"]["waiting"] == 1)
        called = requests.post(f"{server.url}/api/counters/1/next", headers=server.headers("demo-counter-1"),
                               timeout=10).json()
        view = manager.next("monitor", lambda view: view["counters"][0]["ticket"] is not None)
        assert view["counters"][0]["ticket"]["number"] == called["number"] == ticket["number"]
        assert view["counters"][0]["state"] == "calling"
        for refused in (clerk, anonymous, device):  # nothing leaked to them meanwhile
            assert all(name != "monitor" for name, _ in list(refused.received.queue))
    finally:
        for watcher in (clerk, anonymous, device, manager):
            watcher.close()


def test_the_monitor_state_route_is_for_managers_and_admins(server):
    url = f"{server.url}/admin/monitor/state"
    manager = requests.Session()
    manager.post(f"{server.url}/api/session", json={"name": MANAGER[0], "password": MANAGER[1]}, timeout=10)
    assert manager.get(url, timeout=10).json()["wait_target_minutes"] == 15
    assert requests.get(url, headers=server.headers("demo-counter-1"), timeout=10).status_code == 403
    assert requests.get(url, timeout=10, headers={"Accept": "application/json"}).status_code == 401


def test_a_wait_past_the_target_is_logged_once_bannered_and_survives_a_restart(server):
    ticket = issue(server, "KS")
    counter = Watcher(server.url, "alerts", auth={"counter": "1", "token": "demo-counter-1"})
    other = Watcher(server.url, "alerts", auth={"counter": "3", "token": "demo-counter-3"})  # GCN only
    manager = Watcher(server.url, "alerts", headers=signed_in(server, *MANAGER))
    try:
        assert counter.next("alerts")["alerts"] == [] and manager.next("alerts")["alerts"] == []
        server.offset_file.write_text(str(15 * 60 + 5))   # 15 min 5 s later, nobody acting: the timer sees it
        banner = counter.next("alerts", lambda data: data["alerts"], timeout=10)["alerts"][0]
        assert (banner["kind"], banner["service"], banner["number"]) == ("wait_target_breached", "KS", ticket["number"])
        assert manager.next("alerts", lambda data: data["alerts"])["alerts"][0]["service"] == "KS"
        assert other.next("alerts")["alerts"] == []
        assert history_kinds(server, ticket["id"]).count("wait_target_breached") == 1
    finally:
        for watcher in (counter, other, manager):
            watcher.close()

    server.stop()
    server.offset_file.write_text(str(20 * 60))
    server.start()
    manager = Watcher(server.url, "monitor", headers=signed_in(server, *MANAGER))
    try:
        view = manager.next("monitor")
        ks = next(s for s in view["services"] if s["code"] == "KS")
        assert ks["breached"] and ks["longest_wait_seconds"] >= 20 * 60
        requests.post(f"{server.url}/api/counters/1/next", headers=server.headers("demo-counter-1"), timeout=10)
        manager.next("monitor", lambda view: not view["alerts"])
    finally:
        manager.close()
    kinds = history_kinds(server, ticket["id"])
    assert kinds.count("wait_target_breached") == 1, kinds
