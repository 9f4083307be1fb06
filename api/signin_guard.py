"""A brake on password guessing that cannot be turned against the clerks themselves.

Three limits, all in memory (one server process serves a centre; a restart forgetting them costs an
attacker nothing they could not get by waiting):
- per source address: at most `security.signin_attempts_per_minute` attempts a minute, then 429;
- per (name, source address): after `security.signin_failures_to_lock` wrong passwords in a row that name
  is locked *from that address only*, for `security.signin_lock_minutes`. Counting per account (as before)
  let anyone on the LAN lock every clerk out of their own counter PC with five wrong guesses each;
- at most HASHING_AT_ONCE password checks at a time for the whole server (each is ~70 ms of scrypt on a
  native thread): a flood from many addresses queues here, briefly, and is then refused, instead of
  taking both cores from the screens.

A refused attempt (429) is answered only after `security.signin_refusal_delay_ms`: a script that ignores
Retry-After and asks again at once (the usual guessing loop, one connection) then gets about one answer a
second instead of hundreds, and the server's cores stay with the kiosks (bench signin_flood). A held
answer is a sleeping greenlet, not work; at most HELD_AT_ONCE are held, further refusals answer at once.
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from core.errors import Conflict
from core.security_settings import Security

from .throttle import SlidingWindow, TooManyRequests

HASHING_AT_ONCE = 2
HASHING_WAIT_SECONDS = 2.0
HELD_AT_ONCE = 500   # refused attempts held back at once; a flood over many connections is answered at once
REMEMBERED = 10_000  # addresses and (name, address) pairs kept at most: random names must not grow memory



class SignInGuard:
    """Decides whether a sign-in attempt may be checked at all; learns from its outcome."""

    def __init__(self, security: Security, clock):
        self.security, self.clock = security, clock  # clock: the engine's, so tests can let time pass
        self._lock = threading.Lock()
        self._attempts = SlidingWindow(security.signin_attempts_per_minute, 60,
                                       clock=lambda: clock.now().timestamp())
        self._failures: dict[tuple[str, str], tuple[int, datetime | None]] = {}
        self._hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
        self._held = threading.BoundedSemaphore(HELD_AT_ONCE)

    def admit(self, name: str, address: str) -> None:
        """Raise TooManyRequests (429) or Conflict account_locked (409) when this attempt must not be checked."""
        try:
            self._attempts.hit(address, "Đăng nhập sai quá nhiều lần từ máy này. Xin thử lại sau {seconds} giây.",
                               code="too_many_attempts")
        except TooManyRequests:
            self._hold_back()
            raise
        now = self.clock.now()
        with self._lock:
            _, locked_until = self._failures.get((name, address), (0, None))
        if locked_until and locked_until > now:
            minutes = math.ceil((locked_until - now).total_seconds() / 60)
            raise Conflict("account_locked", "Tài khoản tạm khóa trên máy này do nhập sai mật khẩu nhiều lần. "
                           f"Thử lại sau {minutes} phút.", retry_after=math.ceil((locked_until - now).total_seconds()))

    def _hold_back(self) -> None:
        """Delay a refusal (time.sleep is gevent's under the server: the loop goes on serving)."""
        delay = self.security.signin_refusal_delay_ms / 1000
        if delay and self._held.acquire(blocking=False):
            try:
                time.sleep(delay)
            finally:
                self._held.release()

    @contextmanager
    def hashing_slot(self):
        """Hold one of the few password-checking slots; 429 `busy` when none frees within seconds."""
        if not self._hashing.acquire(timeout=HASHING_WAIT_SECONDS):
            raise TooManyRequests("signin_busy", "Hệ thống đang bận xử lý đăng nhập. Xin thử lại sau ít giây.",
                                  retry_after=2)
        try:
            yield
        finally:
            self._hashing.release()

    def failed(self, name: str, address: str) -> bool:
        """Count a wrong password; True when that locks the name from this address."""
        now = self.clock.now()
        with self._lock:
            if len(self._failures) > REMEMBERED:
                self._failures.clear()
            count, _ = self._failures.get((name, address), (0, None))
            count += 1
            if count >= self.security.signin_failures_to_lock:
                self._failures[(name, address)] = (0, now + timedelta(minutes=self.security.signin_lock_minutes))
                return True
            self._failures[(name, address)] = (count, None)
            return False

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name, address), None)

    def locked_names(self) -> dict[str, int]:
        """{name: from how many source addresses it is locked right now} (the console's users page)."""
        now, locked = self.clock.now(), {}
        with self._lock:
            for (name, _), (_, until) in self._failures.items():
                if until and until > now:
                    locked[name] = locked.get(name, 0) + 1
        return locked

    def unlock(self, name: str) -> None:
        """Forget every lock and failure of `name` (a new password was set)."""
        with self._lock:
            for key in [key for key in self._failures if key[0] == name]:
                del self._failures[key]
