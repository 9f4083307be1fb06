"""A kiosk whose answer is lost retries with the same Idempotency-Key and shows the one number it got."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.kiosk_support import kiosk_config, open_kiosk, start_centre, ticket_on_screen


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    directory = tmp_path_factory.mktemp("kiosk-retry")
    server = start_centre(directory, kiosk_config(directory, printers={"kiosk-1": "none"}))
    yield server
    server.stop()


def test_a_lost_answer_is_retried_and_gives_no_second_number(page, centre):
    keys = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()   # the server issues the ticket …
            route.abort()   # … and the kiosk never hears the answer
        else:
            route.continue_()

    open_kiosk(page, centre, "kiosk-1")
    page.route("**/api/tickets", lose_the_first_answer)
    page.locator("[data-group=ho-tich]").click()
    page.locator("[data-service=KS]").click()
    ticket = ticket_on_screen(page, centre)
    expect(page.locator("#result-number")).to_have_text("A001")
    assert ticket["number"] == "A001"
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    with sqlite3.connect(centre.db) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    # The next tap is a new citizen: a new key and a new number.
    page.locator("#done").click()
    page.locator("[data-group=ho-tich]").click()
    page.locator("[data-service=KS]").click()
    expect(page.locator("#result-number")).to_have_text("A002")
    assert len(keys) == 3 and keys[2] != keys[0]
