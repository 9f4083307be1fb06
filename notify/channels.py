"""The channels a message can leave by: one small interface, `Channel.send(message)`, and its adapters.

    send(message) -> None      it was handed over (SMTP accepted it, the gateway answered 2xx)
                  raises SendError (or OSError) when not: the outbox retries later, then gives up

Every adapter is bounded by its `timeout_seconds` (a socket timeout on connect and on each read), and
uses only the standard library's sockets: under gevent's monkey-patching (server.py patches before
anything is imported) those are cooperative, so a hanging gateway parks one greenlet, not the server.
The fake adapters write the very request or e-mail a real one would send into a folder (the demo's
"mailbox" and "SMS gateway", like the fake printer's PNGs).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, quote_plus, urlsplit

from core.notify_rules import phone_for_gateway, render, without_diacritics
from core.notify_settings import EmailServer, SmsGateway

RESPONSE_LIMIT = 64 * 1024  # what we read of a gateway's answer


@dataclass(frozen=True)
class Message:
    """One message to one recipient: channel "sms" (recipient 0912345678) or "email" (an address)."""
    channel: str
    recipient: str
    body: str
    subject: str = ""
    ref: str = ""              # the outbox's ref: a gateway may use it to drop duplicates


class SendError(Exception):
    """The channel did not take the message (the text says why, for the dead-letter list)."""


class Channel(Protocol):
    def send(self, message: Message) -> None: ...


def connection_for(url: str, timeout: float) -> http.client.HTTPConnection:
    """An HTTP(S) connection (not yet open) to `url`'s host, with `timeout` on every socket operation."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=ssl.create_default_context())
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def http_request(url: str, method: str, headers: dict, body: bytes | None, timeout: float) -> tuple[int, bytes]:
    """One HTTP(S) request with a timeout on every socket operation; (status, up to 64 KB of the answer)."""
    parts = urlsplit(url)
    connection = connection_for(url, timeout)
    deadline = time.monotonic() + timeout * 2  # a server trickling one byte per timeout is cut off too
    try:
        path = parts.path or "/"
        connection.request(method, path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(RESPONSE_LIMIT)
        if time.monotonic() > deadline:
            raise SendError(f"{parts.hostname}: answer took more than {timeout * 2:.0f} s")
        return response.status, answer
    finally:
        connection.close()


class HttpSmsChannel:
    """An SMS gateway that takes one HTTP request per message ([notify.sms]; README "Notifications").

    `url` and `body` are templates: {phone} and {text} are filled in, escaped for where they go (URL-encoded
    in the URL and in a form body, JSON-escaped in a JSON body, as is otherwise)."""

    def __init__(self, gateway: SmsGateway):
        self.gateway = gateway

    def request(self, message: Message) -> tuple[str, dict, bytes | None]:
        """(url, headers, body) of the gateway's request for this message."""
        g = self.gateway
        text = without_diacritics(message.body) if g.ascii else message.body
        phone = phone_for_gateway(message.recipient, g.phone_format)
        url = render(g.url, {"phone": quote(phone), "text": quote(text), "ref": quote(message.ref)})
        headers = dict(line.split(":", 1) for line in g.headers)
        headers = {name.strip(): value.strip() for name, value in headers.items()}
        body = None
        if g.method != "GET":
            if "json" in g.content_type:
                escape = lambda value: json.dumps(value, ensure_ascii=False)[1:-1]  # noqa: E731
            elif "x-www-form-urlencoded" in g.content_type:
                escape = quote_plus
            else:
                escape = str
            body = render(g.body, {"phone": escape(phone), "text": escape(text), "ref": escape(message.ref)})
            body = body.encode("utf-8")
            headers.setdefault("Content-Type", f"{g.content_type}; charset=utf-8")
        return url, headers, body

    def send(self, message: Message) -> None:
        url, headers, body = self.request(message)
        status, answer = http_request(url, self.gateway.method, headers, body, self.gateway.timeout_seconds)
        if not 200 <= status < 300:
            raise SendError(f"gateway answered {status}: {answer[:200].decode('utf-8', 'replace')}")
        if self.gateway.success_contains and self.gateway.success_contains not in answer.decode("utf-8", "replace"):
            raise SendError(f"gateway refused: {answer[:200].decode('utf-8', 'replace')}")


class SmtpChannel:
    """E-mail over SMTP ([notify.email]): plain, or STARTTLS when `starttls`; login when `username`."""

    def __init__(self, server: EmailServer):
        self.server = server

    def email(self, message: Message) -> EmailMessage:
        """The e-mail as it goes out (UTF-8, Vietnamese subject and text)."""
        email = EmailMessage()
        email["From"] = self.server.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject or message.body[:60]
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="xephang.local")
        email.set_content(message.body)
        return email

    def send(self, message: Message) -> None:
        s = self.server
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password)
                refused = smtp.send_message(self.email(message))
        except smtplib.SMTPException as error:
            raise SendError(f"SMTP: {error}") from error
        if refused:
            raise SendError(f"SMTP refused {', '.join(refused)}")


class FolderChannel:
    """The demo's fake gateway and mailbox: each message becomes a file in `folder`, exactly what the real
    adapter would have sent (the SMS gateway's HTTP request, or the .eml of the e-mail)."""

    def __init__(self, folder: Path, real):
        self.folder, self.real = Path(folder), real

    def send(self, message: Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        # "…-sms-called-12-3f9a1c.txt": what it is about (the ref's first two parts), unique by the ref's hash.
        about = "-".join(message.ref.split(":")[:2]) or "message"
        name = f"{stamp}-{message.channel}-{about}-{hashlib.sha1(message.ref.encode()).hexdigest()[:6]}"
        if isinstance(self.real, SmtpChannel):
            (self.folder / f"{name}.eml").write_bytes(bytes(self.real.email(message)))
            return
        url, headers, body = self.real.request(message)
        lines = [f"{self.real.gateway.method} {url}", *(f"{k}: {v}" for k, v in headers.items()), ""]
        text = "\n".join(lines) + "\n" + (body.decode("utf-8") if body else "") + "\n"
        (self.folder / f"{name}.txt").write_text(text, encoding="utf-8")


def channels_for(options, outbox_folder: Path) -> dict[str, Channel]:
    """{"sms": …, "email": …} for what [notify] configures ("fake": the outbox folder)."""
    found: dict[str, Channel] = {}
    if options.sms.url:
        sms = HttpSmsChannel(options.sms)
        found["sms"] = FolderChannel(outbox_folder / "sms", sms) if options.sms.url == "fake" else sms
    if options.email.host:
        mail = SmtpChannel(options.email)
        found["email"] = FolderChannel(outbox_folder / "mail", mail) if options.email.host == "fake" else mail
    return found
