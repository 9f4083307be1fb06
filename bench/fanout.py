"""python -m bench fanout: how fast one call reaches every screen and phone, and what it costs the server.

N real Socket.IO clients connect to the real server (bench/server.py): half lobby displays
(auth {"display"}), a tenth counter screens (auth {"counter"}), the rest phones following their own
ticket (auth {"ticket"}), spread over several processes of asyncio clients (bench/fanout_client.py).
Then counters call tickets one at a time through POST /api/counters/{id}/next; each call is pushed to
every display and counter screen and to the phone of the called ticket. Latency is the time from the
/next HTTP response arriving at the caller to the push arriving at each client, both read with
time.time() on this one machine. Calls are spaced so that each fan-out is measured alone.
Prints one JSON line per (async mode, N); `--runs 3` adds a median line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import platform
import statistics
import threading
import time

from bench.issue import percentile
from bench.server import BenchServer
from bench.fanout_client import client_process

COUNTERS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
SERVICE_AT = {"1": "KS", "2": "KH", "3": "GCN", "4": "CN-DD", "5": "TL-DN", "6": "CT-BS", "7": "CT-CK",
              "8": "GPXD", "9": "GPLX"}


def request(connection: http.client.HTTPConnection, method: str, path: str, token: str, body=None) -> tuple:
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else None


# Kiosks taking numbers while the calls are measured (--printing-per-second): the shipped config.toml's two
# kiosks, each for services no measured counter calls, so the printing load does not change the calls.
PRINTING_KIOSKS = (("demo-kiosk-1", "XNHN"), ("demo-kiosk-2", "LLTP"))


def keep_printing(port: int, per_second: float, stop: threading.Event, issued: list) -> None:
    """Take `per_second` numbers a second, shared by PRINTING_KIOSKS, until `stop` (each prints a ticket)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    index, began = 0, time.perf_counter()
    while not stop.is_set():
        token, service = PRINTING_KIOSKS[index % len(PRINTING_KIOSKS)]
        status, _ = request(connection, "POST", "/api/tickets", token, {"service": service, "priority": None})
        issued.append(status)
        index += 1
        stop.wait(max(0.0, began + index / per_second - time.perf_counter()))


def run_once(async_mode: str, clients: int, calls: int, processes: int, gap: float, deflate: bool = True,
             printing_per_second: float = 0.0) -> dict:
    displays, counter_screens = clients // 2, clients // 10
    phones = clients - displays - counter_screens
    context = multiprocessing.get_context("fork")
    threads = clients + 64 if async_mode == "threading" else 64   # gthread holds a thread per WebSocket
    with BenchServer(async_mode, threads=threads, printing=printing_per_second > 0) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        # Phones follow the oldest tickets of each counter's service, which are the ones the calls take.
        tokens, followed = [], set()
        for index in range(max(phones, calls)):
            counter = COUNTERS[index % len(COUNTERS)]
            status, ticket = request(connection, "POST", "/api/tickets", "demo-kiosk-1",
                                     {"service": SERVICE_AT[counter], "priority": None})
            assert status == 201, ticket
            tokens.append(ticket["status_url"].rsplit("/", 1)[1])
            if index < phones:
                followed.add(ticket["id"])
        auths = ([{"display": f"display-{1 + i % 2}"} for i in range(displays)]
                 + [{"counter": COUNTERS[i % len(COUNTERS)]} for i in range(counter_screens)]
                 + [{"ticket": token} for token in tokens[:phones]])
        ready, results, stop = context.Queue(), context.Queue(), context.Event()
        workers = [context.Process(target=client_process,
                                   args=("127.0.0.1", server.port, auths[i::processes], ready, stop, results, deflate))
                   for i in range(processes)]
        began = time.perf_counter()
        for worker in workers:
            worker.start()
        connected, failures = 0, []
        for _ in workers:
            count, failed = ready.get(timeout=600)
            connected += count
            failures += failed
        connect_seconds = time.perf_counter() - began
        rss_idle = server.rss_mb()

        # A fresh keep-alive connection: gunicorn closes one left idle for 2 s while the clients connected.
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        answered: dict[int, float] = {}
        next_latencies, holding = [], {}
        printer_stop, printed_statuses = threading.Event(), []
        printer = None
        if printing_per_second > 0:
            printer = threading.Thread(target=keep_printing, daemon=True,
                                       args=(server.port, printing_per_second, printer_stop, printed_statuses))
            printer.start()
            time.sleep(1)  # the printers are busy before the first measured call
        for index in range(calls):
            counter = COUNTERS[index % len(COUNTERS)]
            token = f"demo-counter-{counter}"
            if counter in holding:   # free the counter (not measured), then let that push settle
                request(connection, "POST", f"/api/tickets/{holding.pop(counter)}/no-show", token)
                time.sleep(gap / 2)
            sent = time.time()
            status, ticket = request(connection, "POST", f"/api/counters/{counter}/next", token)
            answered_at = time.time()
            assert status == 200, (status, ticket)
            answered[ticket["id"]] = answered_at
            next_latencies.append(answered_at - sent)
            holding[counter] = ticket["id"]
            time.sleep(gap)
        time.sleep(2)   # stragglers
        printer_stop.set()
        if printer:
            printer.join(timeout=30)
        rss = server.rss_mb()
        stop.set()
        arrivals, dropped, compressed = [], 0, 0
        for _ in workers:
            arrived, lost, deflated = results.get(timeout=120)
            arrivals += arrived
            dropped += lost
            compressed += deflated
        for worker in workers:
            worker.join(timeout=30)

    latencies = [at - answered[ticket] for ticket, at, _ in arrivals if ticket in answered]
    phone_calls = len(followed & set(answered))
    expected = calls * (displays + counter_screens) + phone_calls
    return {
        "benchmark": "fanout", "async_mode": async_mode, "clients": clients, "connected": connected,
        "displays": displays, "counter_screens": counter_screens, "phones": phones, "calls": calls,
        "receipts": len(latencies), "missing": expected - len(latencies), "dropped_connections": dropped,
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1), "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "next_p50_ms": round(percentile(next_latencies, 0.5) * 1000, 1),
        "server_rss_mb": rss, "server_rss_before_calls_mb": rss_idle, "connect_s": round(connect_seconds, 1),
        "client_processes": processes, "clients_offered_deflate": deflate, "deflate_accepted": compressed,
        "connect_failures": failures, "printing_per_second": printing_per_second,
        "tickets_printed_meanwhile": sum(1 for status in printed_statuses if status == 201),
        "machine": f"{platform.machine()} {multiprocessing.cpu_count()} cores",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fanout")
    parser.add_argument("--mode", choices=("gevent", "threading", "both"), default="gevent")
    parser.add_argument("--clients", default="200,2000", help="comma-separated client counts (default 200,2000)")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--gap", type=float, default=0.4, help="seconds between calls")
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median line")
    parser.add_argument("--printing-per-second", type=float, default=0.0,
                        help="kiosks take this many numbers a second, printed by the shipped printers (issue 8: 4)")
    parser.add_argument("--no-deflate", action="store_true",
                        help="clients do not offer permessage-deflate (browsers do; default: offer it)")
    args = parser.parse_args(argv)
    modes = ("gevent", "threading") if args.mode == "both" else (args.mode,)
    for mode in modes:
        for clients in (int(n) for n in args.clients.split(",")):
            lines = []
            for _ in range(args.runs):
                lines.append(run_once(mode, clients, args.calls, args.processes, args.gap, not args.no_deflate,
                                      args.printing_per_second))
                print(json.dumps(lines[-1]), flush=True)
            if args.runs > 1:
                median = {k: (statistics.median(l[k] for l in lines) if isinstance(v, (int, float)) else v)
                          for k, v in lines[0].items() if k != "connect_failures"}
                print(json.dumps({**median, "summary": f"median of {args.runs} runs"}), flush=True)
    return 0
