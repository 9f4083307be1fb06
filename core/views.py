"""What screens read: a ticket with its place and wait, a counter, the whole centre's snapshot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from . import events, lifecycle, staffing
from .errors import NotFound
from .waits import QueueWaits

RECENT_CALLS = 10
SERVED_LISTED = 50  # a counter's "served today" list: enough for a shift, small enough to send on every change


class QueueViews(QueueWaits):
    """Read side of QueueEngine (mixed in); needs self.settings, self.store, self.clock.
    The wait estimate's part is core/waits.py."""

    def ticket_view(self, tx, ticket: dict, now: datetime | None = None, place: dict | None = None) -> dict:
        """The public shape of a ticket (API responses, status page, realtime). `place`: its estimate
        {ahead, minutes, low, high} when already computed (places_in_queue).

        position / eta_minutes / eta_low / eta_high: the estimate now (live); `estimate`: the one printed
        on the ticket when it was taken (the paper does not change)."""
        now = now or self.clock.now()
        live = place if place is not None else self.estimate_of(tx, ticket, now)
        live = live or {"ahead": None, "minutes": None, "low": None, "high": None}
        position, eta = live["ahead"], live["minutes"]
        service_name, service_name_en = _service_names(self.settings, ticket["service"])
        counter = self.settings.counters.get(ticket["counter"] or "")
        return {
            "id": ticket["id"], "number": ticket["number"], "service": ticket["service"],
            "service_name": service_name, "service_name_en": service_name_en,
            "priority": ticket["priority"], "status": ticket["status"],
            "status_name": lifecycle.STATUS_NAMES_VI[ticket["status"]],
            "position": position, "eta_minutes": eta, "eta_low": live["low"], "eta_high": live["high"],
            "estimate": json.loads(ticket["estimate"]) if ticket.get("estimate") else None,
            "counter": ticket["counter"], "counter_name": counter.name if counter else None,
            "target_counter": ticket["target_counter"], "recalls": ticket["recalls"],
            "status_url": f"{self.settings.centre.public_url}/t/{ticket['token']}",
            "day": ticket["day"], "issued_at": ticket["issued_at"], "arrived_at": ticket["arrived_at"],
            "called_at": ticket["called_at"], "started_at": ticket["started_at"],
            "finished_at": ticket["finished_at"],
        }

    def get_ticket(self, ticket_id: int, *, with_history: bool = True) -> dict:
        """A ticket by id with its history (every event about it, oldest first)."""
        with self.store.read() as tx:
            ticket = tx.ticket(ticket_id) if isinstance(ticket_id, int) else None
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.", ticket=ticket_id)
            view = self.ticket_view(tx, ticket)
            if with_history:
                # A rating is anonymous (core/rating.py): it is never shown beside the ticket it rates.
                view["history"] = [{k: e[k] for k in ("seq", "at", "actor", "kind", "counter", "details")}
                                   for e in tx.events(ticket_id=ticket_id) if e["kind"] != events.RATED]
            return view

    def ticket_for_token(self, token: str) -> dict:
        """The status page's view of a ticket: no history, no actor names."""
        with self.store.read() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) else None
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.")
            return self.ticket_view(tx, ticket) | {"seq": tx.last_seq()}

    def counter_view(self, tx, counter_id: str, staffing_state: str | None = None) -> dict:
        """A counter for screens. `open`: staffed now in core/staffing.py's sense (a live claim, an action in
        the last hour, or a citizen at the desk), the same test the wait estimate uses; the lobby shows a
        counter that is not as "Chưa mở" (README "Lobby display")."""
        counter = self.settings.counters[counter_id]
        state = tx.counter_state(counter_id)
        current = tx.ticket(state["current_ticket"]) if state["current_ticket"] else None
        if staffing_state is None:
            staffing_state = self._counter_states(tx, self.clock.now())[counter_id]
        return {"id": counter.id, "name": counter.name, "services": list(counter.services),
                "priority": counter.priority, "paused": bool(state["paused"]),
                # Public (lobby screens, /api/state): whether someone works here, never who.
                "staffed": state["clerk"] is not None,
                "open": staffing_state != staffing.UNSTAFFED,
                "current": self.ticket_view(tx, current) if current else None}

    def waiting_list(self, counter_id: str) -> list[dict]:
        """Tickets a counter may call, in the order FIFO gives them (priority marked, not reordered)."""
        counter = self.settings.counters[counter_id]
        now = self.clock.now()
        with self.store.read() as tx:
            day = self._today(now)
            tickets = tx.callable_tickets(lifecycle.CALLABLE, counter.services, counter.id, day)
            places = self.places_in_queue(tx, tickets, now)
            return [self.ticket_view(tx, t, now, places[t["id"]]) for t in tickets]

    def counter_day(self, counter_id: str, *, listed: int = SERVED_LISTED) -> dict:
        """Today at one counter: the tickets it finished (newest first, at most `listed`), how many it
        finished, their mean call-to-finish minutes (as core/estimate.py measures service), and no-shows."""
        self.settings.counters[counter_id]  # a KeyError for an unknown counter, like counter_view
        with self.store.read() as tx:
            day = self._today(self.clock.now())
            done = tx.closed_at_counter(counter_id, day, (lifecycle.DONE,))
            no_shows = tx.closed_at_counter(counter_id, day, (lifecycle.NO_SHOW,))
        minutes = [_minutes_between(t["called_at"], t["finished_at"]) for t in done]
        minutes = [m for m in minutes if m is not None]
        served = []
        for ticket in done[:listed]:
            service_name, service_name_en = _service_names(self.settings, ticket["service"])
            served.append({"id": ticket["id"], "number": ticket["number"], "service": ticket["service"],
                           "service_name": service_name, "service_name_en": service_name_en,
                           "priority": ticket["priority"], "called_at": ticket["called_at"],
                           "finished_at": ticket["finished_at"],
                           "service_minutes": _minutes_between(ticket["called_at"], ticket["finished_at"])})
        return {"day": day, "served_count": len(done), "no_show_count": len(no_shows),
                "average_service_minutes": round(sum(minutes) / len(minutes), 1) if minutes else None,
                "served": served}

    def snapshot(self) -> dict:
        """Everything a screen needs to draw the centre from scratch, with the seq it is current to."""
        now = self.clock.now()
        with self.store.read() as tx:
            day = self._today(now)
            states = self._counter_states(tx, now)
            waiting = {code: 0 for code in self.settings.services}
            for ticket in tx.tickets_of_day(day, lifecycle.CALLABLE):
                # A thủ tục removed from config.toml while its tickets wait: still counted, under its code.
                waiting[ticket["service"]] = waiting.get(ticket["service"], 0) + 1
            # Today's calls only: from local midnight on, the lobby starts an empty list.
            midnight = datetime.combine(now.astimezone(self.settings.centre.timezone).date(), datetime.min.time(),
                                        self.settings.centre.timezone)
            recent = tx.events(kinds=events.ANNOUNCED, limit=RECENT_CALLS, newest_first=True,
                               since=self._stamp(midnight))
            return {
                "seq": tx.last_seq(), "day": day, "at": now.isoformat(timespec="milliseconds"),
                "counters": [self.counter_view(tx, counter_id, states[counter_id]) for counter_id in self.settings.counters],
                "waiting": waiting,
                "recent_calls": [{"seq": e["seq"], "at": e["at"], "kind": e["kind"], "counter": e["counter"],
                                  "number": e["details"].get("number"), "service": e["service"]}
                                 for e in recent],
            }


def _service_names(settings, code: str) -> tuple[str, str]:
    """(Vietnamese, English) name of a thủ tục; its code when config.toml no longer has it, so its open
    tickets still show and can be finished or transferred (README, "Changing config.toml")."""
    service = settings.services.get(code)
    return (service.name, service.name_en) if service else (code, code)


def _minutes_between(start: str | None, end: str | None) -> float | None:
    """Minutes from one stored UTC stamp to another, to 0.1; None when either is missing."""
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60, 1)
