"""Counter actions: pause and resume, a clerk taking or leaving a counter, and device happenings.

Mixed into QueueEngine (engine.py), which provides _begin, _now, _today, _stamp, _event, counter_settings
and the views.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import events, staffing
from .errors import Conflict, InvalidRequest, NotFound
from .numbering import local_day

# Why a clerk's claim on a counter ended without the clerk signing out (details.reason of clerk_signed_out).
FREED_DAY_OVER = "day_over"      # last used on an earlier local day: freed at the rollover
FREED_IDLE = "idle"              # no action for policy.counter_idle_minutes
FREED_BY_ADMIN = "freed_by_admin"  # server.py free-counter


class CounterActions:
    """What happens to a counter rather than to a ticket.

    A clerk's claim on a counter lasts while it is used. Its last activity is the last action taken at
    that counter (a call, recall, start, finish, no-show, transfer, pause or resume, by the clerk, the
    counter's device token or its scanner) or the clerk's sign-in there. Reads do not count: an
    unattended counter screen refreshes itself all day. A claim ends at the day's rollover, after
    policy.counter_idle_minutes without activity, or when an admin frees it; each is a clerk_signed_out
    event with its reason.
    """

    # --- claims ----------------------------------------------------------------------------------
    def _touch(self, tx, counter_id: str | None, now: datetime) -> None:
        """An action at `counter_id` keeps its clerk's claim alive, and shows someone works there."""
        if counter_id is None or str(counter_id) not in self.settings.counters:
            return  # AS_ADMIN, or a counter removed from config.toml
        tx.set_counter_seen(str(counter_id), self._stamp(now))
        if tx.counter_state(str(counter_id))["clerk"] is not None:
            tx.set_counter_state(str(counter_id), last_activity=self._stamp(now))

    def _counter_states(self, tx, now: datetime) -> dict[str, str]:
        """{counter: "open" | "paused" | "unstaffed"} now (core/staffing.py), from one read of the store."""
        stored = tx.all_counter_states()
        claims = {counter_id: state["clerk"] for counter_id, state in stored.items()
                  if self._claim_ended(state, now) is None}
        seen = {counter_id: datetime.fromisoformat(at) for counter_id, at in tx.counter_seen().items()}
        paused = [counter_id for counter_id, state in stored.items() if state["paused"]]
        busy = [counter_id for counter_id, state in stored.items() if state["current_ticket"] is not None]
        return staffing.counter_states(self.settings, claims, seen, paused, now, busy)

    def counter_states(self) -> dict[str, str]:
        """Whether each counter is open, paused or unstaffed now (monitor, display tiles, the estimate)."""
        now = self._now()
        with self.store.read() as tx:
            return self._counter_states(tx, now)

    def _claim_ended(self, state: dict, now: datetime) -> str | None:
        """Why the claim in `state` is over (FREED_DAY_OVER, FREED_IDLE), or None while it holds."""
        if state["clerk"] is None:
            return None
        if not state.get("last_activity"):
            return FREED_DAY_OVER  # a claim that never recorded its activity cannot be shown to be alive
        last = datetime.fromisoformat(state["last_activity"])
        if local_day(last, self.settings.centre.timezone) != self._today(now):
            return FREED_DAY_OVER
        idle = self.settings.policy.counter_idle_minutes
        if idle and now - last > timedelta(minutes=idle):
            return FREED_IDLE
        return None

    def _free_claim(self, tx, now: datetime, counter_id: str, reason: str, actor: str = "system") -> str:
        """End the claim on `counter_id`; returns whose it was. The clerk keeps their session, but the
        store no longer names them at this counter, so they no longer act for it (api/auth.py)."""
        clerk = tx.counter_state(counter_id)["clerk"]
        tx.set_counter_state(counter_id, clerk=None, last_activity=None)
        counter = self.settings.counters.get(counter_id)
        # No clerk name in details: the feed is public (the actor of the sign-in names the clerk).
        tx.append_event(at=now, actor=actor, kind=events.CLERK_SIGNED_OUT, counter=counter_id,
                        details={"reason": reason, "counter_name": counter.name if counter else counter_id})
        return clerk

    def _free_ended_claims(self, tx, now: datetime) -> int:
        """Free every claim that is over (earlier day, idle); returns how many."""
        ended = [(state["counter"], reason) for state in list(tx.all_counter_states().values())
                 if (reason := self._claim_ended(state, now)) is not None]
        for counter_id, reason in ended:
            self._free_claim(tx, now, counter_id, reason)
        return len(ended)

    def clerk_at(self, counter_id: str) -> str | None:
        """The clerk whose claim on `counter_id` holds now; None when free or when the claim is over but
        not yet freed (the housekeeping timer frees it within seconds). For the web layer's "does this
        clerk still act for this counter" check."""
        with self.store.read() as tx:
            state = tx.counter_state(str(counter_id))
        return None if self._claim_ended(state, self._now()) else state["clerk"]

    def free_counter(self, counter_id: str, *, actor: str) -> str | None:
        """An admin ends the claim on a counter (server.py free-counter); returns whose it was, or None
        when nobody held it (nothing is written then). A counter removed from config.toml may be freed."""
        counter_id = str(counter_id)
        now = self._now()
        with self._begin() as tx:
            if counter_id not in self.settings.counters and counter_id not in tx.all_counter_states():
                raise NotFound("counter_not_found", f"Không có quầy “{counter_id}”.", counter=counter_id)
            if tx.counter_state(counter_id)["clerk"] is None:
                return None
            return self._free_claim(tx, now, counter_id, FREED_BY_ADMIN, actor)

    def set_paused(self, counter_id: str, paused: bool, *, actor: str) -> dict:
        """Tạm nghỉ / Tiếp tục: a paused counter calls nobody; the wait estimate expects it back after a typical break."""
        counter = self.counter_settings(counter_id)
        now = self._now()
        with self._begin() as tx:
            state = tx.counter_state(counter.id)
            if bool(state["paused"]) == paused:
                raise Conflict("already_paused" if paused else "not_paused",
                               f"{counter.name} {'đã tạm nghỉ' if paused else 'đang làm việc'} rồi.")
            tx.set_counter_state(counter.id, paused=int(paused))
            self.durations_generation += 1  # a break begins or ends (core/waits.py learns its length)
            self._touch(tx, counter.id, now)
            tx.append_event(at=now, actor=actor, kind=events.COUNTER_PAUSED if paused else events.COUNTER_RESUMED,
                            counter=counter.id, details={"counter_name": counter.name})
            return self.counter_view(tx, counter.id)

    def claim_counter(self, counter_id: str, clerk: str, *, actor: str) -> dict:
        """A clerk takes a counter; a counter has one clerk at a time (the same clerk may sign in again)."""
        counter = self.counter_settings(counter_id)
        now = self._now()
        with self._begin() as tx:
            state = tx.counter_state(counter.id)
            reason = self._claim_ended(state, now)
            if reason is not None:  # a claim left behind must not keep the next clerk out
                self._free_claim(tx, now, counter.id, reason)
                state = tx.counter_state(counter.id)
            if state["clerk"] not in (None, clerk):
                raise Conflict("counter_taken", f"{counter.name} đang có cán bộ {state['clerk']} làm việc.")
            for other in tx.all_counter_states().values():
                if other["clerk"] == clerk and other["counter"] != counter.id:
                    # One counter per clerk, too; the move is logged like a sign-out so the audit has no gap.
                    tx.set_counter_state(other["counter"], clerk=None, last_activity=None)
                    tx.append_event(at=now, actor=actor, kind=events.CLERK_SIGNED_OUT, counter=other["counter"],
                                    details={"moved_to": counter.id})
            tx.set_counter_state(counter.id, clerk=clerk, last_activity=self._stamp(now))
            tx.append_event(at=now, actor=actor, kind=events.CLERK_SIGNED_IN, counter=counter.id,
                            details={"counter_name": counter.name})
            return self.counter_view(tx, counter.id) | {"clerk": clerk}  # the clerk sees their own name

    def release_counter(self, counter_id: str, clerk: str, *, actor: str) -> None:
        """The clerk signs out; the counter is free for another clerk."""
        now = self._now()
        with self._begin() as tx:
            if tx.counter_state(counter_id)["clerk"] == clerk:
                tx.set_counter_state(counter_id, clerk=None, last_activity=None)
                tx.append_event(at=now, actor=actor, kind=events.CLERK_SIGNED_OUT, counter=counter_id)

    def record_device_event(self, kind: str, *, actor: str, counter: str | None = None,
                            ticket_id: int | None = None, **details) -> dict:
        """Log a device happening (printed, print_failed, printer_status, scanner_status, scan_rejected).

        Goes through the same log and feed as ticket changes, so a printer out of paper reaches the
        counter and admin screens instead of failing silently.
        """
        if kind not in events.DEVICE_EVENTS:
            raise InvalidRequest("unknown_event", f"Loại sự kiện thiết bị “{kind}” không hợp lệ.")
        now = self._now()
        with self.store.transaction() as tx:
            ticket = tx.ticket(ticket_id) if ticket_id is not None else None
            if ticket is not None:
                return self._event(tx, now, actor, kind, ticket, counter, **details)
            return tx.append_event(at=now, actor=actor, kind=kind, counter=counter, details=details)

