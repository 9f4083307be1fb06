"""Fixtures, one per seam: settings, a clock, an engine over a fresh database, a real server on a free port."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.server import free_port, quiet_kiosks_text
from core.clock import FixedClock
from core.engine import QueueEngine
from core.settings import load_settings
from store import Store

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.toml"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def settings():
    """The shipped demo centre's settings, with quiet kiosks (see quiet_kiosks)."""
    return quiet_kiosks(load_settings(CONFIG))


def quiet_kiosks(settings):
    """Kiosks that neither print nor rate-limit: API tests issue as fast as they like and see only the
    events they cause (a kiosk printer adds "printed" events; the kiosk's own tests print, tests/*/test_kiosk*)."""
    kiosks = {k: dataclasses.replace(kiosk, printer="none") for k, kiosk in settings.kiosks.items()}
    return dataclasses.replace(settings, kiosks=kiosks,
                               kiosk=dataclasses.replace(settings.kiosk, rate_limit_tickets=0))


def quiet_kiosks_config(directory: Path) -> Path:
    """config.toml with quiet kiosks (see quiet_kiosks), written into `directory`."""
    text = quiet_kiosks_text(CONFIG.read_text(encoding="utf-8"))
    path = directory / "config-quiet-kiosks.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def clock():
    """Monday 23 Nov 2026, 09:00 in Hà Nội, inside opening hours; tests move it."""
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=ZONE))


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "queue.db")
    yield store
    store.close()


@pytest.fixture
def engine(settings, store, clock):
    return QueueEngine(settings, store, clock)


def with_policy(settings, **changes):
    """A copy of settings with some policy values changed."""
    return dataclasses.replace(settings, policy=dataclasses.replace(settings.policy, **changes))


class LiveServer:
    """`python server.py` in its own process on a free port: the real production server (gevent)."""

    def __init__(self, db: Path, config: Path = CONFIG, async_mode: str = "gevent", options: tuple = ()):
        self.db, self.config, self.async_mode, self.options = db, config, async_mode, tuple(options)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = db.with_suffix(".log")

    def command(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "server.py"), "--config", str(self.config),
                               "--db", str(self.db), *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=60, check=True)

    def start(self, timeout: float = 30) -> "LiveServer":
        """Start and wait for the server's "ready" line (printed once its port is bound)."""
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "server.py"), "--config", str(self.config), "--db", str(self.db),
             "--host", "127.0.0.1", "--port", str(self.port), "--async-mode", self.async_mode,
             *self.options],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        ready = threading.Event()
        threading.Thread(target=self._copy_output, args=(self.process, ready), daemon=True).start()
        if not ready.wait(timeout):
            self.kill()
            raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
        return self

    def _copy_output(self, process: subprocess.Popen, ready: threading.Event) -> None:
        with open(self.log, "ab") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                if line.startswith(b"ready:"):
                    ready.set()
        ready.set()  # the process ended: wake the waiter, which then sees poll() is not None

    def kill(self) -> None:
        """kill -9: no clean shutdown, exactly as a power cut looks to the process."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def headers(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def live_server(tmp_path):
    """A running demo centre with the demo's users and tokens (see server.py seed-demo), quiet kiosks."""
    server = LiveServer(tmp_path / "queue.db", config=quiet_kiosks_config(tmp_path))
    server.command("seed-demo")
    server.start()
    yield server
    server.stop()


def poll_until(condition, timeout: float = 15.0, what: str = "condition", every: float = 0.05):
    """The value of `condition()` once it is truthy; AssertionError after `timeout` seconds.

    Only for state of *another process* that pushes nothing (a FIFO's fill level, a file, a server's
    /healthz): where a socket event or a store listener says it, wait on that instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        threading.Event().wait(every)
