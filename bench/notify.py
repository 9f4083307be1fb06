"""python -m bench notify: what notifications cost the queue, and how many messages a second they send.

Two runs of the real server (gevent), the same load, notifications off and on:

- off: no SMS gateway, no e-mail, no webhook (config.toml's [notify] emptied);
- on:  an SMS gateway (a local HTTP server in a process of its own, answering at once), `--phones` citizens who
  left a phone number on their ticket's page (so every call sends "mời bạn đến quầy" and every place
  within notify.ahead a "còn N người"), and two webhook receivers: one answering at once, one slow
  (`--slow-ms` per event, far slower than events come: it falls behind and must not slow anything else).

Measured: ticket issue throughput and p50/p99 through POST /api/tickets (16 clients, bench/issue.py's
workers), then call → display latency: counter 1 calls the phone tickets one by one (next, start,
finish), and an anonymous Socket.IO client (a lobby display) stamps each "called" push; p50/p99 from the
/next answer to the push. With notifications on: SMS/s (from the first to the last SMS the gateway got),
webhook events/s to the fast receiver while the issue load ran, and when the last of all the run's events
reached it (in seq order, however late). One JSON line per run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import re
import tempfile
import socket
import threading
import time
from pathlib import Path

from bench.issue import issue_load, percentile
from bench.report import median_line
from bench.server import ROOT, BenchServer, roomy_caps_text, unlimited_kiosks_text

SECRET = "bench-webhook-secret"


def config_text(notifications: bool, sms_url: str, hooks: list[str]) -> str:
    # The shipped printers print (render + PNG), as in a centre; only the kiosks' rate limit is lifted.
    text = roomy_caps_text(unlimited_kiosks_text((ROOT / "config.toml").read_text(encoding="utf-8")))
    text = text.replace('[notify.sms]\nurl = "fake"', f'[notify.sms]\nurl = "{sms_url if notifications else ""}"')
    text = text.replace('[notify.email]\nhost = "fake"', '[notify.email]\nhost = ""')
    text = re.sub(r"(?m)^per_recipient_per_hour = \d+", "per_recipient_per_hour = 1000", text)
    if notifications:
        for url in hooks:
            text += f'\n[[notify.webhooks]]\nurl = "{url}"\nsecret = "{SECRET}"\ntimeout_seconds = 5\n'
    return text


class Receiver:
    """A local HTTP server that answers 200 after `delay` seconds and counts what arrived, with times
    (time.perf_counter: CLOCK_MONOTONIC, the same clock in every process of this machine)."""

    def __init__(self, delay: float = 0.0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        receiver = self
        self.delay, self.times, self.lock = delay, [], threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def setup(self):  # one answer = one segment: no Nagle × delayed-ACK 40 ms stall per request
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)  # the slow receiver, on purpose
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    return  # the server went away first (the end of a run): not a delivery
                with receiver.lock:
                    receiver.times.append(time.perf_counter())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.times)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RemoteReceiver:
    """A Receiver in a process of its own, so its threads do not share the GIL with the display client that
    stamps the pushes (their work would show up as call → display latency)."""

    def __init__(self, delay: float = 0.0):
        context = multiprocessing.get_context("fork")
        self._pipe, child = context.Pipe()
        self.process = context.Process(target=_serve_receiver, args=(delay, child), daemon=True)
        self.process.start()
        self.url = self._pipe.recv()
        self._lock = threading.Lock()

    def _ask(self, what: str):
        with self._lock:
            self._pipe.send(what)
            return self._pipe.recv()

    def count(self) -> int:
        return self._ask("count")

    @property
    def times(self) -> list[float]:
        return self._ask("times")

    def stop(self) -> None:
        self._ask("stop")
        self.process.join(5)


def _serve_receiver(delay: float, pipe) -> None:
    receiver = Receiver(delay)
    pipe.send(receiver.url)
    while True:
        what = pipe.recv()
        if what == "count":
            pipe.send(receiver.count())
        elif what == "times":
            with receiver.lock:
                pipe.send(list(receiver.times))
        else:
            receiver.stop()
            pipe.send(None)
            return


def _post(connection, path: str, token: str | None, body=None) -> tuple[int, dict | None]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request("POST", path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else None


def calls_to_display(port: int, url: str, ticket_ids: list[int]) -> list[float]:
    """Counter 1 calls each ticket (they are first in its queue); seconds from the /next answer to the push."""
    import socketio

    arrived: dict[int, float] = {}
    pushed = threading.Condition()
    client = socketio.Client(reconnection=False)

    @client.on("event")
    def on_event(data):
        if data.get("kind") == "called":
            with pushed:
                arrived[data["ticket_id"]] = time.perf_counter()
                pushed.notify_all()

    client.connect(url, transports=["websocket"], wait_timeout=10)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    try:
        for _ in ticket_ids:
            status, ticket = _post(connection, "/api/counters/1/next", "demo-counter-1")
            answered = time.perf_counter()
            with pushed:
                pushed.wait_for(lambda: ticket["id"] in arrived, timeout=10)
            latencies.append(arrived.get(ticket["id"], float("inf")) - answered)
            for action in ("start", "finish"):
                _post(connection, f"/api/tickets/{ticket['id']}/{action}", "demo-counter-1")
    finally:
        client.disconnect()
    return latencies


def run_once(notifications: bool, tickets: int, clients: int, processes: int, phones: int, slow_ms: int) -> dict:
    gateway, fast, slow = RemoteReceiver(), RemoteReceiver(), RemoteReceiver(delay=slow_ms / 1000)
    directory = tempfile.TemporaryDirectory(prefix="xh-bench-notify-")
    config = Path(directory.name) / "config.toml"
    config.write_text(config_text(notifications, gateway.url, [fast.url, slow.url]), encoding="utf-8")
    try:
        with BenchServer("gevent", config=config) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            # The phone tickets come first: counter 1 (KS among its thủ tục) calls them in order later.
            followed = []
            for _ in range(phones):
                status, ticket = _post(connection, "/api/tickets", "demo-kiosk-1", {"service": "KS", "priority": None})
                followed.append(ticket)
                if notifications:
                    token = ticket["status_url"].rsplit("/", 1)[1]
                    status, _ = _post(connection, f"/t/{token}/phone", None,
                                      {"phone": f"09{12000000 + len(followed):08d}", "consent": True})
                    assert status == 201, status
            hooks_before = fast.count()
            load = issue_load(server.port, tickets, clients, processes)
            hooks_during = fast.count() - hooks_before
            sms_before = gateway.count()
            calls = calls_to_display(server.port, server.url, [t["id"] for t in followed])
            expected = gateway.count()
            deadline = time.monotonic() + 60
            while notifications and gateway.count() < sms_before + phones and time.monotonic() < deadline:
                threading.Event().wait(0.05)  # the gateway is in this process: its count is the condition
            sms_times = gateway.times[sms_before:] if notifications else []
            # Every ticket event (issued, called, started, finished) to the fast receiver, however late.
            events = phones + load["tickets"] + 3 * len(calls)
            while notifications and fast.count() < events and time.monotonic() < deadline + 120:
                threading.Event().wait(0.05)
            fast_times = fast.times if notifications else []
            caught_up = fast_times[-1] - load["issue_began"] if fast_times else 0
            all_delivered = fast.count() >= events if notifications else None
            slow_events = slow.count()
    finally:
        gateway.stop(), fast.stop(), slow.stop()
        directory.cleanup()
    sms_span = (sms_times[-1] - sms_times[0]) if len(sms_times) > 1 else 0
    return {
        "benchmark": "notify", "notifications": notifications, "phones": phones if notifications else 0,
        "webhooks": 2 if notifications else 0, "slow_receiver_ms": slow_ms if notifications else 0,
        **{k: v for k, v in load.items() if not k.startswith("issue_began") and k != "issue_ended"},
        "calls": len(calls), "call_to_display_p50_ms": round(percentile(calls, 0.5) * 1000, 2),
        "call_to_display_p99_ms": round(percentile(calls, 0.99) * 1000, 2),
        "sms_sent": len(sms_times), "sms_per_s": round((len(sms_times) - 1) / sms_span, 1) if sms_span else 0,
        "webhook_events_during_issue": hooks_during,
        "webhook_events_per_s_during_issue": round(hooks_during / (load["issue_ended"] - load["issue_began"]), 1),
        "sms_before_calls_done": expected - sms_before,
        "webhook_all_delivered": all_delivered, "webhook_last_delivered_after_issue_began_s": round(caught_up, 1),
        "slow_receiver_events": slow_events if notifications else 0,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench notify")
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--phones", type=int, default=100, help="tickets whose citizen left a phone number")
    parser.add_argument("--slow-ms", type=int, default=200, help="the slow webhook receiver's delay per event")
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median line")
    parser.add_argument("--only", choices=("off", "on", "both"), default="both")
    args = parser.parse_args(argv)
    modes = {"off": (False,), "on": (True,), "both": (False, True)}[args.only]
    # Off and on alternate (off, on, off, on, …): on a shared, noisy machine a slow minute then costs both.
    lines: dict[bool, list[dict]] = {mode: [] for mode in modes}
    for _ in range(args.runs):
        for notifications in modes:
            lines[notifications].append(run_once(notifications, args.tickets, args.clients, args.processes,
                                                 args.phones, args.slow_ms))
            print(json.dumps(lines[notifications][-1]), flush=True)
    if args.runs > 1:
        for notifications in modes:
            print(json.dumps(median_line(lines[notifications])), flush=True)
    return 0
