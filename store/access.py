"""Who may use the system: clerk and admin accounts, device tokens, and server secrets.

Passwords are hashed with werkzeug's scrypt; device tokens are kept only as SHA-256 hashes, so a copy of
the database does not hand out working tokens.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta, timezone

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("clerk", "admin")
DEVICE_KINDS = ("kiosk", "counter", "display")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(store, name: str, role: str, password: str) -> None:
    """Create or replace a user (a new password also clears a lockout)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(password) < 4:
        raise ValueError("a user needs a name and a password of at least 4 characters")
    with store.transaction() as tx:
        tx.connection.execute(
            """INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                 failed_logins = 0, locked_until = NULL""",
            (name, role, generate_password_hash(password), _now()))


def check_login(store, name: str, password: str, now: datetime) -> tuple[str, dict | None]:
    """('ok', user) | ('locked', None) | ('wrong', None). Counts failures and locks after MAX_FAILED_LOGINS."""
    with store.transaction() as tx:
        row = tx.connection.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            generate_password_hash(password)  # same cost as a real check: do not reveal which names exist
            return "wrong", None
        user = dict(row)
        if user["locked_until"] and datetime.fromisoformat(user["locked_until"]) > now:
            return "locked", None
        if not check_password_hash(user["password_hash"], password):
            failed = user["failed_logins"] + 1
            locked = (now + LOCKOUT).isoformat(timespec="seconds") if failed >= MAX_FAILED_LOGINS else None
            tx.connection.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?",
                                  (0 if locked else failed, locked, name))
            return ("locked" if locked else "wrong"), None
        tx.connection.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,))
        return "ok", {"name": user["name"], "role": user["role"]}


def add_device(store, kind: str, device_id: str, token: str | None = None) -> str:
    """Register a device and return its bearer token (a fresh random one unless given)."""
    if kind not in DEVICE_KINDS:
        raise ValueError(f"device kind must be one of {', '.join(DEVICE_KINDS)}")
    token = token or secrets.token_urlsafe(24)
    if len(token) < 8:
        raise ValueError("a device token must have at least 8 characters")
    with store.transaction() as tx:
        tx.connection.execute(
            """INSERT INTO devices (token_hash, kind, device_id, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (token_hash) DO UPDATE SET kind = excluded.kind, device_id = excluded.device_id,
                 revoked_at = NULL""",
            (hash_token(token), kind, device_id, _now()))
    store.memo.get("devices", {}).pop(hash_token(token), None)
    return token


TOKEN_CACHE_SECONDS = 10.0


def device_for_token(store, token: str) -> dict | None:
    """{'kind', 'device_id'} for a valid, unrevoked token, else None.

    Answers are cached for TOKEN_CACHE_SECONDS: every kiosk and counter request carries a token, and the
    lookup was a quarter of a ticket's database work (bench issue). A token added or revoked from the
    command line takes effect within that time.
    """
    cache = store.memo.setdefault("devices", {})
    key = hash_token(token)
    cached = cache.get(key)
    if cached and time.monotonic() - cached[0] < TOKEN_CACHE_SECONDS:
        return cached[1]
    with store.read() as tx:
        row = tx.connection.execute(
            "SELECT kind, device_id FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
            (key,)).fetchone()
    device = dict(row) if row else None
    if len(cache) > 10_000:  # bounded: random bad tokens must not grow memory
        cache.clear()
    cache[key] = (time.monotonic(), device)
    return device


def secret(store, name: str) -> str:
    """A random secret generated once per database (e.g. Flask's session key), never stored in the repo."""
    with store.transaction() as tx:
        row = tx.connection.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        value = secrets.token_hex(32)
        tx.connection.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (name, value))
        return value
