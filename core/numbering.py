"""Ticket numbers: per service, per local day, with the service's prefix, width, first number and daily cap.

The day is the centre's local date (Asia/Ho_Chi_Minh by default), not UTC: at 00:00 local time every
service starts again from its first number. Nothing is deleted at rollover; yesterday's tickets keep
their numbers and the UNIQUE(day, issued_service, sequence_number) constraint keeps them apart.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .errors import Conflict
from .settings import Service


def local_day(moment: datetime, zone: ZoneInfo) -> str:
    """The centre's local date of `moment` as YYYY-MM-DD."""
    return moment.astimezone(zone).date().isoformat()


def next_sequence_number(service: Service, last_issued: int | None, issued_today: int) -> int:
    """The next number for `service` today, or Conflict('daily_cap_reached') when the cap is used up.

    Must be called inside the transaction that inserts the ticket (BEGIN IMMEDIATE), or two
    processes could both read the same `last_issued`.
    """
    if issued_today >= service.daily_cap:
        raise Conflict("daily_cap_reached", "Hết số hôm nay cho thủ tục này. Xin vui lòng quay lại vào ngày làm việc tiếp theo.",
                       service=service.code, daily_cap=service.daily_cap)
    return service.first_number if last_issued is None else last_issued + 1
