"""A sliding-window limit per key (a source address), in memory: one server process serves a centre."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from core.errors import QueueError

REMEMBERED = 10_000  # keys kept at most: random addresses must not grow memory


class TooManyRequests(QueueError):
    status = 429


class SlidingWindow:
    """At most `limit` hits per `seconds` for each key."""

    def __init__(self, limit: int, seconds: float, clock=time.monotonic):
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, message: str, code: str = "too_many_requests") -> None:
        """Count one hit; raise TooManyRequests (429, `code`, `retry_after`) past the limit.
        `message` may say "{seconds}": how long until the next hit is allowed."""
        now = self.clock()
        with self._lock:
            if len(self._hits) > REMEMBERED:
                self._hits.clear()
            window = self._hits.setdefault(key, deque())
            while window and window[0] <= now - self.seconds:
                window.popleft()
            if len(window) >= self.limit:
                wait = max(1, math.ceil(window[0] + self.seconds - now))
                raise TooManyRequests(code, message.format(seconds=wait), retry_after=wait)
            window.append(now)
