"""python -m bench signin_flood: kiosk issue latency while 4 clients flood POST /api/session with wrong passwords.

One kiosk client issues tickets one after another (as a kiosk does) for `--seconds`, first with no flood,
then while 4 processes post wrong passwords as fast as the server answers (half to the real name
"lan", half to unknown names, as an anonymous script on the lobby Wi-Fi would). The shipped
config.toml's printers print (rate limit off, so the kiosk is not refused). Target: p99 moves < 20 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import time

from bench.report import run_and_report
from bench.issue import SERVICES, percentile
from bench.server import BenchServer


def _flood(port: int, stop_at: float, results) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent, codes = 0, {}
    while time.time() < stop_at:
        name = "lan" if sent % 2 == 0 else f"nobody-{sent}"
        body = json.dumps({"name": name, "password": f"wrong-{sent}"})
        connection.request("POST", "/api/session", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        codes[response.status] = codes.get(response.status, 0) + 1
        sent += 1
    results.put(codes)


def _kiosk_latencies(port: int, seconds: float) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": "Bearer demo-kiosk-1", "Content-Type": "application/json"}
    latencies, stop_at, n = [], time.time() + seconds, 0
    while time.time() < stop_at:
        body = json.dumps({"service": SERVICES[n % len(SERVICES)], "priority": None})
        began = time.perf_counter()
        connection.request("POST", "/api/tickets", body, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        n += 1
        time.sleep(0.05)  # a busy kiosk, not a load generator
    return latencies


def run_once(seconds: float, flooders: int) -> dict:
    context = multiprocessing.get_context("fork")
    with BenchServer("gevent", printing=True) as server:
        quiet = _kiosk_latencies(server.port, seconds)
        results = context.Queue()
        stop_at = time.time() + seconds + 1
        floods = [context.Process(target=_flood, args=(server.port, stop_at, results)) for _ in range(flooders)]
        for flood in floods:
            flood.start()
        time.sleep(0.5)  # let the flood reach full strength
        flooded = _kiosk_latencies(server.port, seconds)
        codes: dict = {}
        for _ in floods:
            for code, count in results.get(timeout=120).items():
                codes[str(code)] = codes.get(str(code), 0) + count
        for flood in floods:
            flood.join()
    line = {"benchmark": "signin_flood", "flooders": flooders, "seconds": seconds,
            "quiet_p50_ms": round(percentile(quiet, 0.5) * 1000, 2),
            "quiet_p99_ms": round(percentile(quiet, 0.99) * 1000, 2),
            "flood_p50_ms": round(percentile(flooded, 0.5) * 1000, 2),
            "flood_p99_ms": round(percentile(flooded, 0.99) * 1000, 2),
            "kiosk_requests": len(quiet) + len(flooded), "sign_in_answers": codes}
    line["p99_moved_ms"] = round(line["flood_p99_ms"] - line["quiet_p99_ms"], 2)
    return line


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench signin_flood")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median line")
    args = parser.parse_args(argv)
    run_and_report(lambda: run_once(args.seconds, args.flooders), args.runs)
    return 0
