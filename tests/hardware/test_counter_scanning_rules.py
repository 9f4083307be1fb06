"""What a scanned code does at a counter (counter/scanning.py), on the queue engine without any transport."""

from __future__ import annotations

import pytest

from counter.scanning import ScanRules, ScannerStation
from core.settings import Scanner


@pytest.fixture
def rules(engine):
    return ScanRules(engine)


def issue(engine, service="KS", priority=None):
    return engine.issue_ticket(service, priority, actor="kiosk:kiosk-1")


def code_of(ticket: dict) -> str:
    """What the QR code printed on the ticket holds."""
    return ticket["status_url"]


def last_event(engine) -> dict:
    with engine.store.read() as tx:
        return tx.events(newest_first=True, limit=1)[0]


def event_count(engine) -> int:
    with engine.store.read() as tx:
        return tx.last_seq()


def test_scanning_a_waiting_ticket_calls_it_out_of_order_with_reason_scanned(engine, rules):
    first, second = issue(engine), issue(engine)
    result = rules.scan("1", code_of(second), actor="scanner:1")
    assert (result["outcome"], result["ticket"]["id"], result["ticket"]["status"]) == ("called", second["id"], "called")
    assert "A002" in result["message"] and "Quầy số 1" in result["message"]
    event = last_event(engine)
    assert (event["kind"], event["actor"], event["counter"], event["ticket_id"]) == ("called", "scanner:1", "1", second["id"])
    assert event["details"]["out_of_order"] is True and event["details"]["reason"] == "scanned"
    assert engine.get_ticket(first["id"])["status"] == "waiting"


def test_scanning_the_next_ticket_anyway_is_not_out_of_order(engine, rules):
    first = issue(engine)
    rules.scan("1", code_of(first), actor="scanner:1")
    assert last_event(engine)["details"]["out_of_order"] is False


def test_a_bare_token_works_like_the_url(engine, rules):
    ticket = issue(engine)
    token = code_of(ticket).rsplit("/", 1)[1]
    assert rules.scan("1", token, actor="scanner:1")["outcome"] == "called"


def test_scanning_the_counters_called_ticket_starts_serving_it(engine, rules):
    ticket = issue(engine)
    engine.call_next("1", actor="clerk:lan")
    result = rules.scan("1", code_of(ticket), actor="scanner:1")
    assert (result["outcome"], result["ticket"]["status"]) == ("started", "serving")
    assert (last_event(engine)["kind"], last_event(engine)["actor"]) == ("started", "scanner:1")


def rejected(engine, rules, counter, text, code):
    """Scan `text`; it must be refused with `code`, a Vietnamese message, one scan_rejected event and nothing else."""
    before = event_count(engine)
    result = rules.scan(counter, text, actor=f"scanner:{counter}")
    assert (result["outcome"], result["code"]) == ("rejected", code), result
    event = last_event(engine)
    assert event_count(engine) == before + 1
    assert (event["kind"], event["counter"], event["details"]["code"]) == ("scan_rejected", counter, code)
    assert event["details"]["message"] == result["message"]
    return result


@pytest.mark.parametrize("text", ["8935049501234", "hello", "https://example.com/other/page", "x" * 2000])
def test_anything_that_is_not_a_ticket_code_is_refused_without_being_quoted(engine, rules, text):
    result = rejected(engine, rules, "1", text, "not_a_ticket")
    assert text not in result["message"] and "phiếu" in result["message"]


def test_an_unknown_ticket_is_refused(engine, rules):
    rejected(engine, rules, "1", "http://127.0.0.1:8080/t/AAAAAAAAAAAAAAAAAAAAAA", "ticket_not_found")


def test_a_ticket_of_a_service_the_counter_does_not_serve_is_refused(engine, rules):
    land = issue(engine, "GCN")
    result = rejected(engine, rules, "1", code_of(land), "not_served_here")
    assert engine.get_ticket(land["id"])["status"] == "waiting"
    assert land["number"] in result["message"]


def test_a_busy_counter_does_not_drop_its_citizen_for_a_scan(engine, rules):
    first, second = issue(engine), issue(engine)
    engine.call_next("1", actor="clerk:lan")
    rejected(engine, rules, "1", code_of(second), "counter_busy")
    assert engine.get_ticket(first["id"])["status"] == "called"
    assert engine.get_ticket(second["id"])["status"] == "waiting"


def test_a_ticket_called_at_another_counter_is_refused(engine, rules):
    ticket = issue(engine)
    engine.call_next("2", actor="clerk:minh")
    result = rejected(engine, rules, "1", code_of(ticket), "at_another_counter")
    assert "Quầy số 2" in result["message"]
    assert engine.get_ticket(ticket["id"])["counter"] == "2"


@pytest.mark.parametrize("finish, code", [("serving", "already_serving"), ("done", "not_callable"),
                                          ("no_show", "not_callable")])
def test_tickets_already_served_or_gone_are_refused(engine, rules, finish, code):
    ticket = issue(engine)
    engine.call_next("1", actor="clerk:lan")
    if finish == "no_show":
        engine.no_show(ticket["id"], actor="clerk:lan", counter_id="1")
    else:
        engine.start(ticket["id"], actor="clerk:lan", counter_id="1")
        if finish == "done":
            engine.finish(ticket["id"], actor="clerk:lan", counter_id="1")
    rejected(engine, rules, "1", code_of(ticket), code)
    assert engine.get_ticket(ticket["id"])["status"] == finish


def test_a_paused_counter_refuses_to_call_by_scan(engine, rules):
    ticket = issue(engine)
    engine.set_paused("1", True, actor="clerk:lan")
    rejected(engine, rules, "1", code_of(ticket), "counter_paused")


def test_a_transferred_ticket_is_called_where_it_was_sent(engine, rules):
    ticket = issue(engine)
    engine.call_next("1", actor="clerk:lan")
    engine.transfer(ticket["id"], actor="clerk:lan", counter_id="1", to_counter="3", note="hồ sơ đất")
    assert rules.scan("3", code_of(ticket), actor="scanner:3")["outcome"] == "called"


# --- the station's status reports --------------------------------------------------------------------
def test_status_changes_after_start_are_logged_for_the_counter_but_not_the_first(engine):
    station = ScannerStation(engine, (Scanner(counter="1", url="loop://", baudrate=9600, suffix="\r", prefix=""),))
    before = event_count(engine)
    station._on_status(0, "1", "disconnected", "could not open port")  # at start: shown by the page only
    assert event_count(engine) == before and station.statuses("1") == ["disconnected"]
    station._on_status(0, "1", "connected", "loop://")
    event = last_event(engine)
    assert (event["kind"], event["counter"], event["details"]["status"]) == ("scanner_status", "1", "connected")
    station._on_status(0, "1", "disconnected", "device disconnected")
    assert last_event(engine)["details"]["status"] == "disconnected"
    assert "mất kết nối" in last_event(engine)["details"]["message"]
    station._on_status(0, "1", "stopped", "loop://")  # shutdown is not news
    assert last_event(engine)["details"]["status"] == "disconnected"
    assert station.statuses("1") == ["stopped"] and station.statuses("2") == []


def test_an_unreadable_frame_is_reported_to_the_counter(engine):
    station = ScannerStation(engine, (Scanner(counter="1", url="loop://", baudrate=9600, suffix="\r", prefix=""),))
    station._on_status(0, "1", "rejected", "control character U+0000 in a 4-byte frame")
    event = last_event(engine)
    assert (event["kind"], event["details"]["code"]) == ("scan_rejected", "unreadable_scan")
    assert "Quầy số 1" in event["details"]["message"]
