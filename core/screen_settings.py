"""Settings of the screens: [kiosk] (issue 3), [display] and [voice] (issue 5). Every key is optional."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from .config_reader import ConfigError, Table, parse_sessions
from .speech import DEFAULT_TEMPLATE, announcement_text

# --- kiosk screens and their printers (issue 3) --------------------------------------------------
PRINTER_URL = re.compile(r"^(fake|none|(tcp|serial|usb|file)://.+)$")


@dataclass(frozen=True)
class KioskOptions:
    """[kiosk]: options shared by every kiosk ([[kiosks]] lists the kiosks themselves)."""
    idle_seconds: int = 30                # back to the first screen after this long without a touch
    rate_limit_tickets: int = 3           # at most this many tickets per kiosk … (0 = no limit)
    rate_limit_seconds: int = 10          # … within this many seconds: a stuck finger gets a polite 429
    printer_status_seconds: int = 30      # an idle printer is asked for its status this often
    fake_printer_dir: str = ""            # where `printer = "fake"` saves PNGs; "" = printed/ next to the database


# --- lobby displays and their voice (issue 5) ---------------------------------------------------
VOICE_MODES = ("natural", "digits")
WAITING_BY = ("group", "service")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".webp": "image/webp"}


@dataclass(frozen=True)
class Voice:
    """[voice]: what a lobby display says on each call. Quiet hours keep the chime and drop the sentence."""
    enabled: bool = True
    mode: str = "natural"                 # numbers read naturally ("một nghìn…") or digit by digit
    template: str = DEFAULT_TEMPLATE      # "Mời công dân có số thứ tự {number} đến quầy số {counter}."
    voice: str = "vi"                     # espeak-ng voice
    speed: int = 150                      # espeak-ng words per minute
    volume: float = 1.0                   # factor applied to chime and sentence samples
    repeat: int = 1                       # the sentence is said once or twice after the chime
    clips_dir: str = ""                   # recorded clips (core/speech.py names them); "" = espeak-ng only
    cache_dir: str = ""                   # "" = voice-cache/ next to the database
    quiet_hours: tuple[tuple[time, time], ...] = ()
    browser_voice: bool = False           # prefer the display browser's own vi-VN voice when it has one
    burst_threshold: int = 1              # more calls than this waiting to be said: the short sentence, once

    def is_quiet(self, local_time: time) -> bool:
        """True inside one of the quiet sessions (local time of the centre)."""
        return any(start <= local_time < end for start, end in self.quiet_hours)


@dataclass(frozen=True)
class DisplayOptions:
    """[display]: options shared by every lobby display ([[displays]] lists the screens themselves)."""
    recent_calls: int = 6                 # how many past calls the side list keeps
    highlight_seconds: int = 10           # how long the newest call stays highlighted
    logo: str = ""                        # image file shown next to the centre's name; "" = shipped logo
    waiting_by: str = "group"             # waiting counts per lĩnh vực (group) or per thủ tục (service)
    counter_screens: bool = False         # serve /display/counter/<id> for the screen above each counter


def parse_kiosk(t: Table) -> KioskOptions:
    """[kiosk]; every key optional."""
    default = KioskOptions()
    options = KioskOptions(
        idle_seconds=t.integer("idle_seconds", default.idle_seconds, minimum=2, maximum=3600),
        rate_limit_tickets=t.integer("rate_limit_tickets", default.rate_limit_tickets, maximum=10_000),
        rate_limit_seconds=t.integer("rate_limit_seconds", default.rate_limit_seconds, minimum=1, maximum=3600),
        printer_status_seconds=t.integer("printer_status_seconds", default.printer_status_seconds, minimum=1,
                                         maximum=3600),
        fake_printer_dir=t.text("fake_printer_dir", "", allow_empty=True))
    t.finish()
    return options


def parse_voice(t: Table) -> Voice:
    """[voice]; every key optional. Paths are relative to the directory the server starts in."""
    default = Voice()
    voice = Voice(enabled=t.boolean("enabled", default.enabled),
                  mode=t.text("mode", default.mode), template=t.text("template", default.template),
                  voice=t.text("voice", default.voice),
                  speed=t.integer("speed", default.speed, minimum=80, maximum=450),
                  volume=t.number("volume", default.volume), repeat=t.integer("repeat", 1, minimum=1, maximum=2),
                  clips_dir=t.text("clips_dir", "", allow_empty=True),
                  cache_dir=t.text("cache_dir", "", allow_empty=True),
                  quiet_hours=tuple(parse_sessions(t.text_list("quiet_hours"), "voice.quiet_hours")),
                  browser_voice=t.boolean("browser_voice", default.browser_voice),
                  burst_threshold=t.integer("burst_threshold", default.burst_threshold, minimum=0, maximum=20))
    if voice.mode not in VOICE_MODES:
        raise ConfigError(f"voice.mode: expected one of {', '.join(VOICE_MODES)}, got {voice.mode!r}")
    try:
        announcement_text(voice.template, "A001", "5", voice.mode)
    except ValueError as error:
        raise ConfigError(f"voice.template: {error}") from None
    if not re.match(r"^[a-z]{2,3}([-+][A-Za-z0-9-]+)*$", voice.voice):
        raise ConfigError(f"voice.voice: expected an espeak-ng voice name such as \"vi\", got {voice.voice!r}")
    if not 0.1 <= voice.volume <= 2.0:
        raise ConfigError(f"voice.volume: expected a factor from 0.1 to 2.0, got {voice.volume!r}")
    if voice.clips_dir and not Path(voice.clips_dir).is_dir():
        raise ConfigError(f"voice.clips_dir: {voice.clips_dir!r} is not a directory")
    t.finish()
    return voice


def parse_display(t: Table) -> DisplayOptions:
    """[display]; every key optional."""
    default = DisplayOptions()
    options = DisplayOptions(recent_calls=t.integer("recent_calls", default.recent_calls, minimum=1, maximum=20),
                             highlight_seconds=t.integer("highlight_seconds", default.highlight_seconds,
                                                         minimum=1, maximum=600),
                             logo=t.text("logo", "", allow_empty=True),
                             waiting_by=t.text("waiting_by", default.waiting_by),
                             counter_screens=t.boolean("counter_screens", default.counter_screens))
    if options.waiting_by not in WAITING_BY:
        raise ConfigError(f"display.waiting_by: expected one of {', '.join(WAITING_BY)}, got {options.waiting_by!r}")
    if options.logo:
        if Path(options.logo).suffix.lower() not in LOGO_TYPES:
            raise ConfigError(f"display.logo: expected a {', '.join(LOGO_TYPES)} file, got {options.logo!r}")
        if not Path(options.logo).is_file():
            raise ConfigError(f"display.logo: file {options.logo!r} not found")
    t.finish()
    return options
