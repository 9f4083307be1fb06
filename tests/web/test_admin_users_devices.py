"""Console users, devices, notices and change log over HTTP (issue 11): every change one transaction and
one admin_* event, every refusal a Vietnamese message + code + 4xx that changes nothing."""

from __future__ import annotations

import re

from store import access
from tests.web.api_support import KIOSK, ClerkClient, assert_error, is_vietnamese

JSON = {"Accept": "application/json"}


def _post(user: ClerkClient, path: str, **fields):
    return user.client.post(path, data={"csrf_token": user.csrf, **fields}, headers=JSON)


def _events(api) -> list[tuple[str, str, dict]]:
    import json
    with api.store.read() as tx:
        return [(r["actor"], r["kind"], json.loads(r["details"])) for r in
                tx.connection.execute("SELECT actor, kind, details FROM events WHERE kind LIKE 'admin_%' ORDER BY seq")]


def test_admin_adds_a_clerk_who_signs_in_with_the_password_shown_once(api):
    admin = api.sign_in("admin")
    page = admin.client.post("/admin/users/add", data={"csrf_token": admin.csrf, "name": "thu", "role": "clerk"})
    assert page.status_code == 201 and page.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="password-value">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert _events(api) == [("admin:admin", "admin_user_added", {"user": "thu", "role": "clerk"})]
    assert password not in str(_events(api))
    clerk = ClerkClient(api.app.test_client())
    assert clerk.sign_in("thu", password, "3").status_code == 200
    assert password not in admin.client.get("/admin/users").get_data(as_text=True)  # shown once


def test_refused_user_changes_change_nothing(api):
    admin = api.sign_in("admin")
    before = (access.list_users(api.store), api.event_kinds())
    for fields, status, code in (
            ({"name": "x" * 500, "role": "clerk"}, 400, "name_too_long"),
            ({"name": "", "role": "clerk"}, 400, "name_required"),
            ({"name": "a b", "role": "clerk"}, 400, "name_invalid"),
            ({"name": "new", "role": "boss"}, 400, "role_invalid"),
            ({"name": "new", "role": "clerk", "password": "short"}, 400, "password_length"),
            ({"name": "lan", "role": "clerk"}, 409, "user_exists")):
        body = assert_error(_post(admin, "/admin/users/add", **fields), status, code)
        assert is_vietnamese(body["message"])
    assert_error(_post(admin, "/admin/users/disable", name="admin"), 409, "last_admin")
    assert_error(_post(admin, "/admin/users/role", name="admin", role="manager"), 409, "last_admin")
    assert_error(_post(admin, "/admin/users/role", name="lan", role="clerk"), 409, "same_role")
    assert_error(_post(admin, "/admin/users/enable", name="lan"), 409, "already_enabled")
    assert_error(_post(admin, "/admin/users/password", name="nobody"), 404, "no_such_user")
    assert_error(admin.client.post("/admin/users/disable", data={"name": "lan"}, headers=JSON), 403, "csrf_failed")
    assert (access.list_users(api.store), api.event_kinds()) == before


def test_disable_role_password_and_unlock_each_log_one_event_and_take_effect_at_once(api):
    admin, lan = api.sign_in("admin"), api.sign_in("lan", counter="1")
    assert _post(admin, "/admin/users/role", name="hoa", role="manager").status_code == 303
    assert _post(admin, "/admin/users/disable", name="lan").status_code == 303
    assert_error(lan.post("/api/counters/1/pause"), 401, "session_ended")
    assert _post(admin, "/admin/users/enable", name="lan").status_code == 303
    for _ in range(api.app.extensions["xephang"].settings.security.signin_failures_to_lock):
        ClerkClient(api.app.test_client()).sign_in("minh", "wrong-password")
    assert "Tạm khóa đăng nhập" in admin.client.get("/admin/users").get_data(as_text=True)
    assert _post(admin, "/admin/users/unlock", name="minh").status_code == 303
    assert ClerkClient(api.app.test_client()).sign_in("minh", "minh1234").status_code == 200
    reset = _post(admin, "/admin/users/password", name="minh")
    assert reset.status_code == 200
    assert [kind for _, kind, _ in _events(api)] == [
        "admin_user_role_changed", "admin_user_disabled", "admin_user_enabled", "admin_user_unlocked",
        "admin_user_password_reset"]
    assert _events(api)[0][2] == {"user": "hoa", "previous_role": "clerk", "role": "manager"}


def test_a_second_admin_makes_the_first_one_demotable(api):
    admin = api.sign_in("admin")
    assert _post(admin, "/admin/users/add", name="admin2", role="admin", password="admin2-pass").status_code == 303
    assert _post(admin, "/admin/users/role", name="admin", role="manager").status_code == 303
    assert access.user(api.store, "admin")["role"] == "manager"


def test_manager_gets_403_on_user_and_device_pages_and_sees_no_links(api):
    manager = api.sign_in("quanly")
    home = manager.client.get("/admin").get_data(as_text=True)
    assert "/admin/notices" in home and "/admin/history" in home
    assert "/admin/users" not in home and "/admin/devices" not in home
    for path in ("/admin/users", "/admin/devices"):
        page = manager.client.get(path)
        assert page.status_code == 403 and 'id="error-code">forbidden_role<' in page.get_data(as_text=True)
    assert_error(_post(manager, "/admin/users/add", name="x", role="admin"), 403, "forbidden_role")
    assert_error(_post(manager, "/admin/devices/repair", kind="kiosk", id="kiosk-1"), 403, "forbidden_role")


def test_repair_revokes_the_old_kiosk_token_and_the_new_one_takes_tickets(api):
    admin = api.sign_in("admin")
    assert_error(_post(admin, "/admin/devices/pair", kind="kiosk", id="kiosk-1"), 409, "device_paired")
    page = admin.client.post("/admin/devices/repair", data={"csrf_token": admin.csrf, "kind": "kiosk", "id": "kiosk-1"})
    assert page.status_code == 201
    text = page.get_data(as_text=True)
    token = re.search(r'id="token-value">([^<]+)<', text).group(1)
    assert f"/kiosk/kiosk-1?token={token}" in text and 'src="data:image/svg+xml;base64,' in text
    assert_error(api.post("/api/tickets", KIOSK, json={"service": "KS", "priority": None}), 401, "invalid_token")
    assert api.post("/api/tickets", token, json={"service": "KS", "priority": None}).status_code == 201
    assert _post(admin, "/admin/devices/revoke", kind="kiosk", id="kiosk-1").status_code == 303
    assert_error(api.post("/api/tickets", token, json={"service": "KS", "priority": None}), 401, "invalid_token")
    assert_error(_post(admin, "/admin/devices/revoke", kind="kiosk", id="kiosk-1"), 409, "not_paired")
    assert_error(_post(admin, "/admin/devices/pair", kind="kiosk", id="kiosk-99"), 404, "unknown_device")
    assert_error(_post(admin, "/admin/devices/pair", kind="robot", id="r1"), 400, "kind_invalid")
    assert [(kind, details) for _, kind, details in _events(api)] == [
        ("admin_device_repaired", {"device_kind": "kiosk", "device": "kiosk-1"}),
        ("admin_device_revoked", {"device_kind": "kiosk", "device": "kiosk-1"})]


def test_devices_page_lists_every_kind_with_its_state(api):
    admin = api.sign_in("admin")
    api.get("/kiosk/kiosk-1/services", KIOSK)
    text = admin.client.get("/admin/devices").get_data(as_text=True)
    for kind in access.DEVICE_KINDS:
        assert f'data-kind="{kind}"' in text
    row = re.search(r'<tr data-device="kiosk:kiosk-1" data-state="paired">.*?</tr>', text, re.S).group(0)
    assert "chưa thấy" not in row  # it made a request just now
    assert "chưa thấy" in re.search(r'<tr data-device="kiosk:kiosk-2".*?</tr>', text, re.S).group(0)


def test_notices_and_the_change_log_show_html_as_text_and_filter(api):
    admin, manager = api.sign_in("admin"), api.sign_in("quanly")
    assert _post(manager, "/admin/notices", text="<script>alert(1)</script> Nghỉ trưa").status_code == 303
    assert_error(_post(manager, "/admin/notices", text="x" * 501), 400, "notice_too_long")
    assert_error(_post(manager, "/admin/notices", text="a", display="nope"), 400, "unknown_display")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Nghỉ trưa" in manager.client.get("/admin/notices").get_data(as_text=True)
    _post(admin, "/admin/users/role", name="hoa", role="manager")
    log = manager.client.get("/admin/history").get_data(as_text=True)
    assert re.findall(r'data-kind="([a-z_]+)"', log) == ["admin_user_role_changed", "notice_changed"]
    assert "<script>alert" not in log
    only_admin = manager.client.get("/admin/history?actor=admin:admin").get_data(as_text=True)
    assert re.findall(r'data-kind="([a-z_]+)"', only_admin) == ["admin_user_role_changed"]
    only_notices = manager.client.get("/admin/history?kind=notice_changed").get_data(as_text=True)
    assert re.findall(r'data-kind="([a-z_]+)"', only_notices) == ["notice_changed"]


def test_the_change_log_pages_by_seq(api):
    from admin.history import PAGE_SIZE
    with api.store.transaction() as tx:
        for number in range(PAGE_SIZE + 5):
            tx.append_event(at=api.engine.clock.now(), actor="admin:admin", kind="admin_user_unlocked",
                            details={"user": f"u{number}"})
    admin = api.sign_in("admin")
    first = admin.client.get("/admin/history").get_data(as_text=True)
    assert len(re.findall(r"<tr data-seq", first)) == PAGE_SIZE
    older = re.search(r'id="history-older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = admin.client.get(older).get_data(as_text=True)
    assert len(re.findall(r"<tr data-seq", second)) == 5 and 'id="history-older"' not in second
    assert_error(admin.client.get("/admin/history?before=x", headers=JSON), 400, "before_invalid")


def test_command_line_changes_are_in_the_change_log_and_keep_the_last_admin(seeded, tmp_path, capsys):
    """Issue 11 item 5, CLI parity: the same rules and the same admin_* events as the console."""
    import shutil

    import server
    from tests.web.api_support import CONFIG

    assert server.DEVICE_KINDS == access.DEVICE_KINDS and server.ROLES == access.ROLES
    db = tmp_path / "cli.db"
    shutil.copyfile(seeded, db)
    run = lambda *args: server.main(["--config", str(CONFIG), "--db", str(db), *args])  # noqa: E731
    assert run("disable-user", "admin") == 2
    assert "last active admin" in capsys.readouterr().err
    assert run("revoke-device", "kiosk", "kiosk-2") == 0
    assert run("add-device", "kiosk", "kiosk-2") == 0
    assert run("add-device", "kiosk", "kiosk-2", "--replace") == 0
    assert run("disable-user", "hoa") == 0
    assert run("free-counter", "1") == 0
    from admin.history import changes
    from store import Store
    store = Store(db)
    try:
        logged = [(row["actor"], row["kind"]) for row in reversed(changes(store))]
    finally:
        store.close()
    assert logged == [("admin:command-line", kind) for kind in (
        "admin_device_revoked", "admin_device_paired", "admin_device_repaired", "admin_user_disabled")]


def test_a_refused_form_shows_its_page_again_with_the_message_and_what_was_typed(api):
    admin = api.sign_in("admin")
    name = "<b>" + "x" * 500
    page = admin.client.post("/admin/users/add", data={"csrf_token": admin.csrf, "name": name, "role": "clerk"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="error-code">name_too_long<' in text and "“Tên đăng nhập” dài quá 64 ký tự" in text
    assert 'id="users"' in text and f'value="&lt;b&gt;{"x" * 500}"' in text and 'aria-invalid="true"' in text
    refused = admin.client.post("/admin/users/disable", data={"name": "lan"})  # no CSRF token: the error page
    assert refused.status_code == 403 and 'id="error-code">csrf_failed<' in refused.get_data(as_text=True)
    assert 'id="users"' not in refused.get_data(as_text=True)
