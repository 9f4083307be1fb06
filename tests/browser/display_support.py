"""Helpers for the lobby display's browser tests: a server per module, calls through the real API, pages."""

from __future__ import annotations

from pathlib import Path

import requests

from bench.server import roomy_caps_text
from tests.conftest import LiveServer, quiet_kiosks_config

# Services each demo counter serves first (config.toml), so a call at that counter finds a ticket.
SERVICE_AT = {"1": "KS", "2": "KH", "3": "GCN", "4": "CN-DD", "5": "TL-DN", "6": "CT-BS", "7": "CT-CK",
              "8": "GPXD", "9": "GPLX", "10": "XNHN"}


def start_server(folder: Path, *, voice_enabled: bool = True, counter_screens: bool = True) -> LiveServer:
    """A seeded demo centre in `folder` with quiet kiosks (no printer, no rate limit: tests/conftest.py), and
    daily caps raised so long runs never hit "hết số hôm nay"."""
    return prepared_server(folder, voice_enabled=voice_enabled, counter_screens=counter_screens).start()


def prepared_server(folder: Path, *, voice_enabled: bool = True, counter_screens: bool = True) -> LiveServer:
    """start_server's centre, seeded but not started yet (to run more commands on its database first)."""
    text = quiet_kiosks_config(folder).read_text(encoding="utf-8")
    text = roomy_caps_text(text)
    text = text.replace("[voice]\nenabled = true", f"[voice]\nenabled = {str(voice_enabled).lower()}")
    text = text.replace("counter_screens = true", f"counter_screens = {str(counter_screens).lower()}")
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    server = LiveServer(folder / "queue.db", config=config)
    server.command("seed-demo")
    return server


class Clerks:
    """The counters and the kiosk, speaking the HTTP API with keep-alive; frees a counter before each call."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.sessions: dict[str, requests.Session] = {}
        self.holding: dict[str, int] = {}   # counter → ticket it called and has not closed

    def session(self, token: str) -> requests.Session:
        if token not in self.sessions:
            self.sessions[token] = requests.Session()
            self.sessions[token].headers["Authorization"] = f"Bearer {token}"
        return self.sessions[token]

    def post(self, token: str, path: str, **kwargs) -> requests.Response:
        return self.session(token).post(f"{self.server.url}{path}", timeout=10, **kwargs)

    def issue(self, service: str) -> dict:
        response = self.post("demo-kiosk-1", "/api/tickets", json={"service": service, "priority": None})
        assert response.status_code == 201, response.text
        return response.json()

    def call(self, counter: str, service: str | None = None) -> dict:
        """Close what the counter holds (no-show), take a number for it and call it; the called ticket."""
        self.close(counter)
        ticket = self.issue(service or SERVICE_AT[counter])
        response = self.post(f"demo-counter-{counter}", f"/api/counters/{counter}/call", json={"ticket": ticket["id"]})
        assert response.status_code == 200, response.text
        ticket = response.json()
        self.holding[counter] = ticket["id"]
        return ticket

    def act(self, counter: str, action: str) -> dict:
        response = self.post(f"demo-counter-{counter}", f"/api/tickets/{self.holding[counter]}/{action}")
        assert response.status_code == 200, response.text
        if action in ("finish", "no-show"):
            del self.holding[counter]
        return response.json()

    def close(self, counter: str) -> None:
        if counter in self.holding:
            self.act(counter, "no-show")

    def seq(self) -> int:
        return requests.get(f"{self.server.url}/healthz", timeout=10).json()["seq"]

    def close_all(self) -> None:
        for counter in list(self.holding):
            self.close(counter)


def open_display(page, server: LiveServer, display_id: str = "display-1") -> None:
    """Open a lobby display and wait until it drew the snapshot and its own state."""
    page.goto(f"{server.url}/display/{display_id}")
    page.wait_for_function("() => document.body.dataset.stateSeq !== undefined", timeout=10_000)  # a function: CSP forbids eval


def queued(page, seq: int) -> list[str]:
    """The URLs the display queued for the call with this seq (window.__xhAudioLog)."""
    return page.evaluate("(seq) => window.__xhAudioLog.filter((e) => e.seq === seq && e.state === 'queued')"
                         ".map((e) => e.url)", seq)


def watch_errors(page) -> list[str]:
    """Collect the JavaScript errors of a page opened outside the `page` fixture."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
