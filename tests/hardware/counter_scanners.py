"""Helpers for end-to-end scanner tests: a pty that plays a USB serial scanner, a config.toml whose
[[scanners]] entry points at it, and waiting on a running server without sleeping."""

from __future__ import annotations

import os
import re
import threading
import tty
from pathlib import Path

import requests

from tests.conftest import quiet_kiosks_config

WAIT = 10.0  # seconds; only reached when a test fails (a reconnect after replug takes about 1 s)


class PtyScanner:
    """A pty pair standing in for a USB serial scanner: writing to the master is the scanner sending."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # a serial port opened raw has no echo and no CR→LF translation
        self.path = os.ttyname(self.slave)
        self.plugged = True

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        """Close both ends: the server's reader sees the hang-up, as after pulling a USB cable."""
        if self.plugged:
            self.plugged = False
            os.close(self.master)
            os.close(self.slave)


def plug_in(link: Path, scanner: PtyScanner) -> None:
    """Point the stable by-id style `link` at `scanner`, atomically, as udev does after a replug."""
    fresh = link.with_name(link.name + ".new")
    fresh.symlink_to(scanner.path)
    os.replace(fresh, link)


def config_with_scanner(directory: Path, url: str, *, prefix: str = "", suffix: str = "\\r") -> Path:
    """config.toml (quiet kiosks: no printing, no rate limit) with its [[scanners]] replaced by one scanner
    on counter 1 at `url`."""
    text = quiet_kiosks_config(directory).read_text(encoding="utf-8")
    without, count = re.subn(r"^\[\[scanners\]\]\n(?:(?!\[)[^\n]*\n)*", "", text, flags=re.MULTILINE)
    assert count >= 1, "config.toml has no [[scanners]] entry to replace"
    block = (f'\n[[scanners]]\ncounter = "1"\nurl = "{url}"\nbaudrate = 9600\nsuffix = "{suffix}"\n'
             f'prefix = "{prefix}"\n')
    path = directory / "config-scanner.toml"
    path.write_text(without + block, encoding="utf-8")
    return path


def wait_until(predicate, what: str, timeout: float = WAIT) -> None:
    """Poll `predicate` until it is true (for state that no event announces, like the first connection)."""
    pause = threading.Event()
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while not predicate():
            if deadline.is_set():
                raise AssertionError(f"timed out waiting for {what}")
            pause.wait(0.05)
    finally:
        timer.cancel()


def scanner_states(server, counter: str = "1") -> list[str]:
    response = requests.get(f"{server.url}/counter/summary", headers=server.headers(f"demo-counter-{counter}"),
                            timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["scanners"]
