"""The live monitor in Chromium: a wait passing the target turns it red (and bannered at the counter), and it
recovers by itself from a server restart (issue 11 item 4)."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.browser.counter_support import issue, sign_in, watched_page
from tests.conftest import LiveServer, quiet_kiosks_config

BREACHED = re.compile(r"\bbreached\b")


def start_server(folder):
    offset = folder / "clock-offset"
    offset.write_text("0")
    server = LiveServer(folder / "queue.db", config=quiet_kiosks_config(folder),
                        options=("--clock-offset-file", str(offset)))
    server.offset_file = offset
    server.command("seed-demo")
    return server.start()


def open_monitor(page, server):
    page.goto(f"{server.url}/admin/login?next=/admin/monitor")
    page.fill("#login-name", "quanly")
    page.fill("#login-password", "quanly123")
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/admin/monitor")


def test_the_monitor_turns_red_past_the_target_and_recovers_from_a_restart(page, context, browser, tmp_path):
    server = start_server(tmp_path)
    errors: list[str] = []
    clerk_context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    try:
        open_monitor(page, server)
        expect(page.locator("h1")).to_have_text("Giám sát trực tiếp")
        ks = page.locator('#services tr[data-service="KS"]')
        ticket = issue(server, "KS")
        expect(ks.locator("td").nth(0)).to_have_text("1")              # pushed: waiting now
        expect(ks).not_to_have_class(BREACHED)
        expect(page.locator("#alerts-none")).to_be_visible()
        clerk = watched_page(clerk_context, errors)
        sign_in(clerk, server, "lan", "1")                               # counter 1 serves KS
        expect(clerk.locator("#wait-alerts")).to_be_hidden()

        server.offset_file.write_text(str(15 * 60 + 3))                  # the server lives 15 min later
        expect(ks).to_have_class(BREACHED)
        alert = page.locator('#alerts-list .alert[data-service="KS"]')
        expect(alert).to_contain_text(f"số {ticket['number']} đã chờ 15 phút")
        expect(ks).to_have_css("background-color", "rgb(253, 231, 230)")  # red, not only a class name
        expect(clerk.locator("#wait-alerts .wait-alert")).to_contain_text(ticket["number"])

        server.stop()
        expect(page.locator("#connection")).to_be_visible()
        server.start()
        expect(page.locator("#connection")).to_be_hidden(timeout=15_000)
        expect(ks).to_have_class(BREACHED)                             # recomputed from the database
        called = requests.post(f"{server.url}/api/counters/1/next", headers=server.headers("demo-counter-1"),
                               timeout=10).json()
        assert called["id"] == ticket["id"]
        counter_one = page.locator('#counters tr[data-counter="1"]')
        expect(counter_one.locator(".number")).to_have_text(ticket["number"])
        expect(counter_one).to_have_attribute("data-state", "calling")
        expect(ks).not_to_have_class(BREACHED)
        expect(page.locator("#alerts-none")).to_be_visible()
        expect(clerk.locator("#wait-alerts")).to_be_hidden(timeout=15_000)
        history = requests.get(f"{server.url}/api/tickets/{ticket['id']}", headers=server.headers("demo-counter-1"),
                               timeout=10).json()["history"]
        assert [event["kind"] for event in history].count("wait_target_breached") == 1
        assert errors == []
    finally:
        clerk_context.close()
        server.stop()
