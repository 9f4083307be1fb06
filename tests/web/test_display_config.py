"""[voice] and [display] in config.toml: defaults, and a wrong value stops the server naming the key."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

import pytest

from core.settings import ConfigError, DisplayOptions, Voice, parse_settings

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


def config_with(**sections) -> dict:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    data.pop("voice", None)
    data.pop("display", None)
    data.update(sections)
    return data


def test_both_sections_are_optional_with_documented_defaults():
    settings = parse_settings(config_with())
    assert settings.voice == Voice()
    assert settings.voice.template == "Mời công dân có số thứ tự {number} đến quầy số {counter}."
    assert (settings.voice.enabled, settings.voice.mode, settings.voice.repeat) == (True, "natural", 1)
    assert settings.voice.burst_threshold == 1   # two calls waiting to be said: the short form
    assert settings.display == DisplayOptions()
    assert (settings.display.recent_calls, settings.display.highlight_seconds) == (6, 10)


def test_the_shipped_config_parses(settings):
    assert settings.display.counter_screens is True
    assert settings.voice.quiet_hours == ()


def test_every_key_is_read(tmp_path):
    (tmp_path / "clips").mkdir()
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    settings = parse_settings(config_with(
        voice={"enabled": False, "mode": "digits", "template": "Xin mời số {number} vào cửa số {counter}",
               "voice": "vi-vn-x-south", "speed": 130, "volume": 1.5, "repeat": 2,
               "clips_dir": str(tmp_path / "clips"), "cache_dir": str(tmp_path / "cache"),
               "quiet_hours": ["12:00-13:00", "11:30-11:45"], "browser_voice": True,
               "burst_threshold": 3},
        display={"recent_calls": 8, "highlight_seconds": 20, "logo": str(logo), "waiting_by": "service",
                 "counter_screens": False}))
    assert settings.voice.quiet_hours == ((time(11, 30), time(11, 45)), (time(12), time(13)))
    assert settings.voice.is_quiet(time(12, 30)) and not settings.voice.is_quiet(time(13, 0))
    assert (settings.voice.mode, settings.voice.repeat, settings.voice.volume) == ("digits", 2, 1.5)
    assert settings.voice.burst_threshold == 3
    assert (settings.display.recent_calls, settings.display.waiting_by) == (8, "service")


@pytest.mark.parametrize("section, values, message", [
    ("voice", {"mode": "spelled"}, "voice.mode: expected one of natural, digits"),
    ("voice", {"template": "Mời đến quầy {counter}"}, "voice.template: the announcement template must contain"),
    ("voice", {"repeat": 3}, "voice.repeat: expected an integer between 1 and 2"),
    ("voice", {"volume": 0}, "voice.volume: expected a number > 0"),
    ("voice", {"volume": 3.0}, "voice.volume: expected a factor from 0.1 to 2.0"),
    ("voice", {"volume": 0.05}, "voice.volume: expected a factor from 0.1 to 2.0"),
    ("voice", {"speed": 20}, "voice.speed: expected an integer between 80 and 450"),
    ("voice", {"voice": "vi; rm -rf"}, "voice.voice: expected an espeak-ng voice name"),
    ("voice", {"quiet_hours": ["13:00-12:00"]}, "voice.quiet_hours: expected 'HH:MM-HH:MM' with start before end"),
    ("voice", {"quiet_hours": ["noon"]}, "voice.quiet_hours: expected HH:MM"),
    ("voice", {"clips_dir": "/no/such/folder"}, "voice.clips_dir: '/no/such/folder' is not a directory"),
    ("voice", {"enabled": "yes"}, "voice.enabled: expected true or false"),
    ("voice", {"volumn": 1}, "voice.volumn: unknown key"),
    ("voice", {"burst_threshold": -1}, "voice.burst_threshold: expected an integer between 0 and 20"),
    ("voice", {"burst_threshold": "2"}, "voice.burst_threshold: expected an integer"),
    ("display", {"recent_calls": 0}, "display.recent_calls: expected an integer between 1 and 20"),
    ("display", {"highlight_seconds": "10"}, "display.highlight_seconds: expected an integer"),
    ("display", {"waiting_by": "counter"}, "display.waiting_by: expected one of group, service"),
    ("display", {"logo": "logo.gif"}, "display.logo: expected a .svg, .png, .jpg, .jpeg, .webp file"),
    ("display", {"logo": "/no/such/logo.svg"}, "display.logo: file '/no/such/logo.svg' not found"),
    ("display", {"counter_screen": True}, "display.counter_screen: unknown key"),
])
def test_a_wrong_value_names_its_key(section, values, message):
    with pytest.raises(ConfigError) as error:
        parse_settings(config_with(**{section: values}))
    assert message in str(error.value)
