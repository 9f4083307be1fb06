"""Settings of the dossier lookup: [dossiers], its [dossiers.columns] and [dossiers.http] (issue 13).

The dossiers live in the province's một cửa điện tử system, not here: `source` says how we read them,
"import" (CSV/XLSX exports loaded by `server.py import-dossiers` or dropped in `watch_folder`), "http"
(one GET per lookup) or "none" (no lookup at all: the kiosk shows no "Tra cứu hồ sơ" button).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .config_reader import ConfigError, Table

SOURCES = ("none", "import", "http")
CHECKSUMS = ("none", "luhn", "mod97")
# Our field → the column heading of a typical export (Vietnamese, as the một cửa systems write them).
DEFAULT_COLUMNS = {
    "code": "Mã hồ sơ", "procedure": "Thủ tục", "group": "Lĩnh vực", "received": "Ngày tiếp nhận",
    "due": "Ngày hẹn trả", "status": "Trạng thái", "step": "Bước hiện tại", "note": "Ghi chú nhận kết quả",
    "name": "Người nộp", "phone": "Điện thoại", "email": "Email", "resolved": "Ngày có kết quả",
}
REQUIRED_FIELDS = ("code", "procedure", "received", "due", "status")
# Our field → the JSON key of the HTTP source's answer (dotted for nested objects: "status.name").
DEFAULT_FIELDS = {"code": "code", "procedure": "procedure", "group": "group", "received": "received",
                  "due": "due", "status": "status", "step": "step", "note": "note", "name": "name",
                  "phone": "phone", "email": "email", "resolved": "resolved"}
# Codes as printed on the giấy tiếp nhận và hẹn trả kết quả: "000.00.12.H42-261105-0001".
DEFAULT_PATTERN = r"^[A-Z0-9][A-Z0-9.]{0,29}-\d{6}-\d{4,6}$"


@dataclass(frozen=True)
class HttpSource:
    """[dossiers.http]: GET {url}/{code}."""
    url: str = ""
    auth_header: str = ""          # e.g. "Authorization"; "" = none
    auth_env: str = ""             # the environment variable holding the header's value (secrets stay out of config)
    timeout_seconds: float = 2.5   # the whole answer, connect included; the kiosk hears "đang bận" after it
    cache_seconds: int = 30
    fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    summary_url: str = ""          # the board's figures from the system itself ("" = from what we store)


@dataclass(frozen=True)
class DossierOptions:
    """[dossiers]."""
    source: str = "none"
    code_pattern: str = DEFAULT_PATTERN
    checksum: str = "none"           # "luhn": the last digit checks the others; "mod97": the last two (ISO 7064)
    max_length: int = 40
    result_counter: str = ""         # the counter that hands results back ("đến quầy trả kết quả số N")
    result_service: str = ""         # the thủ tục of the one-tap ticket for picking a result up ("" = no button)
    failures_before_delay: int = 3   # wrong codes in a row at one device before it is slowed down
    delay_seconds: int = 5           # first wait after that; doubles with every further wrong code (max 60)
    watch_folder: str = ""           # CSV/XLSX dropped here is imported ("" = no watched folder)
    watch_seconds: int = 10
    board_refresh_seconds: int = 300
    columns: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    statuses: dict[str, str] = field(default_factory=dict)  # extra words of the source → our status key
    http: HttpSource = HttpSource()

    @property
    def enabled(self) -> bool:
        return self.source != "none"


def _mapping(table: Table, defaults: dict[str, str]) -> dict[str, str]:
    mapping = dict(defaults)
    for key in defaults:
        if key in table.data:
            mapping[key] = table.text(key, allow_empty=key not in REQUIRED_FIELDS)
    table.finish()
    return mapping


def parse_dossiers(t: Table, services: dict, counters: dict) -> DossierOptions:
    """[dossiers] (optional: without it the lookup is off)."""
    from .dossiers import STATUSES  # the five statuses are queue-independent rules of core/dossiers.py

    source = t.text("source", "none")
    if source not in SOURCES:
        raise ConfigError(f"{t.path}.source: expected one of {', '.join(SOURCES)}, got {source!r}")
    pattern = t.text("code_pattern", DEFAULT_PATTERN)
    try:
        re.compile(pattern)
    except re.error as error:
        raise ConfigError(f"{t.path}.code_pattern: not a regular expression ({error})") from None
    checksum = t.text("checksum", "none")
    if checksum not in CHECKSUMS:
        raise ConfigError(f"{t.path}.checksum: expected one of {', '.join(CHECKSUMS)}, got {checksum!r}")
    result_counter = t.text("result_counter", "", allow_empty=True)
    if result_counter and result_counter not in counters:
        raise ConfigError(f"{t.path}.result_counter: unknown counter {result_counter!r}")
    result_service = t.text("result_service", "", allow_empty=True)
    if result_service and result_service not in services:
        raise ConfigError(f"{t.path}.result_service: unknown service {result_service!r}")
    statuses_table = t.table("statuses", required=False)
    statuses = {}
    for word, key in statuses_table.data.items():
        statuses_table.used.add(word)
        if key not in STATUSES:
            raise ConfigError(f"{t.path}.statuses.{word}: expected one of {', '.join(STATUSES)}, got {key!r}")
        statuses[str(word).strip().casefold()] = key
    h = t.table("http", required=False)
    http = HttpSource(url=h.text("url", "", allow_empty=True).rstrip("/"),
                      auth_header=h.text("auth_header", "", allow_empty=True),
                      auth_env=h.text("auth_env", "", allow_empty=True),
                      timeout_seconds=h.number("timeout_seconds", 2.5, minimum=0.0),
                      cache_seconds=h.integer("cache_seconds", 30, maximum=3600),
                      fields=_mapping(h.table("fields", required=False), DEFAULT_FIELDS),
                      summary_url=h.text("summary_url", "", allow_empty=True))
    h.finish()
    if http.summary_url and not re.match(r"^https?://[^/\s]+", http.summary_url):
        raise ConfigError(f"{t.path}.http.summary_url: expected http(s)://host[:port]/path")
    if http.timeout_seconds > 3:
        raise ConfigError(f"{t.path}.http.timeout_seconds: at most 3 (a kiosk must answer within 3 s)")
    if source == "http" and not re.match(r"^https?://[^/\s]+", http.url):
        raise ConfigError(f"{t.path}.http.url: expected http(s)://host[:port]/path for source = \"http\"")
    options = DossierOptions(
        source=source, code_pattern=pattern, checksum=checksum,
        max_length=t.integer("max_length", 40, minimum=8, maximum=200),
        result_counter=result_counter, result_service=result_service,
        failures_before_delay=t.integer("failures_before_delay", 3, minimum=1, maximum=100),
        delay_seconds=t.integer("delay_seconds", 5, minimum=1, maximum=600),
        watch_folder=t.text("watch_folder", "", allow_empty=True),
        watch_seconds=t.integer("watch_seconds", 10, minimum=1, maximum=3600),
        board_refresh_seconds=t.integer("board_refresh_seconds", 300, minimum=10, maximum=24 * 3600),
        columns=_mapping(t.table("columns", required=False), DEFAULT_COLUMNS),
        statuses=statuses, http=http)
    t.finish()
    return options
