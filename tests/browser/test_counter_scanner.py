"""Scanners as the clerk sees them in Chromium: a serial scanner on a pty calls and starts tickets on the
screen, its unplug and replug show and clear a banner, junk gets a message; a USB scanner in keyboard mode
typing into the page works the same; a kiosk printer failure shows a banner on the counter too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.counter_support import current, issue, sign_in, start_server, ticket
from tests.conftest import free_port
from tests.hardware.counter_scanners import PtyScanner, config_with_scanner, plug_in, scanner_states, wait_until

PREFIX = "]Q1"


@pytest.fixture
def scanners(tmp_path):
    """The pty scanners plugged in during a test (the first one at start), unplugged after it."""
    plugged = [PtyScanner()]
    yield plugged
    for scanner in plugged:
        scanner.unplug()


@pytest.fixture
def server(tmp_path, scanners):
    link = tmp_path / "usb-Zebra_DS2208-if00"
    plug_in(link, scanners[0])
    config = config_with_scanner(tmp_path, str(link), prefix=PREFIX)
    # Kiosk 2's printer is a LAN printer nobody answers for: its tickets fail to print.
    text = config.read_text(encoding="utf-8").split('printer = "none"')
    assert len(text) == 3, "expected the two kiosks' printer lines of tests/conftest.py's quiet config"
    config.write_text(f'{text[0]}printer = "none"{text[1]}printer = "tcp://127.0.0.1:{free_port()}"{text[2]}',
                      encoding="utf-8")
    live = start_server(tmp_path, config)
    live.link = link
    yield live
    live.stop()


def test_serial_and_keyboard_scans_and_device_banners_on_the_counter_screen(server, scanners, page):
    wait_until(lambda: scanner_states(server) == ["connected"], "the scanner to connect")
    sign_in(page, server, "lan", "1")
    expect(page.locator("#banners li")).to_have_count(0)
    first, second, third = issue(server, "KS"), issue(server, "KS"), issue(server, "KT")
    expect(page.locator("#waiting-count")).to_have_text("3")

    # The serial scanner: the second ticket is called here, then started, with no click on the page.
    scanners[0].send(f"{PREFIX}{second['status_url']}\r\n".encode())
    expect(current(page)).to_have_text("A002")
    expect(page.locator("#current")).to_have_attribute("data-status", "called")
    scanners[0].send(f"{PREFIX}{second['status_url']}\r".encode())
    expect(page.locator("#current-status")).to_have_text("Đang phục vụ")

    # Junk from the scanner: a message on this counter's screen, nothing else changes.
    scanners[0].send(b"\x00\x1b[2J\r")
    expect(page.locator("#notice")).to_have_text("Máy quét của Quầy số 1 gửi dữ liệu không đọc được. Hãy quét lại.")
    expect(current(page)).to_have_text("A002")

    # Unplug: a banner the clerk cannot miss; replug: it goes away by itself.
    scanners[0].unplug()
    banner = page.locator('#banners li[data-device="scanner"]')
    expect(banner).to_contain_text("Máy quét mã vạch của quầy mất kết nối")
    replugged = PtyScanner()
    scanners.append(replugged)
    plug_in(server.link, replugged)
    expect(banner).to_have_count(0)
    page.click("#action-finish")
    expect(page.locator("#served-list tr .number")).to_have_text(["A002"])

    # A USB scanner in keyboard mode types the QR code's text and Enter into the page. (Each scan happens
    # while "Hoàn thành" is disabled, so even a slow machine splitting "h|ttp…" could not finish a ticket.)
    page.keyboard.type(first["status_url"])
    page.keyboard.press("Enter")
    expect(current(page)).to_have_text("A001")
    expect(page.locator("#notice")).to_have_text("Đã gọi số A001 đến Quầy số 1.")
    # A scan the counter cannot act on says why…
    page.keyboard.type(third["status_url"])
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("chưa xử lý xong số A001")
    # …and the called citizen's ticket starts the service.
    page.keyboard.type(first["status_url"])
    page.keyboard.press("Enter")
    expect(page.locator("#current-status")).to_have_text("Đang phục vụ")
    expect(page.locator("#notice")).to_have_text("Bắt đầu phục vụ số A001.")
    called = [e for e in ticket(server, first["id"])["history"] if e["kind"] == "called"][-1]
    assert (called["actor"], called["details"]["reason"]) == ("clerk:lan", "scanned")
    assert ticket(server, third["id"])["status"] == "waiting"

    # The replugged serial scanner works again.
    page.click("#action-finish")
    expect(page.locator("#current-empty")).to_be_visible()
    replugged.send(f"{PREFIX}{third['status_url']}\r".encode())
    expect(current(page)).to_have_text("C001")

    # A kiosk's printer fails: every counter learns it (citizens at that kiosk get no paper).
    issue(server, "CT-BS", kiosk="demo-kiosk-2")
    printer = page.locator('#banners li[data-device="printer:kiosk-2"]')
    expect(printer).to_contain_text("Máy in phiếu gặp sự cố – Kiosk cửa phụ")
    printer.locator("button").click()
    expect(printer).to_have_count(0)
