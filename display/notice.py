"""The lobby displays' scrolling notice: one text for every display, optionally one per display.

Kept in the database (table display_notices) so it survives a restart, and changed in the same
transaction as a `notice_changed` event, so every open display updates live through the realtime feed
and the event log says who changed it. Framework-free: the routes check who may change it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from core import events
from core.errors import InvalidRequest

EVERY_DISPLAY = "*"
MAX_LENGTH = 500
# Line breaks, tabs and other control characters would break the one-line scrolling bar.
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_notice(text: str) -> str:
    """The notice as shown: NFC, one line, no surrounding spaces. Refuses what is too long to scroll."""
    text = _CONTROL_OR_SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if len(text) > MAX_LENGTH:
        raise InvalidRequest("notice_too_long", f"Thông báo dài quá {MAX_LENGTH} ký tự.", limit=MAX_LENGTH)
    return text


def read_notices(store, display_id: str | None = None) -> dict:
    """{"all": text for every display, "mine": text for `display_id`, "seq": the log's last seq}."""
    with store.read() as tx:
        rows = dict(tx.connection.execute("SELECT display, text FROM display_notices").fetchall())
        seq = tx.last_seq()
    return {"all": rows.get(EVERY_DISPLAY, ""), "mine": rows.get(display_id, "") if display_id else "", "seq": seq}


def all_notices(store) -> dict:
    """{"all": text for every display, "displays": {display id: its own text}, "seq"}."""
    with store.read() as tx:
        rows = dict(tx.connection.execute("SELECT display, text FROM display_notices").fetchall())
        seq = tx.last_seq()
    return {"all": rows.pop(EVERY_DISPLAY, ""), "displays": rows, "seq": seq}


def set_notice(store, text: str, *, display_id: str | None, actor: str) -> dict:
    """Replace the notice of one display (or of all, display_id None); "" removes it. Returns the event."""
    text = clean_notice(text)
    key = display_id or EVERY_DISPLAY
    now = datetime.now(timezone.utc)
    with store.transaction() as tx:
        if text:
            tx.connection.execute(
                """INSERT INTO display_notices (display, text, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT (display) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at""",
                (key, text, now.isoformat(timespec="milliseconds")))
        else:
            tx.connection.execute("DELETE FROM display_notices WHERE display = ?", (key,))
        return tx.append_event(at=now, actor=actor, kind=events.NOTICE_CHANGED,
                               details={"display": display_id, "text": text})
