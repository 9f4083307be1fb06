"""Printer URLs, profiles, status bytes and job bytes: the parts that need no connection."""

from __future__ import annotations

import importlib.util

import pytest

from hardware.printer import (
    STATUS_MESSAGES,
    FakeTicketPrinter,
    PrinterStatus,
    build_job,
    decode_status,
    open_printer,
    profile_width,
)
from hardware.printer_connections import (
    FileTicketPrinter,
    NetworkTicketPrinter,
    SerialTicketPrinter,
    UsbTicketPrinter,
)
from hardware.ticket_image import render_ticket
from tests.fakes.escpos_printer import STATUS_REPLIES, parse_commands


def test_profiles_expose_their_paper_width():
    assert profile_width("TM-T20II") == 576
    assert profile_width("TM-T88V") == 512
    with pytest.raises(ValueError, match="paper width"):
        profile_width("default")
    with pytest.raises(ValueError, match="unknown printer profile"):
        open_printer("fake", profile="No-Such-Printer")


def test_urls_select_the_right_transport():
    network = open_printer("tcp://192.168.1.50:9100")
    assert isinstance(network, NetworkTicketPrinter) and (network.host, network.port) == ("192.168.1.50", 9100)
    assert open_printer("tcp://printer.local").port == 9100
    serial = open_printer("serial:///dev/ttyUSB0?baudrate=115200&dsrdtr=0")
    assert isinstance(serial, SerialTicketPrinter)
    assert (serial.device_path, serial.baudrate, serial.dsrdtr) == ("/dev/ttyUSB0", 115200, False)
    usb = open_printer("usb://04b8:0202", profile="TM-T88V")
    assert isinstance(usb, UsbTicketPrinter) and (usb.vendor_id, usb.product_id) == (0x04B8, 0x0202)
    assert usb.width_px == 512
    assert isinstance(open_printer("file:///dev/usb/lp0"), FileTicketPrinter)
    assert isinstance(open_printer("fake"), FakeTicketPrinter)


@pytest.mark.parametrize(
    "url",
    ["", "http://printer:9100", "tcp://", "tcp://host:port", "tcp://host:9100/queue", "serial://",
     "serial:///dev/ttyUSB0?baudrate=12345", "serial:///dev/ttyUSB0?speed=9600", "usb://04b8",
     "usb://zzzz:0202", "file://", "lp0"],
)
def test_bad_urls_raise_a_clear_value_error(url):
    with pytest.raises(ValueError, match="printer URL"):
        open_printer(url)


def test_status_messages_are_vietnamese_for_every_status():
    assert set(STATUS_MESSAGES) == set(PrinterStatus)
    assert PrinterStatus.PAPER_OUT.message == "Máy in hết giấy"
    assert PrinterStatus("paper_near_end") is PrinterStatus.PAPER_NEAR_END


@pytest.mark.parametrize(
    ("state", "expected"),
    [("ok", PrinterStatus.OK), ("paper_near_end", PrinterStatus.PAPER_NEAR_END),
     ("paper_out", PrinterStatus.PAPER_OUT), ("cover_open", PrinterStatus.COVER_OPEN),
     ("offline", PrinterStatus.OFFLINE)],
)
def test_decode_status_bytes(state, expected):
    replies = STATUS_REPLIES[state]
    assert decode_status(replies[1], replies[4], replies[2]) is expected


def test_no_reply_is_unknown_never_ok():
    assert decode_status(None, None, None) is PrinterStatus.UNKNOWN
    assert decode_status(0x12, None, None) is PrinterStatus.UNKNOWN


def test_job_is_init_raster_feed_cut(ticket):
    job = build_job(render_ticket(ticket), "TM-T20II")
    names = [command.name for command in parse_commands(job)[0]]
    assert names == ["initialize", "raster", "feed_lines", "cut"]
    assert job.startswith(b"\x1b@\x1dv0\x00" + bytes([576 // 8, 0]))


def test_job_refuses_an_image_wider_than_the_paper(ticket):
    with pytest.raises(ValueError, match="512 px"):
        build_job(render_ticket(ticket, width_px=576), "TM-T88V")


def test_file_printer_writes_the_job_and_never_claims_ok(tmp_path, ticket):
    device = tmp_path / "lp0"
    device.touch()
    printer = open_printer(f"file://{device}")
    assert printer.status() is PrinterStatus.UNKNOWN
    image = render_ticket(ticket)
    printer.print_ticket(image)
    assert device.read_bytes() == build_job(image, "TM-T20II")
    assert open_printer(f"file://{tmp_path}/missing").status() is PrinterStatus.UNREACHABLE


@pytest.mark.skipif(importlib.util.find_spec("usb") is not None, reason="checks the error without pyusb")
def test_usb_without_pyusb_is_unreachable_not_a_crash():
    assert open_printer("usb://04b8:0202").status() is PrinterStatus.UNREACHABLE
