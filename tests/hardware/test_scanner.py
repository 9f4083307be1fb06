"""Tests for hardware.scanner over real transports: pty pairs, a symlinked "by-id" path, TCP.

Nothing sleeps: every test waits on a Condition fed by the reader's callbacks.
"""
import importlib.util
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import tty
from pathlib import Path

import pytest

from hardware.scanner import (
    FrameSplitter,
    ScannerConfig,
    ScannerReader,
    clean_frame,
    parse_ticket_code,
)

WAIT = 5.0  # seconds; only reached when a test is failing
TOKEN = "q1W2e3R4t5Y6u7I8o9P0-_aZ"


class Recorder:
    """Collects the reader's callbacks; tests wait on it instead of sleeping."""

    def __init__(self, failing_scans=()):
        self._condition = threading.Condition()
        self._failing_scans = set(failing_scans)
        self.scans = []
        self.statuses = []

    def on_scan(self, code):
        with self._condition:
            self.scans.append(code)
            self._condition.notify_all()
        if code in self._failing_scans:
            raise RuntimeError(f"callback failed on {code}")

    def on_status(self, kind, detail):
        with self._condition:
            self.statuses.append((kind, detail))
            self._condition.notify_all()

    def kinds(self):
        return [kind for kind, _ in self.statuses]

    def wait_for(self, predicate, what):
        with self._condition:
            if not self._condition.wait_for(predicate, WAIT):
                pytest.fail(f"timed out waiting for {what}; scans={self.scans} statuses={self.statuses}")

    def wait_for_scan(self, code):
        self.wait_for(lambda: code in self.scans, f"scan {code!r}")

    def wait_for_status(self, kind, count=1):
        self.wait_for(lambda: self.kinds().count(kind) >= count, f"{count} x {kind!r}")


class PtyScanner:
    """A pty pair standing in for a USB serial scanner: writing to the master is the scanner sending."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        # A fresh pty has a line discipline (echo, CR→LF); a real serial port opened raw has none.
        # pyserial sets raw mode when it opens, but this keeps the test independent of when that happens.
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.plugged = True

    def send(self, data):
        os.write(self.master, data)

    def unplug(self):
        if self.plugged:
            self.plugged = False
            os.close(self.master)
            os.close(self.slave)


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def scanner():
    pty_scanner = PtyScanner()
    yield pty_scanner
    pty_scanner.unplug()


@pytest.fixture
def start_reader(recorder):
    """Start a ScannerReader with fast reconnects; stopped at teardown."""
    readers = []

    def start(url, callbacks=None, **options):
        options = {"reconnect_delay": 0.02, "max_reconnect_delay": 0.1, **options}
        callbacks = callbacks or recorder
        reader = ScannerReader(ScannerConfig(url=url, **options), callbacks.on_scan, callbacks.on_status)
        readers.append(reader)
        reader.start()
        return reader

    yield start
    for reader in readers:
        reader.stop()


@pytest.fixture
def connected(scanner, recorder, start_reader):
    """A reader connected to the pty scanner (pyserial flushes input on open, so wait before sending)."""
    reader = start_reader(scanner.path)
    recorder.wait_for_status("connected")
    return reader


def send_and_flush(scanner, recorder, data):
    """Send `data`, then a sentinel frame; once the sentinel arrives everything before it has been handled."""
    scanner.send(data + b"END-OF-TEST\r")
    recorder.wait_for_scan("END-OF-TEST")
    recorder.scans.remove("END-OF-TEST")


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"], ids=["CR", "LF", "CRLF"])
def test_frames_end_in_cr_lf_or_crlf_without_empty_frames(scanner, recorder, connected, ending):
    send_and_flush(scanner, recorder, b"ABC" + ending + b"DEF" + ending)
    assert recorder.scans == ["ABC", "DEF"]
    assert recorder.kinds() == ["connected"]
    assert connected.status == "connected"


def test_prefix_is_stripped_when_present(scanner, recorder, start_reader):
    config = ScannerConfig(url=scanner.path, prefix="]Q1")
    start_reader(scanner.path, prefix="]Q1")
    recorder.wait_for_status("connected")
    send_and_flush(scanner, recorder, config.frame("TICKET-1") + b"NO-PREFIX\r")
    assert recorder.scans == ["TICKET-1", "NO-PREFIX"]


def test_garbage_is_rejected_with_a_status_not_scanned(scanner, recorder, connected):
    send_and_flush(scanner, recorder, b"\x00\xff\x1b\r" + b"GOOD\r")
    assert recorder.scans == ["GOOD"]
    [(kind, reason)] = [status for status in recorder.statuses if status[0] == "rejected"]
    assert "control character" in reason


def test_long_line_is_rejected_and_the_next_frame_still_works(scanner, recorder, connected):
    send_and_flush(scanner, recorder, b"A" * 1000 + b"\r" + b"GOOD\r")
    assert recorder.scans == ["GOOD"]
    assert recorder.kinds().count("rejected") == 1
    assert "256" in recorder.statuses[-1][1]


def test_frame_split_over_several_writes(scanner, recorder, connected):
    for piece in (b"TIC", b"KET", b"-42\r", b"\n"):
        scanner.send(piece)
    send_and_flush(scanner, recorder, b"")
    assert recorder.scans == ["TICKET-42"]


def test_several_frames_in_one_write(scanner, recorder, connected):
    send_and_flush(scanner, recorder, b"A1\rB2\nC3\r\n\r\n  \r")
    assert recorder.scans == ["A1", "B2", "C3"]
    assert "rejected" not in recorder.kinds()


def test_splitter_handles_any_chunking():
    data = b"ONE\r\nTWO\rTHREE\n" + b"X" * 20 + b"\rFOUR\r\n"
    expected = [b"ONE", b"TWO", b"THREE", None, b"FOUR"]
    for size in (1, 2, 3, 7, len(data)):
        splitter = FrameSplitter(max_length=10)
        frames = []
        for start in range(0, len(data), size):
            frames += splitter.feed(data[start:start + size])
        assert frames == expected, size


def test_clean_frame():
    assert clean_frame(b"  ]Q1 abc \t", prefix="]Q1") == "abc"
    assert clean_frame("Hồ sơ".encode()) == "Hồ sơ"
    assert clean_frame(b"caf\xe9") == "café"  # not UTF-8: read as latin-1
    assert clean_frame(b" \t ") == ""
    with pytest.raises(ValueError, match="U\\+200B"):
        clean_frame("AB\u200bC".encode())


def test_callback_exceptions_are_swallowed(scanner, start_reader, caplog):
    failing = Recorder(failing_scans={"BOOM"})
    start_reader(scanner.path, callbacks=failing)
    failing.wait_for_status("connected")
    scanner.send(b"BOOM\rAFTER\r")
    failing.wait_for_scan("AFTER")
    assert "on_scan failed" in caplog.text


def test_unplug_reports_disconnected(scanner, recorder, connected):
    scanner.unplug()
    recorder.wait_for_status("disconnected")
    assert connected.status == "disconnected"
    # On Linux the slave of a hung-up pty reads as "ready, but no data" rather than EIO;
    # pyserial turns either into a SerialException, as it does for an unplugged ttyACM.
    assert "device disconnected" in dict(recorder.statuses)["disconnected"]


def test_replug_through_the_same_by_id_path(tmp_path, recorder, start_reader):
    first, second = PtyScanner(), None
    by_id = tmp_path / "usb-Honeywell_Scanner-if00"
    by_id.symlink_to(first.path)
    try:
        reader = start_reader(str(by_id))
        recorder.wait_for_status("connected")
        send_and_flush(first, recorder, b"BEFORE\r")

        first.unplug()
        recorder.wait_for_status("disconnected")
        # After a replug udev points the by-id link at the new node (ttyACM0 -> ttyACM1).
        second = PtyScanner()
        (tmp_path / "new-link").symlink_to(second.path)
        os.replace(tmp_path / "new-link", by_id)  # atomic, like udev's own update

        recorder.wait_for_status("connected", count=2)
        send_and_flush(second, recorder, b"AFTER\r")
        assert recorder.scans == ["BEFORE", "AFTER"]
        assert reader.status == "connected"
    finally:
        first.unplug()
        if second is not None:
            second.unplug()


def test_second_reader_on_the_same_port_is_refused(scanner, recorder, connected, start_reader):
    # Two server processes each starting a reader would split the bytes between them.
    other = Recorder()
    start_reader(scanner.path, callbacks=other)
    other.wait_for_status("disconnected")
    assert "exclusively lock" in other.statuses[0][1]
    send_and_flush(scanner, recorder, b"ONLY-ONE\r")
    assert recorder.scans == ["ONLY-ONE"] and other.scans == []


def test_restart_after_stop(scanner, recorder, connected):
    connected.stop()
    connected.start()
    recorder.wait_for_status("connected", count=2)
    send_and_flush(scanner, recorder, b"AGAIN\r")
    assert recorder.scans == ["AGAIN"]
    assert recorder.kinds() == ["connected", "stopped", "connected"]


def test_missing_device_reports_disconnected_once_while_retrying(tmp_path, recorder, start_reader):
    reader = start_reader(str(tmp_path / "no-such-scanner"))
    recorder.wait_for_status("disconnected")
    assert reader.status == "disconnected"
    assert "could not open port" in recorder.statuses[0][1]


@pytest.mark.parametrize("plugged", [True, False], ids=["reading", "waiting-to-reconnect"])
def test_stop_is_quick(tmp_path, scanner, recorder, start_reader, plugged):
    url = scanner.path if plugged else str(tmp_path / "unplugged")
    # A long reconnect delay: stop() must interrupt the wait, not sit it out.
    reader = start_reader(url, reconnect_delay=30.0, max_reconnect_delay=30.0)
    recorder.wait_for_status("connected" if plugged else "disconnected")
    started = time.monotonic()
    reader.stop()
    assert time.monotonic() - started < 0.5
    assert reader.status == "stopped"
    assert recorder.kinds()[-1] == "stopped"
    assert not reader._thread.is_alive()


def test_socket_url(recorder, start_reader):
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(WAIT)
        host, port = server.getsockname()
        reader = start_reader(f"socket://{host}:{port}")
        connection, _ = server.accept()
        with connection:
            recorder.wait_for_status("connected")
            connection.sendall(b"SOCK-1\r\nSOCK")
            connection.sendall(b"-2\r")
            recorder.wait_for_scan("SOCK-2")
        recorder.wait_for_status("disconnected")
    assert recorder.scans == ["SOCK-1", "SOCK-2"]
    assert reader.status == "disconnected"


def test_config_rejects_unknown_suffix():
    with pytest.raises(ValueError, match="suffix"):
        ScannerConfig(url="loop://", suffix="\t")


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"http://192.168.1.10:8000/t/{TOKEN}", TOKEN),
        (f"https://xephang.hcc.gov.vn/t/{TOKEN}", TOKEN),
        (f"HTTPS://xephang.local/t/{TOKEN}/", TOKEN),
        (f"https://[fe80::1]:8443/t/{TOKEN}", TOKEN),
        (f"  {TOKEN}  ", TOKEN),
        ("a" * 16, "a" * 16),
        ("a" * 64, "a" * 64),
        ("a" * 15, None),
        ("a" * 65, None),
        (f"ftp://host/t/{TOKEN}", None),
        (f"https:///t/{TOKEN}", None),
        (f"https://host:port/t/{TOKEN}", None),
        (f"https://host/x/t/{TOKEN}", None),
        (f"https://host/t/{TOKEN}/extra", None),
        ("https://host/t/short", None),
        ("https://host/t/has+plus/and=equals1234", None),
        ("8935049501234", None),  # a product barcode (EAN-13)
        ("", None),
    ],
)
def test_parse_ticket_code(text, expected):
    assert parse_ticket_code(text) == expected


@pytest.mark.skipif(importlib.util.find_spec("gevent") is None, reason="gevent not installed")
def test_reader_works_under_gevent_monkey_patching():
    # A separate process: monkey-patching is global and would leak into every other test.
    script = textwrap.dedent(
        """
        from gevent import monkey; monkey.patch_all()
        import os, threading, tty
        from hardware.scanner import ScannerConfig, ScannerReader
        master, slave = os.openpty(); tty.setraw(slave)
        connected, scanned = threading.Event(), threading.Event()
        codes = []
        def on_status(kind, detail):
            if kind == "connected": connected.set()
        def on_scan(code):
            codes.append(code); scanned.set()
        reader = ScannerReader(ScannerConfig(url=os.ttyname(slave)), on_scan, on_status)
        reader.start()
        assert connected.wait(5), "not connected"
        os.write(master, b"GREEN\\r")
        assert scanned.wait(5), "no scan"
        reader.stop()
        print(codes, reader.status)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['GREEN'] stopped"
