"""The words every screen, ticket and export uses for the same figures: numbers and the wait.

Pure Python (no Flask), so the ticket printer and exports use it as the pages do. Its twin for the
pages' scripts is static/wording.js: the same rules, fed with this module's words (`catalogue(lang)`
goes into each page's config), so a kiosk card, the printed ticket, the result screen and the phone
never disagree. tests/unit/test_wording.py checks the rules, tests/browser/test_screen_words.py checks
that the script gives the same text as this module.

The situations (docs/design.md, "Vietnamese: words, voice and paper"):
- no estimate (`minutes` is None: no counter open for the service) → "chưa ước tính được";
- nobody ahead and nothing to wait for (`minutes == 0`) → "Được gọi ngay", never "~0 phút";
- otherwise → "khoảng N phút" (or "L–H phút" when the estimate gives a range).
The estimate's figures are core/estimate's; this module only words them.
"""

from __future__ import annotations

import math
import unicodedata

WAIT_WORDS = {
    "vi": {
        "ahead": "Số người chờ trước: {n}",
        "ahead_none": "Không có ai chờ trước",
        "ahead_count_none": "Không có ai",
        "wait": "Thời gian chờ dự kiến: khoảng {minutes} phút",
        "wait_range": "Thời gian chờ dự kiến: {low}–{high} phút",
        "wait_now": "Được gọi ngay",
        "wait_none": "Thời gian chờ dự kiến: chưa ước tính được",
        "wait_short": "Khoảng {minutes} phút",
        "wait_short_range": "{low}–{high} phút",
        "wait_short_none": "Chưa ước tính được",
        "decimal": ",",
        "thousands": ".",
    },
    "en": {
        "ahead": "People ahead of you: {n}",
        "ahead_none": "Nobody ahead of you",
        "ahead_count_none": "Nobody",
        "wait": "Estimated wait: about {minutes} min",
        "wait_range": "Estimated wait: {low}–{high} min",
        "wait_now": "Called right away",
        "wait_none": "Estimated wait: not known yet",
        "wait_short": "About {minutes} min",
        "wait_short_range": "{low}–{high} min",
        "wait_short_none": "Not known yet",
        "decimal": ".",
        "thousands": ",",
    },
}


def catalogue(lang: str = "vi") -> dict[str, str]:
    """The words of `lang` (Vietnamese for anything else), NFC, as the pages' scripts receive them."""
    chosen = {**WAIT_WORDS["vi"], **WAIT_WORDS.get(lang, {})}
    return {key: unicodedata.normalize("NFC", text) for key, text in chosen.items()}


def format_number(value: float | int, lang: str = "vi", decimals: int = 1) -> str:
    """A number as the language writes it: "1.234,5" in Vietnamese, "1,234.5" in English.

    At most `decimals` digits after the comma, rounded half away from zero, trailing zeros dropped
    ("12,5", "12"). The rounding is done on the scaled value exactly as static/wording.js does it, so
    a page and the server print the same digits for the same float.
    """
    words = catalogue(lang)
    scale = 10 ** decimals
    scaled = math.floor(abs(value) * scale + 0.5)
    whole, fraction = divmod(scaled, scale)
    digits = str(whole)
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    text = words["thousands"].join([digits, *groups])
    if fraction:
        text += words["decimal"] + str(fraction).rjust(decimals, "0").rstrip("0")
    return ("-" if value < 0 and scaled else "") + text


def wait_words(ahead: int | None, minutes: float | None, lang: str = "vi", *,
               low: float | None = None, high: float | None = None) -> dict[str, str]:
    """The wait in words: {"situation", "ahead", "ahead_count", "wait", "wait_short"}.

    `situation` is "no_estimate", "now" or "minutes" (for styling and tests); `ahead` and `wait` are
    whole lines ("Số người chờ trước: 3"), `ahead_count` and `wait_short` fit under a label.
    """
    words = catalogue(lang)
    ahead = ahead or 0
    if ahead == 0:
        ahead_line, ahead_count = words["ahead_none"], words["ahead_count_none"]
    else:
        ahead_line = words["ahead"].replace("{n}", format_number(ahead, lang))
        ahead_count = format_number(ahead, lang)
    if minutes is None:
        situation, wait, short = "no_estimate", words["wait_none"], words["wait_short_none"]
    elif minutes <= 0:
        situation, wait, short = "now", words["wait_now"], words["wait_now"]
    elif low is not None and high is not None and high > low:
        situation = "minutes"
        fill = {"{low}": format_number(low, lang), "{high}": format_number(high, lang)}
        wait, short = _fill(words["wait_range"], fill), _fill(words["wait_short_range"], fill)
    else:
        situation = "minutes"
        fill = {"{minutes}": format_number(minutes, lang)}
        wait, short = _fill(words["wait"], fill), _fill(words["wait_short"], fill)
    return {"situation": situation, "ahead": ahead_line, "ahead_count": ahead_count, "wait": wait,
            "wait_short": short}


def _fill(template: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template
