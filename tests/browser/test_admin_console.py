"""The admin console in Debian Chromium against the real server (issue 11): an admin creates a clerk who
then signs in at a counter, pairs a kiosk whose new token takes a ticket, re-pairs it and the old token is
refused; a manager sees neither user nor device links and gets 403 on those pages."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.kiosk_support import kiosk_config, start_centre

LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 800, "height": 1280}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("admin-console")
    live = start_centre(directory, kiosk_config(directory, printers={"kiosk-1": "none"}))
    yield live
    live.stop()


@pytest.fixture
def laptop(browser):
    """A 1366×768 laptop; no page opened in it may raise a JavaScript error or break the CSP (app.py)."""
    context = browser.new_context(locale="vi-VN", viewport=LAPTOP)
    errors = []

    def watch(page):
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text)
                if "Content Security Policy" in message.text else None)
    context.on("page", watch)
    yield context
    context.close()
    assert errors == []


def sign_in(page: Page, server, name: str, password: str) -> None:
    page.goto(f"{server.url}/admin")
    page.wait_for_url(f"{server.url}/admin/login?next=/admin")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/admin")
    expect(page.locator("#admin-user")).to_contain_text(name)


def no_side_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_admin_creates_a_clerk_who_signs_in_at_a_counter(server, laptop):
    page = laptop.new_page()
    sign_in(page, server, "admin", "admin123")
    page.click("#nav-users")
    expect(page.locator("h1")).to_have_text("Người dùng")
    no_side_scroll(page)
    page.fill("#add-name", "thu")
    page.select_option("#add-role", "clerk")
    page.click("#user-add button[type=submit]")
    expect(page.locator("#password-once")).to_contain_text("Chỉ hiển thị một lần")
    password = page.locator("#password-value").text_content()
    expect(page.locator("tr[data-user=thu]")).to_contain_text("Đang hoạt động")
    page.set_viewport_size(TABLET)
    no_side_scroll(page)  # the table scrolls inside itself
    page.set_viewport_size(LAPTOP)

    clerk = laptop.browser.new_context(locale="vi-VN", viewport=LAPTOP).new_page()
    try:
        clerk.goto(f"{server.url}/counter/login")
        clerk.fill("#login-name", "thu")
        clerk.fill("#login-password", password)
        clerk.select_option("#login-counter", "4")
        clerk.click("#login-submit")
        clerk.wait_for_url(f"{server.url}/counter")
        expect(clerk.locator("#action-pause")).to_be_enabled()
    finally:
        clerk.context.close()

    page.click("#nav-history")
    expect(page.locator("#history tr[data-kind=admin_user_added]")).to_contain_text("thu")


def test_admin_pairs_a_kiosk_takes_a_ticket_and_re_pairing_refuses_the_old_token(server, laptop):
    page = laptop.new_page()
    sign_in(page, server, "admin", "admin123")
    page.click("#nav-devices")
    no_side_scroll(page)
    page.click("tr[data-device='kiosk:kiosk-1'] button.repair")
    expect(page.locator("#token-once")).to_be_visible()
    pairing_url = page.locator("#pairing-url").text_content()
    first_token = page.locator("#token-value").text_content()
    assert page.evaluate("document.querySelector('#pairing-qr').naturalWidth") > 0  # the QR image drew

    kiosk = laptop.browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080}).new_page()
    try:
        kiosk.goto(pairing_url.replace("http://localhost", server.url))
        expect(kiosk.locator("#screen-groups")).to_be_visible()
        kiosk.locator("[data-group=ho-tich]").click()
        kiosk.locator("[data-service=KS]").click()
        expect(kiosk.locator("#screen-result")).to_be_visible()
        expect(kiosk.locator("#result-number")).not_to_be_empty()

        page.click("tr[data-device='kiosk:kiosk-1'] button.repair")  # re-pair: the kiosk's token is revoked
        expect(page.locator("#token-value")).not_to_have_text(first_token)
        refused = requests.post(f"{server.url}/api/tickets", json={"service": "KS"},
                                headers=server.headers(first_token), timeout=10)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
        # The open kiosk's socket is closed at once; on reconnect its token is refused: it asks to be paired.
        expect(kiosk.locator("#unpaired-problem")).to_be_visible(timeout=15_000)
    finally:
        kiosk.context.close()


def test_a_manager_sees_no_user_or_device_links_and_is_refused_there(server, laptop):
    page = laptop.new_page()
    sign_in(page, server, "quanly", "quanly123")
    expect(page.locator("#nav-notices")).to_be_visible()
    expect(page.locator("#nav-history")).to_be_visible()
    expect(page.locator("#nav-users")).to_have_count(0)
    expect(page.locator("#nav-devices")).to_have_count(0)
    response = page.goto(f"{server.url}/admin/users")
    assert response.status == 403
    expect(page.locator("#error-code")).to_have_text("forbidden_role")
    expect(page.locator("#error-message")).to_contain_text("không được phép")
    page.goto(f"{server.url}/admin/notices")
    page.fill("#notice-text-all", "<b>Nghỉ trưa</b> 11:30–13:30")
    page.click("#notice-all button[type=submit]")
    expect(page.locator(".notice-ok")).to_contain_text("Đã lưu thông báo cho Mọi màn hình")
    expect(page.locator("#notice-text-all")).to_have_value("<b>Nghỉ trưa</b> 11:30–13:30")
    page.click("a.language")
    expect(page.locator("h1")).to_have_text("Lobby display notices")
    page.click("#admin-sign-out")
    page.wait_for_url(f"{server.url}/admin/login")
