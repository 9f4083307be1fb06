"""When the printer fails, the citizen still leaves with a number: the kiosk shows a "vé điện tử" (number +
QR to photograph), the failure is an event every screen sees, reprint works, and nothing hangs. Also the
kiosk going back to its start after the idle timeout. Real server, Debian Chromium, a fake LAN printer."""

from __future__ import annotations

import pytest
import zxingcpp
from playwright.sync_api import expect

from bench.feed import FeedFollower
from tests.browser.kiosk_support import kiosk_config, open_kiosk, paper, start_centre, ticket_on_screen
from tests.fakes.escpos_printer import FakeNetworkPrinter

IDLE_SECONDS = 4


@pytest.fixture(scope="module")
def printer():
    with FakeNetworkPrinter() as lan:
        yield lan


@pytest.fixture(scope="module")
def centre(tmp_path_factory, printer):
    directory = tmp_path_factory.mktemp("kiosk-faults")
    config = kiosk_config(directory, printers={"kiosk-1": printer.url}, rate_limit_tickets=0,
                          idle_seconds=IDLE_SECONDS, printer_status_seconds=1)
    server = start_centre(directory, config)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def counter_screen(centre):
    """A counter screen's view of the feed (one for the module: closing a client takes seconds)."""
    follower = FeedFollower(centre.url, {"counter": "1"}).connect()
    assert follower.wait_for(lambda f: f.snapshot is not None)
    yield follower
    follower.close()


@pytest.fixture
def feed(counter_screen, printer):
    """The counter screen's feed; the printer back to normal after each test."""
    yield counter_screen
    printer.set_state("ok")


def take_number(page, centre):
    page.locator("[data-group=ho-tich]").click()
    page.locator("[data-service=KS]").click()
    return ticket_on_screen(page, centre)


@pytest.mark.parametrize("state, kind, status, says", [
    ("paper_out", "print_failed", "paper_out", "Máy in hết giấy"),
    ("offline", "print_failed", "offline", "Máy in đang tạm ngừng hoạt động"),
    ("refuse", "print_failed", "unreachable", "Không kết nối được máy in"),
    ("silent", "printed", "unknown", "Máy in không xác nhận đã in"),
])
def test_a_printer_fault_gives_a_digital_ticket_and_an_event(page, centre, printer, feed, state, kind, status, says):
    open_kiosk(page, centre, "kiosk-1")
    printer.set_state(state)
    ticket = take_number(page, centre)
    expect(page.locator("#result-number")).to_have_text(ticket["number"])    # the ticket counts
    # Within the idle timeout, so nothing hangs: connection refused fails at once, silence after 1 s.
    expect(page.locator("#eticket-title")).to_be_visible(timeout=3000)
    expect(page.locator("#eticket-title")).to_have_text("Vé điện tử")
    expect(page.locator("#print-state")).to_contain_text(says)
    assert page.evaluate("document.querySelector('#result-qr').naturalWidth") > 0
    expect(page.locator("#reprint")).to_be_visible()
    assert feed.wait_for(lambda f: any(e["kind"] == kind and e["ticket_id"] == ticket["id"] for e in f.events))
    event = next(e for e in feed.events if e["kind"] == kind and e["ticket_id"] == ticket["id"])
    assert event["details"]["kiosk"] == "kiosk-1" and event["details"]["status"] == status
    assert ticket["status"] == "waiting"


def test_reprint_after_the_paper_is_refilled(page, centre, printer, feed):
    open_kiosk(page, centre, "kiosk-1")
    printer.set_state("paper_out")
    ticket = take_number(page, centre)
    expect(page.locator("#eticket-title")).to_be_visible()
    printer.set_state("ok")
    page.locator("#reprint").click()
    while True:  # skip what earlier tests printed (a "silent" printer still takes the bytes)
        printed = paper(printer.wait_for_ticket(timeout=10))
        if zxingcpp.read_barcodes(printed.convert("L"))[0].text == ticket["status_url"]:
            break
    expect(page.locator("#print-state")).to_have_text("Mời bạn nhận phiếu ở khe bên dưới.")
    expect(page.locator("#eticket-title")).to_be_hidden()


def test_a_printer_known_to_be_out_is_announced_before_the_tap(page, centre, printer, feed):
    open_kiosk(page, centre, "kiosk-1")
    printer.set_state("paper_out")                                            # polled every second here
    banner = page.locator("#printer-banner")
    expect(banner).to_contain_text("Máy in hết giấy. Bạn vẫn lấy số được", timeout=5000)
    assert feed.wait_for(lambda f: any(e["kind"] == "printer_status" and e["details"]["status"] == "paper_out"
                                       for e in f.events))
    printer.set_state("ok")
    expect(banner).to_be_hidden(timeout=5000)


def test_idle_kiosk_goes_back_to_the_start_in_vietnamese(page, centre, feed):
    open_kiosk(page, centre, "kiosk-1")
    page.locator("#lang").click()
    page.locator("#open-priority").click()
    page.locator("[data-priority=pregnant]").click()
    take_number(page, centre)
    expect(page.locator("#print-state")).to_have_text("Please take your ticket from the slot below.")
    expect(page.locator("h2", has_text="Mời chọn lĩnh vực")).to_be_visible(timeout=(IDLE_SECONDS + 4) * 1000)
    expect(page.locator("#screen-result")).to_be_hidden()
    expect(page.locator("#priority-banner")).to_be_hidden()
    expect(page.locator("#lang")).to_have_text("English")
