"""A pretend barcode scanner for the demo: python -m tools.scanner_simulator [--counter 1]

It plays a serial-over-TCP box (a "serial device server" in TCP server mode, the kind that puts an
RS-232 scanner on the LAN): it listens where config.toml's scanner says (`url = "socket://HOST:PORT"`),
the server's scanner reader connects to it, and every line you type is sent as one scan, framed as that
scanner is configured (prefix + text + suffix):

    A001             today's ticket A001: sends what its QR code holds (public_url/t/<token>), read
                     from the database exactly as the printed ticket has it
    list             today's waiting and called numbers
    anything else    sent as typed (a URL, a bare token, or junk to see the counter refuse it)

Stop it with Ctrl-D or Ctrl-C; the counter screen then reports the scanner as disconnected, as it would
for an unplugged cable. Every reader that connects gets every scan.
"""

from __future__ import annotations

import argparse
import re
import socket
import sqlite3
import sys
import threading
from datetime import datetime, timezone
from urllib.parse import urlsplit

from core.numbering import local_day
from core.settings import ConfigError, load_settings

READER_WAIT = 15.0  # seconds; the reader retries at most every 5 s (hardware/scanner.py)
PRINTED_NUMBER = re.compile(r"^[A-Za-z]{0,2}[0-9]{1,6}$")  # A001, 1023: what config.toml's numbering prints


class TcpScanner:
    """Accepts reader connections and sends each scan to all of them."""

    def __init__(self, host: str, port: int, prefix: str, suffix: str):
        self.prefix, self.suffix = prefix, suffix
        self.server = socket.create_server((host, port), reuse_port=False)
        self.readers: list[socket.socket] = []
        self.lock = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, address = self.server.accept()
            except OSError:
                return  # closed
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.readers.append(connection)
                self.lock.notify_all()
            print(f"reader connected from {address[0]}:{address[1]}", flush=True)

    def wait_for_reader(self, timeout: float) -> bool:
        """Wait until a reader is connected (the server retries every few seconds after a refusal)."""
        with self.lock:
            return self.lock.wait_for(lambda: self.readers, timeout)

    def scan(self, text: str) -> int:
        """Send one scan; returns how many readers got it."""
        frame = (self.prefix + text + self.suffix).encode("utf-8")
        sent = 0
        with self.lock:
            for connection in list(self.readers):
                try:
                    connection.sendall(frame)
                    sent += 1
                except OSError:
                    self.readers.remove(connection)
                    connection.close()
        return sent

    def close(self) -> None:
        self.server.close()
        with self.lock:
            for connection in self.readers:
                connection.close()
            self.readers.clear()


class TicketBook:
    """Today's tickets, read-only from the centre's database (the simulator changes nothing)."""

    def __init__(self, settings, db_path: str):
        self.settings, self.db_path = settings, db_path

    def _query(self, sql: str, *parameters):
        connection = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()

    def _today(self) -> str:
        return local_day(datetime.now(timezone.utc), self.settings.centre.timezone)

    def code_for(self, number: str) -> str | None:
        """What ticket `number`'s QR code holds, or None when no ticket has that number today."""
        rows = self._query("SELECT token FROM tickets WHERE day = ? AND number = ? ORDER BY id DESC LIMIT 1",
                           self._today(), number.upper())
        return f"{self.settings.centre.public_url}/t/{rows[0][0]}" if rows else None

    def open_numbers(self) -> list[tuple[str, str]]:
        return self._query("SELECT number, status FROM tickets WHERE day = ? AND status IN "
                           "('waiting', 'transferred', 'called') ORDER BY arrived_at, id", self._today())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.scanner_simulator", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="config.toml")
    parser.add_argument("--db", default="data/demo.db", help="the running centre's database (read only)")
    parser.add_argument("--counter", help="the counter whose scanner to play (default: the first socket:// one)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return 2
    scanner = next((s for s in settings.scanners if s.url.startswith("socket://")
                    and (args.counter is None or s.counter == args.counter)), None)
    if scanner is None:
        print(f"{args.config} has no [[scanners]] entry with a socket:// url"
              + (f" for counter {args.counter}" if args.counter else ""), file=sys.stderr)
        return 2
    where = urlsplit(scanner.url)
    try:
        device = TcpScanner(where.hostname, where.port, scanner.prefix, scanner.suffix)
    except OSError as error:
        print(f"cannot listen on {where.hostname}:{where.port}: {error}", file=sys.stderr)
        return 1
    book = TicketBook(settings, args.db)
    counter = settings.counters[scanner.counter]
    print(f"scanner of {counter.name} listening on {where.hostname}:{where.port}; the server connects within "
          "a few seconds. Type a ticket number (A001), 'list', or any text, then Enter.", flush=True)
    try:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            try:
                if text.lower() == "list":
                    numbers = book.open_numbers()
                    print("  ".join(f"{number} ({status})" for number, status in numbers)
                          or "no open tickets today", flush=True)
                    continue
                code = book.code_for(text) if PRINTED_NUMBER.match(text) else text
            except sqlite3.Error as error:
                print(f"cannot read {args.db}: {error}", flush=True)
                continue
            if code is None:
                print(f"no ticket {text.upper()} today", flush=True)
                continue
            if not device.wait_for_reader(0):
                print("waiting for the server's scanner reader to connect…", flush=True)
                device.wait_for_reader(READER_WAIT)
            count = device.scan(code)
            print(f"scanned {text}: sent to {count} reader(s)" if count else
                  "no reader connected yet: is the server running with this config?", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        device.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
