"""Counter actions: pause and resume, a clerk taking or leaving a counter, and device happenings.

Mixed into QueueEngine (engine.py), which provides _begin, _now, _event, counter_settings and the views.
"""

from __future__ import annotations

from . import events
from .errors import Conflict, InvalidRequest


class CounterActions:
    """What happens to a counter rather than to a ticket."""

    def set_paused(self, counter_id: str, paused: bool, *, actor: str) -> dict:
        """Tạm nghỉ / Tiếp tục: a paused counter calls nobody and is left out of wait estimates."""
        counter = self.counter_settings(counter_id)
        now = self._now()
        with self._begin() as tx:
            state = tx.counter_state(counter.id)
            if bool(state["paused"]) == paused:
                raise Conflict("already_paused" if paused else "not_paused",
                               f"{counter.name} {'đã tạm nghỉ' if paused else 'đang làm việc'} rồi.")
            tx.set_counter_state(counter.id, paused=int(paused))
            tx.append_event(at=now, actor=actor, kind=events.COUNTER_PAUSED if paused else events.COUNTER_RESUMED,
                            counter=counter.id, details={"counter_name": counter.name})
            return self.counter_view(tx, counter.id)

    def claim_counter(self, counter_id: str, clerk: str, *, actor: str) -> dict:
        """A clerk takes a counter; a counter has one clerk at a time (the same clerk may sign in again)."""
        counter = self.counter_settings(counter_id)
        now = self._now()
        with self._begin() as tx:
            state = tx.counter_state(counter.id)
            if state["clerk"] not in (None, clerk):
                raise Conflict("counter_taken", f"{counter.name} đang có cán bộ {state['clerk']} làm việc.")
            for other in tx.all_counter_states().values():
                if other["clerk"] == clerk and other["counter"] != counter.id:
                    # One counter per clerk, too; the move is logged like a sign-out so the audit has no gap.
                    tx.set_counter_state(other["counter"], clerk=None)
                    tx.append_event(at=now, actor=actor, kind=events.CLERK_SIGNED_OUT, counter=other["counter"],
                                    details={"moved_to": counter.id})
            tx.set_counter_state(counter.id, clerk=clerk)
            tx.append_event(at=now, actor=actor, kind=events.CLERK_SIGNED_IN, counter=counter.id,
                            details={"counter_name": counter.name})
            return self.counter_view(tx, counter.id) | {"clerk": clerk}  # the clerk sees their own name

    def release_counter(self, counter_id: str, clerk: str, *, actor: str) -> None:
        """The clerk signs out; the counter is free for another clerk."""
        now = self._now()
        with self._begin() as tx:
            if tx.counter_state(counter_id)["clerk"] == clerk:
                tx.set_counter_state(counter_id, clerk=None)
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

