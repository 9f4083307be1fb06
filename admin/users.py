"""Người dùng (admin only): list, add, disable/enable, reset password (shown once), unlock, change role.

Users are never deleted (the event log names them): an account is disabled instead. Each change is one
transaction with its admin_* event (store/access.py `event=`); a new password's hash is computed off the
event loop (blocking.run_blocking). The last active admin cannot be disabled or demoted (checked inside
the transaction, so two admins demoting each other at once cannot both win).
"""

from __future__ import annotations

import secrets

from flask import redirect, request, url_for

from api import centre
from api.routes import signin_guard
from blocking import run_blocking
from core.errors import Conflict, NotFound
from store import access

from .console import blueprint, form_data, nav, notice, render, viewer, writer
from .refusals import account_refusal, choice_field, text_field

ROLES = ("admin",)  # who may open this page: user administration is not a manager's (issue 11, "Roles")
GENERATED_PASSWORD_BYTES = 9  # 12 URL-safe characters: easy to type once, changed by nobody but an admin

nav("users", "admin.users_page", roles=ROLES)

WORDS = {
    "vi": {
        "users_title": "Người dùng",
        "users_intro": "Tài khoản không bao giờ bị xóa (nhật ký ghi tên người thao tác): hãy khóa tài khoản "
                       "không còn dùng. Đổi quyền, khóa hoặc đặt lại mật khẩu sẽ đăng xuất người đó ngay.",
        "user_name": "Tên đăng nhập",
        "user_role": "Vai trò",
        "user_state": "Trạng thái",
        "user_created": "Ngày tạo",
        "user_password_changed": "Đổi mật khẩu lần cuối",
        "user_actions": "Thao tác",
        "user_active": "Đang hoạt động",
        "user_disabled": "Đã khóa",
        "user_locked": "Tạm khóa đăng nhập do nhập sai mật khẩu ({count} máy)",
        "add_title": "Thêm người dùng",
        "add_password": "Mật khẩu (để trống: hệ thống tự tạo)",
        "add_submit": "Thêm",
        "change_role": "Đổi quyền",
        "disable": "Khóa tài khoản",
        "enable": "Mở lại tài khoản",
        "reset_password": "Đặt lại mật khẩu",
        "unlock": "Gỡ tạm khóa đăng nhập",
        "password_once": "Mật khẩu của {name}. Chỉ hiển thị một lần: ghi lại và trao tận tay người dùng.",
        "added": "Đã thêm người dùng {name}.",
        "role_changed": "{name} giờ là {role}.",
        "disabled": "Đã khóa tài khoản {name}; mọi phiên đăng nhập của người này đã kết thúc.",
        "enabled": "Đã mở lại tài khoản {name}.",
        "unlocked": "Đã gỡ tạm khóa đăng nhập của {name}.",
    },
    "en": {
        "users_title": "Users",
        "users_intro": "Accounts are never deleted (the log names who did what): disable an account that is no "
                       "longer used. A new role, a disabled account or a new password signs that person out at once.",
        "user_name": "User name",
        "user_role": "Role",
        "user_state": "State",
        "user_created": "Created",
        "user_password_changed": "Password last changed",
        "user_actions": "Actions",
        "user_active": "Active",
        "user_disabled": "Disabled",
        "user_locked": "Sign-in locked after wrong passwords ({count} PC)",
        "add_title": "Add a user",
        "add_password": "Password (leave empty: generated)",
        "add_submit": "Add",
        "change_role": "Change role",
        "disable": "Disable",
        "enable": "Enable",
        "reset_password": "Reset password",
        "unlock": "Lift sign-in lock",
        "password_once": "Password of {name}. Shown only once: write it down and hand it to the user.",
        "added": "User {name} added.",
        "role_changed": "{name} is now {role}.",
        "disabled": "{name} disabled; every session of theirs has ended.",
        "enabled": "{name} enabled again.",
        "unlocked": "Sign-in lock of {name} lifted.",
    },
}


@blueprint.get("/users")
def users_page(password_shown: dict | None = None, status: int = 200):
    viewer(*ROLES)
    locked = signin_guard().locked_names()
    users = [{**row, "locked": locked.get(row["name"], 0)} for row in access.list_users(centre().store)]
    return render("admin/users.html", words_of=WORDS, users=users, roles=access.ROLES,
                  password_shown=password_shown, status=status)


@blueprint.post("/users/add")
def users_add():
    caller = writer(*ROLES)
    data = form_data()
    name = _user_name(data)
    role = choice_field(data, "role", "Vai trò", access.ROLES)
    password = _password(data)
    generated = not password
    password = password or secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    password_hash = run_blocking(access.hash_password, password)
    try:
        access.create_user(centre().store, name, role, password_hash,
                           event=_event(caller, "admin_user_added", name, role=role))
    except access.AccountError as error:
        raise account_refusal(error) from None
    if generated:
        return users_page(password_shown={"name": name, "password": password}, status=201)
    notice("added", name=name)
    return redirect(url_for("admin.users_page"), 303)


@blueprint.post("/users/role")
def users_role():
    caller = writer(*ROLES)
    data = form_data()
    name, account = _existing(data)
    role = choice_field(data, "role", "Vai trò", access.ROLES)
    if role == account["role"]:
        raise Conflict("same_role", "Người dùng đã có vai trò này.")
    _apply(access.set_role, name, role, event=_event(caller, "admin_user_role_changed", name,
                                                      previous_role=account["role"], role=role))
    notice("role_changed", name=name, role_key=f"role_{role}")
    return redirect(url_for("admin.users_page"), 303)


@blueprint.post("/users/disable")
def users_disable():
    return _set_disabled(True)


@blueprint.post("/users/enable")
def users_enable():
    return _set_disabled(False)


def _set_disabled(disabled: bool):
    caller = writer(*ROLES)
    name, account = _existing(form_data())
    if account["disabled"] == disabled:
        raise Conflict("already_disabled" if disabled else "already_enabled",
                       "Tài khoản đã bị khóa từ trước." if disabled else "Tài khoản đang hoạt động.")
    kind = "admin_user_disabled" if disabled else "admin_user_enabled"
    _apply(access.set_disabled, name, disabled, event=_event(caller, kind, name))
    notice("disabled" if disabled else "enabled", name=name)
    return redirect(url_for("admin.users_page"), 303)


@blueprint.post("/users/password")
def users_password():
    """A new random password, shown once on the answer (never stored in clear, never in the log)."""
    caller = writer(*ROLES)
    name, _ = _existing(form_data())
    password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    password_hash = run_blocking(access.hash_password, password)
    _apply(access.set_password_hash, name, password_hash, event=_event(caller, "admin_user_password_reset", name))
    signin_guard().unlock(name)  # a new password is also the way out of a lock
    return users_page(password_shown={"name": name, "password": password})


@blueprint.post("/users/unlock")
def users_unlock():
    """Lift the sign-in locks (api/signin_guard.py, in memory) of a name; logged like every change."""
    caller = writer(*ROLES)
    name, _ = _existing(form_data())
    with centre().store.transaction() as tx:
        tx.append_event(**_event(caller, "admin_user_unlocked", name))
    signin_guard().unlock(name)
    notice("unlocked", name=name)
    return redirect(url_for("admin.users_page"), 303)


def _user_name(data) -> str:
    name = text_field(data, "name", "Tên đăng nhập", max_length=64)
    if not name.isprintable() or any(char.isspace() for char in name):
        from core.errors import InvalidRequest
        raise InvalidRequest("name_invalid", "Tên đăng nhập không được có dấu cách hay ký tự điều khiển.", field="name")
    return name


def _password(data) -> str:
    password = data.get("password", "")
    if not isinstance(password, str) or not password:
        return ""
    if len(password) < access.MIN_PASSWORD_LENGTH or len(password) > 128:
        from core.errors import InvalidRequest
        raise InvalidRequest("password_length", f"Mật khẩu cần từ {access.MIN_PASSWORD_LENGTH} đến 128 ký tự.",
                             field="password")
    return password


def _existing(data) -> tuple[str, dict]:
    name = data.get("name", "")
    account = access.user(centre().store, name) if isinstance(name, str) and name else None
    if account is None:
        raise NotFound("no_such_user", "Không có người dùng này.", field="name")
    return name, account


def _apply(change, *args, **kwargs) -> None:
    try:
        change(centre().store, *args, **kwargs)
    except access.AccountError as error:
        raise account_refusal(error) from None


def _event(caller, kind: str, name: str, **details) -> dict:
    """The admin_* event of a user change: who did it, whose account, what changed (never a password)."""
    return {"at": centre().engine.clock.now(), "actor": caller.actor, "kind": kind,
            "details": {"user": name, **details}}
