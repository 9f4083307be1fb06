"""Shared by the dossier tests: the demo sample imported into a centre, and a fake một cửa HTTP system."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dossiers.importer import import_file
from tools.dossier_sample import sample_rows, write_sample

TODAY = date(2026, 11, 23)  # the tests' clock (tests/conftest.py)


def import_sample(store, settings, directory: Path) -> list[dict]:
    """Import tools/dossier_sample.py's 40 dossiers dated around TODAY; returns the sample's rows."""
    path = directory / "sample.csv"
    write_sample(str(path), TODAY)
    report = import_file(store, path, settings.dossiers)
    assert report["added"] == 40 and report["errors"] == [], report
    return sample_rows(TODAY)


def code_with(rows: list[dict], status_word: str) -> str:
    """The code of the sample's first dossier whose export says `status_word` (and is not past due)."""
    from datetime import datetime
    return next(row["code"] for row in rows if row["status"] == status_word
                and datetime.strptime(row["due"], "%d/%m/%Y").date() >= TODAY)


class MotCuaSystem:
    """A local HTTP server playing the province's một cửa điện tử API: GET /api/hoso/<code>.

    `mode` picks the answer: ok, slow (answers after 10 s), drip (headers, then a byte every 0.5 s),
    500, html, bad_json, missing (a record without its due date), not_found, dead (closes at once)."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[tuple[str, str]] = []  # (path, Authorization header) as received
        self.release = threading.Event()
        self.record = {}
        self.summary = {"month": {"groups": [{"name": "Hộ tịch", "received": 120, "resolved": 100, "early": 71,
                                              "on_time": 28, "late": 1}]},
                        "year": {"groups": [{"name": "Hộ tịch", "received": 1500, "resolved": 1400, "early": 1000,
                                             "on_time": 380, "late": 20},
                                            {"name": "Đất đai", "received": 900, "resolved": 800, "early": 560,
                                             "on_time": 220, "late": 20}]}}
        system = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                system.requests.append((self.path, self.headers.get("Authorization", "")))
                code = self.path.rsplit("/", 1)[-1]
                mode = system.mode
                if self.path.startswith("/api/summary") and mode == "ok":
                    return self._answer(200, json.dumps(system.summary, ensure_ascii=False).encode())
                if self.path.startswith("/api/summary") and mode == "bad_counts":
                    return self._answer(200, b'{"month": {"groups": [{"name": "X", "received": -1}]}, "year": {}}')
                if mode == "dead":
                    self.connection.close()
                    return
                if mode == "slow":
                    system.release.wait(10)
                if mode == "not_found":
                    return self._answer(404, b'{"error": "not found"}')
                if mode == "500":
                    return self._answer(500, b"Internal Server Error")
                if mode == "html":
                    return self._answer(200, b"<html><body>B\xe1\xba\xa3o tr\xc3\xac</body></html>", "text/html")
                if mode == "bad_json":
                    return self._answer(200, b'{"maHoSo": "' + code.encode() + b'", ')
                record = {"maHoSo": code, "tenThuTuc": "Đăng ký kết hôn", "linhVuc": "Hộ tịch",
                          "ngayTiepNhan": "2026-11-20", "ngayHenTra": "25/11/2026",
                          "trangThai": {"ten": "Đã có kết quả"}, "buocHienTai": "Chờ trả kết quả",
                          "nguoiNop": "Lê Văn Nam", "soDienThoai": "0900000123", "ngayCoKetQua": "2026-11-23",
                          **system.record}
                if mode == "missing":
                    record.pop("ngayHenTra")
                body = json.dumps({"data": record}, ensure_ascii=False).encode()
                if mode == "drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        if system.release.wait(0.5):
                            break
                    return
                return self._answer(200, body)

            def _answer(self, status, body, kind="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/hoso"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


HTTP_FIELDS = {"code": "maHoSo", "procedure": "tenThuTuc", "group": "linhVuc", "received": "ngayTiepNhan",
               "due": "ngayHenTra", "status": "trangThai.ten", "step": "buocHienTai", "note": "ghiChu",
               "name": "nguoiNop", "phone": "soDienThoai", "email": "email", "resolved": "ngayCoKetQua"}
