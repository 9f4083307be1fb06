"""Who may use the system: user accounts and device tokens, with their life cycle, and server secrets.

Passwords are hashed with werkzeug's scrypt; device tokens are kept only as SHA-256 hashes, so a copy of
the database does not hand out working tokens. Nothing here is ever deleted: the event log names users
and devices, so an account is disabled and a token revoked instead (README, "Security").

Every change that takes rights away (sign-out, new password, new role, disable, revoked token) must reach
the running server at once, also when it was made by the command line in another process.
`credentials_marker` tells the server when to look again: it changes with every such change made in this
process and, through SQLite's `PRAGMA data_version`, with every commit made by another connection.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timezone

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("clerk", "manager", "admin")
DEVICE_KINDS = ("kiosk", "counter", "display")
MIN_PASSWORD_LENGTH = 8
TOKEN_CACHE_SECONDS = 10.0


class AccountError(ValueError):
    """A refused account or device change; the message says why (shown by the command line), `code` says
    it for programs (the console turns it into its Vietnamese message)."""

    def __init__(self, message: str, code: str = "account_refused"):
        super().__init__(message)
        self.code = code


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """scrypt hash of a password: ~70 ms of CPU, so the server calls it through blocking.run_blocking."""
    return generate_password_hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (unknown user) it spends the same time and says no."""
    if password_hash is None:
        generate_password_hash(password)  # same cost as a real check: do not reveal which names exist
        return False
    return check_password_hash(password_hash, password)


def _changed(store) -> None:
    """Something that grants rights changed in this process: drop caches, tell credentials_marker."""
    store.memo.pop("devices", None)
    store.memo["credentials_generation"] = store.memo.get("credentials_generation", 0) + 1


def credentials_marker(store) -> tuple[int, int]:
    """Changes whenever a user or device may have lost rights (here, or by another process's commit)."""
    return store.data_version(), store.memo.get("credentials_generation", 0)


def _fresh_caches(store) -> None:
    """Forget cached token answers when another process (the command line) has committed since."""
    marker = credentials_marker(store)
    if store.memo.get("devices_marker") != marker:
        store.memo.pop("devices", None)
        store.memo["devices_marker"] = marker


# --- users ---------------------------------------------------------------------------------------
def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", "password_too_short")


def add_user(store, name: str, role: str, password: str) -> None:
    """Create a user, or give an existing one this role and password (which ends their sessions)."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}", "unknown_role")
    check_user_name(name)
    check_password_rules(password)
    password_hash = hash_password(password)
    with store.transaction() as tx:
        _keep_an_admin(tx, name, new_role=role)
        tx.connection.execute(
            """INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?,?,?,?,?)
               ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                 password_changed_at = excluded.password_changed_at,
                 session_version = users.session_version + 1""",
            (name, role, password_hash, _now(), _now()))
    _changed(store)


def create_user(store, name: str, role: str, password_hash: str, *, event: dict | None = None) -> None:
    """Create a new user from an already computed hash (the console hashes off the event loop); refuses a
    name that exists (use set_role / set_password_hash). `event`: Transaction.append_event arguments,
    appended in the same transaction (the console's admin_* events)."""
    check_user_name(name)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}", "unknown_role")
    with store.transaction() as tx:
        if tx.connection.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"a user named {name!r} exists", "user_exists")
        tx.connection.execute(
            "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?,?,?,?,?)",
            (name, role, password_hash, _now(), _now()))
        if event:
            tx.append_event(**event)
    _changed(store)


def check_user_name(name: str) -> None:
    if not name or len(name) > 64 or not name.isprintable() or name != name.strip():
        raise AccountError("a user name is 1–64 printable characters without spaces around it", "bad_user_name")


def _keep_an_admin(tx, name: str, new_role: str | None = None, disabling: bool = False) -> None:
    """Refuse to demote or disable the last active admin: nobody could administer the centre any more."""
    row = tx.connection.execute("SELECT role, disabled_at FROM users WHERE name = ?", (name,)).fetchone()
    if row is None or row["role"] != "admin" or row["disabled_at"] is not None:
        return
    if not disabling and (new_role is None or new_role == "admin"):
        return
    others = tx.connection.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND name != ?", (name,)).fetchone()[0]
    if others == 0:
        raise AccountError(f"{name} is the last active admin", "last_admin")


def _update_user(store, name: str, assignments: str, values: tuple = (), *, event: dict | None = None,
                 guard=None) -> None:
    with store.transaction() as tx:
        if guard is not None:
            guard(tx)
        cursor = tx.connection.execute(
            f"UPDATE users SET {assignments}, session_version = session_version + 1 WHERE name = ?",
            (*values, name))
        if cursor.rowcount == 0:
            raise AccountError(f"no user named {name!r}", "no_such_user")
        if event:
            tx.append_event(**event)
    _changed(store)


def set_password(store, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    check_password_rules(password)
    _update_user(store, name, "password_hash = ?, password_changed_at = ?", (hash_password(password), _now()))


def set_password_hash(store, name: str, password_hash: str, *, event: dict | None = None) -> None:
    """A new password from an already computed hash (hashed off the event loop); every session ends."""
    _update_user(store, name, "password_hash = ?, password_changed_at = ?", (password_hash, _now()), event=event)


def set_role(store, name: str, role: str, *, event: dict | None = None) -> None:
    """A new role; every session of the user ends (the old rights must not linger in a cookie).
    The last active admin keeps the role."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}", "unknown_role")
    _update_user(store, name, "role = ?", (role,), event=event,
                 guard=lambda tx: _keep_an_admin(tx, name, new_role=role))


def set_disabled(store, name: str, disabled: bool, *, event: dict | None = None) -> None:
    """Disable (no sign-in, every session ends at once) or enable again. Users are never deleted.
    The last active admin cannot be disabled."""
    _update_user(store, name, "disabled_at = ?", (_now() if disabled else None,), event=event,
                 guard=lambda tx: _keep_an_admin(tx, name, disabling=disabled))


def end_sessions(store, name: str) -> None:
    """Sign a user out everywhere: every cookie carrying the old session version stops working."""
    _update_user(store, name, "name = name")


def user(store, name: str) -> dict | None:
    """{name, role, session_version, disabled} of an account, or None."""
    with store.read() as tx:
        row = tx.connection.execute(
            "SELECT name, role, session_version, disabled_at FROM users WHERE name = ?", (name,)).fetchone()
    return None if row is None else {"name": row["name"], "role": row["role"],
                                     "session_version": row["session_version"],
                                     "disabled": row["disabled_at"] is not None}


def password_hash_of(store, name: str) -> tuple[str, bool] | None:
    """(stored hash, disabled) of an account, or None for an unknown name."""
    with store.read() as tx:
        row = tx.connection.execute("SELECT password_hash, disabled_at FROM users WHERE name = ?",
                                    (name,)).fetchone()
    return (row[0], row[1] is not None) if row else None


def list_users(store) -> list[dict]:
    """Every account, oldest first: name, role, created, password changed, disabled."""
    with store.read() as tx:
        rows = tx.connection.execute(
            "SELECT name, role, created_at, password_changed_at, disabled_at FROM users ORDER BY created_at, name")
        return [dict(row) for row in rows]


# --- devices -------------------------------------------------------------------------------------
def add_device(store, kind: str, device_id: str, token: str | None = None, *, replace: bool = False,
               event: dict | None = None) -> str:
    """Register a device and return its bearer token (a fresh random one unless given).

    A device already holding a live token is refused unless `replace`, which revokes the old token(s)
    in the same transaction: re-pairing a kiosk must not leave a second working token behind.
    """
    if kind not in DEVICE_KINDS:
        raise AccountError(f"device kind must be one of {', '.join(DEVICE_KINDS)}", "unknown_device_kind")
    token = token or secrets.token_urlsafe(24)
    if len(token) < 8:
        raise AccountError("a device token must have at least 8 characters")
    key = hash_token(token)
    with store.transaction() as tx:
        others = tx.connection.execute(
            "SELECT count(*) FROM devices WHERE kind = ? AND device_id = ? AND token_hash != ? AND revoked_at IS NULL",
            (kind, device_id, key)).fetchone()[0]
        if others and not replace:
            raise AccountError(f"{kind} {device_id} already has a token: use --replace to revoke it and "
                               "make a new one, or revoke-device", "device_paired")
        tx.connection.execute(
            "UPDATE devices SET revoked_at = ? WHERE kind = ? AND device_id = ? AND token_hash != ? "
            "AND revoked_at IS NULL", (_now(), kind, device_id, key))
        tx.connection.execute(
            """INSERT INTO devices (token_hash, kind, device_id, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (token_hash) DO UPDATE SET kind = excluded.kind, device_id = excluded.device_id,
                 revoked_at = NULL""",
            (key, kind, device_id, _now()))
        if event:
            tx.append_event(**event)
    _changed(store)
    return token


def revoke_device(store, kind: str, device_id: str, *, event: dict | None = None) -> int:
    """Revoke every live token of a device; returns how many. Refused at once, open sockets included.
    `event` is appended in the same transaction, only when a token was revoked."""
    with store.transaction() as tx:
        cursor = tx.connection.execute(
            "UPDATE devices SET revoked_at = ? WHERE kind = ? AND device_id = ? AND revoked_at IS NULL",
            (_now(), kind, device_id))
        count = cursor.rowcount
        if event and count:
            tx.append_event(**event)
    _changed(store)
    return count


def list_devices(store) -> list[dict]:
    """Every device with its live token count and when its newest token was made or revoked."""
    with store.read() as tx:
        rows = tx.connection.execute(
            """SELECT kind, device_id, sum(revoked_at IS NULL) AS live_tokens, max(created_at) AS paired_at,
                      max(revoked_at) AS last_revoked_at
               FROM devices GROUP BY kind, device_id ORDER BY kind, device_id""")
        return [dict(row) for row in rows]


def device_for_token(store, token: str) -> dict | None:
    """{'kind', 'device_id'} for a valid, unrevoked token, else None.

    Answers are cached (every kiosk and counter request carries a token, and the lookup was a quarter of
    a ticket's database work in bench issue), but the cache is dropped whenever credentials_marker moves,
    so a token revoked here or from the command line is refused on its very next request.
    """
    _fresh_caches(store)
    cache = store.memo.setdefault("devices", {})
    key = hash_token(token)
    cached = cache.get(key)
    if cached and time.monotonic() - cached[0] < TOKEN_CACHE_SECONDS:
        _seen(store, cached[1])
        return cached[1]
    with store.read() as tx:
        row = tx.connection.execute(
            "SELECT kind, device_id FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
            (key,)).fetchone()
    device = dict(row) if row else None
    if len(cache) > 10_000:  # bounded: random bad tokens must not grow memory
        cache.clear()
    cache[key] = (time.monotonic(), device)
    _seen(store, device)
    return device


def _seen(store, device: dict | None) -> None:
    """Remember when a device last made a request (in memory: a write per request would cost every kiosk
    tap a commit; the console's devices page says "since the server started")."""
    if device is not None:
        store.memo.setdefault("device_seen", {})[(device["kind"], device["device_id"])] = time.time()


def devices_seen(store) -> dict[tuple[str, str], float]:
    """{(kind, device id): epoch seconds of its last authenticated request since this server started}."""
    return dict(store.memo.get("device_seen", {}))


def token_hash_is_live(store, token_hash: str) -> bool:
    """Whether a token (by its hash) is registered and not revoked; uncached (open sockets are checked
    with it whenever credentials_marker moves)."""
    with store.read() as tx:
        return tx.connection.execute("SELECT 1 FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                                     (token_hash,)).fetchone() is not None


def secret(store, name: str) -> str:
    """A random secret generated once per database (e.g. Flask's session key), never stored in the repo."""
    with store.transaction() as tx:
        row = tx.connection.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        value = secrets.token_hex(32)
        tx.connection.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (name, value))
        return value
