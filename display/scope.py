"""What one lobby display covers (a floor, a wing): its counters, its services, its recent calls.

[[displays]] may list `counters` and/or `services`; empty means all. A call is shown when its counter and
its service are both in scope. Framework-free, so the routes and the tests share one rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timezone

from core import events
from core.settings import Display, Settings
from i18n import name_of


@dataclass(frozen=True)
class Scope:
    counters: tuple[str, ...]
    services: tuple[str, ...]

    def shows(self, counter: str | None, service: str | None) -> bool:
        """True when a call at `counter` for `service` belongs on this display."""
        return counter in self.counters and service in self.services


def scope_of(settings: Settings, display: Display) -> Scope:
    """The display's counters (those serving at least one of its services) and services."""
    services = display.services or tuple(settings.services)
    counters = tuple(c for c in (display.counters or tuple(settings.counters))
                     if set(settings.counters[c].services) & set(services))
    return Scope(counters=counters, services=tuple(services))


def waiting_rows(settings: Settings, scope: Scope, by: str, lang: str) -> list[dict]:
    """Rows of the "waiting" panel: per group (lĩnh vực) or per service, only what this display's counters serve."""
    served = {s for c in scope.counters for s in settings.counters[c].services} & set(scope.services)
    ordered = [code for code in settings.services if code in served]
    if by == "service":
        return [{"key": code, "name": name_of(settings.services[code], lang), "services": [code]}
                for code in ordered]
    rows: dict[str, dict] = {}
    for code in ordered:
        group = settings.groups[settings.services[code].group]
        rows.setdefault(group.id, {"key": group.id, "name": name_of(group, lang), "services": []})
        rows[group.id]["services"].append(code)
    return list(rows.values())


def recent_calls(store, settings: Settings, scope: Scope, limit: int, now: datetime) -> dict:
    """Today's latest calls on this display, newest first, one line per ticket (a recall moves it up)."""
    local_midnight = datetime.combine(now.astimezone(settings.centre.timezone).date(), time(0),
                                      settings.centre.timezone)
    since = local_midnight.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    calls: list[dict] = []
    seen: set[str] = set()
    with store.read() as tx:
        seq = tx.last_seq()
        # Newest first in pages: the first page nearly always holds enough; a display of a quiet wing may not.
        before = seq + 1
        while len(calls) < limit:
            rows = tx.connection.execute(
                f"""SELECT seq, at, kind, ticket_id, counter, service, details FROM events
                    WHERE kind IN (?, ?) AND seq < ? AND at >= ?
                      AND counter IN ({",".join("?" * len(scope.counters))})
                      AND service IN ({",".join("?" * len(scope.services))})
                    ORDER BY seq DESC LIMIT 200""",
                (*events.ANNOUNCED, before, since, *scope.counters, *scope.services)).fetchall()
            for row in rows:
                call = _call(row, settings)
                if call["number"] not in seen:
                    seen.add(call["number"])
                    calls.append(call)
            if len(rows) < 200:
                break
            before = rows[-1]["seq"]
    return {"seq": seq, "calls": calls[:limit]}


def _call(row, settings: Settings) -> dict:
    counter = settings.counters.get(row["counter"])
    return {"seq": row["seq"], "at": row["at"], "kind": row["kind"], "ticket_id": row["ticket_id"],
            "counter": row["counter"], "counter_name": counter.name if counter else row["counter"],
            "service": row["service"], "number": json.loads(row["details"]).get("number")}
