"""Thiết bị (admin only): every kiosk, counter, display (and any kind store/access.py DEVICE_KINDS gains)
with its pairing state, last request, printer and scanner state; pair, re-pair, revoke.

A token is shown once, with a QR code of its pairing address for screens that pair themselves from their
address (PAIRING_PAGES), and kept only as a hash. Re-pair revokes the old token in the same transaction
as the new one is made; a revoked token is refused at once, its open socket included (realtime.py
watches store/access.py credentials_marker). Each change is one transaction with its admin_* event.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timezone

from flask import current_app, redirect, url_for

from api import centre
from blocking import run_blocking
from core.errors import Conflict, InvalidRequest, NotFound
from kiosk.status import qr_svg  # the same QR drawing as the phones' status links
from store import access

from .console import blueprint, form_data, nav, notice, render, viewer, writer

ROLES = ("admin",)  # device administration is not a manager's (issue 11, "Roles")
DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# The address a screen of this kind pairs itself from, given its id and new token. A kind without an entry
# (a counter's call button, a display) is given its token only; the QR then holds the token itself.
PAIRING_PAGES = {
    "kiosk": lambda device_id, token: url_for("kiosk.screen", kiosk_id=device_id, token=token, _external=True),
}

nav("devices", "admin.devices_page", roles=ROLES)

WORDS = {
    "vi": {
        "devices_title": "Thiết bị",
        "devices_intro": "Mỗi thiết bị dùng một mã riêng. Mã chỉ hiển thị một lần khi ghép; ghép lại sẽ thu hồi "
                         "mã cũ ngay lập tức (kể cả kết nối đang mở).",
        "kind_kiosk": "Ki-ốt lấy số",
        "kind_counter": "Quầy",
        "kind_display": "Màn hình",
        "kind_rating": "Thiết bị đánh giá",
        "device_id": "Mã thiết bị",
        "device_name": "Tên",
        "device_state": "Ghép nối",
        "device_seen": "Hoạt động gần nhất",
        "device_hardware": "Máy in / máy quét",
        "device_actions": "Thao tác",
        "paired": "Đã ghép",
        "not_paired": "Chưa ghép",
        "revoked": "Đã thu hồi",
        "paired_at": "ghép lúc",
        "never_seen": "chưa thấy từ khi khởi động máy chủ",
        "not_configured": "không còn trong config.toml",
        "pair": "Ghép",
        "repair": "Ghép lại",
        "revoke": "Thu hồi",
        "pair_other": "Ghép thiết bị khác",
        "token_once": "Mã của {kind} {id}. Chỉ hiển thị một lần.",
        "pairing_url": "Địa chỉ ghép (mở trên thiết bị hoặc quét mã QR):",
        "token_only": "Nhập mã này vào thiết bị (mã QR chứa chính mã này).",
        "qr_alt": "Mã QR để ghép thiết bị",
        "revoked_notice": "Đã thu hồi mã của {kind} {id}.",
        "printer": "Máy in",
        "scanners": "Máy quét",
        "status_ok": "sẵn sàng",
        "scanner_connected": "đã kết nối",
        "scanner_disconnected": "mất kết nối",
        "scanner_starting": "đang khởi động",
        "scanner_stopped": "đã dừng",
    },
    "en": {
        "devices_title": "Devices",
        "devices_intro": "Each device has its own token. A token is shown once, when it is paired; re-pairing "
                         "revokes the old token at once (open connections included).",
        "kind_kiosk": "Kiosk",
        "kind_counter": "Counter",
        "kind_display": "Display",
        "kind_rating": "Rating device",
        "device_id": "Device id",
        "device_name": "Name",
        "device_state": "Pairing",
        "device_seen": "Last request",
        "device_hardware": "Printer / scanner",
        "device_actions": "Actions",
        "paired": "Paired",
        "not_paired": "Not paired",
        "revoked": "Revoked",
        "paired_at": "paired",
        "never_seen": "not seen since the server started",
        "not_configured": "no longer in config.toml",
        "pair": "Pair",
        "repair": "Re-pair",
        "revoke": "Revoke",
        "pair_other": "Pair another device",
        "token_once": "Token of {kind} {id}. Shown only once.",
        "pairing_url": "Pairing address (open it on the device or scan the QR code):",
        "token_only": "Enter this token on the device (the QR code holds the token itself).",
        "qr_alt": "QR code to pair the device",
        "revoked_notice": "Token of {kind} {id} revoked.",
        "printer": "Printer",
        "scanners": "Scanners",
        "status_ok": "ready",
        "scanner_connected": "connected",
        "scanner_disconnected": "disconnected",
        "scanner_starting": "starting",
        "scanner_stopped": "stopped",
    },
}


def configured(kind: str) -> dict | None:
    """The devices of this kind in config.toml ({id: settings with .name}), or None for a kind config.toml
    does not list (its ids are then whatever the admin pairs)."""
    devices = getattr(centre().settings, f"{kind}s", None)
    return devices if isinstance(devices, dict) else None


@blueprint.get("/devices")
def devices_page(shown: dict | None = None, status: int = 200):
    viewer(*ROLES)
    return render("admin/devices.html", words_of=WORDS, groups=_device_groups(), shown=shown, status=status)


@blueprint.post("/devices/pair")
def devices_pair():
    return _pair(replace=False)


@blueprint.post("/devices/repair")
def devices_repair():
    return _pair(replace=True)


@blueprint.post("/devices/revoke")
def devices_revoke():
    caller = writer(*ROLES)
    kind, device_id = _device(form_data(), must_be_configured=False)
    count = access.revoke_device(centre().store, kind, device_id,
                                 event=_event(caller, "admin_device_revoked", kind, device_id))
    if not count:
        raise Conflict("not_paired", "Thiết bị này không có mã nào đang hoạt động.")
    notice("revoked_notice", kind_key=f"kind_{kind}", id=device_id)
    return redirect(url_for("admin.devices_page"), 303)


def _pair(*, replace: bool):
    caller = writer(*ROLES)
    kind, device_id = _device(form_data(), must_be_configured=True)
    kind_of_event = "admin_device_repaired" if replace else "admin_device_paired"
    try:
        token = access.add_device(centre().store, kind, device_id, replace=replace,
                                  event=_event(caller, kind_of_event, kind, device_id))
    except access.AccountError as error:
        from .refusals import account_refusal
        raise account_refusal(error) from None
    page = PAIRING_PAGES.get(kind)
    url = page(device_id, token) if page else None
    svg = run_blocking(qr_svg, url or token)  # CPU work: off the event loop
    shown = {"kind": kind, "id": device_id, "token": token, "url": url,
             "qr": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()}
    return devices_page(shown=shown, status=201)


def _device(data, *, must_be_configured: bool) -> tuple[str, str]:
    kind, device_id = data.get("kind", ""), data.get("id", "")
    if kind not in access.DEVICE_KINDS:
        raise InvalidRequest("kind_invalid", "Loại thiết bị không hợp lệ.", field="kind")
    if not isinstance(device_id, str) or not DEVICE_ID.match(device_id):
        raise InvalidRequest("id_invalid", "Mã thiết bị gồm 1–64 chữ cái không dấu, chữ số, “.”, “_” hoặc “-”.",
                             field="id")
    known = configured(kind)
    if must_be_configured and known is not None and device_id not in known:
        raise NotFound("unknown_device", f"Không có thiết bị “{device_id}” loại này trong config.toml.", field="id")
    return kind, device_id


def _device_groups() -> list[dict]:
    """Per kind, in DEVICE_KINDS order: each device (configured or paired once) with its state."""
    store = centre().store
    tokens = {(row["kind"], row["device_id"]): row for row in access.list_devices(store)}
    seen = access.devices_seen(store)
    zone = centre().settings.centre.timezone
    groups = []
    for kind in access.DEVICE_KINDS:
        known = configured(kind)
        ids = list(known or {}) + sorted(i for k, i in tokens if k == kind and i not in (known or {}))
        rows = []
        for device_id in ids:
            token = tokens.get((kind, device_id))
            state = "not_paired" if token is None else "paired" if token["live_tokens"] else "revoked"
            last = seen.get((kind, device_id))
            rows.append({
                "id": device_id, "name": getattr((known or {}).get(device_id), "name", ""),
                "configured": known is None or device_id in known, "state": state,
                "paired_at": _local(token["paired_at"], zone) if token else "",
                "seen": datetime.fromtimestamp(last, zone).strftime("%H:%M:%S %d/%m/%Y") if last else "",
                "hardware": _hardware(kind, device_id),
            })
        groups.append({"kind": kind, "devices": rows, "free_ids": known is None})
    return groups


def _hardware(kind: str, device_id: str) -> list[dict]:
    """A kiosk's printer and a counter's scanners as their screens report them ({what, state, ok})."""
    found = []
    printing = current_app.extensions.get("xephang_kiosk")
    if kind == "kiosk" and printing is not None:
        printer = printing.printer_state(device_id)
        found.append({"what": "printer", "state": printer["message"] if not printer["can_print"] else "",
                      "ok": printer["can_print"]})
    scanners = current_app.extensions.get("xephang_scanners")
    if kind == "counter" and scanners is not None:
        found += [{"what": "scanners", "state": f"scanner_{state}", "ok": state == "connected"}
                  for state in scanners.statuses(device_id)]
    return found


def _local(stored: str | None, zone) -> str:
    """A stored UTC time as the centre's local HH:MM dd/mm/yyyy."""
    if not stored:
        return ""
    moment = datetime.fromisoformat(stored)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(zone).strftime("%H:%M %d/%m/%Y")


def _event(caller, kind: str, device_kind: str, device_id: str) -> dict:
    return {"at": centre().engine.clock.now(), "actor": caller.actor, "kind": kind,
            "details": {"device_kind": device_kind, "device": device_id}}
