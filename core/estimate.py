"""The numbers of the wait estimate: what the forward simulation (core/forecast.py) is fed, and how its
result is printed. README "How the wait estimate works" says the same for a centre manager.

Service time of a thủ tục = how long a counter is taken by one of its tickets, call → finish (done) or
call → "vắng mặt" (no-show: the counter waited through the recalls too). Measured over its
SAMPLE_COUNT most recent tickets finished since local midnight WINDOW_DAYS days ago: recent enough to
follow today's staff and files, long enough that a thủ tục with a few tickets a day still has figures in
the morning. With fewer than MIN_SAMPLES, today's mean over every thủ tục, then
`policy.default_service_minutes`.

A break's length is learnt from the counters' pause → resume pairs in the same window (default
DEFAULT_BREAK_MINUTES). The expected rest of a service or break already under way is the mean, over the
measured ones that lasted longer than it has so far, of what they still took (a service that has gone on
long is likely a long one).

Breaks still to come: a counter that has taken fewer breaks today than a counter's typical day in the
window (pause events per counter-day worked) is expected to take the rest during what is left of today's
opening hours, so its service times are stretched by 1 + breaks left × typical break ÷ open minutes left
(at most MAX_STRETCH). Without history (no breaks measured) nothing is stretched.

Transfers to come: a visit that ends in a transfer holds its counter but is no service-time sample; and a
transferred ticket keeps its place (policy.keep_position_on_transfer), so it goes ahead of those waiting
where it is sent. Today's transfers per minute, times the thủ tục's service time, at the counter they
left and (keeping their place) where they went, is counter time those waiting will not get: each
counter's pace is slowed by its share of it (`inflow_stretch`, at most MAX_STRETCH with the breaks).

Output: minutes rounded to the nearest minute; a wait of LONG_WAIT_MINUTES or more also gets a range,
the estimate ± one standard deviation of the simulated wait (from the measured spread of the service
times and breaks on its way), rounded outward to whole minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import fsum
from statistics import fmean

MIN_SAMPLES = 3
SAMPLE_COUNT = 30
WINDOW_DAYS = 7
DEFAULT_BREAK_MINUTES = 15.0
LONG_WAIT_MINUTES = 30
OVERDUE_MINUTES = 2.0     # a service or break that outlasted every measured one: expected to end soon
MIN_RATE_MINUTES = 60.0   # priority arrival rate = today's count ÷ at least an hour (no burst at 07:31)
DEFAULT_SPREAD = 0.5      # coefficient of variation assumed until a thủ tục has its own samples
MAX_STRETCH = 1.5         # breaks to come never more than halve a counter's pace


@dataclass(frozen=True)
class Duration:
    """A measured kind of duration: mean, variance and the samples (for the expected rest)."""
    mean: float
    variance: float
    samples: tuple[float, ...] = ()

    def remaining(self, elapsed: float) -> float:
        """Expected minutes still to go for one that has lasted `elapsed` minutes so far."""
        longer = [sample - elapsed for sample in self.samples if sample > elapsed]
        if longer:
            return fmean(longer)
        if not self.samples:
            return max(self.mean - elapsed, OVERDUE_MINUTES)
        return OVERDUE_MINUTES


def assumed(mean: float) -> Duration:
    """A duration known only by its mean."""
    return Duration(mean, (DEFAULT_SPREAD * mean) ** 2)


def measured(samples: list[float], fallback: Duration) -> Duration:
    """The samples' own figures once there are MIN_SAMPLES, else `fallback`."""
    if len(samples) < MIN_SAMPLES:
        return fallback
    # Plain float arithmetic: statistics.pvariance is exact (Fractions) and cost more than the whole
    # simulation on every estimate.
    mean = fsum(samples) / len(samples)
    return Duration(mean, fsum((sample - mean) ** 2 for sample in samples) / len(samples), tuple(samples))


def service_times(samples_by_service: dict[str, list[float]], today_samples: list[float], default_minutes: float,
                  services) -> dict[str, Duration]:
    """Duration per thủ tục: its own samples, else today's overall, else the configured default."""
    fallback = measured(today_samples, assumed(default_minutes))
    if fallback.samples:  # today's overall mean stands in, with the default spread (it mixes thủ tục)
        fallback = assumed(fallback.mean)
    return {code: measured(samples_by_service.get(code, []), fallback) for code in services}


def break_length(breaks: list[float]) -> Duration:
    """The centre's typical break, learnt from pause → resume, or the default."""
    return measured(breaks, assumed(DEFAULT_BREAK_MINUTES))


def priority_rates(issued_today: dict[str, int], minutes_open: float) -> dict[str, float]:
    """Priority tickets per minute per thủ tục, today so far (expected to keep arriving like that)."""
    span = max(minutes_open, MIN_RATE_MINUTES)
    return {service: count / span for service, count in issued_today.items() if count}


def open_minutes_left(sessions, local_now) -> float:
    """Minutes of today's opening sessions [(start, end) local times] still ahead of `local_now`."""
    now = local_now.hour * 60 + local_now.minute + local_now.second / 60
    return sum(max(0.0, (end.hour * 60 + end.minute) - max(now, start.hour * 60 + start.minute))
               for start, end in sessions)


def stretch(typical_breaks: float, taken_today: int, break_minutes: float, open_left: float) -> float:
    """Factor on a counter's service times for the breaks it is still expected to take today."""
    left = typical_breaks - taken_today
    if left <= 0 or open_left <= 0:
        return 1.0
    return min(1.0 + left * break_minutes / open_left, MAX_STRETCH)


def inflow_stretch(share: float) -> float:
    """Factor on a counter's service times when `share` of its time goes to tickets that jump ahead."""
    return 1.0 / (1.0 - min(max(share, 0.0), 1.0 - 1.0 / MAX_STRETCH))


def rounded(minutes: float) -> int:
    """To the nearest minute (half up): 2.5 → 3, 2.4 → 2."""
    return int(math.floor(minutes + 0.5))


def wait_range(minutes: float, variance: float) -> tuple[int | None, int | None]:
    """(low, high) for a long wait, (None, None) for a short one."""
    if rounded(minutes) < LONG_WAIT_MINUTES:
        return None, None
    spread = math.sqrt(max(variance, 0.0))
    low, high = math.floor(minutes - spread), math.ceil(minutes + spread)
    return max(low, 0), max(high, low + 1)


def printed(ahead: int, minutes: float | None, variance: float = 0.0) -> dict:
    """The estimate as stored, printed, shown and sent: {ahead, minutes, low, high}."""
    if minutes is None:
        return {"ahead": ahead, "minutes": None, "low": None, "high": None}
    low, high = wait_range(minutes, variance)
    return {"ahead": ahead, "minutes": rounded(minutes), "low": low, "high": high}
