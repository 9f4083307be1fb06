"""A display left open across a server restart recovers by itself and shows what happened meanwhile."""

from __future__ import annotations

from playwright.sync_api import expect

from core.engine import QueueEngine
from core.settings import load_settings
from store import Store
from tests.browser.display_support import Clerks, open_display, queued, start_server


def test_display_recovers_from_a_restart_and_shows_calls_made_while_the_server_was_down(page, tmp_path):
    server = start_server(tmp_path)
    try:
        clerks = Clerks(server)
        open_display(page, server)
        before = clerks.call("1")
        expect(page.locator("#hero-number")).to_have_text(before["number"])
        expect(page.locator("#connection")).to_be_hidden()

        server.stop()
        expect(page.locator("#connection")).to_be_visible()          # the discreet "Mất kết nối" mark
        expect(page.locator("#connection")).to_have_text("Mất kết nối")

        # While it is down, the centre goes on (a second server process, or the command line, on the same
        # database): one ticket served at counter 1, one called at counter 3.
        store = Store(server.db)
        try:
            engine = QueueEngine(load_settings(server.config), store)
            engine.no_show(before["id"], actor="system", counter_id="1")
            engine.issue_ticket("GCN", None, actor="kiosk:kiosk-1")
            during = engine.call_next("3", actor="counter:3")
            with store.read() as tx:
                during_seq = tx.last_seq()
        finally:
            store.close()

        server.start()                                                 # same database, same port
        expect(page.locator("#connection")).to_be_hidden(timeout=15_000)
        expect(page.locator('.tile[data-counter="3"] .tile-number')).to_have_text(during["number"])
        expect(page.locator('.tile[data-counter="1"] .tile-number')).to_have_text("—")
        expect(page.locator("#recent .recent-number").nth(0)).to_have_text(during["number"])
        expect(page.locator("#recent .recent-number").nth(1)).to_have_text(before["number"])
        # A call missed by a few seconds is still announced once the display is back.
        page.wait_for_function("(seq) => window.__xhAudioLog.some((e) => e.seq === seq)", arg=during_seq)
        # (With a chime of its own, unless it joined the announcement of the call before, still under way.)
        assert queued(page, during_seq)[-1:] == [f"/display/audio/call/{during_seq}.wav"]

        clerks.holding.pop("1")                                        # closed while the server was down
        after = clerks.call("2")
        expect(page.locator("#hero-number")).to_have_text(after["number"], timeout=1000)
        expect(page.locator("#recent .recent-number").nth(0)).to_have_text(after["number"])
    finally:
        server.stop()
