"""Ticket numbers (core/numbering.py through the engine): format, sequences, daily cap, local-midnight rollover."""

from datetime import datetime, timezone

import pytest

from core import events
from core.engine import QueueEngine
from core.errors import Conflict
from core.lifecycle import CALLED, DONE, EXPIRED, NO_SHOW, TRANSFERRED, WAITING
from core.numbering import local_day, next_sequence_number
from tests.unit.queue_helpers import (CLERK, ZONE, all_events, database_state, issue, local, serve, ticket_row,
                                      waiting_numbers, with_service)

UTC = timezone.utc


def numbers(engine, clock, service: str, count: int) -> list[str]:
    """Issue `count` tickets for `service` and return their printed numbers."""
    return [issue(engine, clock, service)["number"] for _ in range(count)]


# --- pure rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, sequence, printed", [
    ("KS", 1, "A001"),
    ("KS", 42, "A042"),
    ("KS", 300, "A300"),
    ("XNHN", 7, "D007"),
    ("GCN", 1001, "1001"),
    ("CN-DD", 2500, "2500"),
])
def test_prefix_and_width_formatting(settings, code, sequence, printed):
    assert settings.services[code].format_number(sequence) == printed


def test_next_sequence_number_starts_at_first_number_and_counts_up(settings):
    birth, land = settings.services["KS"], settings.services["GCN"]
    assert next_sequence_number(birth, None, 0) == 1
    assert next_sequence_number(birth, 41, 41) == 42
    assert next_sequence_number(land, None, 0) == 1001
    assert next_sequence_number(land, 1001, 1) == 1002


def test_next_sequence_number_refuses_past_the_cap(settings):
    birth = settings.services["KS"]
    assert next_sequence_number(birth, 299, 299) == 300
    with pytest.raises(Conflict) as caught:
        next_sequence_number(birth, 300, 300)
    assert caught.value.code == "daily_cap_reached"
    assert caught.value.message.startswith("Hết số hôm nay cho thủ tục này.")
    assert caught.value.details == {"service": "KS", "daily_cap": 300}


@pytest.mark.parametrize("moment, day", [
    (local(23, 23, 59), "2026-11-23"),
    (local(24, 0, 1), "2026-11-24"),
    (datetime(2026, 11, 23, 16, 59, tzinfo=UTC), "2026-11-23"),  # 23:59 in Hà Nội
    (datetime(2026, 11, 23, 17, 1, tzinfo=UTC), "2026-11-24"),   # 00:01 in Hà Nội
    (datetime(2026, 11, 22, 23, 59, tzinfo=UTC), "2026-11-23"),  # UTC's midnight is 07:00 here
])
def test_local_day_is_the_centres_date_not_utcs(moment, day):
    assert local_day(moment, ZONE) == day


# --- through the engine --------------------------------------------------------------------------

def test_first_numbers_of_each_kind_of_service(engine, clock):
    assert [issue(engine, clock, code)["number"] for code in ("KS", "KH", "GCN", "CN-DD", "TL-DN")] == \
        ["A001", "B001", "1001", "2001", "E001"]


def test_numbers_are_contiguous_per_service(engine, clock):
    assert numbers(engine, clock, "KS", 5) == ["A001", "A002", "A003", "A004", "A005"]
    assert numbers(engine, clock, "GCN", 3) == ["1001", "1002", "1003"]


def test_each_service_has_its_own_sequence(engine, clock):
    issued = [issue(engine, clock, code)["number"] for code in ("KS", "KH", "KS", "GCN", "KH", "KS", "GCN")]
    assert issued == ["A001", "B001", "A002", "1001", "B002", "A003", "1002"]


def test_ticket_row_records_day_service_and_sequence(engine, clock):
    ticket = issue(engine, clock, "GCN")
    row = ticket_row(engine.store, ticket["id"])
    assert (row["day"], row["issued_service"], row["sequence_number"], row["number"]) == \
        ("2026-11-23", "GCN", 1001, "1001")
    assert ticket["status"] == WAITING and ticket["status_name"] == "đang chờ"
    assert ticket["service_name"] == "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác " \
                                     "gắn liền với đất lần đầu"


def test_a_transferred_ticket_keeps_its_number_and_does_not_use_the_new_services_sequence(engine, clock):
    birth = issue(engine, clock, "KS")
    moved = engine.transfer(birth["id"], actor=CLERK, counter_id=None, service="KH")
    assert moved["number"] == "A001" and moved["service"] == "KH"
    assert issue(engine, clock, "KH")["number"] == "B001"
    assert issue(engine, clock, "KS")["number"] == "A002"


def test_numbers_are_not_reused_after_a_cancel(engine, clock):
    first = issue(engine, clock, "KS")
    engine.cancel(first["id"], actor=CLERK)
    assert issue(engine, clock, "KS")["number"] == "A002"


@pytest.fixture
def capped(settings, store, clock):
    """An engine whose KS service (Đăng ký khai sinh) hands out only 2 numbers a day."""
    return QueueEngine(with_service(settings, "KS", daily_cap=2), store, clock)


def test_daily_cap_refuses_with_a_vietnamese_message_and_writes_nothing(capped, clock):
    assert numbers(capped, clock, "KS", 2) == ["A001", "A002"]
    before = database_state(capped.store)
    with pytest.raises(Conflict) as caught:
        capped.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    assert caught.value.code == "daily_cap_reached" and caught.value.status == 409
    assert "Hết số hôm nay" in caught.value.message
    assert database_state(capped.store) == before


def test_daily_cap_counts_cancelled_tickets_and_leaves_other_services_alone(capped, clock):
    first = issue(capped, clock, "KS")
    issue(capped, clock, "KS")
    capped.cancel(first["id"], actor=CLERK)
    with pytest.raises(Conflict, match="Hết số hôm nay"):
        capped.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    assert issue(capped, clock, "KH")["number"] == "B001"


def test_daily_cap_is_per_day(capped, clock):
    numbers(capped, clock, "KS", 2)
    clock.set(local(24, 7, 30))
    assert numbers(capped, clock, "KS", 2) == ["A001", "A002"]


# --- rollover at the centre's midnight -----------------------------------------------------------

def test_rollover_restarts_numbers_keeps_yesterday_and_expires_what_was_open(engine, clock, store):
    clock.set(local(23, 23, 50))
    done = issue(engine, clock)                   # A001: will be finished
    called = issue(engine, clock)                 # A002: called at counter 1, never finished
    no_show = issue(engine, clock)                # A003: no-show
    waiting = issue(engine, clock)                # A004: still waiting
    moved = issue(engine, clock, "GCN")           # 1001: transferred to KH
    assert serve(engine, "1") == "A001"
    assert engine.call_next("1", actor=CLERK)["number"] == "A002"
    engine.call_specific("2", no_show["id"], actor=CLERK)
    engine.no_show(no_show["id"], actor=CLERK, counter_id="2")
    engine.transfer(moved["id"], actor=CLERK, counter_id=None, service="KH")
    assert clock.now() < local(24, 0)
    yesterday = {t["id"]: ticket_row(store, t["id"])["status"] for t in (done, called, no_show, waiting, moved)}
    assert yesterday == {done["id"]: DONE, called["id"]: CALLED, no_show["id"]: NO_SHOW,
                         waiting["id"]: WAITING, moved["id"]: TRANSFERRED}

    clock.set(local(24, 0, 1))
    fresh = issue(engine, clock)
    assert (fresh["number"], fresh["day"]) == ("A001", "2026-11-24")
    assert issue(engine, clock, "GCN")["number"] == "1001"

    rows = {t["id"]: ticket_row(store, t["id"]) for t in (done, called, no_show, waiting, moved)}
    assert all(row is not None and row["day"] == "2026-11-23" for row in rows.values())  # kept, not deleted
    assert rows[done["id"]]["status"] == DONE
    assert {rows[t["id"]]["status"] for t in (called, no_show, waiting, moved)} == {EXPIRED}
    expired = all_events(store, events.EXPIRED)
    assert sorted(e["ticket_id"] for e in expired) == sorted([called["id"], no_show["id"], waiting["id"], moved["id"]])
    assert {e["actor"] for e in expired} == {"system"}
    assert {e["details"]["day"] for e in expired} == {"2026-11-23"}
    assert {e["ticket_id"]: e["details"]["previous_status"] for e in expired}[called["id"]] == CALLED
    # Counter 1 was left holding yesterday's A002; the rollover frees it for today's queue.
    assert engine.call_next("1", actor=CLERK)["id"] == fresh["id"]


def test_rollover_expires_once(engine, clock, store):
    clock.set(local(23, 16))
    issue(engine, clock)
    clock.set(local(24, 8))
    assert engine.expire_past_days() == 1
    issue(engine, clock)
    assert engine.expire_past_days() == 0
    assert len(all_events(store, events.EXPIRED)) == 1


def test_yesterdays_tickets_are_not_in_todays_queue_even_before_the_sweep(engine, clock):
    clock.set(local(23, 16))
    numbers(engine, clock, "KS", 2)
    clock.set(local(24, 7, 30))
    assert waiting_numbers(engine, "1") == []
    assert engine.snapshot()["waiting"]["KS"] == 0
    assert engine.call_next("1", actor=CLERK) is None


@pytest.mark.parametrize("before, after, restarts", [
    (local(23, 23, 59), local(24, 0, 1), True),                  # local midnight
    (datetime(2026, 11, 23, 16, 59, tzinfo=UTC), datetime(2026, 11, 23, 17, 1, tzinfo=UTC), True),
    (local(23, 6, 59), local(23, 7, 1), False),                  # UTC midnight (23:59 → 00:01 UTC)
])
def test_the_day_boundary_is_local_midnight(engine, clock, before, after, restarts):
    clock.set(before)
    first = issue(engine, clock, gap_minutes=0)
    clock.set(after)
    second = issue(engine, clock, gap_minutes=0)
    assert first["number"] == "A001"
    assert second["number"] == ("A001" if restarts else "A002")
    assert (second["day"] != first["day"]) == restarts
    assert ticket_row(engine.store, first["id"])["status"] == (EXPIRED if restarts else WAITING)
