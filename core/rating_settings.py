"""Settings of citizen satisfaction ratings: [rating] and the serial rating keypads of [[raters]] (issue 12).

Levels are numbered from 1 = best, as the national online survey lists them ("Rất hài lòng" first), so a
keypad's leftmost button, key "1" of a USB keypad and the top button of the screen all mean the best level.
`levels = 5` and `levels = 3` come with their wording; any other count (4), or other wording, needs
`labels` (and `labels_en`) with exactly that many entries, best first.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config_reader import IDENTIFIER, ConfigError, Table, unique

# The five levels of the national online satisfaction survey (Chỉ số hài lòng về sự phục vụ hành chính).
FIVE_LEVELS = ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng")
FIVE_LEVELS_EN = ("Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied")
THREE_LEVELS = ("Hài lòng", "Bình thường", "Không hài lòng")
THREE_LEVELS_EN = ("Satisfied", "Neutral", "Dissatisfied")
PRESETS = {5: (FIVE_LEVELS, FIVE_LEVELS_EN), 3: (THREE_LEVELS, THREE_LEVELS_EN)}


@dataclass(frozen=True)
class RatingReason:
    id: str
    name: str
    name_en: str


DEFAULT_REASONS = (
    RatingReason("thai_do", "Thái độ phục vụ", "Staff attitude"),
    RatingReason("thoi_gian", "Thời gian chờ, giải quyết lâu", "Waiting or processing took too long"),
    RatingReason("huong_dan", "Hướng dẫn chưa rõ", "Guidance was unclear"),
    RatingReason("giay_to", "Yêu cầu giấy tờ ngoài quy định", "Papers asked beyond the rules"),
)


@dataclass(frozen=True)
class RatingOptions:
    """[rating]: how many levels, their words, how long the counter's screen asks, when to ask for reasons."""
    levels: int = 5
    labels: tuple[str, ...] = FIVE_LEVELS
    labels_en: tuple[str, ...] = FIVE_LEVELS_EN
    seconds: int = 30               # the question stays on the counter's rating screen this long
    satisfied_levels: int = 2       # levels 1..N count as "hài lòng" (reports, board): SIPAS's top two
    reasons_from_level: int = 4     # a rating this low or lower asks why (0 = never ask)
    reasons: tuple[RatingReason, ...] = DEFAULT_REASONS

    def asks_reasons(self, level: int) -> bool:
        """Whether a rating at `level` may come with reasons."""
        return bool(self.reasons_from_level) and level >= self.reasons_from_level

    def as_json(self, lang: str = "vi") -> dict:
        """What the rating screens need: levels with their words, reasons, timing."""
        labels = self.labels_en if lang == "en" else self.labels
        return {"levels": [{"level": i, "label": label} for i, label in enumerate(labels, start=1)],
                "seconds": self.seconds, "reasons_from_level": self.reasons_from_level,
                "reasons": [{"id": r.id, "name": r.name_en if lang == "en" else r.name} for r in self.reasons]}


@dataclass(frozen=True)
class Rater:
    """[[raters]]: one serial rating keypad at one counter (protocol: hardware/rater.py, README)."""
    counter: str
    url: str
    baudrate: int = 9600
    buttons: int = 5


def parse_rating(t: Table) -> RatingOptions:
    """[rating]; every key optional (five national levels, 30 s, the default reasons)."""
    default = RatingOptions()
    levels = t.integer("levels", default.levels, minimum=3, maximum=5)
    preset, preset_en = PRESETS.get(levels, ((), ()))
    labels = t.text_list("labels", preset)
    labels_en = t.text_list("labels_en", preset_en or labels)
    if len(labels) != levels or len(labels_en) != levels:
        raise ConfigError(f"{t.path}.labels: {levels} levels need {levels} labels and labels_en, best first "
                          "(only 5 and 3 levels have shipped wording)")
    satisfied = t.integer("satisfied_levels", 2 if levels >= 4 else 1, minimum=1, maximum=levels - 1)
    reasons_from = t.integer("reasons_from_level", levels - 1 if levels >= 4 else levels, maximum=levels)
    if reasons_from and reasons_from <= satisfied:
        raise ConfigError(f"{t.path}.reasons_from_level: a satisfied rating (levels 1–{satisfied}) must not "
                          "ask for reasons; use a level above satisfied_levels, or 0 for never")
    reasons = []
    for r in t.tables("reasons", required=False):
        reasons.append(RatingReason(id=r.text("id", pattern=IDENTIFIER), name=r.text("name"),
                                    name_en=r.text("name_en")))
        r.finish()
    options = RatingOptions(levels=levels, labels=labels, labels_en=labels_en,
                            seconds=t.integer("seconds", default.seconds, minimum=5, maximum=600),
                            satisfied_levels=satisfied, reasons_from_level=reasons_from,
                            reasons=tuple(unique(reasons, "reason", f"{t.path}.reasons").values())
                            if "reasons" in t.data else default.reasons)
    t.finish()
    return options


def parse_raters(tables: list[Table], counters: dict, rating: RatingOptions) -> tuple[Rater, ...]:
    """[[raters]]: each names a configured counter; a keypad needs a button for every level."""
    raters = []
    for t in tables:
        rater = Rater(counter=t.text("counter"), url=t.text("url"),
                      baudrate=t.integer("baudrate", 9600, minimum=300),
                      buttons=t.integer("buttons", 5, minimum=3, maximum=5))
        if rater.counter not in counters:
            raise ConfigError(f"{t.path}.counter: unknown counter {rater.counter!r}")
        if rater.buttons < rating.levels:
            raise ConfigError(f"{t.path}.buttons: a {rater.buttons}-button keypad cannot give all "
                              f"{rating.levels} levels of [rating]; set rating.levels = {rater.buttons} "
                              "(with labels) or use a keypad with more buttons")
        t.finish()
        raters.append(rater)
    return tuple(raters)
