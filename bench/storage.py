"""python -m bench storage: do screens keep answering while another process holds SQLite's write lock?

A real server (gevent) on a free port. One client reads `/api/state` (what every lobby display and kiosk
fetches) as fast as it can, while 4 kiosk threads keep posting tickets. Measured twice for `--seconds`:
with the database free, and while a second process holds `BEGIN IMMEDIATE` (as a DB browser or a backup
tool can). Prints the read latency p50/p99 and how the writes were answered (201 / 503) and how long a
refused write took. Before issue 8 item 12 SQLite's busy handler slept in C for up to 10 s per write,
freezing every read with it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time

import requests

from bench.server import BenchServer
from tests.web.storage_support import HOLDER


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def phase(server: BenchServer, seconds: float, locked: bool) -> dict:
    holder = None
    if locked:
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(server.db)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "locked"
    stop = time.monotonic() + seconds
    reads: list[float] = []
    writes: list[tuple[int, float]] = []

    def reader():
        session = requests.Session()
        while time.monotonic() < stop:
            started = time.perf_counter()
            session.get(f"{server.url}/api/state", timeout=30).raise_for_status()
            reads.append((time.perf_counter() - started) * 1000)

    def kiosk():
        session = requests.Session()
        session.headers["Authorization"] = "Bearer demo-kiosk-1"
        services = ("KS", "KH", "GCN", "CT-BS")  # spread over several daily caps
        while time.monotonic() < stop:
            started = time.perf_counter()
            service = services[len(writes) % len(services)]
            response = session.post(f"{server.url}/api/tickets", json={"service": service}, timeout=30)
            writes.append((response.status_code, (time.perf_counter() - started) * 1000))

    threads = [threading.Thread(target=reader)] + [threading.Thread(target=kiosk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if holder:
        holder.stdin.write("go\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
    refused = [ms for status, ms in writes if status == 503]
    return {"benchmark": "storage", "write_lock_held": locked, "reads": len(reads),
            "read_p50_ms": round(statistics.median(reads), 1), "read_p99_ms": round(percentile(reads, 0.99), 1),
            "writes_201": sum(1 for status, _ in writes if status == 201), "writes_503": len(refused),
            "other_statuses": sorted({status for status, _ in writes} - {201, 503}),
            "refused_write_p50_ms": round(statistics.median(refused), 1) if refused else None}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench storage")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median lines")
    args = parser.parse_args(argv)
    lines: dict[bool, list[dict]] = {False: [], True: []}
    with BenchServer() as server:
        for _ in range(args.runs):
            for locked in (False, True):
                lines[locked].append(phase(server, args.seconds, locked))
                print(json.dumps(lines[locked][-1]), flush=True)
    if args.runs > 1:
        for group in lines.values():
            median = {k: (statistics.median(line[k] for line in group)
                          if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                      for k, v in group[0].items()}
            print(json.dumps({**median, "summary": f"median of {args.runs} runs"}), flush=True)
    return 0
