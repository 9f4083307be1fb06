"""Dossiers (hồ sơ) read from the province's một cửa điện tử system: the rules, without I/O (issue 13).

- A code is checked before anything is looked up: scanner noise (control characters, an AIM symbology
  prefix such as "]C0", spaces) is stripped, overlong input refused, the format (`code_pattern`) and the
  optional check digits (`checksum`) verified. A URL in a QR code gives its `code`/`mahoso` parameter or its
  last path segment.
- A record from any source (an import row, an HTTP answer) becomes a `Dossier` through `dossier_from_fields`,
  which refuses missing or malformed fields with a Vietnamese message: nothing half-shown.
- Only a masked name is ever kept or shown ("Nguyễn Văn An" → "N*** V** A*").
- The lobby board's figures (`summarise`): received, resolved, early / on time / late per lĩnh vực.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

PROCESSING, SUPPLEMENT, READY, RETURNED, OVERDUE = "processing", "supplement", "ready", "returned", "overdue"
STATUSES = (PROCESSING, SUPPLEMENT, READY, RETURNED, OVERDUE)
STATUS_NAMES_VI = {PROCESSING: "Đang xử lý", SUPPLEMENT: "Chờ bổ sung", READY: "Đã có kết quả",
                   RETURNED: "Đã trả kết quả", OVERDUE: "Quá hạn"}
STATUS_NAMES_EN = {PROCESSING: "Being processed", SUPPLEMENT: "Waiting for more papers", READY: "Result ready",
                   RETURNED: "Result handed over", OVERDUE: "Overdue"}
RESOLVED = (READY, RETURNED)
FIELDS = ("code", "procedure", "group", "received", "due", "status", "step", "note", "name", "phone",
          "email", "resolved")
LONGEST_TEXT = 500  # a thủ tục's name can be long (GCN's is 120 characters); a cell of 5,000 is not a name


class DossierError(ValueError):
    """A code or a record refused: `code` for programs, `message` in Vietnamese for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure: str
    group: str
    received: str        # ISO date
    due: str             # ISO date (ngày hẹn trả)
    status: str          # one of STATUSES, as the source says it
    step: str = ""       # the current step or agency
    note: str = ""       # where and how to pick the result up
    masked_name: str = ""
    phone: str = ""      # kept only for the "kết quả đã có" notification; never shown
    email: str = ""
    resolved: str = ""   # ISO date the result was ready ("" while it is not)

    def as_row(self) -> dict:
        return asdict(self)


# --- codes ------------------------------------------------------------------------------------------
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # "]C0", "]Q1": the symbology identifier some scanners add


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return len(digits) >= 2 and total % 10 == 0


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for `digits` (used by the demo's sample and the tests)."""
    return next(str(d) for d in range(10) if _luhn_ok(digits + str(d)))


def _mod97_ok(code: str) -> bool:
    """ISO 7064 MOD 97-10 over the code's letters (A=10 … Z=35) and digits, as IBANs are checked."""
    expanded = "".join(str(int(char, 36)) for char in code if char.isalnum())
    return len(expanded) >= 3 and int(expanded) % 97 == 1


def normalise_code(text: str, *, pattern: str, checksum: str = "none", max_length: int = 40) -> str:
    """The dossier code in what was scanned or typed; raises DossierError (code_* codes) if it is not one."""
    if not isinstance(text, str) or len(text) > max(max_length * 4, 200):
        raise DossierError("code_too_long", "Mã hồ sơ quá dài. Xin kiểm tra lại giấy hẹn trả kết quả.")
    cleaned = "".join(char for char in text if unicodedata.category(char)[0] != "C").strip()
    cleaned = _AIM_PREFIX.sub("", cleaned)
    if "://" in cleaned:
        cleaned = _code_in_url(cleaned)
    cleaned = unicodedata.normalize("NFKC", cleaned).replace(" ", "").upper()
    if not cleaned:
        raise DossierError("code_required", "Xin quét mã vạch hoặc nhập mã hồ sơ.")
    if len(cleaned) > max_length:
        raise DossierError("code_too_long", "Mã hồ sơ quá dài. Xin kiểm tra lại giấy hẹn trả kết quả.")
    if not cleaned.isascii() or not re.fullmatch(pattern, cleaned):
        raise DossierError("code_invalid", "Mã vừa nhập không đúng dạng mã hồ sơ. Xin kiểm tra lại giấy hẹn "
                                           "trả kết quả (ví dụ 000.00.12.H42-261105-0001).")
    if checksum == "luhn" and not _luhn_ok(re.sub(r"\D", "", cleaned)):
        raise DossierError("code_checksum", "Mã hồ sơ không đúng (sai số kiểm tra). Xin nhập lại từng ký tự.")
    if checksum == "mod97" and not _mod97_ok(cleaned):
        raise DossierError("code_checksum", "Mã hồ sơ không đúng (sai số kiểm tra). Xin nhập lại từng ký tự.")
    return cleaned


def _code_in_url(text: str) -> str:
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    query = parse_qs(parts.query)
    for key in ("code", "mahoso", "ma_ho_so", "maHoSo"):
        if query.get(key):
            return query[key][0]
    return parts.path.rstrip("/").rsplit("/", 1)[-1]


# --- records ----------------------------------------------------------------------------------------
_WORDS = {  # what exports write → our status (compared without accents, lower case)
    "dang xu ly": PROCESSING, "dang giai quyet": PROCESSING, "processing": PROCESSING, "da tiep nhan": PROCESSING,
    "cho bo sung": SUPPLEMENT, "yeu cau bo sung": SUPPLEMENT, "bo sung": SUPPLEMENT, "supplement": SUPPLEMENT,
    "da co ket qua": READY, "cho tra ket qua": READY, "co ket qua": READY, "ready": READY,
    "da tra ket qua": RETURNED, "da tra": RETURNED, "hoan thanh": RETURNED, "returned": RETURNED,
    "qua han": OVERDUE, "tre han": OVERDUE, "overdue": OVERDUE,
}


def plain(text: str) -> str:
    """Lower case without Vietnamese accents ("Đã có kết quả" → "da co ket qua")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").casefold().replace("_", " ").split())


def status_of(value: str, extra: dict[str, str] | None = None) -> str | None:
    """Our status key for what the source wrote, or None when we do not know the word."""
    text = str(value).strip()
    if text in STATUSES:
        return text
    if extra and text.casefold() in extra:
        return extra[text.casefold()]
    return _WORDS.get(plain(text))


def mask_name(name: str) -> str:
    """Keep each word's first letter only: "Nguyễn Văn An" → "N*** V** A*" (nothing else is ever shown)."""
    words = unicodedata.normalize("NFC", name or "").split()
    return " ".join(word[0].upper() + "*" * max(1, min(len(word) - 1, 4)) for word in words)


def parse_date(value) -> str | None:
    """An ISO date from what exports write: 2026-11-05, 05/11/2026, 5/11/2026 14:30, a datetime cell."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text[:19], pattern).date().isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return None


def _text(value) -> str:
    text = "" if value is None else str(value)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def dossier_from_fields(values: dict, *, normalise, extra_statuses: dict[str, str] | None = None) -> Dossier:
    """A Dossier from a record with our field names; raises DossierError naming what is missing or wrong.

    `normalise(code)` checks the code (normalise_code with the centre's rules)."""
    missing = [name for name in ("code", "procedure", "received", "due", "status") if not _text(values.get(name))]
    if missing:
        raise DossierError("dossier_incomplete", "Thiếu thông tin: " + ", ".join(FIELD_NAMES_VI[m] for m in missing) + ".")
    code = normalise(_text(values["code"]))
    texts = {name: _text(values.get(name)) for name in ("procedure", "group", "step", "note", "phone", "email")}
    if any(len(text) > LONGEST_TEXT for text in texts.values()):
        raise DossierError("dossier_field_too_long", f"Một ô dài quá {LONGEST_TEXT} ký tự.")
    status = status_of(values["status"], extra_statuses)
    if status is None:
        raise DossierError("dossier_status_unknown", f"Trạng thái “{_text(values['status'])[:60]}” không rõ nghĩa.")
    dates = {}
    for name in ("received", "due", "resolved"):
        raw = values.get(name)
        if name == "resolved" and not _text(raw):
            dates[name] = ""
            continue
        dates[name] = parse_date(raw)
        if dates[name] is None:
            raise DossierError("dossier_date_invalid", f"{FIELD_NAMES_VI[name]} “{_text(raw)[:30]}” không phải một ngày.")
    if dates["due"] < dates["received"]:
        raise DossierError("dossier_date_invalid", "Ngày hẹn trả trước ngày tiếp nhận.")
    return Dossier(code=code, procedure=texts["procedure"], group=texts["group"] or "Khác",
                   received=dates["received"], due=dates["due"], status=status, step=texts["step"],
                   note=texts["note"], masked_name=mask_name(_text(values.get("name"))),
                   phone=texts["phone"], email=texts["email"], resolved=dates["resolved"])


FIELD_NAMES_VI = {"code": "mã hồ sơ", "procedure": "thủ tục", "group": "lĩnh vực", "received": "ngày tiếp nhận",
                  "due": "ngày hẹn trả", "status": "trạng thái", "step": "bước hiện tại", "note": "ghi chú",
                  "name": "người nộp", "phone": "điện thoại", "email": "email", "resolved": "ngày có kết quả"}


def shown_status(dossier: dict, today: str) -> str:
    """What a citizen is told: the source's status, or "quá hạn" when the due date passed unresolved."""
    if dossier["status"] in (PROCESSING, SUPPLEMENT) and dossier["due"] < today:
        return OVERDUE
    return dossier["status"]
