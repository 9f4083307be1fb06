"""CSRF for every console write: the session's token (api/auth.py csrf_token) must come back with the
request, as the hidden form field `csrf_token` (plain HTML forms) or the X-CSRF-Token header (scripts).

A session cookie goes with every request the browser makes, also one a page of another site makes it
send; that page cannot read our pages, so it cannot know the token. Refused with 403 `csrf_failed`.
"""

from __future__ import annotations

import hmac

from flask import request, session
from markupsafe import Markup, escape

from api.auth import csrf_token
from core.errors import NotAllowed

FIELD = "csrf_token"


def check() -> None:
    """Raise 403 csrf_failed unless this request carries the session's CSRF token."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get(FIELD, "")
    expected = session.get("csrf", "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise NotAllowed("csrf_failed", "Phiên làm việc không hợp lệ (thiếu hoặc sai mã CSRF). "
                         "Hãy tải lại trang rồi thử lại.")


def field() -> Markup:
    """The hidden input every console form carries (a Jinja global: `{{ csrf_field() }}`)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(csrf_token())}">')
