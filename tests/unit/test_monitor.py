"""The live monitor's numbers and alerts (core/monitor.py, core/monitor_log.py) over a real database."""

from __future__ import annotations

from datetime import timedelta

from core import monitor
from core.engine import QueueEngine
from core.monitor_log import MonitorLog
from store import Store
from tests.conftest import with_policy
from tests.unit.queue_helpers import CLERK, issue


def compute(engine, devices=()):
    data, logged = MonitorLog(engine).read(list(devices))
    return monitor.build(engine.settings, data), logged


def service(view, code):
    return next(s for s in view["services"] if s["code"] == code)


def counter(view, counter_id):
    return next(c for c in view["counters"] if c["id"] == counter_id)


def test_per_service_waits_counts_and_mean_wait(engine, clock):
    first = issue(engine, clock, "KS", gap_minutes=4)        # waits 4 min, then is called
    issue(engine, clock, "KS", gap_minutes=2)                # waits on
    engine.call_next("1", actor=CLERK)
    clock.advance(minutes=3)
    view, _ = compute(engine)
    ks = service(view, "KS")
    assert ks["waiting"] == 1 and ks["issued"] == 2 and ks["served"] == 0
    assert ks["longest_wait_seconds"] == 5 * 60               # issued 2 + 3 minutes ago
    assert ks["mean_wait_seconds"] == 6 * 60                  # the first ticket: issued, called 6 min later
    one = counter(view, "1")
    assert one["state"] == monitor.CALLING and one["ticket"]["id"] == first["id"] and one["seconds"] == 180
    engine.start(first["id"], actor=CLERK, counter_id="1")
    clock.advance(minutes=1)
    engine.finish(first["id"], actor=CLERK, counter_id="1")
    view, _ = compute(engine)
    assert service(view, "KS")["served"] == 1 and view["totals"]["served"] == 1 and view["totals"]["waiting"] == 1
    assert counter(view, "1")["state"] == monitor.FREE        # no clerk's claim, but it acted just now
    assert counter(view, "4")["state"] == monitor.UNSTAFFED   # nobody there since the morning
    engine.set_paused("1", True, actor=CLERK)
    assert counter(compute(engine)[0], "1")["state"] == monitor.PAUSED


def test_a_clerk_signed_in_makes_a_counter_free_not_unstaffed(engine, clock):
    engine.claim_counter("2", "lan", actor="clerk:lan")
    view, _ = compute(engine)
    assert counter(view, "2")["state"] == monitor.FREE and counter(view, "2")["clerk"] == "lan"
    assert counter(view, "3")["state"] == monitor.UNSTAFFED


def test_a_transferred_ticket_waits_from_its_transfer_and_a_returned_one_from_its_return(engine, clock):
    ticket = issue(engine, clock, "KS", gap_minutes=20)
    engine.call_next("1", actor=CLERK)
    clock.advance(minutes=10)
    engine.start(ticket["id"], actor=CLERK, counter_id="1")
    engine.transfer(ticket["id"], actor=CLERK, counter_id="1", service="KH")
    clock.advance(minutes=2)
    view, _ = compute(engine)
    assert service(view, "KH")["longest_wait_seconds"] == 120 and service(view, "KS")["waiting"] == 0


def test_a_breach_is_logged_once_and_cleared_once_even_across_a_restart(settings, tmp_path, clock):
    store = Store(tmp_path / "q.db")
    engine = QueueEngine(with_policy(settings, wait_target_minutes=15), store, clock)
    ticket = issue(engine, clock, "KS", gap_minutes=14)
    view, logged = compute(engine)
    assert view["alerts"] == [] and MonitorLog(engine).record(view) == []
    clock.advance(minutes=1, seconds=1)
    view, logged = compute(engine)
    assert service(view, "KS")["breached"] and [a["kind"] for a in view["alerts"]] == [monitor.WAIT_TARGET_BREACHED]
    assert view["alerts"][0]["counters"] == [c.id for c in settings.counters_serving("KS")]
    rows = MonitorLog(engine).record(view)
    assert [(r["kind"], r["service"], r["ticket_id"]) for r in rows] == [
        (monitor.WAIT_TARGET_BREACHED, "KS", ticket["id"])]
    assert MonitorLog(engine).record(view) == []              # the same breach: nothing more
    store.close()

    store = Store(tmp_path / "q.db")                          # a restart: memory is gone, the log is not
    engine = QueueEngine(with_policy(settings, wait_target_minutes=15), store, clock)
    clock.advance(minutes=5)
    view, logged = compute(engine)
    assert "KS" in logged.open_wait_breaches and MonitorLog(engine).record(view) == []
    engine.call_next("1", actor=CLERK)
    view, _ = compute(engine)
    assert view["alerts"] == []
    rows = MonitorLog(engine).record(view)
    assert [(r["kind"], r["service"]) for r in rows] == [(monitor.WAIT_TARGET_CLEARED, "KS")]
    assert MonitorLog(engine).record(compute(engine)[0]) == []
    store.close()


def test_a_long_service_is_logged_once_per_ticket(engine, clock):
    ticket = issue(engine, clock, "KS", gap_minutes=0)
    engine.call_next("1", actor=CLERK)
    engine.start(ticket["id"], actor=CLERK, counter_id="1")
    data, _ = MonitorLog(engine).read([])
    assert monitor.next_due(engine.settings, data) == clock.now() + timedelta(minutes=45)
    clock.advance(minutes=46)
    view, _ = compute(engine)
    assert counter(view, "1")["long_service"]
    assert [(a["kind"], a["counter"]) for a in view["alerts"]] == [(monitor.LONG_SERVICE, "1")]
    assert monitor.alerts_for_counter(view, "1") == []        # managers only
    assert len(MonitorLog(engine).record(view)) == 1
    clock.advance(minutes=10)
    assert MonitorLog(engine).record(compute(engine)[0]) == []


def test_failing_devices_only():
    devices = [{"kind": "printer", "id": "kiosk-1", "status": "paper_out"},
               {"kind": "printer", "id": "kiosk-2", "status": "ok"},
               {"kind": "printer", "id": "kiosk-3", "status": "unknown"},
               {"kind": "scanner", "id": "1#1", "status": "disconnected"},
               {"kind": "scanner", "id": "2#1", "status": "connected"}]
    assert [d["id"] for d in devices if monitor.failing(d)] == ["kiosk-1", "1#1"]


def test_the_reads_take_a_fixed_number_of_statements_whatever_the_queue(engine, clock):
    reader = MonitorLog(engine)

    def statements_of_a_read() -> int:
        statements = []
        engine.store.connection.set_trace_callback(statements.append)
        try:
            reader.read([])
        finally:
            engine.store.connection.set_trace_callback(None)
        return len(statements)

    issue(engine, clock, "KS", gap_minutes=0.1)
    statements_of_a_read()  # the first read of a day also looks for the day's first event
    counts = []
    for batch in (20, 200):
        for index in range(batch):
            issue(engine, clock, ("KS", "KH", "GCN")[index % 3], gap_minutes=0.01)
        for counter_id in ("1", "3"):
            called = engine.call_next(counter_id, actor=CLERK)
            engine.transfer(called["id"], actor=CLERK, counter_id=counter_id, service="KT")
        counts.append(statements_of_a_read())
    assert counts[0] == counts[1] <= 12, counts
