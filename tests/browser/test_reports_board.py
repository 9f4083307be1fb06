"""Chromium (issue 12): the reports of a seeded month checked against the database and read back from the
downloaded XLSX; the public board moves on by itself when a counter finishes a ticket."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.display_support import Clerks, prepared_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo centre with 22 working days of history (seed-history runs before the server starts: it
    writes only into a database without tickets)."""
    live = prepared_server(tmp_path_factory.mktemp("reports"))
    live.command("seed-history", "--days", "22", "--per-day", "30")
    live.start()
    yield live
    live.stop()


def by_hand(db) -> dict:
    """The month's figures straight from the tickets table (not the event log the reports read)."""
    connection = sqlite3.connect(db)
    first, last, issued, served = connection.execute(
        "SELECT min(day), max(day), count(*), sum(status = 'done') FROM tickets").fetchone()
    mean_service = connection.execute(
        "SELECT avg((julianday(finished_at) - julianday(started_at)) * 1440) FROM tickets WHERE status = 'done'"
    ).fetchone()[0]
    connection.close()
    return {"from": first, "to": last, "issued": issued, "served": served, "mean_service": mean_service}


def vietnamese(value: float | int, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def test_reports_of_a_seeded_month_and_their_xlsx(server, page, tmp_path):
    hand = by_hand(server.db)
    assert hand["issued"] > 400
    target = f"/admin/reports?from={hand['from']}&to={hand['to']}"
    page.goto(f"{server.url}/admin/login?next={quote(target)}")
    page.fill("#login-name", "quanly")
    page.fill("#login-password", "quanly123")
    page.click("#login-submit")
    expect(page.locator("#report-period")).to_be_visible()
    expect(page.locator("#total-issued")).to_have_text(vietnamese(hand["issued"]))
    expect(page.locator("#total-served")).to_have_text(vietnamese(hand["served"]))
    service_mean = page.locator('#report-times tr[data-key="service"] td[data-field="mean"]')
    expect(service_mean).to_have_text(vietnamese(hand["mean_service"], 1))
    assert page.locator("svg.chart").count() >= 5
    assert page.locator("#report-days tbody tr").count() == 22

    with page.expect_download() as download:
        page.click("#report-xlsx")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    book = load_workbook(path, read_only=True)
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Đã cấp số"] == hand["issued"] and summary["Đã phục vụ"] == hand["served"]
    times = {row[0]: row for row in book["Thời gian (phút)"].iter_rows(min_row=2, values_only=True)}
    assert times["Phục vụ (bắt đầu → xong)"][2] == pytest.approx(hand["mean_service"], abs=0.01)
    assert sum(row[1] for row in book["Theo ngày"].iter_rows(min_row=2, values_only=True)) == hand["issued"]

    page.goto(f"{server.url}/admin/reports/print?from={hand['from']}&to={hand['to']}")
    expect(page.locator("#total-issued")).to_have_text(vietnamese(hand["issued"]))
    assert page.locator(".admin-nav").count() == 0  # the print view has no menu or form


def test_board_updates_live_when_a_ticket_is_finished(server, page):
    page.goto(f"{server.url}/display/display-1/board")
    served = page.locator("#board-served")
    expect(served).to_have_text("0")
    clerks = Clerks(server)
    clerks.call("1")
    clerks.act("1", "start")
    clerks.act("1", "finish")
    expect(served).to_have_text("1")
    expect(page.locator('#board-groups tr[data-group="ho-tich"] td').nth(1)).to_have_text("1")
    clerks.call("6")
    clerks.act("6", "start")
    clerks.act("6", "finish")
    expect(served).to_have_text("2")
    assert "A001" not in page.content()  # numbers are not on the board
