"""Whether a counter is open: the one definition the estimate, the monitor and the display tiles share.

A counter is
- "open" when someone works there now: a clerk holds a live claim on it (signed in, not idle past
  policy.counter_idle_minutes, not from an earlier day: core/counters.py), or its counter device acted
  within DEVICE_RECENT_MINUTES (a call, start, finish, transfer, pause, …), or it is in the middle of
  serving a citizen (a called or serving ticket is on it: someone is obviously there);
- "paused" when it is staffed in that sense and its clerk pressed "Tạm nghỉ": it calls nobody now but
  will again after the break, so the wait estimate keeps it, free at the expected end of the break;
- "unstaffed" otherwise: nobody to call anyone. The estimate leaves it out entirely.

Pure: the store gives the claims, the last device actions and the pause flags; nothing here reads a
clock or a database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Mapping

OPEN = "open"
PAUSED = "paused"
UNSTAFFED = "unstaffed"
STATES = (OPEN, PAUSED, UNSTAFFED)

# A counter run by its device token alone (no clerk account) counts as staffed this long after its last
# action. An hour covers a long service and a typical break (both end in an action); a counter nobody
# touched for longer than that has nobody behind it as far as the server can tell.
DEVICE_RECENT_MINUTES = 60


def counter_state(*, claimed: bool, device_seen: datetime | None, paused: bool, busy: bool,
                  now: datetime) -> str:
    """The state of one counter from what the store knows about it (see the module docstring)."""
    recent = device_seen is not None and now - device_seen <= timedelta(minutes=DEVICE_RECENT_MINUTES)
    if not (claimed or recent or busy):
        return UNSTAFFED
    return PAUSED if paused else OPEN


def counter_states(settings, claims: Mapping[str, str | None], device_seen: Mapping[str, datetime],
                   paused: Iterable[str], now: datetime, busy: Iterable[str] = ()) -> dict[str, str]:
    """{counter id: "open" | "paused" | "unstaffed"} for every configured counter.

    claims: counter → clerk name of a claim that holds now (None or absent: nobody signed in);
    device_seen: counter → time of the last action taken at that counter (by anyone: clerk, device, scanner);
    paused: counters whose "Tạm nghỉ" is on; busy: counters with a called or serving ticket on them.
    """
    paused, busy = set(paused), set(busy)
    return {counter_id: counter_state(claimed=bool(claims.get(counter_id)), device_seen=device_seen.get(counter_id),
                                      paused=counter_id in paused, busy=counter_id in busy, now=now)
            for counter_id in settings.counters}


def is_open(state: str) -> bool:
    """True for a counter that calls citizens now (not paused, not unstaffed)."""
    return state == OPEN


def is_staffed(state: str) -> bool:
    """True for a counter with someone behind it, open or on a break."""
    return state in (OPEN, PAUSED)
