"""Helpers for the counter terminal's browser tests: a live server, the kiosk through the API, a clerk's page."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, quiet_kiosks_config

PASSWORDS = {"lan": "lan12345", "minh": "minh1234", "hoa": "hoa12345", "admin": "admin123"}


def start_server(folder: Path, config: Path | None = None) -> LiveServer:
    """A seeded demo centre (quiet kiosks: no printer, no rate limit) running in its own process."""
    server = LiveServer(folder / "queue.db", config=config or quiet_kiosks_config(folder))
    server.command("seed-demo")
    return server.start()


def issue(server: LiveServer, service: str, priority: str | None = None, kiosk: str = "demo-kiosk-1") -> dict:
    response = requests.post(f"{server.url}/api/tickets", json={"service": service, "priority": priority},
                             headers=server.headers(kiosk), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def ticket(server: LiveServer, ticket_id: int) -> dict:
    """A ticket with its history, read as an admin-free device would (any counter token may read)."""
    response = requests.get(f"{server.url}/api/tickets/{ticket_id}", headers=server.headers("demo-counter-10"),
                            timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def counter_state(server: LiveServer, counter: str) -> dict:
    state = requests.get(f"{server.url}/api/state", timeout=10).json()
    return next(c for c in state["counters"] if c["id"] == counter)


def watched_page(context, errors: list[str]) -> Page:
    """A page of a second browser context whose JavaScript errors are collected in `errors`."""
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def sign_in(page: Page, server: LiveServer, name: str, counter: str) -> None:
    """Sign in on /counter/login as a clerk would, and wait for the counter screen to be live."""
    page.goto(f"{server.url}/counter/login")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORDS[name])
    page.select_option("#login-counter", counter)
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/counter")
    expect(page.locator("#action-pause")).to_be_enabled()  # the first summary arrived


def waiting_numbers(page: Page):
    return page.locator("#waiting-list li .number")


def current(page: Page):
    return page.locator("#current-number")


def press(page: Page, key: str) -> None:
    """A shortcut key pressed on the page itself (not in a form field)."""
    page.locator("body").press(key)
