"""A full disk: SQLITE_FULL becomes 503 storage_full, nothing half-written, and writes resume after."""

from __future__ import annotations

import os
import subprocess

import pytest
import requests

from tests.conftest import LiveServer, poll_until, quiet_kiosks_config
from tests.web.api_support import KIOSK, assert_error, bearer


def test_full_database_answers_503_storage_full_and_writes_nothing(api):
    """PRAGMA max_page_count makes SQLite's file "full" at its current size: a real SQLITE_FULL."""
    connection = api.store.connection
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    refused = None
    for _ in range(500):
        before = api.rows()
        response = api.client.post("/api/tickets", json={"service": "KS", "priority": None}, headers=bearer(KIOSK))
        if response.status_code != 201:
            refused = response
            break
    assert refused is not None, "the database never filled up"
    body = assert_error(refused, 503, "storage_full")
    assert body["retry_after"] > 0 and refused.headers["Retry-After"]
    assert api.rows() == before  # the refused ticket left no row, no event, no counter change
    health = api.client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["storage"]["state"] == "full"
    assert api.client.get("/api/state").status_code == 200  # reads still work

    connection.execute("PRAGMA max_page_count = 1073741823")  # space again
    issued = api.client.post("/api/tickets", json={"service": "KS", "priority": None}, headers=bearer(KIOSK))
    assert issued.status_code == 201
    kinds = api.event_kinds()
    assert kinds[-2:] == ["storage_recovered", "issued"]  # recorded in the same transaction as the ticket
    assert issued.get_json()["number"] == f"A{len(before['tickets']) + 1:03d}"
    assert api.client.get("/healthz").status_code == 200


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (needs root and mount): a real disk that fills up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_on_a_running_server(small_disk, tmp_path):
    server = LiveServer(small_disk / "queue.db", config=quiet_kiosks_config(tmp_path))
    server.log = tmp_path / "server.log"  # not on the disk that will fill
    server.command("seed-demo")
    server.start()
    try:
        url, kiosk = server.url, server.headers("demo-kiosk-1")
        assert requests.post(f"{url}/api/tickets", json={"service": "KS"}, headers=kiosk, timeout=30).status_code == 201
        filler = small_disk / "filler"
        with open(filler, "wb", buffering=0) as handle:  # take every free byte (unbuffered: close cannot fail)
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        statuses = []
        for _ in range(200):  # the WAL may have room for a few more frames before the disk says no
            response = requests.post(f"{url}/api/tickets", json={"service": "KS"}, headers=kiosk, timeout=30)
            statuses.append(response.status_code)
            if response.status_code != 201:
                break
        assert response.status_code == 503, statuses[-3:]
        assert response.json()["error"] == "storage_full"
        assert 500 not in statuses
        issued_before = statuses.count(201) + 1
        assert requests.get(f"{url}/api/state", timeout=30).status_code == 200
        assert requests.get(f"{url}/healthz", timeout=30).json()["storage"]["state"] == "full"

        filler.unlink()
        poll_until(lambda: requests.get(f"{url}/healthz", timeout=30).status_code == 200, what="writes to resume")
        again = requests.post(f"{url}/api/tickets", json={"service": "KS"}, headers=kiosk, timeout=30)
        assert again.status_code == 201
        assert again.json()["number"] == f"A{issued_before + 1:03d}"  # no number lost, none doubled
    finally:
        server.kill()
