"""The catalogue pages over HTTP (issue 11 items 2–3): thủ tục, lĩnh vực, counters, hours and holidays,
policy — who may, what is refused (Vietnamese, per field, nothing written), and the effect at once on
kiosks and counters without a restart."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from app import create_app
from tests.conftest import ZONE
from tests.web.api_support import KIOSK, ApiCentre, assert_error, counter_token, is_vietnamese

JSON = {"Accept": "application/json"}
NEW = {"code": "CC", "name": "Chứng thực bản sao", "name_en": "Certified copies", "group": "ho-tich",
       "prefix": "Q", "width": 3, "first_number": 1, "daily_cap": 50}


def send(who, path, json=None, headers=JSON):
    """A console write from a signed-in browser as a program: session cookie, CSRF header, JSON answer."""
    return who.client.post(path, json=json, headers={"X-CSRF-Token": who.csrf, **headers})


def overlay_rows(api):
    with api.store.read() as tx:
        return tx.connection.execute("SELECT kind, key, data FROM catalogue_entries ORDER BY kind, key").fetchall()


def kiosk_service(api, code, kiosk="kiosk-1", token=KIOSK):
    data = api.get(f"/kiosk/{kiosk}/services", token=token).get_json()
    return next((s for s in data["services"] if s["code"] == code), None), data


def test_an_admin_adds_a_service_and_the_kiosk_offers_it_at_once(api):
    admin = api.sign_in("admin")
    response = send(admin, "/admin/catalogue/services", json=NEW, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    service, data = kiosk_service(api, "CC")
    assert service["name"] == "Chứng thực bản sao" and service["available"]
    assert api.issue("CC")["number"] == "Q001"
    assert "admin_service_added" in api.event_kinds()
    page = admin.get("/admin/catalogue").get_data(as_text=True)
    assert "Chứng thực bản sao" in page and "Q001–Q050" in page


def test_refused_changes_say_why_per_field_in_vietnamese_and_change_nothing(api):
    admin = api.sign_in("admin")
    cases = [({**NEW, "prefix": "A"}, "prefix"), ({**NEW, "daily_cap": 0}, "daily_cap"),
             ({**NEW, "name": "Đ" * 500}, "name"), ({**NEW, "surprise": 1}, "surprise")]
    with api.unchanged():
        for data, field in cases:
            body = assert_error(send(admin, "/admin/catalogue/services", json=data, headers=JSON), 400, "invalid_fields")
            assert is_vietnamese(body["fields"][field]), body
        body = assert_error(send(admin, "/admin/hours/weekly", json={"mon": ["07:30-11:30", "11:00-12:00"]},
                                       headers=JSON), 400, "invalid_fields")
        assert "chồng lên nhau" in body["fields"]["mon"]
        body = assert_error(send(admin, "/admin/hours/exceptions", json={"day": "2026-11-01", "kind": "holiday",
                                                                        "note": "Đã qua"}, headers=JSON),
                            400, "invalid_fields")
        assert "quá khứ" in body["fields"]["day"]
        assert_error(send(admin, "/admin/catalogue/services/KHONG/close", json={"reason": "x"}, headers=JSON),
                     404, "service_not_found")
    assert overlay_rows(api) == []


def test_a_refused_form_shows_the_message_beside_the_field_and_html_stays_text(api):
    admin = api.sign_in("admin")
    form = {k: str(v) for k, v in NEW.items()} | {"name": "<script>alert(1)</script>", "prefix": "A",
                                                   "csrf_token": admin.csrf}
    page = admin.client.post("/admin/catalogue/services", data=form)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="service-new-prefix-error"' in text and "trùng dải số" in text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    form["prefix"] = "Q"
    assert admin.client.post("/admin/catalogue/services", data=form).status_code == 302
    page = admin.get("/admin/catalogue").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_every_write_needs_the_csrf_token(api):
    admin = api.sign_in("admin")
    with api.unchanged():
        for path in ("/admin/catalogue/services", "/admin/counters/1", "/admin/hours/weekly", "/admin/policy",
                     "/admin/catalogue/services/KS/close", "/admin/counters/1/pause"):
            assert_error(admin.client.post(path, json={}, headers=JSON), 403, "csrf_failed")


def test_a_manager_runs_the_day_but_does_not_edit_what_the_centre_offers(api):
    manager = api.sign_in("quanly")
    with api.unchanged():
        assert_error(send(manager, "/admin/catalogue/services", json=NEW, headers=JSON), 403, "forbidden_role")
        assert_error(send(manager, "/admin/policy", json={}, headers=JSON), 403, "forbidden_role")
        assert_error(manager.client.get("/admin/policy", headers=JSON), 403, "forbidden_role")
    page = manager.get("/admin/catalogue").get_data(as_text=True)
    assert 'id="nav-policy"' not in page and "add-service" not in page
    response = send(manager, "/admin/catalogue/services/KH/close", json={"reason": "Máy chủ hộ tịch bảo trì"},
                            headers=JSON)
    assert response.status_code == 200
    service, _ = kiosk_service(api, "KH")
    assert service["reason"] == "service_closed" and service["reason_note"] == "Máy chủ hộ tịch bảo trì"
    assert_error(api.post("/api/tickets", token=KIOSK, json={"service": "KH", "priority": None}), 409, "service_closed")
    assert send(manager, "/admin/catalogue/services/KH/open", headers=JSON).status_code == 200
    assert api.issue("KH")["number"] == "B001"
    assert send(manager, "/admin/counters/2/pause", headers=JSON).get_json()["paused"] is True
    assert send(manager, "/admin/counters/2/resume", headers=JSON).get_json()["paused"] is False
    actors = [row[0] for row in api.store.connection.execute(
        "SELECT actor FROM events WHERE kind LIKE 'admin_service_%' OR kind LIKE 'counter_%'")]
    assert set(actors) == {"manager:quanly"}


def test_moving_a_service_to_another_counter_is_called_there_on_the_next_call(api):
    ticket = api.issue("KS")
    assert api.post("/api/counters/3/next", token=counter_token("3")).status_code == 204
    manager = api.sign_in("quanly")
    response = send(manager, "/admin/counters/3", json={"name": "Quầy số 3", "services": ["GCN", "CN-DD", "KS"],
                                                       "priority": False}, headers=JSON)
    assert response.status_code == 200
    called = api.post("/api/counters/3/next", token=counter_token("3")).get_json()
    assert called["id"] == ticket["id"]


def test_a_clerk_left_signed_in_is_freed_from_the_counters_page(api):
    api.sign_in("lan", counter="4")
    assert api.counter_clerk("4") == "lan"
    manager = api.sign_in("quanly")
    assert send(manager, "/admin/counters/4/free", headers=JSON).get_json()["freed"] == "lan"
    assert api.counter_clerk("4") is None


def test_a_retired_service_leaves_the_kiosk_and_its_tickets_still_finish(api):
    ticket = api.issue("KT")
    admin = api.sign_in("admin")
    assert send(admin, "/admin/catalogue/services/KT/retire", headers=JSON).status_code == 200
    assert kiosk_service(api, "KT")[0] is None
    assert_error(api.post("/api/tickets", token=KIOSK, json={"service": "KT", "priority": None}), 409,
                 "service_retired")
    assert "Số chưa xử lý: 1" in admin.get("/admin/catalogue").get_data(as_text=True)
    called = api.call_next("1")
    assert called["id"] == ticket["id"]
    api.act(called["id"], "start")
    assert api.act(called["id"], "finish")["status"] == "done"


def test_a_holiday_refuses_tickets_on_that_day_of_the_controllable_clock(api, clock):
    manager = api.sign_in("quanly")
    response = send(manager, "/admin/hours/exceptions", json={"day": "2026-11-25", "kind": "holiday",
                                                             "note": "Nghỉ lễ thử nghiệm"}, headers=JSON)
    assert response.status_code == 200
    _, data = kiosk_service(api, "KS")
    assert data["calendar"]["upcoming"][0]["note"] == "Nghỉ lễ thử nghiệm"
    api.issue("KS")
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    body = assert_error(api.post("/api/tickets", token=KIOSK, json={"service": "KS", "priority": None}), 409, "holiday")
    assert "Nghỉ lễ thử nghiệm" in body["message"]
    service, data = kiosk_service(api, "KS")
    assert service["reason"] == "holiday" and data["calendar"]["today"]["kind"] == "holiday"
    state = api.get("/display/display-1/state.json").get_json()
    assert state["calendar"]["today"]["note"] == "Nghỉ lễ thử nghiệm"
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=ZONE))
    api.issue("KS")


def test_policy_changes_apply_to_the_next_action(api):
    admin = api.sign_in("admin")
    policy = {"max_recalls": 0, "priority_streak": 2, "no_show_return_minutes": 30, "default_service_minutes": 8,
              "wait_target_minutes": 15, "long_service_minutes": 45}
    assert send(admin, "/admin/policy", json=policy, headers=JSON).status_code == 200
    api.issue("KS")
    called = api.call_next("1")
    response = api.post(f"/api/tickets/{called['id']}/recall", token=counter_token("1"))
    assert_error(response, 409, "recall_limit")
    assert 'value="0"' in admin.get("/admin/policy").get_data(as_text=True)


def test_a_config_that_dropped_a_service_with_open_tickets_breaks_no_screen(api, settings, clock, tmp_path):
    waiting = api.issue("KT")
    admin = api.sign_in("admin")
    send(admin, "/admin/counters/1", json={"name": "Quầy số 1", "services": ["KS", "KT"], "priority": False},
               headers=JSON)
    path = api.store.path
    api.app.extensions["xephang"].realtime.stop()
    api.store.close()
    services = {code: s for code, s in settings.services.items() if code != "KT"}
    counters = {cid: dataclasses.replace(c, services=tuple(s for s in c.services if s != "KT"))
                for cid, c in settings.counters.items()}
    smaller = dataclasses.replace(settings, services=services, counters=counters)
    app = create_app(smaller, path, clock=clock, async_mode="threading")
    try:
        restarted = ApiCentre(app)
        assert restarted.get("/api/state").get_json()["waiting"]["KT"] == 1
        assert restarted.get("/kiosk/kiosk-1/services", token=KIOSK).status_code == 200
        assert restarted.get("/display/display-1/state.json").status_code == 200
        assert restarted.get("/display/display-1").status_code == 200
        assert restarted.get(f"/api/tickets/{waiting['id']}", token=KIOSK).status_code == 200
        admin = restarted.sign_in("admin")
        for page in ("/admin/catalogue", "/admin/counters", "/admin/hours", "/admin/policy"):
            assert admin.get(page).status_code == 200, page
        assert app.extensions["xephang"].settings.counters["1"].services == ("KS",)
    finally:
        app.extensions["xephang"].realtime.stop()
        app.extensions["xephang"].store.close()
