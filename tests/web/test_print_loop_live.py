"""A kiosk printer that stops taking bytes must not freeze the real gevent server (issue 8 item 7).

kiosk-2's printer is file:// on a FIFO whose reader takes 4 KB and then stops reading, as a USB
printer holding its buffer does. While kiosk-2's ticket is stuck in that write, the server must keep
answering: health, the lobby's snapshot and kiosk-1, whose `fake` printer still prints. Once the
"printer" reads again the stuck ticket prints in full. Conditions and ordering, no timing thresholds.
"""

from __future__ import annotations

import array
import fcntl
import json
import os
import sqlite3
import termios
import urllib.request

from bench.server import unlimited_kiosks_text
from tests.conftest import CONFIG, LiveServer, poll_until
from tests.fakes.escpos_printer import decode_raster

F_SETPIPE_SZ = 1031


def print_outcomes(db, ticket_id: int) -> list[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT kind FROM events WHERE ticket_id = ? AND kind IN ('printed', "
                                  "'print_failed')", (ticket_id,)).fetchall()
    return [row[0] for row in rows]


def request(server, method: str, path: str, token: str | None = None, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    with urllib.request.urlopen(urllib.request.Request(server.url + path, data, headers, method=method),
                                timeout=10) as response:  # a frozen server fails here
        return response.status, json.loads(response.read() or b"null")


def test_a_stuck_file_printer_leaves_the_server_answering(tmp_path):
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(reader, F_SETPIPE_SZ, 4096)
    text = unlimited_kiosks_text(CONFIG.read_text(encoding="utf-8"))
    text = text.replace('id = "kiosk-2"\nname = "Kiosk cửa phụ"\nprinter = "fake"',
                        f'id = "kiosk-2"\nname = "Kiosk cửa phụ"\nprinter = "file://{fifo}"')
    assert f"file://{fifo}" in text
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    server = LiveServer(tmp_path / "queue.db", config=config)
    server.command("seed-demo")
    server.start()
    try:
        status, stuck = request(server, "POST", "/api/tickets", "demo-kiosk-2", {"service": "LLTP", "priority": None})
        assert status == 201

        def pipe_full():
            pending = array.array("i", [0])
            fcntl.ioctl(reader, termios.FIONREAD, pending)
            return pending[0] >= 4096
        poll_until(pipe_full, what="the printer write to fill the FIFO")

        # The job is stuck in its write, and everything else still answers.
        assert request(server, "GET", "/healthz")[0] == 200
        assert request(server, "GET", "/api/state")[0] == 200
        status, other = request(server, "POST", "/api/tickets", "demo-kiosk-1", {"service": "KS", "priority": None})
        assert status == 201
        poll_until(lambda: print_outcomes(server.db, other["id"]) == ["printed"], what="kiosk-1's ticket to print")
        assert print_outcomes(server.db, stuck["id"]) == []

        received = bytearray()

        def drained():
            try:
                received.extend(os.read(reader, 65536))
            except BlockingIOError:
                pass
            return print_outcomes(server.db, stuck["id"])
        assert poll_until(drained, what="the stuck ticket's outcome") == ["printed"]
        # "printed" is recorded once the last write returned, which can be before this end has read the
        # FIFO's buffer: read on until the whole ticket is here.
        def whole_ticket():
            drained()
            return decode_raster(bytes(received))
        assert poll_until(whole_ticket, what="the rest of the ticket's bytes")  # the whole ticket reached the printer
    finally:
        server.stop()
        os.close(reader)
