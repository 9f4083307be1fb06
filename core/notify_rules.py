"""The rules of notifications, pure: which phone numbers are valid, what a message says, when to retry.

notify/ does the sending and store/outbox.py the SQL; both ask here. Nothing here touches the network,
the database or the clock (times come in as arguments).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from . import events, lifecycle
from .errors import QueueError

# Vietnamese mobile numbers since the 2018 renumbering: 0 + 9 digits, the first of them 3, 5, 7, 8 or 9
# (Viettel 03x/086/09x, Vinaphone 08x/09x, MobiFone 07x/09x, Vietnamobile 05x, Gmobile 059/099, …).
MOBILE = re.compile(r"^(?:\+84|84|0)([35789][0-9]{8})$")  # [0-9]: \d also takes ٣ and ３
PHONE_NOISE = re.compile(r"[\s.\-()]")
MAX_PHONE_INPUT = 24
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
QUEUE_KINDS = ("ahead", "called")
CALL_EVENTS = (events.CALLED, events.RECALLED)
# Events after which somebody's place in the queue may have moved (kiosk/phones.py MOVES, plus the calls).
MOVES = {events.ISSUED, events.CALLED, events.CANCELLED, events.TRANSFERRED, events.RETURNED, events.EXPIRED,
         events.NO_SHOW, events.FINISHED, events.COUNTER_PAUSED, events.COUNTER_RESUMED, events.RECALLED}


def normalise_phone(text: object) -> str:
    """A Vietnamese mobile number as 0XXXXXXXXX, from what a citizen typed (spaces, dots, +84 allowed);
    raises QueueError invalid_phone (400) otherwise."""
    if not isinstance(text, str) or len(text) > MAX_PHONE_INPUT:
        raise QueueError("invalid_phone", "Số điện thoại di động không hợp lệ. Ví dụ: 0912 345 678.")
    match = MOBILE.match(PHONE_NOISE.sub("", text))
    if match is None:
        raise QueueError("invalid_phone", "Số điện thoại di động không hợp lệ. Ví dụ: 0912 345 678.")
    return "0" + match.group(1)


def phone_for_gateway(phone: str, phone_format: str) -> str:
    """0912345678 as the gateway wants it: "0" (as is), "84" (84912345678) or "+84"."""
    return phone if phone_format == "0" else phone_format + phone[1:]


def mask(recipient: str) -> str:
    """What an admin or a log may show of a phone number or an address: 09******78, l***@example.vn."""
    if "@" in recipient:
        name, _, domain = recipient.partition("@")
        return f"{name[:1]}***@{domain}"
    return recipient[:2] + "*" * max(0, len(recipient) - 4) + recipient[-2:]


def render(template: str, values: dict) -> str:
    """The template with its {placeholders} filled in; unknown ones stay as written. Not str.format:
    a template must not reach attributes ({x.__class__}) and may hold JSON's own braces."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def without_diacritics(text: str) -> str:
    """"Mời bạn đến quầy số 5" → "Moi ban den quay so 5" (unaccented SMS, notify.sms.ascii)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def retry_at(now: datetime, attempts: int, first_seconds: int, max_seconds: int) -> datetime:
    """When to try again after `attempts` failed tries: first_seconds, then doubling, at most max_seconds."""
    return now + timedelta(seconds=min(max_seconds, first_seconds * 2 ** max(0, attempts - 1)))


def counter_phrase(counter_name: str | None, counter_id: str | None) -> str:
    """"Quầy số 5" → "quầy số 5" inside a sentence (like the status page)."""
    name = counter_name or (f"quầy số {counter_id}" if counter_id else "quầy")
    return name[:1].lower() + name[1:]


def ahead_due(ticket: dict, ahead_setting: int, already_sent: bool) -> bool:
    """Send "còn N người nữa" now? Once per ticket, when it waits with 1..`ahead_setting` people ahead
    (with nobody ahead its call comes next, and that message says more)."""
    position = ticket.get("position")
    return (not already_sent and ticket["status"] in lifecycle.CALLABLE and position is not None
            and 1 <= position <= ahead_setting)


def queue_values(ticket: dict, centre_name: str) -> dict:
    """The placeholders of the queue's templates for one ticket view (core/views.py ticket_view)."""
    return {"centre": centre_name, "number": ticket["number"], "ahead": ticket.get("position"),
            "service": ticket.get("service_name") or ticket["service"],
            "counter": counter_phrase(ticket.get("counter_name"), ticket.get("counter"))}
