"""The printer seam: status enum, error, abstract ticket printer, and the ESC/POS job bytes.

Import these names from :mod:`hardware.printer`; this module exists so the transports
(:mod:`hardware.printer_connections`) and the fake can share them without an import cycle.
"""

from __future__ import annotations

import abc
import enum
import threading

from escpos.capabilities import get_profile
from escpos.constants import HW_INIT
from escpos.printer import Dummy
from PIL import Image

# DLE EOT n: real-time status transmission. The printer answers one byte at once, even while
# its print buffer is busy (Epson ESC/POS reference, "DLE EOT").
STATUS_QUERY_PRINTER = b"\x10\x04\x01"
STATUS_QUERY_OFFLINE_CAUSE = b"\x10\x04\x02"
STATUS_QUERY_PAPER = b"\x10\x04\x04"

# Every DLE EOT reply has bit 1 and bit 4 set and bits 0 and 7 clear; anything else is noise
# (for example an automatic status-back block) and must not be read as "all is well".
_FIXED_BITS_MASK = 0b1001_0011
_FIXED_BITS_VALUE = 0b0001_0010
_OFFLINE = 0x08  # n=1, bit 3
_COVER_OPEN = 0x04  # n=2, bit 2
_STOPPED_BY_PAPER_END = 0x20  # n=2, bit 5
_PAPER_NEAR_END = 0x0C  # n=4, bits 2-3
_PAPER_END = 0x60  # n=4, bits 5-6


class PrinterStatus(str, enum.Enum):
    """What the printer last told us. Values are stable lowercase strings for JSON and logs."""

    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"

    @property
    def message(self) -> str:
        """The Vietnamese sentence shown to staff for this status."""
        return STATUS_MESSAGES[self]

    @property
    def can_print(self) -> bool:
        """Whether a job should be attempted.

        UNKNOWN is allowed: printers on USB/file or without a back channel never answer, and
        refusing to print on them would stop the kiosk. It is never reported as OK, though.
        """
        return self in (PrinterStatus.OK, PrinterStatus.PAPER_NEAR_END, PrinterStatus.UNKNOWN)


STATUS_MESSAGES: dict[PrinterStatus, str] = {
    PrinterStatus.OK: "Máy in sẵn sàng",
    PrinterStatus.PAPER_NEAR_END: "Máy in sắp hết giấy",
    PrinterStatus.PAPER_OUT: "Máy in hết giấy",
    PrinterStatus.COVER_OPEN: "Nắp máy in đang mở",
    PrinterStatus.OFFLINE: "Máy in đang tạm ngừng hoạt động",
    PrinterStatus.UNREACHABLE: "Không kết nối được máy in",
    PrinterStatus.UNKNOWN: "Không rõ trạng thái máy in",
}


class PrinterError(Exception):
    """A ticket could not be printed; ``status`` says why, ``message`` is in Vietnamese."""

    def __init__(self, status: PrinterStatus, message: str | None = None) -> None:
        self.status = status
        self.message = message or status.message
        super().__init__(self.message)


def is_status_byte(value: int) -> bool:
    """True if ``value`` has the fixed bits every DLE EOT 1/2/4 reply carries."""
    return value & _FIXED_BITS_MASK == _FIXED_BITS_VALUE


def is_offline(printer_status: int) -> bool:
    """True if a DLE EOT 1 reply says the printer is offline (then DLE EOT 2 tells why)."""
    return bool(printer_status & _OFFLINE)


def decode_status(printer: int | None, paper: int | None, offline_cause: int | None) -> PrinterStatus:
    """Turn DLE EOT 1, 4 and 2 replies into one status; ``None`` means "no valid reply".

    No reply is UNKNOWN, never OK: python-escpos's ``paper_status()`` answers "plenty" when the
    printer says nothing (docs/design.md, decision 2), which hides an empty roll.
    """
    if printer is None or paper is None:
        return PrinterStatus.UNKNOWN
    if paper & _PAPER_END:
        return PrinterStatus.PAPER_OUT
    if is_offline(printer):
        if offline_cause is not None and offline_cause & _COVER_OPEN:
            return PrinterStatus.COVER_OPEN
        if offline_cause is not None and offline_cause & _STOPPED_BY_PAPER_END:
            return PrinterStatus.PAPER_OUT
        return PrinterStatus.OFFLINE
    if paper & _PAPER_NEAR_END:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.OK


def profile_width(profile: str) -> int:
    """Printable width in dots of a python-escpos profile, e.g. 576 for "TM-T20II".

    The default profile has no width, and then python-escpos silently skips its width check, so
    a profile without one is refused here.
    """
    try:
        pixels = get_profile(profile).profile_data["media"]["width"]["pixels"]
    except KeyError as error:
        raise ValueError(f"unknown printer profile {profile!r}") from error
    if not isinstance(pixels, int):
        raise ValueError(
            f"printer profile {profile!r} does not state its paper width; "
            "use one that does, e.g. 'TM-T20II' (576 px) or 'TM-T88V' (512 px)"
        )
    return pixels


def build_job(image: Image.Image, profile: str) -> bytes:
    """The exact ESC/POS bytes for one ticket: ESC @, the image as GS v 0 raster, feed and cut.

    Built on python-escpos's Dummy printer so the fake and every real transport send the same
    bytes. Images taller than 960 dots become several GS v 0 blocks (python-escpos default:
    printers with small buffers misprint taller blocks).
    """
    width = profile_width(profile)
    if image.width > width:
        raise ValueError(f"ticket image is {image.width} px wide, printer {profile!r} prints {width} px")
    recorder = Dummy(profile=profile)
    recorder._raw(HW_INIT)  # reset modes an interrupted job may have left behind
    recorder.image(image, impl="bitImageRaster", center=image.width < width)
    recorder.cut()
    return recorder.output


def native_lock():
    """A lock of the operating system even under gevent's monkey-patching.

    Printers whose I/O blocks are driven from native threads (blocking.run_blocking); a patched
    (gevent) lock contended between two native threads deadlocks, measured with gevent 26.
    """
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a pinned dependency
        return threading.Lock()
    return monkey.get_original("_thread", "allocate_lock")()


class TicketPrinter(abc.ABC):
    """One printer. Every method is safe to call from any thread; jobs never interleave.

    ``cooperative_io`` is True only for printers whose I/O yields to gevent's loop (a LAN socket);
    the print worker calls every other printer from a native thread.
    """

    cooperative_io = False

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.width_px = profile_width(profile)
        self.last_status = PrinterStatus.UNKNOWN
        # A greenlet lock for the loop-side printer; an OS lock for those used from native threads.
        self._lock = threading.Lock() if self.cooperative_io else native_lock()

    @abc.abstractmethod
    def print_ticket(self, image: Image.Image) -> None:
        """Print ``image`` and cut. Raises :class:`PrinterError` when the ticket did not print."""

    #: True when the printer also wants each ticket as a PNG (the fake printer saves one).
    wants_png = False

    def print_rendered(self, job: bytes, png: bytes | None) -> None:
        """Print a ticket already rendered to ESC/POS bytes by build_job (hardware/render_process.py).
        Raises :class:`PrinterError` when the ticket did not print."""
        raise NotImplementedError

    @abc.abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer how it is, within a few seconds. Never raises for printer trouble."""

    def close(self) -> None:
        """Release the printer. Connections are per job, so there is usually nothing open."""

    def __enter__(self) -> "TicketPrinter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
