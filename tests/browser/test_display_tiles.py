"""Honest tiles on the lobby display (issue 10 item 5): a counter nobody works at shows "Chưa mở", not
"Sẵn sàng", and the wait estimate leaves it out. Real server, Debian Chromium."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.display_support import Clerks, open_display, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("display-tiles"))
    yield server
    server.stop()


def tile(page, counter: str):
    return page.locator(f'.tile[data-counter="{counter}"]')


def test_a_counter_is_ready_only_while_someone_works_there(page, server):
    clerks = Clerks(server)
    open_display(page, server)
    for counter in ("3", "4"):                                   # nobody signed in, no device action today
        expect(tile(page, counter).locator(".tile-status")).to_have_text("Chưa mở")
        expect(tile(page, counter)).to_have_class("tile closed")

    clerk = requests.Session()                                   # a clerk signs in at counter 3
    signed_in = clerk.post(f"{server.url}/api/session", json={"name": "lan", "password": "lan12345", "counter": "3"},
                           timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    expect(tile(page, "3").locator(".tile-status")).to_have_text("Sẵn sàng", timeout=2000)
    expect(tile(page, "4").locator(".tile-status")).to_have_text("Chưa mở")

    ticket = clerks.call("4")                                    # counter 4's device calls: it is open
    expect(tile(page, "4").locator(".tile-number")).to_have_text(ticket["number"], timeout=2000)
    clerks.act("4", "start")
    clerks.act("4", "finish")
    expect(tile(page, "4").locator(".tile-status")).to_have_text("Sẵn sàng", timeout=2000)

    signed_out = clerk.delete(f"{server.url}/api/session", headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
                              timeout=10)
    assert signed_out.status_code in (200, 204), signed_out.text
    expect(tile(page, "3").locator(".tile-status")).to_have_text("Chưa mở", timeout=2000)

    # A fresh page agrees with the live one (the snapshot carries each counter's `open`).
    page.reload()
    open_display(page, server)
    expect(tile(page, "3").locator(".tile-status")).to_have_text("Chưa mở")
    expect(tile(page, "4").locator(".tile-status")).to_have_text("Sẵn sàng")
    state = requests.get(f"{server.url}/api/state", timeout=10).json()
    opened = {c["id"]: c["open"] for c in state["counters"]}
    assert opened["3"] is False and opened["4"] is True


def test_the_estimate_leaves_an_unstaffed_counter_out(server):
    clerks = Clerks(server)
    # Counter 5 alone serves TL-DN and nobody works there: a ticket gets its place but no minutes.
    ticket = clerks.issue("TL-DN")
    assert ticket["eta_minutes"] is None
    # Once counter 5's device acts, it is open and the same ticket gets a wait.
    assert clerks.post("demo-counter-5", "/api/counters/5/pause").status_code == 200
    assert clerks.post("demo-counter-5", "/api/counters/5/resume").status_code == 200
    again = requests.get(f"{server.url}/t/{ticket['status_url'].rsplit('/t/', 1)[1]}/state", timeout=10).json()
    assert isinstance(again["eta_minutes"], int)
