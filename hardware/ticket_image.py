"""Render a queue ticket ("phiếu số thứ tự") as one 1-bit image for an 80 mm thermal printer.

Why an image and not printer text: code pages (TCVN-3, CP1258) print "?" or broken marks on many
printers and python-escpos maps "Đ" wrong (docs/design.md, decision 1). One image prints the same on
every ESC/POS printer. Layout, top to bottom, follows docs/design.md "Vietnamese": centre name, heading, the
number, service, priority, people ahead, estimated wait, time, QR code, footer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Callable

import qrcode
from PIL import Image, ImageDraw, ImageFont

from hardware.printer_base import native_lock
from hardware.text_fit import (
    BOLD,
    REGULAR,
    SEMIBOLD,
    fit_lines,
    ink_box,
    largest_single_line,
    line_height,
    nfc,
)
from wording import wait_words

DEFAULT_WIDTH_PX = 576  # 72 mm printable at 203 dpi (TM-T20II); a TM-T88V needs 512.
MINIMUM_QR_PX = 200  # below ~200 px (≈ 25 mm) cheap phone cameras struggle at arm's length.
WHITE, BLACK = 1, 0  # pixel values of a mode "1" image

DEFAULT_FOOTER = "Vui lòng giữ phiếu và chú ý màn hình, loa gọi số. Xin cảm ơn!"

# The cached fonts (one FreeType face each) are shared by every printer's worker thread, and
# FreeType does not allow one face to be used by two threads at once. A render takes 10–20 ms,
# so a single lock costs nothing a citizen would notice.
# It is an OS lock: under gevent renders run on native threads (blocking.run_blocking), where a
# patched lock would deadlock when two kiosks render at once.
_render_lock = native_lock()


@dataclass(frozen=True, kw_only=True)
class TicketPrint:
    """Everything printed on one ticket, passed by keyword. All text is stored NFC-normalised.

    ``issued_at`` must be timezone-aware and is printed in its own timezone, so convert it to the
    centre's local time (Asia/Ho_Chi_Minh) before building the ticket.
    """

    centre_name: str
    heading: str = "PHIẾU SỐ THỨ TỰ"
    number: str
    service_name: str
    people_ahead: int
    eta_minutes: int | None
    issued_at: datetime
    status_url: str
    priority_label: str | None = None
    footer: str = DEFAULT_FOOTER
    eta_low: int | None = None    # the estimate's range, printed as "10–20 phút" when it has one
    eta_high: int | None = None

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (e.g. Asia/Ho_Chi_Minh)")
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, got {self.people_ahead}")
        if not self.status_url:
            raise ValueError("status_url must not be empty: the QR code needs it")
        if not self.number.strip():
            raise ValueError("number must not be empty")
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, str) and item.name != "status_url":
                # frozen dataclass: normalise through object.__setattr__ once, at construction.
                object.__setattr__(self, item.name, nfc(value))


@dataclass
class RenderedTicket:
    """A rendered ticket plus where each part landed, so tests and previews can inspect it."""

    image: Image.Image
    regions: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # name → box
    line_counts: dict[str, int] = field(default_factory=dict)  # name → wrapped text lines


@dataclass
class _Block:
    """One horizontal band of the ticket: its height now, its painter once the canvas exists."""

    name: str
    height: int
    paint: Callable[[ImageDraw.ImageDraw, Image.Image, int], tuple[int, int, int, int]]
    lines: int = 0


class _Layout:
    """Builds the list of blocks for one width; sizes scale with the paper width."""

    def __init__(self, width_px: int) -> None:
        self.width = width_px
        self.scale = width_px / DEFAULT_WIDTH_PX
        self.margin = self.px(16)
        self.content_width = width_px - 2 * self.margin
        self.blocks: list[_Block] = []

    def px(self, value: float) -> int:
        """Scale a length designed for 576 px to this paper width."""
        return max(1, round(value * self.scale))

    def sizes(self, largest: int, smallest: int) -> list[int]:
        """Font sizes from ``largest`` down to ``smallest`` (576-px units), in 2-px steps."""
        return list(range(self.px(largest), self.px(smallest) - 1, -2))

    def gap(self, height: float) -> None:
        """Add vertical white space."""
        self.blocks.append(_Block("gap", self.px(height), lambda draw, image, top: (0, top, 0, top)))

    def text(
        self,
        name: str,
        text: str,
        sizes: list[int],
        weight: int,
        max_lines: int = 1,
        inverted: bool = False,
    ) -> None:
        """Add centred, wrapped text; ``inverted`` draws white letters on a black band."""
        padding = self.px(8) if inverted else 0
        font, lines = fit_lines(text, self.content_width - 2 * padding, sizes, weight, max_lines)
        step = line_height(font)
        height = step * len(lines) + 2 * padding

        def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> tuple[int, int, int, int]:
            ink = WHITE if inverted else BLACK
            if inverted:
                draw.rectangle(
                    (self.margin, top, self.width - self.margin - 1, top + height - 1), fill=BLACK
                )
            ascent, _ = font.getmetrics()
            for index, line in enumerate(lines):
                self._centred_line(draw, line, font, top + padding + index * step + ascent, ink)
            return (self.margin, top, self.width - self.margin, top + height)

        self.blocks.append(_Block(name, height, paint, len(lines)))

    def number(self, number: str) -> None:
        """Add the ticket number, as large as the width allows (capped so the ticket stays short)."""
        font = largest_single_line(number, self.content_width, self.px(200), BOLD)
        box = ink_box(number, font)

        def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> tuple[int, int, int, int]:
            left = (self.width - box.width) // 2 - box.left
            draw.text((left, top - box.top), number, font=font, fill=BLACK, anchor="ls")
            return (left + box.left, top, left + box.right, top + box.height)

        self.blocks.append(_Block("number", box.height, paint, 1))

    def rule(self) -> None:
        """Add a thin horizontal line across the content width."""
        thickness = self.px(2)

        def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> tuple[int, int, int, int]:
            box = (self.margin, top, self.width - self.margin - 1, top + thickness - 1)
            draw.rectangle(box, fill=BLACK)
            return (self.margin, top, self.width - self.margin, top + thickness)

        self.blocks.append(_Block("rule", thickness, paint))

    def qr(self, url: str) -> None:
        """Add a QR code of ``url`` at least MINIMUM_QR_PX wide, quiet zone included in the block."""
        code = _qr_image(url, target_px=max(MINIMUM_QR_PX, self.px(240)), limit_px=self.content_width)
        quiet_zone = self.px(16)

        def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> tuple[int, int, int, int]:
            left = (self.width - code.width) // 2
            image.paste(code, (left, top + quiet_zone))
            return (left, top + quiet_zone, left + code.width, top + quiet_zone + code.height)

        self.blocks.append(_Block("qr", code.height + 2 * quiet_zone, paint))

    def _centred_line(
        self, draw: ImageDraw.ImageDraw, line: str, font: ImageFont.FreeTypeFont, baseline: int, ink: int
    ) -> None:
        box = ink_box(line, font)
        left = (self.width - box.width) // 2 - box.left
        draw.text((left, baseline), line, font=font, fill=ink, anchor="ls")


def _qr_image(url: str, target_px: int, limit_px: int) -> Image.Image:
    """Draw the QR code of ``url`` with whole-pixel modules (blurry modules do not scan)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    module_px = max(math.ceil(MINIMUM_QR_PX / modules), round(target_px / modules))
    module_px = min(module_px, limit_px // modules)
    if module_px * modules < MINIMUM_QR_PX:
        raise ValueError(f"status_url is too long for a scannable QR code ({len(url)} characters)")
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (modules, modules), pixels)
    size = modules * module_px
    return small.resize((size, size), Image.Resampling.NEAREST).convert("1", dither=Image.Dither.NONE)


def _build_layout(ticket: TicketPrint, width_px: int) -> _Layout:
    layout = _Layout(width_px)
    layout.gap(8)
    layout.text("centre", ticket.centre_name, layout.sizes(32, 18), SEMIBOLD, max_lines=2)
    layout.gap(6)
    layout.text("heading", ticket.heading, layout.sizes(34, 20), BOLD)
    layout.gap(10)
    layout.number(ticket.number)
    layout.gap(14)
    layout.text("service", ticket.service_name, layout.sizes(32, 20), SEMIBOLD, max_lines=3)
    if ticket.priority_label:
        layout.gap(10)
        layout.text("priority", ticket.priority_label, layout.sizes(28, 18), BOLD, 2, inverted=True)
    layout.gap(12)
    layout.rule()
    layout.gap(10)
    detail_sizes = layout.sizes(28, 18)
    # The screens' words (wording.py), so paper and screen agree.
    wait = wait_words(ticket.people_ahead, ticket.eta_minutes, low=ticket.eta_low, high=ticket.eta_high)
    layout.text("people_ahead", wait["ahead"], detail_sizes, REGULAR)
    layout.text("eta", wait["wait"], detail_sizes, REGULAR)
    layout.text("issued_at", f"{ticket.issued_at:%H:%M %d/%m/%Y}", layout.sizes(26, 18), REGULAR)
    layout.qr(ticket.status_url)
    if ticket.footer:
        layout.text("footer", ticket.footer, layout.sizes(24, 16), REGULAR, max_lines=3)
    layout.gap(8)
    return layout


def render_ticket_regions(ticket: TicketPrint, width_px: int = DEFAULT_WIDTH_PX) -> RenderedTicket:
    """Render ``ticket`` and report the box and line count of each part.

    Returns a :class:`RenderedTicket` whose image is mode "1", exactly ``width_px`` wide and as tall
    as the content needs.
    """
    if width_px < 384:
        raise ValueError(f"width_px {width_px} is narrower than a 58 mm printer (384 px)")
    with _render_lock:
        layout = _build_layout(ticket, width_px)
        height = sum(block.height for block in layout.blocks)
        image = Image.new("1", (width_px, height), WHITE)
        draw = ImageDraw.Draw(image)
        rendered = RenderedTicket(image)
        top = 0
        for block in layout.blocks:
            box = block.paint(draw, image, top)
            if block.name not in ("gap", "rule"):
                rendered.regions[block.name] = box
                rendered.line_counts[block.name] = block.lines
            top += block.height
    return rendered


def render_ticket(ticket: TicketPrint, width_px: int = DEFAULT_WIDTH_PX) -> Image.Image:
    """Render ``ticket`` as a 1-bit (mode "1") image ``width_px`` wide, black ink on white."""
    return render_ticket_regions(ticket, width_px).image
