"""A simulated working day at the demo centre, played through the HTTP API with a controllable clock.

The app runs in-process (`create_app` with a FixedClock, Flask's test client): a live server cannot take
a fake clock without its own process-wide offset file, and a day of 700 tickets must run in seconds, not
8 hours. Every request is a real one through the routes, auth and engine; only the transport is skipped.

The day (config.toml's ten counters and sixteen thủ tục): arrivals 07:30–11:15 and 13:30–16:45,
non-homogeneous (a morning peak around 08:30, a smaller one at 14:00), about 700 tickets, 7 % priority
plus a group of 12 elderly citizens at 09:10; lognormal service times per thủ tục (call → finish,
σ = 0.45); 5 % of calls are no-shows (marked after 3 minutes of calls), 40 % of those come back 5–25 min
later; 3 % of served tickets are transferred to another thủ tục and 1 % straight to a counter; two breaks
per counter (one mid-morning, one mid-afternoon, ~15 min lognormal); counters serve whoever waits before
lunch and at the end of the day. A counter that has nobody to call presses "next" every 15 minutes, as
clerks do, which keeps it staffed (core/staffing.py).
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app import create_app
from core.clock import FixedClock
from core.settings import load_settings
from server import demo_devices
from store import Store, access

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# thủ tục: (expected arrivals a day, mean call → finish minutes)
MIX = {"KS": (100, 4.5), "KH": (35, 7.0), "KT": (20, 6.0), "XNHN": (55, 4.0), "GCN": (50, 8.0),
       "CN-DD": (35, 7.0), "TL-DN": (25, 8.0), "HKD": (30, 6.0), "CT-BS": (120, 2.5), "CT-CK": (80, 3.0),
       "LLTP": (40, 4.0), "GPXD": (15, 9.0), "TCTN": (20, 6.0), "NCC": (15, 6.0), "GPLX": (35, 5.0),
       "DKX": (30, 6.0)}
SIGMA = 0.45
PRIORITY_SHARE = 0.07
GROUPS = ("elderly", "disabled", "pregnant", "merit")
NO_SHOW_SHARE, RETURN_SHARE, NO_SHOW_AFTER = 0.05, 0.4, 3.0
TRANSFER_SERVICE_SHARE, TRANSFER_COUNTER_SHARE = 0.03, 0.01
SESSIONS = ((7 * 60 + 30, 11 * 60 + 15, 11 * 60 + 30), (13 * 60 + 30, 16 * 60 + 45, 17 * 60))  # open, last arrival, close
PING_MINUTES = 15   # an idle counter presses "next" this often (stays staffed, core/staffing.py)
BREAKS = 2          # per counter: one due mid-morning, one mid-afternoon
CROWD = 12          # elderly citizens arriving together at 09:10


def _rate(minute: float) -> float:
    """Relative arrival rate at a local minute of the day: a morning peak, a smaller afternoon one."""
    morning = 0.9 + 1.0 * math.exp(-((minute - 510) / 45) ** 2)
    afternoon = 1.0 + 0.6 * math.exp(-((minute - 840) / 40) ** 2)
    return morning if minute < 12 * 60 else afternoon


def arrivals(chance: random.Random) -> list[tuple[float, str, str | None]]:
    """(local minute, thủ tục, priority group) of the day's arrivals, in time order (thinning)."""
    total = sum(count for count, _ in MIX.values())
    span = sum(last - first for first, last, _ in SESSIONS)
    peak = 1.9
    mean_rate = sum(_rate(first + (last - first) * i / 200) for first, last, _ in SESSIONS for i in range(200)) / 400
    lam_max = total / span * peak / mean_rate
    codes, weights = list(MIX), [count for count, _ in MIX.values()]
    out = []
    for first, last, _ in SESSIONS:
        minute = first
        while True:
            minute += chance.expovariate(lam_max)
            if minute >= last:
                break
            if chance.random() < _rate(minute) / peak:
                priority = chance.choice(GROUPS) if chance.random() < PRIORITY_SHARE else None
                out.append((minute, chance.choices(codes, weights)[0], priority))
    crowd = 9 * 60 + 10
    for index in range(CROWD):  # a group of elderly citizens from one commune, off one bus
        out.append((crowd + index * 0.7, chance.choice(("KS", "XNHN", "CT-BS", "LLTP")), "elderly"))
    return sorted(out)


def lognormal(chance: random.Random, mean: float, sigma: float = SIGMA) -> float:
    return chance.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def open_app(folder: Path, start: datetime):
    """(app, client, clock) over a fresh database with the demo's device tokens; quiet kiosks."""
    settings = load_settings(ROOT / "config.toml")
    kiosks = {k: dataclasses.replace(kiosk, printer="none") for k, kiosk in settings.kiosks.items()}
    settings = dataclasses.replace(settings, kiosks=kiosks,
                                   kiosk=dataclasses.replace(settings.kiosk, rate_limit_tickets=0))
    path = folder / "eta.db"
    store = Store(path)
    for kind, device_id, token in demo_devices(settings):
        access.add_device(store, kind, device_id, token)
    store.close()
    clock = FixedClock(start)
    app = create_app(settings, str(path), clock=clock, async_mode="threading")
    return app, app.test_client(), clock, settings


def close_app(app) -> None:
    app.extensions["xephang"].realtime.stop()
    app.extensions["xephang"].store.close()


@dataclasses.dataclass
class Desk:
    id: str
    services: tuple
    current: int | None = None
    paused: bool = False
    breaks: list = dataclasses.field(default_factory=list)  # local minutes a break is due, ascending
    break_due: bool = False


class Day:
    """One simulated day: plays the events in time order, records each ticket's printed and actual wait."""

    def __init__(self, client, clock, settings, day: datetime, chance: random.Random):
        self.client, self.clock, self.settings, self.chance = client, clock, settings, chance
        self.midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        self.desks = {c.id: Desk(c.id, c.services) for c in settings.counters.values()}
        for desk in self.desks.values():
            desk.breaks = [chance.uniform(9 * 60 + 15, 10 * 60 + 45), chance.uniform(14 * 60 + 30, 16 * 60)]
        self.heap, self.seq = [], 0
        self.tickets: dict[int, dict] = {}   # id → {issued, printed, first_call, service, final}
        self.blanks = 0

    # --- plumbing ------------------------------------------------------------------------------
    def at(self, minute: float, kind: str, *data) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (minute, self.seq, kind, data))

    def post(self, minute: float, path: str, token: str, body: dict | None = None):
        self.clock.set(self.midnight + timedelta(minutes=minute))
        response = self.client.post(path, headers={"Authorization": f"Bearer {token}"}, json=body or {})
        if response.status_code >= 400:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json() if response.status_code != 204 else None

    # --- the day -------------------------------------------------------------------------------
    def run(self) -> None:
        for minute, service, priority in arrivals(self.chance):
            self.at(minute, "arrive", service, priority)
        for first, _, close in SESSIONS:
            minute = first
            while minute < close:
                for desk in self.desks:
                    self.at(minute, "ping", desk)
                minute += PING_MINUTES
        for desk in self.desks.values():
            for due in desk.breaks[:BREAKS]:
                self.at(due, "break", desk.id)
        while self.heap:
            minute, _, kind, data = heapq.heappop(self.heap)
            getattr(self, "_" + kind)(minute, *data)

    def _arrive(self, minute, service, priority):
        token = "demo-kiosk-1"
        ticket = self.post(minute, "/api/tickets", token, {"service": service, "priority": priority})
        printed = (ticket.get("estimate") or {}).get("minutes")
        if printed is None:
            self.blanks += 1
        self.tickets[ticket["id"]] = {"issued": minute, "printed": printed, "first_call": None,
                                      "service": service, "final": "waiting"}
        self._wake(minute, service, None)

    def _wake(self, minute, service, target):
        """Idle counters that could call a ticket of `service` (or the targeted one) press "next"."""
        for desk in self.desks.values():
            if desk.current is None and not desk.paused and (desk.id == target if target else service in desk.services):
                self._next(minute, desk)

    def _ping(self, minute, desk_id):
        desk = self.desks[desk_id]
        if desk.current is None and not desk.paused:
            self._next(minute, desk)

    def _next(self, minute, desk: Desk) -> None:
        if desk.break_due:
            return self._pause(minute, desk)
        called = self.post(minute, f"/api/counters/{desk.id}/next", f"demo-counter-{desk.id}")
        if called is None:
            return
        desk.current = called["id"]
        record = self.tickets[called["id"]]
        if record["first_call"] is None:
            record["first_call"] = minute
        if self.chance.random() < NO_SHOW_SHARE:
            self.at(minute + NO_SHOW_AFTER, "absent", desk.id, called["id"])
        else:
            walk = self.chance.uniform(0.2, 1.0)
            mean = MIX[called["service"]][1]
            service = max(lognormal(self.chance, mean), walk + 0.2)
            self.at(minute + walk, "start", desk.id, called["id"])
            self.at(minute + service, "done", desk.id, called["id"])

    def _start(self, minute, desk_id, ticket_id):
        self.post(minute, f"/api/tickets/{ticket_id}/start", f"demo-counter-{desk_id}")

    def _done(self, minute, desk_id, ticket_id):
        token, desk, roll = f"demo-counter-{desk_id}", self.desks[desk_id], self.chance.random()
        if roll < TRANSFER_SERVICE_SHARE:
            service = self.chance.choice([code for code in MIX if code != self.tickets[ticket_id]["service"]])
            self.post(minute, f"/api/tickets/{ticket_id}/transfer", token, {"service": service})
            self.tickets[ticket_id]["service"] = service
            self._free(minute, desk)
            return self._wake(minute, service, None)
        if roll < TRANSFER_SERVICE_SHARE + TRANSFER_COUNTER_SHARE:
            target = self.chance.choice([d for d in self.desks if d != desk_id])
            self.post(minute, f"/api/tickets/{ticket_id}/transfer", token, {"counter": target})
            self._free(minute, desk)
            return self._wake(minute, None, target)
        self.post(minute, f"/api/tickets/{ticket_id}/finish", token)
        self.tickets[ticket_id]["final"] = "done"
        self._free(minute, desk)

    def _absent(self, minute, desk_id, ticket_id):
        self.post(minute, f"/api/tickets/{ticket_id}/no-show", f"demo-counter-{desk_id}")
        self.tickets[ticket_id]["final"] = "no_show"
        if self.chance.random() < RETURN_SHARE:
            self.at(minute + self.chance.uniform(5, 25), "back", desk_id, ticket_id)
        self._free(minute, self.desks[desk_id])

    def _back(self, minute, desk_id, ticket_id):
        self.post(minute, f"/api/tickets/{ticket_id}/return", f"demo-counter-{desk_id}")
        self.tickets[ticket_id]["final"] = "waiting"
        self._wake(minute, self.tickets[ticket_id]["service"], None)

    def _free(self, minute, desk: Desk) -> None:
        desk.current = None
        self._next(minute, desk)

    def _break(self, minute, desk_id):
        desk = self.desks[desk_id]
        if desk.current is None and not desk.paused:
            self._pause(minute, desk)
        else:
            desk.break_due = True

    def _pause(self, minute, desk: Desk) -> None:
        desk.break_due, desk.paused = False, True
        self.post(minute, f"/api/counters/{desk.id}/pause", f"demo-counter-{desk.id}")
        self.at(minute + lognormal(self.chance, 15.0, 0.3), "resume", desk.id)

    def _resume(self, minute, desk_id):
        desk = self.desks[desk_id]
        desk.paused = False
        self.post(minute, f"/api/counters/{desk.id}/resume", f"demo-counter-{desk.id}")
        self._next(minute, desk)

    # --- results -------------------------------------------------------------------------------
    def pairs(self) -> list[tuple[float, float]]:
        """(printed, actual) minutes of every ticket called and not left as a no-show (as the report)."""
        return [(t["printed"], t["first_call"] - t["issued"]) for t in self.tickets.values()
                if t["printed"] is not None and t["first_call"] is not None and t["final"] != "no_show"]


def play(folder: Path, seed: int, warmup_days: int = 1) -> tuple[Day, object]:
    """Warm-up days (history for the service times, as a centre has), then the measured day."""
    first = datetime(2026, 11, 23, 7, 0, tzinfo=ZONE)
    app, client, clock, settings = open_app(folder, first)
    try:
        chance = random.Random(seed)
        day = None
        for index in range(warmup_days + 1):
            day = Day(client, clock, settings, first + timedelta(days=index), chance)
            day.run()
        return day, app
    except BaseException:
        close_app(app)
        raise
