"""Reports (issue 12 item 2): a hand-made day, computed by hand here and by the code from the event log."""

from __future__ import annotations

from datetime import date

import pytest

from core import reports
from core.errors import InvalidRequest
from core.report_facts import open_seconds
from tests.unit.queue_helpers import ZONE, local

KIOSK = "kiosk:kiosk-1"
DAY = "2026-11-23"  # a Monday: 07:30–11:30 and 13:30–17:00 in the demo's config.toml


def at(engine, clock, hour, minute, action, *args, **kwargs):
    clock.set(local(23, hour, minute))
    return getattr(engine, action)(*args, **kwargs)


def rate(store, clock, ticket, level, levels=5, counter="1", clerk="lan"):
    """A rating as the ratings team writes it (common shape: event `rated`, actor the rating device)."""
    with store.transaction() as tx:
        tx.append_event(at=clock.now(), actor=f"rating:{counter}", kind="rated", ticket_id=ticket["id"],
                        counter=counter, service=ticket["service"],
                        details={"level": level, "levels": levels, "reasons": [], "counter": counter,
                                 "clerk": clerk, "service": ticket["service"], "channel": "device"})


@pytest.fixture
def hand_made_day(engine, store, clock):
    """Seven tickets of Monday 23 Nov 2026; the comments give each one's figures, in minutes."""
    e, c = engine, clock
    for counter, clerk in (("1", "lan"), ("6", "minh"), ("3", "hoa"), ("4", "tuan")):
        at(e, c, 7, 30, "claim_counter", counter, clerk, actor=f"clerk:{clerk}")
    lan = dict(actor="clerk:lan", counter_id="1")
    # T1 KS: wait 08:00→08:10 = 10, walk 1, service 10; rated 1 of 5 (hài lòng)
    t1 = at(e, c, 8, 0, "issue_ticket", "KS", None, actor=KIOSK)
    at(e, c, 8, 10, "call_next", "1", actor="clerk:lan")
    at(e, c, 8, 11, "start", t1["id"], **lan)
    at(e, c, 8, 21, "finish", t1["id"], **lan)
    rate(store, c, t1, 1)
    # T2 KS: called 08:25, no-show 08:27, back 08:40, called again 08:45: wait 40 (to the LAST call),
    # walk 1, service 16; rated 4 of 5 (not hài lòng)
    t2 = at(e, c, 8, 5, "issue_ticket", "KS", None, actor=KIOSK)
    at(e, c, 8, 25, "call_next", "1", actor="clerk:lan")
    at(e, c, 8, 27, "no_show", t2["id"], **lan)
    at(e, c, 8, 40, "return_ticket", t2["id"], actor="clerk:lan")
    at(e, c, 8, 45, "call_next", "1", actor="clerk:lan")
    at(e, c, 8, 46, "start", t2["id"], **lan)
    at(e, c, 9, 2, "finish", t2["id"], **lan)
    rate(store, c, t2, 4)
    # T4 KH: cancelled while waiting (no wait figure)
    t4 = at(e, c, 9, 0, "issue_ticket", "KH", None, actor=KIOSK)
    at(e, c, 9, 30, "cancel", t4["id"], actor="clerk:lan")
    # T5 GCN, for the elderly: called at counter 3 10:05 (wait 5), started 10:06, transferred to CN-DD 10:16;
    # called at counter 4 10:30 (wait 14) by the counter's own token, where tuan is signed in: wait 19,
    # walk 1, service 10, counted under CN-DD, counter 4, clerk tuan
    t5 = at(e, c, 10, 0, "issue_ticket", "GCN", "elderly", actor=KIOSK)
    at(e, c, 10, 5, "call_specific", "3", t5["id"], actor="clerk:hoa")
    at(e, c, 10, 6, "start", t5["id"], actor="clerk:hoa", counter_id="3")
    at(e, c, 10, 16, "transfer", t5["id"], actor="clerk:hoa", counter_id="3", service="CN-DD", note="thiếu giấy")
    at(e, c, 10, 30, "call_specific", "4", t5["id"], actor="counter:4")
    at(e, c, 10, 31, "start", t5["id"], actor="counter:4", counter_id="4")
    at(e, c, 10, 41, "finish", t5["id"], actor="counter:4", counter_id="4")
    # T3 CT-BS: issued 11:20, called 13:40: the lunch break does not count, wait 10 + 10 = 20; walk 2, service 8
    t3 = at(e, c, 11, 20, "issue_ticket", "CT-BS", None, actor=KIOSK)
    at(e, c, 13, 40, "call_next", "6", actor="clerk:minh")
    at(e, c, 13, 42, "start", t3["id"], actor="clerk:minh", counter_id="6")
    at(e, c, 13, 50, "finish", t3["id"], actor="clerk:minh", counter_id="6")
    # T6 KS: issued 16:50, called 16:58 (wait 8), no-show at 17:05 and never back
    t6 = at(e, c, 16, 50, "issue_ticket", "KS", None, actor=KIOSK)
    at(e, c, 16, 58, "call_next", "1", actor="clerk:lan")
    at(e, c, 17, 5, "no_show", t6["id"], **lan)
    # T7 KS: issued 16:55, never called: expired by the next morning's rollover (no wait figure)
    at(e, c, 16, 55, "issue_ticket", "KS", None, actor=KIOSK)
    clock.set(local(24, 7, 0))
    engine.expire_past_days()
    return store


def report(engine, store, **args):
    filters = reports.parse_filters({"from": DAY, "to": DAY, **args}, engine.settings, date(2026, 11, 24))
    return reports.build_report(store.path, engine.settings, filters)


def test_the_hand_made_day_by_hand_and_by_the_code(engine, hand_made_day):
    r = report(engine, hand_made_day)
    totals = r["totals"]
    assert (totals["issued"], totals["served"], totals["no_show"], totals["cancelled"], totals["expired"],
            totals["transferred"]) == (7, 4, 1, 1, 1, 1)
    wait, walk, service = r["times"]["wait"], r["times"]["walk"], r["times"]["service"]
    assert wait == {"count": 5, "mean": pytest.approx(19.4), "median": 19, "p90": 40, "max": 40}
    assert walk == {"count": 4, "mean": pytest.approx(1.25), "median": 1, "p90": 2, "max": 2}
    assert service == {"count": 4, "mean": pytest.approx(11), "median": 10, "p90": 16, "max": 16}
    # QĐ 468: 19.4 > 15 minutes; called within 15: T1 (10) and T6 (8) of 5 called
    assert r["qd468"] == {"target_minutes": 15, "mean_wait": pytest.approx(19.4), "within": 2, "called": 5,
                          "within_share": pytest.approx(0.4), "met": False}
    assert [(d["key"], d["issued"], d["within_share"]) for d in r["days"]] == [(DAY, 7, pytest.approx(0.4))]
    by_service = {row["key"]: row for row in r["services"]}
    assert set(by_service) == {"KS", "KH", "CN-DD", "CT-BS"}  # T5 counts where it was served
    assert (by_service["KS"]["issued"], by_service["KS"]["served"]) == (4, 2)
    assert by_service["KS"]["mean_wait"] == pytest.approx(58 / 3)
    assert by_service["KS"]["within_share"] == pytest.approx(2 / 3)
    assert by_service["CN-DD"]["mean_wait"] == pytest.approx(19)
    assert by_service["CT-BS"]["mean_wait"] == pytest.approx(20)
    assert by_service["KH"]["mean_wait"] is None and by_service["KH"]["cancelled"] == 1
    assert {row["key"]: row["issued"] for row in r["groups"]} == {"ho-tich": 5, "dat-dai": 1, "tu-phap": 1}
    # per hour of issue: arrivals and mean wait
    assert [(h["key"], h["issued"], h["mean_wait"]) for h in r["hours"]] == [
        (8, 2, pytest.approx(25)), (9, 1, None), (10, 1, pytest.approx(19)), (11, 1, pytest.approx(20)),
        (16, 2, pytest.approx(8))]
    assert r["heatmap"]["weekdays"] == [1] and r["heatmap"]["cells"]["1-8"]["issued"] == 2
    counters = {row["key"]: (row["served"], row["mean_service"]) for row in r["counters"]}
    assert counters == {"1": (2, pytest.approx(13)), "4": (1, pytest.approx(10)), "6": (1, pytest.approx(8))}
    clerks = {row["key"]: (row["served"], row["rated"], row["satisfied_share"]) for row in r["clerks"]}
    assert clerks == {"lan": (2, 2, pytest.approx(0.5)), "tuan": (1, 0, None), "minh": (1, 0, None)}
    satisfaction = r["satisfaction"]
    assert (satisfaction["rated"], satisfaction["satisfied"]) == (2, 1)
    assert [(lv["level"], lv["name"], lv["count"]) for lv in satisfaction["levels"]] == [
        (1, "Rất hài lòng", 1), (4, "Không hài lòng", 1)]
    assert [(m["key"], m["satisfied_share"]) for m in r["months"]] == [("2026-11", pytest.approx(0.5))]


def test_filters_narrow_every_figure(engine, hand_made_day):
    assert report(engine, hand_made_day, group="dat-dai")["totals"]["issued"] == 1
    assert report(engine, hand_made_day, priority="elderly")["qd468"]["mean_wait"] == pytest.approx(19)
    assert report(engine, hand_made_day, priority="none")["totals"]["issued"] == 6
    assert report(engine, hand_made_day, clerk="lan")["totals"]["served"] == 2
    assert report(engine, hand_made_day, counter="6")["times"]["wait"]["max"] == 20
    assert report(engine, hand_made_day, channel="kiosk")["totals"]["issued"] == 7
    assert report(engine, hand_made_day, channel="staff")["totals"]["issued"] == 0


def test_new_events_reach_the_report_at_once(engine, store, clock, hand_made_day):
    """The summary catches up with the log at every report: a rating given after a report is in the next."""
    before = report(engine, store)
    t3 = engine.get_ticket(reports_ticket_id(store, "CT-BS"), with_history=False)
    rate(store, clock, t3, 2, counter="6", clerk="minh")
    after = report(engine, store)
    assert (before["satisfaction"]["rated"], after["satisfaction"]["rated"]) == (2, 3)
    assert {row["key"]: row["satisfied"] for row in after["clerks"]}["minh"] == 1


def reports_ticket_id(store, service):
    with store.read() as tx:
        return next(e["ticket_id"] for e in tx.events(kinds=("issued",)) if e["service"] == service)


def test_lunch_and_nights_are_not_waiting_time(settings):
    hours, zone = settings.hours, settings.centre.timezone
    assert open_seconds(local(23, 11, 20), local(23, 13, 40), hours, zone) == 20 * 60
    assert open_seconds(local(23, 11, 40), local(23, 13, 20), hours, zone) == 0      # all of it at lunch
    assert open_seconds(local(23, 16, 50), local(24, 7, 40), hours, zone) == 20 * 60  # overnight
    assert open_seconds(local(28, 11, 0), local(30, 8, 0), hours, zone) == 60 * 60    # Sat morning, Sun closed


@pytest.mark.parametrize("args, code", [
    ({"from": "2026-11-30", "to": "2026-11-01"}, "dates_reversed"),
    ({"from": "2006-01-01", "to": "2026-01-01"}, "range_too_long"),
    ({"from": "30/11/2026"}, "invalid_date"),
    ({"colour": "red"}, "unknown_filter"),
    ({"service": "XX"}, "unknown_service"),
    ({"group": "nope"}, "unknown_group"),
    ({"counter": "99"}, "unknown_counter"),
    ({"priority": "vip"}, "unknown_priority"),
    ({"channel": "Bad Channel"}, "invalid_channel"),
])
def test_bad_parameters_are_refused_in_vietnamese(settings, args, code):
    with pytest.raises(InvalidRequest) as refused:
        reports.parse_filters(args, settings, date(2026, 11, 30))
    assert refused.value.code == code and refused.value.status == 400
    assert any(letter in refused.value.message for letter in "ạảãàáâậầấẩẫăắằặẳẵóòọõỏôộổỗồốơờớợởỡéèẻẹẽêếềệểễúùụủũưựữửừứíìịỉĩýỳỷỵỹđ")


def test_default_range_is_this_month(settings):
    filters = reports.parse_filters({}, settings, date(2026, 11, 30))
    assert (filters["day_from"], filters["day_to"]) == ("2026-11-01", "2026-11-30")
    assert ZONE.key == "Asia/Ho_Chi_Minh"
