"""The lobby's dossier results board: this month and this year per lĩnh vực, refreshed on a schedule."""

from __future__ import annotations

import time

from core.dossier_views import summarise
from dossiers.importer import import_file
from store import dossiers as stored
from tests.web.dossier_support import TODAY, import_sample
from tools.dossier_sample import write_sample

BOARD = "/display/display-1/dossiers.json"


def test_the_board_counts_the_imported_dossiers_and_says_when(api, settings, tmp_path):
    import_sample(api.store, settings, tmp_path)
    board = api.get(BOARD).get_json()
    expected = summarise(stored.for_board(api.store, "2026"), TODAY.isoformat())
    assert board["month"] == expected["month"] and board["year"] == expected["year"]
    month = board["month"]["totals"]
    assert board["month"]["prefix"] == "2026-11" and month["received"] > 0 and month["resolved"] > 0
    assert month["early"] + month["on_time"] + month["late"] == month["resolved"]
    assert month["late"] >= 1 and month["early"] > month["late"]  # the sample's one late result is this month
    assert abs(month["early_share"] + month["on_time_share"] + month["late_share"] - 1) < 1e-3
    assert {g["name"] for g in board["year"]["groups"]} >= {"Hộ tịch", "Đất đai"}
    assert board["refreshed_at"].startswith("2026-11-23T09:00") and board["imported_at"]
    text = api.get(BOARD).get_data(as_text=True)
    assert "0900000" not in text and "000.00.31" not in text  # no phone, no code: nothing personal


def test_figures_are_kept_until_the_schedule_or_a_new_import(api, settings, tmp_path, clock):
    first = api.get(BOARD).get_json()
    assert first["year"]["totals"]["received"] == 0 and first["imported_at"] is None
    cache = api.app.extensions["xephang_dossier_board"]
    import_sample(api.store, settings, tmp_path)  # a new import: recomputed at once
    second = api.get(BOARD).get_json()
    assert second["year"]["totals"]["received"] == 40
    # Changed rows without a new import record are only seen when the schedule comes round.
    with api.store.transaction() as tx:
        tx.connection.execute("UPDATE dossiers SET received = '2026-11-20', resolved = '' , status = 'processing'")
    assert api.get(BOARD).get_json()["month"] == second["month"]
    cache["figures"]["computed"] = time.monotonic() - settings.dossiers.board_refresh_seconds
    assert api.get(BOARD).get_json()["month"]["totals"]["received"] == 40


def test_the_board_page_is_public_and_unknown_displays_are_refused(api):
    page = api.get("/display/display-1/dossiers")
    assert page.status_code == 200 and "Kết quả giải quyết hồ sơ" in page.get_data(as_text=True)
    assert api.get("/display/nowhere/dossiers.json").status_code == 404
    assert api.get("/display/nowhere/dossiers").status_code == 404


def test_a_reimport_of_the_same_file_leaves_the_board_unchanged(api, settings, tmp_path):
    path = tmp_path / "same.csv"
    write_sample(str(path), TODAY)
    import_file(api.store, path, settings.dossiers)
    before = api.get(BOARD).get_json()
    report = import_file(api.store, path, settings.dossiers)
    assert report["unchanged"] == 40
    after = api.get(BOARD).get_json()
    assert after["month"] == before["month"] and after["year"] == before["year"]
