"""Vietnamese first, English on request: the language of a page and its words.

Each screen keeps its words next to it as {"vi": {...}, "en": {...}}; `words(catalogue)` picks the
request's language and falls back to Vietnamese for anything not translated. The language comes from
`?lang=en|vi` (remembered in a cookie by the page) or the `lang` cookie; default Vietnamese.
"""

from __future__ import annotations

import unicodedata

from flask import request

from wording import format_number  # noqa: F401  (exports and pages format numbers through i18n)

LANGUAGES = ("vi", "en")
DEFAULT = "vi"


def language() -> str:
    """The current request's language."""
    asked = request.args.get("lang") or request.cookies.get("lang")
    return asked if asked in LANGUAGES else DEFAULT


def words(catalogue: dict[str, dict[str, str]], lang: str | None = None) -> dict[str, str]:
    """The catalogue's words in `lang` (default: the request's), Vietnamese where a word is missing."""
    lang = lang or language()
    chosen = {**catalogue[DEFAULT], **catalogue.get(lang, {})}
    return {key: unicodedata.normalize("NFC", text) for key, text in chosen.items()}


def name_of(item, lang: str | None = None) -> str:
    """An item's name (service, group, priority group) in the language: `name` or `name_en`."""
    lang = lang or language()
    return item.name_en if lang == "en" and getattr(item, "name_en", "") else item.name
