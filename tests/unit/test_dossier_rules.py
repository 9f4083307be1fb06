"""Dossier codes, records, masking, what the citizen is told and the board's figures (core/, no I/O)."""

from __future__ import annotations

from functools import partial

import pytest

from core.dossier_settings import DEFAULT_PATTERN
from core.dossier_views import citizen_view, summarise
from core.dossiers import (DossierError, dossier_from_fields, luhn_digit, mask_name, normalise_code,
                           status_of)
from tools.dossier_sample import code_for

check = partial(normalise_code, pattern=DEFAULT_PATTERN, checksum="luhn", max_length=40)


def good_code() -> str:
    from datetime import date
    return code_for(date(2026, 11, 5), 17)


def test_a_luhn_code_passes_and_one_wrong_digit_is_refused():
    code = good_code()
    assert check(code) == code
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(DossierError) as refused:
        check(wrong)
    assert refused.value.code == "code_checksum" and "kiểm tra" in refused.value.message
    assert normalise_code(wrong, pattern=DEFAULT_PATTERN, checksum="none") == wrong


def test_scanner_noise_is_stripped_but_garbage_and_overlong_input_are_refused():
    code = good_code()
    assert check(f"]C0{code}\r\n") == code                 # AIM prefix + CR LF of a wedge scanner
    assert check(f"\x02 {code.lower()} \x03") == code       # STX/ETX framing, lower case typed
    assert check(f"https://dichvucong.example/tra-cuu?mahoso={code}") == code
    for text, why in (("x" * 41, "code_too_long"), ("x" * 5000, "code_too_long"), ("", "code_required"),
                      ("\x00\x01\x1b", "code_required"), ("HỒSƠ-123", "code_invalid"),
                      ("http://h/t/abcdefghijklmnopqrstu", "code_invalid"), ("\ufffd\ufffd-261105-0001", "code_invalid")):
        with pytest.raises(DossierError) as refused:
            check(text)
        assert refused.value.code == why, text


def test_mod97_checksum():
    body = "H99-261105-0001"
    expanded = int("".join(str(int(c, 36)) for c in body if c.isalnum()) + "00")
    code = f"{body}{98 - expanded % 97:02d}"
    pattern = r"^[A-Z0-9.]+-\d{6}-\d{6}$"
    assert normalise_code(code, pattern=pattern, checksum="mod97") == code
    with pytest.raises(DossierError):
        normalise_code(code[:-1] + ("0" if code[-1] != "0" else "1"), pattern=pattern, checksum="mod97")


def test_luhn_digit_makes_valid_numbers():
    assert luhn_digit("7992739871") == "3"


def test_statuses_are_read_with_or_without_accents():
    assert status_of("Đã có kết quả") == status_of("da co ket qua") == status_of("ready") == "ready"
    assert status_of("CHỜ BỔ SUNG") == "supplement"
    assert status_of("Trễ hạn") == "overdue"
    assert status_of("Hủy") is None
    assert status_of("Huỷ bỏ", {"huỷ bỏ": "returned"}) == "returned"


def test_only_a_masked_name_is_kept():
    assert mask_name("Nguyễn Văn An") == "N**** V** A*"
    assert mask_name("  đặng   thị  ") == "Đ*** T**"
    record = dossier_from_fields({"code": good_code(), "procedure": "Đăng ký khai sinh", "received": "05/11/2026",
                                  "due": "2026-11-06", "status": "Đang xử lý", "name": "Trần Thị Bình",
                                  "phone": "0900000001"}, normalise=check)
    assert record.masked_name == "T*** T** B***" and "Bình" not in repr(record.as_row())


def test_a_record_with_missing_or_bad_fields_is_refused_whole():
    base = {"code": good_code(), "procedure": "Đăng ký khai sinh", "received": "05/11/2026", "due": "06/11/2026",
            "status": "Đang xử lý"}
    for change, code in (({"procedure": ""}, "dossier_incomplete"), ({"due": "ngày mai"}, "dossier_date_invalid"),
                         ({"due": "01/11/2026"}, "dossier_date_invalid"), ({"status": "???"}, "dossier_status_unknown"),
                         ({"code": "12"}, "code_invalid"), ({"procedure": "x" * 600}, "dossier_field_too_long")):
        with pytest.raises(DossierError) as refused:
            dossier_from_fields({**base, **change}, normalise=check)
        assert refused.value.code == code, change


def _dossier(status, received="2026-11-05", due="2026-11-20", resolved="", group="Hộ tịch"):
    return {"code": "C", "procedure": "Đăng ký kết hôn", "group": group, "received": received, "due": due,
            "status": status, "resolved": resolved, "masked_name": "N**** V** A*", "phone": "0900000001"}


def test_the_citizen_is_told_what_to_do_next():
    ready = citizen_view(_dossier("ready", resolved="2026-11-18"), "2026-11-19", result_counter="8",
                         result_service="TKQ")
    assert ready["status_name"] == "Đã có kết quả" and ready["next"].endswith("quầy trả kết quả số 8.")
    assert ready["ticket_service"] == "TKQ" and ready["due_text"] == "20/11/2026"
    assert "phone" not in ready and ready["masked_name"] == "N**** V** A*"
    late = citizen_view(_dossier("processing"), "2026-11-21")
    assert late["status"] == "overdue" and "xin lỗi" in late["next"] and late["ticket_service"] == ""
    waiting = citizen_view(_dossier("processing"), "2026-11-10", lang="en")
    assert waiting["status_name"] == "Being processed" and "20/11/2026" in waiting["next"]


def test_board_counts_received_resolved_and_early_on_time_late_per_field():
    rows = [_dossier("returned", resolved="2026-11-18"), _dossier("returned", resolved="2026-11-20"),
            _dossier("ready", resolved="2026-11-22"), _dossier("processing", received="2026-10-01", due="2026-10-10"),
            _dossier("processing", received="2026-11-25", due="2026-12-30", group="Đất đai"),
            _dossier("returned", received="2025-12-01", due="2025-12-05", resolved="2025-12-04")]
    board = summarise(rows, "2026-11-26")
    month = board["month"]
    assert month["totals"]["received"] == 4 and month["totals"]["resolved"] == 3
    assert (month["totals"]["early"], month["totals"]["on_time"], month["totals"]["late"]) == (1, 1, 1)
    assert month["totals"]["early_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert month["totals"]["overdue_open"] == 1
    assert [g["name"] for g in month["groups"]] == ["Hộ tịch", "Đất đai"]
    assert board["year"]["totals"]["received"] == 5 and board["year"]["totals"]["resolved"] == 3
