"""The console's frame (issue 11): sign-in page, who may open /admin, CSRF on every write, the menu by role."""

from __future__ import annotations

from tests.web.api_support import KIOSK, assert_error, is_vietnamese

JSON = {"Accept": "application/json"}


def test_anonymous_browser_goes_to_sign_in_and_the_page_is_vietnamese(api):
    response = api.get("/admin")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin")
    page = api.get("/admin/login").get_data(as_text=True)
    assert "Đăng nhập quản trị" in page and 'src="/admin/static/admin-login.js"' in page
    assert "Administration sign-in" in api.get("/admin/login?lang=en").get_data(as_text=True)


def test_devices_and_clerks_are_refused(api):
    assert_error(api.client.get("/admin", headers={**JSON, "Authorization": f"Bearer {KIOSK}"}), 403, "forbidden_role")
    clerk = api.sign_in("lan")
    response = clerk.client.get("/admin", headers=JSON)
    assert_error(response, 403, "forbidden_role")
    page = clerk.client.get("/admin")
    assert page.status_code == 403 and "forbidden_role" in page.get_data(as_text=True)


def test_manager_and_admin_open_the_console_and_writes_need_the_csrf_token(api):
    manager = api.sign_in("quanly")
    page = manager.client.get("/admin")
    assert page.status_code == 200 and "quanly" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    refused = manager.client.post("/admin/logout", headers=JSON)
    body = assert_error(refused, 403, "csrf_failed")
    assert is_vietnamese(body["message"])
    assert manager.client.get("/admin").status_code == 200  # the refused sign-out changed nothing
    signed_out = manager.client.post("/admin/logout", data={"csrf_token": manager.csrf})
    assert signed_out.status_code == 302
    assert manager.client.get("/admin").status_code == 302


def test_sign_in_page_never_redirects_to_another_site(api):
    admin = api.sign_in("admin")
    for target in ("https://evil.example/admin", "//evil.example/admin", "/counter"):
        response = admin.client.get(f"/admin/login?next={target}")
        assert response.headers["Location"] == "/admin", target
