"""Start the real server for a benchmark: gevent (production) or threading under gunicorn's gthread."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiet_kiosks_text(text: str) -> str:
    """config.toml text whose kiosks neither print nor rate-limit (tests and bench issue measure the API;
    bench print and the kiosk tests measure printing)."""
    text = re.sub(r'(?m)^printer = ".*"$', 'printer = "none"', text)
    return re.sub(r"(?m)^rate_limit_tickets = \d+", "rate_limit_tickets = 0", text)


def unlimited_kiosks_text(text: str) -> str:
    """config.toml text whose kiosks keep their shipped printers but do not rate-limit (bench issue --printing)."""
    return re.sub(r"(?m)^rate_limit_tickets = \d+", "rate_limit_tickets = 0", text)


def roomy_caps_text(text: str) -> str:
    """config.toml text with every daily cap at 999, the most a 3-digit number allows (and below the
    next range of the prefix-less services), so long runs never meet "hết số hôm nay"."""
    return re.sub(r"daily_cap = \d+", "daily_cap = 999", text)


class BenchServer:
    """A seeded demo centre on a free port, in a temporary directory; use as a context manager."""

    def __init__(self, async_mode: str = "gevent", config: Path = ROOT / "config.toml", threads: int = 64,
                 printing: bool = False):
        self.async_mode, self.config, self.threads, self.printing = async_mode, config, threads, printing
        self.directory = tempfile.TemporaryDirectory(prefix="xh-bench-")
        self.db = Path(self.directory.name) / "queue.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "BenchServer":
        if self.config == ROOT / "config.toml":
            shipped = self.config.read_text(encoding="utf-8")
            kiosks = unlimited_kiosks_text if self.printing else quiet_kiosks_text
            text = roomy_caps_text(kiosks(shipped))
            self.config = Path(self.directory.name) / "config.toml"
            self.config.write_text(text, encoding="utf-8")
        subprocess.run([sys.executable, "server.py", "--config", str(self.config), "--db", str(self.db), "seed-demo"],
                       cwd=ROOT, check=True, capture_output=True)
        if self.async_mode == "gevent":
            command = [sys.executable, "server.py", "--config", str(self.config), "--db", str(self.db),
                       "--host", "127.0.0.1", "--port", str(self.port)]
            ready_marker = b"ready:"
        else:  # the production-grade way to run threading mode: gunicorn, one worker, many threads
            command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(self.threads),
                       "--worker-connections", "4000", "-b", f"127.0.0.1:{self.port}", "--log-level", "info",
                       "app:create_app_from_env()"]
            ready_marker = b"Booting worker"
        environment = {**os.environ, "XH_CONFIG": str(self.config), "XH_DB": str(self.db),
                       "XH_ASYNC_MODE": "threading"}
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        ready = threading.Event()

        def watch():
            for line in self.process.stdout:
                if ready_marker in line:
                    ready.set()
            ready.set()

        threading.Thread(target=watch, daemon=True).start()
        if not ready.wait(60) or self.process.poll() is not None:
            raise RuntimeError("benchmark server did not start")
        if self.async_mode != "gevent":
            wait_until_accepting(self.port)
        return self

    def rss_mb(self) -> float:
        """Resident memory of the server process (the gunicorn worker for threading mode)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = max(total, int(line.split()[1]))
        return round(total / 1024, 1)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.directory.cleanup()


def wait_until_accepting(port: int, attempts: int = 200) -> None:
    """gunicorn logs 'Booting worker' just before the worker imports the app: try the port until it answers."""
    import http.client
    for _ in range(attempts):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            threading.Event().wait(0.05)
    raise RuntimeError("server never answered /healthz")
