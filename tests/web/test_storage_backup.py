"""`server.py backup FILE` while tickets are issued; the copy opens, is whole, and restores a centre."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import subprocess
import sys

import requests

from load import issuer
from tests.conftest import ROOT


def run_backup(server, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "server.py"), "--db", str(server.db), "backup", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def ticket_ids(path) -> set[int]:
    with sqlite3.connect(path) as db:
        ids = {row[0] for row in db.execute("SELECT id FROM tickets")}
    db.close()
    return ids


def test_backup_while_issuing_holds_every_ticket_that_got_a_201(live_server, tmp_path):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=issuer, args=(live_server.url, "demo-kiosk-1", 150, results, i))
                 for i in range(3)]
    for process in processes:
        process.start()
    messages = []
    while sum(1 for m in messages if m[0] == "issued") < 60:  # well into the load
        messages.append(results.get(timeout=60))
    promised_before = {m[1] for m in messages if m[0] == "issued"}
    during = run_backup(live_server, str(tmp_path / "during.db"))
    assert during.returncode == 0, during.stderr
    assert "integrity ok" in during.stdout
    done = 0
    while done < len(processes):
        message = results.get(timeout=120)
        messages.append(message)
        done += message[0] == "issuer_done"
    for process in processes:
        process.join(timeout=30)
    assert [m for m in messages if m[0] == "error"] == []  # the backup refused no ticket

    copy = ticket_ids(tmp_path / "during.db")
    assert promised_before <= copy  # every 201 before the backup began is in it
    with sqlite3.connect(tmp_path / "during.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        events = [row[0] for row in db.execute("SELECT seq FROM events ORDER BY seq")]
        assert events == list(range(1, len(events) + 1))
        issued = {row[0] for row in db.execute("SELECT ticket_id FROM events WHERE kind = 'issued'")}
        assert issued == copy  # a consistent snapshot: each ticket with its event, nothing half-copied
    db.close()

    after = run_backup(live_server, str(tmp_path / "after.db"))
    assert after.returncode == 0, after.stderr
    promised = {m[1] for m in messages if m[0] == "issued"}
    assert ticket_ids(tmp_path / "after.db") == promised

    # Restore (README "Backup and restore"): stop the server, put the copy in place, start again.
    live_server.stop()
    for suffix in ("", "-wal", "-shm"):
        (live_server.db.parent / f"{live_server.db.name}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "during.db", live_server.db)
    live_server.start()
    state = requests.get(f"{live_server.url}/api/state", timeout=30).json()
    assert state["seq"] == len(events)
    ticket = requests.post(f"{live_server.url}/api/tickets", json={"service": "KS"},
                           headers=live_server.headers("demo-kiosk-1"), timeout=30)
    assert ticket.status_code == 201


def test_backup_refuses_the_live_database_and_an_existing_file(live_server, tmp_path):
    for target in (live_server.db, live_server.db.parent / "." / live_server.db.name,
                   live_server.db.parent / f"{live_server.db.name}-wal"):
        refused = run_backup(live_server, str(target))
        assert refused.returncode == 2 and "live database" in refused.stderr
    link = tmp_path / "link.db"
    link.symlink_to(live_server.db)
    assert run_backup(live_server, str(link)).returncode == 2
    assert requests.get(f"{live_server.url}/healthz", timeout=30).status_code == 200  # untouched

    first = run_backup(live_server, str(tmp_path / "copy.db"))
    assert first.returncode == 0, first.stderr
    again = run_backup(live_server, str(tmp_path / "copy.db"))
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert run_backup(live_server, str(tmp_path / "copy.db"), "--overwrite").returncode == 0
