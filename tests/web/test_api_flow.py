"""A ticket's whole life over HTTP: kiosk, counter device and clerk, as the demo centre's devices do it."""

from __future__ import annotations

from datetime import datetime


from tests.web.api_support import DISPLAY, KIOSK, assert_error, counter_token



def history(api, ticket_id: int) -> list[dict]:
    response = api.get(f"/api/tickets/{ticket_id}", DISPLAY)
    assert response.status_code == 200
    return response.get_json()["history"]


def test_kiosk_issues_a_numbered_ticket_with_its_place_and_wait(api, settings, clock):
    # A staffed counter serves KS: its device acted just now (an unstaffed centre gives no estimate).
    assert api.post("/api/counters/1/next", counter_token("1")).status_code == 204   # nobody waiting yet
    response = api.post("/api/tickets", KIOSK, json={"service": "KS"})
    assert response.status_code == 201
    first = response.get_json()
    assert {"id", "number", "service", "priority", "status", "position", "eta_minutes", "status_url",
            "issued_at"} <= first.keys()
    assert first["number"] == "A001"
    assert (first["service"], first["priority"], first["status"]) == ("KS", None, "waiting")
    assert first["position"] == 0
    assert isinstance(first["eta_minutes"], int)
    assert first["status_url"].startswith(f"{settings.centre.public_url}/t/")
    assert datetime.fromisoformat(first["issued_at"]) == clock.now()

    second = api.issue("KS", "elderly")
    assert (second["number"], second["priority"]) == ("A002", "elderly")
    third = api.issue("KS")
    assert third["number"] == "A003"
    assert third["position"] == 2  # behind the older normal ticket and the waiting priority ticket
    assert third["eta_minutes"] > first["eta_minutes"]
    assert second["status_url"] != first["status_url"]  # each ticket has its own unguessable link


def test_each_service_numbers_on_its_own(api):
    assert [api.issue(code)["number"] for code in ("KS", "GCN", "KS", "CN-DD", "GCN")] == \
        ["A001", "1001", "A002", "2001", "1002"]


def test_counter_calls_recalls_starts_and_finishes_then_finds_nobody(api):
    ticket = api.issue("KS")
    called = api.call_next("1")
    assert (called["id"], called["status"], called["counter"], called["counter_name"]) == \
        (ticket["id"], "called", "1", "Quầy số 1")
    assert (called["position"], called["eta_minutes"]) == (None, None)
    assert api.act(ticket["id"], "recall")["recalls"] == 1
    assert api.act(ticket["id"], "start")["status"] == "serving"
    assert api.act(ticket["id"], "finish")["status"] == "done"

    events_before = api.rows()["events"]
    empty = api.post("/api/counters/1/next", counter_token("1"))
    assert empty.status_code == 204
    assert empty.get_data() == b""
    assert api.rows()["events"] == events_before  # finding nobody is not an event

    events = history(api, ticket["id"])
    assert [e["kind"] for e in events] == ["issued", "called", "recalled", "started", "finished"]
    assert [e["actor"] for e in events] == ["kiosk:kiosk-1"] + ["counter:1"] * 4
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert {"seq", "at", "actor", "kind", "counter", "details"} <= events[0].keys()


def test_get_ticket_returns_it_with_history_to_every_device(api):
    ticket = api.issue("GPLX")
    for token in (KIOSK, counter_token("9"), DISPLAY):
        response = api.get(f"/api/tickets/{ticket['id']}", token)
        assert response.status_code == 200
        body = response.get_json()
        assert (body["id"], body["number"], body["status"]) == (ticket["id"], "R001", "waiting")
        assert [e["kind"] for e in body["history"]] == ["issued"]


def test_recall_is_allowed_max_recalls_times_then_refused(api, settings):
    ticket = api.issue("KS")
    api.call_next("1")
    for expected in range(1, settings.policy.max_recalls + 1):
        assert api.act(ticket["id"], "recall")["recalls"] == expected
    with api.unchanged():
        assert_error(api.post(f"/api/tickets/{ticket['id']}/recall", counter_token("1")), 409, "recall_limit")


def test_no_show_frees_the_counter_and_the_citizen_may_return(api, clock):
    ticket = api.issue("KS")
    later = api.issue("KS")
    api.call_next("1")
    assert api.act(ticket["id"], "no-show")["status"] == "no_show"
    clock.advance(minutes=10)
    returned = api.act(ticket["id"], "return")
    assert (returned["status"], returned["position"]) == ("waiting", 1)  # back of the queue, behind `later`
    assert api.call_next("1")["id"] == later["id"]  # the counter was free again
    assert [e["kind"] for e in history(api, ticket["id"])] == ["issued", "called", "no_show", "returned"]


def test_return_after_the_window_is_refused(api, clock, settings):
    ticket = api.issue("KS")
    api.call_next("1")
    api.act(ticket["id"], "no-show")
    clock.advance(minutes=settings.policy.no_show_return_minutes + 1)
    with api.unchanged():
        body = assert_error(api.post(f"/api/tickets/{ticket['id']}/return", counter_token("1")), 409,
                            "return_window_passed")
    assert "lấy số mới" in body["message"]


def test_transfer_to_another_service_keeps_the_place_and_frees_the_counter(api):
    ticket = api.issue("KS")
    api.issue("GCN")  # issued later: the transferred ticket goes before it
    api.call_next("1")
    moved = api.act(ticket["id"], "transfer", json={"service": "GCN", "note": "cần thêm hồ sơ đất"})
    assert (moved["status"], moved["service"], moved["position"]) == ("transferred", "GCN", 0)
    assert api.call_next("3")["id"] == ticket["id"]
    assert api.issue("KS")["id"] == api.call_next("1")["id"]  # counter 1 is free for the next one
    transfer = history(api, ticket["id"])[2]
    assert transfer["kind"] == "transferred"
    assert transfer["details"]["from_service"] == "KS" and transfer["details"]["to_service"] == "GCN"
    assert transfer["details"]["note"] == "cần thêm hồ sơ đất"


def test_transfer_to_a_counter_is_called_only_there(api):
    ticket = api.issue("KS")
    api.call_next("1")
    moved = api.act(ticket["id"], "transfer", json={"counter": 2})
    assert (moved["status"], moved["target_counter"]) == ("transferred", "2")
    assert api.post("/api/counters/10/next", counter_token("10")).status_code == 204  # serves KS, not sent there
    assert api.call_next("2")["id"] == ticket["id"]


def test_waiting_ticket_can_be_cancelled(api):
    ticket = api.issue("KS")
    assert api.act(ticket["id"], "cancel")["status"] == "cancelled"
    assert api.post("/api/counters/1/next", counter_token("1")).status_code == 204
    assert [e["kind"] for e in history(api, ticket["id"])] == ["issued", "cancelled"]


def test_call_a_specific_ticket_is_logged_out_of_order_with_its_reason(api):
    first, _, third = api.issue("KS"), api.issue("KS"), api.issue("KS")
    response = api.post("/api/counters/1/call", counter_token("1"),
                        json={"ticket": third["id"], "reason": "hồ sơ bổ sung"})
    assert response.status_code == 200
    assert (response.get_json()["id"], response.get_json()["status"]) == (third["id"], "called")
    called = history(api, third["id"])[-1]
    assert called["kind"] == "called"
    assert called["details"]["out_of_order"] is True
    assert called["details"]["reason"] == "hồ sơ bổ sung"
    api.act(third["id"], "start")
    api.act(third["id"], "finish")
    assert api.call_next("1")["id"] == first["id"]  # FIFO resumes where it was


def test_pause_stops_calls_until_resume(api):
    api.issue("KS")
    response = api.post("/api/counters/1/pause", counter_token("1"))
    assert response.status_code == 200
    assert (response.get_json()["id"], response.get_json()["paused"]) == ("1", True)
    with api.unchanged():
        assert_error(api.post("/api/counters/1/next", counter_token("1")), 409, "counter_paused")
        assert_error(api.post("/api/counters/1/pause", counter_token("1")), 409, "already_paused")
    assert api.post("/api/counters/1/resume", counter_token("1")).get_json()["paused"] is False
    assert api.call_next("1")["number"] == "A001"
    assert api.event_kinds() == ["issued", "counter_paused", "counter_resumed", "called"]


def test_waiting_list_is_fifo_for_the_counter(api):
    tickets = [api.issue(code) for code in ("KS", "GCN", "KH", "KS")]
    response = api.get("/api/counters/1/waiting", counter_token("1"))
    assert response.status_code == 200
    assert [t["id"] for t in response.get_json()] == [tickets[0]["id"], tickets[2]["id"], tickets[3]["id"]]


def test_state_is_public_and_shows_counters_waiting_and_recent_calls(api, settings):
    first = api.issue("KS")
    api.issue("KS")
    api.issue("GCN")
    api.call_next("1")
    response = api.client.get("/api/state")  # no credentials: a lobby screen's view
    assert response.status_code == 200
    state = response.get_json()
    assert state["seq"] == api.rows()["events"] == 4
    assert [c["id"] for c in state["counters"]] == list(settings.counters)
    counter_1 = state["counters"][0]
    assert counter_1["current"]["id"] == first["id"] and counter_1["current"]["number"] == "A001"
    assert counter_1["paused"] is False
    assert all(c["current"] is None for c in state["counters"][1:])
    assert state["waiting"] == {code: {"KS": 1, "GCN": 1}.get(code, 0) for code in settings.services}
    assert state["recent_calls"] == [{"seq": 4, "at": state["recent_calls"][0]["at"], "kind": "called",
                                      "counter": "1", "number": "A001", "service": "KS"}]


def test_clerk_session_works_a_counter_and_is_named_in_the_history(api):
    ticket = api.issue("KS")
    lan = api.sign_in("lan", counter="1")
    who = lan.get("/api/session").get_json()
    assert who["user"] == {"name": "lan", "role": "clerk"} and who["counter"] == "1"
    assert who["csrf_token"] == lan.csrf
    assert api.counter_clerk("1") == "lan"
    assert lan.post("/api/counters/1/next").get_json()["id"] == ticket["id"]
    for action in ("recall", "start", "finish"):
        assert lan.post(f"/api/tickets/{ticket['id']}/{action}").status_code == 200
    assert [e["actor"] for e in history(api, ticket["id"])][1:] == ["clerk:lan"] * 4
    assert lan.delete("/api/session").status_code == 204
    assert lan.get("/api/session").get_json() == {"user": None, "counter": None, "csrf_token": None}


def test_admin_issues_transfers_and_cancels_anywhere(api):
    admin = api.sign_in("admin")
    response = admin.post("/api/tickets", json={"service": "GPXD", "priority": "merit"})
    assert response.status_code == 201
    ticket = response.get_json()
    assert admin.post(f"/api/tickets/{ticket['id']}/transfer", json={"service": "NCC"}).get_json()["service"] == "NCC"
    assert admin.post(f"/api/tickets/{ticket['id']}/cancel").get_json()["status"] == "cancelled"
    assert [e["actor"] for e in history(api, ticket["id"])] == ["admin:admin"] * 3
    assert admin.get("/api/counters/8/waiting").status_code == 200
