"""Real ESC/POS printers (LAN, serial, USB, device file) built on python-escpos transports.

python-escpos opens a device lazily inside a property and closes it in ``__del__``; after one
failed open it never opens again (python-escpos issue #720), and a printer switched off mid-job
loses the job silently (issue #253). So every job and every status check here builds a fresh
python-escpos object, opens it explicitly, and closes it before returning.
"""

from __future__ import annotations

import abc

import logging
import os
import select
import socket
import time

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial, Usb
from PIL import Image

from hardware.printer_base import (
    STATUS_QUERY_OFFLINE_CAUSE,
    STATUS_QUERY_PAPER,
    STATUS_QUERY_PRINTER,
    PrinterError,
    PrinterStatus,
    TicketPrinter,
    build_job,
    decode_status,
    is_offline,
    is_status_byte,
)

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
STATUS_TIMEOUT_S = 1.0
DRAIN_TIMEOUT_S = 0.5


class EscposTicketPrinter(TicketPrinter):
    """Shared job and status logic; subclasses only connect, read one byte and disconnect."""

    def __init__(self, profile: str, connect_timeout: float, status_timeout: float) -> None:
        super().__init__(profile)
        self.connect_timeout = connect_timeout
        self.status_timeout = status_timeout
        self._closed = False

    @abc.abstractmethod
    def _open(self):
        """Return an opened python-escpos printer; raise OSError or DeviceNotFoundError if it cannot."""

    def _read_byte(self, printer, timeout: float) -> int | None:
        """Read one reply byte within ``timeout`` seconds, or None. Default: no back channel."""
        return None

    def _send(self, printer, job: bytes) -> None:
        printer._raw(job)

    def _disconnect(self, printer) -> None:
        printer.close()

    def print_ticket(self, image: Image.Image) -> None:
        """Check status, send ``image`` as GS v 0 raster plus a cut, close the connection."""
        self.send_job(build_job(image, self.profile))  # a wrong width is a bug: fail before touching paper

    def print_rendered(self, job: bytes, png: bytes | None) -> None:
        """Send already-rendered ESC/POS bytes (the PNG is only for the fake printer)."""
        self.send_job(job)

    def send_job(self, job: bytes) -> None:
        """Check status, send the ESC/POS bytes of one ticket (see build_job), close the connection."""
        with self._lock:
            printer = self._open_or_raise()
            try:
                status = self._query_status(printer)
                self.last_status = status
                if not status.can_print:
                    raise PrinterError(status)
                try:
                    self._send(printer, job)
                except OSError as error:  # socket timeouts and serial errors are OSErrors too
                    self.last_status = PrinterStatus.UNREACHABLE
                    raise PrinterError(
                        PrinterStatus.UNREACHABLE, f"Mất kết nối với máy in khi đang in: {error}"
                    ) from error
            finally:
                self._disconnect_quietly(printer)

    def status(self) -> PrinterStatus:
        """Query DLE EOT 1, 4 (and 2 when offline) over a fresh connection."""
        with self._lock:
            try:
                printer = self._open_or_raise()
            except PrinterError as error:
                self.last_status = error.status
                return error.status
            try:
                self.last_status = self._query_status(printer)
            finally:
                self._disconnect_quietly(printer)
            return self.last_status

    def close(self) -> None:
        """Refuse further jobs; no connection outlives a job, so nothing else to release."""
        self._closed = True

    def _open_or_raise(self):
        if self._closed:
            raise PrinterError(PrinterStatus.UNREACHABLE, "Máy in đã được đóng")
        try:
            return self._open()
        except (DeviceNotFoundError, OSError, RuntimeError) as error:
            # DeviceNotFoundError wraps the OSError (refused, timed out, no such device) as context.
            reason = error.__context__ or error
            raise PrinterError(
                PrinterStatus.UNREACHABLE, f"{PrinterStatus.UNREACHABLE.message}: {reason}"
            ) from error

    def _query_status(self, printer) -> PrinterStatus:
        try:
            printer_byte = self._ask(printer, STATUS_QUERY_PRINTER)
            if printer_byte is None:
                return PrinterStatus.UNKNOWN
            paper_byte = self._ask(printer, STATUS_QUERY_PAPER)
            offline_cause = None
            if paper_byte is not None and is_offline(printer_byte):
                offline_cause = self._ask(printer, STATUS_QUERY_OFFLINE_CAUSE)
        except OSError as error:
            logger.warning("status query to printer failed: %s", error)
            return PrinterStatus.UNKNOWN
        return decode_status(printer_byte, paper_byte, offline_cause)

    def _ask(self, printer, query: bytes) -> int | None:
        printer._raw(query)
        # Skip bytes that cannot be a DLE EOT reply (e.g. an automatic status-back block some
        # printers send on connect) until a real reply arrives or the timeout is spent.
        deadline = time.monotonic() + self.status_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            reply = self._read_byte(printer, remaining)
            if reply is None:
                return None
            if is_status_byte(reply):
                return reply
        return None

    def _disconnect_quietly(self, printer) -> None:
        try:
            self._disconnect(printer)
        except Exception:  # a failing close must not hide the job's own outcome
            logger.exception("closing the printer connection failed")


class NetworkTicketPrinter(EscposTicketPrinter):
    """A LAN printer on raw TCP port 9100. Its socket is gevent's under the server: cooperative."""

    cooperative_io = True

    def __init__(self, host: str, port: int, profile: str, connect_timeout: float = CONNECT_TIMEOUT_S,
                 status_timeout: float = STATUS_TIMEOUT_S, write_timeout: float = 30.0) -> None:
        super().__init__(profile, connect_timeout, status_timeout)
        self.host, self.port, self.write_timeout = host, port, write_timeout

    def _open(self) -> Network:
        printer = Network(self.host, self.port, timeout=self.connect_timeout, profile=self.profile)
        # Connect here rather than in Network.open(): that one leaks its socket when the connect
        # fails (a ResourceWarning per refused attempt, every poll) and only knows IPv4.
        # create_connection closes on failure and tries every address of the host.
        printer.device = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        return printer

    def _read_byte(self, printer: Network, timeout: float) -> int | None:
        printer.device.settimeout(timeout)
        try:
            data = printer.device.recv(1)
        except (TimeoutError, ConnectionError):
            return None
        return data[0] if data else None

    def _send(self, printer: Network, job: bytes) -> None:
        # Since Python 3.5 a socket timeout bounds the whole sendall, so allow for a slow printer.
        printer.device.settimeout(self.write_timeout)
        printer._raw(job)

    def _disconnect(self, printer: Network) -> None:
        # Closing with unread bytes in the receive buffer makes Linux send RST, which can drop
        # job bytes still queued to send. So: send FIN, read until the printer closes (or a
        # short deadline passes), then close.
        connection = printer.device
        try:
            connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while (remaining := deadline - time.monotonic()) > 0:
                connection.settimeout(remaining)
                if not connection.recv(4096):
                    break
        except OSError:
            pass
        printer.close()


class SerialTicketPrinter(EscposTicketPrinter):
    """A printer on an RS-232 or USB-serial port. Image tickets want ≥ 38400 baud (9600 ≈ 44 s)."""

    def __init__(self, device_path: str, baudrate: int, profile: str, dsrdtr: bool = True,
                 xonxoff: bool = False, status_timeout: float = STATUS_TIMEOUT_S) -> None:
        super().__init__(profile, CONNECT_TIMEOUT_S, status_timeout)
        self.device_path, self.baudrate = device_path, baudrate
        self.dsrdtr, self.xonxoff = dsrdtr, xonxoff

    def _open(self) -> Serial:
        printer = Serial(self.device_path, baudrate=self.baudrate, timeout=self.status_timeout,
                         dsrdtr=self.dsrdtr, xonxoff=self.xonxoff, profile=self.profile)
        printer.open()
        try:
            printer.device.reset_input_buffer()  # stale bytes would be read as a status reply
        except OSError:
            self._disconnect_quietly(printer)
            raise
        return printer

    def _read_byte(self, printer: Serial, timeout: float) -> int | None:
        printer.device.timeout = timeout
        data = printer.device.read(1)  # read(1), not python-escpos's read(16): that waits the full timeout
        return data[0] if data else None

    def _send(self, printer: Serial, job: bytes) -> None:
        # python-escpos sets no write timeout, so a printer holding flow control would block forever.
        seconds_on_wire = len(job) * 10 / self.baudrate
        printer.device.write_timeout = 2 * seconds_on_wire + 5
        printer._raw(job)
        # Wait for the kernel to put the bytes on the wire, but bounded: pyserial's flush()
        # (tcdrain) has no timeout and hangs while a printer holds XOFF.
        deadline = time.monotonic() + printer.device.write_timeout
        while printer.device.out_waiting and time.monotonic() < deadline:
            time.sleep(0.02)

    def _disconnect(self, printer: Serial) -> None:
        printer.device.close()  # pyserial close, without python-escpos's unbounded flush
        printer.device = False


class UsbTicketPrinter(EscposTicketPrinter):
    """A printer found by USB vendor and product id (needs pyusb, not installed by default)."""

    def __init__(self, vendor_id: int, product_id: int, profile: str,
                 status_timeout: float = STATUS_TIMEOUT_S) -> None:
        super().__init__(profile, CONNECT_TIMEOUT_S, status_timeout)
        self.vendor_id, self.product_id = vendor_id, product_id

    def _open(self) -> Usb:
        if not Usb.is_usable():
            # Checked first: python-escpos would raise from __del__ as well, once per attempt.
            raise OSError("pyusb is not installed (or use file:///dev/usb/lp0 with the usblp driver)")
        # pyusb timeouts are in milliseconds; python-escpos's default 0 means "wait forever".
        printer = Usb(self.vendor_id, self.product_id, timeout=10_000, profile=self.profile)
        printer.open()
        return printer

    def _read_byte(self, printer: Usb, timeout: float) -> int | None:
        try:
            # at least 1 ms: pyusb/libusb treat a timeout of 0 as "wait forever"
            data = printer.device.read(printer.in_ep, 16, max(1, int(timeout * 1000)))
        except Exception:  # usb.core.USBTimeoutError; pyusb is an optional import
            return None
        return data[0] if len(data) else None


class FileTicketPrinter(EscposTicketPrinter):
    """A write-only device file such as /dev/usb/lp0: prints, but status is UNKNOWN at best.

    Opened and written without blocking, with a deadline: python-escpos's plain ``open(path, "wb")``
    waits forever on a FIFO nobody reads, and a write waits forever on a printer that stopped taking
    bytes. Either now fails the job as UNREACHABLE (and the citizen gets a vé điện tử).
    """

    def __init__(self, device_path: str, profile: str, write_timeout: float = 30.0) -> None:
        super().__init__(profile, CONNECT_TIMEOUT_S, 0.0)
        self.device_path, self.write_timeout = device_path, write_timeout

    def _open(self) -> File:
        if not os.path.exists(self.device_path):
            raise OSError(f"{self.device_path} does not exist (printer unplugged?)")
        printer = File(self.device_path, profile=self.profile)
        # O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of hanging in open().
        descriptor = os.open(self.device_path, os.O_WRONLY | os.O_NONBLOCK)
        printer.device = os.fdopen(descriptor, "wb", buffering=0)
        return printer

    def _send(self, printer: File, job: bytes) -> None:
        descriptor, view = printer.device.fileno(), memoryview(job)
        deadline = time.monotonic() + self.write_timeout
        while view:
            try:
                view = view[os.write(descriptor, view):]
                continue
            except BlockingIOError:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [descriptor], [], remaining)[1]:
                raise TimeoutError(f"{self.device_path} took no bytes for {self.write_timeout:.0f} s")

    def _query_status(self, printer: File) -> PrinterStatus:
        return PrinterStatus.UNKNOWN  # no back channel: never pretend OK

    def status(self) -> PrinterStatus:
        """UNREACHABLE if the device file is missing or not writable, else UNKNOWN (never OK)."""
        if self._closed or not os.access(self.device_path, os.W_OK):
            self.last_status = PrinterStatus.UNREACHABLE
        else:
            self.last_status = PrinterStatus.UNKNOWN  # opening it would truncate a plain file
        return self.last_status
