"""Who is calling: a device with a bearer token, or a signed-in clerk/admin with a session cookie.

Bearer tokens are not sent by browsers on their own, so they need no CSRF check; every write made
with a session cookie must carry the session's CSRF token in the X-CSRF-Token header.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import request, session

from core.errors import NotAllowed, QueueError
from store import access

from . import centre


class Unauthenticated(QueueError):
    status = 401


@dataclass(frozen=True)
class Caller:
    kind: str                 # kiosk | counter | display | clerk | admin
    id: str                   # device id or user name
    counter: str | None = None  # the counter a counter device or a signed-in clerk acts for

    @property
    def actor(self) -> str:
        """How the event log names this caller: kiosk:kiosk-1, counter:5, clerk:lan."""
        return f"{self.kind}:{self.id}"

    @property
    def is_device(self) -> bool:
        return self.kind in access.DEVICE_KINDS


def current_caller() -> Caller | None:
    """The caller of this request, or None when anonymous. A bad bearer token is an error, not anonymity."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("bad_authorization", "Tiêu đề Authorization phải có dạng “Bearer <mã thiết bị>”.")
        device = access.device_for_token(centre().store, token.strip())
        if device is None:
            raise Unauthenticated("invalid_token", "Mã thiết bị không hợp lệ hoặc đã bị thu hồi.")
        counter = device["device_id"] if device["kind"] == "counter" else None
        return Caller(device["kind"], device["device_id"], counter)
    user = session.get("user")
    if user:
        counter = session.get("counter")
        # The cookie outlives sign-out (Flask sessions are signed cookies, not server state), and the same
        # clerk may since have taken another counter: the counter's row in the store decides.
        if counter is not None and _clerk_at(counter) != user["name"]:
            counter = None
        return Caller(user["role"], user["name"], counter)
    return None


def _clerk_at(counter_id: str) -> str | None:
    with centre().store.read() as tx:
        return tx.counter_state(counter_id)["clerk"]


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def refuse_other_sites() -> None:
    """Refuse a sign-in that a page of another site made the browser send (login CSRF).

    Sign-in carries no CSRF token (there is no session yet), and the JSON parser accepts a text/plain
    form post, which any web page can send. Browsers name the sending page's origin on every such POST,
    so a request whose Origin is not this server is refused. Programs that send no Origin are unaffected.
    """
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise NotAllowed("cross_site", "Yêu cầu đăng nhập đến từ một trang web khác nên bị từ chối.")


def require(*kinds: str, write: bool = True) -> Caller:
    """The caller, if it is one of `kinds`; checks CSRF for cookie-authenticated writes."""
    caller = current_caller()
    if caller is None:
        raise Unauthenticated("unauthenticated", "Cần đăng nhập hoặc mã thiết bị để thực hiện thao tác này.")
    if caller.kind not in kinds:
        raise NotAllowed("forbidden_role", "Thiết bị hoặc tài khoản này không được phép thực hiện thao tác này.",
                         role=caller.kind)
    if write and not caller.is_device:
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            raise NotAllowed("csrf_failed", "Phiên làm việc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang.")
    return caller


def require_counter(counter_id: str) -> Caller:
    """A counter device for `counter_id`, or a clerk signed in at `counter_id`."""
    caller = require("counter", "clerk")
    if caller.counter is None:
        raise NotAllowed("no_counter", "Hãy chọn quầy làm việc trước.")
    if caller.counter != str(counter_id):
        raise NotAllowed("wrong_counter", f"Bạn đang làm việc ở quầy {caller.counter}, không phải quầy {counter_id}.")
    return caller
