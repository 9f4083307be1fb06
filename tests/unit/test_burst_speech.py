"""The short sentence said in a burst of calls (issue 10): "Số A012, quầy 5.", and for a counter known by
its name, that name, as the screen shows it."""

from __future__ import annotations

import pytest

from core.settings import Counter
from core.speech import DEFAULT_TEMPLATE, SHORT_TEMPLATE, announcement_text, clip_sequence
from display.announce import counter_label, template_for


def short_text(number: str, counter: Counter, mode: str = "natural") -> str:
    """What the display's short audio says for a call at `counter` (display/announce.py's recipe)."""
    return announcement_text(template_for(counter, SHORT_TEMPLATE), number, counter_label(counter), mode)


def counter(id_: str, name: str) -> Counter:
    return Counter(id=id_, name=name, services=("KS",), priority=False)


@pytest.mark.parametrize("number, desk, mode, said", [
    ("A012", counter("5", "Quầy số 5"), "natural", "Số a, mười hai, quầy năm."),
    ("A001", counter("12", "Quầy số 12"), "natural", "Số a, một, quầy mười hai."),
    ("B105", counter("3", "Quầy 3"), "digits", "Số bê, một, không, năm, quầy ba."),
    ("Đ021", counter("5A", "Quầy 5A"), "natural", "Số đê, hai mươi mốt, quầy năm, a."),
    # A counter known by its name is called by that name, in the sentence's lower case.
    ("A012", counter("uu-tien", "Quầy ưu tiên"), "natural", "Số a, mười hai, quầy ưu tiên."),
    ("C007", counter("huong-dan", "Bàn hướng dẫn"), "natural", "Số xê, bảy, bàn hướng dẫn."),
])
def test_the_short_sentence_says_the_number_and_the_counter_as_the_screen_does(number, desk, mode, said):
    assert short_text(number, desk, mode) == said


def test_it_is_much_shorter_than_the_full_sentence():
    desk = counter("5", "Quầy số 5")
    full = announcement_text(template_for(desk, DEFAULT_TEMPLATE), "A012", "5")
    assert full == "Mời công dân có số thứ tự a, mười hai đến quầy số năm."
    assert len(short_text("A012", desk).split()) <= len(full.split()) // 2 + 1


def test_recorded_clips_for_the_short_sentence():
    assert clip_sequence(SHORT_TEMPLATE, "A012", "5") == ["so", "letter_a", "pause", "muoi_huyen", "hai",
                                                           "pause", "quay", "nam"]
    named = template_for(counter("uu-tien", "Quầy ưu tiên"), SHORT_TEMPLATE)
    assert clip_sequence(named, "A012", "0") == ["so", "letter_a", "pause", "muoi_huyen", "hai", "pause",
                                                 "quay_uu_tien"]
