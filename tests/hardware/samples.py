"""Sample tickets and short timeouts shared by the printer tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hardware.ticket_image import TicketPrint

VIETNAM = timezone(timedelta(hours=7), "ICT")

# Short timeouts keep the "no answer" and "refused" tests fast; production uses 3 s / 1 s.
FAST_TIMEOUTS = {"connect_timeout": 1.0, "status_timeout": 0.3}


def make_ticket(**changes) -> TicketPrint:
    """A realistic ticket; pass keyword arguments to change any field."""
    values = dict(
        centre_name="Trung tâm Phục vụ hành chính công tỉnh Thừa Thiên Huế",
        number="A1023",
        service_name="Cấp đổi giấy phép lái xe",
        people_ahead=12,
        eta_minutes=35,
        issued_at=datetime(2026, 11, 23, 8, 5, tzinfo=VIETNAM),
        status_url="http://192.168.1.10:8000/t/2026-11-23/A1023?k=3f9a2c",
        priority_label=None,
    )
    values.update(changes)
    return TicketPrint(**values)
