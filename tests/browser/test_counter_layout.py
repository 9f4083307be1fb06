"""The counter terminal on the office laptops centres use (issue 10 item 1), in Debian Chromium.

At 1366×768 and 1280×800, with the longest thủ tục of the demo centre, a priority badge, a banner and a
notice on screen: every action button is inside the viewport without scrolling, and no word or number
breaks inside itself (each word's text box is on one line, and no label is wider than its button).
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.counter_support import issue, sign_in, start_server

ACTIONS = ("next", "recall", "start", "finish", "no-show", "transfer", "pause")
# Everything on the screen that holds a label, a number or a name.
TEXT_SELECTORS = (".action .label", ".action kbd", "#current-number", ".current-service", ".current-status",
                  ".current-facts dt", ".current-facts dd", "#current-priority", ".waiting-row .number",
                  ".waiting-row .service", ".waiting-row .waited", ".waiting-row .badge", ".call-this",
                  "table.served th", "table.served td", ".figures dt", ".figures dd", ".counter-header h1",
                  ".counter-header .who", "#sign-out", ".counter-main h2", ".notice", ".banner")

# For each element: each word's rectangles must share one line, and the text must fit the element.
BROKEN_WORDS = """(selectors) => {
  const problems = [];
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      if (!element.getClientRects().length) continue;   // not shown
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.textContent.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                                                             .map((r) => Math.round(r.top)));
          if (lines.size > 1) problems.push(`${selector}: "${match[0]}" breaks over ${lines.size} lines`);
        }
      }
      const style = getComputedStyle(element);
      if (style.display !== "inline" && style.overflowX === "visible" && element.scrollWidth > element.clientWidth + 1) {
        problems.push(`${selector}: "${element.textContent.trim()}" is ${element.scrollWidth} px wide in ${element.clientWidth} px`);
      }
    }
  }
  return problems;
}"""

OUTSIDE_VIEWPORT = """(ids) => ids.map((id) => document.getElementById(id)).filter((button) => {
  const box = button.getBoundingClientRect();
  return box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth || box.height === 0;
}).map((button) => button.id)"""


def _post(server, path: str, token: str = "demo-counter-3") -> dict:
    response = requests.post(f"{server.url}{path}", headers=server.headers(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _check_layout(page: Page, language: str) -> None:
    actions = [f"action-{name}" for name in ACTIONS]
    assert page.evaluate(OUTSIDE_VIEWPORT, actions) == [], f"actions below the fold ({language})"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert page.evaluate(BROKEN_WORDS, list(TEXT_SELECTORS)) == [], language


@pytest.mark.parametrize("width, height", [(1366, 768), (1280, 800)])
def test_every_action_is_above_the_fold_and_no_word_breaks(browser, tmp_path, width, height):
    server = start_server(tmp_path)
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        first = issue(server, "GCN")                     # the longest thủ tục of the demo centre
        sign_in(page, server, "lan", "3")
        page.click("#action-next")
        expect(page.locator("#current-number")).to_have_text(first["number"])
        # A normal ticket has no priority badge, not even an empty purple mark.
        expect(page.locator("#current-priority")).to_be_hidden()
        assert page.locator("#current-priority").bounding_box() is None
        page.click("#action-start")
        page.click("#action-finish")
        expect(page.locator("#served-list tr")).to_have_count(1)

        priority = issue(server, "GCN", "merit")         # the longest priority group too
        for _ in range(6):
            issue(server, "CN-DD")
        expect(page.locator("#waiting-list li")).to_have_count(7)
        page.click("#action-next")
        expect(page.locator("#current-number")).to_have_text(priority["number"])
        expect(page.locator("#current-priority")).to_be_visible()
        page.click("#action-recall")                     # leaves a notice on screen
        expect(page.locator("#action-no-show")).to_be_enabled()
        _check_layout(page, "vi")

        page.click(".counter-header a.language")         # English labels are as long or longer
        expect(page.locator("#action-next")).to_contain_text("Call next")
        expect(page.locator("#current-number")).to_have_text(priority["number"])
        _check_layout(page, "en")
    finally:
        context.close()
        server.stop()
    assert errors == []


def test_two_shortcut_keys_inside_a_tenth_of_a_second_say_that_nothing_was_done(page, tmp_path):
    """Item 7: a shortcut followed by another key within 0.1 s is dropped (it could be a scanner's
    burst); the clerk is told instead of wondering why nothing happened."""
    server = start_server(tmp_path)
    try:
        waiting = issue(server, "GCN")
        sign_in(page, server, "lan", "3")
        expect(page.locator("#waiting-list li")).to_have_count(1)
        page.locator("body").press_sequentially("gl")                  # two keys, a few ms apart
        expect(page.locator("#notice")).to_contain_text("Chưa làm gì: hai phím G + L")
        expect(page.locator("#current-empty")).to_be_visible()         # and indeed nothing was called
        page.locator("body").press("g")                                # one key: acts
        expect(page.locator("#current-number")).to_have_text(waiting["number"])
    finally:
        server.stop()
