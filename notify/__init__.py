"""Notifications (issue 13 items 5 and 6): SMS, e-mail and signed webhooks, sent off the request path.

    channels.py        Channel.send(message): the SMS gateway over HTTP, SMTP, the demo's folder
    outbox.py          the outbox's sending tasks: retries with backoff, hourly limit per recipient
    queue_messages.py  "còn N người nữa" and "mời bạn đến quầy số N" for phones left on the status page
    webhooks.py        every ticket event to each receiver, in seq order, HMAC-signed, with its own cursor

`register(app)` (app.py) builds them from [notify] and keeps a `Notifications` on
app.extensions["xephang_notify"]: the status page's phone field and the dossier lookup's "kết quả đã có"
call it. Rules in core/notify_rules.py, SQL in store/outbox.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from core import lifecycle
from core import notify_rules as rules
from core.errors import Conflict, NotFound, QueueError
from store import outbox as rows

from .channels import Message, SendError, channels_for
from .outbox import Outbox
from .queue_messages import QueueMessages
from .webhooks import WebhookSender

__all__ = ["Message", "SendError", "Notifications", "register"]
MAX_PHONE_CHANGES = 3   # a ticket's number may be set (or replaced) this often: no SMS-bombing from one ticket
# A phone number may be left while a call can still come (a no-show may come back and be called again).
PHONE_STATUSES = (lifecycle.WAITING, lifecycle.TRANSFERRED, lifecycle.CALLED, lifecycle.NO_SHOW)


class TooManyChanges(QueueError):
    """A ticket's phone number was set MAX_PHONE_CHANGES times already (429: one ticket, one citizen)."""

    status = 429


class Notifications:
    """What the rest of the app may ask of notifications."""

    def __init__(self, engine, start_task, outbox_folder: Path):
        self.engine, self.store = engine, engine.store
        options = engine.settings.notify
        self.outbox = Outbox(self.store, options, channels_for(options, outbox_folder), start_task)
        self.queue = QueueMessages(engine, self.outbox, start_task)
        self.webhooks = [WebhookSender(self.store, hook, options, start_task) for hook in options.webhooks]
        self.results = _result_messages(self, start_task)

    def start(self) -> "Notifications":
        self.outbox.start()
        self.queue.start()
        for hook in self.webhooks:
            hook.start()
        if self.results is not None:
            self.results.start()
        return self

    def stop(self) -> None:
        self.outbox.stop()
        self.queue.stop()
        for hook in self.webhooks:
            hook.stop()
        if self.results is not None:
            self.results.stop()

    @property
    def phones(self) -> bool:
        """Whether the status page offers the phone field (an SMS channel is configured)."""
        return "sms" in self.outbox.channels

    # --- the status page's phone number ------------------------------------------------------------
    def leave_phone(self, token: str, phone: object, consent: object) -> str:
        """Keep the phone number a citizen left for this ticket, for today; returns it masked."""
        if not self.phones:
            raise Conflict("notify_off", "Trung tâm chưa bật nhắn tin báo lượt.")
        if consent is not True:
            raise QueueError("consent_required", "Xin đánh dấu ô đồng ý để nhận tin nhắn báo lượt.")
        number = rules.normalise_phone(phone)
        now = self.engine.clock.now()
        with self.store.transaction() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) else None
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.")
            if ticket["day"] != self.engine._today(now) or ticket["status"] not in PHONE_STATUSES:
                raise Conflict("ticket_closed", "Số này không còn chờ gọi nên không nhận tin nhắn báo lượt.")
            if rows.phone_changes(tx.connection, ticket["id"]) >= MAX_PHONE_CHANGES:
                raise TooManyChanges("too_many_changes", "Số điện thoại của phiếu này đã được đổi quá nhiều lần.")
            rows.set_phone(tx.connection, ticket["id"], number, ticket["day"], _stamp())
        self.queue.phone_changed()
        return rules.mask(number)

    def forget_phone(self, token: str) -> bool:
        """The citizen takes their number back: deleted at once."""
        with self.store.transaction() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) else None
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.")
            return rows.forget_phone(tx.connection, ticket["id"])

    def phone_masked(self, ticket_id: int) -> str | None:
        """The masked number left for a ticket (shown only on that ticket's own page)."""
        with self.store.read() as tx:
            found = rows.phone_of(tx.connection, ticket_id)
        return rules.mask(found["phone"]) if found else None

    # --- other senders (the dossier lookup's "kết quả đã có") ---------------------------------------
    def result_ready(self, *, code: str, procedure: str, note: str = "", phone: str | None = None,
                     email: str | None = None, ready_at: str = "") -> list[str]:
        """"Kết quả đã có" for dossier `code`, by SMS to `phone` and/or e-mail to `email`, once per readiness
        (refs "result:<code>:<ready_at>:sms|email"); returns the channels it was queued on.
        A phone number that is not a Vietnamese mobile is skipped (dossiers come from another system)."""
        options = self.engine.settings.notify
        values = {"centre": self.engine.settings.centre.name, "code": code, "procedure": procedure, "note": note}
        text = rules.render(options.templates["result_ready"], values).strip()
        subject = rules.render(options.templates["result_ready_subject"], values)
        queued = []
        if phone:
            try:
                number = rules.normalise_phone(phone)
            except QueueError:
                number = None
            if number and self.send(channel="sms", recipient=number, body=text, kind="result_ready",
                                    ref=f"result:{code}:{ready_at}:sms"):
                queued.append("sms")
        if email and "@" in email and self.send(channel="email", recipient=email.strip(), body=text,
                                                 subject=subject, kind="result_ready",
                                                 ref=f"result:{code}:{ready_at}:email"):
            queued.append("email")
        return queued

    def send(self, *, channel: str, recipient: str, body: str, kind: str, ref: str, subject: str = "") -> bool:
        """Queue one message (sent by the outbox's task; never waits for the network). False when the
        channel is not configured or `ref` was already queued (each thing is said once)."""
        day = self.engine._today(self.engine.clock.now())
        with self.store.transaction() as tx:
            queued = self.outbox.enqueue(tx, channel=channel, recipient=recipient, body=body, kind=kind, ref=ref,
                                         day=day, subject=subject)
        if queued:
            self.outbox.wake(channel)
        return queued is not None


def _result_messages(notifications: Notifications, start_task):
    """The "kết quả đã có" task, when the centre looks dossiers up ([dossiers] source) and can send."""
    settings = notifications.engine.settings
    if getattr(settings, "dossiers", None) is None or settings.dossiers.source == "none":
        return None
    if not {"sms", "email"} & set(notifications.outbox.channels):
        return None
    from store.dossiers import ready_since  # the dossier lookup's hook (README "Hồ sơ (dossiers)")

    from .results import ResultMessages
    return ResultMessages(notifications, ready_since, start_task)


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def register(app) -> Notifications:
    """Build and start the centre's notifications (app.py); fake channels write into outbox/ next to the
    database (data/outbox/ in the demo) unless notify.outbox_dir says otherwise."""
    centre = app.extensions["xephang"]
    options = centre.settings.notify
    folder = Path(options.outbox_dir) if options.outbox_dir else Path(centre.store.path).parent / "outbox"
    notifications = Notifications(centre.engine, centre.socketio.start_background_task, folder).start()
    app.extensions["xephang_notify"] = notifications
    return notifications
