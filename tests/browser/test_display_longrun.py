"""A display through a long day: voice off keeps the chime, and 2,000 calls do not grow its memory.

The calls go through the real server over HTTP (10 counters in parallel, keep-alive), because the
display only hears what the server process pushes. Voice is off here, so only the chime is queued.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.display_support import SERVICE_AT, Clerks, open_display, queued, start_server

COUNTERS = tuple(SERVICE_AT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("display-longrun"), voice_enabled=False)
    yield server
    server.stop()


def test_voice_off_still_plays_the_chime(page, server):
    open_display(page, server)
    clerks = Clerks(server)
    clerks.call("1")
    seq = clerks.seq()
    page.wait_for_function("(seq) => window.__xhAudioLog.some((e) => e.seq === seq && e.state === 'ended')",
                           arg=seq, timeout=10_000)
    assert queued(page, seq) == ["/display/audio/chime.wav"]
    clerks.close_all()


def call_many(url: str, counter: str, calls: int) -> list[str]:
    """At one counter: take a number, call it, mark it no-show; `calls` times. The numbers called."""
    kiosk, desk = requests.Session(), requests.Session()
    kiosk.headers["Authorization"] = "Bearer demo-kiosk-1"
    desk.headers["Authorization"] = f"Bearer demo-counter-{counter}"
    numbers = []
    for _ in range(calls):
        issued = kiosk.post(f"{url}/api/tickets", json={"service": SERVICE_AT[counter]}, timeout=10)
        assert issued.status_code == 201, issued.text
        # This very ticket: counters share services, and "next" at another counter could take it first.
        called = desk.post(f"{url}/api/counters/{counter}/call", json={"ticket": issued.json()["id"]}, timeout=10)
        assert called.status_code == 200, called.text
        numbers.append(called.json()["number"])
        assert desk.post(f"{url}/api/tickets/{called.json()['id']}/no-show", timeout=10).status_code == 200
    return numbers


def run_calls(server, total: int) -> None:
    with ThreadPoolExecutor(len(COUNTERS)) as pool:
        for result in [pool.submit(call_many, server.url, counter, total // len(COUNTERS)) for counter in COUNTERS]:
            result.result()


def memory(cdp) -> dict:
    """DOM nodes and JS heap after a full garbage collection (Chrome DevTools Protocol)."""
    cdp.send("HeapProfiler.collectGarbage")
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def test_two_thousand_calls_keep_dom_and_heap_bounded(page, context, server):
    open_display(page, server)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    clerks = Clerks(server)

    run_calls(server, 200)                                             # warm up: every path has run
    page.wait_for_function("(seq) => Number(document.body.dataset.seq) === seq", arg=clerks.seq(), timeout=30_000)
    before = memory(cdp)

    run_calls(server, 1800)
    final_seq = clerks.seq()
    page.wait_for_function("(seq) => Number(document.body.dataset.seq) === seq", arg=final_seq, timeout=30_000)
    after = memory(cdp)

    held = page.evaluate("""() => ({ recent: __xhDisplay.state.recent.length, rows: document.querySelectorAll('#recent tr').length,
        pending: __xhDisplay.announcer.pending.length, log: __xhAudioLog.length,
        announced: __xhDisplay.state.announced.length })""")
    assert held.pop("pending") <= 20                                  # the player may just have taken one
    assert held == {"recent": 6, "rows": 6, "log": 200, "announced": 50}
    assert after["Nodes"] <= before["Nodes"] + 20, (before["Nodes"], after["Nodes"])
    assert after["JSHeapUsedSize"] <= before["JSHeapUsedSize"] * 1.3 + 1_000_000, \
        (before["JSHeapUsedSize"], after["JSHeapUsedSize"])
    expect(page.locator("#recent tr.empty")).to_have_count(0)
    expect(page.locator("#connection")).to_be_hidden()
