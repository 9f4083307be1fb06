"""What each screen costs to load cold (issue 10 item 3), read from Chromium's own transfer sizes.

Targets: kiosk, lobby display and counter < 200 KB, the phone's status page < 100 KB, everything from
this server. Each page is opened in a fresh browser context (an empty cache) and measured once the
network is idle and its fonts are loaded; the figures are printed for README "Page weight"
(`pytest -s tests/browser/test_screen_weight.py`).
"""

from __future__ import annotations

import pytest
import requests

from tests.browser.counter_support import issue, sign_in, start_server

TARGETS = {"kiosk": 200_000, "display": 200_000, "counter": 200_000, "status": 100_000}
FONT = "/static/fonts/noto-sans-vi.woff2"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("weight"))
    yield live
    live.stop()


def _cold_load(browser, url: str, storage_state=None) -> tuple[list[tuple[str, int]], object, object]:
    """Open `url` with an empty cache; (url, bytes on the wire) of every response, the context, the page."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080},
                                  storage_state=storage_state)
    page = context.new_page()
    transferred: list[tuple[str, int]] = []
    page.on("requestfinished", lambda request: transferred.append(
        (request.url, request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"])))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    return transferred, context, page


def _counter_state(browser, server):
    """A clerk's signed-in cookies, made in a context of their own so the measured one starts cold."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "lan", "2")
    state = context.storage_state()
    context.close()
    return state


@pytest.mark.parametrize("screen", list(TARGETS))
def test_each_screen_loads_cold_under_its_target(browser, server, screen):
    storage = None
    if screen == "kiosk":
        url = f"{server.url}/kiosk/kiosk-1?token=demo-kiosk-1"
    elif screen == "display":
        url = f"{server.url}/display/display-1"
    elif screen == "counter":
        storage, url = _counter_state(browser, server), f"{server.url}/counter"
    else:
        ticket = issue(server, "LLTP")
        url = f"{server.url}/t/{ticket['status_url'].rsplit('/t/', 1)[1]}"
    transferred, context, page = _cold_load(browser, url, storage)
    try:
        total = sum(size for _, size in transferred)
        print(f"\n{screen}: {total / 1000:.1f} KB cold in {len(transferred)} responses: "
              + ", ".join(f"{url.rsplit('/', 1)[-1].split('?')[0] or url} {size / 1000:.1f}"
                          for url, size in sorted(transferred, key=lambda item: -item[1])[:6]))
        assert all(url.startswith(server.url) for url, _ in transferred)    # nothing from the internet
        assert total < TARGETS[screen], transferred
        assert not any(url.endswith(".ttf") for url, _ in transferred)      # never the 2 MB TrueType again
        if screen == "status":
            assert not any("/fonts/" in url for url, _ in transferred)      # the phone's own fonts
        else:
            assert any(url.endswith(FONT) for url, _ in transferred)
            assert page.evaluate("document.fonts.check('700 24px \"Noto Sans XH\"', 'Ưu tiên Hoàn thành')")
            used = page.evaluate("""[...document.fonts].filter((f) => f.family.includes('Noto Sans XH'))
                                      .map((f) => f.status)""")
            assert "loaded" in used
    finally:
        context.close()
    assert requests.get(f"{server.url}{FONT}", timeout=10).headers["Content-Type"] == "font/woff2"
