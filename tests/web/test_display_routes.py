"""The display blueprint under Flask's test client: pages, this display's recent calls, the notice API."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.web.api_support import DISPLAY, KIOSK, assert_error, counter_token, open_centre, seed_database


@pytest.fixture
def centre(settings, clock, tmp_path_factory, tmp_path):
    with open_centre(settings, clock, seed_database(tmp_path_factory), tmp_path) as centre:
        yield centre


def call(centre, counter: str, service: str) -> dict:
    centre.issue(service)
    return centre.call_next(counter)


def test_each_configured_display_has_a_page(centre):
    page = centre.get("/display/display-2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Màn hình tầng 2" in html and "Trung tâm Phục vụ hành chính công" in html
    # display-2 shows counters 3, 4, 5 and 8 only (config.toml)
    assert re.findall(r'data-counter="([^"]+)"', html) == ["3", "4", "5", "8"]
    assert "http://" not in html and "https://" not in html  # nothing from the internet
    assert "Mất kết nối" in html


def test_english_on_request(centre):
    html = centre.get("/display/display-1?lang=en").get_data(as_text=True)
    assert "Recent calls" in html and "Connection lost" in html and 'lang="en"' in html


def test_unknown_display_is_a_404_page_listing_the_real_ones(centre):
    page = centre.get("/display/lobby-99")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Không có màn hình này" in html and "/display/display-1" in html
    assert centre.get("/display/").status_code == 200


def test_counter_screen_follows_config(centre, settings, clock, tmp_path_factory, tmp_path):
    assert centre.get("/display/counter/3").status_code == 200
    assert centre.get("/display/counter/99").status_code == 404
    off = dataclasses.replace(settings, display=dataclasses.replace(settings.display, counter_screens=False))
    (tmp_path / "off").mkdir()
    with open_centre(off, clock, seed_database(tmp_path_factory), tmp_path / "off") as other:
        assert other.get("/display/counter/3").status_code == 404


def test_state_lists_this_displays_calls_newest_first_one_line_per_ticket(centre):
    first = call(centre, "3", "GCN")            # display-2 shows counter 3
    call(centre, "1", "KS")                     # … but not counter 1
    centre.act(first["id"], "recall", "3")      # a recall moves the call up, it does not add a line
    second = call(centre, "5", "TL-DN")
    state = centre.get("/display/display-2/state.json").get_json()
    assert [c["number"] for c in state["recent_calls"]] == [second["number"], first["number"]]
    assert state["recent_calls"][1]["kind"] == "recalled"
    assert state["recent_calls"][0]["counter_name"] == "Quầy số 5"
    everything = centre.get("/display/display-1/state.json").get_json()
    assert len(everything["recent_calls"]) == 3
    assert centre.get("/display/nope/state.json").status_code == 404


def test_state_keeps_at_most_recent_calls(centre, settings):
    for _ in range(settings.display.recent_calls + 2):
        ticket = call(centre, "1", "KS")
        centre.act(ticket["id"], "no-show")
    calls = centre.get("/display/display-1/state.json").get_json()["recent_calls"]
    assert len(calls) == settings.display.recent_calls


def test_logo_is_served_locally(centre):
    response = centre.get("/display/logo")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"


# --- the notice ------------------------------------------------------------------------------------
def test_admin_sets_the_notice_and_an_event_carries_it(centre):
    admin = centre.sign_in("admin")
    response = admin.client.put("/display/notice", headers={"X-CSRF-Token": admin.csrf},
                                json={"text": "  Nghỉ trưa\n từ 11:30  "})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["text"] == "Nghỉ trưa từ 11:30"
    assert centre.event_kinds()[-1] == "notice_changed"
    assert centre.get("/display/notice").get_json()["all"] == "Nghỉ trưa từ 11:30"
    one = admin.client.put("/display/notice", headers={"X-CSRF-Token": admin.csrf},
                           json={"text": "Tầng 2 đóng cửa", "display": "display-2"})
    assert one.status_code == 200
    state = centre.get("/display/display-2/state.json").get_json()
    assert state["notice"]["all"] == "Nghỉ trưa từ 11:30" and state["notice"]["mine"] == "Tầng 2 đóng cửa"
    assert centre.get("/display/notice").get_json()["displays"] == {"display-2": "Tầng 2 đóng cửa"}
    assert centre.get("/display/display-1/state.json").get_json()["notice"]["mine"] == ""
    cleared = admin.client.put("/display/notice", headers={"X-CSRF-Token": admin.csrf}, json={"text": ""})
    assert cleared.status_code == 200 and centre.get("/display/notice").get_json()["all"] == ""


def test_notice_text_is_escaped_in_the_page(centre):
    admin = centre.sign_in("admin")
    admin.client.put("/display/notice", headers={"X-CSRF-Token": admin.csrf},
                     json={"text": "<script>alert(1)</script>"})
    html = centre.get("/display/display-1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_an_admin_with_the_csrf_token_changes_the_notice(centre):
    with centre.unchanged():
        assert_error(centre.client.put("/display/notice", json={"text": "x"}), 401, "unauthenticated")
        assert_error(centre.client.put("/display/notice", json={"text": "x"},
                                       headers={"Authorization": f"Bearer {DISPLAY}"}), 403, "forbidden_role")
        assert_error(centre.client.put("/display/notice", json={"text": "x"},
                                       headers={"Authorization": f"Bearer {KIOSK}"}), 403, "forbidden_role")
        clerk = centre.sign_in("lan")
        assert_error(clerk.client.put("/display/notice", headers={"X-CSRF-Token": clerk.csrf}, json={"text": "x"}),
                     403, "forbidden_role")
        admin = centre.sign_in("admin")
        assert_error(admin.client.put("/display/notice", json={"text": "x"}), 403, "csrf_failed")


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "missing_field"),
    ({"text": 5}, 400, "invalid_field"),
    ({"text": "x", "colour": "red"}, 400, "unknown_field"),
    ({"text": "x", "display": "display-99"}, 400, "unknown_display"),
    ({"text": "x" * 501}, 400, "notice_too_long"),
])
def test_a_bad_notice_is_refused_and_changes_nothing(centre, body, status, code):
    admin = centre.sign_in("admin")
    with centre.unchanged():
        assert_error(admin.client.put("/display/notice", headers={"X-CSRF-Token": admin.csrf}, json=body),
                     status, code)


def test_counter_token_cannot_change_the_notice(centre):
    assert_error(centre.client.put("/display/notice", json={"text": "x"},
                                   headers={"Authorization": f"Bearer {counter_token('1')}"}), 403, "forbidden_role")
