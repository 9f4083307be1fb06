"""What a citizen would get by taking a number now, per service: the kiosk shows it before the tap.

For each service: how many wait, how many people a new normal ticket would have ahead of it and the
estimated wait (the same forward simulation as every waiting ticket, core/waits.py: the figures the
ticket prints if nothing changes before the tap), and whether a number
can be issued at all — "closed" outside opening hours when hours.enforce is on, "daily_cap_reached"
when today's numbers are used up. The kiosk greys those out with the reason instead of letting an
elderly citizen tap and be refused.
"""

from __future__ import annotations

from . import lifecycle


def service_outlook(engine, codes) -> dict[str, dict]:
    """{code: {waiting, people_ahead, eta_minutes, eta_low, eta_high, available, reason}} for the services in `codes`."""
    settings = engine.settings
    now = engine.clock.now()
    local = now.astimezone(settings.centre.timezone)
    closed = settings.hours.enforce and not settings.hours.is_open(local.isoweekday(), local.time())
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
            reason = "closed" if closed else "daily_cap_reached" if issued_today >= service.daily_cap else None
            outlook[code] = {
                "waiting": waiting[code], "people_ahead": wait["ahead"], "eta_minutes": wait["minutes"],
                "eta_low": wait["low"], "eta_high": wait["high"], "available": reason is None, "reason": reason,
            }
    return outlook
