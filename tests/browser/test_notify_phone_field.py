"""The status page's phone field in Debian Chromium against the real server and a local SMS gateway:
a wrong number is refused in Vietnamese, the consent box is required, a right one is kept (shown masked),
the SMS arrive when the queue moves, and "Không nhận tin nữa" deletes the number."""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.kiosk_support import start_centre
from tests.web.notify_support import HttpReceiver, notify_config

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture(scope="module")
def gateway():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def centre(tmp_path_factory, gateway):
    directory = tmp_path_factory.mktemp("notify-phone")
    server = start_centre(directory, notify_config(directory, f"{gateway.url}/sms"))
    yield server
    server.stop()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def issue(server) -> dict:
    answer = requests.post(f"{server.url}/api/tickets", json={"service": "KH"}, headers=server.headers("demo-kiosk-1"),
                           timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def serve_next(server) -> dict:
    headers = server.headers("demo-counter-2")
    ticket = requests.post(f"{server.url}/api/counters/2/next", headers=headers, timeout=10).json()
    for action in ("start", "finish"):
        requests.post(f"{server.url}/api/tickets/{ticket['id']}/{action}", headers=headers, timeout=10).raise_for_status()
    return ticket


def test_a_citizen_leaves_a_number_and_gets_the_messages(centre, gateway, phone):
    tickets = [issue(centre) for _ in range(5)]
    phone.goto(f"{centre.url}/t/{tickets[4]['status_url'].rsplit('/t/', 1)[1]}")
    expect(phone.locator("#sms")).to_be_visible()
    expect(phone.locator("#sms")).to_contain_text("còn 3 người trước bạn")
    phone.fill("#sms-phone", "0112 345 678")
    phone.check("#sms-consent")
    phone.click("#sms-send")
    expect(phone.locator("#sms-result")).to_have_text("Số điện thoại di động không hợp lệ. Ví dụ: 0912 345 678.")
    phone.fill("#sms-phone", "0912 345 678")
    phone.uncheck("#sms-consent")
    phone.click("#sms-send")
    expect(phone.locator("#sms-result")).to_have_text("Xin đánh dấu ô đồng ý để nhận tin nhắn báo lượt.")
    phone.check("#sms-consent")
    phone.click("#sms-send")
    expect(phone.locator("#sms-result")).to_have_text("Trung tâm sẽ nhắn tin đến số 09******78.")
    expect(phone.locator("#sms-form")).to_be_hidden()

    phone.reload()  # the page remembers, masked; the whole number is nowhere in it
    expect(phone.locator("#sms-result")).to_have_text("Trung tâm sẽ nhắn tin đến số 09******78.")
    assert "0912345678" not in phone.content()

    before = len(gateway.requests)
    serve_next(centre)  # 3 ahead now
    gateway.wait_for(lambda g: len(g.requests) > before, what="the ahead SMS")
    assert "còn 3 người nữa đến lượt số" in json.loads(gateway.requests[before]["body"])["text"]

    phone.click("#sms-forget")
    expect(phone.locator("#sms-result")).to_have_text("Đã xóa số điện thoại của bạn.")
    expect(phone.locator("#sms-form")).to_be_visible()
    for _ in range(4):
        called = serve_next(centre)
    assert called["id"] == tickets[4]["id"]
    expect(phone.locator("#sms")).to_be_hidden()  # done: no call can come any more
    # The call went to nobody: the number was deleted before it.
    assert all("mời bạn số" not in json.loads(r["body"])["text"] for r in gateway.requests[before:])


def test_without_a_gateway_the_page_offers_no_phone_field(tmp_path, phone):
    server = start_centre(tmp_path, notify_config(tmp_path, ""))
    try:
        phone.goto(f"{server.url}/t/{issue(server)['status_url'].rsplit('/t/', 1)[1]}")
        expect(phone.locator("#number")).to_be_visible()
        assert phone.locator("#sms").count() == 0
    finally:
        server.stop()
