"""Every action on the queue, each one transaction: check the rule, change the rows, append the event.

Callers (HTTP, Socket.IO, the scanner thread) pass an `actor` ("kiosk:kiosk-1", "clerk:lan",
"counter:5", "scanner:5") and, for counter actions, the counter they act for; who may act at all
(role, device) is the web layer's job, which counter owns a ticket is the queue's rule and lives here.
"""

from __future__ import annotations

import json
import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from . import events, lifecycle
from .availability import refusal
from .clock import SystemClock
from .errors import Conflict, InvalidRequest, NotAllowed, NotFound
from .numbering import local_day, next_sequence_number
from .ordering import choose_next
from .settings import Settings
from .counters import CounterActions
from .views import QueueViews


class _AsAdmin:
    """The explicit "an admin acts, at no counter" of counter_id: the only way to act on any counter's ticket."""

    def __repr__(self) -> str:
        return "AS_ADMIN"


AS_ADMIN = _AsAdmin()


class QueueEngine(CounterActions, QueueViews):
    """The queue of one centre over one Store: ticket actions here, counter actions in counters.py."""

    def __init__(self, settings: Settings, store, clock=None):
        self.settings, self.store, self.clock = settings, store, clock or SystemClock()
        self._swept_day: str | None = None

    def use_settings(self, settings: Settings) -> None:
        """Run on new settings from the next action on (the console's edits: core/catalogue.py). The
        wait forecast's memos (which counter serves what, service times, policy) go with the old settings."""
        self.settings = settings
        self._durations_key = self._forecast_memo = None
        self.durations_generation += 1

    # --- helpers -------------------------------------------------------------------------------
    def _now(self):
        return self.clock.now()

    def _today(self, now) -> str:
        return local_day(now, self.settings.centre.timezone)

    def _stamp(self, now) -> str:
        """Stored times are UTC: arrival order is a string comparison, so every stamp needs the same offset."""
        return now.astimezone(timezone.utc).isoformat(timespec="milliseconds")

    @contextmanager
    def _begin(self):
        """A write transaction that, once per local day, first expires what earlier days left open."""
        today = self._today(self._now())
        with self.store.transaction() as tx:
            if self._swept_day != today:
                self._expire_before(tx, today)
            yield tx
        self._swept_day = today  # only once that transaction has committed

    def _expire_before(self, tx, today: str) -> int:
        """Rollover: tickets still open from an earlier day become expired (kept), claims left from an
        earlier day end, yesterday's idempotency keys are forgotten; returns how many tickets expired."""
        now = self._now()
        tx.forget_idempotency_keys_before(today)
        self._free_ended_claims(tx, now)
        expired = set()
        for ticket in tx.open_tickets_before(today, lifecycle.OPEN):
            tx.update_ticket(ticket["id"], status=lifecycle.EXPIRED, finished_at=self._stamp(now))
            self._event(tx, now, "system", events.EXPIRED, {**ticket, "status": lifecycle.EXPIRED},
                        ticket["counter"], day=ticket["day"], previous_status=ticket["status"])
            expired.add(ticket["id"])
        for state in tx.all_counter_states().values():
            if state["current_ticket"] in expired:
                tx.set_counter_state(state["counter"], current_ticket=None)
            # A priority streak is about today's waiting citizens: yesterday's must not skip this
            # morning's first priority ticket. (This sweep also runs after a restart mid-day, so
            # only a streak whose last call was on an earlier day is reset.)
            if state["priority_streak"] and tx.last_call_day(state["counter"]) != today:
                tx.set_counter_state(state["counter"], priority_streak=0)
        return len(expired)

    def housekeeping(self) -> dict:
        """What time alone makes due, run by a timer (app.py): the rollover once the local day has
        changed, and freeing claims that went idle. A read only, when nothing is due."""
        now = self._now()
        today = self._today(now)
        with self.store.read() as tx:
            states = list(tx.all_counter_states().values())
        if self._swept_day == today and not any(self._claim_ended(state, now) for state in states):
            return {"expired": 0, "freed": 0}
        with self.store.transaction() as tx:
            expired = self._expire_before(tx, today) if self._swept_day != today else 0
            self._free_ended_claims(tx, now)
            freed = sum(1 for event in tx.events if event["kind"] == events.CLERK_SIGNED_OUT)
        self._swept_day = today
        return {"expired": expired, "freed": freed}

    def counter_settings(self, counter_id: str):
        """The configured counter, or NotFound('counter_not_found')."""
        counter = self.settings.counters.get(str(counter_id))
        if counter is None:
            raise NotFound("counter_not_found", f"Không có quầy “{counter_id}”.", counter=counter_id)
        return counter

    def _ticket(self, tx, ticket_id) -> dict:
        ticket = tx.ticket(ticket_id) if isinstance(ticket_id, int) else None
        if ticket is None:
            raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.", ticket=ticket_id)
        return ticket

    def _owned_by(self, ticket: dict, counter_id) -> None:
        """A called or serving ticket belongs to the counter that called it. Only AS_ADMIN acts on any
        counter's ticket; "no counter" (None) is nobody's owner (it once meant "anyone": issue 8)."""
        if counter_id is AS_ADMIN:
            return
        if counter_id is None:
            raise NotAllowed("no_counter", "Hãy chọn quầy làm việc trước.")
        if ticket["counter"] != str(counter_id):
            raise NotAllowed("not_your_ticket",
                             f"Số {ticket['number']} đang được xử lý ở quầy khác, không phải quầy {counter_id}.")

    def _event(self, tx, now, actor, kind, ticket, counter=None, **details) -> dict:
        details.setdefault("number", ticket["number"] if ticket else None)
        row = tx.append_event(at=now, actor=actor, kind=kind, ticket_id=ticket["id"] if ticket else None,
                              counter=counter, service=ticket["service"] if ticket else None, details=details)
        row["route"] = {"token": ticket["token"]} if ticket else {}  # not stored: tells realtime whom to tell
        return row

    # --- issuing -------------------------------------------------------------------------------
    def issue_ticket(self, service_code: str, priority: str | None, *, actor: str, kiosk: str | None = None,
                     idempotency_key: str | None = None) -> dict:
        """Take a number for `service_code`; returns the ticket view (number, position, eta_minutes, …)."""
        return self.issue_ticket_once(service_code, priority, actor=actor, kiosk=kiosk,
                                      idempotency_key=idempotency_key)[0]

    def issue_ticket_once(self, service_code: str, priority: str | None, *, actor: str, kiosk: str | None = None,
                          idempotency_key: str | None = None) -> tuple[dict, bool]:
        """Like issue_ticket, and (view, True) when a number was taken now.

        With an `idempotency_key` (the kiosk's Idempotency-Key header), a repeat of the same request by
        the same actor on the same local day gets the ticket the first one took, (view, False), even
        after closing time or once the daily cap is used up: that citizen already has the number. The
        key is written in the ticket's own transaction, so a ticket never exists without its key or the
        other way round. The same key with another request is Conflict('idempotency_key_reused').
        """
        service = self.settings.services.get(service_code) if isinstance(service_code, str) else None
        if service is None:
            raise InvalidRequest("unknown_service", "Thủ tục không tồn tại.", service=service_code)
        if priority is not None and priority not in self.settings.priority_groups:
            raise InvalidRequest("unknown_priority", "Nhóm ưu tiên không hợp lệ.", priority=priority)
        now = self._now()
        request = json.dumps({"service": service.code, "priority": priority}, sort_keys=True)
        with self._begin() as tx:
            day = self._today(now)
            if idempotency_key is not None:
                answered = tx.idempotent_ticket(actor, day, idempotency_key)
                if answered is not None:
                    if answered[1] != request:
                        raise Conflict("idempotency_key_reused", "Mã Idempotency-Key này đã được dùng cho một "
                                       "yêu cầu lấy số khác. Mỗi lần chạm cần một mã mới.")
                    return self.ticket_view(tx, tx.ticket(answered[0]), now), False
            local = now.astimezone(self.settings.centre.timezone)
            refused = refusal(self.settings, service, local)  # retired, holiday, closed today, outside hours
            if refused is not None:
                raise Conflict(refused.code, refused.message)
            last, issued = tx.last_sequence_number(day, service.code)
            sequence_number = next_sequence_number(service, last, issued)
            ticket = dict(token=secrets.token_urlsafe(16), day=day, issued_service=service.code,
                          sequence_number=sequence_number, number=service.format_number(sequence_number),
                          service=service.code, priority=priority, status=lifecycle.WAITING, kiosk=kiosk,
                          issued_at=self._stamp(now), arrived_at=self._stamp(now), recalls=0)
            ticket["id"] = tx.insert_ticket(**ticket)
            if idempotency_key is not None:
                tx.remember_idempotency_key(actor, day, idempotency_key, request, ticket["id"])
            # The printed estimate, computed in this transaction with the ticket in the queue: the paper,
            # the kiosk's screen and the log say the same, and tomorrow's report compares it with the wait.
            printed = self.estimate_of(tx, tx.ticket(ticket["id"]), now)
            tx.update_ticket(ticket["id"], estimate=json.dumps(printed))
            self._event(tx, now, actor, events.ISSUED, ticket, priority=priority, kiosk=kiosk, estimate=printed)
            return self.ticket_view(tx, tx.ticket(ticket["id"]), now, printed), True

    # --- calling -------------------------------------------------------------------------------
    def _check_counter_free(self, tx, counter) -> dict:
        state = tx.counter_state(counter.id)
        if state["paused"]:
            raise Conflict("counter_paused", f"{counter.name} đang tạm nghỉ. Bấm “Tiếp tục” trước khi gọi số.")
        if state["current_ticket"] is not None:
            current = tx.ticket(state["current_ticket"])
            if current and current["status"] in (lifecycle.CALLED, lifecycle.SERVING):
                raise Conflict("counter_busy",
                               f"{counter.name} chưa xử lý xong số {current['number']}: hãy hoàn thành, "
                               "chuyển hoặc đánh dấu vắng mặt trước khi gọi số mới.", ticket=current["id"])
        return state

    def _choose(self, tx, counter, state, day):
        """The ticket ordering gives this counter, and the oldest normal candidate it would go ahead of.

        policy.priority_streak bounds priority calls in a row per waiting citizen, not per counter (README
        "Fairness"): the streak is the count kept on the oldest normal ticket, raised by a priority call at
        any counter while that ticket was first in line there."""
        candidates = tx.next_candidates(lifecycle.CALLABLE, counter.services, counter.id, day)
        normal = next((t for t in candidates if t["priority"] is None), None)
        choice = choose_next(candidates, streak=normal["priority_jumps"] if normal else 0,
                             streak_limit=self.settings.policy.priority_streak, priority_counter=counter.priority)
        return choice, normal

    def _count_jump(self, tx, choice, normal) -> None:
        """A priority call went ahead of `normal`: remember it on that ticket (see _choose)."""
        if choice is not None and normal is not None and choice.ticket["id"] != normal["id"]:
            tx.update_ticket(normal["id"], priority_jumps=choice.priority_streak)

    def _mark_called(self, tx, now, actor, counter, ticket, streak, **details) -> dict:
        lifecycle.check_transition(ticket["status"], lifecycle.CALLED)
        tx.update_ticket(ticket["id"], status=lifecycle.CALLED, counter=counter.id, called_at=self._stamp(now),
                         target_counter=None, recalls=0)
        tx.set_counter_state(counter.id, current_ticket=ticket["id"], priority_streak=streak)
        called = tx.ticket(ticket["id"])
        self._event(tx, now, actor, events.CALLED, called, counter.id, counter_name=counter.name,
                    priority=called["priority"], **details)
        return self.ticket_view(tx, called, now)

    def call_next(self, counter_id: str, *, actor: str) -> dict | None:
        """Call the next ticket at a counter (FIFO + priority rules); None when nobody waits."""
        counter = self.counter_settings(counter_id)
        now = self._now()
        with self._begin() as tx:
            state = self._check_counter_free(tx, counter)
            choice, normal = self._choose(tx, counter, state, self._today(now))
            self._touch(tx, counter.id, now)  # also when nobody waits: the clerk is there, pressing "next"
            if choice is None:
                return None
            self._count_jump(tx, choice, normal)
            return self._mark_called(tx, now, actor, counter, choice.ticket, choice.priority_streak,
                                     out_of_order=False)

    def call_specific(self, counter_id: str, ticket_id: int, *, actor: str, reason: str = "") -> dict:
        """Call one chosen ticket; recorded as out of order when it is not the one call_next would pick."""
        counter = self.counter_settings(counter_id)
        now = self._now()
        with self._begin() as tx:
            ticket = self._ticket(tx, ticket_id)
            state = self._check_counter_free(tx, counter)
            if ticket["status"] not in lifecycle.CALLABLE:
                # called → called is a recall, not a new call: it must not take the ticket from its counter.
                raise _illegal(ticket, "gọi số")
            served_here = ticket["target_counter"] == counter.id or (
                ticket["target_counter"] is None and ticket["service"] in counter.services)
            if not served_here:
                raise NotAllowed("not_served_here", f"{counter.name} không phục vụ số {ticket['number']}.")
            choice, normal = self._choose(tx, counter, state, self._today(now))
            in_order = choice is not None and choice.ticket["id"] == ticket["id"]
            # A clerk's pick does not count towards the priority streak unless it is what the rule would pick.
            streak = choice.priority_streak if in_order else state["priority_streak"]
            if in_order:
                self._count_jump(tx, choice, normal)
            self._touch(tx, counter.id, now)
            return self._mark_called(tx, now, actor, counter, ticket, streak,
                                     out_of_order=not in_order, reason=str(reason or "")[:200])

    def recall(self, ticket_id: int, *, actor: str, counter_id) -> dict:
        """Announce the called ticket again, up to policy.max_recalls times."""
        now = self._now()
        with self._begin() as tx:
            ticket = self._ticket(tx, ticket_id)
            if ticket["status"] in (lifecycle.CALLED, lifecycle.SERVING):
                self._owned_by(ticket, counter_id)  # another counter's ticket: 403, its state stays private
            if ticket["status"] != lifecycle.CALLED:  # waiting → called is a call, not a recall
                raise _illegal(ticket, "gọi lại")
            if ticket["recalls"] >= self.settings.policy.max_recalls:
                raise Conflict("recall_limit", f"Đã gọi lại số {ticket['number']} đủ "
                               f"{self.settings.policy.max_recalls} lần. Hãy đánh dấu vắng mặt.")
            tx.update_ticket(ticket["id"], recalls=ticket["recalls"] + 1)
            self._touch(tx, counter_id, now)
            ticket = tx.ticket(ticket["id"])
            # .get: the counter may have been removed from config.toml while its ticket was called.
            counter = self.settings.counters.get(ticket["counter"])
            self._event(tx, now, actor, events.RECALLED, ticket, ticket["counter"],
                        counter_name=counter.name if counter else ticket["counter"], recalls=ticket["recalls"])
            return self.ticket_view(tx, ticket, now)

    # --- serving -------------------------------------------------------------------------------
    def _close_at_counter(self, tx, ticket) -> None:
        state = tx.counter_state(ticket["counter"]) if ticket["counter"] else None
        if state and state["current_ticket"] == ticket["id"]:
            tx.set_counter_state(ticket["counter"], current_ticket=None)

    def start(self, ticket_id: int, *, actor: str, counter_id) -> dict:
        """The citizen is at the counter: called → serving."""
        return self._move(ticket_id, lifecycle.SERVING, events.STARTED, actor, counter_id, started_at=True)

    def finish(self, ticket_id: int, *, actor: str, counter_id) -> dict:
        """Service finished: serving → done; frees the counter."""
        return self._move(ticket_id, lifecycle.DONE, events.FINISHED, actor, counter_id, finished_at=True)

    def no_show(self, ticket_id: int, *, actor: str, counter_id) -> dict:
        """Nobody came after the calls: called → no_show; frees the counter. The citizen may return."""
        return self._move(ticket_id, lifecycle.NO_SHOW, events.NO_SHOW, actor, counter_id, finished_at=True)

    def _move(self, ticket_id, status, kind, actor, counter_id, started_at=False, finished_at=False) -> dict:
        now = self._now()
        with self._begin() as tx:
            ticket = self._ticket(tx, ticket_id)
            if ticket["status"] in (lifecycle.CALLED, lifecycle.SERVING):
                self._owned_by(ticket, counter_id)  # another counter's ticket: 403, and its state stays private
            lifecycle.check_transition(ticket["status"], status)
            self._owned_by(ticket, counter_id)
            fields = {"status": status}
            if started_at:
                fields["started_at"] = self._stamp(now)
            if finished_at:
                fields["finished_at"] = self._stamp(now)
                self._close_at_counter(tx, ticket)
                self.durations_generation += 1  # a new service-time sample (core/waits.py)
            tx.update_ticket(ticket["id"], **fields)
            self._touch(tx, counter_id, now)
            ticket = tx.ticket(ticket["id"])
            self._event(tx, now, actor, kind, ticket, ticket["counter"])
            return self.ticket_view(tx, ticket, now)

    def transfer(self, ticket_id: int, *, actor: str, counter_id, service: str | None = None,
                 to_counter: str | None = None, note: str = "") -> dict:
        """Send a ticket to another service or straight to a counter; it keeps its place by default."""
        if (service is None) == (to_counter is None):
            raise InvalidRequest("transfer_target", "Hãy chọn đúng một nơi chuyển đến: một thủ tục hoặc một quầy.")
        if service is not None and service not in self.settings.services:
            raise InvalidRequest("unknown_service", "Thủ tục không tồn tại.", service=service)
        target = self.counter_settings(to_counter) if to_counter is not None else None
        now = self._now()
        with self._begin() as tx:
            ticket = self._ticket(tx, ticket_id)
            lifecycle.check_transition(ticket["status"], lifecycle.TRANSFERRED)
            if ticket["status"] in (lifecycle.CALLED, lifecycle.SERVING):
                self._owned_by(ticket, counter_id)
                self._close_at_counter(tx, ticket)
            new_service = service or ticket["service"]
            if target is not None and new_service not in target.services:
                # A counter may receive any ticket sent to it directly; keep its service as it was.
                new_service = ticket["service"]
            fields = {"status": lifecycle.TRANSFERRED, "service": new_service,
                      "target_counter": target.id if target else None, "recalls": 0}
            if not self.settings.policy.keep_position_on_transfer:
                fields["arrived_at"] = self._stamp(now)
            tx.update_ticket(ticket["id"], **fields)
            self._touch(tx, counter_id, now)
            self.durations_generation += 1  # the estimate counts today's transfers (core/waits.py)
            moved = tx.ticket(ticket["id"])
            self._event(tx, now, actor, events.TRANSFERRED, moved, ticket["counter"], from_service=ticket["service"],
                        to_service=new_service, to_counter=target.id if target else None,
                        note=str(note or "")[:500])
            return self.ticket_view(tx, moved, now)

    def cancel(self, ticket_id: int, *, actor: str) -> dict:
        """A waiting ticket is withdrawn (the citizen left, or asked)."""
        now = self._now()
        with self._begin() as tx:
            ticket = self._ticket(tx, ticket_id)
            lifecycle.check_transition(ticket["status"], lifecycle.CANCELLED)
            tx.update_ticket(ticket["id"], status=lifecycle.CANCELLED, finished_at=self._stamp(now))
            ticket = tx.ticket(ticket["id"])
            self._event(tx, now, actor, events.CANCELLED, ticket)
            return self.ticket_view(tx, ticket, now)

    def return_ticket(self, ticket_id: int, *, actor: str) -> dict:
        """A no-show came back within the window: waiting again, at the back of the queue."""
        now = self._now()
        window = timedelta(minutes=self.settings.policy.no_show_return_minutes)
        with self._begin() as tx:
            ticket = self._ticket(tx, ticket_id)
            lifecycle.check_transition(ticket["status"], lifecycle.WAITING)
            if now - datetime.fromisoformat(ticket["finished_at"]) > window:
                raise Conflict("return_window_passed", f"Số {ticket['number']} đã vắng mặt quá "
                               f"{self.settings.policy.no_show_return_minutes} phút. Xin vui lòng lấy số mới.")
            # Back of the queue: the people who waited meanwhile should not be overtaken.
            # returned_at: core/ordering.py keeps a returned priority ticket behind the normal ones
            # that were already waiting, so the back of the queue means the back for everyone.
            tx.update_ticket(ticket["id"], status=lifecycle.WAITING, arrived_at=self._stamp(now),
                             returned_at=self._stamp(now), finished_at=None, recalls=0, priority_jumps=0)
            ticket = tx.ticket(ticket["id"])
            self._event(tx, now, actor, events.RETURNED, ticket)
            return self.ticket_view(tx, ticket, now)

    def expire_past_days(self) -> int:
        """Expire every ticket still open from an earlier local day; returns how many."""
        today = self._today(self._now())
        with self.store.transaction() as tx:
            count = self._expire_before(tx, today)
        self._swept_day = today
        return count


def _illegal(ticket: dict, action_vi: str) -> Conflict:
    """Conflict('illegal_transition') for an action whose rule is narrower than lifecycle.ALLOWED."""
    status = ticket["status"]
    return Conflict("illegal_transition", f"Không thể {action_vi} khi số đang ở trạng thái "
                    f"“{lifecycle.STATUS_NAMES_VI.get(status, status)}”.", status=status, target=lifecycle.CALLED)
