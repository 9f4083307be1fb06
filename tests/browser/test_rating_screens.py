"""Satisfaction ratings in Debian Chromium against the real server (issue 12 item 1): the clerk finishes a
ticket on the counter screen, the citizen rates it on the rating screen beside the counter (touch, and a
USB keypad in keyboard mode), then the next citizen rates on their phone, through the public side."""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from bench.server import free_port
from tests.browser.counter_support import issue, sign_in, watched_page
from tests.conftest import LiveServer, quiet_kiosks_config

TABLET = {"viewport": {"width": 1280, "height": 800}, "has_touch": True, "locale": "vi-VN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def server(tmp_path):
    public_port = free_port()
    live = LiveServer(tmp_path / "queue.db", config=quiet_kiosks_config(tmp_path),
                      options=("--public-host", "127.0.0.1", "--public-port", str(public_port)))
    live.command("seed-demo")
    live.start()
    live.public_url = f"http://127.0.0.1:{public_port}"
    yield live
    live.stop()


def ratings(server) -> list[dict]:
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT ticket_id, actor, details FROM events WHERE kind = 'rated' ORDER BY seq")
        return [{"ticket": row[0], "actor": row[1], **json.loads(row[2])} for row in rows]


def serve_at_counter(clerk, number: str) -> None:
    clerk.click("#action-next")
    expect(clerk.locator("#current-number")).to_have_text(number)
    clerk.click("#action-start")
    clerk.click("#action-finish")
    expect(clerk.locator("#current-empty")).to_be_visible()


def test_finish_at_the_counter_rate_on_the_rating_screen_and_on_the_phone(browser, server, page):
    errors: list[str] = []
    tablet_context = browser.new_context(**TABLET)
    phone_context = browser.new_context(**PHONE)
    try:
        tablet = watched_page(tablet_context, errors)
        tablet.goto(f"{server.url}/rate/1?token=demo-rating-1")
        expect(tablet.locator("#screen-idle")).to_be_visible()
        assert "token" not in tablet.url  # paired: the token left the address for localStorage
        expect(tablet.locator("#idle-counter")).to_have_text("Quầy số 1")
        expect(tablet.locator("#clerk")).to_have_text("Quầy chưa có cán bộ làm việc")

        clerk = page
        sign_in(clerk, server, "lan", "1")
        expect(tablet.locator("#clerk")).to_have_text("Cán bộ tiếp nhận: lan")  # live, from the feed

        first, second = issue(server, "KS"), issue(server, "KS")
        serve_at_counter(clerk, first["number"])

        # The rating screen asks at once: the national question, five large buttons, best first.
        expect(tablet.locator("#screen-ask")).to_be_visible()
        expect(tablet.locator("#screen-ask h1")).to_have_text("Ông/Bà có hài lòng với việc giải quyết thủ tục?")
        expect(tablet.locator("#levels .rate-label")).to_have_text(
            ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"])
        box = tablet.locator('#levels [data-level="1"]').bounding_box()
        assert box["height"] >= 150 and box["width"] >= 150  # a finger, not a mouse pointer
        expect(tablet.locator("#ask-countdown")).to_have_text(re.compile(r"^Còn (30|29|28) giây$"))

        # A USB keypad in keyboard mode: "4" (Không hài lòng) → the reasons; touch one, send.
        tablet.keyboard.press("4")
        expect(tablet.locator("#screen-reasons")).to_be_visible()
        expect(tablet.locator("#reasons .rate-reason")).to_have_count(4)
        tablet.locator('#reasons [data-reason="huong_dan"]').tap()
        expect(tablet.locator('#reasons [data-reason="huong_dan"]')).to_have_attribute("aria-pressed", "true")
        tablet.locator("#reasons-send").tap()
        expect(tablet.locator("#screen-thanks")).to_be_visible()
        expect(tablet.locator("#screen-thanks h1")).to_have_text("Xin cảm ơn Ông/Bà đã đánh giá!")
        assert ratings(server) == [{"ticket": first["id"], "actor": "rating:1", "level": 4, "levels": 5,
                                    "reasons": ["huong_dan"], "counter": "1", "clerk": "lan", "service": "KS",
                                    "channel": "device"}]
        # The clerk's own screen shows nothing of it.
        for label in ("Không hài lòng", "Hướng dẫn chưa rõ", "đánh giá"):
            assert label not in clerk.locator("body").inner_text()

        # The next citizen follows the ticket on their phone over the lobby Wi-Fi (public side).
        phone = watched_page(phone_context, errors)
        token = urlsplit(second["status_url"]).path.rsplit("/", 1)[1]
        phone.goto(f"{server.public_url}/t/{token}")
        expect(phone.locator("#number")).to_have_text(second["number"])
        expect(phone.locator("#rate")).to_be_hidden()  # not done yet: nothing to rate
        serve_at_counter(clerk, second["number"])
        expect(tablet.locator("#screen-ask")).to_be_visible()  # the screen asks too; the phone answers first
        expect(phone.locator("#status")).to_have_text("Đã xong")
        expect(phone.locator("#rate-question")).to_have_text("Ông/Bà có hài lòng với việc giải quyết thủ tục?")
        expect(phone.locator("#rate-levels button")).to_have_text(
            ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"])
        phone.locator('#rate-levels [data-level="1"]').tap()
        expect(phone.locator("#rate-result")).to_have_text("Xin cảm ơn Ông/Bà đã đánh giá!")
        expect(phone.locator("#rate-levels")).to_be_hidden()
        expect(tablet.locator("#screen-thanks")).to_be_visible()  # it heard the rating: nothing left to ask
        expect(tablet.locator("#screen-idle")).to_be_visible(timeout=10_000)
        assert ratings(server)[1] == {"ticket": second["id"], "actor": "phone", "level": 1, "levels": 5,
                                      "reasons": [], "counter": "1", "clerk": "lan", "service": "KS",
                                      "channel": "phone"}

        # Once per ticket: the phone says so after a reload, and the rating screen cannot rate it again.
        phone.reload()
        expect(phone.locator("#rate-result")).to_have_text("Số này đã được đánh giá. Xin cảm ơn!")
        assert len(ratings(server)) == 2
        assert errors == []
    finally:
        tablet_context.close()
        phone_context.close()
