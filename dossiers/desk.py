"""What the kiosk and the counter call to look a dossier up: one place for the checks, the slow-down
and the citizen's view, whichever source is configured (README "Hồ sơ (dossiers)")."""

from __future__ import annotations

import math
import threading
import time
from functools import partial

from api.throttle import TooManyRequests
from core.dossier_views import citizen_view
from core.dossiers import DossierError, normalise_code
from core.errors import InvalidRequest, NotFound, QueueError
from core.numbering import local_day

from .http_source import HttpDossierSource
from .source import SourceUnavailable, StoredSource

LONGEST_DELAY = 60
REMEMBERED = 10_000


class SourceBusy(QueueError):
    status = 503


class LookupOff(QueueError):
    status = 404


class WrongCodeBrake:
    """Per device: after `allowed` wrong or unknown codes in a row, each lookup waits `delay` seconds
    after the last wrong one, doubling with every further wrong code (at most a minute). A found dossier
    resets it. Guessing codes at a kiosk is then slow; a citizen who mistypes twice is not bothered."""

    def __init__(self, allowed: int, delay: int, clock=time.monotonic):
        self.allowed, self.delay, self.clock = allowed, delay, clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, float]] = {}  # device → (wrong in a row, when the last was)

    def check(self, device: str) -> None:
        with self._lock:
            wrong, last = self._state.get(device, (0, 0.0))
        if wrong < self.allowed:
            return
        wait = min(LONGEST_DELAY, self.delay * 2 ** (wrong - self.allowed))
        left = last + wait - self.clock()
        if left > 0:
            seconds = max(1, math.ceil(left))
            raise TooManyRequests("lookup_slowed", f"Đã nhập sai mã nhiều lần. Xin chờ {seconds} giây rồi thử lại.",
                                  retry_after=seconds)

    def wrong(self, device: str) -> None:
        with self._lock:
            if len(self._state) > REMEMBERED:
                self._state.clear()
            count, _ = self._state.get(device, (0, 0.0))
            self._state[device] = (count + 1, self.clock())

    def right(self, device: str) -> None:
        with self._lock:
            self._state.pop(device, None)


class DossierDesk:
    """lookup(device, text) → the citizen's view; refusals are QueueErrors with a Vietnamese message."""

    def __init__(self, engine, store, clock=time.monotonic):
        self.engine, self.store = engine, store
        options = engine.settings.dossiers
        self.brake = WrongCodeBrake(options.failures_before_delay, options.delay_seconds, clock)
        if options.source == "http":
            self.source = HttpDossierSource(options, store)
        else:
            self.source = StoredSource(store)

    @property
    def options(self):
        return self.engine.settings.dossiers

    def check_code(self, text: str) -> str:
        """The normalised code; raises InvalidRequest (code_*) with the Vietnamese reason."""
        options = self.options
        try:
            return normalise_code(text, pattern=options.code_pattern, checksum=options.checksum,
                                  max_length=options.max_length)
        except DossierError as error:
            raise InvalidRequest(error.code, error.message) from None

    def lookup(self, device: str, text: str, lang: str = "vi") -> dict:
        if not self.options.enabled:
            raise LookupOff("lookup_off", "Trung tâm chưa mở chức năng tra cứu hồ sơ.")
        self.brake.check(device)
        try:
            code = self.check_code(text)
        except InvalidRequest:
            self.brake.wrong(device)
            raise
        try:
            dossier = self.source.lookup(code)
        except SourceUnavailable as error:
            raise SourceBusy(error.code, error.message, retry_after=10) from None
        if dossier is None:
            self.brake.wrong(device)
            raise NotFound("dossier_not_found", f"Không tìm thấy hồ sơ có mã {code}. Xin kiểm tra lại mã trên "
                                                "giấy hẹn trả kết quả hoặc hỏi quầy hướng dẫn.", dossier=code)
        self.brake.right(device)
        settings = self.engine.settings
        today = local_day(self.engine.clock.now(), settings.centre.timezone)
        return citizen_view(dossier, today, result_counter=self.options.result_counter,
                            result_service=self.options.result_service, lang=lang)


def checker(options):
    """normalise_code with the centre's rules (for callers without a desk)."""
    return partial(normalise_code, pattern=options.code_pattern, checksum=options.checksum,
                   max_length=options.max_length)
