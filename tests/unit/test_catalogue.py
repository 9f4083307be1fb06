"""The console's overlay on config.toml (issue 11 items 2–3): merge, field checks, one transaction + one
event per change, the engine running on the new settings at once, and the holiday on a moved clock."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from core.catalogue import Catalogue, FieldErrors
from core.engine import QueueEngine
from core.errors import Conflict
from core.outlook import service_outlook
from tests.conftest import ZONE

ADMIN = "admin:admin"
NEW_SERVICE = {"code": "CC", "name": "Chứng thực bản sao", "name_en": "Certified copies", "group": "ho-tich",
               "prefix": "Q", "width": 3, "first_number": 1, "daily_cap": 50}


@pytest.fixture
def catalogue(engine, settings):
    catalogue = Catalogue(engine, settings)
    catalogue.load()
    return catalogue


def events_of(store, kind):
    with store.read() as tx:
        return [dict(row) for row in tx.connection.execute("SELECT * FROM events WHERE kind = ?", (kind,))]


def rows(store):
    with store.read() as tx:
        return tx.connection.execute("SELECT count(*) FROM catalogue_entries").fetchone()[0]


def test_a_new_service_is_issued_at_once_and_logged_once(catalogue, engine, store):
    catalogue.add_service(ADMIN, NEW_SERVICE)
    assert engine.settings.services["CC"].name == "Chứng thực bản sao"
    ticket = engine.issue_ticket("CC", None, actor="kiosk:kiosk-1")
    assert ticket["number"] == "Q001"
    [event] = events_of(store, "admin_service_added")
    assert event["actor"] == ADMIN and event["service"] == "CC"


def test_moving_a_service_to_another_counter_takes_effect_on_the_next_call(catalogue, engine):
    ticket = engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    assert engine.call_next("3", actor="counter:3") is None  # counter 3 serves land, not KS
    catalogue.edit_counter(ADMIN, "3", {"name": "Quầy số 3", "services": ["GCN", "KS"], "priority": False})
    assert engine.call_next("3", actor="counter:3")["id"] == ticket["id"]


@pytest.mark.parametrize("change, field, words", [
    ({"prefix": "A"}, "prefix", "trùng dải số"),                  # A001–A300 belongs to Đăng ký khai sinh
    ({"daily_cap": 0}, "daily_cap", "từ 1"),
    ({"name": "x" * 500}, "name", "tối đa 200"),
    ({"name": "  "}, "name", "không được để trống"),
    ({"width": 1, "daily_cap": 50}, "width", "không đủ"),
    ({"group": "khong-co"}, "group", "không tồn tại"),
    ({"prefix": "a1"}, "prefix", "chữ in hoa"),
    ({"code": "KS"}, "code", "đã có"),
])
def test_a_refused_service_changes_nothing(catalogue, engine, store, change, field, words):
    before = engine.settings
    with pytest.raises(FieldErrors) as refused:
        catalogue.add_service(ADMIN, {**NEW_SERVICE, **change})
    assert words in refused.value.fields[field]
    assert engine.settings is before and rows(store) == 0 and events_of(store, "admin_service_added") == []


def test_html_in_a_name_is_kept_as_text(catalogue, engine):
    catalogue.edit_service(ADMIN, "KS", {**{k: v for k, v in NEW_SERVICE.items() if k != "code"},
                                         "prefix": "A", "name": "<b>Khai sinh</b>"})
    assert engine.settings.services["KS"].name == "<b>Khai sinh</b>"


def test_a_service_closed_for_today_is_greyed_out_with_its_reason_and_refused(catalogue, engine):
    catalogue.close_service_today(ADMIN, "KH", {"reason": "Mất điện phòng lưu trữ"})
    outlook = service_outlook(engine, ["KH", "KS"])
    assert outlook["KH"]["reason"] == "service_closed" and outlook["KH"]["reason_note"] == "Mất điện phòng lưu trữ"
    assert outlook["KS"]["available"]
    with pytest.raises(Conflict) as refused:
        engine.issue_ticket("KH", None, actor="kiosk:kiosk-1")
    assert refused.value.code == "service_closed"
    catalogue.open_service_today(ADMIN, "KH")
    assert engine.issue_ticket("KH", None, actor="kiosk:kiosk-1")["number"] == "B001"


def test_a_retired_service_takes_no_ticket_but_its_open_ones_finish(catalogue, engine):
    ticket = engine.issue_ticket("KT", None, actor="kiosk:kiosk-1")
    catalogue.retire_service(ADMIN, "KT")
    with pytest.raises(Conflict) as refused:
        engine.issue_ticket("KT", None, actor="kiosk:kiosk-1")
    assert refused.value.code == "service_retired"
    assert engine.snapshot()["waiting"]  # still listed
    called = engine.call_next("1", actor="counter:1")
    assert called["id"] == ticket["id"] and called["service_name"] == "Đăng ký khai tử"
    engine.start(called["id"], actor="counter:1", counter_id="1")
    assert engine.finish(called["id"], actor="counter:1", counter_id="1")["status"] == "done"
    assert catalogue.open_tickets().get("KT") is None


def test_a_holiday_refuses_tickets_that_day_only(catalogue, engine, clock):
    catalogue.add_exception(ADMIN, {"day": "2026-12-02", "kind": "holiday", "note": "Nghỉ bù Quốc khánh"})
    engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")  # Monday 23 Nov: open
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=ZONE))
    with pytest.raises(Conflict) as refused:
        engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    assert refused.value.code == "holiday" and "Nghỉ bù Quốc khánh" in refused.value.message
    assert service_outlook(engine, ["KS"])["KS"]["reason"] == "holiday"
    clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=ZONE))
    engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")


def test_a_workday_saturday_and_closing_early_follow_their_own_sessions(engine, settings, store, clock):
    enforced = dataclasses.replace(settings, hours=dataclasses.replace(settings.hours, enforce=True))
    catalogue = Catalogue(QueueEngine(enforced, store, clock), enforced)
    catalogue.load()
    engine = catalogue.engine
    catalogue.add_exception(ADMIN, {"day": "2026-11-29", "kind": "workday", "sessions": ["07:30-11:30", "13:30-17:00"],
                                    "note": "Làm bù"})  # a Sunday
    catalogue.add_exception(ADMIN, {"day": "2026-11-24", "kind": "short", "sessions": ["07:30-10:00"]})
    clock.set(datetime(2026, 11, 29, 14, 0, tzinfo=ZONE))
    engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    clock.set(datetime(2026, 11, 24, 10, 30, tzinfo=ZONE))
    with pytest.raises(Conflict) as refused:
        engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    assert refused.value.code == "closed"


@pytest.mark.parametrize("data, field, words", [
    ({"day": "2026-11-20", "kind": "holiday", "note": "Đã qua"}, "day", "đã qua"),
    ({"day": "20/11/2026", "kind": "holiday", "note": "x"}, "day", "YYYY-MM-DD"),
    ({"day": "2026-12-01", "kind": "holiday", "note": ""}, "note", "không được để trống"),
    ({"day": "2026-12-01", "kind": "short", "sessions": ["07:30-11:30", "11:00-12:00"]}, "sessions", "chồng lên nhau"),
    ({"day": "2026-12-01", "kind": "workday", "sessions": []}, "sessions", "ít nhất một ca"),
    ({"day": "2026-12-01", "kind": "nghi"}, "kind", "Loại ngày"),
])
def test_refused_day_exceptions(catalogue, store, data, field, words):
    with pytest.raises(FieldErrors) as refused:
        catalogue.add_exception(ADMIN, data)
    assert words in refused.value.fields[field] and rows(store) == 0


def test_weekly_sessions_may_not_overlap(catalogue, engine):
    with pytest.raises(FieldErrors) as refused:
        catalogue.set_weekly_hours(ADMIN, {"mon": ["07:30-11:30", "11:00-17:00"]})
    assert "chồng lên nhau" in refused.value.fields["mon"]
    catalogue.set_weekly_hours(ADMIN, {"mon": ["13:30-17:00", "07:00-11:00"], "sat": []})
    assert 6 not in engine.settings.hours.weekly and len(engine.settings.hours.weekly[1]) == 2


def test_policy_values_are_checked_and_used(catalogue, engine):
    good = {"max_recalls": 1, "priority_streak": 3, "no_show_return_minutes": 10, "default_service_minutes": 6.5,
            "wait_target_minutes": 20, "long_service_minutes": 30}
    with pytest.raises(FieldErrors) as refused:
        catalogue.set_policy(ADMIN, {**good, "priority_streak": 0, "max_recalls": "ba"})
    assert set(refused.value.fields) == {"priority_streak", "max_recalls"}
    catalogue.set_policy(ADMIN, good)
    assert engine.settings.policy.max_recalls == 1 and engine.settings.policy.wait_target_minutes == 20
    engine.issue_ticket("KS", None, actor="kiosk:kiosk-1")
    called = engine.call_next("1", actor="counter:1")
    engine.recall(called["id"], actor="counter:1", counter_id="1")
    with pytest.raises(Conflict) as refused:
        engine.recall(called["id"], actor="counter:1", counter_id="1")
    assert refused.value.code == "recall_limit"


def test_another_process_sees_the_edit_when_data_version_moves(catalogue, settings, store, tmp_path, clock):
    from store import Store
    other_store = Store(store.path)
    other = Catalogue(QueueEngine(settings, other_store, clock), settings)
    other.load()
    assert other.refresh() is False
    catalogue.edit_group(ADMIN, "ho-tich", {"name": "Hộ tịch – Quốc tịch", "name_en": "Civil status"})
    assert other.refresh() is True
    assert other.engine.settings.groups["ho-tich"].name == "Hộ tịch – Quốc tịch"
    other_store.close()


def test_the_file_dropping_an_edited_service_keeps_the_overlay_and_counters_consistent(catalogue, settings, store,
                                                                                        clock):
    catalogue.edit_counter(ADMIN, "1", {"name": "Quầy 1 (hộ tịch)", "services": ["KS", "KT"], "priority": False})
    smaller = dataclasses.replace(settings, services={k: v for k, v in settings.services.items() if k != "KT"})
    restarted = Catalogue(QueueEngine(smaller, store, clock), smaller)
    restarted.load()
    assert restarted.engine.settings.counters["1"].services == ("KS",)
    restarted.engine.snapshot()
