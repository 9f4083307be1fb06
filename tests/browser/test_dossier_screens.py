"""Tra cứu hồ sơ in Chromium against the real server: a keyboard-mode scan at the kiosk, the on-screen
keyboard, the one-tap ticket; a pty serial scanner at a counter opening a dossier on the clerk's screen."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.counter_support import sign_in, start_server
from tests.browser.kiosk_support import assert_touchable, kiosk_config, open_kiosk, start_centre, ticket_on_screen
from tests.hardware.counter_scanners import PtyScanner, config_with_scanner, plug_in, scanner_states, wait_until
from tools.dossier_sample import code_for, sample_rows, write_sample

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def imported(server, directory) -> list[dict]:
    """The demo's sample dossiers, dated around the server's today, imported with the command line."""
    today = datetime.now(ZONE).date()
    path = directory / "dossiers.csv"
    write_sample(str(path), today)
    server.command("import-dossiers", str(path))
    return sample_rows(today)


@pytest.fixture
def kiosk_centre(tmp_path):
    config = kiosk_config(tmp_path, printers={"kiosk-1": "none"})
    text = config.read_text(encoding="utf-8").replace('result_service = ""', 'result_service = "GPXD"')
    config.write_text(text, encoding="utf-8")
    server = start_centre(tmp_path, config)
    yield server, imported(server, tmp_path)
    server.stop()


def test_a_receipt_scanned_at_the_kiosk_shows_its_status_and_takes_a_result_ticket(kiosk_centre, page):
    server, rows = kiosk_centre
    ready = next(row for row in rows if row["status"] == "Đã có kết quả")
    open_kiosk(page, server, "kiosk-1")
    expect(page.locator("#open-dossier")).to_have_text("Tra cứu hồ sơ")
    # A USB scanner in keyboard mode "types" the receipt's Code 128 in a burst and ends with Enter.
    page.keyboard.type(ready["code"])
    page.keyboard.press("Enter")
    expect(page.locator("#screen-dossier")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Đã có kết quả")
    expect(page.locator("#dossier-next")).to_have_text("Hồ sơ đã có kết quả. Mời ông/bà đến quầy trả kết quả số 8.")
    expect(page.locator("#dossier-due")).to_have_text(ready["due"])
    expect(page.locator("#dossier-procedure")).to_have_text(ready["procedure"])
    name = page.locator("#dossier-name").text_content()
    assert name.startswith(ready["name"][0]) and "*" in name and ready["name"] not in page.content()
    assert ready["phone"] not in page.content()
    assert_touchable(page)
    page.click("#dossier-ticket")  # one tap: a number for the result-return thủ tục
    ticket = ticket_on_screen(page, server)
    assert ticket["service"] == "GPXD"


def test_a_code_typed_on_the_screen_keyboard_and_a_wrong_one(kiosk_centre, page, tmp_path):
    server, rows = kiosk_centre
    waiting = next(row for row in rows if row["status"] == "Chờ bổ sung")
    open_kiosk(page, server, "kiosk-1")
    page.click("#open-dossier")
    expect(page.locator("#dossier-box")).to_have_text("Mã hồ sơ (ví dụ 000.00.31.H99-261105-0017)")
    wrong = waiting["code"][:-1] + str((int(waiting["code"][-1]) + 1) % 10)
    for char in wrong.lower():
        page.click(f'#dossier-keyboard button[data-key="{char}"]')
    expect(page.locator("#dossier-box")).to_have_text(wrong)
    page.click("#dossier-lookup")
    expect(page.locator("#message-text")).to_have_text("Mã hồ sơ không đúng (sai số kiểm tra). Xin nhập lại từng ký tự.")
    page.click("#message-close")
    page.click('#dossier-keyboard button[data-key="delete"]')
    page.click(f'#dossier-keyboard button[data-key="{waiting["code"][-1]}"]')
    page.click("#dossier-lookup")
    expect(page.locator("#dossier-status")).to_have_text("Chờ bổ sung")
    expect(page.locator("#dossier-ticket")).to_be_hidden()  # nothing to pick up yet
    assert_touchable(page)
    page.click("#lang")
    expect(page.locator("#dossier-done")).to_have_text("Done")
    expect(page.locator("#dossier-status")).to_have_text("Waiting for more papers")  # asked again in English
    page.screenshot(path=str(tmp_path / "kiosk-dossier.png"))


def test_a_serial_scanner_at_a_counter_opens_the_dossier_on_the_clerks_screen(tmp_path, page):
    scanner = PtyScanner()
    link = tmp_path / "usb-Zebra_DS2208-if00"
    plug_in(link, scanner)
    server = start_server(tmp_path, config_with_scanner(tmp_path, str(link), prefix="]C0"))
    try:
        rows = imported(server, tmp_path)
        late = rows[-1]  # the sample's last dossier is past its due date
        wait_until(lambda: scanner_states(server) == ["connected"], "the scanner to connect")
        sign_in(page, server, "lan", "1")
        scanner.send(f"]C0{late['code']}\r".encode())
        expect(page.locator("#dossier-panel")).to_be_visible()
        expect(page.locator("#dossier-code")).to_have_text(late["code"])
        expect(page.locator("#dossier-status")).to_have_text("Quá hạn")
        expect(page.locator("#dossier-next")).to_contain_text("xin lỗi")
        expect(page.locator("#waiting-count")).to_have_text("0")  # no ticket was called or made
        unknown = code_for(date(2026, 1, 5), 999)
        scanner.send(f"]C0{unknown}\r".encode())  # well-formed, unknown: a message, the panel stays
        expect(page.locator("#notice")).to_contain_text(f"Không tìm thấy hồ sơ có mã {unknown}")
        scanner.send(f"]C0{unknown[:-1]}{(int(unknown[-1]) + 1) % 10}\r".encode())
        expect(page.locator("#notice")).to_have_text("Mã hồ sơ không đúng (sai số kiểm tra). Xin nhập lại từng ký tự.")
        expect(page.locator("#dossier-code")).to_have_text(late["code"])
        page.click("#dossier-close")
        expect(page.locator("#dossier-panel")).to_be_hidden()
        # A USB scanner in keyboard mode at the same counter: the same panel, from /counter/scan's answer.
        ready = next(row for row in rows if row["status"] == "Đã có kết quả")
        page.keyboard.type(ready["code"])
        page.keyboard.press("Enter")
        expect(page.locator("#dossier-code")).to_have_text(ready["code"])
        expect(page.locator("#dossier-status")).to_have_text("Đã có kết quả")
        expect(page.locator("#dossier-next")).to_contain_text("quầy trả kết quả số 8")
    finally:
        server.stop()
        scanner.unplug()


def test_the_lobby_board_of_dossier_results(kiosk_centre, page, tmp_path):
    server, rows = kiosk_centre
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server.url}/display/display-1/dossiers")
    expect(page.locator("#dossier-refreshed")).to_contain_text("Cập nhật lúc")
    expect(page.locator("#dossier-year .dossier-period-title")).to_have_text(f"Năm {datetime.now(ZONE).year}")
    expect(page.locator('#dossier-year [data-figure="received"]')).not_to_have_text("–")
    expect(page.locator("#dossier-year tbody tr").first).to_be_visible()
    groups = page.locator("#dossier-year tbody tr td:first-child").all_text_contents()
    assert "Hộ tịch" in groups and "Đất đai" in groups
    late = page.locator('#dossier-year [data-figure="late_share"]').text_content()
    assert late.endswith("%") and late != "0,0%"
    page.screenshot(path=str(tmp_path / "dossier-board.png"))
