"""A serial printer through a pty pair: the test plays the printer on the master side."""

from __future__ import annotations

import os
import threading

import pytest

from hardware.printer import PrinterStatus, open_printer
from hardware.ticket_image import render_ticket
from tests.fakes.escpos_printer import STATUS_REPLIES, decode_raster, find_cuts, parse_commands, stack_images


class PtyPrinterEnd:
    """The printer's end of a pty: reads ESC/POS from the master, answers DLE EOT queries.

    It stops by itself once it has seen ``stop_after`` (a command name such as "cut") or
    ``queries`` status queries, so no thread is left blocked on the pty.
    """

    def __init__(self, state: str = "ok", stop_after: str | None = None, queries: int | None = None):
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self.done = threading.Event()
        self._replies = STATUS_REPLIES[state]
        self._stop_after, self._queries = stop_after, queries
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        parsed, answered = 0, 0
        try:
            while not self.done.is_set():
                chunk = os.read(self.master, 65536)
                if not chunk:
                    break
                self.received += chunk
                commands, consumed = parse_commands(self.received[parsed:], final=False)
                parsed += consumed
                for command in commands:
                    if command.name == "status_query":
                        os.write(self.master, bytes([self._replies[command.data[2]]]))
                        answered += 1
                    if command.name == self._stop_after or answered == self._queries:
                        self.done.set()
        except OSError:
            pass
        finally:
            self.done.set()

    def close(self) -> None:
        """Close the slave (a blocked read on the master then fails with EIO), then the master."""
        os.close(self.slave)
        self._thread.join(timeout=5)
        os.close(self.master)


@pytest.fixture
def printer_end_factory():
    ends: list[PtyPrinterEnd] = []

    def make(**options) -> PtyPrinterEnd:
        ends.append(PtyPrinterEnd(**options))
        return ends[-1]

    yield make
    for end in ends:
        end.close()


def test_serial_print_sends_raster_and_cut(printer_end_factory, ticket):
    end = printer_end_factory(stop_after="cut")
    image = render_ticket(ticket)
    printer = open_printer(f"serial://{end.path}?baudrate=115200", status_timeout=1.0)
    printer.print_ticket(image)
    assert end.done.wait(timeout=5)
    data = bytes(end.received)
    assert stack_images(decode_raster(data)).tobytes() == image.tobytes()
    assert find_cuts(data)
    assert printer.last_status is PrinterStatus.OK


def test_serial_status_reads_the_reply(printer_end_factory):
    end = printer_end_factory(state="paper_near_end", queries=2)
    printer = open_printer(f"serial://{end.path}?baudrate=115200", status_timeout=1.0)
    assert printer.status() is PrinterStatus.PAPER_NEAR_END
    assert end.done.wait(timeout=5)


def test_missing_serial_device_is_unreachable(tmp_path):
    printer = open_printer(f"serial://{tmp_path}/ttyNOPE?baudrate=115200")
    assert printer.status() is PrinterStatus.UNREACHABLE
