"""Taking a number at the kiosk in Debian Chromium, against the real server, printing to a fake LAN printer.

One centre for the module. Each test uses its own kiosk (kiosk-1, kiosk-3 … in the test config), because
the rate limit here is one ticket per kiosk per minute: that is what the burst test needs.
"""

from __future__ import annotations

import sqlite3

import pytest
import requests
import zxingcpp
from playwright.sync_api import expect

from core.settings import load_settings
from hardware.ticket_image import render_ticket_regions
from kiosk.printing import ticket_print
from tests.browser.kiosk_support import (assert_touchable, kiosk_config, open_kiosk, paper, start_centre,
                                         ticket_on_screen)
from tests.fakes.escpos_printer import FakeNetworkPrinter

PORTRAIT, LANDSCAPE = {"width": 1080, "height": 1920}, {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def printer():
    with FakeNetworkPrinter() as lan:
        yield lan


@pytest.fixture(scope="module")
def centre(tmp_path_factory, printer):
    directory = tmp_path_factory.mktemp("kiosk-taking")
    config = kiosk_config(directory, printers={"kiosk-1": printer.url}, caps={"KT": 1},
                          extra_kiosks={"kiosk-3": printer.url, "kiosk-4": "none", "kiosk-5": "none"},
                          rate_limit_tickets=1, rate_limit_seconds=60)
    server = start_centre(directory, config)
    # Counter 1 (hộ tịch) is staffed: its device acted just now (an unstaffed centre gives no estimate).
    staffed = requests.post(f"{server.url}/api/counters/1/next", headers=server.headers("demo-counter-1"), timeout=10)
    assert staffed.status_code == 204, staffed.text                          # nobody waiting yet
    # kiosk-5 takes the only KT number of the day before the browser looks: "Hết số hôm nay".
    taken = requests.post(f"{server.url}/api/tickets", json={"service": "KT"},
                          headers=server.headers("demo-kiosk-5"), timeout=10)
    assert taken.status_code == 201, taken.text
    server.settings = load_settings(config)
    yield server
    server.stop()


def check_printed(printer, ticket: dict, settings) -> None:
    """The LAN printer got this ticket: 576 px wide, number inked, QR → the ticket's status URL."""
    printed = paper(printer.wait_for_ticket(timeout=10))
    assert printed.width == 576
    assert [code.text for code in zxingcpp.read_barcodes(printed.convert("L"))] == [ticket["status_url"]]
    left, top, right, bottom = render_ticket_regions(ticket_print(settings, ticket), 576).regions["number"]
    black = printed.crop((left, top, right, bottom)).convert("L").histogram()[0]
    assert black > 0.2 * (right - left) * (bottom - top)


def test_portrait_group_then_service_gives_a_printed_number(browser, centre, printer):
    context = browser.new_context(viewport=PORTRAIT, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        open_kiosk(page, centre, "kiosk-1")
        assert page.url == f"{centre.url}/kiosk/kiosk-1"                     # the token left the address bar
        assert page.evaluate("localStorage.getItem('xh-kiosk-token:kiosk-1')") == "demo-kiosk-1"
        expect(page.locator("h2", has_text="Mời chọn lĩnh vực")).to_be_visible()
        assert_touchable(page)
        page.locator("[data-group=ho-tich]").click()
        expect(page.locator("#group-title")).to_have_text("Hộ tịch")
        birth = page.locator("[data-service=KS]")
        # Nobody waits for KS, but the KT ticket taken above goes first at the only staffed counter of
        # hộ tịch (counter 1): the newcomer is called when that 8-minute service (the default) ends.
        expect(birth).to_contain_text("Đang chờ: 0 người · Khoảng 8 phút")
        assert_touchable(page)
        birth.click()
        ticket = ticket_on_screen(page, centre)
        expect(page.locator("#result-number")).to_have_text(ticket["number"])
        expect(page.locator("#result-service")).to_have_text("Đăng ký khai sinh")
        expect(page.locator("#result-ahead")).to_have_text("Số người chờ trước: 1")
        check_printed(printer, ticket, centre.settings)
        expect(page.locator("#print-state")).to_have_text("Mời bạn nhận phiếu ở khe bên dưới.")
        assert page.evaluate("document.querySelector('#result-qr').naturalWidth") > 0  # the QR image loaded
        assert_touchable(page)
        assert page.locator("a").count() == 0                                # no link to wander off to
    finally:
        context.close()
    assert errors == []


def test_landscape_priority_step_and_a_very_long_service_name(page, centre, printer):
    open_kiosk(page, centre, "kiosk-3")                                       # the page fixture: 1920×1080
    page.locator("#open-priority").click()
    page.locator("[data-priority=elderly]").click()
    expect(page.locator("#priority-text")).to_have_text("Số ưu tiên: Người cao tuổi")
    page.locator("[data-group=dat-dai]").click()
    land = page.locator("[data-service=GCN]")
    expect(land).to_contain_text("quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu")
    assert_touchable(page)
    land.click()
    ticket = ticket_on_screen(page, centre)
    assert ticket["priority"] == "elderly"
    expect(page.locator("#result-priority")).to_have_text("Số ưu tiên: Người cao tuổi")
    check_printed(printer, ticket, centre.settings)
    assert_touchable(page)
    page.locator("#done").click()
    expect(page.locator("#priority-banner")).to_be_hidden()                  # the next citizen starts afresh


def test_english_toggle_and_back(page, centre):
    open_kiosk(page, centre, "kiosk-5")
    page.locator("#lang").click()
    expect(page.locator("h2", has_text="Choose a field")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("[data-group=dat-dai]")).to_contain_text("Land")
    page.locator("[data-group=ho-tich]").click()
    expect(page.locator("[data-service=KS]")).to_contain_text("Birth registration")
    expect(page.locator("[data-service=KT]")).to_contain_text("No more numbers today")
    expect(page.locator("#lang")).to_have_text("Tiếng Việt")
    page.locator("#lang").click()
    expect(page.locator("[data-service=KS]")).to_contain_text("Đăng ký khai sinh")
    expect(page.locator("#group-title")).to_have_text("Hộ tịch")


def test_a_service_past_its_cap_is_shown_unavailable_before_the_tap(page, centre):
    open_kiosk(page, centre, "kiosk-5")
    page.locator("[data-group=ho-tich]").click()
    death = page.locator("[data-service=KT]")
    expect(death).to_be_disabled()
    expect(death.locator(".reason")).to_have_text("Hết số hôm nay")
    expect(page.locator("[data-service=KS]")).to_be_enabled()
    page.locator("#screen-services .back").click()
    page.locator("#open-search").click()
    page.keyboard.type("khai tu")                                             # accents not needed
    expect(page.locator("#search-results [data-service=KT]")).to_be_disabled()
    for letter in "xx":
        page.locator(f"#keyboard [data-key={letter}]").click()               # the on-screen keyboard
    expect(page.locator("#search-box")).to_have_text("khai tuxx")
    expect(page.locator("#search-results")).to_contain_text("Không tìm thấy thủ tục phù hợp")


def test_a_burst_of_taps_gives_one_ticket_then_a_polite_message(page, centre):
    open_kiosk(page, centre, "kiosk-4")
    page.locator("[data-group=ho-tich]").click()
    box = page.locator("[data-service=KS]").bounding_box()
    for _ in range(10):                                                       # a stuck finger, a child
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    ticket = ticket_on_screen(page, centre)
    expect(page.locator("#result-number")).to_have_text(ticket["number"])
    expect(page.locator("#print-state")).to_contain_text("Kiosk này không in phiếu")   # kiosk-4 has no printer
    page.locator("#done").click()                                             # enabled once the taps are over
    page.locator("[data-group=ho-tich]").click()
    page.locator("[data-service=KS]").click()
    expect(page.locator("#message")).to_be_visible()
    expect(page.locator("#message-text")).to_contain_text("Kiosk vừa cấp số liên tiếp. Xin vui lòng chờ")
    with sqlite3.connect(centre.db) as db:
        issued = db.execute("SELECT count(*) FROM tickets WHERE kiosk = 'kiosk-4'").fetchone()[0]
    assert issued == 1


def test_a_kiosk_without_its_code_says_so(page, centre):
    page.goto(f"{centre.url}/kiosk/kiosk-1")
    expect(page.locator("#screen-unpaired h2")).to_have_text("Kiosk chưa được cấp mã")
    expect(page.locator("#unpaired-text")).to_contain_text("server.py add-device kiosk kiosk-1")
    page.goto(f"{centre.url}/kiosk/kiosk-1?token=not-a-real-token")
    expect(page.locator("#unpaired-problem")).to_have_text("Mã kiosk không hợp lệ, đã bị thu hồi hoặc thuộc kiosk khác.")
    assert page.evaluate("localStorage.getItem('xh-kiosk-token:kiosk-1')") is None
    assert page.url == f"{centre.url}/kiosk/kiosk-1"
