"""The kiosk's HTTP side under Flask's test client: its data, the rate limit, reprint, the phone's page."""

from __future__ import annotations

import dataclasses
import re
import threading
from contextlib import contextmanager
from datetime import datetime

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from core import events
from tests.conftest import ZONE
from tests.web.api_support import KIOSK, KIOSK_2, assert_error, counter_token, open_centre, seed_database


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed_database(tmp_path_factory)


def kiosk_settings(settings, tmp_path, printers=None, services=None, **options):
    """Settings whose kiosks print to `printers` ({kiosk id: URL}) and with [kiosk] `options`."""
    kiosks = {k: dataclasses.replace(v, printer=(printers or {}).get(k, v.printer)) for k, v in settings.kiosks.items()}
    changed = {code: dataclasses.replace(service, **(services or {}).get(code, {}))
               for code, service in settings.services.items()}
    options.setdefault("fake_printer_dir", str(tmp_path / "printed"))
    return dataclasses.replace(settings, kiosks=kiosks, services=changed,
                               kiosk=dataclasses.replace(settings.kiosk, **options))


@contextmanager
def kiosk_centre(settings, clock, seeded, tmp_path):
    with open_centre(settings, clock, seeded, tmp_path) as centre:
        try:
            yield centre
        finally:
            centre.app.extensions["xephang_kiosk"].stop()  # before the store closes under its workers


@pytest.fixture
def api(settings, clock, seeded, tmp_path):
    with kiosk_centre(kiosk_settings(settings, tmp_path), clock, seeded, tmp_path) as centre:
        yield centre


def services_of(api, kiosk="kiosk-1", token=KIOSK):
    response = api.get(f"/kiosk/{kiosk}/services", token)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- the kiosk's data --------------------------------------------------------------------------------
def test_the_kiosk_page_is_public_and_holds_no_token(api):
    response = api.get("/kiosk/kiosk-1")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '"kiosk": "kiosk-1"' in page and '"idleSeconds": 30' in page
    assert "demo-kiosk" not in page and "<a " not in page   # nothing to wander off to
    assert "Kiosk chưa được cấp mã" in page                   # the unpaired screen's words are there
    missing = api.get("/kiosk/kiosk-9")
    assert missing.status_code == 404 and "Không có kiosk này" in missing.get_data(as_text=True)


def test_services_need_this_kiosks_token(api):
    assert_error(api.get("/kiosk/kiosk-1/services"), 401, "unauthenticated")
    assert_error(api.get("/kiosk/kiosk-1/services", "nope-nope-nope"), 401, "invalid_token")
    assert_error(api.get("/kiosk/kiosk-1/services", KIOSK_2), 403, "wrong_kiosk")
    assert_error(api.get("/kiosk/kiosk-1/services", counter_token("1")), 403, "forbidden_role")
    assert_error(api.get("/kiosk/kiosk-9/services", KIOSK), 404, "kiosk_not_found")
    admin = api.sign_in("admin")
    assert admin.get("/kiosk/kiosk-2/services").status_code == 200


def test_services_show_waiting_people_ahead_and_wait_before_the_tap(api):
    # Counter 9 is staffed (its device acted just now): an unstaffed counter gives no estimate (core/staffing.py).
    assert api.post("/api/counters/9/next", counter_token("9")).status_code == 204   # nobody waiting yet
    for _ in range(2):
        api.issue("GPLX", token=KIOSK_2)
    api.issue("DKX", token=KIOSK_2)
    data = services_of(api, "kiosk-2", KIOSK_2)
    assert [s["code"] for s in data["services"]] == ["CT-BS", "CT-CK", "LLTP", "GPLX", "DKX"]
    assert [g["id"] for g in data["groups"]] == ["tu-phap", "giao-thong"]      # only groups it serves
    licence = next(s for s in data["services"] if s["code"] == "GPLX")
    # GPLX and DKX share counter 9 alone: three people ahead, 3 × 8 minutes (default) at one counter.
    assert licence | {"name": None} == {"code": "GPLX", "name": None, "name_en": "Driving licence renewal",
                                        "group": "giao-thong", "waiting": 2, "people_ahead": 3, "eta_minutes": 24,
                                        "eta_low": None, "eta_high": None,   # a short wait has no range
                                        "available": True, "reason": None,
                                        "reason_note": "", "reason_note_en": ""}
    ticket = api.issue("GPLX", token=KIOSK_2)
    assert (ticket["position"], ticket["eta_minutes"]) == (3, 24)            # what the kiosk promised
    assert data["printer"] == {"status": "none", "can_print": False, "message": "Kiosk này không có máy in."}
    assert [p["id"] for p in data["priority_groups"]] == ["elderly", "disabled", "pregnant", "merit"]


def test_services_past_their_cap_or_outside_hours_are_unavailable(settings, clock, seeded, tmp_path):
    capped = kiosk_settings(settings, tmp_path, services={"KT": {"daily_cap": 1}})
    with kiosk_centre(capped, clock, seeded, tmp_path) as api:
        api.issue("KT")
        death = next(s for s in services_of(api)["services"] if s["code"] == "KT")
        assert (death["available"], death["reason"]) == (False, "daily_cap_reached")
        assert_error(api.post("/api/tickets", KIOSK, json={"service": "KT"}), 409, "daily_cap_reached")
    enforced = dataclasses.replace(capped, hours=dataclasses.replace(capped.hours, enforce=True))
    clock.set(datetime(2026, 11, 23, 12, 15, tzinfo=ZONE))                     # lunch break
    (tmp_path / "closed").mkdir()
    (tmp_path / "open").mkdir()
    with kiosk_centre(enforced, clock, seeded, tmp_path / "closed") as api:
        assert {(s["available"], s["reason"]) for s in services_of(api)["services"]} == {(False, "closed")}
    clock.set(datetime(2026, 11, 23, 13, 30, tzinfo=ZONE))
    with kiosk_centre(enforced, clock, seeded, tmp_path / "open") as api:
        assert all(s["available"] for s in services_of(api)["services"] if s["code"] != "KT")


# --- the rate limit ----------------------------------------------------------------------------------
def test_a_burst_from_one_kiosk_gets_a_polite_429(settings, clock, seeded, tmp_path):
    limited = kiosk_settings(settings, tmp_path, rate_limit_tickets=2, rate_limit_seconds=60)
    with kiosk_centre(limited, clock, seeded, tmp_path) as api:
        assert_error(api.post("/api/tickets", KIOSK, json={"service": "NOPE"}), 400, "unknown_service")
        api.issue("KS")
        api.issue("KS")                                                       # a refusal took no slot
        with api.unchanged():
            response = api.post("/api/tickets", KIOSK, json={"service": "KS"})
        body = assert_error(response, 429, "rate_limited")
        assert "Xin vui lòng chờ" in body["message"] and 55 <= body["retry_after"] <= 60
        assert response.headers["Retry-After"] == str(body["retry_after"])
        assert api.issue("GPLX", token=KIOSK_2)["number"] == "R001"           # per kiosk
        assert_error(api.post("/api/tickets", "nope-nope-nope", json={"service": "KS"}), 401, "invalid_token")


def test_the_limit_can_be_turned_off(settings, clock, seeded, tmp_path):
    with kiosk_centre(kiosk_settings(settings, tmp_path, rate_limit_tickets=0), clock, seeded, tmp_path) as api:
        assert [api.issue("KS")["number"] for _ in range(5)][-1] == "A005"


# --- reprint -----------------------------------------------------------------------------------------
def test_reprint_by_the_issuing_kiosk_or_an_admin(settings, clock, seeded, tmp_path):
    printing = kiosk_settings(settings, tmp_path, printers={"kiosk-1": "fake"})
    with kiosk_centre(printing, clock, seeded, tmp_path) as api:
        printed = threading.Semaphore(0)
        api.store.subscribe(lambda rows: [printed.release() for row in rows if row["kind"] == events.PRINTED])
        ticket = api.issue("KS")
        other = api.issue("GPLX", token=KIOSK_2)
        assert printed.acquire(timeout=10)
        path = f"/api/tickets/{ticket['id']}/reprint"
        assert_error(api.post(path, KIOSK_2), 403, "not_your_ticket")
        assert_error(api.post(path, counter_token("1")), 403, "forbidden_role")
        assert_error(api.post(path), 401, "unauthenticated")
        assert_error(api.post("/api/tickets/999/reprint", KIOSK), 404, "ticket_not_found")
        assert_error(api.post(path, KIOSK, json={"copies": 2}), 400, "unknown_field")
        assert_error(api.post(f"/api/tickets/{other['id']}/reprint", KIOSK_2), 409, "no_printer")
        response = api.post(path, KIOSK)
        assert response.status_code == 202 and response.get_json() == {"ticket": ticket["id"], "kiosk": "kiosk-1",
                                                                      "queued": True}
        assert printed.acquire(timeout=10)
        assert api.sign_in("admin").post(path).status_code == 202
        assert printed.acquire(timeout=10)
        assert api.post(path, KIOSK).status_code == 202
        assert printed.acquire(timeout=10)
        assert_error(api.post(path, KIOSK), 409, "reprint_limit")
        assert len(list((tmp_path / "printed").glob("ticket-*.png"))) == 4
        history = api.get(f"/api/tickets/{ticket['id']}", KIOSK).get_json()["history"]
        assert [e["kind"] for e in history] == ["issued"] + ["printed"] * 4
        api.call_next("1")
        api.act(ticket["id"], "start")
        api.act(ticket["id"], "finish")
        with api.unchanged():
            assert_error(api.post(path, KIOSK), 409, "ticket_closed")


# --- the phone's status page -------------------------------------------------------------------------
def token_of(ticket: dict) -> str:
    return ticket["status_url"].rsplit("/t/", 1)[1]


def test_status_page_shows_the_ticket_without_personal_data(api):
    ticket = api.issue("KS", priority="elderly")
    response = api.get(f"/t/{token_of(ticket)}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    for text in (ticket["number"], "Đăng ký khai sinh", "Đang chờ", "Số người chờ trước bạn"):
        assert text in page
    assert "noto-sans.ttf" not in page and "/fonts/" not in page                # under 100 KB: no web font
    assert not re.search(r"(src|href)=\"https?://", page)                     # nothing from the internet
    english = api.get(f"/t/{token_of(ticket)}?lang=en")
    assert "Birth registration" in english.get_data(as_text=True) and "lang=en" in english.headers["Set-Cookie"]
    state = api.get(f"/t/{token_of(ticket)}/state").get_json()
    assert state["number"] == ticket["number"] and state["status"] == "waiting" and "history" not in state
    assert not {"actor", "kiosk", "token"} & state.keys()


def test_unknown_ticket_token_is_a_friendly_404(api):
    response = api.get("/t/not-a-real-token")
    assert response.status_code == 404 and "Không tìm thấy số thứ tự" in response.get_data(as_text=True)
    assert_error(api.get("/t/not-a-real-token/state"), 404, "ticket_not_found")
    assert_error(api.get("/t/not-a-real-token/qr.svg"), 404, "ticket_not_found")


def test_qr_svg_decodes_to_the_status_url(api):
    ticket = api.issue("CN-DD")
    response = api.get(f"/t/{token_of(ticket)}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg)[1])
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):          # draw the SVG's runs
        x, y, width = int(x), int(y), int(width)
        draw.rectangle((x * scale, y * scale, (x + width) * scale - 1, (y + 1) * scale - 1), fill=0)
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [ticket["status_url"]]
