"""Malformed requests and refusals by the queue's rules: a 4xx JSON error in Vietnamese, never a 500, no change."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from tests.conftest import ZONE
from tests.web.api_support import KIOSK, assert_error, counter_token, open_centre



def issue_raw(api, data, content_type="application/json"):
    return api.post("/api/tickets", KIOSK, data=data, content_type=content_type)


# --- bodies --------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, content_type, code", [
    ("service=KS", "application/x-www-form-urlencoded", "bad_json"),
    ("service=KS", "application/json", "bad_json"),
    ('{"service": "KS"', "application/json", "bad_json"),
    ('["KS"]', "application/json", "bad_json"),
    ('"KS"', "application/json", "bad_json"),
    ("null", "application/json", "bad_json"),
    ("[" * 60_000, "application/json", "bad_json"),             # deep enough to exhaust json's recursion
    (b'{"service": "KS\xff"}', "application/json", "bad_json"),  # not UTF-8
    ('{"\\ud800": "KS"}', "application/json", "bad_json"),        # a lone surrogate as a field name
    ('{"service": "\\ud800"}', "application/json", "invalid_field"),
    ('{"service": "KS", "colour": "red"}', "application/json", "unknown_field"),
    ('{"service": 5}', "application/json", "invalid_field"),
    ('{"service": true}', "application/json", "invalid_field"),
    ('{"service": ["KS"]}', "application/json", "invalid_field"),
    ('{"service": {"code": "KS"}}', "application/json", "invalid_field"),
    ('{"service": "KS", "priority": 5}', "application/json", "invalid_field"),
    ('{"service": "KS", "priority": false}', "application/json", "invalid_field"),
    ("", "application/json", "missing_field"),
    ("{}", "application/json", "missing_field"),
    ('{"service": null}', "application/json", "invalid_field"),
    ('{"priority": "elderly"}', "application/json", "missing_field"),
    ('{"service": "XX"}', "application/json", "unknown_service"),
    ('{"service": "ks"}', "application/json", "unknown_service"),
    ('{"service": ""}', "application/json", "unknown_service"),
    ('{"service": "KS", "priority": "vip"}', "application/json", "unknown_priority"),
], ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_malformed_issue_requests_are_400(api, data, content_type, code):
    with api.unchanged():
        body = assert_error(issue_raw(api, data, content_type), 400, code)
    if code in ("unknown_field", "invalid_field", "missing_field") and "ud800" not in str(data):
        assert body["field"] in ("service", "priority", "colour")


def test_oversize_body_is_413(api):
    with api.unchanged():
        assert_error(api.post("/api/tickets", KIOSK, json={"service": "K" * 70_000}), 413, "too_large")


@pytest.mark.parametrize("payload, status, code", [
    ({"ticket": "abc"}, 400, "invalid_field"),
    ({"ticket": True}, 400, "invalid_field"),
    ({"ticket": 1.0}, 400, "invalid_field"),
    ({"ticket": None}, 400, "invalid_field"),
    ({"ticket": 10**20}, 400, "invalid_field"),                   # would overflow SQLite's INTEGER
    ({}, 400, "missing_field"),
    ({"ticket": "{waiting}", "reason": 5}, 400, "invalid_field"),
    ({"ticket": "{waiting}", "why": "x"}, 400, "unknown_field"),
    ({"ticket": 9999}, 404, "ticket_not_found"),
    ({"ticket": -1}, 404, "ticket_not_found"),
], ids=str)
def test_malformed_call_requests_are_refused(api, payload, status, code):
    waiting = api.issue("KS")["id"]
    payload = {k: waiting if v == "{waiting}" else v for k, v in payload.items()}
    with api.unchanged():
        assert_error(api.post("/api/counters/1/call", counter_token("1"), json=payload), status, code)


@pytest.mark.parametrize("payload, status, code", [
    ({}, 400, "transfer_target"),
    ({"service": "GCN", "counter": "3"}, 400, "transfer_target"),
    ({"service": "XX"}, 400, "unknown_service"),
    ({"service": 3}, 400, "invalid_field"),
    ({"counter": True}, 400, "invalid_field"),
    ({"counter": 2.0}, 400, "invalid_field"),
    ({"counter": "99"}, 404, "counter_not_found"),
    ({"counter": 99}, 404, "counter_not_found"),
    ({"service": "GCN", "note": 5}, 400, "invalid_field"),
    ({"service": "GCN", "to": "3"}, 400, "unknown_field"),
], ids=str)
def test_malformed_transfers_are_refused(api, payload, status, code):
    ticket = api.issue("KS")["id"]
    api.call_next("1")
    with api.unchanged():
        assert_error(api.post(f"/api/tickets/{ticket}/transfer", counter_token("1"), json=payload), status, code)


def test_actions_without_a_body_refuse_fields(api):
    ticket = api.issue("KS")["id"]
    api.call_next("1")
    with api.unchanged():
        for path in (f"/api/tickets/{ticket}/recall", f"/api/tickets/{ticket}/start", "/api/counters/1/pause"):
            assert_error(api.post(path, counter_token("1"), json={"force": True}), 400, "unknown_field")
            assert_error(api.post(path, counter_token("1"), json=[]), 400, "bad_json")


# --- addresses -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method, path, status, code", [
    ("POST", "/api/tickets/abc/start", 404, "not_found"),
    ("POST", "/api/tickets/-1/start", 404, "not_found"),
    ("POST", "/api/tickets/1.5/start", 404, "not_found"),
    ("POST", f"/api/tickets/{10**20}/start", 404, "not_found"),
    ("GET", f"/api/tickets/{10**20}", 404, "not_found"),
    ("GET", "/api/tickets/abc", 404, "not_found"),
    ("POST", "/api/tickets/9999/start", 404, "ticket_not_found"),
    ("POST", "/api/tickets/9999/cancel", 404, "ticket_not_found"),
    ("POST", "/api/tickets/9999/transfer", 404, "ticket_not_found"),
    ("GET", "/api/tickets/9999", 404, "ticket_not_found"),
    ("POST", "/api/tickets/{waiting}/explode", 400, "unknown_action"),
    ("POST", "/api/counters/99/next", 404, "counter_not_found"),
    ("POST", "/api/counters/99/call", 404, "counter_not_found"),
    ("POST", "/api/counters/99/pause", 404, "counter_not_found"),
    ("GET", "/api/counters/99/waiting", 404, "counter_not_found"),
    ("POST", "/api/counters/1/explode", 404, "not_found"),
    ("POST", "/api/counters/1/waiting", 405, "method_not_allowed"),
], ids=lambda value: str(value))
def test_unknown_tickets_counters_and_actions(api, method, path, status, code):
    waiting = api.issue("KS")["id"]
    with api.unchanged():
        response = api.client.open(path.format(waiting=waiting), method=method,
                                   headers={"Authorization": f"Bearer {counter_token('1')}"})
        assert_error(response, status, code)


def test_admin_asking_for_an_unknown_counters_waiting_list_gets_404(api):
    admin = api.sign_in("admin")
    assert_error(admin.get("/api/counters/99/waiting"), 404, "counter_not_found")


@pytest.mark.parametrize("payload, status, code", [
    ({"name": "lan", "password": "lan12345", "counter": "99"}, 404, "counter_not_found"),
    ({"name": "lan", "password": "lan12345", "counter": True}, 400, "invalid_field"),
    ({"name": "lan", "password": "lan12345", "counter": 10**20}, 400, "invalid_field"),
    ({"name": "lan", "password": "lan12345", "remember": True}, 400, "unknown_field"),
    ({"name": "lan"}, 400, "missing_field"),
    ({"name": 5, "password": "lan12345"}, 400, "invalid_field"),
], ids=str)
def test_malformed_sign_ins_are_refused(api, payload, status, code):
    with api.unchanged():
        assert_error(api.client.post("/api/session", json=payload), status, code)
    assert api.client.get("/api/session").get_json()["user"] is None


def test_no_write_endpoint_answers_garbage_with_a_500(api):
    """Every write, as its rightful caller, against a list of bad bodies: always a 4xx JSON error."""
    lan = api.sign_in("lan", counter="1")
    ticket = api.issue("KS")["id"]
    api.call_next("1")
    bodies = [b"\x00\x01", b"{", b"[]", b"1e999", b'{"a": NaN}', b'{"ticket": 1e999}', b'{"service": 1e999}',
              b'{"counter": -9223372036854775809}', b'{"ticket": 9223372036854775808}', b"[" * 60_000,
              '{"note": "\\udfff"}'.encode(), b'{"name": "\\ud800", "password": "x"}']
    counter_paths = ["/api/counters/1/next", "/api/counters/1/call", "/api/counters/1/pause",
                     *[f"/api/tickets/{ticket}/{action}"
                       for action in ("recall", "start", "finish", "no-show", "transfer", "cancel", "return")]]
    writes = [(KIOSK, "/api/tickets"), *[(counter_token("1"), path) for path in counter_paths], (None, "/api/session")]
    with api.unchanged():
        for token, path in writes:
            for data in bodies:
                response = api.post(path, token, data=data, content_type="application/json")
                assert 400 <= response.status_code < 500, (path, data[:30], response.get_data(as_text=True))
                assert response.is_json and {"error", "message"} <= response.get_json().keys()
        response = lan.post("/api/counters/1/pause", data=b"[" * 60_000, content_type="application/json")
        assert_error(response, 400, "bad_json")


# --- the queue's rules ---------------------------------------------------------------------------
@pytest.mark.parametrize("prepare, action", [
    ([], "start"),                              # waiting → serving
    ([], "finish"),                             # waiting → done
    ([], "no-show"),                            # waiting → no_show
    ([], "return"),                             # waiting → waiting
    (["next"], "finish"),                       # called → done: start first
    (["next"], "cancel"),                       # called → cancelled
    (["next", "start"], "no-show"),             # serving → no_show
    (["next", "start"], "recall"),              # serving → called
    (["next", "start"], "start"),
    (["next", "start", "finish"], "transfer"),  # done is final
    (["next", "start", "finish"], "recall"),
    (["next", "start", "finish"], "cancel"),
    (["cancel"], "cancel"),
    (["cancel"], "return"),
    (["next", "no-show"], "start"),
    (["next", "no-show"], "no-show"),
], ids=lambda value: "+".join(value) if isinstance(value, list) else value)
def test_illegal_transitions_are_409(api, prepare, action):
    ticket = api.issue("KS")["id"]
    for step in prepare:
        if step == "next":
            api.call_next("1")
        else:
            api.act(ticket, step)
    payload = {"service": "GCN"} if action == "transfer" else None
    with api.unchanged():
        body = assert_error(api.post(f"/api/tickets/{ticket}/{action}", counter_token("1"), json=payload),
                            409, "illegal_transition")
    assert body["message"].startswith("Không thể")


def test_calling_a_finished_ticket_is_409_and_a_busy_counter_too(api):
    done = api.issue("KS")["id"]
    api.call_next("1")
    api.act(done, "start")
    api.act(done, "finish")
    waiting = api.issue("KS")["id"]
    with api.unchanged():
        assert_error(api.post("/api/counters/1/call", counter_token("1"), json={"ticket": done}), 409,
                     "illegal_transition")
    assert api.call_next("1")["id"] == waiting
    api.issue("KS")
    with api.unchanged():
        assert_error(api.post("/api/counters/1/next", counter_token("1")), 409, "counter_busy")
        assert_error(api.post("/api/counters/1/resume", counter_token("1")), 409, "not_paused")


def test_daily_cap_is_409_with_hết_số_hôm_nay(settings, clock, seeded, tmp_path):
    capped = dataclasses.replace(settings.services["KS"], daily_cap=2)
    small = dataclasses.replace(settings, services={**settings.services, "KS": capped})
    with open_centre(small, clock, seeded, tmp_path) as api:
        assert [api.issue("KS")["number"] for _ in range(2)] == ["A001", "A002"]
        with api.unchanged():
            body = assert_error(api.post("/api/tickets", KIOSK, json={"service": "KS"}), 409, "daily_cap_reached")
        assert "Hết số hôm nay" in body["message"]
        assert api.issue("KH")["number"] == "B001"  # other services keep their own numbers
        clock.advance(days=1)
        assert api.issue("KS")["number"] == "A001"  # a new day, a new sequence


def test_outside_opening_hours_is_409_closed(settings, clock, seeded, tmp_path):
    enforced = dataclasses.replace(settings, hours=dataclasses.replace(settings.hours, enforce=True))
    with open_centre(enforced, clock, seeded, tmp_path) as api:
        assert api.issue("KS")["number"] == "A001"  # Monday 09:00
        for moment in (datetime(2026, 11, 23, 22, 0, tzinfo=ZONE),    # Monday evening
                       datetime(2026, 11, 23, 12, 0, tzinfo=ZONE),    # lunch break
                       datetime(2026, 11, 29, 9, 0, tzinfo=ZONE)):    # Sunday
            clock.set(moment)
            with api.unchanged():
                body = assert_error(api.post("/api/tickets", KIOSK, json={"service": "KS"}), 409, "closed")
            assert "Ngoài giờ làm việc" in body["message"]
        clock.set(datetime(2026, 11, 23, 22, 0, tzinfo=ZONE))
        assert api.call_next("1")["number"] == "A001"  # counters still clear the queue after hours


def test_demo_config_issues_at_any_hour(api, clock):
    clock.set(datetime(2026, 11, 23, 22, 0, tzinfo=ZONE))
    assert api.issue("KS")["number"] == "A001"  # config.toml: hours.enforce = false
