"""The screens' web font (static/fonts/, made by tools/make_web_font.py) covers every character they show.

A character the subset lacks is drawn by some other installed font, or as a box on a kiosk PC that has
none: the search icon did exactly that before issue 10. So every character of every template, script,
style, word list and message a screen can show, and of the shipped config.toml, must be in the subset.
"""

from __future__ import annotations

import ast
import io
import re
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "static" / "fonts"
# The phone's status page uses the phone's own fonts (it must stay under 100 KB), so its files may show
# what the subset lacks (a bell in the tab title).
PHONE_ONLY = {"status.html", "status_missing.html", "status.js", "status.css"}
SCREEN_PACKAGES = ("kiosk", "counter", "display", "api", "core")


def covered() -> set[int]:
    """Code points of the text subset and of the symbols font served under the same family."""
    points: set[int] = set()
    for name in ("noto-sans-vi.woff2", "symbols.woff2"):
        font = TTFont(io.BytesIO((FONTS / name).read_bytes()))
        points |= set(font.getBestCmap())
    return points


def _without_comments(text: str, kind: str) -> str:
    if kind in ("js", "css"):
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if kind == "js":
        text = re.sub(r"(^|\s)//.*$", "", text, flags=re.M)
    if kind == "html":
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return text


def _python_strings(path: Path) -> str:
    """The string literals of a module, without docstrings (they are never shown)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            docstrings.add(id(body[0].value))
    return "".join(node.value for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings)


def shown_text() -> dict[str, str]:
    """File (relative) → the text it can put on a screen."""
    texts: dict[str, str] = {}
    sources = [*ROOT.glob("templates/*.html"), *ROOT.glob("static/*.js"), *ROOT.glob("static/*.css")]
    for package in ("kiosk", "counter", "display"):
        sources += [*(ROOT / package).glob("templates/**/*.html"), *(ROOT / package).glob("static/*.js"),
                    *(ROOT / package).glob("static/*.css")]
    for path in sources:
        if path.name not in PHONE_ONLY:
            kind = path.suffix.lstrip(".")
            texts[str(path.relative_to(ROOT))] = _without_comments(path.read_text(encoding="utf-8"), kind)
    for package in SCREEN_PACKAGES:
        for path in (ROOT / package).glob("*.py"):
            texts[str(path.relative_to(ROOT))] = _python_strings(path)
    for name in ("i18n.py", "app.py"):
        texts[name] = _python_strings(ROOT / name)
    texts["config.toml"] = (ROOT / "config.toml").read_text(encoding="utf-8")
    return texts


def vietnamese_alphabet() -> str:
    """Every Vietnamese letter, lower and upper case, with each of the five tone marks."""
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = [unicodedata.normalize("NFC", vowel + tone) for vowel in vowels for tone in tones]
    letters += list("bcdđghklmnpqrstvx")
    return "".join(letters) + "".join(letters).upper()


def test_the_subset_is_small_and_woff2():
    text = (FONTS / "noto-sans-vi.woff2").read_bytes()
    assert text[:4] == b"wOF2" and (FONTS / "symbols.woff2").read_bytes()[:4] == b"wOF2"
    assert len(text) < 60_000, len(text)  # the TrueType it replaces was 2 MB
    axes = {axis.axisTag: (axis.minValue, axis.maxValue) for axis in TTFont(io.BytesIO(text))["fvar"].axes}
    assert axes == {"wght": (400, 800)}  # every weight the CSS uses, one file


def test_every_vietnamese_letter_is_in_the_subset():
    alphabet = vietnamese_alphabet()
    assert len(set(alphabet)) == 2 * (12 * 6 + 17)  # 89 letters each case (134 with a diacritic in all)
    missing = sorted(c for c in set(alphabet) if ord(c) not in covered())
    assert missing == []


def test_every_character_a_screen_can_show_is_in_the_subset():
    points = covered()
    missing = {}
    for name, text in shown_text().items():
        absent = sorted({c for c in unicodedata.normalize("NFC", text)
                         if ord(c) >= 0x20 and ord(c) not in points})
        if absent:
            missing[name] = "".join(absent)
    assert missing == {}


def test_the_search_icon_and_arrows_come_from_our_own_font():
    points = covered()
    css = (ROOT / "kiosk" / "static" / "kiosk.css").read_text(encoding="utf-8")
    icons = set("".join(re.findall(r'content:\s*"([^"]*)"', css))) - {" "}
    assert icons and all(ord(c) in points for c in icons), icons
    assert ord("⌕") in points


def test_the_committed_fonts_hold_what_the_script_asks_for():
    """Someone who edits the script's code point lists regenerates the committed files (8 s, so not here)."""
    from tools import make_web_font

    source = set(TTFont(make_web_font.SOURCE).getBestCmap())
    wanted = (set(make_web_font.TEXT_CODEPOINTS) & source) | set(make_web_font.SYMBOLS)
    assert wanted == covered()
