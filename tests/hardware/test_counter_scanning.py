"""Serial scanners wired into the running server: bytes on a pty (or TCP, as the demo does) become
queue actions and device events that every screen receives.

Real parts only: `python server.py` (gevent) with a config.toml whose [[scanners]] entry points at a
pty's stable link, the realtime feed over Socket.IO, the HTTP API. The frame-level rules of the reader
itself are tested in test_scanner.py; these tests are about what reaches the queue and the screens.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading

import pytest
import requests

from bench.feed import FeedFollower
from tests.conftest import ROOT, LiveServer, free_port
from tests.hardware.counter_scanners import (WAIT, PtyScanner, config_with_scanner, plug_in, scanner_states,
                                             wait_until)

PREFIX = "]Q1"  # the AIM symbology identifier many scanners put before a QR code's text


@pytest.fixture
def scanner_link(tmp_path):
    return tmp_path / "usb-Honeywell_Xenon_1900-if00"


@pytest.fixture
def pty_scanner(scanner_link):
    scanners = [PtyScanner()]
    plug_in(scanner_link, scanners[0])
    yield scanners
    for scanner in scanners:
        scanner.unplug()


@pytest.fixture
def server(tmp_path, scanner_link, pty_scanner):
    config = config_with_scanner(tmp_path, str(scanner_link), prefix=PREFIX)
    live = LiveServer(tmp_path / "queue.db", config=config)
    live.command("seed-demo")
    live.start()
    yield live
    live.stop()


@pytest.fixture
def feed(server):
    follower = FeedFollower(server.url, {"counter": "1", "token": "demo-counter-1"}).connect()  # staff: sees reasons
    assert follower.wait_for(lambda f: f.snapshot is not None)
    yield follower
    follower.close()


def issue(server, service="KS") -> dict:
    response = requests.post(f"{server.url}/api/tickets", json={"service": service},
                             headers=server.headers("demo-kiosk-1"), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def act(server, ticket: dict, action: str) -> dict:
    response = requests.post(f"{server.url}/api/tickets/{ticket['id']}/{action}",
                             headers=server.headers("demo-counter-1"), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def ticket_state(server, ticket: dict) -> dict:
    return requests.get(f"{server.url}/api/tickets/{ticket['id']}", headers=server.headers("demo-counter-1"),
                        timeout=10).json()


def next_event(feed, kinds: tuple[str, ...]) -> dict:
    """Wait for the next event of one of `kinds` after those already seen, and mark it seen."""
    seen = feed.__dict__.setdefault("checked", 0)
    found = {}

    def arrived(follower):
        for index in range(seen, len(follower.events)):
            if follower.events[index]["kind"] in kinds:
                found["event"], found["index"] = follower.events[index], index
                return True
        return False

    assert feed.wait_for(arrived, timeout=WAIT), f"no {kinds} event; got {[e['kind'] for e in feed.events]}"
    feed.checked = found["index"] + 1
    return found["event"]


def test_scans_over_a_pty_call_start_refuse_and_survive_a_replug(server, feed, pty_scanner, scanner_link):
    wait_until(lambda: scanner_states(server) == ["connected"], "the scanner to connect")
    tickets = [issue(server) for _ in range(4)]
    plugged = pty_scanner[0]

    # CR-terminated frame with the prefix: a waiting ticket (not the next one) is called at counter 1.
    plugged.send(f"{PREFIX}{tickets[2]['status_url']}\r".encode())
    called = next_event(feed, ("called", "scan_rejected"))
    assert (called["kind"], called["ticket_id"], called["counter"]) == ("called", tickets[2]["id"], "1")
    assert called["details"]["reason"] == "scanned" and called["details"]["out_of_order"] is True
    history = ticket_state(server, tickets[2])["history"]
    assert history[-1]["actor"] == "scanner:1"

    # CRLF: the same ticket again, now the counter's called ticket → serving.
    plugged.send(f"{PREFIX}{tickets[2]['status_url']}\r\n".encode())
    started = next_event(feed, ("started", "scan_rejected"))
    assert (started["kind"], started["ticket_id"]) == ("started", tickets[2]["id"])
    act(server, tickets[2], "finish")

    # Garbage, a very long line, another barcode: each refused with a message for counter 1, nothing called.
    plugged.send(b"\x00\xff\x1b\r")
    garbage = next_event(feed, ("scan_rejected", "called"))
    assert (garbage["kind"], garbage["counter"], garbage["details"]["code"]) == ("scan_rejected", "1", "unreadable_scan")
    assert "Quầy số 1" in garbage["details"]["message"]
    plugged.send(b"A" * 5000 + b"\r")
    long_line = next_event(feed, ("scan_rejected", "called"))
    assert long_line["details"]["code"] == "unreadable_scan" and "256" in long_line["details"]["reason"]
    plugged.send(f"{PREFIX}8935049501234\r".encode())
    assert next_event(feed, ("scan_rejected", "called"))["details"]["code"] == "not_a_ticket"
    assert [ticket_state(server, t)["status"] for t in tickets] == ["waiting", "waiting", "done", "waiting"]

    # A frame without the prefix (the scanner was reprogrammed) still works.
    plugged.send(f"{tickets[0]['status_url']}\r".encode())
    assert next_event(feed, ("called", "scan_rejected"))["ticket_id"] == tickets[0]["id"]
    act(server, tickets[0], "no-show")

    # Unplug: counter 1's screen is told; replug through the same by-id link: told again, and scans work.
    plugged.unplug()
    unplugged = next_event(feed, ("scanner_status",))
    assert (unplugged["counter"], unplugged["details"]["status"]) == ("1", "disconnected")
    assert scanner_states(server) == ["disconnected"]
    replugged = PtyScanner()
    pty_scanner.append(replugged)
    plug_in(scanner_link, replugged)
    back = next_event(feed, ("scanner_status",))
    assert (back["counter"], back["details"]["status"]) == ("1", "connected")
    assert scanner_states(server) == ["connected"]
    replugged.send(f"{PREFIX}{tickets[3]['status_url']}\r\n".encode())
    again = next_event(feed, ("called", "scan_rejected"))
    assert (again["kind"], again["ticket_id"], again["counter"]) == ("called", tickets[3]["id"], "1")

    assert requests.get(f"{server.url}/healthz", timeout=10).json()["ok"] is True
    assert "Traceback" not in server.log.read_text(errors="replace")


class Simulator:
    """`python -m tools.scanner_simulator` in its own process, its stdin and stdout as the test's hands."""

    def __init__(self, config, db):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tools.scanner_simulator", "--config", str(config), "--db", str(db)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, start: str) -> str:
        """The next output line starting with `start` (earlier lines are skipped)."""
        while True:
            line = self.lines.get(timeout=WAIT * 2)
            assert line is not None, "the simulator exited"
            if line.startswith(start):
                return line

    def type(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def quit(self) -> int:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        return self.process.wait(timeout=WAIT)


def test_the_demo_simulator_scans_a_printed_number_over_tcp(tmp_path):
    """What README tells a demo visitor to do: run the simulator, type the number on a ticket."""
    config = config_with_scanner(tmp_path, f"socket://127.0.0.1:{free_port()}", suffix="\\r\\n")
    server = LiveServer(tmp_path / "queue.db", config=config)
    server.command("seed-demo")  # creates the database the simulator reads numbers from
    simulator = Simulator(config, server.db)
    try:
        simulator.expect("scanner of Quầy số 1 listening")
        server.start()
        simulator.expect("reader connected")
        follower = FeedFollower(server.url).connect()
        try:
            assert follower.wait_for(lambda f: f.snapshot is not None)
            first, second = issue(server), issue(server)
            simulator.type("list")
            assert simulator.expect("A001") == "A001 (waiting)  A002 (waiting)"
            simulator.type(second["number"])
            assert simulator.expect("scanned") == "scanned A002: sent to 1 reader(s)"
            called = next_event(follower, ("called", "scan_rejected"))
            assert (called["kind"], called["ticket_id"], called["counter"]) == ("called", second["id"], "1")
            simulator.type("Z999")
            simulator.expect("no ticket Z999 today")
            assert simulator.quit() == 0
            gone = next_event(follower, ("scanner_status",))
            assert gone["details"]["status"] == "disconnected"
            assert ticket_state(server, first)["status"] == "waiting"
        finally:
            follower.close()
    finally:
        simulator.quit()
        server.stop()
