"""The HTTP API under Flask's test client: an app over a copy of a seeded database, and what to check.

No server process: each test gets `create_app` over its own database file, copied from a template that
holds the demo's users and device tokens (server.py seed-demo). The template is made once per session
because every password hash costs ~70 ms of scrypt; so does every sign-in, so tests sign in sparingly.
"""

from __future__ import annotations

import shutil
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from app import create_app
from core.monitor import ALERT_EVENTS
from core.settings import load_settings
from server import DEMO_USERS, demo_devices
from store import Store, access

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"

KIOSK = "demo-kiosk-1"
KIOSK_2 = "demo-kiosk-2"          # serves only CT-BS, CT-CK, LLTP, GPLX, DKX (config.toml)
DISPLAY = "demo-display-1"
PASSWORDS = {name: password for name, _, password in DEMO_USERS}


def counter_token(counter: str) -> str:
    return f"demo-counter-{counter}"


def seed_database(tmp_path_factory) -> Path:
    """A database with the demo's users and device tokens, made once per test session; tests copy it."""
    path = tmp_path_factory.getbasetemp() / "api-seeded.db"
    if path.exists():
        return path
    store = Store(path)
    for name, role, password in DEMO_USERS:
        access.add_user(store, name, role, password)
    for kind, device_id, token in demo_devices(load_settings(CONFIG)):
        access.add_device(store, kind, device_id, token)
    store.close()  # the last connection checkpoints the WAL: the .db file alone is the whole database
    return path


class ApiCentre:
    """One app, a client without credentials, and helpers that speak the API as devices and clerks."""

    def __init__(self, app):
        self.app = app
        self.store = app.extensions["xephang"].store
        self.engine = app.extensions["xephang"].engine
        self.client = app.test_client()

    # --- requests ----------------------------------------------------------------------------------
    def post(self, path: str, token: str | None = None, **kwargs):
        """POST with a device token (or none)."""
        return self.client.post(path, headers=bearer(token), **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs):
        return self.client.get(path, headers=bearer(token), **kwargs)

    def issue(self, service: str = "KS", priority: str | None = None, token: str = KIOSK) -> dict:
        response = self.post("/api/tickets", token, json={"service": service, "priority": priority})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def call_next(self, counter: str = "1") -> dict:
        response = self.post(f"/api/counters/{counter}/next", counter_token(counter))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def act(self, ticket_id: int, action: str, counter: str = "1", **kwargs) -> dict:
        response = self.post(f"/api/tickets/{ticket_id}/{action}", counter_token(counter), **kwargs)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def sign_in(self, name: str, counter: str | None = None) -> "ClerkClient":
        """A fresh browser signed in as `name` (at `counter`); asserts the sign-in worked."""
        clerk = ClerkClient(self.app.test_client())
        response = clerk.sign_in(name, PASSWORDS[name], counter)
        assert response.status_code == 200, response.get_json()
        return clerk

    # --- the database, to prove a refusal changed nothing --------------------------------------------
    def rows(self) -> dict:
        """Every ticket, every counter's state and the number of events.

        The monitor's alert events are left out: its own task writes them when time makes them due
        (monitoring.py), whatever request happens to come in, so they are no part of any refusal."""
        alerts = ", ".join(f"'{kind}'" for kind in ALERT_EVENTS)
        with self.store.read() as tx:
            connection = tx.connection
            return {
                "events": connection.execute(f"SELECT count(*) FROM events WHERE kind NOT IN ({alerts})").fetchone()[0],
                "tickets": [dict(r) for r in connection.execute("SELECT * FROM tickets ORDER BY id")],
                "counters": [dict(r) for r in connection.execute("SELECT * FROM counter_state ORDER BY counter")],
            }

    def event_kinds(self) -> list[str]:
        with self.store.read() as tx:
            return [row[0] for row in tx.connection.execute("SELECT kind FROM events ORDER BY seq")]

    def counter_clerk(self, counter: str) -> str | None:
        with self.store.read() as tx:
            return tx.counter_state(counter)["clerk"]

    @contextmanager
    def unchanged(self):
        """The block must leave tickets, counters and the event log exactly as they were."""
        before = self.rows()
        yield
        assert self.rows() == before


class ClerkClient:
    """A browser with a session cookie that sends its session's CSRF token on every write."""

    def __init__(self, client):
        self.client = client
        self.csrf: str | None = None

    def sign_in(self, name: str, password: str, counter: str | int | None = None):
        response = self.client.post("/api/session", json={"name": name, "password": password, "counter": counter})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def post(self, path: str, **kwargs):
        return self.client.post(path, headers=self._csrf_header(), **kwargs)

    def delete(self, path: str):
        return self.client.delete(path, headers=self._csrf_header())

    def _csrf_header(self) -> dict:
        return {"X-CSRF-Token": self.csrf} if self.csrf is not None else {}

    def get(self, path: str):
        return self.client.get(path)


def bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


@contextmanager
def open_centre(settings, clock, seeded: Path, directory: Path):
    """An ApiCentre over a copy of the seeded database; stops its realtime task and closes the store after."""
    path = directory / "q.db"
    shutil.copyfile(seeded, path)
    app = create_app(settings, str(path), clock=clock, async_mode="threading")
    try:
        yield ApiCentre(app)
    finally:
        app.extensions["xephang"].realtime.stop()
        app.extensions["xephang"].store.close()


def is_vietnamese(text: str) -> bool:
    """True for text with Vietnamese letters (đ, or a vowel with a tone or hat mark): not an English fallback."""
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in text.lower() or any(unicodedata.combining(char) for char in decomposed)


def assert_error(response, status: int, code: str) -> dict:
    """The response is `status` with the JSON error body {"error": code, "message": Vietnamese text}."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and is_vietnamese(body["message"]), body
    return body
