"""Two clerks at two counters serving the same services press "Gọi tiếp" at the same instant, many times:
each press calls a different citizen, and nobody is skipped (Novo SGA #214's complaint, the other way round)."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.counter_support import issue, sign_in, start_server, ticket, watched_page

ROUNDS = 12
PRESS_TOGETHER = """at => {
  // Both pages click at the same wall-clock millisecond (one browser, one machine clock).
  setTimeout(() => document.getElementById("action-next").click(), Math.max(0, at - Date.now()));
}"""


def test_two_clerks_pressing_call_next_together_never_get_the_same_ticket(tmp_path, browser):
    server = start_server(tmp_path)
    first, second = browser.new_context(locale="vi-VN"), browser.new_context(locale="vi-VN")
    errors = []
    try:
        pages = [watched_page(first, errors), watched_page(second, errors)]
        # Counters 6 and 7 both serve CT-BS and CT-CK (config.toml).
        sign_in(pages[0], server, "lan", "6")
        sign_in(pages[1], server, "minh", "7")
        tickets = [issue(server, "CT-BS" if n % 3 else "CT-CK") for n in range(2 * ROUNDS)]
        for page in pages:
            expect(page.locator("#waiting-count")).to_have_text(str(2 * ROUNDS))

        called: list[str] = []
        for round_number in range(ROUNDS):
            at = pages[0].evaluate("() => Date.now()") + 150
            for page in pages:
                page.evaluate(PRESS_TOGETHER, at)
            numbers = []
            for page in pages:
                expect(page.locator("#current")).to_have_attribute("data-status", "called")
                numbers.append(page.locator("#current-number").inner_text())
            assert numbers[0] != numbers[1], f"round {round_number}: both counters called {numbers[0]}"
            called += numbers
            for page, action in zip(pages, ("#action-no-show", "#action-start")):
                page.click(action)
            pages[1].click("#action-finish")
            for page in pages:
                expect(page.locator("#current")).to_have_attribute("data-status", "")

        # Every ticket called exactly once, in FIFO order across the two counters.
        assert sorted(called) == sorted(t["number"] for t in tickets)
        for issued in tickets:
            calls = [e for e in ticket(server, issued["id"])["history"] if e["kind"] == "called"]
            assert len(calls) == 1, (issued["number"], calls)
            assert calls[0]["details"]["out_of_order"] is False
        for page in pages:
            expect(page.locator("#waiting-empty")).to_be_visible()
        assert requests.get(f"{server.url}/healthz", timeout=10).json()["ok"] is True
    finally:
        first.close()
        second.close()
        server.stop()
    assert errors == []
