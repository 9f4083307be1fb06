"""The counter terminal's pages and JSON calls under Flask's test client: who gets in, what they see,
what a keyboard-mode scan does, and that every refusal changes nothing.

The API's own refusals (every /api write, anonymous, wrong counter, CSRF, device tokens) are covered by
test_api_auth.py; this file covers what counter/ adds: /counter, /counter/login, /counter/summary and
/counter/scan.
"""

from __future__ import annotations

import re

import pytest

from store import access
from tests.web.api_support import DISPLAY, KIOSK, ClerkClient, assert_error, counter_token



def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- sign-in page ------------------------------------------------------------------------------------
def test_login_page_is_vietnamese_lists_the_counters_and_marks_taken_ones(api):
    api.sign_in("minh", counter="3")
    html = page_text(api.client.get("/counter/login"))
    assert '<html lang="vi">' in html and "Đăng nhập quầy phục vụ" in html and "Mật khẩu" in html
    for counter in api.app.extensions["xephang"].settings.counters.values():
        assert f'<option value="{counter.id}"' in html
    assert re.search(r'<option value="3"[^>]*>Quầy số 3 \(đang có cán bộ\)</option>', html)
    assert re.search(r'<option value="1"[^>]*>Quầy số 1</option>', html)
    assert "minh" not in html  # who works where stays off an unauthenticated page
    assert not re.search(r'(src|href)="https?://', html)


def test_login_page_in_english_remembers_the_language(api):
    response = api.client.get("/counter/login?lang=en")
    html = page_text(response)
    assert '<html lang="en">' in html and "Counter sign-in" in html and "Password" in html
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Counter sign-in" in page_text(api.client.get("/counter/login"))  # the cookie keeps it
    assert "Đăng nhập quầy" in page_text(api.client.get("/counter/login?lang=vi"))


# --- the counter screen: who gets it ------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_sign_in(api):
    response = api.client.get("/counter")
    assert response.status_code == 302 and response.headers["Location"].endswith("/counter/login")


@pytest.mark.parametrize("name, counter", [("hoa", None), ("admin", None)])
def test_a_user_without_a_counter_is_sent_to_sign_in(api, name, counter):
    user = api.sign_in(name, counter=counter)
    response = user.get("/counter")
    assert response.status_code == 302 and response.headers["Location"].endswith("/counter/login")


def test_a_clerk_at_a_counter_gets_the_screen_with_its_csrf_token(api):
    lan = api.sign_in("lan", counter="1")
    response = lan.get("/counter")
    html = page_text(response)
    assert f'<meta name="csrf-token" content="{lan.csrf}">' in html
    assert "<h1 id=\"counter-name\">Quầy số 1</h1>" in html and "lan" in html
    for label, key in [("Gọi tiếp", "G"), ("Gọi lại", "L"), ("Bắt đầu", "B"), ("Hoàn thành", "H"),
                       ("Vắng mặt", "V"), ("Chuyển", "C"), ("Tạm nghỉ", "T")]:
        assert re.search(rf'aria-keyshortcuts="{key}" disabled><span class="label">{label}</span> <kbd>{key}</kbd>',
                         html), label
    assert response.headers["Cache-Control"] == "no-store"
    assert not re.search(r'(src|href)="https?://', html)
    # Signed in already: the sign-in page sends the clerk back to work.
    assert lan.get("/counter/login").headers["Location"].endswith("/counter")


def test_the_screen_in_english(api):
    lan = api.sign_in("lan", counter="1")
    html = page_text(lan.client.get("/counter?lang=en"))
    assert "Call next" in html and "Waiting list" in html and "Birth registration" in html


def test_a_clerk_who_moved_counter_or_was_replaced_loses_the_first_screen(api):
    first_tab = api.sign_in("lan", counter="1")
    second_tab = api.sign_in("lan", counter="2")
    assert first_tab.get("/counter").status_code == 302  # counter 1 is free now: its screen is gone
    assert 'id="counter-name">Quầy số 2<' in page_text(second_tab.get("/counter"))
    kept = api.sign_in("minh", counter="9")
    cookie = kept.client.get_cookie("session").value
    kept.delete("/api/session")
    api.sign_in("hoa", counter="9")
    replay = ClerkClient(api.app.test_client())
    replay.client.set_cookie("session", cookie)
    assert replay.get("/counter").status_code == 302


def test_names_typed_by_an_admin_are_escaped_on_the_screen(api):
    name = "<img src=x onerror=alert(1)>"
    access.add_user(api.store, name, "clerk", "secret-1")
    clerk = ClerkClient(api.app.test_client())
    assert clerk.sign_in(name, "secret-1", counter="5").status_code == 200
    html = page_text(clerk.get("/counter"))
    assert name not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the header
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # the page's JSON


# --- /counter/summary -----------------------------------------------------------------------------------
def test_summary_needs_a_counter_and_the_right_kind_of_caller(api):
    assert_error(api.client.get("/counter/summary"), 401, "unauthenticated")
    for token in (KIOSK, DISPLAY):
        assert_error(api.get("/counter/summary", token), 403, "forbidden_role")
    assert_error(api.sign_in("hoa").get("/counter/summary"), 403, "no_counter")
    assert_error(api.sign_in("admin").get("/counter/summary"), 403, "forbidden_role")
    assert api.get("/counter/summary", counter_token("4")).get_json()["counter"]["id"] == "4"


def test_summary_has_the_current_ticket_and_todays_figures(api, clock):
    lan = api.sign_in("lan", counter="1")
    first, second, third, other = (api.issue("KS")["id"], api.issue("KH")["id"], api.issue("KS")["id"],
                                   api.issue("KS")["id"])
    for ticket, minutes in ((first, 4), (second, 8)):
        lan.post("/api/counters/1/next")
        clock.advance(minutes=1)
        lan.post(f"/api/tickets/{ticket}/start")
        clock.advance(minutes=minutes - 1)
        assert lan.post(f"/api/tickets/{ticket}/finish").status_code == 200
    lan.post("/api/counters/1/next")
    lan.post(f"/api/tickets/{third}/no-show")
    api.call_next("2")  # counter 2's work is not counter 1's
    api.act(other, "start", counter="2")
    api.act(other, "finish", counter="2")
    lan.post("/api/counters/1/next")  # nobody left: 204
    api.issue("KT")
    lan.post("/api/counters/1/next")

    summary = lan.get("/counter/summary").get_json()
    assert summary["clerk"] == "lan" and summary["now"] == clock.now().isoformat(timespec="milliseconds")
    assert summary["counter"]["current"]["number"] == "C001"
    assert summary["counter"]["current"]["status"] == "called" and summary["counter"]["paused"] is False
    today = summary["today"]
    assert (today["served_count"], today["no_show_count"], today["average_service_minutes"]) == (2, 1, 6.0)
    assert [(t["number"], t["service_minutes"]) for t in today["served"]] == [("B001", 8.0), ("A001", 4.0)]
    assert today["served"][0]["service_name"] == "Đăng ký kết hôn"
    assert summary["scanners"] in (["starting"], ["connected"], ["disconnected"])  # config.toml: counter 1


def test_a_counter_without_scanners_reports_none(api):
    assert api.sign_in("minh", counter="2").get("/counter/summary").get_json()["scanners"] == []


# --- /counter/scan: a USB scanner in keyboard mode -------------------------------------------------------
def test_a_keyboard_scan_calls_the_ticket_at_the_clerks_counter_then_starts_it(api):
    lan = api.sign_in("lan", counter="1")
    api.issue("KS")
    ticket = api.issue("KS")
    result = lan.post("/counter/scan", json={"code": ticket["status_url"]}).get_json()
    assert (result["outcome"], result["ticket"]["id"], result["ticket"]["counter"]) == ("called", ticket["id"], "1")
    called = api.engine.get_ticket(ticket["id"])["history"][-1]
    assert (called["kind"], called["actor"], called["details"]["reason"]) == ("called", "clerk:lan", "scanned")
    assert called["details"]["out_of_order"] is True
    result = lan.post("/counter/scan", json={"code": ticket["status_url"]}).get_json()
    assert (result["outcome"], result["ticket"]["status"]) == ("started", "serving")


def test_a_keyboard_scan_of_something_else_is_refused_on_the_record(api):
    lan = api.sign_in("lan", counter="1")
    result = lan.post("/counter/scan", json={"code": "8935049501234"}).get_json()
    assert result["outcome"] == "rejected" and result["code"] == "not_a_ticket"
    assert api.event_kinds()[-1] == "scan_rejected"


def test_a_counter_device_may_post_scans_for_itself(api):
    ticket = api.issue("GCN")
    result = api.post("/counter/scan", counter_token("3"), json={"code": ticket["status_url"]}).get_json()
    assert result["outcome"] == "called" and result["ticket"]["counter"] == "3"


def test_scan_refusals_change_nothing(api):
    ticket = api.issue("KS")
    lan = api.sign_in("lan", counter="1")
    minh = api.sign_in("minh", counter="3")
    payload = {"json": {"code": ticket["status_url"]}}
    with api.unchanged():
        assert_error(api.client.post("/counter/scan", **payload), 401, "unauthenticated")
        for token in (KIOSK, DISPLAY):
            assert_error(api.post("/counter/scan", token, **payload), 403, "forbidden_role")
        for csrf in (None, "", "wrong", minh.csrf):
            headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
            assert_error(lan.client.post("/counter/scan", headers=headers, **payload), 403, "csrf_failed")
        # The counter is the session's, never the request's: naming another one is refused outright.
        assert_error(lan.post("/counter/scan", json={"code": ticket["status_url"], "counter": "2"}),
                     400, "unknown_field")
        assert_error(lan.post("/counter/scan", json={}), 400, "missing_field")
        assert_error(lan.post("/counter/scan", json={"code": 12}), 400, "invalid_field")
        assert_error(api.sign_in("hoa").post("/counter/scan", **payload), 403, "no_counter")
        assert_error(api.sign_in("admin").post("/counter/scan", **payload), 403, "forbidden_role")
    assert api.engine.get_ticket(ticket["id"])["status"] == "waiting"


def test_a_kept_cookie_cannot_scan_at_a_counter_taken_over_by_another_clerk(api):
    ticket = api.issue("KS")
    lan = api.sign_in("lan", counter="1")
    cookie, csrf = lan.client.get_cookie("session").value, lan.csrf
    lan.delete("/api/session")
    api.sign_in("minh", counter="1")
    with api.unchanged():
        for request in (lambda r: r.post("/counter/scan", json={"code": ticket["status_url"]}),
                        lambda r: r.client.get("/counter/summary")):
            replay = ClerkClient(api.app.test_client())
            replay.client.set_cookie("session", cookie)
            replay.csrf = csrf
            assert_error(request(replay), 401, "session_ended")


def test_sign_out_from_the_screen_frees_the_counter(api):
    lan = api.sign_in("lan", counter="1")
    assert lan.delete("/api/session").status_code == 204
    assert api.counter_clerk("1") is None
    assert lan.get("/counter").status_code == 302


def test_counter_static_files_are_served(api):
    for name in ("counter.js", "keys.js", "render.js", "sound.js", "text.js", "login.js", "counter.css"):
        response = api.client.get(f"/counter/static/{name}")
        assert response.status_code == 200, name
        assert "http://" not in response.get_data(as_text=True) and "https://" not in response.get_data(as_text=True)


# --- sign-in from another site (login CSRF) -----------------------------------------------------------
@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost.evil.example", "null"])
def test_a_sign_in_sent_by_another_sites_page_is_refused(api, origin):
    access.add_user(api.store, "lan", "clerk", "lan=1234x")
    """Any page can make a browser post a text/plain form shaped like our JSON (the "=" between a form
    field's name and value lands inside the password); its Origin gives it away."""
    forged = '{"name": "lan", "counter": "1", "password": "lan=1234x"}'
    with api.unchanged():
        response = api.client.post("/api/session", data=forged, content_type="text/plain",
                                   headers={"Origin": origin})
        assert_error(response, 403, "cross_site")
        response = api.client.post("/api/session", json={"name": "lan", "password": "lan12345", "counter": "1"},
                                   headers={"Origin": origin})
        assert_error(response, 403, "cross_site")
    assert api.client.get("/api/session").get_json()["user"] is None
    assert api.counter_clerk("1") is None
    # The same forged body without an Origin (a program, not a browser) would have signed in: the guard matters.
    assert api.client.post("/api/session", data=forged, content_type="text/plain").status_code == 200


def test_a_sign_in_from_the_servers_own_page_works(api):
    response = api.client.post("/api/session", json={"name": "lan", "password": "lan12345", "counter": "1"},
                               headers={"Origin": "http://localhost"})
    assert response.status_code == 200, response.get_json()
    assert api.counter_clerk("1") == "lan"
