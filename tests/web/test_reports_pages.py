"""/admin/reports over HTTP (issue 12 item 2): who may see it, bad parameters, CSV and XLSX read back."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from core.history import seed_history
from tests.web.api_support import KIOSK, assert_error

JSON = {"Accept": "application/json"}
RANGE = "from=2026-11-16&to=2026-11-22"   # the seeded week before the fixture clock's Monday 23 Nov


@pytest.fixture
def seeded_week(api):
    """Five working days and a Saturday morning of history, then one ticket with a clerk's note and reason."""
    seed_history(api.engine.settings, api.store, days=6, per_day=40, today=date(2026, 11, 23), seed=7)
    ticket = api.issue("KS")
    api.post("/api/counters/1/call", token="demo-counter-1", json={"ticket": ticket["id"], "reason": "lý do riêng XYZ"})
    api.post(f"/api/tickets/{ticket['id']}/transfer", token="demo-counter-1",
             json={"service": "KH", "note": "ghi chú riêng ABC"})
    return api


def test_who_may_open_the_reports(api):
    assert api.get("/admin/reports").status_code == 302  # anonymous browser: to the sign-in page
    assert_error(api.client.get("/admin/reports/data.json", headers={**JSON, "Authorization": f"Bearer {KIOSK}"}),
                 403, "forbidden_role")
    clerk = api.sign_in("lan")
    assert_error(clerk.client.get("/admin/reports/data.json", headers=JSON), 403, "forbidden_role")
    assert clerk.client.get("/admin/reports/export.xlsx").status_code == 403
    manager = api.sign_in("quanly")
    page = manager.client.get("/admin/reports")
    assert page.status_code == 200 and "Báo cáo" in page.get_data(as_text=True)
    assert 'id="nav-reports"' in page.get_data(as_text=True)


@pytest.mark.parametrize("query, code", [
    ("from=2026-11-30&to=2026-11-01", "dates_reversed"),
    ("from=2000-01-01&to=2020-01-01", "range_too_long"),
    ("from=hôm-qua", "invalid_date"),
    ("colour=red", "unknown_filter"),
    ("service=NOPE", "unknown_service"),
])
def test_bad_parameters_are_a_400_in_vietnamese(api, query, code):
    admin = api.sign_in("admin")
    for path in ("/admin/reports/data.json", "/admin/reports/export.xlsx", "/admin/reports/export.csv"):
        assert_error(admin.client.get(f"{path}?{query}", headers=JSON), 400, code)
    page = admin.client.get(f"/admin/reports?{query}")
    assert page.status_code == 400 and code in page.get_data(as_text=True)
    assert_error(admin.client.get("/admin/reports/export.csv?table=secrets", headers=JSON), 400, "unknown_table")


def test_page_json_csv_and_xlsx_agree_with_the_log(seeded_week):
    api = seeded_week
    with api.store.read() as tx:
        issued = [e for e in tx.events(kinds=("issued",)) if e["at"] < "2026-11-22T17:00"]
        finished = [e for e in tx.events(kinds=("finished",)) if e["at"] < "2026-11-22T17:00"]
        tokens = [row[0] for row in tx.connection.execute("SELECT token FROM tickets")]
    manager = api.sign_in("quanly")
    report = manager.client.get(f"/admin/reports/data.json?{RANGE}", headers=JSON).get_json()
    assert report["totals"]["issued"] == len(issued) > 150
    assert report["totals"]["served"] == len(finished)
    assert [d["key"] for d in report["days"]] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19",
                                                  "2026-11-20", "2026-11-21"]
    page = manager.client.get(f"/admin/reports?{RANGE}").get_data(as_text=True)
    assert f'id="total-issued">{report["totals"]["issued"]}<' in page
    assert page.count("<svg") >= 5 and "<script" not in page.split("<main", 1)[1]
    mean = f"{report['qd468']['mean_wait']:.1f}".replace(".", ",")  # decimal comma in Vietnamese
    assert f'id="qd468-mean">{mean}<' in page

    days_csv = manager.client.get(f"/admin/reports/export.csv?{RANGE}")
    assert days_csv.headers["Content-Disposition"].startswith("attachment;")
    text = days_csv.get_data(as_text=True)
    assert text.startswith("\ufeffNgày,Đã cấp số,Đã phục vụ")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][0] == "2026-11-16" and sum(int(row[1]) for row in rows[1:]) == len(issued)

    # Today's transferred ticket: its clerk's note and reason, and no ticket's token, ever reach an export.
    today = "from=2026-11-16&to=2026-11-23"
    tickets_csv = manager.client.get(f"/admin/reports/export.csv?table=tickets&{today}").get_data(as_text=True)
    workbook_bytes = manager.client.get(f"/admin/reports/export.xlsx?{today}").get_data()
    for secret in ("ABC", "XYZ", *tokens):
        assert secret not in tickets_csv
    assert "Đã chuyển" in tickets_csv and "transferred" not in tickets_csv  # status words, not tokens

    listed = list(csv.reader(io.StringIO(tickets_csv.lstrip("\ufeff"))))
    header = listed[0]
    assert len(listed) - 1 == len(issued) + 1 and header[:3] == ["Ngày", "Số thứ tự", "Thủ tục"]
    waits = [row[header.index("Chờ (phút)")] for row in listed[1:] if row[header.index("Chờ (phút)")]]
    assert waits and all(float(value) >= 0 for value in waits)
    assert all(datetime.strptime(row[header.index("Giờ lấy số")], "%Y-%m-%d %H:%M:%S") for row in listed[1:])

    book = load_workbook(io.BytesIO(workbook_bytes), read_only=True)
    assert book.sheetnames[:3] == ["Tổng hợp", "Thời gian (phút)", "Theo ngày"]
    days = list(book["Theo ngày"].iter_rows(values_only=True))
    assert days[0][:3] == ("Ngày", "Đã cấp số", "Đã phục vụ")
    assert isinstance(days[1][0], datetime) and days[1][0].date() == date(2026, 11, 16)
    assert all(isinstance(row[1], int) for row in days[1:])
    times = {row[0]: row for row in book["Thời gian (phút)"].iter_rows(min_row=2, values_only=True)}
    assert isinstance(times["Chờ (lấy số → gọi lần cuối)"][2], float)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and any(secret in value for secret in ("ABC", "XYZ", *tokens)))
