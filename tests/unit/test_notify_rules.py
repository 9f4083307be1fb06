"""core/notify_rules.py and core/notify_settings.py: phone numbers, masks, templates, backoff, [notify] errors."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone

import pytest

from core.config_reader import ConfigError, Table
from core.errors import QueueError
from core.notify_rules import (ahead_due, mask, normalise_phone, phone_for_gateway, queue_values, render,
                               retry_at, without_diacritics)
from core.notify_settings import DEFAULT_TEMPLATES, parse_notify


@pytest.mark.parametrize("typed, kept", [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("091.234.5678", "0912345678"),
    ("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"), ("(039) 123-4567", "0391234567"),
    ("0587654321", "0587654321"), ("0701234567", "0701234567"), ("0861234567", "0861234567"),
])
def test_vietnamese_mobile_numbers_are_kept_as_0_and_nine_digits(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.parametrize("typed", ["", "0112345678", "0212345678", "091234567", "09123456789", "+1 912 345 678",
                                   "0912a45678", "0" * 30, "09١٢٣٤٥٦٧٨", "０９１２３４５６７８", None, 912345678, "0912345678\n0912345678"])
def test_anything_else_is_invalid_phone_with_a_vietnamese_message(typed):
    with pytest.raises(QueueError) as refused:
        normalise_phone(typed)
    assert refused.value.code == "invalid_phone" and "Số điện thoại" in refused.value.message


def test_gateway_formats_and_masks():
    assert phone_for_gateway("0912345678", "84") == "84912345678"
    assert phone_for_gateway("0912345678", "+84") == "+84912345678"
    assert phone_for_gateway("0912345678", "0") == "0912345678"
    assert mask("0912345678") == "09******78"
    assert mask("lan.nguyen@example.vn") == "l***@example.vn"


def test_render_fills_known_placeholders_only_and_never_reaches_attributes():
    assert render("Số {number} đến {counter}.", {"number": "A007", "counter": "quầy số 5"}) == "Số A007 đến quầy số 5."
    assert render('{"to": "{phone}"} {x.__class__} {unknown}', {"phone": "84"}) == '{"to": "84"} {x.__class__} {unknown}'


def test_without_diacritics():
    assert without_diacritics("Mời bạn đến quầy số 5. Đã có kết quả") == "Moi ban den quay so 5. Da co ket qua"


def test_backoff_doubles_up_to_the_maximum():
    now = datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)
    assert [(retry_at(now, n, 10, 60) - now).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_ahead_is_due_once_within_the_setting_and_not_with_nobody_ahead():
    waiting = {"status": "waiting", "position": 3}
    assert ahead_due(waiting, 3, already_sent=False)
    assert not ahead_due(waiting, 3, already_sent=True)
    assert not ahead_due({"status": "waiting", "position": 4}, 3, already_sent=False)
    assert not ahead_due({"status": "waiting", "position": 0}, 3, already_sent=False)
    assert not ahead_due({"status": "called", "position": None}, 3, already_sent=False)
    assert ahead_due({"status": "transferred", "position": 1}, 3, already_sent=False)


def test_queue_values_say_the_counter_inside_a_sentence():
    values = queue_values({"number": "A007", "position": 2, "service": "KS", "service_name": "Đăng ký khai sinh",
                           "counter": "5", "counter_name": "Quầy số 5"}, "Trung tâm")
    assert render(DEFAULT_TEMPLATES["called"], values) == "Trung tâm: mời bạn số A007 đến quầy số 5."
    assert "còn 2 người nữa" in render(DEFAULT_TEMPLATES["ahead"], values)


def _notify(text: str):
    return parse_notify(Table(tomllib.loads(text).get("notify", {}), "notify"))


def test_no_notify_table_sends_nothing_and_offers_no_phone_field():
    options = _notify("")
    assert options.ahead == 3 and not options.phones and options.webhooks == ()
    assert options.templates == DEFAULT_TEMPLATES


@pytest.mark.parametrize("text, path", [
    ('[notify]\nahead = 0', "notify.ahead"),
    ('[notify]\nahed = 3', "notify.ahed"),
    ('[notify.templates]\ncalled = "{number} {counterr}"', "notify.templates.called"),
    ('[notify.sms]\nurl = "ftp://x"', "notify.sms.url"),
    ('[notify.sms]\nurl = "fake"\nmethod = "DELETE"', "notify.sms.method"),
    ('[notify.sms]\nurl = "fake"\nphone_format = "0084"', "notify.sms.phone_format"),
    ('[notify.sms]\nurl = "fake"\nheaders = ["no colon"]', "notify.sms.headers"),
    ('[notify.sms]\nurl = "fake"\ntimeout_seconds = 600', "notify.sms.timeout_seconds"),
    ('[[notify.webhooks]]\nurl = "http://x/h"\nsecret = "short"', "notify.webhooks[0].secret"),
    ('[[notify.webhooks]]\nurl = "x"\nsecret = "0123456789abcdef"', "notify.webhooks[0].url"),
    ('[[notify.webhooks]]\nurl = "http://x/h"\nsecret = "0123456789abcdef"\n'
     '[[notify.webhooks]]\nurl = "http://x/h"\nsecret = "0123456789abcdef"', "notify.webhooks"),
])
def test_wrong_notify_keys_stop_the_server_naming_the_key(text, path):
    with pytest.raises(ConfigError) as refused:
        _notify(text)
    assert str(refused.value).startswith(path), str(refused.value)


def test_secrets_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("XH_TEST_SMS_KEY", "k-123")
    monkeypatch.setenv("XH_TEST_HOOK_SECRET", "0123456789abcdef-from-env")
    options = _notify('[notify.sms]\nurl = "fake"\nheaders = ["Authorization: env:XH_TEST_SMS_KEY", "X-A: b"]\n'
                      '[notify.email]\npassword = "env:XH_TEST_SMS_KEY"\n'
                      '[[notify.webhooks]]\nurl = "http://x/h"\nsecret = "env:XH_TEST_HOOK_SECRET"')
    assert options.sms.headers == ("Authorization: k-123", "X-A: b")
    assert options.email.password == "k-123" and options.webhooks[0].secret == "0123456789abcdef-from-env"
    with pytest.raises(ConfigError, match="notify.email.password: environment variable 'XH_NOPE' is not set"):
        _notify('[notify.email]\npassword = "env:XH_NOPE"')
