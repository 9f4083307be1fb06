""""Kết quả đã có" wired to the dossier lookup's hook (store.dossiers.ready_since): a dossier that becomes
ready is told once by SMS and e-mail (the demo's fake gateway and mailbox), one without contacts is skipped,
one made ready by the same import but saved a moment later is not lost."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from pathlib import Path

from store import dossiers as stored
from tests.conftest import poll_until

DOSSIER = {"code": "000.00.31.H99-261202-0001", "procedure": "Đăng ký khai sinh", "group": "Hộ tịch",
           "received": "2026-11-30", "due": "2026-12-03", "status": "processing", "step": "Đang thẩm định",
           "note": "Mời ông/bà đến quầy trả kết quả số 8.", "masked_name": "N*** V*** A", "phone": "0912 345 678",
           "email": "cong-dan@example.vn", "resolved": ""}


def outbox_rows(api) -> list[tuple]:
    with api.store.read() as tx:
        return [tuple(row) for row in tx.connection.execute(
            "SELECT channel, recipient, kind, state FROM notify_outbox ORDER BY id")]


def wait_sent(api, count: int) -> list[tuple]:
    """The outbox once `count` messages are sent (its rows carry no events: nothing pushes them)."""
    def sent():
        found = outbox_rows(api)
        return found if sum(row[3] == "sent" for row in found) >= count else None
    return poll_until(sent, what=f"{count} messages sent")


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def test_a_dossier_that_becomes_ready_is_told_once_by_sms_and_email(api):
    results = api.app.extensions["xephang_notify"].results
    assert results is not None  # config.toml: dossiers from imports, fake SMS gateway and mailbox
    now = datetime.now(timezone.utc)
    stored.save(api.store, [DOSSIER, {**DOSSIER, "code": "000.00.31.H99-261202-0002", "phone": "", "email": ""}],
                source="import", at=stamp(now))
    assert results.round() == 0                               # nobody's is ready yet
    ready = [{**DOSSIER, "status": "ready"}, {**DOSSIER, "code": "000.00.31.H99-261202-0002", "phone": "",
                                               "email": "", "status": "ready"}]
    stored.save(api.store, ready, source="import", at=stamp(now + timedelta(seconds=1)))
    assert results.round() == 2
    found = wait_sent(api, 2)
    assert found == [("sms", "0912345678", "result_ready", "sent"), ("email", "cong-dan@example.vn", "result_ready", "sent")]
    results.round()                                           # asked again (the overlap): said once
    assert len(outbox_rows(api)) == 2
    folder = Path(api.store.path).parent / "outbox"
    [sms] = (folder / "sms").iterdir()
    assert "kết quả hồ sơ 000.00.31.H99-261202-0001 (Đăng ký khai sinh) đã có. Mời ông/bà đến quầy trả kết quả số 8." \
        in sms.read_text(encoding="utf-8")
    [eml] = (folder / "mail").iterdir()
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Kết quả hồ sơ 000.00.31.H99-261202-0001 đã có"

    # The same import's next chunk, saved after the round, with the same ready_at: not lost.
    late = {**DOSSIER, "code": "000.00.31.H99-261202-0003", "phone": "0987654321", "email": "", "status": "ready"}
    stored.save(api.store, [late], source="import", at=stamp(now + timedelta(seconds=1)))
    results.round()
    found = wait_sent(api, 3)
    assert found[-1][:2] == ("sms", "0987654321")
