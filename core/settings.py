"""The centre as config.toml describes it, parsed into typed, validated settings.

Every key is read through `_Table`, which knows the key's full path ("services[3].prefix"),
so a wrong or missing key stops the server with that path and what was expected
(Flask's `config.from_file` would silently drop our lowercase keys: DESIGN.md decision 8).
Unknown keys are refused too: a typo ("max_recall") must not silently fall back to a default.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .speech import DEFAULT_TEMPLATE, announcement_text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
PRINTER_PROFILES = ("TM-T20II", "TM-T88V")  # profiles with a known paper width


class ConfigError(ValueError):
    """A config.toml problem, naming the key and what was expected."""


@dataclass(frozen=True)
class Centre:
    name: str
    name_en: str
    address: str
    timezone: ZoneInfo
    public_url: str
    footer: str


@dataclass(frozen=True)
class Hours:
    weekly: dict[int, tuple[tuple[time, time], ...]]  # ISO weekday (1 = Monday) → sessions
    enforce: bool

    def is_open(self, local_weekday: int, local_time: time) -> bool:
        """True when `local_time` falls inside one of that weekday's sessions."""
        return any(start <= local_time < end for start, end in self.weekly.get(local_weekday, ()))


@dataclass(frozen=True)
class Policy:
    max_recalls: int
    priority_streak: int
    no_show_return_minutes: int
    keep_position_on_transfer: bool
    default_service_minutes: float


@dataclass(frozen=True)
class PriorityGroup:
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    name_en: str
    group: str
    prefix: str
    width: int
    first_number: int
    daily_cap: int

    def format_number(self, sequence_number: int) -> str:
        """The number as printed and announced: prefix + zero-padded digits (A001, 1023)."""
        return f"{self.prefix}{sequence_number:0{self.width}d}"


@dataclass(frozen=True)
class Counter:
    id: str
    name: str
    services: tuple[str, ...]
    priority: bool


@dataclass(frozen=True)
class Kiosk:
    id: str
    name: str
    printer: str
    printer_profile: str
    services: tuple[str, ...]  # empty = every service


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


@dataclass(frozen=True)
class Display:
    id: str
    name: str
    counters: tuple[str, ...]  # empty = every counter
    services: tuple[str, ...]  # empty = every service


@dataclass(frozen=True)
class Scanner:
    counter: str
    url: str
    baudrate: int
    suffix: str
    prefix: str


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


@dataclass(frozen=True)
class Settings:
    centre: Centre
    hours: Hours
    policy: Policy
    priority_groups: dict[str, PriorityGroup]
    groups: dict[str, Group]
    services: dict[str, Service]
    counters: dict[str, Counter]
    kiosks: dict[str, Kiosk] = field(default_factory=dict)
    displays: dict[str, Display] = field(default_factory=dict)
    scanners: tuple[Scanner, ...] = ()
    kiosk: KioskOptions = KioskOptions()
    voice: Voice = Voice()
    display: DisplayOptions = DisplayOptions()

    def counters_serving(self, service_code: str) -> list[Counter]:
        """Counters whose list of services includes `service_code`."""
        return [c for c in self.counters.values() if service_code in c.services]


class _Table:
    """One TOML table, read key by key; remembers its path for error messages."""

    def __init__(self, data: object, path: str):
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a table, got {type(data).__name__}")
        self.data, self.path, self.used = data, path, set()

    def _get(self, key, default, required):
        self.used.add(key)
        if key in self.data:
            return self.data[key]
        if required:
            raise ConfigError(f"{self._key(key)}: missing (required)")
        return default

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def text(self, key, default=None, *, required=True, pattern=None, allow_empty=False) -> str:
        value = self._get(key, default, required and default is None)
        if not isinstance(value, str) or (not value.strip() and not allow_empty):
            raise ConfigError(f"{self._key(key)}: expected a non-empty string, got {value!r}")
        if pattern is not None and not pattern.match(value):
            raise ConfigError(f"{self._key(key)}: {value!r} is not a valid identifier "
                              "(letters, digits, '-', '_', '.', at most 32)")
        return value

    def integer(self, key, default=None, *, minimum=0, maximum=None) -> int:
        value = self._get(key, default, default is None)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
                maximum is not None and value > maximum):
            bound = f" between {minimum} and {maximum}" if maximum is not None else f" ≥ {minimum}"
            raise ConfigError(f"{self._key(key)}: expected an integer{bound}, got {value!r}")
        return value

    def number(self, key, default=None, *, minimum=0.0) -> float:
        value = self._get(key, default, default is None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= minimum:
            raise ConfigError(f"{self._key(key)}: expected a number > {minimum}, got {value!r}")
        return float(value)

    def boolean(self, key, default=None) -> bool:
        value = self._get(key, default, default is None)
        if not isinstance(value, bool):
            raise ConfigError(f"{self._key(key)}: expected true or false, got {value!r}")
        return value

    def text_list(self, key, default=(), *, choices=None) -> tuple[str, ...]:
        value = self._get(key, list(default), False)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self._key(key)}: expected a list of strings, got {value!r}")
        for item in value:
            if choices is not None and item not in choices:
                raise ConfigError(f"{self._key(key)}: unknown {item!r} (known: {', '.join(choices)})")
        if len(set(value)) != len(value):
            raise ConfigError(f"{self._key(key)}: lists an entry twice")
        return tuple(value)

    def tables(self, key, *, required=True) -> list["_Table"]:
        value = self._get(key, [], required)
        if not isinstance(value, list) or (required and not value):
            raise ConfigError(f"{self._key(key)}: expected at least one [[{key}]] table")
        return [_Table(item, f"{self._key(key)}[{i}]") for i, item in enumerate(value)]

    def table(self, key, *, required=True) -> "_Table":
        return _Table(self._get(key, {}, required), self._key(key))

    def finish(self) -> None:
        """Refuse keys nobody read: they are typos or options this version does not know."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self._key(unknown[0])}: unknown key")


def _unique(items, what: str, path: str) -> dict:
    result = {}
    for item in items:
        key = item.code if hasattr(item, "code") else item.id
        if key in result:
            raise ConfigError(f"{path}: {what} {key!r} is declared twice")
        result[key] = item
    return result


def _parse_time(text: str, path: str) -> time:
    try:
        hours, minutes = text.split(":")
        if hours == "24" and minutes == "00":
            return time.max
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigError(f"{path}: expected HH:MM, got {text!r}") from None


def _parse_hours(table: _Table) -> Hours:
    weekly = {}
    for index, day in enumerate(WEEKDAYS, start=1):
        sessions = []
        for text in table.text_list(day):
            start, sep, end = text.partition("-")
            start_time = _parse_time(start, f"hours.{day}")
            end_time = _parse_time(end, f"hours.{day}") if sep else None
            if end_time is None or end_time <= start_time:
                raise ConfigError(f"hours.{day}: expected 'HH:MM-HH:MM' with start before end, got {text!r}")
            sessions.append((start_time, end_time))
        if sessions:
            weekly[index] = tuple(sorted(sessions))
    enforce = table.boolean("enforce", True)
    table.finish()
    return Hours(weekly=weekly, enforce=enforce)


def _parse_kiosk(t: _Table) -> KioskOptions:
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


def _check_number_ranges(services: dict[str, Service]) -> None:
    """Services sharing a prefix must not hand out the same printed number on one day."""
    by_prefix: dict[str, list[Service]] = {}
    for service in services.values():
        by_prefix.setdefault(service.prefix, []).append(service)
    for same_prefix in by_prefix.values():
        ranges = sorted((s.first_number, s.first_number + s.daily_cap - 1, s.code) for s in same_prefix)
        for (_, end, code), (start, _, other) in zip(ranges, ranges[1:]):
            if start <= end:
                raise ConfigError(f"services: {code!r} and {other!r} share prefix and overlapping "
                                  "numbers; give them different prefixes or first_number ranges")
        for service in same_prefix:
            last = service.first_number + service.daily_cap - 1
            if len(str(last)) > service.width:
                raise ConfigError(f"services.{service.code}: width {service.width} is too small for "
                                  f"number {last} (first_number + daily_cap - 1)")


def _parse_voice(t: _Table) -> Voice:
    """[voice]; every key optional. Paths are relative to the directory the server starts in."""
    default = Voice()
    voice = Voice(enabled=t.boolean("enabled", default.enabled),
                  mode=t.text("mode", default.mode), template=t.text("template", default.template),
                  voice=t.text("voice", default.voice),
                  speed=t.integer("speed", default.speed, minimum=80, maximum=450),
                  volume=t.number("volume", default.volume), repeat=t.integer("repeat", 1, minimum=1, maximum=2),
                  clips_dir=t.text("clips_dir", "", allow_empty=True),
                  cache_dir=t.text("cache_dir", "", allow_empty=True),
                  quiet_hours=tuple(_parse_sessions(t.text_list("quiet_hours"), "voice.quiet_hours")),
                  browser_voice=t.boolean("browser_voice", default.browser_voice))
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


def _parse_sessions(texts: tuple[str, ...], path: str) -> list[tuple[time, time]]:
    sessions = []
    for text in texts:
        start, sep, end = text.partition("-")
        start_time = _parse_time(start, path)
        end_time = _parse_time(end, path) if sep else None
        if end_time is None or end_time <= start_time:
            raise ConfigError(f"{path}: expected 'HH:MM-HH:MM' with start before end, got {text!r}")
        sessions.append((start_time, end_time))
    return sorted(sessions)


def _parse_display(t: _Table) -> DisplayOptions:
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


def parse_settings(data: dict) -> Settings:
    """Validate a parsed TOML document and build Settings; raises ConfigError."""
    root = _Table(data, "")
    c = root.table("centre")
    try:
        zone = ZoneInfo(c.text("timezone", "Asia/Ho_Chi_Minh"))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"centre.timezone: unknown time zone {c.data.get('timezone')!r}") from None
    public_url = c.text("public_url", "http://127.0.0.1:8080").rstrip("/")
    if not re.match(r"^https?://[^/\s]+$", public_url):
        raise ConfigError(f"centre.public_url: expected http(s)://host[:port], got {public_url!r}")
    centre = Centre(name=c.text("name"), name_en=c.text("name_en"), address=c.text("address"),
                    timezone=zone, public_url=public_url,
                    footer=c.text("footer", "Vui lòng giữ phiếu và chú ý màn hình, loa gọi số. Xin cảm ơn!"))
    c.finish()
    hours = _parse_hours(root.table("hours"))
    p = root.table("policy")
    policy = Policy(max_recalls=p.integer("max_recalls", 3, maximum=20),
                    priority_streak=p.integer("priority_streak", 2, minimum=1, maximum=100),
                    no_show_return_minutes=p.integer("no_show_return_minutes", 30, maximum=24 * 60),
                    keep_position_on_transfer=p.boolean("keep_position_on_transfer", True),
                    default_service_minutes=p.number("default_service_minutes", 8))
    p.finish()

    def named(t: _Table, cls):
        item = cls(id=t.text("id", pattern=IDENTIFIER), name=t.text("name"), name_en=t.text("name_en"))
        t.finish()
        return item

    priority_groups = _unique([named(t, PriorityGroup) for t in root.tables("priority_groups")],
                              "priority group", "priority_groups")
    groups = _unique([named(t, Group) for t in root.tables("groups")], "group", "groups")
    services_list = []
    for t in root.tables("services"):
        service = Service(code=t.text("code", pattern=IDENTIFIER), name=t.text("name"),
                          name_en=t.text("name_en"), group=t.text("group"),
                          prefix=t.text("prefix", "", allow_empty=True),
                          width=t.integer("width", 3, minimum=1, maximum=6),
                          first_number=t.integer("first_number", 1),
                          daily_cap=t.integer("daily_cap", 999, minimum=1))
        if service.group not in groups:
            raise ConfigError(f"{t.path}.group: unknown group {service.group!r}")
        if not re.match(r"^[A-Z]{0,2}$", service.prefix):
            raise ConfigError(f"{t.path}.prefix: expected 0–2 capital letters, got {service.prefix!r}")
        t.finish()
        services_list.append(service)
    services = _unique(services_list, "service", "services")
    _check_number_ranges(services)

    counters = []
    for t in root.tables("counters"):
        counters.append(Counter(id=t.text("id", pattern=IDENTIFIER), name=t.text("name"),
                                services=t.text_list("services", choices=services),
                                priority=t.boolean("priority", False)))
        if not counters[-1].services:
            raise ConfigError(f"{t.path}.services: a counter must serve at least one service")
        t.finish()
    counters_by_id = _unique(counters, "counter", "counters")

    kiosks = []
    for t in root.tables("kiosks", required=False):
        kiosks.append(Kiosk(id=t.text("id", pattern=IDENTIFIER), name=t.text("name"),
                            printer=t.text("printer", "fake"),
                            printer_profile=t.text("printer_profile", "TM-T20II"),
                            services=t.text_list("services", choices=services)))
        if kiosks[-1].printer_profile not in PRINTER_PROFILES:
            raise ConfigError(f"{t.path}.printer_profile: expected one of {', '.join(PRINTER_PROFILES)}")
        if not PRINTER_URL.match(kiosks[-1].printer):
            raise ConfigError(f"{t.path}.printer: expected tcp://HOST:9100, serial:///dev/…?baudrate=…, "
                              f"usb://VID:PID, file:///dev/usb/lp0, fake or none, got {kiosks[-1].printer!r}")
        t.finish()
    displays = []
    for t in root.tables("displays", required=False):
        displays.append(Display(id=t.text("id", pattern=IDENTIFIER), name=t.text("name"),
                                counters=t.text_list("counters", choices=counters_by_id),
                                services=t.text_list("services", choices=services)))
        t.finish()
    scanners = []
    for t in root.tables("scanners", required=False):
        scanners.append(Scanner(counter=t.text("counter"), url=t.text("url"),
                                baudrate=t.integer("baudrate", 9600, minimum=300),
                                suffix=t.text("suffix", "\r\n", allow_empty=True),
                                prefix=t.text("prefix", "", allow_empty=True)))
        if scanners[-1].counter not in counters_by_id:
            raise ConfigError(f"{t.path}.counter: unknown counter {scanners[-1].counter!r}")
        if scanners[-1].suffix not in ("\r", "\n", "\r\n"):
            raise ConfigError(f"{t.path}.suffix: expected \"\\r\", \"\\n\" or \"\\r\\n\"")
        t.finish()
    kiosk_options = _parse_kiosk(root.table("kiosk", required=False))
    voice = _parse_voice(root.table("voice", required=False))
    display = _parse_display(root.table("display", required=False))
    root.finish()
    return Settings(centre=centre, hours=hours, policy=policy, priority_groups=priority_groups,
                    groups=groups, services=services, counters=counters_by_id,
                    kiosks=_unique(kiosks, "kiosk", "kiosks"),
                    displays=_unique(displays, "display", "displays"), scanners=tuple(scanners),
                    voice=voice, display=display, kiosk=kiosk_options)


def load_settings(path: str | Path) -> Settings:
    """Read and validate config.toml; raises ConfigError naming the file and the key."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    try:
        return parse_settings(data)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
