"""python -m bench issue: tickets/s through POST /api/tickets by 16 concurrent clients, calls/s through /next.

Clients are 4 processes × 4 threads with keep-alive http.client connections (one Python process could
not generate the load alone: the GIL would measure the client). Counters run next → start → finish,
as clerks do; calls/s counts /next calls per second of that loop, and latency is /next's own.
`--printing on` keeps the shipped printers (the demo's `fake`: render + PNG per ticket) instead of turning them off.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import platform
import sqlite3
import threading
import time

from bench.report import run_and_report
from bench.server import BenchServer

SERVICES = ("KS", "KH", "KT", "XNHN", "CT-BS", "CT-CK", "LLTP", "GPLX", "DKX", "TL-DN", "HKD", "GPXD")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def _issue_worker(port: int, threads: int, per_thread: int, start, results) -> None:
    latencies, statuses = [], []
    lock = threading.Lock()

    def run(index: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": "Bearer demo-kiosk-1", "Content-Type": "application/json"}
        mine, codes = [], []
        for n in range(per_thread):
            body = json.dumps({"service": SERVICES[(index + n) % len(SERVICES)], "priority": None})
            began = time.perf_counter()
            connection.request("POST", "/api/tickets", body, headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            codes.append(response.status)
        with lock:
            latencies.extend(mine)
            statuses.extend(codes)

    start.wait()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, statuses))


def _call_worker(port: int, counters: list[str], start, stop_at: float, results) -> None:
    latencies = []
    lock = threading.Lock()

    def run(counter: str):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer demo-counter-{counter}"}
        mine = []
        while time.time() < stop_at:
            began = time.perf_counter()
            connection.request("POST", f"/api/counters/{counter}/next", headers=headers)
            response = connection.getresponse()
            ticket = json.loads(response.read() or b"null")
            if response.status == 204:
                break
            mine.append(time.perf_counter() - began)
            for action in ("start", "finish"):
                connection.request("POST", f"/api/tickets/{ticket['id']}/{action}", headers=headers)
                connection.getresponse().read()
        with lock:
            latencies.extend(mine)

    start.wait()
    workers = [threading.Thread(target=run, args=(c,)) for c in counters]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, len(latencies)))


def _printed(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM events WHERE kind IN ('printed', 'print_failed')").fetchone()[0]


def issue_load(port: int, tickets: int, clients: int, processes: int) -> dict:
    """`tickets` POST /api/tickets by `clients` keep-alive clients in `processes` processes, all started
    at once: tickets, tickets/s, issue p50/p99 (ms), non-201 answers, and when issuing began and ended
    (perf_counter). bench notify measures its load with this too."""
    context = multiprocessing.get_context("fork")
    results, start = context.Queue(), context.Event()
    threads, per_thread = clients // processes, tickets // clients
    workers = [context.Process(target=_issue_worker, args=(port, threads, per_thread, start, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    start.set()
    latencies, statuses = [], []
    for _ in workers:
        mine, codes = results.get(timeout=600)
        latencies += mine
        statuses += codes
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return {"tickets": len(latencies), "tickets_per_s": round(len(latencies) / seconds, 1),
            "issue_p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
            "issue_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
            "non_201": sum(1 for s in statuses if s != 201), "issue_began": began, "issue_ended": began + seconds}


def run_once(async_mode: str, tickets: int, clients: int, processes: int, printing: bool = False) -> dict:
    context = multiprocessing.get_context("fork")
    with BenchServer(async_mode, printing=printing) as server:
        issued = issue_load(server.port, tickets, clients, processes)
        printed_by_then = _printed(server.db)
        results = context.Queue()

        # Calls: all 10 counters (split over the processes) drain the queue for at most 10 s.
        counters = [str(c) for c in range(1, 11)]
        start = context.Event()
        groups = [counters[i::processes] for i in range(processes)]
        callers = [context.Process(target=_call_worker, args=(server.port, g, start, time.time() + 10, results))
                   for g in groups]
        for caller in callers:
            caller.start()
        began = time.perf_counter()
        start.set()
        call_latencies = []
        for _ in callers:
            latencies, _count = results.get(timeout=600)
            call_latencies += latencies
        call_seconds = time.perf_counter() - began
        for caller in callers:
            caller.join()
        rss = server.rss_mb()

        with sqlite3.connect(server.db) as db:
            rows, distinct = db.execute("SELECT count(*), count(DISTINCT day || number) FROM tickets").fetchone()
    return {
        "benchmark": "issue", "async_mode": async_mode, "printing": printing, "clients": clients,
        "printed_when_issue_ended": printed_by_then,
        **{key: issued[key] for key in ("tickets", "tickets_per_s", "issue_p50_ms", "issue_p99_ms", "non_201")},
        "duplicates": rows - distinct,
        "calls": len(call_latencies), "calls_per_s": round(len(call_latencies) / call_seconds, 1),
        "next_p50_ms": round(percentile(call_latencies, 0.5) * 1000, 2),
        "next_p99_ms": round(percentile(call_latencies, 0.99) * 1000, 2),
        "server_rss_mb": rss, "machine": f"{platform.machine()} {multiprocessing.cpu_count()} cores",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench issue")
    parser.add_argument("--mode", choices=("gevent", "threading", "both"), default="gevent")
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median line")
    # Default both: a run always includes the figure with the shipped printers printing (what users run).
    parser.add_argument("--printing", choices=("off", "on", "both"), default="both",
                        help="on: the shipped config.toml's printers print every ticket (demo: fake, PNGs)")
    args = parser.parse_args(argv)
    modes = ("gevent", "threading") if args.mode == "both" else (args.mode,)
    printings = (False, True) if args.printing == "both" else (args.printing == "on",)
    for mode, printing in [(m, p) for m in modes for p in printings]:
        run_and_report(lambda: run_once(mode, args.tickets, args.clients, args.processes, printing), args.runs)
    return 0
