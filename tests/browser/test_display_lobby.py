"""The lobby display in Debian Chromium against the real server: calls, recent calls, scope, voice, notice.

One server for the module (the tests free every counter they use); each test opens its own pages.
"""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from core.speech import DEFAULT_TEMPLATE, announcement_text
from tests.browser.display_support import Clerks, open_display, queued, start_server, watch_errors


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("display-lobby"))
    yield server
    server.stop()


@pytest.fixture
def clerks(server):
    clerks = Clerks(server)
    yield clerks
    clerks.close_all()


def test_a_call_through_the_api_shows_within_a_second(page, server, clerks):
    open_display(page, server)
    expect(page.locator("#date")).to_contain_text("ngày")          # "Thứ Hai, ngày 23/11/2026"
    ticket = clerks.call("1")
    answered = time.monotonic()
    expect(page.locator("#hero-number")).to_have_text(ticket["number"], timeout=1000)
    expect(page.locator("#hero-counter")).to_have_text("Quầy số 1", timeout=1000)
    expect(page.locator('.tile[data-counter="1"] .tile-number')).to_have_text(ticket["number"], timeout=1000)
    assert time.monotonic() - answered < 1.0
    expect(page.locator("#hero")).to_have_class("hero highlight")
    clerks.act("1", "start")
    expect(page.locator('.tile[data-counter="1"] .tile-status')).to_have_text("Đang phục vụ")
    clerks.act("1", "finish")
    expect(page.locator('.tile[data-counter="1"] .tile-number')).to_have_text("—")


def test_the_last_six_calls_newest_first(page, server, clerks):
    open_display(page, server)
    numbers = [clerks.call(counter)["number"] for counter in ("1", "2", "6", "7", "1", "2", "6", "9")]
    expect(page.locator("#recent .recent-number")).to_have_text(list(reversed(numbers))[:6])
    expect(page.locator("#recent tr")).to_have_count(6)
    # Waiting counts are per lĩnh vực and follow the feed: nobody waits after those calls.
    expect(page.locator('#waiting li[data-key="ho-tich"] .waiting-count')).to_have_text("0")
    clerks.issue("KS")
    clerks.issue("KH")
    expect(page.locator('#waiting li[data-key="ho-tich"] .waiting-count')).to_have_text("2")
    clerks.call("1")
    clerks.call("2")
    expect(page.locator('#waiting li[data-key="ho-tich"] .waiting-count')).to_have_text("2")  # each call took one


def test_a_display_limited_to_some_counters_ignores_the_others(page, server, clerks):
    open_display(page, server, "display-2")                        # counters 3, 4, 5, 8 (config.toml)
    expect(page.locator(".tile")).to_have_count(4)
    elsewhere = clerks.call("1")
    seq_elsewhere = clerks.seq()
    here = clerks.call("3")
    expect(page.locator("#hero-number")).to_have_text(here["number"])
    expect(page.locator("#recent .recent-number").first).to_have_text(here["number"])
    assert elsewhere["number"] not in page.locator("#recent").inner_text()
    assert queued(page, seq_elsewhere) == []                        # and it said nothing about counter 1
    assert page.locator('.tile[data-counter="1"]').count() == 0


def test_two_displays_both_announce_a_recall(context, server, clerks):
    lobby, floor = context.new_page(), context.new_page()
    errors = watch_errors(lobby) + watch_errors(floor)
    open_display(lobby, server, "display-1")
    open_display(floor, server, "display-2")
    clerks.call("4")
    call_seq = clerks.seq()
    clerks.act("4", "recall")
    recall_seq = clerks.seq()
    for page in (lobby, floor):
        page.wait_for_function(
            "(seq) => window.__xhAudioLog.some((e) => e.seq === seq && e.state === 'queued')", arg=recall_seq)
        assert queued(page, call_seq) == ["/display/audio/chime.wav", f"/display/audio/call/{call_seq}.wav"]
        # Queued while the call is being announced, the recall joins that run: no chime of its own.
        assert queued(page, recall_seq) == [f"/display/audio/call/{recall_seq}.wav"]
    # One sound at a time, in order: the recall's sentence starts only after the call's has ended. Two calls
    # waiting to be said is a burst (voice.burst_threshold = 1): the call is said short, the recall, last, in full.
    lobby.wait_for_function(
        "(seq) => window.__xhAudioLog.some((e) => e.seq === seq && e.state === 'playing')", arg=recall_seq,
        timeout=20_000)
    log = lobby.evaluate("window.__xhAudioLog.filter((e) => e.state === 'playing' || e.state === 'ended')")
    steps = [(entry["seq"], entry["url"].split("/audio/", 1)[1], entry["state"]) for entry in log]
    assert steps[:5] == [(call_seq, "chime.wav", "playing"), (call_seq, "chime.wav", "ended"),
                         (call_seq, f"short/{call_seq}.wav", "playing"), (call_seq, f"short/{call_seq}.wav", "ended"),
                         (recall_seq, f"call/{recall_seq}.wav", "playing")]
    assert errors == []


def test_the_notice_is_shown_as_text_and_updates_live(page, server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_display(page, server)
    expect(page.locator("#notice-bar")).to_be_hidden()
    admin = requests.Session()
    signed_in = admin.post(f"{server.url}/api/session", json={"name": "admin", "password": "admin123"}, timeout=10)
    csrf = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    assert admin.put(f"{server.url}/display/notice", json={"text": hostile}, headers=csrf, timeout=10).ok
    expect(page.locator("#notice")).to_have_text(hostile)
    expect(page.locator("#notice-bar")).to_be_visible()
    assert page.locator("#notice-bar script, #notice-bar img").count() == 0
    # With the notice bar on a 1920×1080 screen, every lĩnh vực's waiting count still fits its panel.
    last, panel = page.locator("#waiting li").last.bounding_box(), page.locator(".waiting").bounding_box()
    assert last["y"] + last["height"] <= panel["y"] + panel["height"] + 1
    page.reload()                                                   # drawn by the server this time
    expect(page.locator("#notice")).to_have_text(hostile)
    assert page.locator("#notice-bar script, #notice-bar img").count() == 0
    assert admin.put(f"{server.url}/display/notice", json={"text": "Tầng 2 tạm đóng", "display": "display-1"},
                     headers=csrf, timeout=10).ok
    expect(page.locator("#notice")).to_have_text("Tầng 2 tạm đóng")  # a display's own notice wins
    for body in ({"text": "", "display": "display-1"}, {"text": ""}):
        assert admin.put(f"{server.url}/display/notice", json=body, headers=csrf, timeout=10).ok
    expect(page.locator("#notice-bar")).to_be_hidden()
    assert dialogs == []


def test_counter_screen_shows_its_counters_ticket(page, server, clerks):
    page.goto(f"{server.url}/display/counter/5")
    expect(page.locator(".counter-name")).to_have_text("Quầy số 5")
    expect(page.locator("#counter-number")).to_have_text("—")
    ticket = clerks.call("5")
    expect(page.locator("#counter-number")).to_have_text(ticket["number"])
    expect(page.locator("#counter-status")).to_have_text("Đang gọi")
    clerks.call("1")                                                # another counter changes nothing here
    clerks.act("5", "start")
    expect(page.locator("#counter-status")).to_have_text("Đang phục vụ")
    clerks.act("5", "finish")
    expect(page.locator("#counter-number")).to_have_text("—")


def test_english_and_screen_sizes(page, server, clerks):
    ticket = clerks.call("9")
    for width, height in ((3840, 2160), (1080, 1920)):
        page.set_viewport_size({"width": width, "height": height})
        open_display(page, server)
        number = page.locator('.tile[data-counter="9"] .tile-number')
        expect(number).to_have_text(ticket["number"])
        # The newest call is ≥ 15 % of the screen's short side (≈ 10 cm on a 55" TV: read from 10 m and more),
        # every counter's number ≥ 7 % (≈ 5 cm), and nothing spills out of its tile or off the screen.
        hero = float(page.locator("#hero-number").evaluate("(n) => parseFloat(getComputedStyle(n).fontSize)"))
        size = float(number.evaluate("(n) => parseFloat(getComputedStyle(n).fontSize)"))
        assert hero >= 0.15 * min(width, height) and size >= 0.07 * min(width, height), (hero, size)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box, tile = number.bounding_box(), page.locator('.tile[data-counter="9"]').bounding_box()
        assert box["x"] >= tile["x"] and box["x"] + box["width"] <= tile["x"] + tile["width"] + 1
    page.goto(f"{server.url}/display/display-1?lang=en")
    expect(page.locator(".recent h2")).to_have_text("Recent calls")


ANNOUNCER = """async ({ voice, seqs, quiet }) => {
    const { Announcer } = await import("/display/static/announcer.js");
    window.__spoken = [];
    // Headless Chromium has no voices: a stand-in with the Web Speech API's shape.
    window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
    Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
        getVoices: () => [{ lang: "vi-VN", name: "fake Vietnamese" }],
        speak: (utterance) => { window.__spoken.push(utterance.text); setTimeout(() => utterance.onend(), 10); },
    } });
    window.__xhAudioLog.length = 0;
    const announcer = new Announcer({ voice, timezone: "Asia/Ho_Chi_Minh",
                                      now: () => Date.parse(quiet ? "2026-11-23T05:30:00Z" : "2026-11-23T02:00:00Z") });
    seqs.forEach((seq) => announcer.announce({ seq }));
    return { pending: announcer.pending.length, quiet: announcer.isQuiet() };
}"""


def test_announcer_quiet_hours_repeat_bound_and_browser_voice(page, server, clerks):
    ticket = clerks.call("2")
    seq = clerks.seq()
    open_display(page, server, "display-2")                        # a page that says nothing by itself here
    voice = {"enabled": True, "repeat": 2, "browserVoice": True, "quietHours": [["12:00", "13:00"]],
             "chimeUrl": "/display/audio/chime.wav", "callUrl": "/display/audio/call/"}
    # 12:30 in Hà Nội: quiet hours, chime only, and at most 20 calls wait (the oldest are dropped).
    result = page.evaluate(ANNOUNCER, {"voice": voice, "seqs": list(range(1000, 1030)), "quiet": True})
    assert result == {"pending": 20, "quiet": True}
    log = page.evaluate("window.__xhAudioLog")
    assert {entry["url"] for entry in log if entry["state"] == "queued"} == {"/display/audio/chime.wav"}
    assert sum(1 for entry in log if entry["state"] == "dropped") == 9
    # 09:00: chime, then the sentence twice, spoken by the browser's vi-VN voice from the server's text.
    page.reload()
    open_display(page, server, "display-2")
    page.evaluate(ANNOUNCER, {"voice": voice, "seqs": [seq], "quiet": False})
    assert queued(page, seq) == ["/display/audio/chime.wav", f"/display/audio/call/{seq}.wav",
                                 f"/display/audio/call/{seq}.wav"]
    page.wait_for_function("() => window.__spoken.length === 2", timeout=10_000)
    assert page.evaluate("window.__spoken") == [announcement_text(DEFAULT_TEMPLATE, ticket["number"], "2")] * 2
