"""The outbox in-process (Flask's test client, the demo's fake channels): phone numbers kept for the day
only, "kết quả đã có" by e-mail into the fake mailbox, each thing said once, the hourly limit per recipient."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from store import outbox
from tests.conftest import poll_until
from tests.web.api_support import KIOSK


def leave_phone(api, ticket: dict, phone: str = "0912345678"):
    token = ticket["status_url"].rsplit("/", 1)[1]
    return api.client.post(f"/t/{token}/phone", json={"phone": phone, "consent": True})


def rows(api, sql: str, *params) -> list[tuple]:
    with api.store.read() as tx:
        return [tuple(row) for row in tx.connection.execute(sql, params)]


def wait_for_outbox(api, condition, timeout: float = 15.0) -> list[tuple]:
    """The outbox's rows once they satisfy `condition` (they carry no events: nothing pushes them)."""
    def look():
        found = rows(api, "SELECT kind, state, recipient FROM notify_outbox ORDER BY id")
        return found if condition(found) else None
    return poll_until(look, timeout=timeout, what="the outbox")


def test_phone_numbers_are_kept_for_their_day_only(api, clock):
    tickets = [api.issue() for _ in range(3)]
    assert leave_phone(api, tickets[2]).status_code == 201   # 2 ahead: "còn 2 người" at once
    found = wait_for_outbox(api, lambda found: found and found[0][1] == "sent")
    assert found == [("ahead", "sent", "0912345678")]
    sms = list((Path(api.store.path).parent / "outbox" / "sms").iterdir())
    assert len(sms) == 1 and "còn 2 người nữa đến lượt số A003" in sms[0].read_text(encoding="utf-8")
    assert rows(api, "SELECT phone FROM notify_phones") == [("0912345678",)]

    clock.advance(days=1)
    notifications = api.app.extensions["xephang_notify"]
    notifications.queue.phone_changed()  # wake its task now rather than within 5 s
    wait_for_outbox(api, lambda found: found == [("ahead", "sent", "09******78")])
    assert rows(api, "SELECT count(*) FROM notify_phones") == [(0,)]
    assert notifications.queue.purge_if_new_day() is None  # once a day


def test_result_ready_by_email_lands_in_the_fake_mailbox_once(api):
    notifications = api.app.extensions["xephang_notify"]
    arguments = dict(channel="email", recipient="lan@example.vn", kind="result_ready", ref="result:000.00.01.H10-1",
                     subject="Kết quả hồ sơ 000.00.01.H10-1 đã có", body="Kết quả hồ sơ đã có. Mời ông/bà đến quầy số 8.")
    assert notifications.send(**arguments) is True
    assert notifications.send(**arguments) is False          # the same ref: said once
    wait_for_outbox(api, lambda found: found == [("result_ready", "sent", "lan@example.vn")])
    [eml] = (Path(api.store.path).parent / "outbox" / "mail").iterdir()
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "lan@example.vn" and parsed["Subject"] == "Kết quả hồ sơ 000.00.01.H10-1 đã có"


def test_a_recipient_gets_at_most_the_hourly_limit_the_rest_waits(api):
    notifications = api.app.extensions["xephang_notify"]
    limit = api.engine.settings.notify.per_recipient_per_hour
    for n in range(limit + 2):
        notifications.send(channel="sms", recipient="0987654321", kind="result_ready", ref=f"r:{n}", body=f"Tin {n}")
    found = wait_for_outbox(api, lambda found: sum(state == "sent" for _, state, _ in found) == limit)
    assert [state for _, state, _ in found].count("pending") == 2
    with api.store.read() as tx:
        waiting = [row for row in outbox.due(tx.connection, "sms", "9999") if row["state"] == "pending"]
    sent_at = rows(api, "SELECT min(sent_at) FROM notify_outbox WHERE state = 'sent'")[0][0]
    assert all(row["next_at"] > sent_at and row["attempts"] == 0 for row in waiting)  # postponed, not failed


def test_the_phone_number_is_never_on_the_ticket_json_or_the_snapshot(api):
    ticket = api.issue()
    leave_phone(api, ticket, "0912 345 678")
    token = ticket["status_url"].rsplit("/", 1)[1]
    for path in (f"/t/{token}/state", "/api/state", f"/api/tickets/{ticket['id']}"):
        text = api.get(path, KIOSK).get_data(as_text=True)
        assert "0912345678" not in text and "912345678" not in text, path
    assert rows(api, "SELECT count(*) FROM events WHERE details LIKE '%912345678%'") == [(0,)]


def test_result_ready_goes_once_by_sms_and_email_and_skips_a_bad_number(api):
    notifications = api.app.extensions["xephang_notify"]
    ready = dict(code="000.00.01.H10-261202-0001", procedure="Đăng ký khai sinh", note="Mời ông/bà đến quầy số 8.")
    assert notifications.result_ready(**ready, phone="+84 912 345 678", email="lan@example.vn") == ["sms", "email"]
    assert notifications.result_ready(**ready, phone="0912345678", email="lan@example.vn") == []  # said once
    assert notifications.result_ready(**{**ready, "code": "X-2"}, phone="12345", email=None) == []
    found = wait_for_outbox(api, lambda found: [state for _, state, _ in found] == ["sent", "sent"])
    assert [recipient for _, _, recipient in found] == ["0912345678", "lan@example.vn"]
    [sms] = (Path(api.store.path).parent / "outbox" / "sms").iterdir()
    assert "kết quả hồ sơ 000.00.01.H10-261202-0001 (Đăng ký khai sinh) đã có. Mời ông/bà đến quầy số 8." in \
        sms.read_text(encoding="utf-8")


def test_the_console_lists_dead_letters_masked(api):
    with api.store.transaction() as tx:
        message_id = outbox.enqueue(tx.connection, channel="sms", recipient="0912345678", body="Mời bạn số A001",
                                    kind="called", ref="called:1:1", day="2026-11-23", now="2026-11-23T02:00:00.000+00:00",
                                    expires_at="2026-11-23T02:30:00.000+00:00")
        outbox.mark_failed(tx.connection, message_id, "TimeoutError: timed out", None)
    page = api.sign_in("quanly").client.get("/admin/notifications").get_data(as_text=True)
    assert "09******78" in page and "0912345678" not in page and "TimeoutError: timed out" in page
    assert "Mời đến quầy" in page and "Không gửi được: 1" in page
