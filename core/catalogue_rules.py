"""Checks for what the admin console edits: one Vietnamese message per field, nothing written on refusal.

Each `check_*` takes the centre as it is now (Settings, already merged with the overlay) and what the
console sent, and returns the record to store, or raises FieldErrors naming every wrong field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

from .config_reader import IDENTIFIER
from .errors import InvalidRequest
from .settings import WEEKDAYS, Settings

NAME_MAX = 200          # the longest thủ tục names of the national catalogue are ~150 characters
NOTE_MAX = 200
EXCEPTION_KINDS = ("holiday", "workday", "short")
WEEKDAY_NAMES_VI = dict(zip(WEEKDAYS, ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")))
# The console's policy fields: name → (Vietnamese label, minimum, maximum, number type).
POLICY_FIELDS = {
    "max_recalls": ("Số lần gọi lại tối đa", 0, 20, int),
    "priority_streak": ("Số lượt ưu tiên liên tiếp", 1, 100, int),
    "no_show_return_minutes": ("Thời gian cho phép quay lại sau khi vắng mặt (phút)", 0, 24 * 60, int),
    "default_service_minutes": ("Thời gian phục vụ mặc định (phút)", 0.5, 8 * 60, float),
    "wait_target_minutes": ("Mục tiêu thời gian chờ (phút)", 1, 24 * 60, int),
    "long_service_minutes": ("Giới hạn thời gian phục vụ một hồ sơ (phút)", 1, 24 * 60, int),
}


class FieldErrors(InvalidRequest):
    """A refused console change: `fields` maps each wrong field to its Vietnamese message."""

    def __init__(self, fields: dict[str, str]):
        first = next(iter(fields.values()))
        super().__init__("invalid_fields", first, fields=dict(fields))
        self.fields = dict(fields)


class _Collector:
    """Gathers per-field messages so the form shows every problem at once."""

    def __init__(self, data: dict):
        self.data, self.errors = data if isinstance(data, dict) else {}, {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, label: str, *, required=True, maximum=NAME_MAX) -> str:
        value = self.data.get(field, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, f"{label}: phải là chữ.")
            return ""
        value = unicodedata.normalize("NFC", value.strip())
        if required and not value:
            self.fail(field, f"{label}: không được để trống.")
        elif len(value) > maximum:
            self.fail(field, f"{label}: tối đa {maximum} ký tự (đang có {len(value)}).")
        elif any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            self.fail(field, f"{label}: có ký tự điều khiển không hợp lệ.")
        return value  # HTML is kept as typed and always shown as text (templates escape, scripts use textContent)

    def integer(self, field: str, label: str, minimum: int, maximum: int) -> int:
        value = self.data.get(field)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"{label}: phải là số nguyên.")
            return minimum
        if not minimum <= value <= maximum:
            self.fail(field, f"{label}: phải từ {minimum} đến {maximum}.")
        return value

    def number(self, field: str, label: str, minimum: float, maximum: float) -> float:
        value = self.data.get(field)
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "."))
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            self.fail(field, f"{label}: phải là một số.")
            return minimum
        if not minimum <= value <= maximum:
            self.fail(field, f"{label}: phải từ {minimum:g} đến {maximum:g}.")
        return float(value)

    def boolean(self, field: str, label: str) -> bool:
        value = self.data.get(field, False)
        if not isinstance(value, bool):
            self.fail(field, f"{label}: phải là có hoặc không.")
            return False
        return value

    def unknown(self, allowed) -> None:
        for field in self.data:
            if field not in allowed:
                self.fail(field, f"Trường “{str(field)[:40]}” không được hỗ trợ.")

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


def check_group(settings: Settings, data: dict, group_id: str | None) -> tuple[str, dict]:
    """A lĩnh vực: new (group_id None: `id` in data) or an edit of `group_id`. Returns (id, record)."""
    c = _Collector(data)
    c.unknown(("id", "name", "name_en") if group_id is None else ("name", "name_en"))
    if group_id is None:
        group_id = c.text("id", "Mã lĩnh vực", maximum=32)
        if group_id and not IDENTIFIER.match(group_id):
            c.fail("id", "Mã lĩnh vực: chỉ gồm chữ cái không dấu, chữ số, “-”, “_”, “.” (tối đa 32).")
        elif group_id in settings.groups:
            c.fail("id", f"Mã lĩnh vực “{group_id}” đã có.")
    record = {"name": c.text("name", "Tên lĩnh vực"), "name_en": c.text("name_en", "Tên tiếng Anh", required=False)}
    c.done()
    return group_id, record


SERVICE_FIELDS = ("name", "name_en", "group", "prefix", "width", "first_number", "daily_cap")


def check_service(settings: Settings, data: dict, code: str | None) -> tuple[str, dict]:
    """A thủ tục: new (code None: `code` in data) or an edit of `code`. Returns (code, whole record)."""
    c = _Collector(data)
    c.unknown(SERVICE_FIELDS + (("code",) if code is None else ()))
    current = settings.services.get(code) if code else None
    if code is None:
        code = c.text("code", "Mã thủ tục", maximum=32)
        if code and not IDENTIFIER.match(code):
            c.fail("code", "Mã thủ tục: chỉ gồm chữ cái không dấu, chữ số, “-”, “_”, “.” (tối đa 32).")
        elif code in settings.services:
            c.fail("code", f"Mã thủ tục “{code}” đã có (kể cả thủ tục đã ngừng tiếp nhận).")
    record = {
        "name": c.text("name", "Tên thủ tục"),
        "name_en": c.text("name_en", "Tên tiếng Anh", required=False),
        "group": c.text("group", "Lĩnh vực", maximum=32),
        "prefix": c.text("prefix", "Tiền tố", required=False, maximum=2),
        "width": c.integer("width", "Số chữ số", 1, 6),
        "first_number": c.integer("first_number", "Số bắt đầu", 0, 999_999),
        "daily_cap": c.integer("daily_cap", "Số phiếu tối đa mỗi ngày", 1, 999_999),
        "retired": current.retired if current else False,
    }
    if record["group"] and record["group"] not in settings.groups:
        c.fail("group", f"Lĩnh vực “{record['group']}” không tồn tại.")
    if not re.fullmatch(r"[A-Z]{0,2}", record["prefix"]) and "prefix" not in c.errors:
        c.fail("prefix", "Tiền tố: 0–2 chữ in hoa không dấu (A, B, KS…).")
    if "daily_cap" not in c.errors and "first_number" not in c.errors and "width" not in c.errors:
        last = record["first_number"] + record["daily_cap"] - 1
        if len(str(last)) > record["width"]:
            c.fail("width", f"Số chữ số: {record['width']} chữ số không đủ cho số {last} "
                   "(số bắt đầu + số phiếu tối đa − 1).")
        elif "prefix" not in c.errors:
            _check_range(c, settings, code, record, last)
    c.done()
    return code, record


def _check_range(c: _Collector, settings: Settings, code: str, record: dict, last: int) -> None:
    """Two thủ tục with one prefix must not print the same number on one day."""
    for other in settings.services.values():
        if other.code == code or other.prefix != record["prefix"]:
            continue
        other_last = other.first_number + other.daily_cap - 1
        if record["first_number"] <= other_last and other.first_number <= last:
            shown = record["prefix"] or "(không tiền tố)"
            c.fail("prefix", f"Tiền tố {shown} với dải số {record['first_number']}–{last} trùng dải số "
                   f"{other.first_number}–{other_last} của thủ tục “{other.name}”. Hãy đổi tiền tố hoặc số bắt đầu.")
            return


def check_counter(settings: Settings, counter_id: str, data: dict) -> dict:
    """A quầy's name, thủ tục served and priority flag. Returns the whole record."""
    c = _Collector(data)
    c.unknown(("name", "services", "priority"))
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        c.fail("services", "Thủ tục phục vụ: phải là một danh sách mã thủ tục.")
        services = []
    elif not services:
        c.fail("services", "Thủ tục phục vụ: một quầy phải phục vụ ít nhất một thủ tục.")
    else:
        unknown = [s for s in services if s not in settings.services]
        if unknown:
            c.fail("services", f"Thủ tục phục vụ: không có thủ tục “{unknown[0][:40]}”.")
        elif len(set(services)) != len(services):
            c.fail("services", "Thủ tục phục vụ: có thủ tục bị chọn hai lần.")
    record = {"name": c.text("name", "Tên quầy", maximum=80), "services": list(services),
              "priority": c.boolean("priority", "Quầy ưu tiên")}
    c.done()
    return record


def parse_session_text(text: str) -> tuple[time, time] | None:
    """"07:30-11:30" (or with an en dash) as (start, end), or None when malformed or start ≥ end."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*", text or "")
    if not match:
        return None
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        return None
    start, end = time(h1, m1), (time.max if h2 == 24 else time(h2, m2))
    return (start, end) if start < end else None


def session_text(session: tuple[time, time]) -> str:
    start, end = session
    return f"{start:%H:%M}-{'24:00' if end == time.max else f'{end:%H:%M}'}"


def _sessions(c: _Collector, field: str, label: str, value) -> list[str]:
    """A list of "HH:MM-HH:MM" sessions, well formed, sorted and not overlapping."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.fail(field, f"{label}: phải là danh sách ca dạng “07:30-11:30”.")
        return []
    parsed = []
    for text in value:
        session = parse_session_text(text)
        if session is None:
            c.fail(field, f"{label}: “{text[:20]}” không đúng dạng “07:30-11:30” (giờ bắt đầu trước giờ kết thúc).")
            return []
        parsed.append(session)
    parsed.sort()
    for (s1, e1), (s2, e2) in zip(parsed, parsed[1:]):
        if s2 < e1:
            c.fail(field, f"{label}: các ca {session_text((s1, e1))} và {session_text((s2, e2))} chồng lên nhau.")
            return []
    return [session_text(session) for session in parsed]


def check_weekly(data: dict) -> dict:
    """The weekly sessions {mon: ["07:30-11:30", …], …}; a day left out or empty is closed."""
    c = _Collector(data)
    c.unknown(WEEKDAYS)
    record = {day: _sessions(c, day, WEEKDAY_NAMES_VI[day], c.data.get(day, [])) for day in WEEKDAYS}
    c.done()
    return record


def check_exception(data: dict, today: date) -> tuple[str, dict]:
    """A dated exception: a holiday, a làm bù working day, or a day closing early. Returns (date, record)."""
    c = _Collector(data)
    c.unknown(("day", "kind", "sessions", "note", "note_en"))
    text = c.data.get("day")
    day = None
    try:
        day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        c.fail("day", "Ngày: phải có dạng YYYY-MM-DD (ví dụ 2027-01-01).")
    elif day < today:
        c.fail("day", f"Ngày {day:%d/%m/%Y} đã qua: không thể đặt lịch cho ngày trong quá khứ.")
    kind = c.data.get("kind")
    if kind not in EXCEPTION_KINDS:
        c.fail("kind", "Loại ngày: chọn nghỉ lễ, làm bù hoặc về sớm.")
    sessions = _sessions(c, "sessions", "Ca làm việc", c.data.get("sessions", []))
    if kind == "holiday" and sessions:
        c.fail("sessions", "Ca làm việc: ngày nghỉ lễ không có ca làm việc.")
    if kind in ("workday", "short") and not sessions and "sessions" not in c.errors:
        c.fail("sessions", "Ca làm việc: ngày làm bù hoặc về sớm cần ít nhất một ca.")
    record = {"kind": kind, "sessions": sessions, "note": c.text("note", "Ghi chú", required=kind == "holiday",
                                                                  maximum=NOTE_MAX),
              "note_en": c.text("note_en", "Ghi chú tiếng Anh", required=False, maximum=NOTE_MAX)}
    c.done()
    return day.isoformat(), record


def check_closure(settings: Settings, code: str, data: dict) -> dict:
    """Closing a thủ tục for today needs a reason the kiosk shows."""
    c = _Collector(data)
    c.unknown(("reason", "reason_en"))
    record = {"reason": c.text("reason", "Lý do tạm dừng", maximum=NOTE_MAX),
              "reason_en": c.text("reason_en", "Lý do (tiếng Anh)", required=False, maximum=NOTE_MAX)}
    c.done()
    return record


def check_policy(data: dict) -> dict:
    """The console's policy values (every field of POLICY_FIELDS, all at once)."""
    c = _Collector(data)
    c.unknown(POLICY_FIELDS)
    record = {}
    for name, (label, low, high, kind) in POLICY_FIELDS.items():
        record[name] = (c.integer(name, label, low, high) if kind is int else c.number(name, label, low, high))
    c.done()
    return record
