"""Printing and status over TCP against a fake LAN printer that speaks real ESC/POS."""

from __future__ import annotations

import time

import pytest
import zxingcpp
from PIL import Image

from hardware.printer import FakeTicketPrinter, PrinterError, PrinterStatus, open_printer
from hardware.ticket_image import render_ticket
from tests.fakes.escpos_printer import FakeNetworkPrinter, decode_raster, find_cuts, parse_commands, stack_images
from tests.hardware.samples import FAST_TIMEOUTS, make_ticket


def without_status_queries(data: bytes) -> bytes:
    """The job bytes a printer received, minus the DLE EOT queries sent before them."""
    return b"".join(command.data for command in parse_commands(data)[0] if command.name != "status_query")


def test_printed_raster_equals_rendered_ticket(lan_printer, ticket):
    image = render_ticket(ticket)
    open_printer(lan_printer.url, **FAST_TIMEOUTS).print_ticket(image)

    data = lan_printer.wait_for_ticket(timeout=5)
    paper = stack_images(decode_raster(data))
    assert paper.tobytes() == image.tobytes()
    assert [result.text for result in zxingcpp.read_barcodes(paper.convert("L"))] == [ticket.status_url]
    cuts = find_cuts(data)
    assert len(cuts) == 1 and data.endswith(cuts[0].data), "one cut, after the image"


def test_tall_ticket_is_sent_in_several_raster_blocks(lan_printer):
    image = render_ticket(make_ticket(service_name="Đăng ký khai sinh " * 40))
    assert image.height > 960
    open_printer(lan_printer.url, **FAST_TIMEOUTS).print_ticket(image)
    blocks = decode_raster(lan_printer.wait_for_ticket(timeout=5))
    assert len(blocks) == 2
    assert stack_images(blocks).tobytes() == image.tobytes()


def test_fake_printer_sends_the_same_bytes_as_a_real_one(lan_printer, ticket, tmp_path):
    image = render_ticket(ticket)
    fake = open_printer("fake", fake_dir=tmp_path)
    fake.print_ticket(image)
    open_printer(lan_printer.url, **FAST_TIMEOUTS).print_ticket(image)
    assert without_status_queries(lan_printer.wait_for_ticket(timeout=5)) == fake.jobs[0]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("ok", PrinterStatus.OK),
        ("paper_near_end", PrinterStatus.PAPER_NEAR_END),
        ("paper_out", PrinterStatus.PAPER_OUT),
        ("cover_open", PrinterStatus.COVER_OPEN),
        ("offline", PrinterStatus.OFFLINE),
        ("silent", PrinterStatus.UNKNOWN),
        ("refuse", PrinterStatus.UNREACHABLE),
    ],
)
def test_status_for_each_printer_state(lan_printer, state, expected):
    printer = open_printer(lan_printer.url, **FAST_TIMEOUTS)
    lan_printer.set_state(state)
    started = time.monotonic()
    assert printer.status() is expected
    assert time.monotonic() - started < 2.0, "a status check must never hang the kiosk"


@pytest.mark.parametrize(
    ("state", "expected"),
    [("paper_out", PrinterStatus.PAPER_OUT), ("cover_open", PrinterStatus.COVER_OPEN),
     ("refuse", PrinterStatus.UNREACHABLE)],
)
def test_print_fails_with_status_and_sends_nothing(lan_printer, ticket, state, expected):
    printer = open_printer(lan_printer.url, **FAST_TIMEOUTS)
    lan_printer.set_state(state)
    with pytest.raises(PrinterError) as failure:
        printer.print_ticket(render_ticket(ticket))
    assert failure.value.status is expected
    assert failure.value.message.startswith(expected.message)
    assert lan_printer.tickets == []


def test_reconnects_after_printer_comes_back(lan_printer, ticket):
    printer = open_printer(lan_printer.url, **FAST_TIMEOUTS)
    lan_printer.set_state("refuse")
    with pytest.raises(PrinterError):
        printer.print_ticket(render_ticket(ticket))
    lan_printer.set_state("ok")
    printer.print_ticket(render_ticket(ticket))
    assert decode_raster(lan_printer.wait_for_ticket(timeout=5))


def test_unasked_status_block_is_not_mistaken_for_a_reply():
    automatic_status_back = b"\x10\x00\x00\x0f"  # 4-byte ASB: none of its bytes fits DLE EOT
    with FakeNetworkPrinter(state="paper_near_end", greeting=automatic_status_back) as lan_printer:
        assert open_printer(lan_printer.url, **FAST_TIMEOUTS).status() is PrinterStatus.PAPER_NEAR_END


def test_silent_printer_still_prints_and_reports_unknown(lan_printer, ticket):
    lan_printer.set_state("silent")
    printer = open_printer(lan_printer.url, **FAST_TIMEOUTS)
    printer.print_ticket(render_ticket(ticket))
    assert printer.last_status is PrinterStatus.UNKNOWN
    assert find_cuts(lan_printer.wait_for_ticket(timeout=5))


def test_fake_printer_saves_png(tmp_path, ticket):
    printer = open_printer("fake", fake_dir=tmp_path / "tickets")
    assert isinstance(printer, FakeTicketPrinter)
    image = render_ticket(ticket)
    printer.print_ticket(image)
    [path] = list((tmp_path / "tickets").glob("ticket-*.png"))
    assert path == printer.saved_paths[0]
    with Image.open(path) as saved:
        assert saved.convert("1").tobytes() == image.tobytes()
    assert stack_images(decode_raster(printer.jobs[0])).tobytes() == image.tobytes()
    printer.state = PrinterStatus.PAPER_OUT
    with pytest.raises(PrinterError, match="Máy in hết giấy"):
        printer.print_ticket(image)
