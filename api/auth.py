"""Who is calling: a device with a bearer token, or a signed-in user (clerk, manager, admin) with a cookie.

The session cookie holds only the user's name, the account's session version, when the session began
and when this browser was last seen (plus the counter taken and the CSRF token). The account is read
again on every request, so a disabled account, a new password or a new role takes effect at once, and
sign-out bumps the session version so no copy of the cookie works again (README, "Security").

Bearer tokens are not sent by browsers on their own, so they need no CSRF check; every write made with a
session cookie must carry the session's CSRF token in the X-CSRF-Token header.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import g, request, session

from core.errors import NotAllowed, QueueError
from store import access

from . import centre

USER_ROLES = ("clerk", "manager", "admin")
SEEN_REFRESH_SECONDS = 60  # the cookie's "last seen" is rewritten at most this often


class Unauthenticated(QueueError):
    status = 401


@dataclass(frozen=True)
class Caller:
    kind: str                 # kiosk | counter | display | clerk | manager | admin
    id: str                   # device id or user name
    counter: str | None = None  # the counter a counter device or a signed-in clerk acts for
    credential: tuple = ()    # what proves it, for checking an open socket again: see still_valid()

    @property
    def actor(self) -> str:
        """How the event log names this caller: kiosk:kiosk-1, counter:5, clerk:lan."""
        return f"{self.kind}:{self.id}"

    @property
    def is_device(self) -> bool:
        return self.kind in access.DEVICE_KINDS


def _epoch() -> float:
    return centre().engine.clock.now().timestamp()


def bearer_token() -> str | None:
    """The bearer token of this request (None without an Authorization header); malformed → 401."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("bad_authorization", "Tiêu đề Authorization phải có dạng “Bearer <mã thiết bị>”.")
    return token.strip()


def device_caller(token: str) -> Caller:
    """The device a token belongs to; 401 for an unknown or revoked token."""
    device = access.device_for_token(centre().store, token)
    if device is None:
        raise Unauthenticated("invalid_token", "Mã thiết bị không hợp lệ hoặc đã bị thu hồi.")
    counter = device["device_id"] if device["kind"] == "counter" else None
    return Caller(device["kind"], device["device_id"], counter, ("device", access.hash_token(token)))


def current_caller() -> Caller | None:
    """The caller of this request, or None when anonymous. A bad bearer token is an error, not anonymity."""
    token = bearer_token()
    if token is not None:
        return device_caller(token)
    if "user" not in session:
        return None
    account, problem = _session_account()
    if account is None:
        session.clear()
        g.session_ended = problem  # require() says why: the page can send the clerk back to sign in
        return None
    now = _epoch()
    if now - session.get("seen", 0) >= SEEN_REFRESH_SECONDS:
        session["seen"] = now
    counter = session.get("counter")
    # The same clerk may since have taken another counter, or the claim was freed: the store decides.
    if counter is not None and (account["role"] != "clerk" or _clerk_at(counter) != account["name"]):
        counter = None
    return Caller(account["role"], account["name"], counter,
                  ("user", account["name"], account["session_version"], session.get("since", 0)))


def _session_account() -> tuple[dict | None, str]:
    """The account behind the session cookie, or (None, why the session is over)."""
    name, version = session.get("user"), session.get("ver")
    if not isinstance(name, str) or not isinstance(version, int):
        return None, "session_ended"  # a cookie of an older version of this program, or tampered
    security, now = centre().settings.security, _epoch()
    if now - session.get("since", 0) > security.session_hours * 3600:
        return None, "session_expired"
    if now - session.get("seen", 0) > security.session_idle_minutes * 60:
        return None, "session_expired"
    account = access.user(centre().store, name)
    if account is None or account["disabled"] or account["session_version"] != version:
        return None, "session_ended"
    return account, ""


def outlived(caller: Caller) -> bool:
    """Whether a signed-in caller's session is past its lifetime ([security] session_hours)."""
    if caller.credential[:1] != ("user",):
        return False
    return _epoch() - caller.credential[3] > centre().settings.security.session_hours * 3600


def still_valid(caller: Caller) -> bool:
    """Whether the credential a socket connected with still holds (token not revoked, session not ended)."""
    if not caller.credential:
        return True  # anonymous: nothing to lose
    if caller.credential[0] == "device":
        return access.token_hash_is_live(centre().store, caller.credential[1])
    _, name, version, _ = caller.credential
    account = access.user(centre().store, name)
    return (account is not None and not account["disabled"] and account["session_version"] == version
            and not outlived(caller))


def start_session(account: dict, counter: str | None) -> None:
    """Put a freshly signed-in account in the cookie (replacing whatever was there)."""
    now = _epoch()
    session.clear()
    session.update(user=account["name"], ver=account["session_version"], since=now, seen=now, counter=counter)
    session.permanent = False


def _clerk_at(counter_id: str) -> str | None:
    if counter_id not in centre().settings.counters:
        return None  # a counter removed from config.toml since sign-in
    return centre().engine.clerk_at(counter_id)  # a claim past its idle limit counts as over at once


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


SESSION_ENDED = {
    "session_expired": "Phiên đăng nhập đã hết hạn. Xin đăng nhập lại.",
    "session_ended": "Phiên đăng nhập đã kết thúc (đã đăng xuất, đổi mật khẩu, đổi quyền hoặc khóa tài khoản). "
                     "Xin đăng nhập lại.",
}


def require(*kinds: str, write: bool = True) -> Caller:
    """The caller, if it is one of `kinds`; checks CSRF for cookie-authenticated writes."""
    caller = current_caller()
    if caller is None:
        ended = g.get("session_ended")
        if ended:
            raise Unauthenticated(ended, SESSION_ENDED[ended])
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


MONITOR_ROLES = ("manager", "admin")  # the live monitor and every alert banner (issue 11 item 4)


def may_watch_monitor(caller: Caller | None) -> bool:
    """Whether a caller (an open socket's) may see the live monitor: managers and admins."""
    return caller is not None and caller.kind in MONITOR_ROLES


def alert_scope(caller: Caller | None) -> str | None:
    """Which alert banners a staff socket gets: "managers" (all of them), a counter id (the wait breaches of
    the thủ tục that counter serves: its device, or the clerk signed in there), or None."""
    if may_watch_monitor(caller):
        return "managers"
    if caller is not None and caller.kind in ("counter", "clerk") and caller.counter is not None:
        return caller.counter
    return None
def require_rating_device(counter_id: str) -> Caller:
    """The rating device paired with `counter_id` (its device id is the counter's id): the only caller
    that may ask or send ratings at a counter. A clerk or the counter's own token may not: the rating is
    the citizen's, and the clerk must not be able to give it (or read it)."""
    caller = require("rating")
    if caller.id != str(counter_id):
        raise NotAllowed("wrong_counter", f"Thiết bị đánh giá này thuộc quầy {caller.id}, không phải quầy {counter_id}.")
    return caller


def require_phone_write() -> None:
    """A write from a ticket's status page, which has no session: the ticket token in the path is its
    key. It must be JSON (a form of another site cannot send that without asking first) and, when the
    browser names the sending page, from this server's own pages."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise NotAllowed("cross_site", "Yêu cầu đến từ một trang web khác nên bị từ chối.")
    if not request.is_json:
        raise QueueError("json_required", "Nội dung gửi lên phải là JSON (Content-Type: application/json).")
