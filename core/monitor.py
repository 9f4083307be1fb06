"""The live monitor of the centre (issue 11 item 4): the day in numbers, and the alerts it raises.

Pure: it is handed today's ticket rows, the counters' stored states, a few times read from the event log
and the devices' last statuses, and returns plain dicts; it reads no clock and no database. The web side
(admin/monitor_hub.py) reads the inputs once per burst of events and pushes the result to every monitor.

Definitions (README, "Monitor and alerts"):
- a ticket **waits since** it was issued; since it came back, for a no-show that returned; since it was
  transferred, for a ticket transferred after it had been called (its first wait ended with that call).
- **longest current wait** of a thủ tục: now − waiting-since of its oldest callable ticket.
- **mean wait today**: first call − issue, over today's tickets called at least once, grouped by the thủ
  tục the citizen asked for (QĐ 468/QĐ-TTg measures this wait per transaction).
- a counter is **calling** (a ticket called, not yet at the desk), **serving**, **paused**, **unstaffed**
  (nobody works there: no clerk's claim and no recent device action, core/staffing.py) or **free**.
- **wait-target breach**: a thủ tục whose longest current wait is past policy.wait_target_minutes; one
  episode lasts while that stays true (one `wait_target_breached` event when it starts, one
  `wait_target_cleared` when it ends). **Long service**: a counter serving one ticket for longer than
  policy.long_service_minutes; one `long_service` event per ticket and counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from . import lifecycle

WAIT_TARGET_BREACHED = "wait_target_breached"
WAIT_TARGET_CLEARED = "wait_target_cleared"
LONG_SERVICE = "long_service"
ALERT_EVENTS = (WAIT_TARGET_BREACHED, WAIT_TARGET_CLEARED, LONG_SERVICE)

FREE, CALLING, SERVING, PAUSED, UNSTAFFED = "free", "calling", "serving", "paused", "unstaffed"
COUNTER_STATE_NAMES_VI = {FREE: "Sẵn sàng", CALLING: "Đang gọi", SERVING: "Đang phục vụ", PAUSED: "Tạm nghỉ",
                          UNSTAFFED: "Không có cán bộ"}
# Printer statuses that mean tickets come out badly or not at all (paper near end is a warning, shown too).
FAILING_PRINTER = ("paper_near_end", "paper_out", "cover_open", "offline", "unreachable")
FAILING_SCANNER = ("disconnected",)


@dataclass(frozen=True)
class MonitorInput:
    """What one computation of the monitor needs (store/monitor_queries.py counts it in SQLite); every stamp
    is a stored UTC ISO-8601 string."""
    now: datetime
    day: str
    seq: int
    issued: dict[str, int]                    # thủ tục asked for → numbers issued today
    statuses: dict[tuple[str, str], int]      # (thủ tục now, status) → tickets of today
    oldest: dict[str, dict]                   # thủ tục → its longest-waiting ticket {id, number, since}
    transferred: list[dict]                   # tickets transferred after a call {id, number, service, since}
    first_call_waits: dict[str, tuple[int, float]]  # thủ tục asked for → (first calls today, Σ seconds waited)
    counter_states: dict[str, dict]           # counter id → stored state (current_ticket, paused, clerk, …)
    current: dict[int, dict]                  # the counters' current tickets by id
    staffed: dict[str, bool]                  # counter id → someone works there now (core/staffing.py)
    counter_since: dict[str, str]             # counter id → its last event today (how long free/paused)
    devices: list[dict]                       # {kind: printer|scanner, id, name, status, message}


def seconds_between(start: str | None, end: datetime) -> float | None:
    """Seconds from a stored stamp to `end` (never negative); None without a stamp."""
    if not start:
        return None
    return max(0.0, (end - datetime.fromisoformat(start)).total_seconds())


def longest_waiting(data: MonitorInput) -> dict[str, dict]:
    """Per thủ tục, the ticket whose current wait began first: a ticket waits since it was issued, since it
    came back (a returned no-show), or since it was transferred (a ticket transferred after a call)."""
    oldest = dict(data.oldest)
    for ticket in data.transferred:
        if ticket["since"] and (ticket["service"] not in oldest or ticket["since"] < oldest[ticket["service"]]["since"]):
            oldest[ticket["service"]] = {"id": ticket["id"], "number": ticket["number"], "since": ticket["since"]}
    return oldest


def build(settings, data: MonitorInput) -> dict:
    """The whole monitor: per thủ tục, per counter, the day's totals, failing devices and current alerts."""
    policy = settings.policy
    target, long_limit = policy.wait_target_minutes * 60, policy.long_service_minutes * 60
    codes = list(settings.services)
    # A thủ tục removed from config.toml while its tickets are open still shows, under its code.
    for code in [*data.issued, *(service for service, _ in data.statuses)]:
        if code not in codes:
            codes.append(code)
    oldest = longest_waiting(data)
    services, alerts = [], []
    totals = {"issued": 0, "served": 0, "waiting": 0, "called_now": 0, "serving_now": 0, "no_show": 0,
              "cancelled": 0, "mean_wait_seconds": None, "longest_wait_seconds": None}
    waited_count, waited_sum = 0, 0.0
    for code in codes:
        service = settings.services.get(code)
        count = lambda status: data.statuses.get((code, status), 0)  # noqa: E731 - a local shorthand
        waiting = sum(count(status) for status in lifecycle.CALLABLE)
        first_calls, seconds = data.first_call_waits.get(code, (0, 0.0))
        longest = oldest.get(code) if waiting else None
        longest_seconds = seconds_between(longest["since"], data.now) if longest else None
        row = {"code": code, "name": service.name if service else code, "name_en": service.name_en if service else code,
               "group": service.group if service else None, "waiting": waiting,
               "longest_wait_seconds": round(longest_seconds, 1) if longest_seconds is not None else None,
               "longest_since": longest["since"] if longest else None,
               "longest_ticket": {"id": longest["id"], "number": longest["number"]} if longest else None,
               "issued": data.issued.get(code, 0), "served": count(lifecycle.DONE),
               "mean_wait_seconds": round(seconds / first_calls, 1) if first_calls else None,
               "breached": longest_seconds is not None and longest_seconds > target}
        services.append(row)
        totals["issued"] += row["issued"]
        totals["served"] += row["served"]
        totals["waiting"] += waiting
        totals["called_now"] += count(lifecycle.CALLED)
        totals["serving_now"] += count(lifecycle.SERVING)
        totals["no_show"] += count(lifecycle.NO_SHOW)
        totals["cancelled"] += count(lifecycle.CANCELLED)
        waited_count, waited_sum = waited_count + first_calls, waited_sum + seconds
        if longest_seconds is not None and (totals["longest_wait_seconds"] is None
                                            or longest_seconds > totals["longest_wait_seconds"]):
            totals["longest_wait_seconds"] = round(longest_seconds, 1)
        if row["breached"]:
            alerts.append({"kind": WAIT_TARGET_BREACHED, "service": code, "service_name": row["name"],
                           "service_name_en": row["name_en"], "counter": None, "counter_name": None,
                           "ticket_id": longest["id"], "number": longest["number"],
                           "seconds": row["longest_wait_seconds"], "since": longest["since"],
                           "limit_minutes": policy.wait_target_minutes,
                           "counters": [c.id for c in settings.counters_serving(code)]})
    totals["mean_wait_seconds"] = round(waited_sum / waited_count, 1) if waited_count else None

    names = {row["code"]: row for row in services}
    counters = []
    for counter in settings.counters.values():
        view = _counter_view(counter, data)
        if view["state"] == SERVING and view["seconds"] is not None and view["seconds"] > long_limit:
            view["long_service"] = True
            ticket = view["ticket"]
            named = names.get(ticket["service"]) or {"name": ticket["service"], "name_en": ticket["service"]}
            alerts.append({"kind": LONG_SERVICE, "service": ticket["service"], "service_name": named["name"],
                           "service_name_en": named["name_en"], "counter": counter.id, "counter_name": counter.name,
                           "ticket_id": ticket["id"], "number": ticket["number"], "seconds": view["seconds"],
                           "since": view["since"], "limit_minutes": policy.long_service_minutes,
                           "counters": [counter.id]})
        counters.append(view)
    totals["breaches"] = sum(1 for a in alerts if a["kind"] == WAIT_TARGET_BREACHED)
    totals["long_services"] = sum(1 for a in alerts if a["kind"] == LONG_SERVICE)
    return {
        "seq": data.seq, "day": data.day, "at": data.now.isoformat(timespec="milliseconds"),
        "wait_target_minutes": policy.wait_target_minutes, "long_service_minutes": policy.long_service_minutes,
        "services": services, "counters": counters, "totals": totals,
        "devices": [d for d in data.devices if failing(d)], "alerts": alerts,
    }


def _counter_view(counter, data: MonitorInput) -> dict:
    state = data.counter_states.get(counter.id, {})
    current = data.current.get(state.get("current_ticket")) if state.get("current_ticket") else None
    ticket, since = None, None
    if current and current["status"] == lifecycle.CALLED:
        kind, since = CALLING, current["called_at"]
    elif current and current["status"] == lifecycle.SERVING:
        kind, since = SERVING, current["started_at"]
    elif not data.staffed.get(counter.id, False):  # core/staffing.py: a pause with nobody behind it is no break
        kind, since = UNSTAFFED, data.counter_since.get(counter.id)
    elif state.get("paused"):
        kind, since = PAUSED, data.counter_since.get(counter.id)
    else:
        kind, since = FREE, data.counter_since.get(counter.id)
    if current and kind in (CALLING, SERVING):
        ticket = {"id": current["id"], "number": current["number"], "service": current["service"],
                  "priority": current["priority"], "recalls": current["recalls"]}
    seconds = seconds_between(since, data.now)
    return {"id": counter.id, "name": counter.name, "services": list(counter.services),
            "priority": counter.priority, "clerk": state.get("clerk"), "state": kind,
            "state_name": COUNTER_STATE_NAMES_VI[kind], "ticket": ticket, "since": since,
            "seconds": round(seconds, 1) if seconds is not None else None, "long_service": False}


def failing(device: dict) -> bool:
    """Whether a printer or scanner needs someone: out of paper, cover open, unplugged, unreachable…"""
    return device.get("status") in (FAILING_PRINTER if device.get("kind") == "printer" else FAILING_SCANNER)


def next_due(settings, data: MonitorInput) -> datetime | None:
    """The first moment, after `data.now`, at which an alert starts by time alone (nobody acting): the
    timer sleeps until then, so a breach is logged on time even when no event wakes the monitor."""
    target = timedelta(minutes=settings.policy.wait_target_minutes)
    long_limit = timedelta(minutes=settings.policy.long_service_minutes)
    moments = [datetime.fromisoformat(ticket["since"]) + target for ticket in longest_waiting(data).values()
               if ticket["since"]]
    moments += [datetime.fromisoformat(ticket["started_at"]) + long_limit for ticket in data.current.values()
                if ticket["status"] == lifecycle.SERVING and ticket["started_at"]]
    later = [moment for moment in moments if moment > data.now]
    return min(later) if later else None


@dataclass(frozen=True)
class LoggedAlerts:
    """What the event log already says about today's alerts (read back after a restart, too)."""
    open_wait_breaches: dict[str, int]          # service → the seq of its breach event not yet cleared
    long_services: frozenset[tuple[int, str]]   # (ticket id, counter) already logged


def logged_alerts(alert_events: list[dict]) -> LoggedAlerts:
    """Fold today's alert events (seq order) into what is open now."""
    open_breaches: dict[str, int] = {}
    long_services = set()
    for event in alert_events:
        if event["kind"] == WAIT_TARGET_BREACHED:
            open_breaches[event["service"]] = event["seq"]
        elif event["kind"] == WAIT_TARGET_CLEARED:
            open_breaches.pop(event["service"], None)
        elif event["kind"] == LONG_SERVICE:
            long_services.add((event["ticket_id"], event["counter"]))
    return LoggedAlerts(open_breaches, frozenset(long_services))


def alert_events_due(view: dict, logged: LoggedAlerts) -> list[dict]:
    """The events to append so the log matches the alerts of `view`: a breach that started, one that ended,
    a long service not yet logged. Empty when the log already says it all (the usual case)."""
    due = []
    breached = {}
    for alert in view["alerts"]:
        if alert["kind"] == WAIT_TARGET_BREACHED:
            breached[alert["service"]] = alert
            if alert["service"] not in logged.open_wait_breaches:
                due.append(_alert_event(alert))
        elif (alert["ticket_id"], alert["counter"]) not in logged.long_services:
            due.append(_alert_event(alert))
    for service in logged.open_wait_breaches:
        if service not in breached:
            row = next((s for s in view["services"] if s["code"] == service), None)
            due.append({"kind": WAIT_TARGET_CLEARED, "service": service, "counter": None, "ticket_id": None,
                        "details": {"longest_wait_seconds": row["longest_wait_seconds"] if row else None,
                                    "breach_seq": logged.open_wait_breaches[service]}})
    return due


def _alert_event(alert: dict) -> dict:
    return {"kind": alert["kind"], "service": alert["service"], "counter": alert["counter"],
            "ticket_id": alert["ticket_id"],
            "details": {"number": alert["number"], "seconds": alert["seconds"],
                        "limit_minutes": alert["limit_minutes"]}}


def alerts_for_counter(view: dict, counter_id: str) -> list[dict]:
    """The banners of one counter screen: wait breaches of the thủ tục it serves (long services go to the
    managers only: the clerk knows the citizen is still at the desk)."""
    return [a for a in view["alerts"] if a["kind"] == WAIT_TARGET_BREACHED and counter_id in a["counters"]]
