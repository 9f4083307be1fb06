"""The estimate's numbers (core/estimate.py): fallbacks, the rest of a service or break, rounding, ranges."""

import pytest

from core import estimate


def test_service_times_fall_back_from_the_thu_tuc_to_today_to_the_default():
    times = estimate.service_times({"KS": [4.0, 6.0, 5.0], "KH": [9.0, 9.0]}, [], 8, ("KS", "KH", "GCN"))
    assert (times["KS"].mean, times["KS"].samples) == (5.0, (4.0, 6.0, 5.0))
    assert times["KH"].mean == 8 and times["GCN"].mean == 8   # two samples are not enough: the default
    assert times["GCN"].variance == pytest.approx((estimate.DEFAULT_SPREAD * 8) ** 2)
    today = estimate.service_times({}, [2.0, 4.0, 6.0], 8, ("GCN",))
    assert today["GCN"].mean == 4.0 and today["GCN"].samples == ()   # today's mean over every thủ tục


def test_the_rest_of_a_service_under_way_is_what_the_longer_ones_still_took():
    duration = estimate.measured([4.0, 10.0, 12.0], estimate.assumed(8))
    assert duration.remaining(0) == pytest.approx(26 / 3)
    assert duration.remaining(5) == 6.0            # of 10 and 12: 5 and 7 to go
    assert duration.remaining(12) == estimate.OVERDUE_MINUTES
    assert estimate.assumed(8).remaining(3) == 5.0
    assert estimate.assumed(8).remaining(9) == estimate.OVERDUE_MINUTES


def test_a_break_is_the_centres_typical_one_or_fifteen_minutes():
    assert estimate.break_length([]).mean == estimate.DEFAULT_BREAK_MINUTES == 15.0
    assert estimate.break_length([10.0, 20.0, 30.0]).mean == 20.0


def test_priority_rate_is_todays_count_over_at_least_an_hour():
    assert estimate.priority_rates({"KS": 3, "KH": 0}, 20) == {"KS": 3 / 60}
    assert estimate.priority_rates({"KS": 6}, 120) == {"KS": 6 / 120}


@pytest.mark.parametrize("minutes, shown", [(2.5, 3), (2.49, 2), (0.4, 0), (7.5, 8), (14.51, 15)])
def test_minutes_are_rounded_to_the_nearest(minutes, shown):
    assert estimate.rounded(minutes) == shown
    assert estimate.printed(1, minutes)["minutes"] == shown


def test_a_long_wait_gets_a_range_from_the_measured_spread_and_a_short_one_none():
    assert estimate.printed(4, 12.5, 9.0) == {"ahead": 4, "minutes": 13, "low": None, "high": None}
    assert estimate.printed(9, 45.4, 36.0) == {"ahead": 9, "minutes": 45, "low": 39, "high": 52}
    edge = estimate.printed(7, 29.5, 0.0)            # rounds to 30: long, a range even with no spread
    assert (edge["minutes"], edge["low"], edge["high"]) == (30, 29, 30)
    assert estimate.printed(2, None) == {"ahead": 2, "minutes": None, "low": None, "high": None}


def test_breaks_to_come_stretch_a_counters_pace_over_the_open_minutes_left():
    from datetime import datetime, time
    sessions = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    assert estimate.open_minutes_left(sessions, datetime(2026, 11, 23, 9, 0)) == 150 + 210
    assert estimate.open_minutes_left(sessions, datetime(2026, 11, 23, 12, 0)) == 210
    assert estimate.open_minutes_left(sessions, datetime(2026, 11, 23, 17, 5)) == 0
    assert estimate.stretch(2.0, 0, 15.0, 360) == pytest.approx(1 + 30 / 360)
    assert estimate.stretch(2.0, 1, 15.0, 360) == pytest.approx(1 + 15 / 360)
    assert estimate.stretch(2.0, 2, 15.0, 360) == 1.0      # taken both: nothing to come
    assert estimate.stretch(2.0, 0, 15.0, 0) == 1.0        # the day is over
    assert estimate.stretch(3.0, 0, 30.0, 10) == estimate.MAX_STRETCH
