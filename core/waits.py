"""From the store's rows to the forward simulation and back: every waiting ticket's people ahead and wait.

One pass of core/forecast.py gives every waiting ticket of the day its place and wait at once, plus the
wait of a newcomer per thủ tục (the kiosk's cards before the tap). The inputs are read in one transaction:
who is at which counter (core/staffing.py), what each counter is doing, the measured service times and
breaks (core/estimate.py), today's priority arrivals (expected until the opening session ends), the
breaks each counter has still to take today and today's transfers (both slow a counter's pace). The
measured inputs only change when a ticket finishes or is transferred or a counter pauses or resumes, so
they are kept until then (no clock-based cache: the figures are always those of the definition). A whole
forecast is reused only within the same second and the same event seq, and only one read outside a write.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from . import estimate, events, lifecycle, staffing
from .forecast import HORIZON_MINUTES, Station, Waiting, simulate


class QueueWaits:
    """Mixed into QueueEngine through QueueViews; needs settings, store, clock, _today, _counter_states."""

    _durations_key = None
    _durations = None
    _forecast_memo: tuple | None = None
    durations_generation = 0  # bumped when a ticket finishes or is transferred, a counter pauses or resumes

    # --- inputs --------------------------------------------------------------------------------
    def _window_start(self, now: datetime) -> str:
        zone = self.settings.centre.timezone
        first_day = now.astimezone(zone).date() - timedelta(days=estimate.WINDOW_DAYS)
        midnight = datetime.combine(first_day, datetime.min.time(), zone)
        return midnight.astimezone(timezone.utc).isoformat(timespec="milliseconds")

    def _day_start(self, now: datetime) -> str:
        zone = self.settings.centre.timezone
        midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
        return midnight.astimezone(timezone.utc).isoformat(timespec="milliseconds")

    def _measured(self, tx, now: datetime):
        """(service times by thủ tục, typical break, open pauses {counter: since}, (breaks per counter-day
        worked before today, {counter: breaks taken today}), today's transfers [(to_service, to_counter,
        from_counter, from_service)]) for `now`'s window."""
        day = self._today(now)
        key = (day, self.durations_generation, self.store.data_version())
        if self._durations_key != key:
            since = self._window_start(now)
            times = estimate.service_times(tx.recent_occupancy(since, estimate.SAMPLE_COUNT, self.settings.services),
                                           tx.occupancy_of_day(day), self.settings.policy.default_service_minutes,
                                           self.settings.services)
            breaks, paused_since, earlier, today = [], {}, 0, {}
            zone = self.settings.centre.timezone
            for kind, counter, stamp in tx.pauses_since(since):
                at = datetime.fromisoformat(stamp)
                if kind == events.COUNTER_PAUSED:
                    paused_since[counter] = at
                    if at.astimezone(zone).date().isoformat() == day:
                        today[counter] = today.get(counter, 0) + 1
                    else:
                        earlier += 1
                elif counter in paused_since:
                    breaks.append((at - paused_since.pop(counter)).total_seconds() / 60)
            first_day = (now.astimezone(zone).date() - timedelta(days=estimate.WINDOW_DAYS)).isoformat()
            worked = tx.counter_days_between(first_day, day) if earlier else 0
            transfers = tx.transfers_since(self._day_start(now))
            self._durations = (times, estimate.break_length(breaks), paused_since,
                               (earlier / worked if worked else 0.0, today), transfers)
            self._durations_key = key
        return self._durations

    def _stations(self, tx, now: datetime, times, pause, paused_since, break_days=(0.0, {})) -> list[Station]:
        states = self._counter_states(tx, now)
        stored = tx.all_counter_states()
        typical_breaks, taken_today = break_days
        open_left = 0.0
        if typical_breaks:
            local = now.astimezone(self.settings.centre.timezone)
            open_left = estimate.open_minutes_left(self.settings.hours.sessions_on(local.date()), local)
        stations = []
        for counter in self.settings.counters.values():
            state = states[counter.id]
            if not staffing.is_staffed(state):
                continue
            free_in = variance = 0.0
            current_id = stored.get(counter.id, {}).get("current_ticket")
            current = tx.ticket(current_id) if current_id else None
            if current and current["status"] in (lifecycle.CALLED, lifecycle.SERVING) and current["called_at"]:
                duration = times.get(current["service"]) or estimate.assumed(self.settings.policy.default_service_minutes)
                elapsed = (now - datetime.fromisoformat(current["called_at"])).total_seconds() / 60
                free_in, variance = duration.remaining(elapsed), duration.variance
            if state == staffing.PAUSED:
                since = paused_since.get(counter.id)
                elapsed = (now - since).total_seconds() / 60 if since else 0.0
                free_in, variance = max(free_in, pause.remaining(elapsed)), variance + pause.variance
            pace = estimate.stretch(typical_breaks, taken_today.get(counter.id, 0), pause.mean, open_left)
            stations.append(Station(counter.id, counter.services, counter.priority, free_in, variance, pace))
        return stations

    def _session_left(self, now: datetime) -> float:
        """Minutes to the end of the opening session under way (priority citizens arrive until then); no
        limit for a day without configured hours, none left outside the sessions."""
        local = now.astimezone(self.settings.centre.timezone)
        sessions = self.settings.hours.sessions_on(local.date())
        if not sessions:
            return HORIZON_MINUTES
        minute = local.hour * 60 + local.minute + local.second / 60
        for start, end in sessions:
            if start.hour * 60 + start.minute <= minute < end.hour * 60 + end.minute:
                return end.hour * 60 + end.minute - minute
        return 0.0

    def _forecast(self, tx, now: datetime):
        """(forecast, today's callable tickets as forecast.Waiting by id): one simulation for the whole centre."""
        day = self._today(now)
        memo_key = (day, tx.last_seq(), int(now.timestamp()), self.durations_generation)
        # Inside a write (a transaction that can append events) rows may already differ from what the
        # seq says (issuing inserts its ticket before its event) and may yet be rolled back: such a
        # forecast is neither taken from nor given to the engine's memo, which holds committed states only.
        writing = hasattr(tx, "append_event")
        if not writing and self._forecast_memo and self._forecast_memo[0] == memo_key:
            return self._forecast_memo[1]
        times, pause, paused_since, break_days, transfers = self._measured(tx, now)
        stations = self._stations(tx, now, times, pause, paused_since, break_days)
        # FIFO: (arrived_at, id); plain tuples, not a dict per ticket (600 waiting: ~2 ms less).
        waiting = [Waiting(id_, service, priority is not None, (arrived, id_), bool(returned), target, jumps or 0)
                   for id_, service, priority, arrived, returned, target, jumps
                   in tx.queue_rows(day, lifecycle.CALLABLE)]
        issued, first_issued = tx.priority_issued(day)
        open_minutes = (now - datetime.fromisoformat(first_issued)).total_seconds() / 60 if first_issued else 0.0
        if transfers:
            _slow_for_transfers(stations, transfers, times, max(open_minutes, estimate.MIN_RATE_MINUTES),
                                self.settings.policy.keep_position_on_transfer)
        result = simulate(stations, waiting, {code: (d.mean, d.variance) for code, d in times.items()},
                          streak_limit=self.settings.policy.priority_streak,
                          priority_rates=estimate.priority_rates(issued, open_minutes),
                          newcomer_services=tuple(self.settings.services),
                          arrivals_until=self._session_left(now))
        value = (result, {t.id: t for t in waiting})
        if not writing:
            self._forecast_memo = (memo_key, value)
        return value

    # --- outputs -------------------------------------------------------------------------------
    def estimate_of(self, tx, ticket: dict, now: datetime) -> dict | None:
        """{ahead, minutes, low, high} of a callable ticket now; None for any other."""
        if ticket["status"] not in lifecycle.CALLABLE:
            return None
        return self._estimate_in(self._forecast(tx, now), ticket)

    @staticmethod
    def _estimate_in(computed, ticket: dict) -> dict:
        forecast, callable_today = computed
        placed = forecast.tickets.get(ticket["id"])
        if placed is not None:
            return estimate.printed(placed.ahead, placed.minutes, placed.variance)
        # Nobody staffs a counter that could call it: how many of its own line are before it, no minutes.
        key = (ticket["arrived_at"], ticket["id"])
        ahead = sum(1 for other in callable_today.values()
                    if other.service == ticket["service"] and other.target == ticket["target_counter"]
                    and other.key < key and (ticket["priority"] is None or other.priority))
        return estimate.printed(ahead, None)

    def newcomer_estimate(self, tx, service: str, now: datetime) -> dict:
        """{ahead, minutes, low, high} of a normal ticket of `service` taken now (the kiosk's card)."""
        forecast, callable_today = self._forecast(tx, now)
        placed = forecast.newcomers.get(service)
        if placed is not None:
            return estimate.printed(placed.ahead, placed.minutes, placed.variance)
        ahead = sum(1 for t in callable_today.values() if t.service == service and t.target is None)
        return estimate.printed(ahead, None)

    def place_in_queue(self, tx, ticket: dict, now: datetime) -> tuple[int | None, int | None]:
        """(people ahead, estimated minutes) for a callable ticket; (None, None) otherwise."""
        found = self.estimate_of(tx, ticket, now)
        return (None, None) if found is None else (found["ahead"], found["minutes"])

    def places_in_queue(self, tx, tickets: list[dict], now: datetime) -> dict[int, dict | None]:
        """estimate_of for many tickets: one simulation whatever their number (issue 8 item 9, issue 9)."""
        computed = self._forecast(tx, now) if tickets else None
        return {ticket["id"]: self._estimate_in(computed, ticket) if ticket["status"] in lifecycle.CALLABLE else None
                for ticket in tickets}


def _slow_for_transfers(stations: list[Station], transfers, times, minutes: float, jump: bool) -> None:
    """Each station's share of counter time that today's transfers are expected to take away from those
    waiting, folded into its pace (core/estimate.py "Transfers to come"): a visit that ended in a transfer
    held its counter but is not a service-time sample; and, when transfers keep their place (`jump`), the
    transferred ticket goes ahead of those waiting where it is sent."""
    servers: dict[str, int] = {}
    for station in stations:
        for service in station.services:
            servers[service] = servers.get(service, 0) + 1
    share = {station.id: 0.0 for station in stations}

    def work(service) -> float:
        duration = times.get(service)
        return (duration.mean if duration else 0.0) / minutes
    for to_service, to_counter, from_counter, from_service in transfers:
        if from_counter in share:
            share[from_counter] += work(from_service)
        if not jump:
            continue
        if to_counter is not None:
            if to_counter in share:
                share[to_counter] += work(to_service)
            continue
        for station in stations:
            if to_service in station.services:
                share[station.id] += work(to_service) / servers[to_service]
    for station in stations:
        station.stretch = min(station.stretch * estimate.inflow_stretch(share[station.id]), estimate.MAX_STRETCH)
