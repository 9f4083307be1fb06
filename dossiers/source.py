"""The one small protocol every dossier source speaks, and the import adapter's side of a lookup."""

from __future__ import annotations

from typing import Protocol

from store import dossiers as stored

BUSY_MESSAGE = "Hệ thống tra cứu hồ sơ đang bận. Xin ông/bà vui lòng thử lại sau ít phút."
INVALID_MESSAGE = ("Hệ thống tra cứu hồ sơ trả lời không đúng định dạng nên chưa hiển thị được. "
                   "Xin ông/bà hỏi quầy hướng dẫn.")


class SourceUnavailable(Exception):
    """The source cannot answer now: `code` source_busy (slow, dead, 5xx) or source_invalid (HTML, bad
    JSON, a record with missing fields). Nothing of the answer is shown."""

    def __init__(self, code: str, message: str, reason: str = ""):
        super().__init__(message)
        self.code, self.message, self.reason = code, message, reason


class DossierSource(Protocol):
    """`lookup(code)`: the dossier as a dict of core/dossiers.py's fields, None when the source has no
    such dossier; raises SourceUnavailable. `code` is already checked and normalised."""

    def lookup(self, code: str) -> dict | None: ...


class StoredSource:
    """source = "import": the dossiers table, filled by `server.py import-dossiers` and the watched folder."""

    def __init__(self, store):
        self.store = store

    def lookup(self, code: str) -> dict | None:
        return stored.find(self.store, code)
