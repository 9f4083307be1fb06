"""The phone's status page (/t/<token>, the QR code's link) in Debian Chromium against the real server:
live updates, the full-screen call within a second, vibration and beep, under 100 KB, and recovery after
the server (or the phone's network) goes away."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.kiosk_support import kiosk_config, start_centre

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
# Count what the page asks of the phone: vibrations and beeps (oscillators started).
SPY = """
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
window.__beeps = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__beeps += 1; return start.apply(this, args); };
"""


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    directory = tmp_path_factory.mktemp("status-page")
    server = start_centre(directory, kiosk_config(directory, printers={"kiosk-1": "none", "kiosk-2": "none"},
                                                  rate_limit_tickets=0))
    yield server
    server.stop()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.add_init_script(SPY)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def issue(server, service="KS", kiosk="demo-kiosk-1") -> dict:
    response = requests.post(f"{server.url}/api/tickets", json={"service": service},
                             headers=server.headers(kiosk), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def call(server, counter: str) -> dict:
    response = requests.post(f"{server.url}/api/counters/{counter}/next", headers=server.headers(f"demo-counter-{counter}"),
                             timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def page_of(server, ticket: dict) -> str:
    return f"{server.url}/t/{ticket['status_url'].rsplit('/t/', 1)[1]}"


def test_the_call_reaches_the_phone_within_a_second(centre, phone):
    first, mine = issue(centre, "GPLX"), issue(centre, "GPLX")
    transferred = []
    phone.on("requestfinished", lambda request: transferred.append(
        (request.url, request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"])))
    phone.goto(page_of(centre, mine))
    expect(phone.locator("#number")).to_have_text(mine["number"])
    expect(phone.locator("#status")).to_have_text("Đang chờ")
    expect(phone.locator("#ahead")).to_have_text("1")
    expect(phone.locator("#connection")).to_be_hidden()
    phone.locator("#alerts").click()                                          # the tap that allows sound
    expect(phone.locator("#alerts")).to_have_text("Đã bật âm thanh và rung")

    assert call(centre, "9")["id"] == first["id"]                             # the one ahead is called
    expect(phone.locator("#ahead")).to_have_text("Không có ai", timeout=1000)  # the kiosk's words, not "0"
    # Nobody ahead, but counter 9 (GPLX's only one) now serves the first citizen: the wait is what is
    # left of that service (8 min by default), never "~0 phút" (README "Wait estimate").
    expect(phone.locator("#eta")).to_have_text(re.compile(r"^Khoảng [1-8] phút$"))
    for action in ("start", "finish"):
        requests.post(f"{centre.url}/api/tickets/{first['id']}/{action}", headers=centre.headers("demo-counter-9"),
                      timeout=10).raise_for_status()
    # The counter is free now; kiosk/phones.py re-sends places at most once a second.
    expect(phone.locator("#eta")).to_have_text("Được gọi ngay", timeout=3000)
    assert call(centre, "9")["id"] == mine["id"]                              # now mine, at counter 9
    overlay = phone.locator("#called")
    expect(overlay).to_be_visible(timeout=1000)
    expect(phone.locator("#called-title")).to_have_text("Mời bạn đến quầy số 9")
    expect(phone.locator("#called-number")).to_have_text(f"Số {mine['number']}")
    assert phone.evaluate("window.__vibrations.length") >= 2                  # the tap's, and the call's
    assert phone.evaluate("window.__beeps") >= 6                              # three tones each time
    phone.locator("#called-ok").click()
    expect(overlay).to_be_hidden()
    expect(phone.locator("#status")).to_have_text("Đã đến lượt bạn")

    requests.post(f"{centre.url}/api/tickets/{mine['id']}/recall", headers=centre.headers("demo-counter-9"),
                  timeout=10).raise_for_status()
    expect(overlay).to_be_visible(timeout=1000)                               # a recall calls again
    phone.locator("#called-ok").click()
    for action in ("start", "finish"):
        requests.post(f"{centre.url}/api/tickets/{mine['id']}/{action}", headers=centre.headers("demo-counter-9"),
                      timeout=10).raise_for_status()
    expect(phone.locator("#status")).to_have_text("Đã xong")
    expect(phone.locator("#alerts")).to_be_hidden()                           # nothing left to be alerted of

    total = sum(size for _, size in transferred)
    assert total < 100_000, transferred
    assert not any("/fonts/" in url for url, _ in transferred)                # no 2 MB web font on a phone
    assert all(url.startswith(centre.url) for url, _ in transferred)          # nothing from the internet


def test_the_page_recovers_after_the_server_or_network_goes_away(centre, phone):
    ticket = issue(centre, "LLTP", "demo-kiosk-2")
    phone.goto(page_of(centre, ticket))
    expect(phone.locator("#status")).to_have_text("Đang chờ")
    centre.kill()                                                             # Wi-Fi gone, server rebooting…
    expect(phone.locator("#connection")).to_be_visible(timeout=5000)
    centre.start()
    expect(phone.locator("#connection")).to_be_hidden(timeout=10_000)         # socket.io reconnected by itself
    call(centre, "6")
    expect(phone.locator("#called-title")).to_have_text("Mời bạn đến quầy số 6", timeout=1000)


def test_waking_the_phone_refreshes_the_page(centre, phone):
    ticket = issue(centre, "CT-CK", "demo-kiosk-2")
    phone.goto(page_of(centre, ticket))
    expect(phone.locator("#status")).to_have_text("Đang chờ")
    phone.context.set_offline(True)                                           # asleep, no network
    call(centre, "7")
    requests.post(f"{centre.url}/api/tickets/{ticket['id']}/start", headers=centre.headers("demo-counter-7"),
                  timeout=10).raise_for_status()
    phone.context.set_offline(False)
    with phone.expect_request(lambda request: request.url.endswith("/state")):
        phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # the phone is woken up
    expect(phone.locator("#status")).to_have_text("Đang được phục vụ", timeout=5000)
    expect(phone.locator("#note")).to_have_text("Bạn đang được phục vụ tại quầy số 7.")


def test_the_page_in_english_and_a_wrong_link(centre, phone):
    ticket = issue(centre, "KH")
    phone.goto(page_of(centre, ticket) + "?lang=en")
    expect(phone.locator("#service")).to_have_text("Marriage registration")
    expect(phone.locator("#status")).to_have_text("Waiting")
    call(centre, "1")
    expect(phone.locator("#called-title")).to_have_text("Please go to counter 1", timeout=1000)
    response = phone.goto(f"{centre.url}/t/no-such-ticket")
    assert response.status == 404
    expect(phone.locator("h1")).to_have_text("Number not found")                 # the language was remembered
