"""Every screen works under the Content-Security-Policy (app.py), and the phone's status page works from
the public side alone (public_side.py): Debian Chromium against the real server on two listeners."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from bench.server import free_port
from tests.browser.counter_support import sign_in
from tests.browser.display_support import open_display
from tests.browser.kiosk_support import open_kiosk
from tests.conftest import LiveServer, quiet_kiosks_config


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    directory = tmp_path_factory.mktemp("security-policy")
    public_port = free_port()
    server = LiveServer(directory / "queue.db", config=quiet_kiosks_config(directory),
                        options=("--public-host", "127.0.0.1", "--public-port", str(public_port)))
    server.command("seed-demo")
    server.start()
    server.public_url = f"http://127.0.0.1:{public_port}"
    yield server
    server.stop()


class Watched:
    """A page whose CSP violations, JavaScript errors and failed loads are collected."""

    def __init__(self, context):
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda message: self.problems.append(message.text)
                     if "Content Security Policy" in message.text else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on("response", lambda response: self.problems.append(f"{response.status}: {response.url}")
                     if response.status >= 400 else None)

    def violations(self) -> list[str]:
        """Problems so far, plus securitypolicyviolation events the page saw (init script below)."""
        return self.problems + self.page.evaluate("window.__violations || []")


VIOLATION_SPY = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture
def watched(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    context.add_init_script(VIOLATION_SPY)
    yield lambda: Watched(context)
    context.close()


def test_every_response_carries_the_policy(centre):
    for path in ("/kiosk/kiosk-1", "/counter/login", "/display/display-1", "/display/counter/1", "/api/state",
                 "/static/xh.css", "/no-such-page"):
        headers = requests.get(centre.url + path, timeout=10).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY", path


def test_kiosk_counter_and_displays_run_under_the_policy(centre, watched):
    kiosk = watched()
    open_kiosk(kiosk.page, centre, "kiosk-1")
    kiosk.page.locator("[data-group=ho-tich]").click()
    kiosk.page.locator("[data-service=KS]").click()
    expect(kiosk.page.locator("#screen-result")).to_be_visible()
    kiosk.page.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")  # qr.svg, img-src
    lobby = watched()
    open_display(lobby.page, centre)
    columns = lobby.page.evaluate("getComputedStyle(document.getElementById('counters')).getPropertyValue('--columns')")
    assert columns.strip() == "5"  # from data-columns, set by lobby.js: no style attribute in the page
    above_counter = watched()
    above_counter.page.goto(f"{centre.url}/display/counter/1")
    clerk = watched()
    sign_in(clerk.page, centre, "lan", "1")  # a POST with its Origin: the sign-in's cross-site check passes
    number = kiosk.page.locator("#result-number").inner_text()
    expect(clerk.page.get_by_role("region", name=re.compile("^Danh sách chờ"))).to_contain_text(number)
    clerk.page.keyboard.press("g")  # call it: the lobby announces it (audio: media-src)
    expect(lobby.page.locator("#hero-number")).to_have_text(number)
    expect(above_counter.page.locator("#counter-number")).to_have_text(number)
    lobby.page.wait_for_function("() => window.__xhAudioLog.filter((entry) => entry.state === 'ended').length >= 2",
                                 timeout=20_000)  # the chime and the sentence played to their end
    for screen in (kiosk, lobby, above_counter, clerk):
        assert screen.violations() == [], screen.page.url


def test_the_status_page_works_from_the_public_side_alone(centre, watched):
    ticket = requests.post(f"{centre.url}/api/tickets", json={"service": "KH"},
                           headers=centre.headers("demo-kiosk-1"), timeout=10).json()
    token = re.search(r"/t/([\w-]+)$", ticket["status_url"])[1]
    phone = watched()
    loaded = []
    phone.page.on("request", lambda request: loaded.append(request.url))
    phone.page.goto(f"{centre.public_url}/t/{token}")
    expect(phone.page.locator("#number")).to_have_text(ticket["number"])
    called = requests.post(f"{centre.url}/api/counters/2/next", headers=centre.headers("demo-counter-2"),
                           timeout=10).json()
    assert called["id"] == ticket["id"]
    expect(phone.page.locator("#called")).to_be_visible()  # the push came through the public socket
    assert phone.violations() == []
    assert loaded and all(url.startswith(centre.public_url) for url in loaded), loaded
