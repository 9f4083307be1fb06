"""Helpers for the kiosk's browser tests: a centre whose kiosks print to fake LAN printers, and checks
that a kiosk screen is usable by touch (targets ≥ 64 px, no clipped text)."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from tests.conftest import CONFIG, LiveServer
from tests.fakes.escpos_printer import decode_raster, stack_images


def kiosk_config(directory: Path, *, printers: dict[str, str] | None = None, extra_kiosks: dict[str, str] | None = None,
                 caps: dict[str, int] | None = None, **kiosk_options) -> Path:
    """config.toml with kiosk printers replaced ({id: URL}), more kiosks ({id: printer URL}; the demo seed
    gives each the token demo-<id>), services' daily caps ({code: cap}) and [kiosk] options changed."""
    text = CONFIG.read_text(encoding="utf-8")
    for kiosk, url in (printers or {}).items():
        text, found = re.subn(rf'(id = "{kiosk}"\nname = .*\nprinter = )".*"', rf'\1"{url}"', text)
        assert found == 1, kiosk
    for code, cap in (caps or {}).items():
        text, found = re.subn(rf'(code = "{code}"\n(?:.*\n)*?daily_cap = )\d+', rf"\g<1>{cap}", text)
        assert found == 1, code
    for key, value in kiosk_options.items():
        text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert found == 1, key
    for kiosk, url in (extra_kiosks or {}).items():
        text += f'\n[[kiosks]]\nid = "{kiosk}"\nname = "Kiosk thử {kiosk}"\nprinter = "{url}"\n'
    path = directory / "config-kiosk-test.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start_centre(directory: Path, config: Path) -> LiveServer:
    """The real server (gevent) over `config`, seeded with the demo's logins and tokens."""
    server = LiveServer(directory / "queue.db", config=config)
    server.command("seed-demo")
    return server.start()


def open_kiosk(page: Page, server: LiveServer, kiosk: str) -> Page:
    """Pair the page with the kiosk's demo token (?token=…) and wait for its first screen."""
    page.goto(f"{server.url}/kiosk/{kiosk}?token=demo-{kiosk}")
    expect(page.locator("#screen-groups")).to_be_visible()
    return page


def ticket_on_screen(page: Page, server: LiveServer) -> dict:
    """The ticket the result screen shows, read back through its public status URL."""
    expect(page.locator("#screen-result")).to_be_visible()
    source = page.locator("#result-qr").get_attribute("src")
    token = re.fullmatch(r"/t/([\w-]+)/qr\.svg", source)[1]
    return requests.get(f"{server.url}/t/{token}/state", timeout=10).json()


def paper(data: bytes):
    """The printed ticket, decoded from the GS v 0 raster blocks a printer received."""
    return stack_images(decode_raster(data))


def assert_touchable(page: Page) -> None:
    """Every visible button is at least 64 × 64 px, and no text is cut off or scrolls sideways."""
    problems = page.evaluate("""() => {
        const found = [];
        for (const button of document.querySelectorAll("button")) {
            const box = button.getBoundingClientRect();
            if (box.width === 0 && box.height === 0) continue;  // not on this screen
            if (box.width < 64 || box.height < 64) found.push(`small: ${button.textContent} ${box.width}x${box.height}`);
        }
        for (const node of document.querySelectorAll(".card-title, .card-meta, .reason, h1, h2, p, button")) {
            if (!node.getClientRects().length) continue;
            // Text wider than its box (a word that cannot wrap), or cut by a box that hides overflow.
            const style = getComputedStyle(node);
            if (node.scrollWidth > node.clientWidth + 1
                || (style.overflowY !== "visible" && node.scrollHeight > node.clientHeight + 1))
                found.push(`clipped: ${node.textContent.slice(0, 60)}`);
            const button = node.closest("button");
            if (button && button !== node) {  // a card's text stays inside the card
                const inner = node.getBoundingClientRect(), outer = button.getBoundingClientRect();
                if (inner.left < outer.left - 1 || inner.right > outer.right + 1 || inner.bottom > outer.bottom + 1)
                    found.push(`outside its button: ${node.textContent.slice(0, 60)}`);
            }
        }
        if (document.documentElement.scrollWidth > window.innerWidth) found.push("scrolls sideways");
        return found;
    }""")
    assert problems == [], problems
