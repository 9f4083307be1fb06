"""A polite brake on one kiosk issuing many tickets in a row (a stuck finger, a child at play).

In memory, per kiosk, a sliding window: at most `kiosk.rate_limit_tickets` tickets within
`kiosk.rate_limit_seconds`. One server process serves the centre (README, "Running a centre"), so
memory is the right place: nothing to clean up, and a restart forgets a burst that is over anyway.
The kiosk page itself also ignores taps while a request is in flight; this is the server's half.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

from flask import Flask, g, jsonify, request

from api.auth import current_caller
from core.errors import QueueError

ISSUE_ENDPOINT = "api.issue_ticket"  # POST /api/tickets (api/routes.py)


class RateLimited(QueueError):
    status = 429


class TicketRateLimiter:
    """Per kiosk: at most `tickets` tickets within `seconds`. A slot is taken before the ticket is issued
    and given back when the request fails, so two simultaneous taps cannot both squeeze past the limit."""

    def __init__(self, tickets: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.tickets, self.seconds, self.clock = tickets, seconds, clock
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}

    def take(self, kiosk: str) -> tuple[float | None, float]:
        """(slot, 0.0) when `kiosk` may issue now; (None, seconds until a slot frees) when it may not."""
        now = self.clock()
        with self._lock:
            window = self._recent.setdefault(kiosk, deque())
            while window and window[0] <= now - self.seconds:
                window.popleft()
            if len(window) >= self.tickets:
                return None, window[0] + self.seconds - now
            window.append(now)
            return now, 0.0

    def give_back(self, kiosk: str, slot: float) -> None:
        """Return a slot whose request issued no ticket (refused, malformed, or failed)."""
        with self._lock:
            window = self._recent.get(kiosk)
            if window and slot in window:
                window.remove(slot)


def install(app: Flask, tickets: int, seconds: int) -> TicketRateLimiter | None:
    """Put the limiter in front of POST /api/tickets for kiosk callers; None when the limit is off (0)."""
    if tickets <= 0:
        return None
    limiter = TicketRateLimiter(tickets, seconds)

    @app.before_request
    def _limit_kiosk_tickets():
        if request.endpoint != ISSUE_ENDPOINT or request.method != "POST":
            return None
        try:
            caller = current_caller()
        except QueueError:
            return None  # a bad token: the route itself answers 401
        if caller is None or caller.kind != "kiosk":
            return None
        slot, wait = limiter.take(caller.id)
        if slot is None:
            seconds = max(1, math.ceil(wait))
            raise RateLimited("rate_limited", f"Kiosk vừa cấp số liên tiếp. Xin vui lòng chờ {seconds} giây "
                              "rồi chạm lại. Xin cảm ơn!", retry_after=seconds)
        g.kiosk_ticket_slot = (caller.id, slot)
        return None

    @app.after_request
    def _give_back_unused_slot(response):
        taken = g.pop("kiosk_ticket_slot", None)
        if taken is not None and response.status_code != 201:
            limiter.give_back(*taken)
        return response

    @app.errorhandler(RateLimited)
    def _rate_limited(error: RateLimited):
        seconds = error.details["retry_after"]
        return jsonify({"error": error.code, "message": error.message, "retry_after": seconds}), 429, {
            "Retry-After": str(seconds)}

    return limiter
