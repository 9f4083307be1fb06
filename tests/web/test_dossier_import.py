"""Importing một cửa exports (CSV and XLSX): bad rows by line number, re-import changes nothing, the hook."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl

from core.dossier_settings import DEFAULT_COLUMNS, DossierOptions
from dossiers.importer import ImportFailed, import_file
from store import Store
from store import dossiers as stored
from tools.dossier_sample import code_for

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = list(DEFAULT_COLUMNS.values())
OPTIONS = DossierOptions(source="import", checksum="luhn")


def row(index: int, status: str = "Đang xử lý", resolved: str = "", name: str = "Phạm Thị Mai") -> list[str]:
    return [code_for(date(2026, 11, 2), index), "Đăng ký hộ kinh doanh", "Đăng ký kinh doanh", "02/11/2026",
            "05/11/2026", status, "", "", name, f"0900000{index:03d}", "", resolved]


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["BÁO CÁO HỒ SƠ"])   # line 1: a title above the table
        writer.writerow(HEADINGS)            # line 2
        writer.writerows(rows)               # lines 3…
    return path


def test_a_bad_row_is_reported_with_its_line_and_the_rest_is_imported(tmp_path):
    bad_code = row(2)
    bad_code[0] = bad_code[0][:-1] + str((int(bad_code[0][-1]) + 1) % 10)  # wrong check digit
    no_due = row(3)
    no_due[4] = ""
    source = write_csv(tmp_path / "export.csv", [row(1), bad_code, no_due, row(4), row(1)], delimiter=";")
    db = tmp_path / "queue.db"
    command = [sys.executable, "server.py", "--config", "config.toml", "--db", str(db), "import-dossiers", str(source)]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert first.returncode == 1, first.stderr
    assert "dòng 4: Mã hồ sơ không đúng (sai số kiểm tra)" in first.stderr
    assert "dòng 5: Thiếu thông tin: ngày hẹn trả." in first.stderr
    assert "dòng 7: Mã hồ sơ" in first.stderr and "trùng với dòng 3" in first.stderr
    assert "5 rows, 2 added, 0 changed, 0 unchanged, 3 refused" in first.stdout
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "2 unchanged" in again.stdout and "0 added, 0 changed" in again.stdout
    store = Store(db)
    try:
        assert stored.count(store) == 2
        kept = stored.find(store, row(1)[0])
        assert kept["masked_name"] == "P*** T** M**" and kept["status"] == "processing"
        assert stored.last_import(store)["errors"][0][0] == 4
    finally:
        store.close()


def test_an_xlsx_made_with_openpyxl_imports_and_a_status_change_reaches_the_hook(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Trung tâm Phục vụ hành chính công"])
    sheet.append([])
    sheet.append([h.upper() for h in HEADINGS])  # headings matched without case
    for index in range(1, 6):
        cells = row(index)
        cells[3] = date(2026, 11, 2)  # a real date cell, as Excel keeps it
        sheet.append(cells)
    path = tmp_path / "export.xlsx"
    book.save(path)
    store = Store(tmp_path / "queue.db")
    try:
        report = import_file(store, path, OPTIONS, at="2026-11-04T01:00:00.000+00:00")
        assert (report["added"], report["errors"]) == (5, [])
        assert stored.find(store, row(1)[0])["received"] == "2026-11-02"
        assert stored.ready_since(store, "2026-11-01T00:00:00") == []
        # The next day's export: two results are ready, one handed over.
        book2 = openpyxl.Workbook()
        book2.active.append(HEADINGS)
        for index in range(1, 6):
            status = {2: "Đã có kết quả", 3: "Đã có kết quả", 4: "Đã trả kết quả"}.get(index, "Đang xử lý")
            book2.active.append(row(index, status, "04/11/2026" if index in (2, 3, 4) else ""))
        book2.save(path)
        report = import_file(store, path, OPTIONS, at="2026-11-05T01:00:00.000+00:00")
        assert (report["added"], report["changed"], report["unchanged"]) == (0, 3, 2)
        ready = stored.ready_since(store, "2026-11-04T12:00:00")
        assert [d["code"] for d in ready] == [row(2)[0], row(3)[0]]
        assert ready[0]["phone"] == "0900000002" and ready[0]["ready_at"] == "2026-11-05T01:00:00.000+00:00"
        assert stored.ready_since(store, "2026-11-05T01:00:00.000+00:00") == []
        again = import_file(store, path, OPTIONS, at="2026-11-06T01:00:00.000+00:00")
        assert again["unchanged"] == 5 and stored.ready_since(store, "2026-11-05T12:00:00") == []
    finally:
        store.close()


def test_a_file_without_the_heading_or_of_another_kind_imports_nothing(tmp_path):
    store = Store(tmp_path / "queue.db")
    try:
        (tmp_path / "notes.txt").write_text("hello")
        (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
        (tmp_path / "latin.csv").write_bytes("Mã hồ sơ".encode("cp1258", errors="replace") + b"\xff\xfe")
        (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
        for name in ("notes.txt", "other.csv", "latin.csv", "broken.xlsx"):
            try:
                import_file(store, tmp_path / name, OPTIONS)
            except ImportFailed as error:
                assert str(error)
            else:
                raise AssertionError(f"{name} was imported")
        assert stored.count(store) == 0 and stored.last_import(store) is None
    finally:
        store.close()
