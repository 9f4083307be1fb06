"""What a citizen would get by taking a number now, per service: the kiosk shows it before the tap.

For each service: how many wait, how many people a new normal ticket would have ahead of it and the
estimated wait (the same rules as core/estimate.py, for a ticket arriving now), and whether a number
can be issued at all — the refusals of core/availability.py (holiday, closed today by the console,
"closed" outside opening hours), "daily_cap_reached" when today's numbers are used up. The kiosk greys
those out with the reason instead of letting an elderly citizen tap and be refused.
"""

from __future__ import annotations

from . import lifecycle
from .availability import refusal
from .estimate import estimate_minutes

# Sorts after every stored arrival time (ISO timestamps): a ticket that has not arrived yet.
_NOT_YET_ARRIVED = "9999"


def service_outlook(engine, codes) -> dict[str, dict]:
    """{code: {waiting, people_ahead, eta_minutes, available, reason}} for the services in `codes`."""
    settings = engine.settings
    now = engine.clock.now()
    local = now.astimezone(settings.centre.timezone)
    outlook = {}
    with engine.store.read() as tx:
        day = engine._today(now)
        waiting = dict.fromkeys(codes, 0)
        for ticket in tx.tickets_of_day(day, lifecycle.CALLABLE):
            if ticket["service"] in waiting:
                waiting[ticket["service"]] += 1
        newcomer = {"id": 0, "day": day, "priority": None, "arrived_at": _NOT_YET_ARRIVED}
        for code in codes:
            service = settings.services[code]
            _, issued_today = tx.last_sequence_number(day, code)
            ahead = tx.count_ahead(newcomer, lifecycle.CALLABLE, engine._pool(code, False))
            minutes = {other: engine._minutes(tx, other, now) for other in ahead}
            refused = refusal(settings, service, local)
            reason = refused.code if refused else "daily_cap_reached" if issued_today >= service.daily_cap else None
            outlook[code] = {
                "waiting": waiting[code], "people_ahead": sum(ahead.values()),
                "eta_minutes": estimate_minutes(ahead, minutes, engine._open_counters(tx, code, False)),
                "available": reason is None, "reason": reason,
                # The holiday's name or the console's reason for closing, shown under the greyed-out card.
                "reason_note": refused.note if refused else "", "reason_note_en": refused.note_en if refused else "",
            }
    return outlook
