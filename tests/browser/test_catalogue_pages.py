"""The console's catalogue pages in Chromium against the real server (issue 11, "Tests"): move a thủ tục
to another counter and call it there without a restart; close a thủ tục and watch the kiosk grey it out;
add a holiday for today and watch the kiosk refuse tickets."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.kiosk_support import open_kiosk, start_centre
from tests.conftest import quiet_kiosks_config

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    directory = tmp_path_factory.mktemp("admin-catalogue")
    server = start_centre(directory, quiet_kiosks_config(directory))
    yield server
    server.stop()


def sign_in(page: Page, server, name: str, password: str, target: str) -> None:
    page.goto(f"{server.url}/admin/login?next={target}")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page).to_have_url(f"{server.url}{target}")


def take(server, service: str, kiosk: str = "kiosk-1"):
    return requests.post(f"{server.url}/api/tickets", json={"service": service, "priority": None},
                         headers=server.headers(f"demo-{kiosk}"), timeout=10)


def test_a_manager_moves_a_service_to_another_counter_and_it_is_called_there(page, centre):
    ticket = take(centre, "KS").json()
    call = lambda: requests.post(f"{centre.url}/api/counters/5/next", headers=centre.headers("demo-counter-5"),
                                 timeout=10)
    assert call().status_code == 204  # counter 5 does not serve birth registration yet
    sign_in(page, centre, "quanly", "quanly123", "/admin/counters")
    card = page.locator("#counter-5")
    card.locator("input[name=services][value=KS]").check()
    card.locator("input[name=name]").fill("Quầy số 5 – hộ tịch")
    card.locator(".counter-edit button[type=submit]").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#counter-5 h2")).to_contain_text("Quầy số 5 – hộ tịch")
    called = call()
    assert called.status_code == 200 and called.json()["id"] == ticket["id"]


def test_a_service_closed_in_the_console_greys_out_on_the_open_kiosk(browser, centre):
    kiosk = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080}).new_page()
    console = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768}).new_page()
    try:
        open_kiosk(kiosk, centre, "kiosk-1")
        kiosk.locator("[data-group=ho-tich]").click()
        marriage = kiosk.locator("[data-service=KH]")
        expect(marriage).to_be_enabled()
        sign_in(console, centre, "quanly", "quanly123", "/admin/catalogue")
        row = console.locator("#service-KH")
        row.locator("summary").click()
        row.locator("input[name=reason]").fill("Phần mềm hộ tịch đang bảo trì")
        row.locator("button.close-today").click()
        expect(console.locator("#service-KH .service-state")).to_contain_text("Tạm dừng hôm nay")
        # The kiosk hears the admin_service_closed event and redraws: greyed out, with the reason.
        expect(marriage).to_be_disabled()
        expect(marriage.locator(".reason")).to_have_text("Tạm dừng tiếp nhận hôm nay: Phần mềm hộ tịch đang bảo trì")
        assert take(centre, "KH").json()["error"] == "service_closed"
        console.locator("#service-KH button.reopen").click()
        expect(marriage).to_be_enabled()
    finally:
        kiosk.context.close()
        console.context.close()


def test_a_holiday_added_for_today_makes_the_kiosk_refuse_tickets(browser, centre):
    kiosk = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920}).new_page()
    console = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768}).new_page()
    try:
        open_kiosk(kiosk, centre, "kiosk-1")
        expect(kiosk.locator("#calendar-banner")).to_be_visible()
        sign_in(console, centre, "admin", "admin123", "/admin/hours")
        today = datetime.now(ZONE).date().isoformat()
        console.fill("#exception-day", today)
        console.select_option("#exception-kind", "holiday")
        console.fill("#exception-note", "Nghỉ lễ <b>Quốc khánh</b>")
        console.click("#add-exception")
        expect(console.locator("#saved")).to_be_visible()
        expect(console.locator(f"#exception-table tr[data-day='{today}']")).to_contain_text("Nghỉ lễ <b>Quốc khánh</b>")
        banner = kiosk.locator("#calendar-banner")
        expect(banner).to_have_class("banner calendar-banner holiday")
        expect(banner).to_contain_text("Hôm nay trung tâm nghỉ: Nghỉ lễ <b>Quốc khánh</b>")  # text, never markup
        expect(kiosk.locator("[data-group=ho-tich]")).to_be_disabled()
        expect(kiosk.locator("[data-group=ho-tich] .reason")).to_contain_text("Hôm nay nghỉ lễ")
        refused = take(centre, "KS")
        assert refused.status_code == 409 and refused.json()["error"] == "holiday"
        # A past date is refused beside its field, in Vietnamese, and nothing is added.
        console.fill("#exception-day", "2020-01-01")
        console.fill("#exception-note", "Đã qua")
        console.click("#add-exception")
        expect(console.locator("#exception-day-error")).to_contain_text("quá khứ")
        expect(console.locator("#exception-table tbody tr")).to_have_count(1)
    finally:
        kiosk.context.close()
        console.context.close()
