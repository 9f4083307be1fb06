"""python -m bench eta: how good the printed wait is on a simulated day, and what it costs (issue 9).

Result 1, per seed (bench/eta_day.py plays the day through the HTTP API, in-process with a FixedClock):
median and p90 absolute error of the printed estimate against the actual wait (first call − issue), bias
(mean printed − actual), share within ±3 min and ±25 %, tickets printed without an estimate — the very
figures the console's report computes (core/estimate_accuracy.py), here from what the kiosk received and
when the counters called. Targets: median ≤ 2.5, p90 ≤ 12, |bias| ≤ 1, 0 blanks.

Result 2: the estimate of every waiting ticket with 600 waiting (one forward simulation for the whole
centre): the simulation alone, and with the database reads it needs (`_forecast` with its memo cleared;
"cold" also re-reads the measured service times, as after each finish). Target < 5 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.eta_day import MIX, close_app, open_app, play, ZONE
from bench.report import median_line
from core import estimate_accuracy
from core.forecast import simulate

GROUPS = ("elderly", "disabled")


def day_result(seed: int, warmup_days: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        day, app = play(Path(folder), seed, warmup_days)
        try:
            figures = estimate_accuracy.error_figures(day.pairs(), day.blanks)
        finally:
            close_app(app)
    return {"benchmark": "eta", "result": "accuracy", "seed": seed, "tickets": len(day.tickets),
            "measured": figures["count"], "median_abs_min": round(figures["median_abs"], 2),
            "p90_abs_min": round(figures["p90_abs"], 2), "bias_min": round(figures["bias"], 2),
            "within_3_share": round(figures["within_3_share"], 3),
            "within_25_share": round(figures["within_25_share"], 3),
            "blank": day.blanks, "seconds": round(time.perf_counter() - began, 1)}


def _timed(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def crowd_result(waiting: int, repeats: int, seed: int) -> dict:
    """600 waiting over every thủ tục (10 % priority), nine counters serving and one on a break."""
    with tempfile.TemporaryDirectory() as folder:
        app, client, clock, settings = open_app(Path(folder), datetime(2026, 11, 23, 7, 30, tzinfo=ZONE))
        try:
            engine, chance = app.extensions["xephang"].engine, random.Random(seed)
            codes = list(MIX)
            for index in range(waiting + 37):  # 27 served and 10 at a counter below
                engine.issue_ticket(codes[index % len(codes)],
                                    chance.choice(GROUPS) if chance.random() < 0.1 else None, actor="kiosk:bench")
                clock.advance(seconds=5)
            for counter in settings.counters:  # 30 served (samples for the service times), then one each at a counter
                if counter != "10":
                    for _ in range(3):
                        called = engine.call_next(counter, actor="counter:" + counter)
                        clock.advance(minutes=4)
                        engine.start(called["id"], actor="counter:" + counter, counter_id=counter)
                        engine.finish(called["id"], actor="counter:" + counter, counter_id=counter)
            for counter in settings.counters:
                engine.call_next(counter, actor="counter:" + counter)
            engine.set_paused("10", True, actor="counter:10")
            clock.advance(minutes=3)
            store = engine.store
            with store.read() as tx:
                now = clock.now()
                engine._forecast_memo = None
                forecast, callable_today = engine._forecast(tx, now)
                inputs = _inputs(engine, tx, now)
                warm = _timed(lambda: (setattr(engine, "_forecast_memo", None), engine._forecast(tx, now)), repeats)
                cold = _timed(lambda: (setattr(engine, "_forecast_memo", None), setattr(engine, "_durations_key", None),
                                       engine._forecast(tx, now)), repeats)
            alone = _timed(lambda: simulate(*inputs[0], **inputs[1]), repeats)
            placed = len(forecast.tickets)
        finally:
            close_app(app)
    return {"benchmark": "eta", "result": "600_waiting", "waiting": len(callable_today), "placed": placed,
            "simulation_ms": round(alone, 2), "with_reads_ms": round(warm, 2), "with_reads_cold_ms": round(cold, 2)}


def _inputs(engine, tx, now):
    """The simulation's arguments as core/waits.py builds them (to time simulate() alone)."""
    captured = {}
    import core.waits as waits

    def capture(*args, **kwargs):
        captured["value"] = (args, kwargs)
        return simulate(*args, **kwargs)
    original = waits.simulate
    waits.simulate = capture
    try:
        engine._forecast_memo = None
        engine._forecast(tx, now)
    finally:
        waits.simulate = original
    return captured["value"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench eta")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="one simulated day per seed")
    parser.add_argument("--runs", type=int, default=None, help="use seeds 1…N instead of --seeds")
    parser.add_argument("--warmup-days", type=int, default=1, help="days played first for history (not measured)")
    parser.add_argument("--waiting", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--skip-day", action="store_true", help="only the 600-waiting timing")
    args = parser.parse_args(argv)
    seeds = list(range(1, args.runs + 1)) if args.runs else args.seeds
    if not args.skip_day:
        lines = []
        for seed in seeds:
            lines.append(day_result(seed, args.warmup_days))
            print(json.dumps(lines[-1]), flush=True)
        if len(lines) > 1:
            print(json.dumps(median_line(lines)), flush=True)
    timings = []
    for seed in seeds:
        timings.append(crowd_result(args.waiting, args.repeats, seed))
        print(json.dumps(timings[-1]), flush=True)
    if len(timings) > 1:
        print(json.dumps(median_line(timings)), flush=True)
    return 0
