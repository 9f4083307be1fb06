"""Make the screens' web fonts: a WOFF2 subset of Noto Sans and a tiny font of the symbols it lacks.

    .venv/bin/python -m tools.make_web_font        # writes static/fonts/*.woff2 (committed)

The 2 MB variable TrueType of fontpkg-noto-sans is what the ticket printer needs (every glyph, both
axes); a screen needs only Vietnamese, Latin and a few symbols at weights 400–800. The subset keeps the
weight axis (one file for every weight the CSS uses), pins the width axis at 100 (normal) and drops the
glyphs, OpenType features and names no page uses. Noto Sans has no arrows and no search icon, so those
are drawn here into "symbols.woff2", served under the same family name with a `unicode-range`
(static/xh.css): the browser takes them from it instead of falling back to some other installed font.

The output is committed with this script (README "Page weight" says why): the server needs neither
fontTools nor brotli to run, and a fresh clone serves the same bytes the tests checked.
"""

from __future__ import annotations

import argparse
import io
import pathlib

import fontpkg_noto_sans
from fontTools import subset
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

SOURCE = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
OUTPUT = pathlib.Path(__file__).resolve().parent.parent / "static" / "fonts"

# Every letter Vietnamese writes (134 with tones, precomposed and as combining marks for text typed in
# NFD), Latin-1 for English and names, the punctuation and signs the pages use (dashes, quotes, "…",
# "·", "×", "−", "₫", "№", narrow no-break space for thousands).
VIETNAMESE = ([0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0]
              + list(range(0x1EA0, 0x1EFA)) + [0x300, 0x301, 0x303, 0x309, 0x323])
LATIN = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100)) + [0x131, 0x152, 0x153, 0x2C6, 0x2DA, 0x2DC]
PUNCTUATION = ([0x2009, 0x200B, 0x2010, 0x2011, 0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D,
                0x201E, 0x2022, 0x2026, 0x202F, 0x2030, 0x2039, 0x203A, 0x2044, 0x20AB, 0x20AC, 0x2116,
                0x2122, 0x2212, 0x2215])
TEXT_CODEPOINTS = sorted(set(VIETNAMESE + LATIN + PUNCTUATION))

UNITS = 1000  # symbols.woff2's units per em, as Noto Sans


def _search_icon(pen: TTGlyphPen) -> None:
    """A magnifying glass (⌕): a ring and a handle, 1 em high, drawn as closed outlines."""
    import math

    def circle(cx, cy, r, clockwise):
        steps = 16
        points = [(cx + r * math.cos(2 * math.pi * i / steps), cy + r * math.sin(2 * math.pi * i / steps))
                  for i in range(steps)]
        if clockwise:
            points.reverse()
        pen.moveTo(tuple(round(v) for v in points[0]))
        for point in points[1:]:
            pen.lineTo(tuple(round(v) for v in point))
        pen.closePath()

    circle(400, 430, 270, clockwise=True)    # outer edge of the ring (TrueType: outer contours clockwise)
    circle(400, 430, 190, clockwise=False)   # the hole
    for point in [(560, 230), (620, 290), (860, 50), (800, -10)]:   # the handle, down to the right
        (pen.moveTo if point == (560, 230) else pen.lineTo)(point)
    pen.closePath()


def _arrow(pen: TTGlyphPen, direction: int) -> None:
    """A left (direction -1) or right (+1) arrow at the height of a lower-case letter."""
    shape = [(80, 250), (330, 500), (400, 430), (270, 300), (820, 300), (820, 200), (270, 200), (400, 70),
             (330, 0)]
    if direction > 0:
        shape = [(900 - x, y) for x, y in reversed(shape)]
    pen.moveTo(shape[0])
    for point in shape[1:]:
        pen.lineTo(point)
    pen.closePath()


def _relation(pen: TTGlyphPen, less: bool) -> None:
    """≤ or ≥: the angle and the bar under it."""
    angle = [(120, 430), (720, 700), (720, 600), (250, 400), (720, 200), (720, 100)]
    bar = [(120, 0), (120, 80), (720, 80), (720, 0)]
    if not less:
        angle = [(840 - x, y) for x, y in reversed(angle)]
    for outline in (angle, bar):
        pen.moveTo(outline[0])
        for point in outline[1:]:
            pen.lineTo(point)
        pen.closePath()


# Code point → (glyph name, drawing, advance width). ← and ⌕ are on the kiosk's buttons; → ≤ ≥ in words.
SYMBOLS = {
    0x2190: ("arrowleft", lambda pen: _arrow(pen, -1), 900),
    0x2192: ("arrowright", lambda pen: _arrow(pen, +1), 900),
    0x2264: ("lessequal", lambda pen: _relation(pen, True), 840),
    0x2265: ("greaterequal", lambda pen: _relation(pen, False), 840),
    0x2315: ("search", _search_icon, 920),
}


def text_font() -> bytes:
    """Noto Sans, width 100, weight 400–800, only TEXT_CODEPOINTS, as WOFF2."""
    font = TTFont(SOURCE)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "mark", "mkmk", "ccmp", "locl", "liga", "tnum", "lnum", "case"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    options.hinting = False  # screens are large and anti-aliased; hints are a third of the bytes
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=TEXT_CODEPOINTS)
    subsetter.subset(font)
    # After the subset: instancing first leaves gvar without the glyphs that never vary, which the
    # subsetter then trips over.
    font = instancer.instantiateVariableFont(font, {"wdth": 100, "wght": (400, 800)})
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def symbols_font() -> bytes:
    """The symbols Noto Sans lacks (SYMBOLS), drawn as outlines, as WOFF2."""
    builder = FontBuilder(UNITS, isTTF=True)
    names = [".notdef"] + [name for name, _, _ in SYMBOLS.values()]
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({code: name for code, (name, _, _) in SYMBOLS.items()})
    glyphs, metrics = {".notdef": TTGlyphPen(None).glyph()}, {".notdef": (500, 0)}
    for name, draw, advance in SYMBOLS.values():
        pen = TTGlyphPen(None)
        draw(pen)
        glyphs[name] = pen.glyph()
        metrics[name] = (advance, 0)
    builder.setupGlyf(glyphs)
    for name in glyphs:
        glyph = builder.font["glyf"][name]
        glyph.recalcBounds(builder.font["glyf"])
        metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=1069, descent=-293)
    builder.setupNameTable({"familyName": "Xep Hang Symbols", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=1069, sTypoDescender=-293, usWinAscent=1069, usWinDescent=293)
    builder.setupPost()
    builder.font.flavor = "woff2"
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUTPUT)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    for name, data in (("noto-sans-vi.woff2", text_font()), ("symbols.woff2", symbols_font())):
        (arguments.out / name).write_bytes(data)
        print(f"{arguments.out / name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
