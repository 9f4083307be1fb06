"""One ticket's figures for the reports, folded from its events (README, "Reports", for every definition).

A report never reads the tickets table: every figure comes from the append-only event log. This module
turns the events of ONE ticket into one row of facts (times in seconds, final status, where and by whom
it was served, its rating); store/report_facts.py keeps those rows in a summary table so that a year of
tickets is summed without folding a million events again. Pure: no Flask, no SQLite.

Waiting time follows Qmatic: from the issue to the LAST call, so a no-show who comes back and is called
again waited the whole time. A transfer from a counter (called or serving) ends a visit: the next visit's
wait starts at the transfer, and the ticket's wait is the sum over its visits. Only time inside the
centre's opening hours counts as waiting: a ticket issued at 11:20 and called at 13:40 waited 10 + 10
minutes, not 140, because nobody is expected to be served over the lunch break.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from . import events as kinds
from .settings import Hours

# A transfer made while the ticket was at a counter ends the visit; one made while it waited does not.
AT_COUNTER = ("called", "serving")
FINAL_KINDS = {kinds.FINISHED: "done", kinds.NO_SHOW: "no_show", kinds.CANCELLED: "cancelled",
               kinds.EXPIRED: "expired", kinds.RETURNED: "waiting", kinds.TRANSFERRED: "transferred",
               kinds.CALLED: "called", kinds.STARTED: "serving", kinds.ISSUED: "waiting"}
RATED = "rated"  # the ratings' event kind (details: level, levels, reasons, counter, clerk, service, channel)

FACT_COLUMNS = ("ticket_id", "number", "day", "weekday", "hour", "service", "priority", "channel", "status",
                "counter", "clerk", "transfers", "no_shows", "issued_at", "called_at", "started_at",
                "finished_at", "wait", "walk", "service_time", "rating", "rating_levels", "rating_channel")


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def open_seconds(start: datetime, end: datetime, hours: Hours, zone: ZoneInfo) -> float:
    """Seconds between `start` and `end` that fall inside the opening hours (lunch and nights excluded).

    A centre with no opening hours configured at all counts every second (there is nothing to exclude).
    """
    if end <= start:
        return 0.0
    if not any(hours.weekly.values()):
        return (end - start).total_seconds()
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total, day = 0.0, local_start.date()
    while day <= local_end.date():
        for opens, closes in hours.weekly.get(day.isoweekday(), ()):
            session_start = datetime.combine(day, opens, zone)
            session_end = datetime.combine(day, closes, zone)
            overlap = min(session_end, local_end) - max(session_start, local_start)
            if overlap > timedelta(0):
                total += overlap.total_seconds()
        day += timedelta(days=1)
    return total


def actor_name(actor: str | None, kind: str) -> str | None:
    """"clerk:lan" → "lan" for kind "clerk"; None for any other kind of actor."""
    if actor and actor.startswith(kind + ":"):
        return actor[len(kind) + 1:]
    return None


def channel_of(issued: dict) -> str:
    """How the ticket was taken: the issued event's own `channel` if it names one, else "kiosk" for a kiosk's
    ticket and "staff" for one a clerk or admin took for the citizen."""
    channel = (issued.get("details") or {}).get("channel")
    if isinstance(channel, str) and channel:
        return channel
    return "kiosk" if actor_name(issued.get("actor"), "kiosk") is not None else "staff"


def ticket_facts(ticket_events: list[dict], hours: Hours, zone: ZoneInfo, clerk_at=None) -> dict | None:
    """The facts of one ticket from its events in seq order (the first must be `issued`), or None.

    `clerk_at(counter, seq)` names the clerk signed in at a counter when a device (a counter's token, its
    scanner) acted there; without it such a ticket has no clerk unless its rating names one.
    """
    if not ticket_events or ticket_events[0]["kind"] != kinds.ISSUED:
        return None
    issued = ticket_events[0]
    issued_at = _parse(issued["at"])
    local = issued_at.astimezone(zone)
    details = issued.get("details") or {}
    facts = dict.fromkeys(FACT_COLUMNS)
    facts.update(ticket_id=issued["ticket_id"], number=details.get("number"), day=local.date().isoformat(),
                 weekday=local.isoweekday(), hour=local.hour, service=issued["service"],
                 priority=details.get("priority") or "", channel=channel_of(issued), status="waiting",
                 transfers=0, no_shows=0, issued_at=issued["at"])
    state, visit_start, last_call, started, waited, any_call = "waiting", issued_at, None, None, 0.0, False
    for event in ticket_events[1:]:
        kind, at = event["kind"], _parse(event["at"])
        if kind == RATED:
            rating = event.get("details") or {}
            facts.update(rating=rating.get("level"), rating_levels=rating.get("levels"),
                         rating_channel=rating.get("channel"))
            facts["clerk"] = facts["clerk"] or rating.get("clerk")
            continue
        if kind not in FINAL_KINDS:
            continue  # recalls, printing: no figure depends on them
        if kind == kinds.CALLED:
            last_call, any_call, started = at, True, None
            facts.update(counter=event.get("counter"), called_at=event["at"])
            facts["clerk"] = _clerk(event, clerk_at) or facts["clerk"]
        elif kind == kinds.STARTED:
            started = at
            facts.update(started_at=event["at"], walk=(at - last_call).total_seconds() if last_call else None)
        elif kind == kinds.FINISHED:
            facts.update(finished_at=event["at"], counter=event.get("counter") or facts["counter"],
                         service_time=(at - started).total_seconds() if started else None)
            facts["clerk"] = _clerk(event, clerk_at) or facts["clerk"]
        elif kind == kinds.NO_SHOW:
            facts["no_shows"] += 1
        elif kind == kinds.TRANSFERRED:
            facts["transfers"] += 1
            facts["service"] = (event.get("details") or {}).get("to_service") or event.get("service") \
                or facts["service"]
            if state in AT_COUNTER:
                waited += open_seconds(visit_start, last_call, hours, zone) if last_call else 0.0
                visit_start, last_call, started = at, None, None
                facts.update(walk=None, started_at=None)
        elif kind in (kinds.CANCELLED, kinds.EXPIRED):
            facts["finished_at"] = event["at"]
        # A no-show who never came back is expired by the rollover, but counts as a no-show: that is
        # what happened to the citizen (README "Reports").
        if not (kind == kinds.EXPIRED and state == "no_show"):
            state = FINAL_KINDS[kind]
    facts["status"] = state
    if last_call is not None:
        waited += open_seconds(visit_start, last_call, hours, zone)
    facts["wait"] = waited if any_call else None
    return facts


def _clerk(event: dict, clerk_at) -> str | None:
    name = actor_name(event.get("actor"), "clerk")
    if name is None and clerk_at is not None and event.get("counter"):
        name = clerk_at(event["counter"], event["seq"])
    return name


def month_of(day: str) -> str:
    """"2026-11-03" → "2026-11"."""
    return day[:7]


def weekday_of(day: str) -> int:
    """ISO weekday (1 = Monday) of a YYYY-MM-DD date."""
    return date.fromisoformat(day).isoweekday()
