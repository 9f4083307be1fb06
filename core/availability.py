"""Whether a thủ tục takes a number right now, and if not, why: one answer for the kiosk and the engine.

In order: a retired thủ tục takes none; a holiday (ngày nghỉ lễ) set in the console refuses every
thủ tục all day, also when `hours.enforce` is off (a manager who enters a holiday means it; enforce is
about the weekly clock, and the demo turns it off to work in the evening); a thủ tục closed for today
in the console refuses with its reason; outside that day's sessions (weekly, or the day's exception)
refuses when `hours.enforce` is on. The daily cap is the numbering's own rule (core/numbering.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .catalogue_rules import session_text
from .settings import Service, Settings


@dataclass(frozen=True)
class Refusal:
    code: str          # service_retired | holiday | service_closed | closed
    message: str       # Vietnamese, for the citizen
    note: str = ""     # what the console typed (holiday name, closing reason), Vietnamese
    note_en: str = ""


def refusal(settings: Settings, service: Service, local: datetime) -> Refusal | None:
    """Why `service` takes no number at local time `local`, or None when it does."""
    if service.retired:
        return Refusal("service_retired", "Thủ tục này đã ngừng tiếp nhận hồ sơ tại trung tâm.")
    holiday = settings.hours.holiday_on(local.date())
    if holiday is not None:
        return Refusal("holiday", f"Hôm nay trung tâm nghỉ: {holiday.note}. Xin vui lòng quay lại vào ngày "
                       "làm việc tiếp theo.", holiday.note, holiday.note_en)
    closed = settings.closures.get(local.date().isoformat(), {}).get(service.code)
    if closed is not None:
        return Refusal("service_closed", f"Thủ tục này tạm dừng tiếp nhận hôm nay: {closed[0]}",
                       closed[0], closed[1])
    if settings.hours.enforce and not settings.hours.is_open_at(local):
        return Refusal("closed", "Ngoài giờ làm việc. Xin vui lòng quay lại trong giờ làm việc.")
    return None


def calendar_view(settings: Settings, local: datetime, days_ahead: int = 45) -> dict:
    """Today's sessions and exception, and the next exceptions: what kiosks and displays show."""
    today = local.date()
    exception = settings.hours.exceptions.get(today.isoformat())

    def shown(item):
        return {"day": item.day, "kind": item.kind, "note": item.note, "note_en": item.note_en,
                "sessions": [session_text(s) for s in item.sessions]}

    upcoming = [shown(item) for key, item in sorted(settings.hours.exceptions.items())
                if today.isoformat() < key and (datetime.fromisoformat(key).date() - today).days <= days_ahead]
    return {"day": today.isoformat(), "sessions": [session_text(s) for s in settings.hours.sessions_on(today)],
            "today": shown(exception) if exception else None, "upcoming": upcoming[:3]}
