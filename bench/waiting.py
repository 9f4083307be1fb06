"""python -m bench waiting: one counter's waiting list with N waiting (issue 8 item 9).

The counter screen refetches it on every change in the centre, so its cost is paid many times a minute,
on the event loop. In-process (engine and store, no HTTP), the shipped config.toml, a crowd over eight
thủ tục with 20 % priority tickets; counter 10 serves all of them. Prints the median and p99 time of one
list and the SQL statements it runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.report import run_and_report
from core.clock import FixedClock
from core.engine import QueueEngine
from core.settings import load_settings
from store import Store

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("KS", "KH", "KT", "XNHN", "GCN", "CT-BS", "LLTP", "NCC")


def run_once(waiting: int, repeats: int) -> dict:
    settings = load_settings(ROOT / "config.toml")
    settings = dataclasses.replace(settings, hours=dataclasses.replace(settings.hours, enforce=False))
    clock = FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo(settings.centre.timezone.key)))
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        engine = QueueEngine(settings, store, clock)
        chance = random.Random(1)
        for _ in range(waiting):
            engine.issue_ticket(chance.choice(SERVICES), "elderly" if chance.random() < 0.2 else None,
                                actor="kiosk:bench")
            clock.advance(seconds=20)
        listed = len(engine.waiting_list("10"))
        statements: list[str] = []
        store.connection.set_trace_callback(statements.append)
        engine.waiting_list("10")
        store.connection.set_trace_callback(None)
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            engine.waiting_list("10")
            times.append((time.perf_counter() - began) * 1000)
        store.close()
    times.sort()
    return {"benchmark": "waiting", "waiting": waiting, "listed": listed, "statements": len(statements),
            "p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(0.99 * (len(times) - 1))], 2)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench waiting")
    parser.add_argument("--waiting", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median line")
    args = parser.parse_args(argv)
    run_and_report(lambda: run_once(args.waiting, args.repeats), args.runs)
    return 0
