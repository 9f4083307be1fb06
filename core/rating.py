"""Citizen satisfaction ratings (issue 12 item 1): one anonymous rating per finished ticket.

A rating comes from the counter's rating screen or keypad (channel "device", for the citizen who was just
served there) or from the ticket's phone page (channel "phone"). It is one transaction: the checks, a row
in `ratings` (one per ticket, the PRIMARY KEY the last defence) and one `rated` event, the only place the
level and reasons are kept, in the shape the reports read:

    details = {"level": int (1 = best), "levels": N, "reasons": [ids], "counter": id, "clerk": name | None,
               "service": code, "channel": "device" | "phone"}

Refused, with nothing written: a level out of range, unknown reasons or reasons for a good rating (400),
a ticket that is not done (409 not_done), a second rating (409 already_rated), another counter's device
(403 wrong_counter), a device rating once the citizen has left (409 rating_closed: a later ticket was
finished there, or the window of DEVICE_WINDOW is over), a phone rating after the ticket's day (409).

Anonymity: the clerk must never see a rating attached to a citizen. The event's level stays in the log
for reports; the feed carries only `feed_event` (no ticket, no level) and a ticket's history leaves it out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from store import ratings as rating_rows

from . import events, lifecycle
from .errors import Conflict, InvalidRequest, NotAllowed, NotFound

RATED = events.RATED
CHANNELS = ("device", "phone")
DEVICE_GRACE_SECONDS = 10  # network and a slow tap: the screen's own countdown is what citizens see


def device_window(seconds: int) -> timedelta:
    """How long after the finish the counter's devices may rate: the question's `rating.seconds`, as long
    again for the reasons a low rating may add, and a little grace."""
    return timedelta(seconds=2 * seconds + DEVICE_GRACE_SECONDS)


def check_rating(options, level, reasons) -> tuple[int, list[str]]:
    """The level and reasons as they will be stored; InvalidRequest for anything out of range."""
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= options.levels:
        raise InvalidRequest("level_out_of_range",
                             f"Mức đánh giá phải là một số từ 1 đến {options.levels}.", levels=options.levels)
    reasons = [] if reasons is None else reasons
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise InvalidRequest("invalid_reasons", "Lý do phải là một danh sách mã lý do.")
    known = {reason.id for reason in options.reasons}
    if any(r not in known for r in reasons) or len(set(reasons)) != len(reasons):
        raise InvalidRequest("unknown_reason", "Có lý do không nằm trong danh sách lý do của trung tâm.")
    if reasons and not options.asks_reasons(level):
        raise InvalidRequest("reasons_not_asked", "Chỉ hỏi lý do khi công dân chưa hài lòng.")
    return level, reasons


def feed_event(row: dict) -> dict:
    """A `rated` row as the realtime feed may carry it: that someone at that counter rated, nothing more
    (no ticket, no level), so no counter screen can pair a level with the citizen it just served."""
    return {**row, "ticket_id": None, "service": None, "details": {}}  # route: the phone hears it, no more


class Ratings:
    """The rating actions and the rating screen's view over one QueueEngine (its store, clock, settings)."""

    def __init__(self, engine):
        self.engine = engine

    @property
    def options(self):
        return self.engine.settings.rating

    def pending(self, counter_id: str) -> dict | None:
        """What the counter's rating screen should ask now: its last finished ticket of today while the
        question is open and nobody rated it; {ticket_id, service_name, service_name_en, seconds_left}."""
        engine = self.engine
        engine.counter_settings(counter_id)
        now = engine.clock.now()
        with engine.store.read() as tx:
            ticket = rating_rows.last_done_at_counter(tx, counter_id, engine._today(now))
            if ticket is None or rating_rows.is_rated(tx, ticket["id"]):
                return None
        elapsed = (now - datetime.fromisoformat(ticket["finished_at"])).total_seconds()
        left = self.options.seconds - elapsed
        if left <= 0:
            return None
        service = engine.settings.services.get(ticket["service"])
        return {"ticket_id": ticket["id"], "seconds_left": round(left, 1),
                "service_name": service.name if service else ticket["service"],
                "service_name_en": service.name_en if service else ticket["service"]}

    def rate_at_counter(self, counter_id: str, ticket_id, level, reasons=None, *, actor: str) -> dict:
        """A rating from the counter's screen or keypad, for the citizen just served there."""
        return self._rate(ticket_id, level, reasons, channel="device", actor=actor, counter_id=str(counter_id))

    def rate_pending(self, counter_id: str, level, *, actor: str) -> dict:
        """A keypad press: rates whatever the counter's screen is asking about (409 nothing_to_rate when nothing)."""
        pending = self.pending(counter_id)
        if pending is None:
            raise Conflict("nothing_to_rate", "Hiện không có lượt phục vụ nào chờ đánh giá tại quầy này.")
        return self.rate_at_counter(counter_id, pending["ticket_id"], level, actor=actor)

    def rate_by_phone(self, token: str, level, reasons=None) -> dict:
        """A rating from the ticket's own status page (its token is the key)."""
        with self.engine.store.read() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) else None
        if ticket is None:
            raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.")
        return self._rate(ticket["id"], level, reasons, channel="phone", actor="phone")

    def phone_state(self, token: str) -> dict:
        """What the phone page needs: whether it may rate now, whether it has, and the choices."""
        engine = self.engine
        with engine.store.read() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) else None
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.")
            rated = rating_rows.is_rated(tx, ticket["id"])
        today = engine._today(engine.clock.now())
        return {"rated": rated, "open": not rated and ticket["status"] == lifecycle.DONE and ticket["day"] == today}

    def _rate(self, ticket_id, level, reasons, *, channel: str, actor: str, counter_id: str | None = None) -> dict:
        level, reasons = check_rating(self.options, level, reasons)
        engine = self.engine
        now = engine.clock.now()
        with engine.store.transaction() as tx:
            ticket = tx.ticket(ticket_id) if isinstance(ticket_id, int) and not isinstance(ticket_id, bool) else None
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.", ticket=ticket_id)
            if ticket["status"] != lifecycle.DONE:
                raise Conflict("not_done", "Chỉ đánh giá được sau khi thủ tục đã giải quyết xong.",
                               status=ticket["status"])
            if counter_id is not None and ticket["counter"] != counter_id:
                raise NotAllowed("wrong_counter", "Thiết bị đánh giá này thuộc quầy khác, không đánh giá được "
                                 "lượt phục vụ này.")
            if rating_rows.is_rated(tx, ticket["id"]):
                raise Conflict("already_rated", "Lượt phục vụ này đã được đánh giá. Mỗi số chỉ đánh giá một lần. "
                               "Xin cảm ơn!")
            self._check_open(tx, ticket, channel, counter_id, now)
            rating_rows.insert_rating(tx, ticket["id"], engine._stamp(now), channel)
            details = {"level": level, "levels": self.options.levels, "reasons": reasons,
                       "counter": ticket["counter"], "clerk": _clerk(tx, ticket),
                       "service": ticket["service"], "channel": channel}
            row = tx.append_event(at=now, actor=actor, kind=RATED, ticket_id=ticket["id"],
                                  counter=ticket["counter"], service=ticket["service"], details=details)
            row["route"] = {"token": ticket["token"]}  # the phone page hears it and stops offering
        return {"ticket_id": ticket["id"], "level": level, "levels": self.options.levels, "channel": channel}

    def _check_open(self, tx, ticket: dict, channel: str, counter_id: str | None, now: datetime) -> None:
        engine = self.engine
        if channel == "phone":
            if ticket["day"] != engine._today(now):
                raise Conflict("rating_closed", "Đã hết thời gian đánh giá cho số này (chỉ trong ngày được phục vụ).")
            return
        last = rating_rows.last_done_at_counter(tx, counter_id, engine._today(now))
        finished = datetime.fromisoformat(ticket["finished_at"])
        if last is None or last["id"] != ticket["id"] or now - finished > device_window(self.options.seconds):
            raise Conflict("rating_closed", "Đã hết thời gian đánh giá lượt phục vụ này tại quầy.")


def _clerk(tx, ticket: dict) -> str | None:
    """The clerk who served: the finisher when a clerk pressed "Hoàn thành", else the clerk whose claim
    holds the counter (a counter token or scanner finished on their behalf)."""
    actor = rating_rows.finisher(tx, ticket["id"]) or ""
    if actor.startswith("clerk:"):
        return actor.removeprefix("clerk:")
    return tx.counter_state(ticket["counter"])["clerk"] if ticket["counter"] else None
