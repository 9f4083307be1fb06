"""The centre as config.toml describes it, parsed into typed, validated settings.

Every key is read through `config_reader.Table`, which knows the key's full path ("services[3].prefix"),
so a wrong or missing key stops the server with that path and what was expected
(Flask's `config.from_file` would silently drop our lowercase keys: docs/design.md, decision 8).
Unknown keys are refused too: a typo ("max_recall") must not silently fall back to a default.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .config_reader import IDENTIFIER, ConfigError, Table, parse_sessions, unique
from .notify_settings import NotifyOptions, parse_notify
from .dossier_settings import DossierOptions, parse_dossiers
from .security_settings import Security, parse_security
from .rating_settings import Rater, RatingOptions, parse_raters, parse_rating
from .screen_settings import PRINTER_URL, DisplayOptions, KioskOptions, Voice, parse_display, parse_kiosk, parse_voice

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRINTER_PROFILES = ("TM-T20II", "TM-T88V")  # profiles with a known paper width
RESERVED_DISPLAY_IDS = ("counter", "logo", "notice", "audio")  # paths of display/routes.py


@dataclass(frozen=True)
class Centre:
    name: str
    name_en: str
    address: str
    timezone: ZoneInfo
    public_url: str
    footer: str


@dataclass(frozen=True)
class DayException:
    """One dated exception to the weekly sessions (set in the admin console, core/catalogue.py)."""
    day: str                                   # local date, YYYY-MM-DD
    kind: str                                  # holiday (ngày nghỉ lễ) | workday (làm bù) | short (closing early)
    sessions: tuple[tuple[time, time], ...]    # empty for a holiday
    note: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Hours:
    weekly: dict[int, tuple[tuple[time, time], ...]]  # ISO weekday (1 = Monday) → sessions
    enforce: bool
    exceptions: dict[str, DayException] = field(default_factory=dict)  # local date → exception

    def is_open(self, local_weekday: int, local_time: time) -> bool:
        """True when `local_time` falls inside one of that weekday's sessions."""
        return any(start <= local_time < end for start, end in self.weekly.get(local_weekday, ()))

    def sessions_on(self, local_date: date) -> tuple[tuple[time, time], ...]:
        """That day's sessions: its dated exception if it has one, else its weekday's."""
        exception = self.exceptions.get(local_date.isoformat())
        return exception.sessions if exception else self.weekly.get(local_date.isoweekday(), ())

    def is_open_at(self, local: datetime) -> bool:
        """True when a local date and time falls inside that day's sessions (exceptions included)."""
        return any(start <= local.time() < end for start, end in self.sessions_on(local.date()))

    def holiday_on(self, local_date: date) -> DayException | None:
        """The holiday (ngày nghỉ lễ) set for that day, if any."""
        exception = self.exceptions.get(local_date.isoformat())
        return exception if exception and exception.kind == "holiday" else None


@dataclass(frozen=True)
class Policy:
    max_recalls: int
    priority_streak: int
    no_show_return_minutes: int
    keep_position_on_transfer: bool
    default_service_minutes: float
    counter_idle_minutes: int = 180  # a clerk's claim on a counter ends after this long without an action
    wait_target_minutes: int = 15     # QĐ 468/QĐ-TTg: average wait at Một cửa ≤ 15 minutes (monitor, reports)
    long_service_minutes: int = 45    # a counter serving one ticket longer than this raises an alert


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
    retired: bool = False  # set in the console: no new tickets; its open tickets still show and finish

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
    security: Security = Security()
    # Thủ tục closed for a day in the console: local date → {code: (reason vi, reason en)}.
    closures: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    rating: RatingOptions = RatingOptions()
    raters: tuple[Rater, ...] = ()
    notify: NotifyOptions = NotifyOptions()  # [notify]: SMS, e-mail, webhooks (core/notify_settings.py)
    dossiers: DossierOptions = DossierOptions()

    def counters_serving(self, service_code: str) -> list[Counter]:
        """Counters whose list of services includes `service_code`."""
        return [c for c in self.counters.values() if service_code in c.services]


def _parse_hours(table: Table) -> Hours:
    weekly = {}
    for index, day in enumerate(WEEKDAYS, start=1):
        sessions = parse_sessions(table.text_list(day), f"hours.{day}")
        if sessions:
            weekly[index] = tuple(sessions)
    enforce = table.boolean("enforce", True)
    table.finish()
    return Hours(weekly=weekly, enforce=enforce)


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


def parse_settings(data: dict) -> Settings:
    """Validate a parsed TOML document and build Settings; raises ConfigError."""
    root = Table(data, "")
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
                    default_service_minutes=p.number("default_service_minutes", 8),
                    # 0 = never by idleness (the claim still ends at the day's rollover).
                    counter_idle_minutes=p.integer("counter_idle_minutes", 180, maximum=24 * 60),
                    wait_target_minutes=p.integer("wait_target_minutes", 15, minimum=1, maximum=24 * 60),
                    long_service_minutes=p.integer("long_service_minutes", 45, minimum=1, maximum=24 * 60))
    p.finish()

    def named(t: Table, cls):
        item = cls(id=t.text("id", pattern=IDENTIFIER), name=t.text("name"), name_en=t.text("name_en"))
        t.finish()
        return item

    priority_groups = unique([named(t, PriorityGroup) for t in root.tables("priority_groups")],
                              "priority group", "priority_groups")
    groups = unique([named(t, Group) for t in root.tables("groups")], "group", "groups")
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
    services = unique(services_list, "service", "services", key_of=lambda service: service.code)
    _check_number_ranges(services)

    counters = []
    for t in root.tables("counters"):
        counters.append(Counter(id=t.text("id", pattern=IDENTIFIER), name=t.text("name"),
                                services=t.text_list("services", choices=services),
                                priority=t.boolean("priority", False)))
        if not counters[-1].services:
            raise ConfigError(f"{t.path}.services: a counter must serve at least one service")
        t.finish()
    counters_by_id = unique(counters, "counter", "counters")

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
        if displays[-1].id in RESERVED_DISPLAY_IDS:
            # /display/<id> shares its URL space with these pages of the display blueprint.
            raise ConfigError(f"{t.path}.id: {displays[-1].id!r} is reserved (used by /display/"
                              f"{displays[-1].id}); choose another id")
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
    kiosk_options = parse_kiosk(root.table("kiosk", required=False))
    voice = parse_voice(root.table("voice", required=False))
    display = parse_display(root.table("display", required=False))
    security = parse_security(root.table("security", required=False))
    rating = parse_rating(root.table("rating", required=False))
    raters = parse_raters(root.tables("raters", required=False), counters_by_id, rating)
    notify = parse_notify(root.table("notify", required=False))
    dossiers = parse_dossiers(root.table("dossiers", required=False), services, counters_by_id)
    root.finish()
    return Settings(centre=centre, hours=hours, policy=policy, priority_groups=priority_groups,
                    groups=groups, services=services, counters=counters_by_id,
                    kiosks=unique(kiosks, "kiosk", "kiosks"),
                    displays=unique(displays, "display", "displays"), scanners=tuple(scanners),
                    voice=voice, display=display, kiosk=kiosk_options, security=security,
                    rating=rating, raters=raters, notify=notify, dossiers=dossiers)


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
