"""The wait estimate's engine: simulate the counters forward from now, one pass for every waiting ticket.

Each staffed counter (open or paused, core/staffing.py) is a station with its thủ tục, whether it is a
priority counter, and the moment it is expected to be free: now when idle; after the expected rest of the
citizen it is serving; after the expected rest of its break when paused. The earliest-free station takes
the ticket core/ordering.py would give it (the very same `choose_next`, with the same priority bound), is
busy for that thủ tục's expected service time, and so on until every waiting ticket is taken. A ticket's
expected wait is the moment it is taken.

Besides the citizens already waiting, priority citizens keep arriving (today's rate per thủ tục): they
are fed in at their expected arrival times, so a normal ticket's wait includes the priority tickets that
will go ahead of it meanwhile. A ticket sent straight to a counter is only taken there. A newcomer (the
kiosk's card before the tap) is a "ghost": a normal ticket arriving now that is placed like any other but
takes no counter time, so the ghosts of all thủ tục can share one pass without delaying one another.

A counter still expected to take breaks today (core/estimate.py `stretch`) works at a slower pace: its
service times are stretched by its factor.

The spread of a wait is the sum of the variances of the service times (and of the break, and of the
service in progress) that the station taking it went through: the printed range comes from it.

Pure and framework-free: the store's rows come in as plain values, times are minutes from now.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from .ordering import choose_next

# Nobody waits half a day for a call: a simulation that has not placed a ticket by then stops (a flood
# of priority arrivals at a dedicated priority counter could otherwise feed it forever).
HORIZON_MINUTES = 12 * 60
_VIRTUAL = -10_000_000  # ids at or below: priority citizens expected to arrive (not in any result)


@dataclass
class Station:
    """A staffed counter as the simulation sees it."""
    id: str
    services: tuple[str, ...]
    priority: bool = False
    free_in: float = 0.0      # minutes from now until it can call
    variance: float = 0.0     # of free_in
    stretch: float = 1.0      # on its service times: the breaks it is still expected to take today


@dataclass
class Waiting:
    """A callable ticket: the fields core/ordering.py looks at, plus where it may be called."""
    id: int
    service: str
    priority: bool
    key: tuple                 # FIFO order: (arrived_at, id)
    returned: bool = False     # a no-show that came back (core/ordering.py keeps it behind older normals)
    target: str | None = None  # sent straight to this counter
    jumps: int = 0             # priority calls that went ahead of it while it was first in line


@dataclass
class Placement:
    """Where the simulation put a ticket: minutes from now, the variance of that, people called before it
    at the counters that could call it."""
    minutes: float
    variance: float
    ahead: int


@dataclass
class Forecast:
    """The result of one pass: placements by ticket id, and by thủ tục for a newcomer arriving now."""
    tickets: dict[int, Placement] = field(default_factory=dict)
    newcomers: dict[str, Placement] = field(default_factory=dict)


class _Line:
    """One FIFO list (a thủ tục's normal or priority tickets, or a counter's targeted ones), read from the head."""

    __slots__ = ("items", "head")

    def __init__(self):
        self.items: list[Waiting] = []
        self.head = 0

    def first(self) -> Waiting | None:
        return self.items[self.head] if self.head < len(self.items) else None

    def take(self, ticket: Waiting) -> None:
        if self.items[self.head] is ticket:
            self.head += 1
        else:  # a priority ticket behind a held-back returned one (rare)
            self.items.remove(ticket)


def _arrived(ticket: Waiting, now: float) -> bool:
    return ticket.key[0] != "~" or ticket.key[1] <= now


def simulate(stations: list[Station], waiting: list[Waiting], service_minutes: dict[str, tuple[float, float]],
             *, streak_limit: int, priority_rates: dict[str, float] | None = None,
             newcomer_services: tuple[str, ...] = (), arrivals_until: float = HORIZON_MINUTES) -> Forecast:
    """Run the counters forward; `waiting` in FIFO order, `service_minutes[service] = (mean, variance)`,
    `priority_rates[service]` = priority arrivals per minute expected from now until `arrivals_until`
    minutes from now (the end of the opening session: nobody takes a number after it).

    The priority bound is per waiting citizen (README "Fairness"): a normal ticket first in line for a
    counter carries how many priority calls have gone ahead of it, at any counter, and after
    `streak_limit` of them it is called next.
    """
    forecast = Forecast()
    jumps: dict[int, int] = {t.id: t.jumps for t in waiting}
    normal: dict[str, _Line] = {}
    priority: dict[str, _Line] = {}
    targeted_normal = {s.id: _Line() for s in stations}
    targeted_priority = {s.id: _Line() for s in stations}
    servers: dict[str, list[str]] = {}  # service → stations that serve it
    for station in stations:
        for service in station.services:
            servers.setdefault(service, []).append(station.id)
            normal.setdefault(service, _Line())
            priority.setdefault(service, _Line())
    line_of: dict[int, _Line] = {}
    left = {s.id: 0 for s in stations}  # real tickets and ghosts each station could still take
    for ticket in waiting:
        if ticket.target is not None:
            if ticket.target not in left:
                continue  # sent to a counter nobody staffs: no estimate
            line = (targeted_priority if ticket.priority else targeted_normal)[ticket.target]
            left[ticket.target] += 1
        elif ticket.service in servers:
            line = (priority if ticket.priority else normal)[ticket.service]
            for station_id in servers[ticket.service]:
                left[station_id] += 1
        else:
            continue
        line.items.append(ticket)
        line_of[ticket.id] = line
    ghosts: dict[int, str] = {}
    for service in newcomer_services:
        if service in servers and service not in ghosts.values():
            ghost = Waiting(id=-1 - len(ghosts), service=service, priority=False, key=("~", 0.0, len(ghosts)))
            ghosts[ghost.id] = service
            normal[service].items.append(ghost)
            line_of[ghost.id] = normal[service]
            for station_id in servers[service]:
                left[station_id] += 1
    # Priority arrivals to come, generated lazily per service as simulated time passes.
    rates = {s: r for s, r in (priority_rates or {}).items() if r > 0 and s in servers}
    never = float("inf")

    def due(moment: float) -> float:
        return moment if moment <= arrivals_until else never
    next_arrival = {s: due(1.0 / r) for s, r in rates.items()}
    virtual_id = _VIRTUAL

    # Per station: its lines, its services with priority arrivals, its clock and spread (not the caller's).
    normal_lines = {s.id: [normal[x] for x in s.services] + [targeted_normal[s.id]] for s in stations}
    priority_lines = {s.id: [priority[x] for x in s.services] + [targeted_priority[s.id]] for s in stations}
    arriving = {s.id: [x for x in s.services if x in rates] for s in stations}
    spread = {s.id: s.variance for s in stations}
    calls: list[tuple[str, int]] = []  # (station, ticket id) of real tickets and ghosts, in the order taken
    by_id = {s.id: s for s in stations}
    heap = [(s.free_in, index, s.id) for index, s in enumerate(stations) if left[s.id] > 0]
    heapq.heapify(heap)
    order = len(stations)
    while heap:
        now, _, station_id = heapq.heappop(heap)
        if now > HORIZON_MINUTES:
            continue
        if left[station_id] <= 0 and not any(left[other] > 0 for service in arriving[station_id]
                                             for other in servers[service]):
            continue  # nothing left for it, and no priority arrival it takes would spare anyone else
        station = by_id[station_id]
        for service in arriving[station_id]:
            while next_arrival[service] <= now:
                virtual_id -= 1
                ticket = Waiting(id=virtual_id, service=service, priority=True, key=("~", next_arrival[service]))
                priority[service].items.append(ticket)
                line_of[virtual_id] = priority[service]
                next_arrival[service] = due(next_arrival[service] + 1.0 / rates[service])
        oldest_normal = None
        for line in normal_lines[station_id]:
            items = line.items
            head = items[line.head] if line.head < len(items) else None
            if head is not None and (oldest_normal is None or head.key < oldest_normal.key):
                oldest_normal = head
        oldest_priority = oldest_fresh = None
        for line in priority_lines[station_id]:
            items = line.items
            head = items[line.head] if line.head < len(items) else None
            if head is None or not _arrived(head, now):
                continue
            if oldest_priority is None or head.key < oldest_priority.key:
                oldest_priority = head
            fresh = head if not head.returned else next(
                (t for t in line.items[line.head:] if not t.returned and _arrived(t, now)), None)
            if fresh is not None and (oldest_fresh is None or fresh.key < oldest_fresh.key):
                oldest_fresh = fresh
        if oldest_priority is None:
            if oldest_normal is None:
                if arriving[station_id]:  # idle until the next priority citizen it serves is expected
                    heapq.heappush(heap, (min(next_arrival[x] for x in arriving[station_id]), order, station_id))
                    order += 1
                continue
            ticket = oldest_normal
        elif oldest_normal is None and oldest_fresh is oldest_priority:
            ticket = oldest_priority
        else:  # both kinds wait (or a returned ticket is held back): the queue's own rule decides
            candidates = {t.id: t for t in (oldest_priority, oldest_fresh, oldest_normal) if t is not None}
            rows = sorted(({"id": t.id, "priority": t.priority, "returned_at": t.returned, "key": t.key}
                           for t in candidates.values()), key=lambda row: row["key"])
            choice = choose_next(rows, streak=jumps.get(oldest_normal.id, 0) if oldest_normal else 0,
                                 streak_limit=streak_limit, priority_counter=station.priority)
            ticket = candidates[choice.ticket["id"]]
            if ticket.priority and oldest_normal is not None:
                jumps[oldest_normal.id] = choice.priority_streak
        line_of[ticket.id].take(ticket)
        if ticket.id > _VIRTUAL:  # a citizen here now, or a ghost
            placement = Placement(now, spread[station_id], 0)
            if ticket.id in ghosts:
                forecast.newcomers[ghosts[ticket.id]] = placement
            else:
                forecast.tickets[ticket.id] = placement
            calls.append((station_id, ticket.id))
            for other in ((ticket.target,) if ticket.target else servers[ticket.service]):
                left[other] -= 1
        if ticket.id in ghosts:
            heapq.heappush(heap, (now, order, station_id))  # a ghost takes no counter time
        else:
            mean, variance = service_minutes.get(ticket.service, (0.0, 0.0))
            spread[station_id] += variance
            heapq.heappush(heap, (now + mean * station.stretch, order, station_id))
        order += 1
    _count_ahead(forecast, calls, waiting, ghosts, servers)
    return forecast


def _count_ahead(forecast: Forecast, calls, waiting: list[Waiting], ghosts: dict, servers) -> None:
    """People ahead of a ticket = the citizens already here that the simulation calls before it at the
    counters that could call it (a later arrival the rules put first counts; one who goes to a counter
    that cannot serve it does not)."""
    serving_of = {t.id: ((t.target,) if t.target else servers.get(t.service, ())) for t in waiting}
    for ghost_id, service in ghosts.items():
        serving_of[ghost_id] = servers.get(service, ())
    run: dict[str, int] = {}
    for station_id, ticket_id in calls:
        ahead = sum(run.get(counter, 0) for counter in serving_of[ticket_id])
        if ticket_id in ghosts:
            forecast.newcomers[ghosts[ticket_id]].ahead = ahead
        else:
            forecast.tickets[ticket_id].ahead = ahead
            run[station_id] = run.get(station_id, 0) + 1
