"""python -m bench reports: the reports over a year of history, through the real (gevent) server.

The database is made once with `server.py seed-history --days 250 --per-day 1000` (kept at --db, default
data/bench-reports.db, and reused: seeding a year through the engine takes a while). Each run measures,
as a manager over HTTP: the whole year's report as JSON and as the page with its charts, one day's
(JSON and page), the XLSX of the last full month, and ticket issue throughput through POST /api/tickets
with and without report traffic at the same time (four pollers of the board and the day's report, once a
second each, which make the summary catch up with the new tickets). Targets (issue 12): year < 2 s, day < 200 ms,
month XLSX < 5 s, issue throughput within 10 %. Also prints the database's size.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path

import requests

from bench.report import run_and_report
from bench.server import ROOT, BenchServer

SERVICES = ("KS", "KH", "CT-BS", "CT-CK", "GPLX", "DKX", "LLTP", "XNHN")


def make_database(db: Path, days: int, per_day: int) -> float:
    """seed-history into a new database; returns the seconds it took."""
    began = time.monotonic()
    subprocess.run([sys.executable, "server.py", "--config", "config.toml", "--db", str(db), "seed-history",
                    "--days", str(days), "--per-day", str(per_day)], cwd=ROOT, check=True)
    return time.monotonic() - began


def database_size_mb(db: Path) -> float:
    size = sum(os.path.getsize(p) for p in (db, Path(f"{db}-wal")) if p.exists())
    return round(size / 1e6, 1)


def seeded_range(db: Path) -> tuple[str, str, int]:
    """The seeded days (not today's: every run issues tickets today) and how many tickets they hold."""
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    connection = sqlite3.connect(db)
    first, last, tickets = connection.execute("SELECT min(day), max(day), count(*) FROM report_facts "
                                              "WHERE day < ?", (today,)).fetchone()
    connection.close()
    return first, last, tickets


def last_full_month(last: str) -> tuple[str, str]:
    end = date.fromisoformat(last).replace(day=1) - timedelta(days=1)
    return end.replace(day=1).isoformat(), end.isoformat()


def timed_get(session: requests.Session, url: str) -> tuple[float, int, int]:
    began = time.perf_counter()
    response = session.get(url, timeout=120)
    return time.perf_counter() - began, response.status_code, len(response.content)


def issue_rate(port: int, tickets: int = 400, threads: int = 4) -> float:
    """Tickets per second through POST /api/tickets by `threads` keep-alive clients."""
    def run(index: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": "Bearer demo-kiosk-1", "Content-Type": "application/json"}
        for n in range(tickets // threads):
            connection.request("POST", "/api/tickets", json.dumps({"service": SERVICES[(index + n) % len(SERVICES)],
                                                                   "priority": None}), headers)
            response = connection.getresponse()
            response.read()
            assert response.status in (200, 201), response.status

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return tickets / (time.perf_counter() - began)


def pollers(url: str, session_cookies, stop: threading.Event, count: int = 4, every: float = 1.0) -> list[threading.Thread]:
    """Report traffic while tickets are issued: each poller fetches the board and today's report in turn,
    once a `every` seconds (a board refetches at most every 2 s, board.js; four pollers = a busy lobby)."""
    def poll(index: int):
        session = requests.Session()
        session.cookies.update(session_cookies)
        paths = ["/display/display-1/board.json", "/admin/reports/data.json"]
        n = index
        while not stop.is_set():
            session.get(url + paths[n % 2], timeout=60, headers={"Accept": "application/json"})
            n += 1
            stop.wait(every)
    threads = [threading.Thread(target=poll, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports")
    parser.add_argument("--db", default=str(ROOT / "data" / "bench-reports.db"))
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    db = Path(args.db)
    seed_seconds = None
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        seed_seconds = round(make_database(db, args.days, args.per_day), 1)
    first, last, tickets = seeded_range(db)
    month_from, month_to = last_full_month(last)
    def run() -> dict:
        # Each run on a fresh copy of the seeded year: the tickets a run issues stay waiting today, and the
        # next run's issuing (whose printed estimate simulates every waiting ticket) would pay for them.
        server = BenchServer(printing=True)  # the shipped printers print, as in a centre
        copy = Path(server.directory.name) / "year.db"
        with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        server.db = copy  # this history, not a new empty centre (seed-demo adds the demo's logins to it)
        with server:
            return measure(server)

    def measure(server) -> dict:
        session = requests.Session()
        signed_in = session.post(f"{server.url}/api/session", json={"name": "quanly", "password": "quanly123"})
        assert signed_in.status_code == 200, signed_in.text
        base = f"{server.url}/admin/reports"
        line = {"bench": "reports", "tickets": tickets, "days": f"{first}…{last}", "db_mb": database_size_mb(db)}
        for name, url in (("year_json_s", f"{base}/data.json?from={first}&to={last}"),
                          ("year_page_s", f"{base}?from={first}&to={last}"),
                          ("day_json_s", f"{base}/data.json?from={last}&to={last}"),
                          ("day_page_s", f"{base}?from={last}&to={last}"),
                          ("month_xlsx_s", f"{base}/export.xlsx?from={month_from}&to={month_to}"),
                          ("board_s", f"{server.url}/display/display-1/board.json")):
            seconds, status, size = timed_get(session, url)
            assert status == 200, (name, status)
            line[name] = round(seconds, 3)
            if name == "month_xlsx_s":
                line["month_xlsx_kb"] = round(size / 1024)
        line["issue_per_s"] = round(issue_rate(server.port), 1)
        stop = threading.Event()
        threads = pollers(server.url, session.cookies, stop)
        line["issue_per_s_with_reports"] = round(issue_rate(server.port), 1)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        line["issue_ratio"] = round(line["issue_per_s_with_reports"] / line["issue_per_s"], 3)
        if seed_seconds is not None:
            line["seed_s"] = seed_seconds
        return line

    run_and_report(run, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
