"""Past working days for the demo and the benchmark (issue 12 item 4), played through the queue engine.

Each day is a small discrete-event simulation on a FixedClock: citizens arrive with a morning peak, each
counter calls the next ticket when it is free, the citizen walks up (or does not: a no-show, a third of
whom come back), is served for a time drawn around the thủ tục's own mean, is now and then transferred,
and most rate the service. Every step is a real engine action (issue, call, recall, start, finish,
no-show, return, transfer, cancel), so the event log looks exactly like a real centre's and the
reports and the board read it the same way. Ratings are `rated` events of the shape the rating screens
write. Random but reproducible: the same seed gives the same history.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .clock import FixedClock
from .engine import QueueEngine
from .errors import QueueError
from .settings import Settings

# Mean service minutes per thủ tục of the demo centre; any other code gets DEFAULT_MINUTES.
SERVICE_MINUTES = {"KS": 8, "KH": 12, "KT": 7, "XNHN": 6, "GCN": 20, "CN-DD": 18, "TL-DN": 15, "HKD": 10,
                   "CT-BS": 4, "CT-CK": 3, "LLTP": 6, "GPXD": 15, "TCTN": 10, "NCC": 12, "GPLX": 7, "DKX": 9}
DEFAULT_MINUTES = 8
# How busy each local hour is (a morning peak at 8–10, a smaller one after lunch).
HOUR_WEIGHT = {7: 1.0, 8: 3.2, 9: 3.0, 10: 2.0, 11: 0.8, 13: 1.6, 14: 1.8, 15: 1.3, 16: 0.7}
CLERKS = ("lan", "minh", "hoa", "tuan", "thao", "binh", "nga", "phuong", "quang", "dung", "hieu", "yen")
NO_SHOW, COMES_BACK, TRANSFER, CANCEL, PRIORITY, RATES = 0.05, 0.35, 0.03, 0.01, 0.07, 0.7
LEVEL_WEIGHTS = (0.52, 0.3, 0.11, 0.05, 0.02)  # 1 = rất hài lòng … 5 = rất không hài lòng


@dataclass
class Seeded:
    days: int
    tickets: int
    first_day: str | None
    last_day: str | None
    today: int = 0  # tickets of today's morning (seed_history's `until`)


def working_days(settings: Settings, before: date, count: int) -> list[date]:
    """The `count` days with opening hours just before `before`, oldest first."""
    days, day = [], before
    while len(days) < count:
        day -= timedelta(days=1)
        if settings.hours.weekly.get(day.isoweekday()):
            days.append(day)
    return days[::-1]


def seed_history(settings: Settings, store, *, days: int, per_day: int, today: date, seed: int = 2026,
                 progress=None, until: datetime | None = None) -> Seeded:
    """Play `days` working days of about `per_day` tickets each, ending the day before `today`; with
    `until` (a moment of `today`), today too, up to that moment: the demo opens on a lobby with people
    waiting and counters at work (left as they are: called tickets stay at their counters)."""
    if not settings.hours.weekly:
        raise ValueError("no opening hours in the config: there are no working days to seed")
    chosen = working_days(settings, today, days)
    random_ = random.Random(seed)
    clock = FixedClock(datetime.combine(chosen[0], time(6, 0), settings.centre.timezone))
    engine = QueueEngine(settings, store, clock)
    tickets = 0
    for index, day in enumerate(chosen):
        tickets += _Day(engine, clock, settings, random_, day).play(per_day)
        if progress:
            progress(index + 1, len(chosen), tickets)
    clock.set(datetime.combine(today, time(0, 1), settings.centre.timezone))
    engine.expire_past_days()  # the last seeded day's leftovers, as the real rollover would
    today_tickets = 0
    if until is not None and settings.hours.weekly.get(today.isoweekday()):
        day = _Day(engine, clock, settings, random_, today)
        if day.sessions[0][0] < until:
            today_tickets = day.play(per_day, until=until)
    return Seeded(len(chosen), tickets, chosen[0].isoformat() if chosen else None,
                  chosen[-1].isoformat() if chosen else None, today_tickets)


class _Day:
    def __init__(self, engine: QueueEngine, clock: FixedClock, settings: Settings, random_: random.Random, day: date):
        self.engine, self.clock, self.settings, self.random, self.day = engine, clock, settings, random_, day
        self.zone = settings.centre.timezone
        self.sessions = [(self._at(start), self._at(end)) for start, end in settings.hours.weekly[day.isoweekday()]]
        self.heap: list = []
        self.order = 0
        self.clerk = {counter: CLERKS[index % len(CLERKS)] for index, counter in enumerate(settings.counters)}
        self.by_device = False
        self.idle: set[str] = set()  # counters that found nobody waiting: woken by the next citizen they serve
        self.polls: dict[str, int] = {}  # each idle counter's one pending look-again (older ones are void)

    def _at(self, moment: time) -> datetime:
        return datetime.combine(self.day, moment, self.zone)

    def _push(self, when: datetime, action: str, *payload) -> None:
        self.order += 1
        heapq.heappush(self.heap, (when, self.order, action, payload))

    def _arrivals(self, per_day: int) -> list[datetime]:
        slots = []  # (start, end, weight) of every open part of an hour
        for start, end in self.sessions:
            moment = start
            while moment < end:
                edge = min(end, (moment + timedelta(hours=1)).replace(minute=0, second=0))
                slots.append((moment, edge, HOUR_WEIGHT.get(moment.hour, 0.5) * (edge - moment).total_seconds()))
                moment = edge
        # A half-day (Saturday morning) gets fewer citizens, in proportion to its weight.
        full = max(self._day_weight(sessions) for sessions in self.settings.hours.weekly.values())
        count = round(per_day * min(1.0, sum(weight for _, _, weight in slots) / full))
        picked = self.random.choices(slots, weights=[weight for _, _, weight in slots], k=count)
        # The last quarter hour before closing takes nobody new: the doors close, the queue is served.
        return sorted(start + (end - start - timedelta(minutes=15 if end in [s[1] for s in self.sessions] else 0))
                      * self.random.random() for start, end, _ in picked)

    def _day_weight(self, sessions) -> float:
        total = 0.0
        for start, end in sessions:
            moment = self._at(start)
            while moment < self._at(end):
                edge = min(self._at(end), (moment + timedelta(hours=1)).replace(minute=0, second=0))
                total += HOUR_WEIGHT.get(moment.hour, 0.5) * (edge - moment).total_seconds()
                moment = edge
        return total

    def _service_weights(self) -> tuple[list[str], list[float]]:
        """Citizens per thủ tục in proportion to the counter time it gets: each counter's day shared equally
        among its thủ tục, divided by the thủ tục's mean minutes (so no counter is swamped by design)."""
        share: dict[str, float] = {}
        for counter in self.settings.counters.values():
            for code in counter.services:
                share[code] = share.get(code, 0.0) + 1 / len(counter.services)
        codes = [code for code in self.settings.services if code in share]
        return codes, [share[code] / SERVICE_MINUTES.get(code, DEFAULT_MINUTES) for code in codes]

    def _minutes_scale(self, per_day: int, codes, weights) -> float:
        """Service times shrink when the day's citizens would not fit the counters' hours (the benchmark's
        1,000 tickets a day at 10 counters): a seeded day ends with its queue served, as a real one does."""
        open_minutes = sum((end - start).total_seconds() for start, end in self.sessions) / 60
        # 75 % of the counters' time, less each citizen's walk up and the clerk's gap (about 1.2 minutes).
        capacity = max(0.75 * len(self.settings.counters) * open_minutes - 1.2 * per_day,
                       0.1 * len(self.settings.counters) * open_minutes)
        demand = per_day * sum(SERVICE_MINUTES.get(c, DEFAULT_MINUTES) * w for c, w in zip(codes, weights)) / sum(weights)
        return min(1.0, capacity / demand) if demand else 1.0

    def play(self, per_day: int, until: datetime | None = None) -> int:
        """Play the day (or, with `until`, today up to that moment); returns the citizens who arrived.

        Today is played by the counters' device tokens, not by clerks' claims: the demo's clerks (lan at
        counter 1, …) must be able to sign in at any counter afterwards."""
        codes, weights = self._service_weights()
        self.scale = self._minutes_scale(per_day, codes, weights)
        groups = list(self.settings.priority_groups)
        self.by_device = until is not None
        for counter in self.settings.counters:
            if until is None:
                self._do(self.sessions[0][0] - timedelta(minutes=5), "claim_counter", counter, self.clerk[counter],
                         actor=self._actor(counter))
            self._push(self.sessions[0][0], "free", counter)
        arrivals = self._arrivals(per_day)
        for moment in arrivals:
            priority = self.random.choice(groups) if groups and self.random.random() < PRIORITY else None
            self._push(moment, "arrive", self.random.choices(codes, weights=weights)[0], priority)
        while self.heap and (until is None or self.heap[0][0] <= until):
            when, _, action, payload = heapq.heappop(self.heap)
            getattr(self, "_" + action)(when, *payload)
        return sum(1 for moment in arrivals if until is None or moment <= until)

    def _actor(self, counter: str) -> str:
        return f"counter:{counter}" if self.by_device else f"clerk:{self.clerk[counter]}"

    def _do(self, when: datetime, action: str, *args, **kwargs):
        self.clock.set(when)
        try:
            return getattr(self.engine, action)(*args, **kwargs)
        except QueueError:
            return None  # e.g. a return after the window: the simulated citizen simply goes home

    def _open_session(self, when: datetime) -> tuple[datetime, datetime] | None:
        """The session `when` falls in, or the next one today (None after the last)."""
        return next(((start, end) for start, end in self.sessions if when < end), None)

    # --- what happens ------------------------------------------------------------------------
    def _poll(self, when, counter, token):
        if counter in self.idle and self.polls.get(counter) == token:
            self.idle.discard(counter)
            self._free(when, counter)

    def _wake(self, when, service):
        """Idle counters serving `service` look at the queue now (a clerk sees the new number come in)."""
        for counter in [c for c in self.idle if service in self.settings.counters[c].services]:
            self.idle.discard(counter)
            self._push(when + timedelta(seconds=self.random.uniform(5, 30)), "free", counter)

    def _arrive(self, when, service, priority):
        ticket = self._do(when, "issue_ticket", service, priority, actor="kiosk:kiosk-1", kiosk="kiosk-1")
        if ticket:
            self._wake(when, service)
        if ticket and self.random.random() < CANCEL:
            self._push(when + timedelta(minutes=self.random.uniform(5, 40)), "cancel", ticket["id"])

    def _cancel(self, when, ticket_id):
        self._do(when, "cancel", ticket_id, actor=self._actor(next(iter(self.settings.counters))))

    def _free(self, when, counter):
        session = self._open_session(when)
        if session is None:
            return  # the day is over for this counter
        if when < session[0]:
            return self._push(session[0], "free", counter)  # back from lunch
        actor = self._actor(counter)
        called = self._do(when, "call_next", counter, actor=actor)
        if called is None:
            # Nobody waits: the counter is woken by the next citizen it serves (_wake), and looks again in
            # 20 minutes anyway (a ticket that came back or was transferred). Polling every few minutes
            # instead made most of a seeded day's engine calls empty ones.
            self.idle.add(counter)
            self.order += 1
            self.polls[counter] = self.order
            return self._push(when + timedelta(minutes=20), "poll", counter, self.order)
        if self.random.random() < NO_SHOW:
            self._push(when + timedelta(minutes=1), "recall", counter, called["id"])
            return
        walk = timedelta(seconds=self.random.uniform(20, 90))
        self._push(when + walk, "start", counter, called["id"], called["service"])

    def _recall(self, when, counter, ticket_id):
        actor = self._actor(counter)
        self._do(when, "recall", ticket_id, actor=actor, counter_id=counter)
        self._push(when + timedelta(minutes=2), "no_show", counter, ticket_id)

    def _no_show(self, when, counter, ticket_id):
        self._do(when, "no_show", ticket_id, actor=self._actor(counter), counter_id=counter)
        if self.random.random() < COMES_BACK:
            self._push(when + timedelta(minutes=self.random.uniform(3, 25)), "return", counter, ticket_id)
        self._push(when + timedelta(seconds=10), "free", counter)

    def _return(self, when, counter, ticket_id):
        ticket = self._do(when, "return_ticket", ticket_id, actor=self._actor(counter))
        if ticket:
            self._wake(when, ticket["service"])

    def _start(self, when, counter, ticket_id, service):
        self._do(when, "start", ticket_id, actor=self._actor(counter), counter_id=counter)
        mean = SERVICE_MINUTES.get(service, DEFAULT_MINUTES) * self.scale
        minutes = max(0.5, self.random.gammavariate(4.0, mean / 4.0))
        self._push(when + timedelta(minutes=minutes), "end", counter, ticket_id, service)

    def _end(self, when, counter, ticket_id, service):
        actor = self._actor(counter)
        others = [code for code in self.settings.services if code != service and self.settings.counters_serving(code)]
        if others and self.random.random() < TRANSFER:
            to = self.random.choice(others)
            if self._do(when, "transfer", ticket_id, actor=actor, counter_id=counter, service=to, note=""):
                self._wake(when, to)
        else:
            ticket = self._do(when, "finish", ticket_id, actor=actor, counter_id=counter)
            if ticket and self.random.random() < RATES:
                self._push(when + timedelta(seconds=self.random.uniform(3, 20)), "rate", ticket, counter)
        self._push(when + timedelta(seconds=self.random.uniform(5, 30)), "free", counter)

    def _rate(self, when, ticket, counter):
        """A rating as the counter's rating screen records it (event `rated`, README "Reports")."""
        level = self.random.choices(range(1, 6), weights=LEVEL_WEIGHTS)[0]
        reasons = [self.random.choice(("thai_do", "thoi_gian", "huong_dan"))] if level >= 4 else []
        self.clock.set(when)
        with self.engine.store.transaction() as tx:
            tx.append_event(at=when, actor=f"rating:{counter}", kind="rated", ticket_id=ticket["id"], counter=counter,
                            service=ticket["service"],
                            details={"level": level, "levels": 5, "reasons": reasons, "counter": counter,
                                     "clerk": self.clerk[counter], "service": ticket["service"], "channel": "device"})
