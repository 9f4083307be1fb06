"""Another process holds the write lock: writes get a quick 503, reads go on, and the recovery is an event."""

from __future__ import annotations

import sqlite3
import threading
import time

import requests

from bench.feed import FeedFollower
from tests.web.api_support import is_vietnamese
from tests.web.storage_support import WriteLockHolder


def issue(server, service="KS"):
    return requests.post(f"{server.url}/api/tickets", json={"service": service, "priority": None},
                         headers=server.headers("demo-kiosk-1"), timeout=30)


def test_locked_database_refuses_writes_fast_while_reads_answer(live_server):
    first = issue(live_server)
    assert first.status_code == 201
    staff = FeedFollower(live_server.url, {"counter": "1"}).connect()
    try:
        assert staff.wait_for(lambda f: f.snapshot is not None)
        with WriteLockHolder(live_server.db):
            answers, finished = {}, {}

            def write():
                started = time.monotonic()
                answers["issue"] = issue(live_server)
                answers["seconds"] = time.monotonic() - started
                finished["issue"] = time.monotonic()

            writer = threading.Thread(target=write)
            writer.start()
            # While the kiosk's write waits for the lock, the lobby and the kiosk still get their pages.
            for path, token in (("/api/state", None), ("/kiosk/kiosk-1/services", "demo-kiosk-1"),
                                ("/display/display-1", None)):
                headers = live_server.headers(token) if token else {}
                response = requests.get(f"{live_server.url}{path}", headers=headers, timeout=30)
                assert response.status_code == 200, path
                finished[path] = time.monotonic()
            writer.join(timeout=30)
            assert all(finished[path] < finished["issue"] for path in finished if path != "issue"), \
                "a read waited for the refused write: the server froze"
            refused = answers["issue"]
            assert refused.status_code == 503
            body = refused.json()
            assert body["error"] == "storage_busy" and is_vietnamese(body["message"])
            assert int(refused.headers["Retry-After"]) > 0
            assert answers["seconds"] < 8, "waited like SQLite's 10 s busy handler"
            # A clerk's write is refused the same way; nothing changed.
            called = requests.post(f"{live_server.url}/api/counters/1/next",
                                   headers=live_server.headers("demo-counter-1"), timeout=30)
            assert called.status_code == 503 and called.json()["error"] == "storage_busy"
            health = requests.get(f"{live_server.url}/healthz", timeout=30)
            assert health.status_code == 503
            assert health.json()["storage"]["state"] == "busy" and health.json()["storage"]["refused"] == 2
            with sqlite3.connect(live_server.db) as db:  # a WAL reader, like the server's own reads
                assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
                assert db.execute("SELECT max(seq) FROM events").fetchone()[0] == 1
        # The lock is gone: the store's probe commits storage_recovered without any request.
        assert staff.wait_for(lambda f: any(e["kind"] == "storage_recovered" for e in f.events))
        assert requests.get(f"{live_server.url}/healthz", timeout=30).status_code == 200
        recovered = next(e for e in staff.events if e["kind"] == "storage_recovered")
        assert recovered["seq"] == 2 and recovered["details"]["state"] == "busy"
        assert recovered["details"]["refused"] == 2 and recovered["details"]["seconds"] > 0
        second = issue(live_server)
        assert second.status_code == 201
        assert second.json()["number"] == "A002"  # the refused write took no number
    finally:
        staff.close()
