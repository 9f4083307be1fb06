"""python -m bench monitor: how fast a call shows on every open monitor, and what the monitor costs the server.

The real server (bench/server.py, gevent, shipped printers off) with `--waiting` tickets waiting (600) over
the thủ tục of the 10 demo counters, every counter working (each serves a ticket), and `--monitors` (5)
Socket.IO clients signed in as a manager in room "monitor" (monitoring.py), in a separate process so
their JSON decoding does not share the caller's GIL. Then, one counter at a time, the clerk finishes the
ticket, waits `--gap` (a clerk does not press "Gọi tiếp" in the same millisecond), and calls the next:
latency is the time from the /next response arriving to each monitor receiving a push that shows that
ticket at that counter (time.time() on one machine). Server CPU is the process's user + system time
(/proc) over the measured calls, divided by the events they committed (finish + call) and by the
monitor computations they caused. One JSON line per run; `--runs 3` adds the median line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time

from bench.fanout import request
from bench.issue import percentile
from bench.report import run_and_report
from bench.server import ROOT, BenchServer

COUNTERS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
SERVICES = ("KS", "KH", "GCN", "CN-DD", "TL-DN", "CT-BS", "CT-CK", "GPXD", "GPLX", "XNHN")
MANAGER = ("bench-manager", "bench-manager-pw")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat fields 14 and 15)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def monitor_clients(url: str, cookie: str, count: int, ready, stop, results) -> None:
    """`count` monitors in this process; sends back [(client, ticket id at counter, counter, arrival)]."""
    import socketio

    arrivals, computations = [], []
    clients = []
    for index in range(count):
        client = socketio.Client(reconnection=False)

        def on_monitor(view, index=index):
            at = time.time()
            for counter in view["counters"]:
                if counter["ticket"]:
                    arrivals.append((index, counter["ticket"]["id"], counter["id"], at))
            computations.append(view["seq"])

        client.on("monitor", on_monitor)
        client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
        client.emit("monitor")
        clients.append(client)
    ready.put(count)
    stop.wait()
    for client in clients:
        client.disconnect()
    results.put((arrivals, len(computations)))


def run_once(waiting: int, monitors: int, calls: int, gap: float) -> dict:
    context = multiprocessing.get_context("fork")
    with BenchServer("gevent", printing=True) as server:  # the shipped printers print, as in a centre
        subprocess.run([sys.executable, "server.py", "--config", str(server.config), "--db", str(server.db),
                        "add-user", MANAGER[0], "--role", "manager", "--password", MANAGER[1]],
                       cwd=ROOT, check=True, capture_output=True)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for index in range(waiting + calls + len(COUNTERS)):
            status, ticket = request(connection, "POST", "/api/tickets", "demo-kiosk-1",
                                     {"service": SERVICES[index % len(SERVICES)], "priority": None})
            assert status == 201, ticket
        holding = {}
        for counter in COUNTERS:  # every counter working: a ticket at the desk
            token = f"demo-counter-{counter}"
            status, ticket = request(connection, "POST", f"/api/counters/{counter}/next", token)
            assert status == 200, ticket
            request(connection, "POST", f"/api/tickets/{ticket['id']}/start", token)
            holding[counter] = ticket["id"]

        connection.request("POST", "/api/session", json.dumps({"name": MANAGER[0], "password": MANAGER[1]}),
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        ready, stop, results = context.Queue(), context.Event(), context.Queue()
        watcher = context.Process(target=monitor_clients, args=(server.url, cookie, monitors, ready, stop, results))
        watcher.start()
        ready.get(timeout=120)
        time.sleep(1)

        answered, next_latencies = {}, []
        cpu_before, seq_before = cpu_seconds(server.process.pid), _seq(connection)
        for index in range(calls):
            counter = COUNTERS[index % len(COUNTERS)]
            token = f"demo-counter-{counter}"
            request(connection, "POST", f"/api/tickets/{holding.pop(counter)}/finish", token)
            time.sleep(gap)
            sent = time.time()
            status, ticket = request(connection, "POST", f"/api/counters/{counter}/next", token)
            answered_at = time.time()
            assert status == 200, (status, ticket)
            answered[(ticket["id"], counter)] = answered_at
            next_latencies.append(answered_at - sent)
            request(connection, "POST", f"/api/tickets/{ticket['id']}/start", token)
            holding[counter] = ticket["id"]
            time.sleep(gap)
        time.sleep(1)
        cpu_used, seq_after = cpu_seconds(server.process.pid) - cpu_before, _seq(connection)
        stop.set()
        arrivals, pushes = results.get(timeout=120)
        watcher.join(timeout=30)

    first_seen = {}
    for client, ticket_id, counter, at in arrivals:
        key = (client, ticket_id, counter)
        if (ticket_id, counter) in answered and key not in first_seen:
            first_seen[key] = at
    latencies = [at - answered[(ticket_id, counter)] for (_, ticket_id, counter), at in first_seen.items()]
    events = seq_after - seq_before
    return {
        "benchmark": "monitor", "waiting": waiting, "counters_working": len(COUNTERS), "monitors": monitors,
        "calls": calls, "receipts": len(latencies), "missing": calls * monitors - len(latencies),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1), "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "next_p50_ms": round(percentile(next_latencies, 0.5) * 1000, 1),
        "events": events, "pushes_per_monitor": round(pushes / monitors, 1),
        "server_cpu_ms_per_event": round(cpu_used * 1000 / max(1, events), 2),
        "server_cpu_ms_per_call": round(cpu_used * 1000 / calls, 2),
        "machine": f"{platform.machine()} {multiprocessing.cpu_count()} cores",
    }


def _seq(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    return json.loads(response.read())["seq"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench monitor")
    parser.add_argument("--waiting", type=int, default=600)
    parser.add_argument("--monitors", type=int, default=5)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between finish and the next call")
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median line")
    args = parser.parse_args(argv)
    run_and_report(lambda: run_once(args.waiting, args.monitors, args.calls, args.gap), args.runs)
    return 0
