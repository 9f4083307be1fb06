"""What a citizen would get by taking a number now, per service: the kiosk shows it before the tap.

For each service: how many wait, how many people a new normal ticket would have ahead of it and the
estimated wait (the same forward simulation as every waiting ticket, core/waits.py: the figures the
ticket prints if nothing changes before the tap), and whether a number can be issued at all — the
refusals of core/availability.py (holiday, closed today by the console, "closed" outside opening hours),
"daily_cap_reached" when today's numbers are used up. The kiosk greys those out with the reason instead
of letting an elderly citizen tap and be refused.
"""

from __future__ import annotations

from . import lifecycle
from .availability import refusal


def service_outlook(engine, codes) -> dict[str, dict]:
    """{code: {waiting, people_ahead, eta_minutes, eta_low, eta_high, available, reason, reason_note,
    reason_note_en}} for the services in `codes`."""
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
        for code in codes:
            service = settings.services[code]
            _, issued_today = tx.last_sequence_number(day, code)
            wait = engine.newcomer_estimate(tx, code, now)
            refused = refusal(settings, service, local)
            reason = refused.code if refused else "daily_cap_reached" if issued_today >= service.daily_cap else None
            outlook[code] = {
                "waiting": waiting[code], "people_ahead": wait["ahead"], "eta_minutes": wait["minutes"],
                "eta_low": wait["low"], "eta_high": wait["high"], "available": reason is None, "reason": reason,
                # The holiday's name or the console's reason for closing, shown under the greyed-out card.
                "reason_note": refused.note if refused else "", "reason_note_en": refused.note_en if refused else "",
            }
    return outlook
