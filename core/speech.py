"""Vietnamese words for the lobby voice: numbers, ticket labels and the call sentence.

Pure Python with no I/O, so the kiosk, the display and the tests all agree on what is said.

Numbers are read the way a Northern announcer reads them: 15 "mười lăm", 21 "hai mươi mốt",
24 "hai mươi bốn" (not "tư"), 101 "một trăm linh một" (not "lẻ"),
1005 "một nghìn không trăm linh năm". In "digits" mode each digit is read on its own and
separated by commas, because a comma is where a speech engine pauses: "001" → "không, không, một".

A ticket label such as "A001" is read as the letter's Vietnamese name, a pause, then the number
("a, một"), so the letter never fuses with the digits. Leading zeros are dropped in "natural" mode.

Clip names (for centres that record their own voice; one WAV file per name, ``<name>.wav``):

* phrase clips: each fixed piece of the template between placeholders and punctuation, lower-cased,
  without diacritics ("đ" → "d"), non-letters turned into "_". The default template needs
  ``moi_cong_dan_co_so_thu_tu`` ("Mời công dân có số thứ tự") and ``den_quay_so`` ("đến quầy số").
* number words: the word without diacritics: ``khong mot hai ba bon nam sau bay tam chin``,
  ``muoi`` ("mươi", as in "hai mươi"), ``tram nghin trieu ty linh lam``. Two words would collide
  once the marks are gone, so they carry their tone's name: ``muoi_huyen`` ("mười", 10-19) and
  ``mot_sac`` ("mốt", as in "hai mươi mốt").
* letters: ``letter_`` plus the letter in lower case (``letter_a``, ``letter_b`` ...); the Vietnamese
  letters use Telex spelling: ``letter_dd`` (Đ), ``letter_aw`` (Ă), ``letter_aa`` (Â),
  ``letter_ee`` (Ê), ``letter_oo`` (Ô), ``letter_ow`` (Ơ), ``letter_uw`` (Ư).
* ``pause``: not a file; the player inserts a short silence.

The short sentence of a burst (``SHORT_TEMPLATE``, "Số A012, quầy 5.") needs the phrase clips ``so``
("Số") and ``quay`` ("quầy"); a counter known by its name needs that name's clip instead of ``quay``
("Quầy ưu tiên" → ``quay_uu_tien``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DEFAULT_TEMPLATE = "Mời công dân có số thứ tự {number} đến quầy số {counter}."
# The short form said in a burst (more than [voice] burst_threshold calls waiting to be said): the number and
# the counter, nothing else, so six calls at opening are said in seconds, not half a minute (issue 10).
SHORT_TEMPLATE = "Số {number}, quầy {counter}."
MODES = ("natural", "digits")
PAUSE = "pause"
LARGEST_NUMBER = 999_999_999_999

DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Powers of a thousand, smallest first; "nghìn" is the Northern word (the South says "ngàn").
GROUP_WORDS = ("", "nghìn", "triệu", "tỷ")

# Letter name as spoken, and its clip name. Telex spelling keeps clip names ASCII.
LETTERS = {
    "A": ("a", "letter_a"), "Ă": ("á", "letter_aw"), "Â": ("ớ", "letter_aa"),
    "B": ("bê", "letter_b"), "C": ("xê", "letter_c"), "D": ("dê", "letter_d"),
    "Đ": ("đê", "letter_dd"), "E": ("e", "letter_e"), "Ê": ("ê", "letter_ee"),
    "F": ("ép", "letter_f"), "G": ("giê", "letter_g"), "H": ("hát", "letter_h"),
    "I": ("i", "letter_i"), "J": ("gi", "letter_j"), "K": ("ca", "letter_k"),
    "L": ("e-lờ", "letter_l"), "M": ("em-mờ", "letter_m"), "N": ("en-nờ", "letter_n"),
    "O": ("o", "letter_o"), "Ô": ("ô", "letter_oo"), "Ơ": ("ơ", "letter_ow"),
    "P": ("pê", "letter_p"), "Q": ("quy", "letter_q"), "R": ("e-rờ", "letter_r"),
    "S": ("ét-xì", "letter_s"), "T": ("tê", "letter_t"), "U": ("u", "letter_u"),
    "Ư": ("ư", "letter_uw"), "V": ("vê", "letter_v"), "W": ("vê kép", "letter_w"),
    "X": ("ích-xì", "letter_x"), "Y": ("i dài", "letter_y"), "Z": ("dét", "letter_z"),
}

# Only these two number words collide once diacritics are stripped (see the module docstring).
WORD_CLIPS = {"mười": "muoi_huyen", "mốt": "mot_sac"}

_PLACEHOLDER = re.compile(r"(\{number\}|\{counter\})")
_LABEL_PART = re.compile(r"\d+|[^\W\d_]")
# Separators a centre may print inside a label ("A-001", "A 001") and that are not read aloud.
_LABEL_SEPARATORS = re.compile(r"[\s\-./_]+")
_PHRASE_BREAK = re.compile(r"[,;:.!?…]+")


def read_number(n: int) -> str:
    """Read a whole number in Vietnamese words: 1023 → "một nghìn không trăm hai mươi ba"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"read_number needs an int, got {n!r}")
    if n < 0 or n > LARGEST_NUMBER:
        raise ValueError(f"read_number reads 0 to {LARGEST_NUMBER:,}, got {n:,}")
    if n == 0:
        return DIGIT_WORDS[0]
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for power in range(len(groups) - 1, -1, -1):
        group = groups[power]
        if group == 0:
            continue  # "một triệu hai trăm", not "một triệu không nghìn hai trăm"
        is_leading = power == len(groups) - 1
        words += _read_group(group, full=not is_leading)
        if power:
            words.append(GROUP_WORDS[power])
    return " ".join(words)


def _read_group(group: int, full: bool) -> list[str]:
    """Words for 1..999; ``full`` reads a zero hundred ("không trăm") inside a larger number."""
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")  # 101 "một trăm linh một": the empty tens place is spoken
            words.append(DIGIT_WORDS[units])
        return words
    words += ["mười"] if tens == 1 else [DIGIT_WORDS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")  # 21 "hai mươi mốt", but 11 "mười một"
    elif units == 5:
        words.append("lăm")  # 15 "mười lăm", 25 "hai mươi lăm"
    elif units:
        words.append(DIGIT_WORDS[units])
    return words


def read_digits(text: str) -> str:
    """Read a string of digits one by one, comma-separated for pauses: "001" → "không, không, một"."""
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError(f"read_digits needs the digits 0-9 only, got {text!r}")
    return ", ".join(DIGIT_WORDS[int(digit)] for digit in text)


def _label_parts(label: str) -> list[str]:
    """Split a ticket or counter label into runs of digits and single letters: "A001" → ["A", "001"]."""
    label = unicodedata.normalize("NFC", label)
    stray = _LABEL_SEPARATORS.sub("", _LABEL_PART.sub("", label.upper()))
    if stray:
        raise ValueError(f"cannot read {stray!r} in {label!r}")
    parts = _LABEL_PART.findall(label.upper())
    for part in parts:
        if not part.isdigit() and part not in LETTERS:
            raise ValueError(f"no Vietnamese name for the letter {part!r} in {label!r}")
        if part.isdigit() and not part.isascii():
            raise ValueError(f"only the digits 0-9 can be read, got {part!r} in {label!r}")
    if not parts:
        raise ValueError(f"nothing to read in {label!r}")
    return parts


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")


def spoken_ticket(number: str, mode: str = "natural") -> str:
    """Spoken form of a ticket label: "A001" → "a, một" (natural) or "a, không, không, một" (digits).

    Each letter is read by its Vietnamese name and followed by a comma, so the engine pauses
    before the number. Also used for counter labels such as "5A" → "năm, a".
    """
    _check_mode(mode)
    spoken = []
    for part in _label_parts(number):
        if not part.isdigit():
            spoken.append(LETTERS[part][0])
        elif mode == "digits":
            spoken.append(read_digits(part))
        else:
            spoken.append(read_number(int(part)))  # int() drops the leading zeros: "001" → "một"
    return ", ".join(spoken)


def _split_template(template: str) -> list[str]:
    """Template pieces with the placeholders kept as their own items."""
    if "{number}" not in template:
        raise ValueError(f"the announcement template must contain {{number}}: {template!r}")
    return [piece for piece in _PLACEHOLDER.split(template) if piece]


def announcement_text(template: str, number: str, counter: str, mode: str = "natural",
                      *, counter_mode: str = "natural") -> str:
    """The call sentence with the ticket and counter spoken as words.

    Counters are read naturally by default whatever ``mode`` is, because "quầy số một, hai"
    for counter 12 sounds wrong; pass ``counter_mode="digits"`` to change that.
    Placeholders are replaced literally (not with str.format) so stray braces typed by an admin
    cannot break the sentence.
    """
    template = template or DEFAULT_TEMPLATE
    _split_template(template)
    text = template.replace("{number}", spoken_ticket(number, mode))
    if "{counter}" in template:
        text = text.replace("{counter}", spoken_ticket(counter, counter_mode))
    return unicodedata.normalize("NFC", text)


def slugify(text: str) -> str:
    """ASCII clip name for Vietnamese text: "Mời công dân" → "moi_cong_dan"."""
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    # NFD splits each letter from its marks; dropping the marks leaves plain ASCII letters.
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", bare).strip("_")


def _label_clips(label: str, mode: str) -> list[str]:
    clips: list[str] = []
    for part in _label_parts(label):
        if clips:
            clips.append(PAUSE)
        if not part.isdigit():
            clips.append(LETTERS[part][1])
            continue
        words = read_digits(part) if mode == "digits" else read_number(int(part))
        for word in words.replace(",", " ").split():
            clips.append(WORD_CLIPS.get(word, slugify(word)))
            if mode == "digits":
                clips.append(PAUSE)  # the commas of read_digits become real pauses
        if mode == "digits":
            clips.pop()
    return clips


def clip_sequence(template: str, number: str, counter: str, mode: str = "natural",
                  *, counter_mode: str = "natural") -> list[str]:
    """The call sentence as clip names, in order, for joining recorded clips.

    Punctuation inside the template's fixed text becomes a "pause"; pauses at the very start or end
    are dropped and repeated pauses collapse into one. See the module docstring for the names.
    """
    _check_mode(mode)
    _check_mode(counter_mode)
    clips: list[str] = []
    for piece in _split_template(template or DEFAULT_TEMPLATE):
        if piece == "{number}":
            clips += _label_clips(number, mode)
        elif piece == "{counter}":
            clips += _label_clips(counter, counter_mode)
        else:
            for index, phrase in enumerate(_PHRASE_BREAK.split(piece)):
                if index:
                    clips.append(PAUSE)
                if slugify(phrase):
                    clips.append(slugify(phrase))
    tidy: list[str] = []
    for clip in clips:
        if clip == PAUSE and (not tidy or tidy[-1] == PAUSE):
            continue
        tidy.append(clip)
    while tidy and tidy[-1] == PAUSE:
        tidy.pop()
    return tidy


@dataclass(frozen=True)
class Announcement:
    """One call to announce: what the display hands to the voice synthesizer."""

    number: str
    counter: str
    template: str = DEFAULT_TEMPLATE
    mode: str = "natural"
    counter_mode: str = "natural"

    def text(self) -> str:
        """The sentence as text, for a speech engine."""
        return announcement_text(self.template, self.number, self.counter, self.mode,
                                 counter_mode=self.counter_mode)

    def clips(self) -> list[str]:
        """The sentence as clip names, for joining recordings."""
        return clip_sequence(self.template, self.number, self.counter, self.mode,
                             counter_mode=self.counter_mode)

