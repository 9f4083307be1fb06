"""Sessions end when they should (issue 8 item 1): the cookie holds a name and a session version, the
account is read again on every request, and sign-out, a new password, a new role or disabling ends it."""

from __future__ import annotations

import dataclasses
import time

from store import access
from tests.web.api_support import ClerkClient, PASSWORDS, assert_error

NOTICE = "/display/notice"


def _replay(api, clerk: ClerkClient) -> ClerkClient:
    """Another browser holding an exact copy of `clerk`'s cookie and CSRF token."""
    copy = ClerkClient(api.app.test_client())
    copy.client.set_cookie("session", clerk.client.get_cookie("session").value)
    copy.csrf = clerk.csrf
    return copy


def _put_notice(clerk: ClerkClient, text: str = "Thông báo"):
    return clerk.client.put(NOTICE, json={"text": text}, headers={"X-CSRF-Token": clerk.csrf})


def test_a_signed_out_admins_cookie_no_longer_writes(api):
    admin = api.sign_in("admin")
    kept = _replay(api, admin)
    assert _put_notice(kept).status_code == 200
    assert admin.delete("/api/session").status_code == 204
    assert_error(_put_notice(kept, "Sau khi đăng xuất"), 401, "session_ended")


def test_a_password_reset_ends_the_session(api):
    lan = api.sign_in("lan", counter="1")
    assert lan.post("/api/counters/1/pause").status_code == 200
    access.set_password(api.store, "lan", "mật-khẩu-mới")
    assert_error(lan.post("/api/counters/1/resume"), 401, "session_ended")
    assert lan.client.get("/api/session").get_json()["user"] is None


def test_a_demoted_admin_loses_admin_rights_at_once(api):
    admin = api.sign_in("admin")
    assert _put_notice(admin).status_code == 200
    access.add_user(api.store, "second-admin", "admin", "second-admin-pw")  # the last admin keeps the role
    access.set_role(api.store, "admin", "clerk")
    assert_error(_put_notice(admin, "Không còn quyền"), 401, "session_ended")
    again = ClerkClient(api.app.test_client())
    assert again.sign_in("admin", PASSWORDS["admin"]).status_code == 200
    assert_error(_put_notice(again, "Vẫn không có quyền"), 403, "forbidden_role")


def test_an_old_cookie_does_not_come_back_when_the_clerk_signs_in_again(api):
    lan = api.sign_in("lan", counter="1")
    kept = _replay(api, lan)
    lan.delete("/api/session")
    api.sign_in("lan", counter="1")  # the same clerk, a new session
    with api.unchanged():
        assert_error(kept.post("/api/counters/1/pause"), 401, "session_ended")


def test_a_disabled_user_is_signed_out_at_once_and_cannot_sign_in(api):
    lan = api.sign_in("lan", counter="1")
    access.set_disabled(api.store, "lan", True)
    assert_error(lan.post("/api/counters/1/pause"), 401, "session_ended")
    assert_error(ClerkClient(api.app.test_client()).sign_in("lan", PASSWORDS["lan"]), 403, "account_disabled")
    access.set_disabled(api.store, "lan", False)
    assert ClerkClient(api.app.test_client()).sign_in("lan", PASSWORDS["lan"]).status_code == 200


def test_a_session_ends_after_its_shift(api, clock):
    lan = api.sign_in("lan", counter="1")
    hours = api.app.extensions["xephang"].settings.security.session_hours
    for step in range(hours * 2 - 1):  # busy all day: never idle
        clock.advance(minutes=30)
        assert lan.post(f"/api/counters/1/{'resume' if step % 2 else 'pause'}").status_code == 200
    clock.advance(minutes=31)  # … but the shift is over
    assert_error(lan.client.get("/counter/summary"), 401, "session_expired")


def test_a_session_ends_when_its_browser_is_idle(api, clock):
    lan = api.sign_in("lan", counter="1")
    idle = api.app.extensions["xephang"].settings.security.session_idle_minutes
    clock.advance(minutes=idle - 1)
    assert lan.client.get("/counter/summary").status_code == 200  # seen again: the idle time restarts
    clock.advance(minutes=idle - 1)
    assert lan.client.get("/counter/summary").status_code == 200
    clock.advance(minutes=idle + 1)
    assert_error(lan.client.get("/counter/summary"), 401, "session_expired")


def test_a_cookie_without_a_session_version_is_not_a_session(api):
    """A cookie signed by the previous version of this program carried the user itself, role included."""
    browser = ClerkClient(api.app.test_client())
    with browser.client.session_transaction() as session:
        session["user"] = {"name": "admin", "role": "admin"}
        session["csrf"] = browser.csrf = "x" * 32
    assert_error(_put_notice(browser), 401, "session_ended")


def test_the_session_cookie_is_https_only_when_configured(settings, clock, seeded, tmp_path):
    from tests.web.api_support import open_centre
    secure = dataclasses.replace(settings, security=dataclasses.replace(settings.security, cookie_secure=True))
    with open_centre(secure, clock, seeded, tmp_path) as api:
        response = api.client.post("/api/session", json={"name": "admin", "password": PASSWORDS["admin"]})
        assert response.status_code == 200
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_the_session_cookie_works_over_plain_http_by_default(api):
    response = api.client.post("/api/session", json={"name": "admin", "password": PASSWORDS["admin"]})
    assert "Secure" not in response.headers["Set-Cookie"]


# --- sign-in throttle (item 7) ----------------------------------------------------------------------
def _sign_in_from(api, address: str, name: str, password: str):
    return api.app.test_client().post("/api/session", json={"name": name, "password": password},
                                      environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_lock_the_name_only_from_that_address(api):
    for _ in range(4):
        assert_error(_sign_in_from(api, "10.0.0.66", "lan", "đoán-sai-1"), 401, "wrong_credentials")
    assert_error(_sign_in_from(api, "10.0.0.66", "lan", "đoán-sai-2"), 409, "account_locked")
    assert_error(_sign_in_from(api, "10.0.0.66", "lan", PASSWORDS["lan"]), 409, "account_locked")
    # The clerk's own PC is not locked out by a stranger's guesses.
    assert _sign_in_from(api, "10.0.0.21", "lan", PASSWORDS["lan"]).status_code == 200


def test_a_lock_runs_out(api, clock):
    for _ in range(5):
        _sign_in_from(api, "10.0.0.66", "minh", "đoán-sai")
    assert_error(_sign_in_from(api, "10.0.0.66", "minh", PASSWORDS["minh"]), 409, "account_locked")
    clock.advance(minutes=api.app.extensions["xephang"].settings.security.signin_lock_minutes, seconds=1)
    assert _sign_in_from(api, "10.0.0.66", "minh", PASSWORDS["minh"]).status_code == 200


def test_too_many_attempts_from_one_address_are_refused_before_any_password_work(api, clock):
    limit = api.app.extensions["xephang"].settings.security.signin_attempts_per_minute
    names = ["lan", "minh", "hoa", "admin", "nobody"]
    for attempt in range(limit):
        response = _sign_in_from(api, "10.0.0.99", names[attempt % len(names)] + "x", "sai")
        assert response.status_code == 401
    began = time.monotonic()
    refused = _sign_in_from(api, "10.0.0.99", "lan", PASSWORDS["lan"])
    held = time.monotonic() - began
    body = assert_error(refused, 429, "too_many_attempts")
    # The refusal is held back, so a script that ignores Retry-After gets about one answer a second.
    assert held >= api.app.extensions["xephang"].settings.security.signin_refusal_delay_ms / 1000
    assert int(refused.headers["Retry-After"]) == body["retry_after"] >= 1
    assert _sign_in_from(api, "10.0.0.100", "lan", PASSWORDS["lan"]).status_code == 200  # others unaffected
    clock.advance(minutes=1, seconds=1)
    assert _sign_in_from(api, "10.0.0.99", "lan", PASSWORDS["lan"]).status_code == 200


def test_wrong_passwords_write_nothing_to_the_database(api):
    """The password check runs outside any transaction; failures are counted in memory, not in users."""
    with api.unchanged():
        before = api.store.connection.total_changes
        for _ in range(3):
            _sign_in_from(api, "10.0.0.5", "lan", "sai-mật-khẩu")
        assert api.store.connection.total_changes == before


def test_passwords_shorter_than_eight_characters_are_refused(api):
    import pytest
    with pytest.raises(access.AccountError, match="at least 8"):
        access.add_user(api.store, "tam", "clerk", "1234567")
    with pytest.raises(access.AccountError, match="at least 8"):
        access.set_password(api.store, "lan", "ngắn")
