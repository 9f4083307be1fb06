"""The wait printed on a ticket: people ahead and minutes, an estimate we can defend.

people ahead: callable tickets that compete for the same counters (any service sharing a counter with
  this ticket's service) and would be called before it — for a priority ticket, older priority tickets;
  for a normal ticket, older normal tickets plus every waiting priority ticket (they go first).
minutes: the sum, over those people, of their service's mean service time (call → finish, last 20
  finished tickets of the past 7 days, `policy.default_service_minutes` until there are 3), divided by
  the counters open for this ticket's service (configured, not paused). Rounded up.
"""

from __future__ import annotations

import math
from statistics import mean

MIN_SAMPLES = 3


def mean_service_minutes(samples: list[float], default: float) -> float:
    """Mean of measured service times, or the configured default while too few are measured."""
    return mean(samples) if len(samples) >= MIN_SAMPLES else default


def estimate_minutes(ahead_by_service: dict[str, int], minutes_by_service: dict[str, float],
                     open_counters: int) -> int | None:
    """Minutes until a ticket is called; None when no counter is open for its service."""
    if open_counters <= 0:
        return None
    work = sum(count * minutes_by_service[service] for service, count in ahead_by_service.items())
    return math.ceil(work / open_counters)
