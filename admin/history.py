"""Nhật ký thay đổi (manager, admin): every change made from the console or the command line, newest
first, filtered by kind and by who made it, paged by seq (a page never shifts when new changes arrive).

What counts as a change: every event whose kind starts with `admin_`, plus the kinds in ALSO_SHOWN
(changes whose event other screens already follow under their own name, like a display notice). A page
module names its kinds for people with `label(kind, vi, en)`; an unnamed kind shows as its code.
"""

from __future__ import annotations

import json
from datetime import datetime

from flask import request

from api import centre
from core.errors import InvalidRequest
from i18n import language

from .console import CONSOLE_ROLES, blueprint, nav, render, viewer

PAGE_SIZE = 50
ALSO_SHOWN = {"notice_changed"}
LABELS: dict[str, dict[str, str]] = {}

nav("history", "admin.history_page", roles=CONSOLE_ROLES)


def label(kind: str, vi: str, en: str) -> None:
    """Name an event kind in the change log (Vietnamese, English)."""
    LABELS[kind] = {"vi": vi, "en": en}


def also_show(kind: str) -> None:
    """Show a kind that does not start with admin_ in the change log (a console change logged under the
    name its screens already follow)."""
    ALSO_SHOWN.add(kind)


for _kind, _vi, _en in (
        ("admin_user_added", "Thêm người dùng", "User added"),
        ("admin_user_role_changed", "Đổi quyền người dùng", "Role changed"),
        ("admin_user_disabled", "Khóa tài khoản", "User disabled"),
        ("admin_user_enabled", "Mở lại tài khoản", "User enabled"),
        ("admin_user_password_reset", "Đặt lại mật khẩu", "Password reset"),
        ("admin_user_unlocked", "Gỡ tạm khóa đăng nhập", "Sign-in lock lifted"),
        ("admin_device_paired", "Ghép thiết bị", "Device paired"),
        ("admin_device_repaired", "Ghép lại thiết bị", "Device re-paired"),
        ("admin_device_revoked", "Thu hồi mã thiết bị", "Device token revoked"),
        ("notice_changed", "Đổi thông báo màn hình", "Display notice changed")):
    label(_kind, _vi, _en)

WORDS = {
    "vi": {
        "history_title": "Nhật ký thay đổi",
        "history_intro": "Mọi thay đổi từ trang quản trị và dòng lệnh, mới nhất trước. Nhật ký chỉ được ghi thêm, "
                         "không sửa, không xóa.",
        "history_kind": "Loại thay đổi",
        "history_actor": "Người thực hiện",
        "history_all": "— Tất cả —",
        "history_filter": "Lọc",
        "history_at": "Thời điểm",
        "history_details": "Chi tiết",
        "history_empty": "Không có thay đổi nào.",
        "history_older": "Cũ hơn →",
        "history_newest": "← Mới nhất",
    },
    "en": {
        "history_title": "Change log",
        "history_intro": "Every change made from the console and the command line, newest first. The log is only "
                         "ever appended to.",
        "history_kind": "Kind of change",
        "history_actor": "Made by",
        "history_all": "— All —",
        "history_filter": "Filter",
        "history_at": "When",
        "history_details": "Details",
        "history_empty": "No changes.",
        "history_older": "Older →",
        "history_newest": "← Newest",
    },
}


def _change_filter() -> tuple[str, list]:
    """SQL for "a change" (the admin_ prefix as a range, so the events_kind index serves it)."""
    shown = sorted(ALSO_SHOWN)
    marks = ", ".join("?" for _ in shown)
    return f"((kind >= 'admin_' AND kind < 'admin`') OR kind IN ({marks}))", shown


def changes(store, *, kind: str = "", actor: str = "", before: int | None = None,
            limit: int = PAGE_SIZE) -> list[dict]:
    """Up to `limit` changes, newest first, older than seq `before`, of `kind` / by `actor` when given."""
    where, values = _change_filter()
    if kind:
        where, values = where + " AND kind = ?", [*values, kind]
    if actor:
        where, values = where + " AND actor = ?", [*values, actor]
    if before is not None:
        where, values = where + " AND seq < ?", [*values, before]
    with store.read() as tx:
        rows = tx.connection.execute(
            f"SELECT seq, at, actor, kind, details FROM events WHERE {where} ORDER BY seq DESC LIMIT ?",
            (*values, limit)).fetchall()
    return [{**dict(row), "details": json.loads(row["details"] or "{}")} for row in rows]


def _choices(store) -> tuple[list[str], list[str]]:
    """The kinds and the actors that occur among the changes (the filters' choices)."""
    where, values = _change_filter()
    with store.read() as tx:
        kinds = [r[0] for r in tx.connection.execute(f"SELECT DISTINCT kind FROM events WHERE {where} ORDER BY kind",
                                                     values)]
        actors = [r[0] for r in tx.connection.execute(
            f"SELECT DISTINCT actor FROM events WHERE {where} ORDER BY actor", values)]
    return kinds, actors


@blueprint.get("/history")
def history_page():
    viewer(*CONSOLE_ROLES)
    kind, actor = request.args.get("kind", ""), request.args.get("actor", "")
    before = request.args.get("before", "")
    if before and not before.isdigit():
        raise InvalidRequest("before_invalid", "Tham số “before” phải là một số thứ tự sự kiện.", field="before")
    store, lang, zone = centre().store, language(), centre().settings.centre.timezone
    rows = changes(store, kind=kind, actor=actor, before=int(before) if before else None, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for row in rows:
        row["label"] = LABELS.get(row["kind"], {}).get(lang, row["kind"])
        row["local"] = datetime.fromisoformat(row["at"]).astimezone(zone).strftime("%H:%M:%S %d/%m/%Y")
        row["details_text"] = "; ".join(f"{key}: {_shown(value)}" for key, value in row["details"].items())
    kinds, actors = _choices(store)
    return render("admin/history.html", words_of=WORDS, rows=rows, kind=kind, actor=actor,
                  kinds=[(k, LABELS.get(k, {}).get(lang, k)) for k in kinds], actors=actors,
                  older=rows[-1]["seq"] if more else None, paged=bool(before))


def _shown(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value is None or value == "" else str(value)
