"""The ticket image: size, ink where it belongs, a QR code a phone can read, no clipped text."""

from __future__ import annotations

import os
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from hardware.text_fit import BOLD, load_font, wrap_text
from hardware.ticket_image import MINIMUM_QR_PX, TicketPrint, render_ticket, render_ticket_regions
from tests.hardware.samples import make_ticket

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
GOLDEN_TOLERANCE = 0.005  # share of pixels allowed to differ (FreeType versions move a few edges)

LONG_CENTRE = (
    "Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính tỉnh Bà Rịa - Vũng Tàu"
)
VERY_LONG_SERVICE = (
    "Thủ tục đăng ký thay đổi nội dung đăng ký doanh nghiệp đối với công ty trách nhiệm hữu hạn "
    "hai thành viên trở lên, công ty cổ phần, công ty hợp danh (thay đổi người đại diện theo "
    "pháp luật, thay đổi vốn điều lệ, thay đổi thành viên góp vốn) và cấp lại giấy chứng nhận"
)


def ink_in_columns(image: Image.Image, columns: range) -> int:
    """Number of black pixels in the given columns."""
    band = image.crop((columns.start, 0, columns.stop, image.height)).convert("L")
    return band.histogram()[0]


def ink_share(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Share of black pixels inside ``box``."""
    region = image.crop(box).convert("L")
    return region.histogram()[0] / (region.width * region.height)


def decode_qr(image: Image.Image) -> list[str]:
    """Texts of every QR code zxing-cpp finds in ``image``."""
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def assert_no_ink_at_edges(image: Image.Image) -> None:
    """Nothing may touch the 2-px border columns: ink there means text ran off the paper."""
    assert ink_in_columns(image, range(0, 2)) == 0
    assert ink_in_columns(image, range(image.width - 2, image.width)) == 0


def test_ticket_is_one_bit_576_px_wide(ticket):
    image = render_ticket(ticket)
    assert image.mode == "1"
    assert image.width == 576
    assert 600 < image.height < 1400


def test_number_region_is_large_and_inked(ticket):
    rendered = render_ticket_regions(ticket)
    left, top, right, bottom = rendered.regions["number"]
    assert bottom - top >= 100, "the number must be readable from across the lobby"
    assert right - left >= 400
    assert ink_share(rendered.image, (left, top, right, bottom)) > 0.2


def test_qr_code_decodes_to_status_url(ticket):
    rendered = render_ticket_regions(ticket)
    left, top, right, bottom = rendered.regions["qr"]
    assert right - left >= MINIMUM_QR_PX and bottom - top >= MINIMUM_QR_PX
    assert decode_qr(rendered.image) == [ticket.status_url]


def test_text_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Cấp đổi giấy phép lái xe")
    assert decomposed != "Cấp đổi giấy phép lái xe"
    ticket = make_ticket(service_name=decomposed)
    assert ticket.service_name == "Cấp đổi giấy phép lái xe"
    assert render_ticket(ticket).tobytes() == render_ticket(make_ticket()).tobytes()


def test_issued_at_must_be_aware():
    with pytest.raises(ValueError, match="timezone"):
        make_ticket(issued_at=datetime(2026, 11, 23, 8, 5))


def test_long_centre_name_wraps_to_two_lines_without_clipping():
    rendered = render_ticket_regions(make_ticket(centre_name=LONG_CENTRE))
    assert rendered.line_counts["centre"] == 2
    assert_no_ink_at_edges(rendered.image)


def test_very_long_service_name_wraps_and_keeps_every_word():
    ticket = make_ticket(service_name=VERY_LONG_SERVICE, priority_label="Ưu tiên: Người khuyết tật")
    rendered = render_ticket_regions(ticket)
    assert rendered.line_counts["service"] >= 4
    assert_no_ink_at_edges(rendered.image)
    assert decode_qr(rendered.image) == [make_ticket().status_url]


def test_wrap_keeps_all_words_and_breaks_overlong_words():
    font = load_font(32, BOLD)
    lines = wrap_text(VERY_LONG_SERVICE, font, 500)
    assert " ".join(lines) == " ".join(VERY_LONG_SERVICE.split())
    assert all(font.getbbox(line, mode="1", anchor="ls")[2] <= 500 for line in lines)
    word = "QĐ-UBND/" * 12
    pieces = wrap_text(word, font, 200)
    assert "".join(pieces) == word and len(pieces) > 1


def test_unknown_wait_says_being_calculated():
    rendered = render_ticket_regions(make_ticket(eta_minutes=None))
    assert rendered.line_counts["eta"] == 1
    assert render_ticket(make_ticket(eta_minutes=None)).tobytes() != render_ticket(make_ticket()).tobytes()


def test_renders_at_512_px_for_tm_t88v(ticket):
    image = render_ticket(ticket, width_px=512)
    assert image.width == 512
    assert_no_ink_at_edges(image)
    assert decode_qr(image) == [ticket.status_url]


def _compare_with_golden(image: Image.Image, name: str) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("XH_UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(exist_ok=True)
        image.save(path, optimize=True)
    if not path.exists():
        pytest.fail(f"golden image {path} is missing; run with XH_UPDATE_GOLDEN=1 and review it")
    golden = Image.open(path).convert("1")
    assert golden.size == image.size, f"size {image.size} differs from golden {golden.size}"
    difference = ImageChops.logical_xor(golden, image)
    changed = difference.convert("L").histogram()[255]
    assert changed / (image.width * image.height) < GOLDEN_TOLERANCE, f"{changed} pixels differ from {name}"


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("ticket_short_service.png", {}),
        ("ticket_long_service.png", {"centre_name": LONG_CENTRE, "service_name": VERY_LONG_SERVICE,
                                     "priority_label": "Ưu tiên: Người cao tuổi", "eta_minutes": None}),
    ],
)
def test_matches_golden_image(name, changes):
    _compare_with_golden(render_ticket(make_ticket(**changes)), name)


def test_ticket_print_is_frozen(ticket: TicketPrint):
    with pytest.raises(AttributeError):
        ticket.number = "B0001"  # type: ignore[misc]
