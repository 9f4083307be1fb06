"""Real local servers for the notification tests: an HTTP receiver (SMS gateway, webhook receiver) and SMTP.

`HttpReceiver` is a real HTTP server on a free loopback port, in a thread of the test process. It keeps
what it received, as a real receiver would, and behaves as told: "ok" (200), "fail" (500), "hang" (holds
the request until released or for `hang_seconds`), or fails the first `fail_first` requests. Tests wait on
its condition variable, never with sleep.
"""

from __future__ import annotations

import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.server import free_port, quiet_kiosks_text


class HttpReceiver:
    """An HTTP server that records each request (method, path, headers, body) and answers per `mode`."""

    def __init__(self, port: int | None = None, mode: str = "ok", fail_first: int = 0, answer: bytes = b"{}",
                 delay_seconds: float = 0.0, hang_seconds: float = 30.0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode, self.fail_first, self.answer = mode, fail_first, answer
        self.delay_seconds, self.hang_seconds = delay_seconds, hang_seconds
        self.requests: list[dict] = []
        self.answered = 0          # requests answered 2xx
        self.refused = 0           # requests answered 500
        self.changed = threading.Condition()
        self.release = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> "HttpReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self):  # one answer = one segment: no Nagle × delayed-ACK 40 ms stall per request
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver.changed:
                    receiver.requests.append({"method": self.command, "path": self.path,
                                              "headers": dict(self.headers), "body": body})
                    refuse = receiver.mode == "fail" or receiver.refused < receiver.fail_first
                    receiver.changed.notify_all()
                if receiver.mode == "hang":
                    receiver.release.wait(receiver.hang_seconds)
                elif receiver.delay_seconds:
                    threading.Event().wait(receiver.delay_seconds)  # a slow receiver, on purpose
                status = 500 if refuse else 200
                answer = b'{"error": "down"}' if refuse else receiver.answer
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    return  # the client gave up (its timeout): nothing to count
                with receiver.changed:
                    if refuse:
                        receiver.refused += 1
                    else:
                        receiver.answered += 1
                    receiver.changed.notify_all()

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def wait_for(self, condition, timeout: float = 30.0, what: str = "requests"):
        """Wait until `condition(self)` is true (checked whenever a request arrives or is answered)."""
        with self.changed:
            if not self.changed.wait_for(lambda: condition(self), timeout):
                raise AssertionError(f"timed out waiting for {what}: {len(self.requests)} request(s), "
                                     f"{self.answered} answered, {self.refused} refused")

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Mailbox:
    """A real SMTP server (aiosmtpd) on a free port; `messages` holds each received e-mail's bytes."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], bytes]] = []
        self.changed = threading.Condition()
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with mailbox.changed:
                    mailbox.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                             or envelope.content))
                    mailbox.changed.notify_all()
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> "Mailbox":
        self.controller.start()
        return self

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.messages) >= count, timeout), "no e-mail arrived"

    def stop(self) -> None:
        self.controller.stop()


CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


def notify_config(directory: Path, sms_url: str, webhooks: tuple = (), **keys) -> Path:
    """config.toml with quiet kiosks, [notify.sms] pointing at `sms_url`, [notify] keys changed, webhooks added."""
    text = quiet_kiosks_text(CONFIG.read_text(encoding="utf-8"))
    text = text.replace('[notify.sms]\nurl = "fake"', f'[notify.sms]\nurl = "{sms_url}"')
    for key, value in keys.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert count, key
    for url, secret in webhooks:
        text += f'\n[[notify.webhooks]]\nurl = "{url}"\nsecret = "{secret}"\ntimeout_seconds = 2\n'
    path = directory / "config-notify.toml"
    path.write_text(text, encoding="utf-8")
    return path
