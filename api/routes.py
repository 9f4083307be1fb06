"""HTTP routes of the JSON API. Each write: who is calling, is the body well formed, then one core call."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request, session

from core import lifecycle
from core.engine import AS_ADMIN
from core.errors import Conflict, InvalidRequest, NotAllowed
from core.publicity import public_snapshot
from blocking import run_blocking
from store import access

from . import centre
from .auth import (USER_ROLES, Unauthenticated, csrf_token, current_caller, refuse_other_sites, require,
                   require_counter, start_session)
from .signin_guard import SignInGuard
from .openapi import openapi_document

blueprint = Blueprint("api", __name__, url_prefix="/api")

# SQLite's INTEGER is 64-bit: a larger id would raise OverflowError (a 500) in the first query.
LARGEST_ID = 2**63 - 1



def body(fields: dict[str, tuple], required: tuple[str, ...] = ()) -> dict:
    """The JSON object sent, checked against `fields` (name → accepted types); unknown names are refused."""
    if request.content_length == 0 or not request.get_data():
        data = {}
    else:
        try:
            data = request.get_json(silent=True, force=True)
        except RecursionError:  # "[[[[…" nested thousands deep fits in 64 KB; json gives up by recursing
            data = None
        # A lone surrogate (JSON "\ud800") parses but cannot be written back as UTF-8 (nor into SQLite).
        if not isinstance(data, dict) or not all(_is_text(name) for name in data):
            raise InvalidRequest("bad_json", "Nội dung gửi lên phải là một đối tượng JSON hợp lệ.")
    for name, value in data.items():
        if name not in fields:
            raise InvalidRequest("unknown_field", f"Trường “{name}” không được hỗ trợ.", field=name)
        if (not isinstance(value, fields[name]) or isinstance(value, bool) and bool not in fields[name]
                or isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID
                or isinstance(value, str) and not _is_text(value)):
            raise InvalidRequest("invalid_field", f"Giá trị của trường “{name}” không đúng kiểu.", field=name)
    for name in required:
        if data.get(name) is None:
            raise InvalidRequest("missing_field", f"Thiếu trường bắt buộc “{name}”.", field=name)
    return data


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_served_here(caller, ticket: dict) -> None:
    """A counter (device or clerk) acts only on tickets it could call; an admin acts on any."""
    if caller.kind == "admin":
        return
    counter = centre().settings.counters.get(caller.counter or "")
    if counter is None:
        raise NotAllowed("no_counter", "Hãy chọn quầy làm việc trước.")
    if ticket["service"] not in counter.services and ticket["target_counter"] != counter.id:
        raise NotAllowed("not_served_here", "Quầy của bạn không phục vụ số này.")


# --- tickets -------------------------------------------------------------------------------------
@blueprint.post("/tickets")
def issue_ticket():
    caller = require("kiosk", "admin")
    data = body({"service": (str,), "priority": (str, type(None))}, required=("service",))
    kiosk = centre().settings.kiosks.get(caller.id) if caller.kind == "kiosk" else None
    if caller.kind == "kiosk" and kiosk is None:
        raise NotAllowed("unknown_kiosk", f"Kiosk “{caller.id}” không có trong cấu hình.")
    if kiosk and kiosk.services and data["service"] not in kiosk.services:
        raise NotAllowed("service_not_at_kiosk", "Thủ tục này không được cấp số tại kiosk này.")
    # Idempotency-Key (README, "Kiosk"): a retry after a lost answer gets the same ticket, 200 not 201.
    key = request.headers.get("Idempotency-Key")
    if key is not None and not re.fullmatch(r"[\x21-\x7e]{1,100}", key):
        raise InvalidRequest("invalid_idempotency_key", "Idempotency-Key phải gồm 1–100 ký tự ASCII in được.")
    ticket, created = centre().engine.issue_ticket_once(data["service"], data.get("priority"), actor=caller.actor,
                                                        kiosk=kiosk.id if kiosk else None, idempotency_key=key)
    return jsonify(ticket), 201 if created else 200, {} if created else {"Idempotent-Replayed": "true"}


@blueprint.get(f"/tickets/<int(max={LARGEST_ID}):ticket_id>")
def get_ticket(ticket_id: int):
    require("kiosk", "counter", "display", "clerk", "admin", write=False)
    return jsonify(centre().engine.get_ticket(ticket_id))


def _acting_counter(caller):
    """The counter a caller acts for: its own, or AS_ADMIN for an admin. A clerk or counter without one
    (signed in without taking a counter, or whose claim was freed) is refused, never taken for "anyone"."""
    if caller.kind == "admin":
        return AS_ADMIN
    if caller.counter is None:
        raise NotAllowed("no_counter", "Hãy chọn quầy làm việc trước.")
    return caller.counter


@blueprint.post(f"/tickets/<int(max={LARGEST_ID}):ticket_id>/<action>")
def ticket_action(ticket_id: int, action: str):
    engine = centre().engine
    if action in ("recall", "start", "finish", "no-show"):
        caller = require("counter", "clerk")
        body({})
        method = {"recall": engine.recall, "start": engine.start, "finish": engine.finish,
                  "no-show": engine.no_show}[action]
        return jsonify(method(ticket_id, actor=caller.actor, counter_id=_acting_counter(caller)))
    if action == "transfer":
        caller = require("counter", "clerk", "admin")
        acting = _acting_counter(caller)
        data = body({"service": (str,), "counter": (str, int), "note": (str,)})
        ticket = engine.get_ticket(ticket_id, with_history=False)
        if ticket["status"] in lifecycle.CALLABLE:  # a called ticket's owner is checked by the engine
            _check_served_here(caller, ticket)
        return jsonify(engine.transfer(ticket_id, actor=caller.actor, counter_id=acting,
                                       service=data.get("service"),
                                       to_counter=str(data["counter"]) if "counter" in data else None,
                                       note=data.get("note", "")))
    if action in ("cancel", "return"):
        caller = require("counter", "clerk", "admin")
        _acting_counter(caller)
        body({})
        _check_served_here(caller, engine.get_ticket(ticket_id, with_history=False))
        method = engine.cancel if action == "cancel" else engine.return_ticket
        return jsonify(method(ticket_id, actor=caller.actor))
    raise InvalidRequest("unknown_action", f"Thao tác “{action}” không tồn tại.")


# --- counters ------------------------------------------------------------------------------------
def _known_counter(counter_id: str) -> str:
    centre().engine.counter_settings(counter_id)  # 404 before 403: say plainly the counter does not exist
    return counter_id


@blueprint.post("/counters/<counter_id>/next")
def call_next(counter_id: str):
    caller = require_counter(_known_counter(counter_id))
    body({})
    ticket = centre().engine.call_next(counter_id, actor=caller.actor)
    return (jsonify(ticket), 200) if ticket else ("", 204)


@blueprint.post("/counters/<counter_id>/call")
def call_specific(counter_id: str):
    caller = require_counter(_known_counter(counter_id))
    data = body({"ticket": (int,), "reason": (str,)}, required=("ticket",))
    return jsonify(centre().engine.call_specific(counter_id, data["ticket"], actor=caller.actor,
                                                 reason=data.get("reason", "")))


@blueprint.post("/counters/<counter_id>/pause", defaults={"paused": True})
@blueprint.post("/counters/<counter_id>/resume", defaults={"paused": False})
def pause_or_resume(counter_id: str, paused: bool):
    caller = require_counter(_known_counter(counter_id))
    body({})
    return jsonify(centre().engine.set_paused(counter_id, paused, actor=caller.actor))


@blueprint.get("/counters/<counter_id>/waiting")
def waiting_list(counter_id: str):
    caller = require("counter", "clerk", "admin", write=False)
    _known_counter(counter_id)  # for admins too: engine.waiting_list assumes a configured counter
    if caller.kind != "admin" and caller.counter != counter_id:
        raise NotAllowed("wrong_counter", f"Bạn đang làm việc ở quầy {caller.counter}, không phải quầy {counter_id}.")
    return jsonify(centre().engine.waiting_list(counter_id))


# --- state, session, documents ------------------------------------------------------------------
@blueprint.get("/state")
def state():
    """Read-only: what any lobby screen shows anyway (numbers and counters, no names); staff callers
    also get the status-page links of the tickets being called (core/publicity.py)."""
    caller = current_caller()
    snapshot = centre().engine.snapshot()
    staff = caller is not None and caller.kind in ("counter", *USER_ROLES)
    return jsonify(snapshot if staff else public_snapshot(snapshot))


def signin_guard() -> SignInGuard:
    return current_app.extensions["xephang_signin"]


@blueprint.record_once
def _set_up(state) -> None:
    centre_of_app = state.app.extensions["xephang"]
    state.app.extensions["xephang_signin"] = SignInGuard(centre_of_app.settings.security, centre_of_app.engine.clock)


@blueprint.post("/session")
def sign_in():
    """Sign in (optionally taking a counter). The password check runs off the event loop, outside any
    transaction, behind the per-address throttle of api/signin_guard.py."""
    refuse_other_sites()
    data = body({"name": (str,), "password": (str,), "counter": (str, int, type(None))},
                required=("name", "password"))
    name, password, address = data["name"], data["password"], request.remote_addr or "unknown"
    counter = str(data["counter"]) if data.get("counter") is not None else None
    if counter is not None:
        _known_counter(counter)  # 404 for a counter that does not exist, before any password work
    guard, store = signin_guard(), centre().store
    guard.admit(name, address)
    with guard.hashing_slot():
        stored = access.password_hash_of(store, name)
        matches = run_blocking(access.password_matches, stored and stored[0], password)
    if not matches:
        if guard.failed(name, address):
            raise Conflict("account_locked", "Tài khoản tạm khóa trên máy này do nhập sai mật khẩu nhiều lần. "
                           f"Thử lại sau {centre().settings.security.signin_lock_minutes} phút.")
        raise Unauthenticated("wrong_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")
    guard.succeeded(name, address)
    if stored[1]:
        raise NotAllowed("account_disabled", "Tài khoản này đã bị khóa. Xin liên hệ quản trị viên.")
    account = access.user(store, name)
    if counter is not None:
        if account["role"] != "clerk":
            raise NotAllowed("forbidden_role", "Chỉ cán bộ một cửa mới nhận quầy.")
        centre().engine.claim_counter(counter, name, actor=f"clerk:{name}")
    start_session(account, counter)
    user = {"name": account["name"], "role": account["role"]}
    return jsonify({"user": user, "counter": counter, "csrf_token": csrf_token()})


@blueprint.get("/session")
def whoami():
    caller = current_caller()
    if caller is None or caller.is_device:
        return jsonify({"user": None, "counter": None, "csrf_token": None})
    return jsonify({"user": {"name": caller.id, "role": caller.kind}, "counter": caller.counter,
                    "csrf_token": csrf_token()})


@blueprint.delete("/session")
def sign_out():
    """Sign out: frees the counter and ends every session of the account (the session version moves on,
    so no copy of this cookie, nor one from another browser, works again)."""
    caller = require(*USER_ROLES)
    if caller.counter:
        centre().engine.release_counter(caller.counter, caller.id, actor=caller.actor)
    access.end_sessions(centre().store, caller.id)
    session.clear()
    return "", 204


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(centre().settings))
