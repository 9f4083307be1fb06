"""The one interface the kiosk uses to print tickets: ``open_printer(url)`` → :class:`TicketPrinter`.

Supported URLs (as written in config.toml):

- ``tcp://192.168.1.50:9100`` — LAN printer, raw port 9100 (the default port). Prefer an IP
  address: the connect timeout bounds the TCP handshake, not a slow DNS or mDNS lookup.
- ``serial:///dev/serial/by-id/usb-...?baudrate=115200`` — optional ``dsrdtr=0|1``, ``xonxoff=0|1``
- ``usb://04b8:0202`` — vendor:product in hex (needs pyusb)
- ``file:///dev/usb/lp0`` — kernel printer device, write only (status stays UNKNOWN)
- ``fake`` — no hardware: keeps the ESC/POS bytes and saves each ticket as a PNG (demo, tests)

Every job opens its own connection and closes it (see :mod:`hardware.printer_connections`), so a
printer that was switched off and on again just works on the next ticket.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from PIL import Image

from hardware.printer_base import (
    STATUS_MESSAGES,
    PrinterError,
    PrinterStatus,
    TicketPrinter,
    build_job,
    decode_status,
    profile_width,
)
from hardware.printer_connections import (
    CONNECT_TIMEOUT_S,
    STATUS_TIMEOUT_S,
    FileTicketPrinter,
    NetworkTicketPrinter,
    SerialTicketPrinter,
    UsbTicketPrinter,
)

__all__ = [
    "STATUS_MESSAGES",
    "FakeTicketPrinter",
    "PrinterError",
    "PrinterStatus",
    "TicketPrinter",
    "build_job",
    "decode_status",
    "open_printer",
    "profile_width",
]

DEFAULT_PROFILE = "TM-T20II"
_URL_EXAMPLES = (
    "tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=115200, usb://04b8:0202, "
    "file:///dev/usb/lp0 or fake"
)
_STANDARD_BAUDRATES = {9600, 19200, 38400, 57600, 115200, 230400}
_HEX_ID = re.compile(r"^(?:0x)?([0-9a-fA-F]{1,4})$")


class FakeTicketPrinter(TicketPrinter):
    """A printer without hardware that produces exactly the bytes a real one would receive.

    ``jobs`` holds the ESC/POS bytes of every printed ticket; with ``fake_dir`` each ticket is
    also saved as ``ticket-YYYYmmdd-HHMMSS-NNNN.png`` so a demo on a laptop shows real output.
    Set ``state`` to rehearse failures, e.g. ``PrinterStatus.PAPER_OUT``.
    """

    def __init__(self, profile: str = DEFAULT_PROFILE, fake_dir: str | os.PathLike | None = None) -> None:
        super().__init__(profile)
        self.fake_dir = Path(fake_dir) if fake_dir is not None else None
        if self.fake_dir is not None:
            self.fake_dir.mkdir(parents=True, exist_ok=True)
        self.state = PrinterStatus.OK
        self.jobs: list[bytes] = []
        self.saved_paths: list[Path] = []
        self._counter = itertools.count(1)

    @property
    def wants_png(self) -> bool:
        """True when each ticket is also saved as a PNG (the render process then makes it too)."""
        return self.fake_dir is not None

    def print_ticket(self, image: Image.Image) -> None:
        """Record the job bytes and save the PNG, or raise PrinterError if ``state`` forbids it."""
        png = None
        if self.fake_dir is not None:
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            png = buffer.getvalue()
        self.print_rendered(build_job(image, self.profile), png)

    def print_rendered(self, job: bytes, png: bytes | None) -> None:
        """Record already-rendered job bytes and save the PNG (hardware/render_process.py)."""
        with self._lock:
            self.last_status = self.state
            if not self.state.can_print:
                raise PrinterError(self.state)
            self.jobs.append(job)
            if self.fake_dir is not None and png is not None:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                path = self.fake_dir / f"ticket-{stamp}-{next(self._counter):04d}.png"
                path.write_bytes(png)
                self.saved_paths.append(path)

    def status(self) -> PrinterStatus:
        """Return the rehearsed ``state``."""
        self.last_status = self.state
        return self.state


def _flag(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"printer URL option {name}={value!r} must be 0 or 1")


def _open_serial(url: str, path: str, query: str, profile: str, status_timeout: float) -> TicketPrinter:
    if not path:
        raise ValueError(f"printer URL {url!r} has no device path, e.g. serial:///dev/ttyUSB0?baudrate=115200")
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = set(options) - {"baudrate", "dsrdtr", "xonxoff"}
    if unknown:
        raise ValueError(f"printer URL {url!r} has unknown option(s) {sorted(unknown)}; "
                         "known: baudrate, dsrdtr, xonxoff")
    try:
        baudrate = int(options.get("baudrate", "9600"))
    except ValueError:
        raise ValueError(f"printer URL {url!r}: baudrate must be a number") from None
    if baudrate not in _STANDARD_BAUDRATES:
        raise ValueError(f"printer URL {url!r}: baudrate {baudrate} is not one of {sorted(_STANDARD_BAUDRATES)}")
    return SerialTicketPrinter(
        path, baudrate, profile,
        dsrdtr=_flag("dsrdtr", options.get("dsrdtr", "1")),
        xonxoff=_flag("xonxoff", options.get("xonxoff", "0")),
        status_timeout=status_timeout,
    )


def _open_usb(url: str, location: str, profile: str, status_timeout: float) -> TicketPrinter:
    vendor, _, product = location.partition(":")
    vendor_match, product_match = _HEX_ID.match(vendor), _HEX_ID.match(product)
    if not (vendor_match and product_match):
        raise ValueError(f"printer URL {url!r} must be usb://VID:PID in hex, e.g. usb://04b8:0202")
    return UsbTicketPrinter(int(vendor_match[1], 16), int(product_match[1], 16), profile,
                            status_timeout=status_timeout)


def open_printer(
    url: str,
    profile: str = DEFAULT_PROFILE,
    fake_dir: str | os.PathLike | None = None,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    status_timeout: float = STATUS_TIMEOUT_S,
) -> TicketPrinter:
    """Build the printer named by ``url`` (see the module docstring for the forms).

    Nothing is opened yet: each job and each status check connects and disconnects on its own.
    Raises ValueError, naming the URL and the accepted forms, when ``url`` or ``profile`` is bad.
    """
    profile_width(profile)  # fail at start-up on a profile without a paper width
    text = (url or "").strip()
    if text in ("fake", "fake://"):
        return FakeTicketPrinter(profile, fake_dir)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        try:
            host, port = parts.hostname, parts.port or 9100
        except ValueError:
            raise ValueError(f"printer URL {url!r} has a bad port; expected tcp://HOST:9100") from None
        if not host or parts.path not in ("", "/"):
            raise ValueError(f"printer URL {url!r} must look like tcp://192.168.1.50:9100")
        return NetworkTicketPrinter(host, port, profile, connect_timeout=connect_timeout,
                                    status_timeout=status_timeout)
    if scheme == "serial":
        return _open_serial(url, parts.path, parts.query, profile, status_timeout)
    if scheme == "usb":
        return _open_usb(url, parts.netloc, profile, status_timeout)
    if scheme == "file":
        if not parts.path or parts.netloc:
            raise ValueError(f"printer URL {url!r} must look like file:///dev/usb/lp0")
        return FileTicketPrinter(parts.path, profile)
    raise ValueError(f"unsupported printer URL {url!r}; expected one of: {_URL_EXAMPLES}")
