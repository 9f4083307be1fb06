"""Tin nhắn (manager, admin): the notifications' outbox at a glance — counts, the dead letters with their
last error (recipients masked, as on the command line), and how far behind each webhook receiver is.

Read only; `server.py retry-dead-letters` queues today's dead letters again (README "Notifications").
"""

from __future__ import annotations

from api import centre
from core.notify_rules import mask
from store import outbox

from .console import CONSOLE_ROLES, blueprint, nav, render, viewer

nav("notifications", "admin.notifications_page", roles=CONSOLE_ROLES)

WORDS = {
    "vi": {
        "notifications_title": "Tin nhắn và webhook",
        "notifications_intro": "Tin nhắn SMS, thư điện tử gửi công dân và sự kiện gửi đến hệ thống khác. Tin không "
                               "gửi được sau mọi lần thử nằm ở danh sách dưới đây; lệnh server.py retry-dead-letters "
                               "gửi lại các tin hôm nay.",
        "notifications_counts": "Đang chờ gửi: {pending} · Đã gửi: {sent} · Không gửi được: {dead}",
        "notifications_dead": "Tin không gửi được",
        "notifications_none": "Không có tin nào bị bỏ.",
        "notifications_at": "Lúc xếp", "notifications_channel": "Kênh", "notifications_to": "Người nhận",
        "notifications_kind": "Loại", "notifications_attempts": "Số lần thử", "notifications_error": "Lỗi cuối",
        "notifications_text": "Nội dung",
        "notifications_hooks": "Webhook", "notifications_hooks_none": "Chưa cấu hình webhook nào.",
        "notifications_url": "Địa chỉ", "notifications_behind": "Chưa gửi", "notifications_failures": "Lỗi liên tiếp",
        "kind_ahead": "Sắp đến lượt", "kind_called": "Mời đến quầy", "kind_result_ready": "Kết quả đã có",
    },
    "en": {
        "notifications_title": "Messages and webhooks",
        "notifications_intro": "SMS and e-mail to citizens, events to other systems. Messages that could not be sent "
                               "after every attempt are listed below; server.py retry-dead-letters sends today's again.",
        "notifications_counts": "Waiting: {pending} · Sent: {sent} · Given up: {dead}",
        "notifications_dead": "Messages given up on",
        "notifications_none": "No message was given up on.",
        "notifications_at": "Queued", "notifications_channel": "Channel", "notifications_to": "To",
        "notifications_kind": "Kind", "notifications_attempts": "Attempts", "notifications_error": "Last error",
        "notifications_text": "Text",
        "notifications_hooks": "Webhooks", "notifications_hooks_none": "No webhook is configured.",
        "notifications_url": "Address", "notifications_behind": "Not yet sent", "notifications_failures": "Failures in a row",
        "kind_ahead": "Turn coming", "kind_called": "Called to a counter", "kind_result_ready": "Result ready",
    },
}


@blueprint.get("/notifications")
def notifications_page():
    viewer(*CONSOLE_ROLES)
    store = centre().store
    with store.read() as tx:
        counts = outbox.counts(tx.connection)
        dead = outbox.dead_letters(tx.connection, 200)
        readers = {row["name"]: row for row in outbox.cursors(tx.connection)}
        last = tx.last_seq()
    for row in dead:
        row["recipient"] = mask(row["recipient"])
    hooks = []
    for hook in centre().settings.notify.webhooks:
        reader = readers.get(f"webhook:{hook.url}") or {"seq": last, "failures": 0, "last_error": None}
        hooks.append({"url": hook.url, "behind": last - reader["seq"], "failures": reader["failures"],
                      "last_error": reader["last_error"] or ""})
    return render("admin/notifications.html", words_of=WORDS, dead=dead, hooks=hooks,
                  counts={state: counts.get(state, 0) for state in ("pending", "sent", "dead")})
