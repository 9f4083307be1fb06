"""The SQL of notifications: the outbox, the phone numbers of the day, the readers' cursors on the event log.

Every function takes the `connection` of an open transaction (Store.transaction() or Store.read()), so
notify/ never holds the store's lock across a network call: it reads what is due, lets go, sends, then
writes the outcome in a second short transaction. Times are UTC ISO-8601 strings, like every stored time.
"""

from __future__ import annotations

import sqlite3

COLUMNS = ("id", "channel", "recipient", "subject", "body", "kind", "ref", "state", "attempts", "day",
           "created_at", "next_at", "expires_at", "sent_at", "last_error")


def enqueue(connection, *, channel: str, recipient: str, body: str, kind: str, ref: str, day: str, now: str,
            subject: str = "", expires_at: str | None = None) -> int | None:
    """Queue one message; None when a message with this `ref` was already queued (each thing is said once)."""
    try:
        cursor = connection.execute(
            "INSERT INTO notify_outbox (channel, recipient, subject, body, kind, ref, state, day, created_at, "
            "next_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            (channel, recipient, subject, body, kind, ref, day, now, now, expires_at))
    except sqlite3.IntegrityError:
        return None
    return cursor.lastrowid


def due(connection, channel: str, now: str, limit: int = 20) -> list[dict]:
    """Pending messages of `channel` whose time has come, oldest first."""
    rows = connection.execute(
        f"SELECT {', '.join(COLUMNS)} FROM notify_outbox WHERE state = 'pending' AND channel = ? AND next_at <= ? "
        "ORDER BY next_at, id LIMIT ?", (channel, now, limit))
    return [dict(zip(COLUMNS, row)) for row in rows]


def next_due_at(connection, channel: str) -> str | None:
    """When the earliest pending message of `channel` is due (None: nothing pending)."""
    return connection.execute("SELECT min(next_at) FROM notify_outbox WHERE state = 'pending' AND channel = ?",
                              (channel,)).fetchone()[0]


def sent_since(connection, recipient: str, since: str) -> tuple[int, str | None]:
    """How many messages went to `recipient` at or after `since`, and the earliest of those times."""
    count, first = connection.execute("SELECT count(*), min(sent_at) FROM notify_outbox WHERE recipient = ? "
                                      "AND state = 'sent' AND sent_at >= ?", (recipient, since)).fetchone()
    return count, first


def mark_sent(connection, message_id: int, now: str) -> None:
    connection.execute("UPDATE notify_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, "
                       "last_error = NULL WHERE id = ?", (now, message_id))


def mark_failed(connection, message_id: int, error: str, next_at: str | None) -> None:
    """One more failed attempt: try again at `next_at`, or (None) give up: a dead letter."""
    if next_at is None:
        connection.execute("UPDATE notify_outbox SET state = 'dead', attempts = attempts + 1, last_error = ? "
                           "WHERE id = ?", (error[:500], message_id))
    else:
        connection.execute("UPDATE notify_outbox SET attempts = attempts + 1, last_error = ?, next_at = ? "
                           "WHERE id = ?", (error[:500], next_at, message_id))


def postpone(connection, message_id: int, next_at: str) -> None:
    """Not an attempt: the recipient's hourly limit is reached; try when it frees up."""
    connection.execute("UPDATE notify_outbox SET next_at = ? WHERE id = ?", (next_at, message_id))


def expire(connection, message_id: int, reason: str) -> None:
    connection.execute("UPDATE notify_outbox SET state = 'dead', last_error = ? WHERE id = ?", (reason, message_id))


def dead_letters(connection, limit: int = 200) -> list[dict]:
    """The dead letters, newest first (server.py list-dead-letters)."""
    rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM notify_outbox WHERE state = 'dead' "
                              "ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(zip(COLUMNS, row)) for row in rows]


def counts(connection) -> dict:
    """{state: count} of the outbox."""
    return dict(connection.execute("SELECT state, count(*) FROM notify_outbox GROUP BY state").fetchall())


def retry_dead(connection, now: str) -> int:
    """Give every dead letter of today one more round of attempts (server.py retry-dead-letters)."""
    return connection.execute("UPDATE notify_outbox SET state = 'pending', attempts = 0, next_at = ?, "
                              "expires_at = NULL WHERE state = 'dead' AND recipient NOT LIKE '%*%'",
                              (now,)).rowcount


# --- phone numbers of the day ----------------------------------------------------------------------------
def set_phone(connection, ticket_id: int, phone: str, day: str, now: str) -> int:
    """Keep (or replace) a ticket's phone number; returns how many times it was set."""
    connection.execute(
        "INSERT INTO notify_phones (ticket_id, phone, day, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (ticket_id) DO UPDATE SET phone = excluded.phone, changes = changes + 1",
        (ticket_id, phone, day, now))
    return connection.execute("SELECT changes FROM notify_phones WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]


def phone_changes(connection, ticket_id: int) -> int:
    row = connection.execute("SELECT changes FROM notify_phones WHERE ticket_id = ?", (ticket_id,)).fetchone()
    return row[0] if row else 0


def forget_phone(connection, ticket_id: int) -> bool:
    """Erase the number at once; the row stays, empty, so its count of changes still limits the ticket."""
    return connection.execute("UPDATE notify_phones SET phone = '' WHERE ticket_id = ? AND phone != ''",
                              (ticket_id,)).rowcount > 0


def phone_of(connection, ticket_id: int) -> dict | None:
    row = connection.execute("SELECT phone, day, ahead_sent FROM notify_phones WHERE ticket_id = ? AND phone != ''",
                             (ticket_id,)).fetchone()
    return {"phone": row[0], "day": row[1], "ahead_sent": bool(row[2])} if row else None


def phones_waiting(connection, day: str) -> list[tuple[int, str]]:
    """(ticket_id, phone) of the day's tickets whose "còn N người" has not gone yet."""
    return connection.execute("SELECT ticket_id, phone FROM notify_phones WHERE day = ? AND ahead_sent = 0 "
                              "AND phone != ''", (day,)).fetchall()


def mark_ahead_sent(connection, ticket_id: int) -> None:
    connection.execute("UPDATE notify_phones SET ahead_sent = 1 WHERE ticket_id = ?", (ticket_id,))


def purge_before(connection, day: str, keep_sent_before: str) -> dict:
    """The rollover's purge: phone numbers of past days deleted; recipients of past days' messages masked
    (the dead letters stay readable for the admin, without the number); sent rows older than
    `keep_sent_before` (a day) deleted."""
    phones = connection.execute("DELETE FROM notify_phones WHERE day < ?", (day,)).rowcount
    masked = 0
    for message_id, recipient in connection.execute(
            "SELECT id, recipient FROM notify_outbox WHERE day < ? AND recipient NOT LIKE '%*%'", (day,)).fetchall():
        connection.execute("UPDATE notify_outbox SET recipient = ?, state = CASE state WHEN 'pending' THEN 'dead' "
                           "ELSE state END, last_error = CASE state WHEN 'pending' THEN 'hết ngày' ELSE last_error "
                           "END WHERE id = ?", (_mask(recipient), message_id))
        masked += 1
    deleted = connection.execute("DELETE FROM notify_outbox WHERE state = 'sent' AND day < ?",
                                 (keep_sent_before,)).rowcount
    return {"phones": phones, "masked": masked, "deleted": deleted}


def _mask(recipient: str) -> str:
    # core/notify_rules.mask, repeated: store/ does not import core/.
    if "@" in recipient:
        name, _, domain = recipient.partition("@")
        return f"{name[:1]}***@{domain}"
    return recipient[:2] + "*" * max(1, len(recipient) - 4) + recipient[-2:]


# --- readers of the event log ----------------------------------------------------------------------------
def cursor(connection, name: str) -> dict | None:
    row = connection.execute("SELECT seq, failures, last_error, updated_at FROM notify_cursors WHERE name = ?",
                             (name,)).fetchone()
    return {"seq": row[0], "failures": row[1], "last_error": row[2], "updated_at": row[3]} if row else None


def start_cursor(connection, name: str, seq: int, now: str) -> int:
    """A reader's cursor, created at `seq` (the newest event: a new reader starts from now); returns it."""
    connection.execute("INSERT OR IGNORE INTO notify_cursors (name, seq, updated_at) VALUES (?, ?, ?)",
                       (name, seq, now))
    return cursor(connection, name)["seq"]


def move_cursor(connection, name: str, seq: int, now: str) -> None:
    connection.execute("UPDATE notify_cursors SET seq = max(seq, ?), failures = 0, last_error = NULL, "
                       "updated_at = ? WHERE name = ?", (seq, now, name))


def note_cursor_failure(connection, name: str, error: str, now: str) -> int:
    connection.execute("UPDATE notify_cursors SET failures = failures + 1, last_error = ?, updated_at = ? "
                       "WHERE name = ?", (error[:500], now, name))
    return cursor(connection, name)["failures"]


def cursors(connection) -> list[dict]:
    rows = connection.execute("SELECT name, seq, failures, last_error, updated_at FROM notify_cursors ORDER BY name")
    return [dict(zip(("name", "seq", "failures", "last_error", "updated_at"), row)) for row in rows]


def mark(connection, name: str, default: str) -> str:
    """A reader's text position (the dossiers' newest ready_at handled), created at `default`."""
    connection.execute("INSERT OR IGNORE INTO notify_cursors (name, seq, mark, updated_at) VALUES (?, 0, ?, ?)",
                       (name, default, default))
    return connection.execute("SELECT mark FROM notify_cursors WHERE name = ?", (name,)).fetchone()[0]


def move_mark(connection, name: str, value: str, now: str) -> None:
    connection.execute("UPDATE notify_cursors SET mark = max(mark, ?), updated_at = ? WHERE name = ?",
                       (value, now, name))
