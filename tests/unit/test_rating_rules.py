"""Satisfaction ratings (issue 12 item 1): what may be rated, once, by whom; and nothing written when refused."""

from __future__ import annotations

import dataclasses

import pytest

from core.config_reader import ConfigError, Table
from core.errors import Conflict, InvalidRequest, NotAllowed
from core.rating import RATED, Ratings, device_window
from core.rating_settings import THREE_LEVELS, parse_raters, parse_rating
from tests.unit.queue_helpers import CLERK, issue


def finished(engine, clock, counter="1"):
    ticket = issue(engine, clock, "KS", gap_minutes=0)
    engine.call_specific(counter, ticket["id"], actor=CLERK)
    engine.start(ticket["id"], actor=CLERK, counter_id=counter)
    engine.finish(ticket["id"], actor=CLERK, counter_id=counter)
    return ticket


def event_count(store) -> int:
    with store.read() as tx:
        return tx.last_seq()


def rated_events(store) -> list[dict]:
    with store.read() as tx:
        return tx.events(kinds=(RATED,))


def test_a_counter_rating_is_one_event_in_the_shape_reports_read(engine, clock, store):
    ticket = finished(engine, clock)
    ratings = Ratings(engine)
    assert ratings.pending("1")["ticket_id"] == ticket["id"]
    clock.advance(seconds=5)
    ratings.rate_at_counter("1", ticket["id"], 4, ["thai_do", "huong_dan"], actor="rating:1")
    [event] = rated_events(store)
    assert event["ticket_id"] == ticket["id"] and event["actor"] == "rating:1" and event["counter"] == "1"
    assert event["details"] == {"level": 4, "levels": 5, "reasons": ["thai_do", "huong_dan"], "counter": "1",
                                "clerk": "lan", "service": "KS", "channel": "device"}
    assert ratings.pending("1") is None  # rated: the screen goes back to idle


def test_the_phone_rates_once_and_the_counter_cannot_rate_again(engine, clock, store):
    ticket = finished(engine, clock)
    ratings = Ratings(engine)
    token = engine.get_ticket(ticket["id"])["status_url"].rsplit("/", 1)[1]
    assert ratings.phone_state(token) == {"rated": False, "open": True}
    ratings.rate_by_phone(token, 1)
    assert ratings.phone_state(token) == {"rated": True, "open": False}
    before = event_count(store)
    with pytest.raises(Conflict) as refused:
        ratings.rate_at_counter("1", ticket["id"], 2, actor="rating:1")
    assert refused.value.code == "already_rated"
    with pytest.raises(Conflict):
        ratings.rate_by_phone(token, 2)
    assert event_count(store) == before
    assert rated_events(store)[0]["details"]["channel"] == "phone"
    with store.read() as tx:
        assert tx.connection.execute("SELECT count(*) FROM ratings").fetchone()[0] == 1


def test_refusals_write_nothing(engine, clock, store):
    ratings = Ratings(engine)
    waiting = issue(engine, clock, "KS", gap_minutes=0)
    done = finished(engine, clock)
    before = event_count(store)
    cases = [
        (lambda: ratings.rate_at_counter("1", waiting["id"], 1, actor="rating:1"), Conflict, "not_done"),
        (lambda: ratings.rate_at_counter("2", done["id"], 1, actor="rating:2"), NotAllowed, "wrong_counter"),
        (lambda: ratings.rate_at_counter("1", done["id"], 6, actor="rating:1"), InvalidRequest, "level_out_of_range"),
        (lambda: ratings.rate_at_counter("1", done["id"], 0, actor="rating:1"), InvalidRequest, "level_out_of_range"),
        (lambda: ratings.rate_at_counter("1", done["id"], True, actor="rating:1"), InvalidRequest,
         "level_out_of_range"),
        (lambda: ratings.rate_at_counter("1", done["id"], 1, ["thai_do"], actor="rating:1"), InvalidRequest,
         "reasons_not_asked"),
        (lambda: ratings.rate_at_counter("1", done["id"], 5, ["no_such"], actor="rating:1"), InvalidRequest,
         "unknown_reason"),
        (lambda: ratings.rate_at_counter("1", done["id"], 5, ["thai_do", "thai_do"], actor="rating:1"),
         InvalidRequest, "unknown_reason"),
    ]
    for act, error, code in cases:
        with pytest.raises(error) as refused:
            act()
        assert refused.value.code == code, code
    assert event_count(store) == before


def test_a_ticket_that_is_not_done_cannot_be_rated(engine, clock, store):
    ticket = issue(engine, clock, "KS", gap_minutes=0)
    engine.call_specific("1", ticket["id"], actor=CLERK)
    engine.start(ticket["id"], actor=CLERK, counter_id="1")
    token = engine.get_ticket(ticket["id"])["status_url"].rsplit("/", 1)[1]
    before = event_count(store)
    for act in (lambda: Ratings(engine).rate_at_counter("1", ticket["id"], 1, actor="rating:1"),
                lambda: Ratings(engine).rate_by_phone(token, 1)):
        with pytest.raises(Conflict) as refused:
            act()
        assert refused.value.code == "not_done"
    assert event_count(store) == before and Ratings(engine).phone_state(token)["open"] is False


def test_the_counter_device_rates_only_the_citizen_just_served_and_only_for_a_while(engine, clock):
    ratings = Ratings(engine)
    first = finished(engine, clock)
    second = finished(engine, clock)
    with pytest.raises(Conflict) as refused:  # the first citizen has left: the next one was served since
        ratings.rate_at_counter("1", first["id"], 1, actor="rating:1")
    assert refused.value.code == "rating_closed"
    clock.advance(seconds=engine.settings.rating.seconds + 1)
    assert ratings.pending("1") is None  # the question is off the screen…
    ratings.rate_at_counter("1", second["id"], 4, ["thoi_gian"], actor="rating:1")  # …the reasons step is not
    third = finished(engine, clock)
    clock.advance(seconds=device_window(engine.settings.rating.seconds).total_seconds() + 1)
    with pytest.raises(Conflict):
        ratings.rate_at_counter("1", third["id"], 1, actor="rating:1")
    token = engine.get_ticket(third["id"])["status_url"].rsplit("/", 1)[1]
    ratings.rate_by_phone(token, 2)  # the phone may still, the same day


def test_the_phone_rates_only_on_the_ticket_s_day(engine, clock):
    ticket = finished(engine, clock)
    token = engine.get_ticket(ticket["id"])["status_url"].rsplit("/", 1)[1]
    clock.advance(hours=16)  # past midnight
    with pytest.raises(Conflict) as refused:
        Ratings(engine).rate_by_phone(token, 1)
    assert refused.value.code == "rating_closed"


def test_a_keypad_press_rates_what_the_screen_asks(engine, clock, store):
    ratings = Ratings(engine)
    with pytest.raises(Conflict) as refused:
        ratings.rate_pending("1", 1, actor="rater:1")
    assert refused.value.code == "nothing_to_rate"
    ticket = finished(engine, clock)
    ratings.rate_pending("1", 3, actor="rater:1")
    assert rated_events(store)[0]["ticket_id"] == ticket["id"]
    with pytest.raises(Conflict):  # a bounce, a second press
        ratings.rate_pending("1", 3, actor="rater:1")


def test_the_ticket_history_never_shows_its_rating(engine, clock):
    ticket = finished(engine, clock)
    Ratings(engine).rate_pending("1", 5, actor="rater:1")
    assert [e["kind"] for e in engine.get_ticket(ticket["id"])["history"]][-1] == "finished"


def test_the_three_level_preset_and_custom_labels():
    three = parse_rating(Table({"levels": 3}, "rating"))
    assert three.labels == THREE_LEVELS and three.satisfied_levels == 1 and three.reasons_from_level == 3
    four = parse_rating(Table({"levels": 4, "labels": ["A", "B", "C", "D"]}, "rating"))
    assert four.labels_en == ("A", "B", "C", "D")
    with pytest.raises(ConfigError, match="rating.labels"):
        parse_rating(Table({"levels": 4}, "rating"))  # no shipped wording for four levels
    with pytest.raises(ConfigError, match="rating.levels"):
        parse_rating(Table({"levels": 6}, "rating"))
    with pytest.raises(ConfigError, match="reasons_from_level"):
        parse_rating(Table({"reasons_from_level": 2}, "rating"))  # "Hài lòng" must not ask why


def test_a_keypad_needs_a_button_for_every_level(settings):
    five = parse_rating(Table({}, "rating"))
    with pytest.raises(ConfigError, match="buttons"):
        parse_raters([Table({"counter": "1", "url": "loop://", "buttons": 4}, "raters[0]")], settings.counters, five)
    with pytest.raises(ConfigError, match="unknown counter"):
        parse_raters([Table({"counter": "99", "url": "loop://"}, "raters[0]")], settings.counters, five)
    three = dataclasses.replace(five, levels=3)
    [rater] = parse_raters([Table({"counter": "1", "url": "loop://", "buttons": 4}, "raters[0]")],
                           settings.counters, three)
    assert rater.buttons == 4
