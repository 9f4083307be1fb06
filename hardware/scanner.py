"""Serial barcode scanners at the counters: read frames, survive unplugs, find ticket codes.

A clerk scans the QR code on a citizen's ticket; the scanner (USB CDC-ACM, RS-232 or a
serial-over-TCP box) sends the text followed by CR, LF or CRLF. `ScannerReader` owns one
scanner on a background thread and hands each clean code to `on_scan`. It knows nothing
about the web: the caller turns a code into a core action (see docs/design.md, decision 7).
"""
from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable
from urllib.parse import urlsplit

import serial

logger = logging.getLogger(__name__)

# Short enough that stop() is quick even on transports without cancel_read (socket://).
READ_TIMEOUT = 0.2
# A port that stays open this long counts as a good connection and resets the backoff;
# otherwise a port that opens and fails at once ("multiple access on port?") would flap every second.
STABLE_CONNECTION = 5.0

TICKET_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
TICKET_PATH = re.compile(r"/t/([A-Za-z0-9_-]{16,64})/?")


class ScannerStatus(StrEnum):
    """State of a reader; a StrEnum so it compares equal to the plain strings in on_status."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    STOPPED = "stopped"


REJECTED = "rejected"  # on_status kind for a frame that was read but not passed on


@dataclass(frozen=True)
class ScannerConfig:
    """How to reach one scanner and what its frames look like.

    `url` is anything `serial.serial_for_url` opens: a device path (prefer
    /dev/serial/by-id/..., which survives a replug), `socket://host:port`, `loop://`.
    `suffix` is what the scanner is programmed to send; the reader accepts CR, LF and CRLF
    whatever it says, because scanners get reprogrammed and nobody updates config.toml.
    """

    url: str
    baudrate: int = 9600
    suffix: str = "\r"
    prefix: str = ""
    max_length: int = 256
    reconnect_delay: float = 1.0
    max_reconnect_delay: float = 5.0

    def __post_init__(self) -> None:
        if self.suffix not in ("\r", "\n", "\r\n"):
            raise ValueError(f"scanner suffix: expected CR, LF or CRLF, got {self.suffix!r}")
        if not self.url or self.baudrate <= 0 or self.max_length <= 0:
            raise ValueError("scanner url, baudrate and max_length: must be set and positive")
        if not 0 < self.reconnect_delay <= self.max_reconnect_delay:
            raise ValueError("scanner reconnect_delay: must be positive and at most max_reconnect_delay")

    def frame(self, code: str) -> bytes:
        """Return the bytes a scanner set up like this sends for `code` (for fakes and tests)."""
        return (self.prefix + code + self.suffix).encode("utf-8")


class FrameSplitter:
    """Cut a byte stream into frames ending in CR, LF or CRLF, however the bytes arrive."""

    def __init__(self, max_length: int) -> None:
        self._max_length = max_length
        self._pending = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> list[bytes | None]:
        """Return the frames completed by `data`, in order.

        Empty frames are dropped, so CRLF (even split across two reads) gives one frame.
        `None` stands for a line that grew past max_length: it is reported once and its
        bytes are thrown away up to the next line end, so memory stays bounded.
        """
        frames: list[bytes | None] = []
        parts = re.split(rb"[\r\n]", data)
        for index, part in enumerate(parts):
            if not self._discarding:
                self._pending += part
                if len(self._pending) > self._max_length:
                    self._pending.clear()
                    self._discarding = True
                    frames.append(None)
            line_ended = index < len(parts) - 1
            if line_ended:
                if self._pending:
                    frames.append(bytes(self._pending))
                self._pending.clear()
                self._discarding = False
        return frames


def clean_frame(raw: bytes, prefix: str = "") -> str:
    """Decode one frame and strip `prefix` and surrounding whitespace.

    Returns "" for a blank frame. Raises ValueError with a reason for garbage: control or
    format characters mean line noise, a wrong baud rate or a scanner in another mode.
    The reason never quotes the frame, because a scan may be a citizen's ID card.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # every byte decodes, so the control check below still sees it
    text = text.strip()
    if prefix and text.startswith(prefix):
        text = text[len(prefix):].strip()
    for character in text:
        if unicodedata.category(character).startswith("C"):
            raise ValueError(f"control character U+{ord(character):04X} in a {len(raw)}-byte frame")
    return text


def parse_ticket_code(text: str) -> str | None:
    """Return the ticket token in a scanned ticket URL (http(s)://host[:port]/t/<token>) or bare token.

    Anything else (another barcode, a malformed URL) gives None.
    """
    text = text.strip()
    if TICKET_TOKEN.fullmatch(text):
        return text
    try:
        parts = urlsplit(text)
        parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    match = TICKET_PATH.fullmatch(parts.path)
    return match.group(1) if match else None


class ScannerReader:
    """Read one scanner on a background thread, reconnecting after unplugs, until stop().

    Callbacks run on the reader thread (a greenlet under gevent): `on_scan(code)` for each
    clean code, `on_status(kind, detail)` with kind "connected", "disconnected", "stopped"
    (changes of `status` only) or "rejected". Exceptions they raise are logged and swallowed.
    Only threading primitives are used, so gevent's monkey-patching makes them cooperative.
    """

    def __init__(self, config: ScannerConfig, on_scan: Callable[[str], None],
                 on_status: Callable[[str, str], None]) -> None:
        self.config = config
        self._on_scan = on_scan
        self._on_status = on_status
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        # Guards the port's lifetime so stop() never calls cancel_read on a closed port,
        # whose abort pipe descriptor may already belong to another file.
        self._port_lock = threading.Lock()
        self._port: serial.SerialBase | None = None
        self._status = ScannerStatus.STOPPED

    @property
    def status(self) -> ScannerStatus:
        """Current state: connected, disconnected (retrying) or stopped."""
        return self._status

    def start(self) -> None:
        """Start reading in a daemon thread; does nothing if already running."""
        if self._thread is not None and self._thread.is_alive():
            if not self._stop_requested.is_set():
                return
            self._thread.join()  # an earlier stop() gave up waiting; let that thread finish first
        self._stop_requested.clear()
        self._thread = threading.Thread(target=self._run, name=f"scanner {self.config.url}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading, close the port and wait up to `timeout` seconds for the thread."""
        self._stop_requested.set()
        with self._port_lock:
            if self._port is not None and hasattr(self._port, "cancel_read"):
                try:
                    self._port.cancel_read()  # wakes a blocked read at once on posix and loop://
                except Exception:
                    logger.debug("cancel_read failed on %s", self.config.url, exc_info=True)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = self.config.reconnect_delay
        try:
            while not self._stop_requested.is_set():
                opened_at = time.monotonic()
                try:
                    self._connect()
                    self._read_until_failure()
                except Exception as error:
                    if not isinstance(error, (serial.SerialException, OSError, ValueError)):
                        logger.exception("unexpected error reading scanner %s", self.config.url)
                    # Log the first failure loudly, not every retry of an unplugged scanner.
                    log = logger.debug if self._status == ScannerStatus.DISCONNECTED else logger.warning
                    log("scanner %s: %s", self.config.url, error)
                    self._set_status(ScannerStatus.DISCONNECTED, str(error))
                finally:
                    self._close()
                if time.monotonic() - opened_at >= STABLE_CONNECTION:
                    delay = self.config.reconnect_delay
                # Event.wait, not sleep: stop() ends the wait at once.
                self._stop_requested.wait(delay)
                delay = min(delay * 2, self.config.max_reconnect_delay)
        finally:
            self._set_status(ScannerStatus.STOPPED, self.config.url)

    def _connect(self) -> None:
        # exclusive: two server processes sharing one scanner would each get half the bytes;
        # with a lock the second fails to open and says so instead.
        port = serial.serial_for_url(self.config.url, baudrate=self.config.baudrate,
                                     timeout=READ_TIMEOUT, exclusive=True)
        with self._port_lock:
            self._port = port
        self._set_status(ScannerStatus.CONNECTED, self.config.url)

    def _read_until_failure(self) -> None:
        splitter = FrameSplitter(self.config.max_length)
        port = self._port
        while not self._stop_requested.is_set():
            # read(1) returns as soon as a byte arrives; read(256) would wait out the
            # timeout on every scan. Then take whatever else has already arrived.
            data = port.read(1)
            if data and port.in_waiting:
                data += port.read(port.in_waiting)
            for frame in splitter.feed(data):
                self._handle_frame(frame)

    def _handle_frame(self, frame: bytes | None) -> None:
        if frame is None:
            self._report(REJECTED, f"line longer than {self.config.max_length} bytes discarded")
            return
        try:
            code = clean_frame(frame, self.config.prefix)
        except ValueError as error:
            self._report(REJECTED, str(error))
            return
        if code:
            try:
                self._on_scan(code)
            except Exception:
                logger.exception("on_scan failed for a scan from %s", self.config.url)

    def _close(self) -> None:
        with self._port_lock:
            port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:
                logger.debug("closing %s failed", self.config.url, exc_info=True)

    def _set_status(self, status: ScannerStatus, detail: str) -> None:
        if status != self._status:
            self._status = status
            self._report(status.value, detail)

    def _report(self, kind: str, detail: str) -> None:
        try:
            self._on_status(kind, detail)
        except Exception:
            logger.exception("on_status failed for %s %s", kind, self.config.url)
