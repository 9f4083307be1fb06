"""Import a CSV or XLSX export of the một cửa điện tử system (`server.py import-dossiers FILE`).

The heading row is the first row (of the first 20) holding the code column's heading, so the title lines
an export puts above its table are skipped. Headings are matched without accents or case. Each data row
is checked on its own (core/dossiers.py): a bad row is reported with its line number and the rest is
imported; a code twice in one file keeps the first and reports the second. Saving writes only changes,
so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from core.dossiers import DossierError, dossier_from_fields, normalise_code, plain
from store import dossiers as stored

HEADING_SEARCH_ROWS = 20
LARGEST_FILE = 50 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")


class ImportFailed(ValueError):
    """The whole file cannot be read (no heading row, not CSV/XLSX, too big): nothing was imported."""


def _csv_rows(path: Path, code_heading: str):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed("Tệp CSV không phải mã UTF-8. Hãy xuất lại tệp với mã UTF-8.") from None
    # The delimiter is the one that puts the code's heading in a cell of its own (Excel writes ";" in
    # some locales, tabs in others); csv.Sniffer guesses wrong when a title line sits above the table.
    head = text.splitlines()[:HEADING_SEARCH_ROWS]
    delimiter = next((d for d in ",;\t" if any(code_heading in [plain(cell) for cell in cells]
                                               for cells in csv.reader(head, delimiter=d))), ",")
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx_rows(path: Path):
    import openpyxl  # imported here: only an XLSX import needs it
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(f"Không đọc được tệp XLSX ({type(error).__name__}).") from None
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield ["" if cell is None else cell for cell in row]
    finally:
        book.close()


def read_records(path: Path, columns: dict[str, str]):
    """(line number, {our field: cell}) for each data row, after the heading row; raises ImportFailed."""
    if path.suffix.lower() not in SUFFIXES:
        raise ImportFailed(f"Chỉ nhận tệp .csv hoặc .xlsx, không nhận “{path.suffix}”.")
    if path.stat().st_size > LARGEST_FILE:
        raise ImportFailed("Tệp quá lớn (hơn 50 MB).")
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path, plain(columns["code"]))
    wanted = {plain(heading): name for name, heading in columns.items() if heading}
    index = None
    for line, row in enumerate(rows, start=1):
        if index is None:
            headings = [plain(str(cell)) for cell in row]
            if plain(columns["code"]) in headings:
                index = {wanted[h]: i for i, h in enumerate(headings) if h in wanted}
                missing = [columns[name] for name in ("procedure", "received", "due", "status") if name not in index]
                if missing:
                    raise ImportFailed(f"Dòng tiêu đề {line} thiếu cột: {', '.join(missing)}.")
            elif line >= HEADING_SEARCH_ROWS:
                break
            continue
        if not any(str(cell).strip() for cell in row):
            continue  # blank lines between blocks of an export
        yield line, {name: row[i] if i < len(row) else "" for name, i in index.items()}
    if index is None:
        raise ImportFailed(f"Không tìm thấy dòng tiêu đề có cột “{columns['code']}” trong {HEADING_SEARCH_ROWS} dòng đầu.")


def import_file(store, path: str | Path, options, *, at: str | None = None) -> dict:
    """Import one file: {"file", "rows", "added", "changed", "unchanged", "errors": [[line, message], …]}."""
    path = Path(path)
    at = at or datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    check = partial(normalise_code, pattern=options.code_pattern, checksum=options.checksum,
                    max_length=options.max_length)
    good, errors, seen = [], [], {}
    for line, values in read_records(path, options.columns):
        try:
            dossier = dossier_from_fields(values, normalise=check, extra_statuses=options.statuses)
        except DossierError as error:
            errors.append([line, error.message])
            continue
        if dossier.code in seen:
            errors.append([line, f"Mã hồ sơ {dossier.code} trùng với dòng {seen[dossier.code]}; dòng này bị bỏ qua."])
            continue
        seen[dossier.code] = line
        good.append(dossier.as_row())
    counts = stored.save(store, good, source="import", at=at)
    stored.record_import(store, at=at, file=path.name, rows=len(good) + len(errors), counts=counts, errors=errors)
    return {"file": path.name, "rows": len(good) + len(errors), **counts, "errors": errors}
