"""config.toml's [kiosk] table and kiosks' printer URLs: defaults, and every mistake named by its key."""

from __future__ import annotations

import copy
import tomllib

import pytest

from core.settings import ConfigError, KioskOptions, parse_settings
from tests.conftest import CONFIG

SHIPPED = tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def parsed(change) -> object:
    data = copy.deepcopy(SHIPPED)
    change(data)
    return parse_settings(data)


def error_of(change) -> str:
    with pytest.raises(ConfigError) as caught:
        parsed(change)
    return str(caught.value)


def test_shipped_kiosk_options_and_defaults():
    assert parse_settings(copy.deepcopy(SHIPPED)).kiosk == KioskOptions(
        idle_seconds=30, rate_limit_tickets=3, rate_limit_seconds=10, printer_status_seconds=30, fake_printer_dir="")
    assert parsed(lambda data: data.pop("kiosk")).kiosk == KioskOptions()


@pytest.mark.parametrize("key, value, expected", [
    ("idle_seconds", 1, "kiosk.idle_seconds: expected an integer between 2 and 3600, got 1"),
    ("idle_seconds", "30", "kiosk.idle_seconds: expected an integer between 2 and 3600, got '30'"),
    ("rate_limit_tickets", -1, "kiosk.rate_limit_tickets: expected an integer between 0 and 10000, got -1"),
    ("rate_limit_seconds", 0, "kiosk.rate_limit_seconds: expected an integer between 1 and 3600, got 0"),
    ("printer_status_seconds", True, "kiosk.printer_status_seconds: expected an integer between 1 and 3600"),
    ("fake_printer_dir", 5, "kiosk.fake_printer_dir: expected a non-empty string, got 5"),
    ("idle", 30, "kiosk.idle: unknown key"),
])
def test_a_wrong_kiosk_option_is_named(key, value, expected):
    assert error_of(lambda data: data["kiosk"].__setitem__(key, value)).startswith(expected)


@pytest.mark.parametrize("printer", ["fake", "none", "tcp://192.168.1.50:9100", "usb://04b8:0202",
                                     "serial:///dev/serial/by-id/usb-printer?baudrate=115200",
                                     "file:///dev/usb/lp0"])
def test_printer_urls_of_every_kind_are_accepted(printer):
    assert parsed(lambda data: data["kiosks"][0].__setitem__("printer", printer)).kiosks["kiosk-1"].printer == printer


@pytest.mark.parametrize("printer", ["192.168.1.50", "lpt1", "http://printer", ""])
def test_a_printer_that_is_no_url_is_named(printer):
    assert error_of(lambda data: data["kiosks"][1].__setitem__("printer", printer)).startswith("kiosks[1].printer: ")
