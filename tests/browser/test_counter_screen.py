"""The clerk's screen in Debian Chromium against the real server: sign in, serve, recall to the limit,
no-show, call a chosen ticket, transfer, pause, live updates and sign-out.

One server for the module; each test works a different family of services and counters (config.toml)
so the tests do not see each other's tickets: KS/KH/KT/XNHN at counters 1–2, land (GCN, CN-DD) at 3–4,
business registration (TL-DN, HKD) at counter 5.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.counter_support import (counter_state, current, issue, press, sign_in, start_server, ticket,
                                           waiting_numbers, watched_page)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("counter-screen"))
    yield live
    live.stop()


def test_wrong_password_and_a_taken_counter_are_explained_on_the_sign_in_page(server, browser, page):
    page.goto(f"{server.url}/counter")
    page.wait_for_url(f"{server.url}/counter/login")
    expect(page.locator("h1")).to_have_text("Đăng nhập quầy phục vụ")
    page.fill("#login-name", "hoa")
    page.fill("#login-password", "not-her-password")
    page.select_option("#login-counter", "5")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.locator("#login-password")).to_have_value("")

    other, errors = browser.new_context(locale="vi-VN"), []
    try:
        minh = watched_page(other, errors)
        sign_in(minh, server, "minh", "5")
        page.fill("#login-password", "hoa12345")
        page.click("#login-submit")
        expect(page.locator("#login-error")).to_contain_text("đang có cán bộ minh làm việc")
        minh.click("#sign-out")
        minh.wait_for_url(f"{server.url}/counter/login")
    finally:
        other.close()
    assert errors == []
    assert counter_state(server, "5")["staffed"] is False


def test_a_clerk_serves_the_queue_with_buttons_and_shortcuts(server, page):
    sign_in(page, server, "lan", "1")
    expect(page.locator("#clerk-name")).to_have_text("lan")
    expect(page.locator("#current-empty")).to_be_visible()
    expect(page.locator("#waiting-empty")).to_be_visible()
    expect(page.locator("#action-next")).to_contain_text("Gọi tiếp")
    expect(page.locator("#action-next kbd")).to_have_text("G")
    assert counter_state(server, "1")["staffed"] is True

    # The waiting list follows the kiosk live, oldest first; the first ticket into an empty queue rings.
    chimes = page.evaluate("() => Number(document.body.dataset.chimes || 0)")
    first = issue(server, "KS")
    second = issue(server, "KH", priority="elderly")
    third, fourth = issue(server, "KS"), issue(server, "KT")
    expect(waiting_numbers(page)).to_have_text(["A001", "B001", "A002", "C001"])
    assert page.evaluate("() => Number(document.body.dataset.chimes || 0)") == chimes + 1
    priority_row = page.locator('#waiting-list li[data-number="B001"]')
    expect(priority_row).to_have_class(re.compile(r"\bpriority\b"))
    expect(priority_row).to_contain_text("Ưu tiên: Người cao tuổi")
    expect(page.locator("#waiting-list li").first.locator(".waited")).to_have_text("0 phút")
    expect(page.locator("#waiting-count")).to_have_text("4")

    # Gọi tiếp with its key: the priority ticket goes first (policy), the list shrinks.
    press(page, "g")
    expect(current(page)).to_have_text("B001")
    expect(page.locator("#current-priority")).to_have_text("Ưu tiên: Người cao tuổi")
    expect(page.locator("#current-service")).to_have_text("Đăng ký kết hôn")
    expect(page.locator("#current-status")).to_have_text("Đã gọi – chờ công dân đến quầy")
    expect(page.locator("#current-recalls")).to_have_text("0/3")
    expect(waiting_numbers(page)).to_have_text(["A001", "A002", "C001"])
    expect(page.locator("#action-next")).to_be_disabled()
    expect(page.locator("#waiting-list .call-this").first).to_be_disabled()

    # Gọi lại up to policy.max_recalls, then the button (and its key) stop.
    for count in (1, 2, 3):
        page.click("#action-recall")
        expect(page.locator("#current-recalls")).to_have_text(f"{count}/3")
    expect(page.locator("#action-recall")).to_be_disabled()
    press(page, "l")
    expect(page.locator("#current-recalls")).to_have_text("3/3")

    # Vắng mặt (clicked: a key pressed within 0.1 s of "l" would read as a keyboard scanner's burst).
    page.click("#action-no-show")
    expect(page.locator("#current-empty")).to_be_visible()
    expect(page.locator("#no-show-count")).to_have_text("1")
    assert ticket(server, second["id"])["status"] == "no_show"

    # Gọi tiếp, Bắt đầu, Hoàn thành.
    page.click("#action-next")
    expect(current(page)).to_have_text("A001")
    press(page, "b")
    expect(page.locator("#current-status")).to_have_text("Đang phục vụ")
    expect(page.locator("#action-start")).to_be_disabled()
    expect(page.locator("#action-recall")).to_be_disabled()
    press(page, "h")
    expect(page.locator("#current-empty")).to_be_visible()
    expect(page.locator("#served-list tr .number")).to_have_text(["A001"])
    expect(page.locator("#served-count")).to_have_text("1")
    expect(page.locator("#average-minutes")).to_have_text(re.compile(r"^\d+(\.\d)? phút$"))
    assert ticket(server, first["id"])["status"] == "done"

    # Call a chosen ticket from the list, with a reason: logged out of order.
    page.locator('#waiting-list li[data-number="C001"] .call-this').click()
    expect(page.locator("#call-dialog")).to_be_visible()
    expect(page.locator("#call-number")).to_have_text("C001")
    page.click("#call-confirm")  # no reason yet
    expect(page.locator("#call-dialog .dialog-error")).to_have_text("Hãy nhập lý do gọi trước lượt.")
    page.fill("#call-reason", "Có giấy hẹn trước")
    page.click("#call-confirm")
    expect(page.locator("#call-dialog")).to_be_hidden()
    expect(current(page)).to_have_text("C001")
    expect(waiting_numbers(page)).to_have_text(["A002"])
    called = [e for e in ticket(server, fourth["id"])["history"] if e["kind"] == "called"][-1]
    assert called["details"]["out_of_order"] is True and called["details"]["reason"] == "Có giấy hẹn trước"
    assert called["actor"] == "clerk:lan"
    page.click("#action-start")
    page.click("#action-finish")
    expect(page.locator("#served-list tr .number")).to_have_text(["C001", "A001"])

    # Tạm nghỉ: nothing can be called, the screen says so, the lobby sees a paused counter; Tiếp tục.
    press(page, "t")
    expect(page.locator("#paused-banner")).to_be_visible()
    expect(page.locator("#action-pause .label")).to_have_text("Tiếp tục")
    expect(page.locator("#action-next")).to_be_disabled()
    expect(page.locator("#waiting-list .call-this").first).to_be_disabled()
    assert counter_state(server, "1")["paused"] is True
    press(page, "t")
    expect(page.locator("#paused-banner")).to_be_hidden()
    expect(page.locator("#action-pause .label")).to_have_text("Tạm nghỉ")
    assert counter_state(server, "1")["paused"] is False

    # Nobody else waits after the last one: a calm message, not an error.
    page.click("#action-next")
    expect(current(page)).to_have_text("A002")
    page.click("#action-no-show")
    expect(page.locator("#action-next")).to_be_enabled()
    page.click("#action-next")
    expect(page.locator("#notice")).to_have_text("Không còn ai chờ ở quầy này.")
    assert ticket(server, third["id"])["status"] == "no_show"

    page.click("#sign-out")
    page.wait_for_url(f"{server.url}/counter/login")
    assert counter_state(server, "1")["staffed"] is False


def test_a_transferred_ticket_appears_at_its_original_place_on_the_other_counter(server, browser, page):
    sign_in(page, server, "minh", "3")
    other, errors = browser.new_context(locale="vi-VN"), []
    try:
        hoa = watched_page(other, errors)
        sign_in(hoa, server, "hoa", "4")
        land = [issue(server, "GCN") for _ in range(3)]
        expect(waiting_numbers(hoa)).to_have_text(["1001", "1002", "1003"])
        page.click("#action-next")
        expect(current(page)).to_have_text("1001")
        page.click("#action-start")
        expect(waiting_numbers(hoa)).to_have_text(["1002", "1003"])

        # Straight to counter 4, with a note: at the head of counter 4's list, where it stood.
        press(page, "c")
        expect(page.locator("#transfer-dialog")).to_be_visible()
        expect(page.locator("#transfer-number")).to_have_text("1001")
        page.check('#transfer-form input[value="counter"]')
        page.select_option("#transfer-counter", "4")
        page.fill("#transfer-note", "Hồ sơ cần cán bộ đo đạc <xem lại>")
        page.click("#transfer-confirm")
        expect(page.locator("#transfer-dialog")).to_be_hidden()
        expect(page.locator("#current-empty")).to_be_visible()
        expect(waiting_numbers(hoa)).to_have_text(["1001", "1002", "1003"])
        expect(hoa.locator('#waiting-list li[data-number="1001"]')).to_contain_text("chuyển đến quầy này")
        expect(waiting_numbers(page)).to_have_text(["1002", "1003"])  # counter 3 no longer sees it
        moved = [e for e in ticket(server, land[0]["id"])["history"] if e["kind"] == "transferred"][-1]
        assert moved["details"]["note"] == "Hồ sơ cần cán bộ đo đạc <xem lại>"
        assert moved["details"]["to_counter"] == "4"

        # Counter 4 calls next: the transferred citizen, who keeps the place taken at 08:00 this morning.
        hoa.click("#action-next")
        expect(current(hoa)).to_have_text("1001")

        # Transfer to a service: 1002 goes to CN-DD, still before 1003 in both counters' lists.
        page.click("#action-next")
        expect(current(page)).to_have_text("1002")
        page.click("#action-transfer")
        page.select_option("#transfer-service", "CN-DD")
        page.click("#transfer-confirm")
        expect(page.locator("#transfer-dialog")).to_be_hidden()
        expect(waiting_numbers(page)).to_have_text(["1002", "1003"])
        hoa.click("#action-no-show")
        expect(waiting_numbers(hoa)).to_have_text(["1002", "1003"])
        assert ticket(server, land[1]["id"])["service"] == "CN-DD"
    finally:
        other.close()
    assert errors == []


def test_the_screen_in_english_and_back(server, page):
    sign_in(page, server, "hoa", "5")
    page.click("a.language")
    expect(page.locator("#action-next .label")).to_have_text("Call next")
    expect(page.locator("#waiting-title")).to_contain_text("Waiting list")
    issue(server, "TL-DN")
    expect(page.locator("#waiting-list li .service")).to_have_text(["Company incorporation"])
    page.click("#action-next")
    expect(page.locator("#current-status")).to_have_text("Called – waiting for the citizen")
    page.click("#action-recall")
    expect(page.locator("#current-recalls")).to_have_text("1/3")
    page.reload()  # the language is remembered
    expect(page.locator("#action-recall .label")).to_have_text("Recall")
    page.click("a.language")
    expect(page.locator("#action-recall .label")).to_have_text("Gọi lại")
    page.click("#action-no-show")
    expect(page.locator("#current-empty")).to_be_visible()
