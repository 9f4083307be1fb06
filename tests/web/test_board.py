"""The public board's data (issue 12 item 3): today's figures per lĩnh vực, public, nothing personal."""

from __future__ import annotations

import json

import pytest

from tests.web.api_support import counter_token


def serve(api, service="KS", counter="1", minutes_waited=0, clock=None):
    ticket = api.issue(service)
    if clock is not None and minutes_waited:
        clock.advance(minutes=minutes_waited)
    token = counter_token(counter)
    api.post(f"/api/counters/{counter}/call", token=token, json={"ticket": ticket["id"]})
    api.post(f"/api/tickets/{ticket['id']}/start", token=token)
    api.post(f"/api/tickets/{ticket['id']}/finish", token=token)
    return ticket


def test_board_shows_today_per_group_and_nothing_personal(api, clock):
    serve(api, "KS", "1", 10, clock)        # hộ tịch, 10 minutes: within the 15-minute target
    serve(api, "CT-BS", "6", 20, clock)     # tư pháp, 20 minutes: not within it
    api.issue("GCN")                        # đất đai: waiting, not served yet
    response = api.get("/display/display-1/board.json")
    assert response.status_code == 200
    board = response.get_json()
    assert board["day"] == "2026-11-23" and board["target_minutes"] == 15
    assert board["totals"]["served"] == 2 and board["totals"]["issued"] == 3
    assert board["totals"]["mean_wait"] == pytest.approx(15)
    assert board["totals"]["within_share"] == pytest.approx(0.5)
    groups = {row["id"]: row for row in board["groups"]}
    assert groups["ho-tich"]["name"] == "Hộ tịch" and groups["ho-tich"]["within_share"] == 1
    assert groups["dat-dai"]["served"] == 0 and groups["dat-dai"]["mean_wait"] is None
    text = json.dumps(board, ensure_ascii=False)
    for personal in ("A001", "H001", "lan", "clerk", "token", "counter"):
        assert personal not in text
    assert api.get("/display/nope/board.json").status_code == 404
    page = api.get("/display/display-1/board")
    assert page.status_code == 200 and "Kết quả phục vụ hôm nay" in page.get_data(as_text=True)


def test_second_floor_board_counts_only_its_services(api, clock):
    serve(api, "KS", "1", 1, clock)
    serve(api, "GCN", "3", 1, clock)
    board = api.get("/display/display-2/board.json").get_json()   # counters 3, 4, 5, 8
    assert board["totals"]["served"] == 1 and [row["id"] for row in board["groups"]] == ["dat-dai"]
