"""The HTTP adapter against a local server playing the một cửa system: slow, dead, 500, HTML, bad JSON."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import urllib.request

import pytest

from core.dossier_settings import HttpSource
from store import dossiers as stored
from tests.conftest import LiveServer, quiet_kiosks_config
from tests.web.api_support import KIOSK, assert_error, open_centre
from tests.web.dossier_support import HTTP_FIELDS, MotCuaSystem

CODE = "000.00.31.H99-261120-0007"
LOOKUP = "/kiosk/kiosk-1/dossier"


@pytest.fixture
def system(monkeypatch):
    monkeypatch.setenv("XH_TEST_DOSSIER_TOKEN", "Bearer s3cret")
    with MotCuaSystem() as running:
        yield running


@pytest.fixture
def centre(settings, clock, seeded, tmp_path, system):
    http = HttpSource(url=system.url, auth_header="Authorization", auth_env="XH_TEST_DOSSIER_TOKEN",
                      timeout_seconds=1.5, cache_seconds=30, fields=HTTP_FIELDS)
    options = dataclasses.replace(settings.dossiers, source="http", checksum="none", http=http)
    with open_centre(dataclasses.replace(settings, dossiers=options), clock, seeded, tmp_path) as api:
        yield api


def test_a_found_dossier_is_shown_cached_and_kept_for_the_notification_hook(centre, system):
    response = centre.post(LOOKUP, KIOSK, json={"code": CODE})
    assert response.status_code == 200, response.get_json()
    view = response.get_json()
    assert view["status"] == "ready" and view["masked_name"] == "L* V** N**" and view["due"] == "2026-11-25"
    assert "0900000123" not in json.dumps(view)
    assert system.requests == [(f"/api/hoso/{CODE}", "Bearer s3cret")]
    assert centre.post(LOOKUP, KIOSK, json={"code": CODE}).status_code == 200
    assert len(system.requests) == 1  # cached
    ready = stored.ready_since(centre.store, "2000-01-01")
    assert [(d["code"], d["phone"]) for d in ready] == [(CODE, "0900000123")]


@pytest.mark.parametrize("mode, code", [("500", "source_busy"), ("dead", "source_busy"), ("html", "source_invalid"),
                                        ("bad_json", "source_invalid"), ("missing", "source_invalid"),
                                        ("slow", "source_busy"), ("drip", "source_busy")])
def test_a_source_that_cannot_answer_gives_a_clear_message_within_3_s(centre, system, mode, code):
    system.mode = mode
    began = time.monotonic()
    with centre.unchanged():
        body = assert_error(centre.post(LOOKUP, KIOSK, json={"code": CODE}), 503, code)
    assert time.monotonic() - began < 3
    assert "tra cứu" in body["message"] and "procedure" not in body
    assert stored.count(centre.store) == 0  # nothing of a broken answer is kept or shown
    system.mode = "ok"  # a failure is not cached: the next lookup asks again
    assert centre.post(LOOKUP, KIOSK, json={"code": CODE}).status_code == 200


def test_an_unknown_dossier_is_a_404(centre, system):
    system.mode = "not_found"
    assert_error(centre.post(LOOKUP, KIOSK, json={"code": CODE}), 404, "dossier_not_found")


def test_a_dead_source_does_not_freeze_the_gevent_server(tmp_path, system):
    """The real server (gevent): while one kiosk waits for a hanging source, the lobby still gets answers."""
    config = quiet_kiosks_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace('source = "import"', 'source = "http"')
    text = text.replace('checksum = "luhn"', 'checksum = "none"')
    text += f'\n[dossiers.http]\nurl = "{system.url}"\ntimeout_seconds = 2.5\n'
    config.write_text(text, encoding="utf-8")
    server = LiveServer(tmp_path / "queue.db", config=config)
    server.command("seed-demo")
    server.start()
    try:
        system.mode = "slow"
        outcome = {}

        def look_up():
            request = urllib.request.Request(server.url + LOOKUP, data=json.dumps({"code": CODE}).encode(),
                                             headers={**server.headers(KIOSK), "Content-Type": "application/json"})
            began = time.monotonic()
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:
                outcome.update(status=error.code, body=json.loads(error.read()), seconds=time.monotonic() - began)

        waiting = threading.Thread(target=look_up)
        waiting.start()
        deadline = time.monotonic() + 5
        while not system.requests and time.monotonic() < deadline:
            threading.Event().wait(0.02)
        assert system.requests, "the server never asked the source"
        slowest = 0.0
        for _ in range(10):  # the lookup is hanging now: the lobby's snapshot must still come at once
            began = time.monotonic()
            urllib.request.urlopen(server.url + "/api/state", timeout=5).read()
            slowest = max(slowest, time.monotonic() - began)
        waiting.join(10)
        assert outcome["status"] == 503 and outcome["body"]["error"] == "source_busy"
        assert outcome["seconds"] < 3
        assert slowest < 0.5, slowest
    finally:
        server.stop()


def test_the_board_reads_the_systems_summary_and_keeps_the_last_good_figures(settings, clock, seeded, tmp_path, system):
    http = HttpSource(url=system.url, timeout_seconds=1.5, fields=HTTP_FIELDS,
                      summary_url=system.url.replace("/api/hoso", "/api/summary"))
    options = dataclasses.replace(settings.dossiers, source="http", checksum="none", http=http)
    with open_centre(dataclasses.replace(settings, dossiers=options), clock, seeded, tmp_path) as api:
        board = api.get("/display/display-1/dossiers.json").get_json()
        assert system.requests[-1][0] == "/api/summary?day=2026-11-23"
        month = board["month"]["totals"]
        assert (month["received"], month["resolved"], month["early_share"]) == (120, 100, 0.71)
        assert [g["name"] for g in board["year"]["groups"]] == ["Hộ tịch", "Đất đai"]
        assert board["year"]["totals"]["late_share"] == round(40 / 2200, 4) and board["source_error"] is None
        cache = api.app.extensions["xephang_dossier_board"]
        for mode, code in (("500", "source_busy"), ("bad_counts", "source_invalid"), ("html", "source_invalid")):
            system.mode = mode
            cache["figures"]["computed"] -= settings.dossiers.board_refresh_seconds
            stale = api.get("/display/display-1/dossiers.json").get_json()
            assert stale["source_error"] == code and stale["month"] == board["month"]
            assert stale["refreshed_at"] == board["refreshed_at"]  # the time of the figures shown
        cache["figures"] = None  # a fresh server whose source is down: a clear 503, not empty figures
        assert_error(api.get("/display/display-1/dossiers.json"), 503, "source_invalid")
