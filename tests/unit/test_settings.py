"""config.toml → Settings (core/settings.py): the demo centre is valid, and every mistake names its key."""

import copy
import re
import tomllib
import unicodedata
from datetime import time
from pathlib import Path

import pytest

from core.settings import ConfigError, load_settings, parse_settings

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"
with open(CONFIG, "rb") as _handle:
    SHIPPED = tomllib.load(_handle)

VIETNAMESE_MARKS = re.compile(r"[À-ỹĐđ]")


def shipped() -> dict:
    """A fresh deep copy of the shipped config.toml as parsed by tomllib, safe to mutate."""
    return copy.deepcopy(SHIPPED)


def entry(data: dict, table: str, key: str, value: str) -> dict:
    """The [[table]] entry whose `key` equals `value` (e.g. the service with code "GCN")."""
    return next(item for item in data[table] if item[key] == value)


def config_error(data: dict) -> str:
    """Parse `data`, expect a ConfigError and return its message."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(data)
    return str(caught.value)


# --- the shipped demo centre ------------------------------------------------------------------

def test_shipped_config_is_a_realistic_centre(settings):
    assert settings.centre.name.startswith("Trung tâm Phục vụ hành chính công")
    assert settings.centre.timezone.key == "Asia/Ho_Chi_Minh"
    assert len(settings.groups) >= 6
    assert len(settings.services) >= 15
    assert len(settings.counters) >= 10
    assert len(settings.priority_groups) >= 3
    assert any(counter.priority for counter in settings.counters.values())


def test_shipped_names_are_vietnamese_with_diacritics_in_nfc(settings):
    names = ([settings.centre.name, settings.centre.address, settings.centre.footer]
             + [g.name for g in settings.groups.values()]
             + [s.name for s in settings.services.values()]
             + [p.name for p in settings.priority_groups.values()]
             + [c.name for c in settings.counters.values()])
    for name in names:
        assert unicodedata.normalize("NFC", name) == name, name
    for name in [g.name for g in settings.groups.values()] + [s.name for s in settings.services.values()]:
        assert VIETNAMESE_MARKS.search(name), f"{name!r} has no Vietnamese letters"
    assert settings.services["KS"].name == "Đăng ký khai sinh"
    assert settings.counters["10"].name == "Quầy ưu tiên"


def test_every_service_has_a_counter_and_a_known_group(settings):
    for code, service in settings.services.items():
        assert settings.counters_serving(code), f"nobody serves {code}"
        assert service.group in settings.groups


def test_shipped_hours_and_policy(settings):
    monday = settings.hours.weekly[1]
    assert monday == ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    assert 7 not in settings.hours.weekly  # Sunday closed
    assert settings.hours.is_open(1, time(9, 0)) and not settings.hours.is_open(1, time(12, 0))
    assert not settings.hours.is_open(1, time(17, 0))  # the end of a session is already closed
    policy = settings.policy
    assert (policy.max_recalls, policy.priority_streak, policy.no_show_return_minutes) == (3, 2, 30)
    assert policy.keep_position_on_transfer is True
    assert policy.default_service_minutes == 8.0


def test_parse_settings_of_the_shipped_dict_equals_load_settings():
    assert parse_settings(shipped()) == load_settings(CONFIG)  # (the settings fixture has quiet kiosks)


def test_optional_keys_take_documented_defaults():
    data = shipped()
    del data["policy"]["max_recalls"], data["centre"]["timezone"]
    birth = entry(data, "services", "code", "KS")
    del birth["width"], birth["prefix"]
    result = parse_settings(data)
    assert result.policy.max_recalls == 3
    assert result.centre.timezone.key == "Asia/Ho_Chi_Minh"
    assert result.services["KS"].format_number(7) == "007"


# --- each kind of mistake stops with the key's path ---------------------------------------

def test_load_settings_names_the_file(tmp_path):
    broken = tmp_path / "config.toml"
    broken.write_text(CONFIG.read_text(encoding="utf-8").replace("max_recalls = 3", "max_recalls = -1"),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml: policy\.max_recalls"):
        load_settings(broken)
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[centre\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(tmp_path / "bad.toml")


@pytest.mark.parametrize("path, expected", [
    (("centre", "name"), r"^centre\.name: missing"),
    (("centre", "address"), r"^centre\.address: missing"),
    (("services", 0, "code"), r"^services\[0\]\.code: missing"),
    (("services", 2, "group"), r"^services\[2\]\.group: missing"),
    (("counters", 3, "name"), r"^counters\[3\]\.name: missing"),
    (("groups", 1, "name_en"), r"^groups\[1\]\.name_en: missing"),
    (("centre",), r"^centre: missing"),
    (("services",), r"^services: missing"),
])
def test_missing_key_is_named(path, expected):
    data = shipped()
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    assert re.search(expected, config_error(data))


@pytest.mark.parametrize("path, value, expected", [
    (("policy", "max_recalls"), "3", r"^policy\.max_recalls: expected an integer"),
    (("policy", "max_recalls"), True, r"^policy\.max_recalls: expected an integer"),
    (("policy", "priority_streak"), 0, r"^policy\.priority_streak: expected an integer between 1 and 100"),
    (("policy", "keep_position_on_transfer"), "yes", r"^policy\.keep_position_on_transfer: expected true or false"),
    (("policy", "default_service_minutes"), 0, r"^policy\.default_service_minutes: expected a number > 0"),
    (("centre", "name"), 42, r"^centre\.name: expected a non-empty string"),
    (("centre", "name"), "  ", r"^centre\.name: expected a non-empty string"),
    (("services", 0, "width"), "3", r"^services\[0\]\.width: expected an integer between 1 and 6"),
    (("services", 0, "daily_cap"), 0, r"^services\[0\]\.daily_cap: expected an integer ≥ 1"),
    (("counters", 0, "id"), 1, r"^counters\[0\]\.id: expected a non-empty string"),
    (("counters", 0, "services"), "KS", r"^counters\[0\]\.services: expected a list of strings"),
    (("counters", 0, "priority"), 1, r"^counters\[0\]\.priority: expected true or false"),
    (("hours", "mon"), "07:30-11:30", r"^hours\.mon: expected a list of strings"),
    (("policy",), [], r"^policy: expected a table"),
    (("kiosks",), {"id": "k"}, r"^kiosks: expected at least one"),
])
def test_wrong_type_is_named(path, value, expected):
    data = shipped()
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert re.search(expected, config_error(data))


@pytest.mark.parametrize("table, key", [
    (("policy",), "max_recall"),            # the typo of max_recalls must not fall back to a default
    (("centre",), "timezone_"),
    (("hours",), "monday"),
    (("services", 4), "firstnumber"),
    (("counters", 9), "priorty"),
    (("kiosks", 0), "printer_profil"),
    ((), "polcy"),
])
def test_unknown_key_or_typo_is_refused(table, key):
    data = shipped()
    parent = data
    for part in table:
        parent = parent[part]
    parent[key] = 1
    prefix = ".".join(f"[{p}]" if isinstance(p, int) else p for p in table).replace(".[", "[")
    expected = f"{prefix}.{key}" if prefix else key
    assert config_error(data) == f"{expected}: unknown key"


def test_unknown_group_of_a_service_is_named():
    data = shipped()
    data["services"][1]["group"] = "ho-tich-typo"
    assert config_error(data) == "services[1].group: unknown group 'ho-tich-typo'"


@pytest.mark.parametrize("table, index, key", [
    ("counters", 0, "services"),
    ("kiosks", 1, "services"),
    ("displays", 0, "services"),
])
def test_unknown_service_reference_is_named(table, index, key):
    data = shipped()
    data[table][index][key] = ["KS", "KHAI-SINH"]
    assert config_error(data).startswith(f"{table}[{index}].{key}: unknown 'KHAI-SINH'")


def test_unknown_counter_reference_is_named():
    data = shipped()
    data["displays"][1]["counters"] = ["3", "11"]
    assert config_error(data).startswith("displays[1].counters: unknown '11'")
    data = shipped()
    data["scanners"][0]["counter"] = "99"
    assert config_error(data) == "scanners[0].counter: unknown counter '99'"


def test_counter_serving_nothing_is_refused():
    data = shipped()
    data["counters"][2]["services"] = []
    assert config_error(data).startswith("counters[2].services: a counter must serve")


@pytest.mark.parametrize("zone", ["Asia/Hanoi_Typo", "Mars/Olympus", "../../etc/passwd", "UTC+7"])
def test_bad_timezone_is_named(zone):
    data = shipped()
    data["centre"]["timezone"] = zone
    assert config_error(data) == f"centre.timezone: unknown time zone {zone!r}"


@pytest.mark.parametrize("session, bad", [
    ("07:30-25:00", "25:00"),
    ("07:60-11:30", "07:60"),
    ("0730-1130", "0730"),
    ("sáng", "sáng"),
])
def test_bad_time_of_day_is_named(session, bad):
    data = shipped()
    data["hours"]["tue"] = [session]
    assert config_error(data) == f"hours.tue: expected HH:MM, got {bad!r}"


@pytest.mark.parametrize("session", ["11:30-07:30", "07:30-07:30", "07:30"])
def test_session_must_start_before_it_ends(session):
    data = shipped()
    data["hours"]["wed"] = [session]
    assert config_error(data).startswith("hours.wed: expected 'HH:MM-HH:MM' with start before end")


def test_session_may_end_at_midnight():
    data = shipped()
    data["hours"]["sun"] = ["20:00-24:00"]
    assert parse_settings(data).hours.is_open(7, time(23, 59))


def test_overlapping_number_ranges_with_a_shared_prefix_are_refused():
    data = shipped()
    entry(data, "services", "code", "CN-DD")["first_number"] = 1500  # GCN prints 1001…1500
    message = config_error(data)
    assert message.startswith("services: 'GCN' and 'CN-DD' share prefix and overlapping numbers")
    data = shipped()
    entry(data, "services", "code", "KH")["prefix"] = "A"  # KS prints A001…A300 too
    assert config_error(data).startswith("services: 'KH' and 'KS' share prefix")


def test_adjacent_number_ranges_with_a_shared_prefix_are_fine():
    data = shipped()
    entry(data, "services", "code", "CN-DD")["first_number"] = 1501
    assert parse_settings(data).services["CN-DD"].format_number(1501) == "1501"


def test_width_too_small_for_the_last_number_is_refused():
    data = shipped()
    entry(data, "services", "code", "GCN")["width"] = 3  # 1001 + 500 - 1 = 1500 needs 4 digits
    assert config_error(data) == ("services.GCN: width 3 is too small for number 1500 "
                                  "(first_number + daily_cap - 1)")
    data = shipped()
    entry(data, "services", "code", "KS")["daily_cap"] = 1000  # A001 … A1000
    assert config_error(data).startswith("services.KS: width 3 is too small for number 1000")


@pytest.mark.parametrize("prefix", ["a", "ABC", "Đ", "1", "A-"])
def test_bad_prefix_is_named(prefix):
    data = shipped()
    data["services"][0]["prefix"] = prefix
    assert config_error(data) == f"services[0].prefix: expected 0–2 capital letters, got {prefix!r}"


@pytest.mark.parametrize("table, key, what", [
    ("services", "code", "service"),
    ("counters", "id", "counter"),
    ("groups", "id", "group"),
    ("priority_groups", "id", "priority group"),
    ("kiosks", "id", "kiosk"),
    ("displays", "id", "display"),
])
def test_duplicated_id_is_refused(table, key, what):
    data = shipped()
    data[table][1][key] = data[table][0][key]
    if table == "services":  # keep the copy's numbers apart so the duplicate itself is what fails
        data[table][1]["prefix"] = "Z"
    assert config_error(data) == f"{table}: {what} {data[table][0][key]!r} is declared twice"


@pytest.mark.parametrize("bad_id", ["", "quầy-1", "a b", "-1", "x" * 33])
def test_ids_must_be_plain_identifiers(bad_id):
    data = shipped()
    data["counters"][0]["id"] = bad_id
    assert re.match(rf"counters\[0\]\.id: ({re.escape(repr(bad_id))} is not a valid identifier|expected a non-empty)",
                    config_error(data))


def test_bad_public_url_printer_profile_and_scanner_suffix_are_named():
    data = shipped()
    data["centre"]["public_url"] = "127.0.0.1:8080"
    assert config_error(data).startswith("centre.public_url: expected http(s)://host[:port]")
    data = shipped()
    data["kiosks"][0]["printer_profile"] = "TM-T20"
    assert config_error(data).startswith("kiosks[0].printer_profile: expected one of")
    data = shipped()
    data["scanners"][0]["suffix"] = "\t"
    assert config_error(data).startswith("scanners[0].suffix: expected")


@pytest.mark.parametrize("reserved", ["counter", "logo", "notice", "audio"])
def test_display_ids_that_clash_with_display_pages_are_refused(reserved):
    data = shipped()
    data["displays"][0]["id"] = reserved
    assert config_error(data) == (f"displays[0].id: {reserved!r} is reserved (used by /display/{reserved}); "
                                  "choose another id")
