"""The monitor's side of the database: read one computation's inputs, and log the alerts it finds.

Framework-free like the rest of core/. The alert events are decided inside the same BEGIN IMMEDIATE
transaction that appends them, from the log itself (not from memory): a server that restarts, or a
second process, reads the open breaches back and never logs one twice (README, "Monitor and alerts").
"""

from __future__ import annotations

from datetime import datetime

from store import monitor_queries as queries

from . import events, lifecycle, monitor, staffing
from .numbering import local_day

# Events after which a counter's state (free, paused, unstaffed) starts anew: "for how long" counts from them.
COUNTER_CHANGES = (events.CALLED, events.FINISHED, events.NO_SHOW, events.TRANSFERRED, events.COUNTER_PAUSED,
                   events.COUNTER_RESUMED, events.CLERK_SIGNED_IN, events.CLERK_SIGNED_OUT)
SYSTEM = "system"


class MonitorLog:
    """Reads for and writes of the monitor over one engine (its settings, store and clock)."""

    def __init__(self, engine):
        self.engine = engine
        self._day_start: tuple[str, int] | None = None  # (day, first seq of that day), found once per day

    def _staffed(self, tx, now: datetime) -> dict[str, bool]:
        """Counter id → someone works there (a clerk's live claim or recent device actions): core/staffing.py,
        the definition the estimate and the display tiles use too."""
        return {counter_id: staffing.is_staffed(state)
                for counter_id, state in self.engine._counter_states(tx, now).items()}

    def _first_seq(self, tx, day: str, now: datetime) -> int:
        if self._day_start is None or self._day_start[0] != day:
            zone = self.engine.settings.centre.timezone
            midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
            self._day_start = (day, queries.first_seq_since(tx, self.engine._stamp(midnight)))
        return self._day_start[1]

    def read(self, devices: list[dict]) -> tuple[monitor.MonitorInput, monitor.LoggedAlerts]:
        """Everything one computation needs, from one read transaction, plus the alerts already logged."""
        now = self.engine.clock.now()
        day = local_day(now, self.engine.settings.centre.timezone)
        with self.engine.store.read() as tx:
            first_seq = self._first_seq(tx, day, now)
            states = tx.all_counter_states()
            current = [state["current_ticket"] for state in states.values() if state["current_ticket"]]
            data = monitor.MonitorInput(
                now=now, day=day, seq=tx.last_seq(), issued=queries.issued_counts(tx, day),
                statuses=queries.status_counts(tx, day), oldest=queries.oldest_waiting(tx, day, lifecycle.CALLABLE),
                transferred=queries.transferred_after_call(tx, day),
                first_call_waits=queries.first_call_waits(tx, first_seq), counter_states=states,
                current=queries.tickets_by_id(tx, current), staffed=self._staffed(tx, now),
                counter_since=queries.last_counter_events(tx, COUNTER_CHANGES, first_seq), devices=devices)
            logged = monitor.logged_alerts(queries.events_of_kinds(tx, monitor.ALERT_EVENTS, first_seq))
        return data, logged

    def record(self, view: dict) -> list[dict]:
        """Append the alert events `view` makes due that the log does not have yet; returns them.

        Decided again inside the write transaction, from the log: whatever another process or an earlier
        run of this one logged counts, so a breach is logged once."""
        now = self.engine.clock.now()
        with self.engine.store.transaction() as tx:
            first_seq = self._first_seq(tx, view["day"], now)
            logged = monitor.logged_alerts(queries.events_of_kinds(tx, monitor.ALERT_EVENTS, first_seq))
            due = monitor.alert_events_due(view, logged)
            for event in due:
                tx.append_event(at=now, actor=SYSTEM, kind=event["kind"], ticket_id=event["ticket_id"],
                                counter=event["counter"], service=event["service"], details=event["details"])
            rows = list(tx.events)
        return rows
