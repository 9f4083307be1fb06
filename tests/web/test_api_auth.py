"""Who may do what: every refusal has the right status, a JSON error in Vietnamese, and changes nothing."""

from __future__ import annotations

import pytest

from tests.web.api_support import DISPLAY, KIOSK, KIOSK_2, ClerkClient, assert_error, bearer, counter_token



@pytest.fixture
def scene(api) -> dict:
    """Three KS tickets: one called at counter 1, one called at counter 2, one waiting."""
    at_1 = api.issue("KS")["id"]
    api.call_next("1")
    at_2 = api.issue("KS")["id"]
    api.call_next("2")
    return {"at_1": at_1, "at_2": at_2, "waiting": api.issue("KS")["id"]}


def request(client, method: str, path: str, payload, scene: dict, headers: dict | None = None):
    """`path` and string values of `payload` may name scene tickets: "{waiting}" becomes its id."""
    if isinstance(payload, dict):
        payload = {k: scene[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v for k, v in payload.items()}
    return client.open(path.format(**scene), method=method, json=payload, headers=headers or {})


# Every write the API has, on counter 1 and its tickets (the owner's own, so only the caller is wrong).
COUNTER_WRITES = [
    ("POST", "/api/counters/1/next", None),
    ("POST", "/api/counters/1/call", {"ticket": "{waiting}"}),
    ("POST", "/api/counters/1/pause", None),
    ("POST", "/api/counters/1/resume", None),
    ("POST", "/api/tickets/{at_1}/recall", None),
    ("POST", "/api/tickets/{at_1}/start", None),
    ("POST", "/api/tickets/{at_1}/finish", None),
    ("POST", "/api/tickets/{at_1}/no-show", None),
    ("POST", "/api/tickets/{at_1}/transfer", {"service": "GCN"}),
    ("POST", "/api/tickets/{waiting}/cancel", None),
    ("POST", "/api/tickets/{waiting}/return", None),
]
WRITES = [("POST", "/api/tickets", {"service": "KS"}), *COUNTER_WRITES, ("DELETE", "/api/session", None)]


def label(case) -> str:
    return f"{case[0]} {case[1]}"


# --- devices -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method, path, payload", WRITES, ids=map(label, WRITES))
def test_anonymous_writes_are_refused(api, scene, method, path, payload):
    with api.unchanged():
        assert_error(request(api.client, method, path, payload, scene), 401, "unauthenticated")


@pytest.mark.parametrize("header, code", [
    ("Bearer not-a-real-token", "invalid_token"),
    ("Bearer demo-counter-11", "invalid_token"),
    ("Bearer ", "bad_authorization"),
    ("Bearer", "bad_authorization"),
    ("Basic ZGVtbzpkZW1v", "bad_authorization"),
    ("demo-kiosk-1", "bad_authorization"),
])
def test_bad_or_unknown_bearer_tokens_are_refused(api, scene, header, code):
    with api.unchanged():
        for method, path, payload in [("POST", "/api/tickets", {"service": "KS"}),
                                      ("POST", "/api/counters/1/next", None),
                                      ("GET", "/api/tickets/{waiting}", None)]:
            response = request(api.client, method, path, payload, scene, {"Authorization": header})
            assert_error(response, 401, code)


def test_a_revoked_token_is_refused(api):
    with api.store.transaction() as tx:
        tx.connection.execute("UPDATE devices SET revoked_at = '2026-11-23T00:00:00+00:00' WHERE device_id = 'kiosk-1'")
    with api.unchanged():
        assert_error(api.post("/api/tickets", KIOSK, json={"service": "KS"}), 401, "invalid_token")


@pytest.mark.parametrize("method, path, payload", COUNTER_WRITES, ids=map(label, COUNTER_WRITES))
def test_kiosk_token_may_not_work_a_counter(api, scene, method, path, payload):
    with api.unchanged():
        assert_error(request(api.client, method, path, payload, scene, bearer(KIOSK)), 403, "forbidden_role")


@pytest.mark.parametrize("method, path, payload", WRITES, ids=map(label, WRITES))
def test_display_token_may_not_write_anything(api, scene, method, path, payload):
    with api.unchanged():
        assert_error(request(api.client, method, path, payload, scene, bearer(DISPLAY)), 403, "forbidden_role")


def test_kiosk_and_display_may_not_read_a_counters_waiting_list(api):
    for token in (KIOSK, DISPLAY):
        assert_error(api.get("/api/counters/1/waiting", token), 403, "forbidden_role")


OTHER_COUNTER = [
    ("POST", "/api/counters/2/next", None),
    ("POST", "/api/counters/2/call", {"ticket": "{waiting}"}),
    ("POST", "/api/counters/2/pause", None),
    ("POST", "/api/counters/2/resume", None),
    ("GET", "/api/counters/2/waiting", None),
]


@pytest.mark.parametrize("method, path, payload", OTHER_COUNTER, ids=map(label, OTHER_COUNTER))
def test_counter_device_may_not_act_for_another_counter(api, scene, method, path, payload):
    api.act(scene["at_1"], "no-show")  # counter 1 is free: only "it is not yours" stands in the way
    with api.unchanged():
        assert_error(request(api.client, method, path, payload, scene, bearer(counter_token("1"))),
                     403, "wrong_counter")


@pytest.mark.parametrize("action, payload", [("recall", None), ("start", None), ("no-show", None),
                                             ("transfer", {"service": "GCN"})])
def test_counter_device_may_not_touch_a_ticket_called_at_another_counter(api, scene, action, payload):
    with api.unchanged():
        response = api.post(f"/api/tickets/{scene['at_2']}/{action}", counter_token("1"), json=payload)
        assert_error(response, 403, "not_your_ticket")


def test_counter_device_may_not_finish_a_ticket_served_at_another_counter(api, scene):
    api.act(scene["at_2"], "start", counter="2")
    with api.unchanged():
        assert_error(api.post(f"/api/tickets/{scene['at_2']}/finish", counter_token("1")), 403, "not_your_ticket")


@pytest.mark.parametrize("action, payload", [("cancel", None), ("transfer", {"counter": "3"}),
                                             ("transfer", {"service": "GCN"})])
def test_counter_may_not_cancel_or_transfer_a_waiting_ticket_it_does_not_serve(api, scene, action, payload):
    # Counter 3 serves land (GCN, CN-DD) only; taking a KS ticket to itself would jump the queue.
    with api.unchanged():
        response = api.post(f"/api/tickets/{scene['waiting']}/{action}", counter_token("3"), json=payload)
        assert_error(response, 403, "not_served_here")


def test_counter_may_not_return_a_no_show_it_does_not_serve(api, scene):
    api.act(scene["at_1"], "no-show")
    with api.unchanged():
        assert_error(api.post(f"/api/tickets/{scene['at_1']}/return", counter_token("9")), 403, "not_served_here")


def test_kiosk_2_issues_only_its_own_services(api):
    with api.unchanged():
        body = assert_error(api.post("/api/tickets", KIOSK_2, json={"service": "KS"}), 403, "service_not_at_kiosk")
    assert "kiosk" in body["message"]
    assert api.issue("CT-BS", token=KIOSK_2)["number"] == "H001"
    assert api.issue("KS", token=KIOSK)["number"] == "A001"  # kiosk-1 serves everything


def test_devices_may_not_sign_out(api):
    for token in (KIOSK, counter_token("1"), DISPLAY):
        assert_error(api.client.delete("/api/session", headers=bearer(token)), 403, "forbidden_role")


# --- clerks and sessions -------------------------------------------------------------------------------
CLERK_WRITES = [case for case in COUNTER_WRITES if "return" not in case[1]] + [("DELETE", "/api/session", None)]


def test_clerk_writes_without_the_right_csrf_token_are_refused(api, scene):
    lan = api.sign_in("lan", counter="1")
    minh = api.sign_in("minh", counter="3")  # a real token, but of another session
    with api.unchanged():
        for csrf in (None, "", "wrong-token", minh.csrf):
            headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
            for method, path, payload in CLERK_WRITES:
                response = request(lan.client, method, path, payload, scene, headers)
                assert_error(response, 403, "csrf_failed")
    assert api.counter_clerk("1") == "lan"  # the refused sign-out did not free the counter
    assert lan.get(f"/api/tickets/{scene['at_1']}").status_code == 200  # reads need no CSRF token
    assert lan.get("/api/counters/1/waiting").status_code == 200


def test_clerk_may_not_issue_tickets(api):
    lan = api.sign_in("lan", counter="1")
    with api.unchanged():
        assert_error(lan.post("/api/tickets", json={"service": "KS"}), 403, "forbidden_role")


def test_clerk_at_counter_1_may_not_act_for_counter_2(api, scene):
    lan = api.sign_in("lan", counter="1")
    api.act(scene["at_1"], "no-show")
    with api.unchanged():
        for action in ("next", "pause", "resume"):
            assert_error(lan.post(f"/api/counters/2/{action}"), 403, "wrong_counter")
        assert_error(lan.post("/api/counters/2/call", json={"ticket": scene["waiting"]}), 403, "wrong_counter")
        assert_error(lan.get("/api/counters/2/waiting"), 403, "wrong_counter")
        for action in ("recall", "start", "no-show"):
            assert_error(lan.post(f"/api/tickets/{scene['at_2']}/{action}"), 403, "not_your_ticket")


def test_a_second_clerk_may_not_take_an_occupied_counter(api):
    api.sign_in("lan", counter="1")
    minh = ClerkClient(api.app.test_client())
    with api.unchanged():
        body = assert_error(minh.sign_in("minh", "minh1234", counter="1"), 409, "counter_taken")
    assert "lan" in body["message"]
    assert minh.get("/api/session").get_json()["user"] is None  # not signed in either
    assert api.counter_clerk("1") == "lan"
    assert api.sign_in("lan", counter="1").csrf  # the same clerk may sign in again (a second tab, a reload)


def test_admin_may_not_take_a_counter(api):
    admin = ClerkClient(api.app.test_client())
    with api.unchanged():
        assert_error(admin.sign_in("admin", "admin123", counter="1"), 403, "forbidden_role")
    assert admin.get("/api/session").get_json()["user"] is None
    assert api.counter_clerk("1") is None


def test_clerk_without_a_counter_may_only_read(api, scene):
    hoa = api.sign_in("hoa")
    with api.unchanged():
        assert_error(hoa.post("/api/counters/1/next"), 403, "no_counter")
        assert_error(hoa.post(f"/api/tickets/{scene['at_1']}/recall"), 403, "no_counter")
        assert_error(hoa.post(f"/api/tickets/{scene['waiting']}/cancel"), 403, "no_counter")
        assert_error(hoa.post(f"/api/tickets/{scene['waiting']}/transfer", json={"service": "GCN"}), 403, "no_counter")
    assert hoa.get(f"/api/tickets/{scene['waiting']}").status_code == 200


def test_wrong_password_and_unknown_name_get_the_same_answer(api):
    wrong = ClerkClient(api.app.test_client()).sign_in("lan", "not-her-password")
    unknown = ClerkClient(api.app.test_client()).sign_in("nobody", "lan12345")
    assert_error(wrong, 401, "wrong_credentials")
    assert_error(unknown, 401, "wrong_credentials")
    assert wrong.get_json() == unknown.get_json()


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(api, clock):
    browser = ClerkClient(api.app.test_client())
    with api.unchanged():
        for _ in range(4):
            assert_error(browser.sign_in("lan", "guess", counter="1"), 401, "wrong_credentials")
        assert_error(browser.sign_in("lan", "guess", counter="1"), 409, "account_locked")
        body = assert_error(browser.sign_in("lan", "lan12345", counter="1"), 409, "account_locked")
    assert "5 phút" in body["message"]
    assert browser.get("/api/session").get_json()["user"] is None
    assert api.counter_clerk("1") is None
    assert api.sign_in("minh", counter="1").csrf  # one account's lockout does not touch another's
    clock.advance(minutes=5, seconds=1)
    assert browser.sign_in("lan", "lan12345", counter="2").status_code == 200  # the lock runs out


def test_sign_out_frees_the_counter_for_another_clerk(api):
    api.issue("KS")
    lan = api.sign_in("lan", counter="1")
    assert lan.delete("/api/session").status_code == 204
    assert api.counter_clerk("1") is None
    assert api.event_kinds()[-2:] == ["clerk_signed_in", "clerk_signed_out"]
    with api.unchanged():
        assert_error(lan.post("/api/counters/1/next"), 401, "unauthenticated")
    minh = api.sign_in("minh", counter="1")
    assert minh.post("/api/counters/1/next").status_code == 200


def test_a_cookie_kept_from_before_sign_out_cannot_work_the_counter(api):
    """Signing out moves the account's session version on: a kept copy of the cookie is dead."""
    api.issue("KS")
    lan = api.sign_in("lan", counter="1")
    kept_cookie, kept_csrf = lan.client.get_cookie("session").value, lan.csrf
    lan.delete("/api/session")
    api.sign_in("minh", counter="1")
    with api.unchanged():
        for action in ("next", "pause"):
            replay = ClerkClient(api.app.test_client())
            replay.client.set_cookie("session", kept_cookie)
            replay.csrf = kept_csrf
            assert_error(replay.post(f"/api/counters/1/{action}"), 401, "session_ended")


def test_a_clerk_who_moved_to_another_counter_no_longer_works_the_first(api):
    first_tab = api.sign_in("lan", counter="1")
    api.sign_in("lan", counter="2")  # another browser: one counter per clerk, counter 1 is free again
    assert (api.counter_clerk("1"), api.counter_clerk("2")) == (None, "lan")
    with api.unchanged():
        assert_error(first_tab.post("/api/counters/1/pause"), 403, "no_counter")


def test_public_state_names_no_clerk(api):
    api.sign_in("lan", counter="1")
    assert "lan" not in api.client.get("/api/state").get_data(as_text=True)
