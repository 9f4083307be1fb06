"""A counter screen whose session ends elsewhere (issue 8 item 1) goes back to sign-in and says why,
instead of failing on every button; the note fields warn that notes are not for personal data."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.counter_support import sign_in, start_server
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("counter-session"))
    yield live
    live.stop()


def test_disabling_the_clerk_sends_the_open_screen_back_to_sign_in(server, page):
    sign_in(page, server, "hoa", "8")
    subprocess.run([sys.executable, str(ROOT / "server.py"), "--config", str(server.config), "--db",
                    str(server.db), "disable-user", "hoa"], cwd=ROOT, check=True, capture_output=True, timeout=60)
    # The server closes the screen's socket within a second or two; the page then goes to sign-in.
    page.wait_for_url(f"{server.url}/counter/login?ended=1", timeout=15_000)
    expect(page.locator("#login-ended")).to_contain_text("Phiên làm việc đã kết thúc")


def test_notes_warn_against_personal_data(server, page):
    sign_in(page, server, "lan", "1")
    hints = page.locator(".privacy-hint")
    expect(hints).to_have_count(2)
    assert "CCCD" in hints.first.text_content()
