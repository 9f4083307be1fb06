"""Settings of notifications: [notify], [notify.templates], [notify.sms], [notify.email], [[notify.webhooks]].

Every key is optional; with none of them the centre sends nothing (no gateway is configured, so the status
page offers no phone field). Templates are Vietnamese by default and use {placeholders}: {centre}, {number},
{ahead}, {counter}, {service} for the queue; {code}, {procedure}, {note} for a dossier's result.
"""

from __future__ import annotations

import os
import re
import dataclasses
from dataclasses import dataclass, field

from .config_reader import ConfigError, Table

DEFAULT_TEMPLATES = {
    "ahead": "{centre}: còn {ahead} người nữa đến lượt số {number} của bạn. Xin mời chuẩn bị đến khu vực chờ.",
    "called": "{centre}: mời bạn số {number} đến {counter}.",
    "result_ready": "{centre}: kết quả hồ sơ {code} ({procedure}) đã có. {note}",
    "result_ready_subject": "Kết quả hồ sơ {code} đã có",
}
PLACEHOLDERS = {"centre", "number", "ahead", "counter", "service", "code", "procedure", "note"}
PHONE_FORMATS = ("0", "84", "+84")      # 0912345678, 84912345678, +84912345678
HEADER = re.compile(r"^[A-Za-z0-9-]+:\s?.+$")
URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


@dataclass(frozen=True)
class SmsGateway:
    """[notify.sms]: one HTTP request per message. url = "fake" writes the request into the outbox folder."""
    url: str = ""                           # "" = no SMS; "fake" = the demo's folder
    method: str = "POST"
    headers: tuple[str, ...] = ()           # "Name: value", e.g. "Authorization: Bearer …"
    content_type: str = "application/json"
    body: str = '{"to": "{phone}", "text": "{text}"}'  # {phone} {text}, escaped for content_type
    phone_format: str = "84"
    ascii: bool = False                     # strip diacritics (unaccented SMS: cheaper, 160 characters)
    success_contains: str = ""              # a 2xx answer must contain this too (gateways that answer 200
                                            # with an error code in the body), "" = any 2xx
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class EmailServer:
    """[notify.email]: SMTP. host = "fake" writes each message as an .eml file into the outbox folder."""
    host: str = ""                          # "" = no e-mail
    port: int = 25
    sender: str = "Trung tâm Phục vụ hành chính công <khong-tra-loi@localhost>"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Webhook:
    """[[notify.webhooks]]: every ticket event, in seq order, signed with HMAC-SHA256 of the raw body."""
    url: str
    secret: str
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class NotifyOptions:
    """[notify]: when to tell a citizen, how hard to try, and where the messages go."""
    ahead: int = 3                          # "còn N người nữa": sent once when this many or fewer are ahead
    max_attempts: int = 5                   # then the message is a dead letter (server.py list-dead-letters)
    retry_seconds: int = 10                 # the first retry waits this long, each next one twice as long …
    retry_max_seconds: int = 600            # … up to this
    per_recipient_per_hour: int = 6         # messages sent to one phone or address in any hour, at most
    queue_message_minutes: int = 30         # a queue message not sent within this is useless: dead letter
    outbox_dir: str = ""                    # the fake gateways' folder; "" = outbox/ next to the database
    templates: dict = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))
    sms: SmsGateway = SmsGateway()
    email: EmailServer = EmailServer()
    webhooks: tuple[Webhook, ...] = ()

    @property
    def phones(self) -> bool:
        """Whether the status page may offer to leave a phone number (an SMS gateway is configured)."""
        return bool(self.sms.url)


def from_environment(value: str, path: str) -> str:
    """A secret written "env:NAME" is read from the environment variable NAME at start, so config.toml
    need not hold it (README "Notifications"); anything else is the value itself."""
    if not value.startswith("env:"):
        return value
    name = value[4:]
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or name not in os.environ:
        raise ConfigError(f"{path}: environment variable {name!r} is not set")
    return os.environ[name]


def _template(text: str, path: str) -> str:
    names = set(re.findall(r"\{([a-z_]*)\}", text))
    if names - PLACEHOLDERS:
        raise ConfigError(f"{path}: unknown placeholder {{{sorted(names - PLACEHOLDERS)[0]}}} "
                          f"(known: {', '.join(sorted(PLACEHOLDERS))})")
    return text


def parse_notify(t: Table) -> NotifyOptions:
    """[notify] and its sub-tables; every key optional."""
    d = NotifyOptions()
    templates_table = t.table("templates", required=False)
    templates = {key: _template(templates_table.text(key, default), f"notify.templates.{key}")
                 for key, default in DEFAULT_TEMPLATES.items()}
    templates_table.finish()
    options = NotifyOptions(
        ahead=t.integer("ahead", d.ahead, minimum=1, maximum=50),
        max_attempts=t.integer("max_attempts", d.max_attempts, minimum=1, maximum=100),
        retry_seconds=t.integer("retry_seconds", d.retry_seconds, minimum=1, maximum=3600),
        retry_max_seconds=t.integer("retry_max_seconds", d.retry_max_seconds, minimum=1, maximum=24 * 3600),
        per_recipient_per_hour=t.integer("per_recipient_per_hour", d.per_recipient_per_hour, minimum=1,
                                         maximum=1000),
        queue_message_minutes=t.integer("queue_message_minutes", d.queue_message_minutes, minimum=1,
                                        maximum=24 * 60),
        outbox_dir=t.text("outbox_dir", "", allow_empty=True),
        templates=templates, sms=_parse_sms(t.table("sms", required=False)),
        email=_parse_email(t.table("email", required=False)),
        webhooks=tuple(_parse_webhook(w) for w in t.tables("webhooks", required=False)))
    t.finish()
    if len({w.url for w in options.webhooks}) != len(options.webhooks):
        raise ConfigError("notify.webhooks: a url is listed twice")
    return options


def _seconds(t: Table, key: str, default: float) -> float:
    value = t.number(key, default)
    if value > 60:
        raise ConfigError(f"{t.path}.{key}: expected at most 60 seconds, got {value!r}")
    return value


def _parse_sms(t: Table) -> SmsGateway:
    d = SmsGateway()
    sms = SmsGateway(url=t.text("url", "", allow_empty=True), method=t.text("method", d.method).upper(),
                     headers=t.text_list("headers"), content_type=t.text("content_type", d.content_type),
                     body=t.text("body", d.body), phone_format=t.text("phone_format", d.phone_format),
                     ascii=t.boolean("ascii", d.ascii),
                     success_contains=t.text("success_contains", "", allow_empty=True),
                     timeout_seconds=_seconds(t, "timeout_seconds", 5.0))
    t.finish()
    if sms.url not in ("", "fake") and not URL.match(sms.url):
        raise ConfigError(f"notify.sms.url: expected http(s)://…, \"fake\" or \"\", got {sms.url!r}")
    if sms.method not in ("GET", "POST", "PUT"):
        raise ConfigError(f"notify.sms.method: expected GET, POST or PUT, got {sms.method!r}")
    if sms.phone_format not in PHONE_FORMATS:
        raise ConfigError(f"notify.sms.phone_format: expected one of {', '.join(PHONE_FORMATS)}")
    for header in sms.headers:
        if not HEADER.match(header):
            raise ConfigError(f"notify.sms.headers: expected \"Name: value\", got {header!r}")
    headers = tuple(f"{name}: {from_environment(value.strip(), 'notify.sms.headers')}"
                    for name, _, value in (header.partition(":") for header in sms.headers))
    return dataclasses.replace(sms, headers=headers)


def _parse_email(t: Table) -> EmailServer:
    d = EmailServer()
    email = EmailServer(host=t.text("host", "", allow_empty=True), port=t.integer("port", d.port, minimum=1,
                                                                                  maximum=65535),
                        sender=t.text("sender", d.sender), username=t.text("username", "", allow_empty=True),
                        password=from_environment(t.text("password", "", allow_empty=True), "notify.email.password"),
                        starttls=t.boolean("starttls", False),
                        timeout_seconds=_seconds(t, "timeout_seconds", 10.0))
    t.finish()
    return email


def _parse_webhook(t: Table) -> Webhook:
    hook = Webhook(url=t.text("url"), secret=from_environment(t.text("secret"), f"{t.path}.secret"),
                   timeout_seconds=_seconds(t, "timeout_seconds", 5.0))
    t.finish()
    if not URL.match(hook.url):
        raise ConfigError(f"{t.path}.url: expected http(s)://…, got {hook.url!r}")
    if len(hook.secret) < 16:
        raise ConfigError(f"{t.path}.secret: at least 16 characters (it signs every delivery)")
    return hook
