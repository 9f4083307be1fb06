"""The status page's phone field: a citizen leaves a mobile number to get "còn N người nữa" and "mời bạn
đến quầy số N" by SMS (notify/, README "Notifications").

    POST   /t/<token>/phone   {"phone": "0912 345 678", "consent": true} → 201 {"phone": "09******78"}
    DELETE /t/<token>/phone   → 200 {"forgotten": true|false}: the number is deleted at once

Public like the page itself (the token is the key); both are writes a phone may make on the public side
(public_side.PUBLIC_WRITES). The number never goes back out whole: not in the ticket's JSON, not on any
socket; the answer and the page show it masked. Kept for the ticket's day only (notify/queue_messages.py
purges past days' numbers at the first round after midnight).
"""

from __future__ import annotations

from flask import current_app, jsonify

from api.auth import require_phone_write
from api.routes import body

from .status import blueprint


def _notifications():
    return current_app.extensions["xephang_notify"]


@blueprint.post("/t/<token>/phone")
def leave_phone(token: str):
    """Keep a phone number for this ticket's messages, today only (consent required)."""
    require_phone_write()
    data = body({"phone": (str,), "consent": (bool,)}, required=("phone",))
    masked = _notifications().leave_phone(token, data["phone"], data.get("consent"))
    return jsonify({"phone": masked}), 201


@blueprint.delete("/t/<token>/phone")
def forget_phone(token: str):
    """Delete the phone number left for this ticket."""
    require_phone_write()
    body({})
    return jsonify({"forgotten": _notifications().forget_phone(token)})
