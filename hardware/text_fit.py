"""Fonts and text fitting for the ticket image: wrap, shrink, never clip.

Printer code pages cannot print Vietnamese reliably (docs/design.md, decision 1), so every letter on a
ticket is drawn by us with Noto Sans, which covers all 137 Vietnamese letters. A peer's kiosk
clips long centre names at 34 pt on 576 px; every helper here measures the real ink box so a
line can never run past the paper.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import fontpkg_noto_sans
from PIL import ImageFont

FONT_PATH = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"

REGULAR = 400
SEMIBOLD = 600
BOLD = 700

# Sizes are rounded to this step so the font cache stays small while the big number still
# gets within a few pixels of the full width.
_SIZE_STEP = 2


@functools.lru_cache(maxsize=128)
def load_font(size: int, weight: int = REGULAR) -> ImageFont.FreeTypeFont:
    """Return Noto Sans at ``size`` px and ``weight`` (100–900), cached.

    Loading the variable font and setting its axes costs about a millisecond; a ticket uses a
    dozen sizes, so caching is what keeps a render near 20 ms. The BASIC layout engine is chosen
    on purpose: NFC Vietnamese is all precomposed letters, BASIC needs no libraqm (renders the
    same on every kiosk, so golden images stay stable) and it is faster.
    """
    font = ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)
    # Axis order in this font is (Weight, Width); width 100 is the normal, non-condensed design.
    font.set_variation_by_axes([weight, 100])
    return font


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with surrounding whitespace removed.

    Text typed on some keyboards (or pasted from Word) arrives decomposed: "ệ" as e + two
    combining marks. NFC turns it into the single letter the font draws as one glyph.
    """
    return unicodedata.normalize("NFC", text).strip()


@dataclass(frozen=True)
class InkBox:
    """Where a line's ink lies relative to its origin on the baseline (anchor "ls")."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """Width of the ink in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Height of the ink in pixels."""
        return self.bottom - self.top


@functools.lru_cache(maxsize=1024)  # fonts are cached singletons, so (text, font) is a stable key
def ink_box(text: str, font: ImageFont.FreeTypeFont) -> InkBox:
    """Measure the ink of one line of ``text`` drawn at the origin with baseline anchor.

    Measured in mode "1" because that is how the ticket is drawn: FreeType's monochrome hinting
    rounds advances differently from anti-aliased text, and a 52-character line measured
    anti-aliased came out 25 px narrower than it printed, running off the paper.
    """
    left, top, right, bottom = font.getbbox(text, mode="1", anchor="ls")
    return InkBox(int(left), int(top), int(right), int(bottom))


def line_height(font: ImageFont.FreeTypeFont) -> int:
    """Distance between baselines: ascent + descent, tall enough for stacked marks like "Ễ"."""
    ascent, descent = font.getmetrics()
    return ascent + descent


def _break_word(word: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Split one word that is wider than the line into pieces that each fit."""
    pieces: list[str] = []
    current = ""
    for letter in word:
        candidate = current + letter
        if current and ink_box(candidate, font).width > max_width:
            pieces.append(current)
            current = letter
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _wrap_by_advance(words: list[str], font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy wrap summing per-word advances: one measurement per word instead of per candidate line.

    With the BASIC layout (no kerning, no shaping) a line's advance is exactly the sum of its
    words' and spaces' advances, so this is the same greedy result at a fraction of the cost.
    """
    space = font.getlength(" ", mode="1")
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in words:
        width = font.getlength(word, mode="1")
        if current and current_width + space + width <= max_width:
            current.append(word)
            current_width += space + width
            continue
        if current:
            lines.append(" ".join(current))
        if width <= max_width:
            current, current_width = [word], width
        else:
            *whole_pieces, last = _break_word(word, font, max_width)
            lines.extend(whole_pieces)
            current, current_width = [last], font.getlength(last, mode="1")
    if current:
        lines.append(" ".join(current))
    return lines


def _wrap_by_ink(words: list[str], font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy wrap measuring the ink of every candidate line: slow, exact for any glyph."""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if ink_box(candidate, font).width <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if ink_box(word, font).width <= max_width:
            current = word
        else:
            *whole_pieces, current = _break_word(word, font, max_width)
            lines.extend(whole_pieces)
    if current:
        lines.append(current)
    return lines


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap of ``text`` into lines whose ink is at most ``max_width`` px wide.

    A word too long for a whole line (a URL, a code like "QĐ-UBND/2024/…") is broken between
    letters rather than allowed to overflow. Lines are first laid out by advance widths
    (fast) and then checked by their real ink; if a glyph overhangs its advance and a line
    fails the check, the text is wrapped again by ink.
    """
    words = text.split()
    lines = _wrap_by_advance(words, font, max_width)
    if all(ink_box(line, font).width <= max_width for line in lines):
        return lines
    return _wrap_by_ink(words, font, max_width)


def fit_lines(
    text: str, max_width: int, sizes: Sequence[int], weight: int, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """Wrap ``text`` at the largest of ``sizes`` that needs at most ``max_lines`` lines.

    ``sizes`` go from largest to smallest. If even the smallest size needs more lines, that size
    is used with as many lines as it takes: a ticket that grows a line is better than one that
    hides part of a procedure name.
    """
    words = text.split()
    for size in sizes[:-1]:
        font = load_font(size, weight)
        # Count lines by advance (cheap); only the size we keep is wrapped exactly.
        if len(_wrap_by_advance(words, font, max_width)) <= max_lines:
            lines = wrap_text(text, font, max_width)
            if len(lines) <= max_lines:
                return font, lines
    font = load_font(sizes[-1], weight)
    return font, wrap_text(text, font, max_width)


def largest_single_line(
    text: str, max_width: int, max_height: int, weight: int, min_size: int = 12
) -> ImageFont.FreeTypeFont:
    """Return the largest font whose ink for ``text`` fits in ``max_width`` × ``max_height``.

    Ink scales almost linearly with size, so one measurement at a reference size predicts the
    answer; a short walk down corrects rounding. This avoids loading dozens of sizes per ticket.
    """
    reference_size = 100
    box = ink_box(text, load_font(reference_size, weight))
    scale = min(max_width / max(box.width, 1), max_height / max(box.height, 1))
    size = max(min_size, int(reference_size * scale) // _SIZE_STEP * _SIZE_STEP)
    font = load_font(size, weight)
    while size > min_size:
        box = ink_box(text, font)
        if box.width <= max_width and box.height <= max_height:
            break
        size -= _SIZE_STEP
        font = load_font(size, weight)
    return font
