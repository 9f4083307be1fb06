"""The shared words for numbers and the wait (wording.py): one wording per situation, decimal comma."""

from __future__ import annotations

import pytest

import i18n
from wording import catalogue, format_number, wait_words


@pytest.mark.parametrize("value, vi, en", [
    (0, "0", "0"), (0.2, "0,2", "0.2"), (12.5, "12,5", "12.5"), (12.0, "12", "12"), (7, "7", "7"),
    (1234, "1.234", "1,234"), (1234567.25, "1.234.567,3", "1,234,567.3"), (0.04, "0", "0"),
    (0.05, "0,1", "0.1"), (-3.5, "-3,5", "-3.5"), (-0.01, "0", "0"), (999.96, "1.000", "1,000"),
])
def test_numbers_use_the_language_s_decimal_mark_and_grouping(value, vi, en):
    assert format_number(value, "vi") == vi
    assert format_number(value, "en") == en


def test_more_decimals_when_asked_and_the_same_helper_through_i18n():
    assert format_number(3.14159, "vi", decimals=2) == "3,14"
    assert format_number(2.5, "vi", decimals=0) == "3"
    assert i18n.format_number is format_number


def test_nobody_ahead_and_no_wait_is_called_right_away_never_zero_minutes():
    words = wait_words(0, 0)
    assert words == {"situation": "now", "ahead": "Không có ai chờ trước", "ahead_count": "Không có ai",
                     "wait": "Được gọi ngay", "wait_short": "Được gọi ngay"}
    assert "0 phút" not in str(words)


def test_someone_ahead_gives_the_count_and_about_so_many_minutes():
    words = wait_words(3, 24)
    assert words["situation"] == "minutes"
    assert words["ahead"] == "Số người chờ trước: 3" and words["ahead_count"] == "3"
    assert words["wait"] == "Thời gian chờ dự kiến: khoảng 24 phút"
    assert words["wait_short"] == "Khoảng 24 phút"
    assert wait_words(3, 0.2)["wait_short"] == "Khoảng 0,2 phút"   # decimal comma in a wait too
    assert wait_words(2, 1500, "vi")["wait_short"] == "Khoảng 1.500 phút"


def test_a_range_when_the_estimate_gives_one():
    assert wait_words(4, 12, low=10, high=20)["wait"] == "Thời gian chờ dự kiến: 10–20 phút"
    assert wait_words(4, 12, low=12, high=12)["wait_short"] == "Khoảng 12 phút"   # no range of one value
    assert wait_words(4, 12, "en", low=10, high=20)["wait_short"] == "10–20 min"


def test_no_estimate_says_so_whatever_the_queue():
    for ahead in (0, 5, None):
        words = wait_words(ahead, None)
        assert words["situation"] == "no_estimate"
        assert words["wait"] == "Thời gian chờ dự kiến: chưa ước tính được"
        assert words["wait_short"] == "Chưa ước tính được"


def test_english_has_every_word_and_an_unknown_language_falls_back_to_vietnamese():
    assert set(catalogue("en")) == set(catalogue("vi"))
    assert wait_words(1, 5, "en") == {"situation": "minutes", "ahead": "People ahead of you: 1",
                                      "ahead_count": "1", "wait": "Estimated wait: about 5 min",
                                      "wait_short": "About 5 min"}
    assert wait_words(1, 5, "fr") == wait_words(1, 5, "vi")
