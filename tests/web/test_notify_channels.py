"""The channels of notify/channels.py against real servers: aiosmtpd for SMTP, local HTTP gateways."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from core.notify_settings import EmailServer, SmsGateway
from notify.channels import FolderChannel, HttpSmsChannel, Message, SendError, SmtpChannel
from notify.webhooks import payload, signature
from tests.web.notify_support import HttpReceiver, Mailbox

TEXT = "Trung tâm: mời bạn số A007 đến quầy số 5."


@pytest.fixture
def gateway():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


def sms(**changes) -> Message:
    return dataclasses.replace(Message(channel="sms", recipient="0912345678", body=TEXT, ref="called:7:99"), **changes)


def test_json_gateway_gets_the_number_in_its_format_and_the_vietnamese_text(gateway):
    channel = HttpSmsChannel(SmsGateway(url=f"{gateway.url}/send", headers=("Authorization: Bearer k-123",),
                                        body='{"Phone": "{phone}", "Content": "{text}", "Id": "{ref}"}'))
    channel.send(sms(body='Số "A007" \\ đến quầy'))
    request = gateway.requests[0]
    assert request["method"] == "POST" and request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer k-123"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request["body"]) == {"Phone": "84912345678", "Content": 'Số "A007" \\ đến quầy', "Id": "called:7:99"}


def test_form_and_get_gateways_get_url_encoded_values(gateway):
    form = HttpSmsChannel(SmsGateway(url=f"{gateway.url}/f", content_type="application/x-www-form-urlencoded",
                                     body="to={phone}&msg={text}", phone_format="0", ascii=True))
    form.send(sms())
    assert parse_qs(gateway.requests[0]["body"].decode()) == {
        "to": ["0912345678"], "msg": ["Trung tam: moi ban so A007 den quay so 5."]}
    get = HttpSmsChannel(SmsGateway(url=f"{gateway.url}/g?to={{phone}}&text={{text}}", method="GET",
                                    phone_format="+84"))
    get.send(sms())
    query = parse_qs(urlsplit(gateway.requests[1]["path"]).query)
    assert query == {"to": ["+84912345678"], "text": [TEXT]} and gateway.requests[1]["body"] == b""


def test_a_500_or_an_answer_without_the_success_text_is_a_send_error(gateway):
    gateway.mode = "fail"
    with pytest.raises(SendError, match="500"):
        HttpSmsChannel(SmsGateway(url=gateway.url)).send(sms())
    gateway.mode, gateway.answer = "ok", b'{"CodeResult":"99","Error":"sai brandname"}'
    with pytest.raises(SendError, match="sai brandname"):
        HttpSmsChannel(SmsGateway(url=gateway.url, success_contains='"CodeResult":"100"')).send(sms())
    gateway.answer = b'{"CodeResult":"100"}'
    HttpSmsChannel(SmsGateway(url=gateway.url, success_contains='"CodeResult":"100"')).send(sms())


def test_a_hanging_gateway_fails_within_its_timeout(gateway):
    gateway.mode = "hang"
    began = time.monotonic()
    with pytest.raises(OSError):  # socket.timeout is an OSError
        HttpSmsChannel(SmsGateway(url=gateway.url, timeout_seconds=0.5)).send(sms())
    assert time.monotonic() - began < 3


def test_smtp_delivers_a_utf8_email_to_a_real_server(mailbox):
    server = EmailServer(host="127.0.0.1", port=mailbox.port, sender="Trung tâm <khong-tra-loi@tthc.example.vn>")
    SmtpChannel(server).send(Message(channel="email", recipient="lan@example.vn", subject="Kết quả hồ sơ 000.00.01 đã có",
                                     body="Kết quả hồ sơ đã có. Mời ông/bà đến quầy trả kết quả số 8."))
    mailbox.wait_for(1)
    sender, recipients, raw = mailbox.messages[0]
    assert sender == "khong-tra-loi@tthc.example.vn" and recipients == ["lan@example.vn"]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Kết quả hồ sơ 000.00.01 đã có"
    assert "quầy trả kết quả số 8" in parsed.get_content()


def test_smtp_refusing_the_connection_is_an_error_not_a_hang():
    from bench.server import free_port
    with pytest.raises(OSError):
        SmtpChannel(EmailServer(host="127.0.0.1", port=free_port(), timeout_seconds=1)).send(
            Message(channel="email", recipient="a@b.vn", body="x"))


def test_the_demo_folder_holds_the_exact_request_and_a_readable_eml(tmp_path):
    FolderChannel(tmp_path / "sms", HttpSmsChannel(SmsGateway(url="fake"))).send(sms())
    [request] = (tmp_path / "sms").iterdir()
    text = request.read_text(encoding="utf-8")
    assert text.startswith("POST fake\n") and json.loads(text.split("\n\n", 1)[1]) == {"to": "84912345678", "text": TEXT}
    FolderChannel(tmp_path / "mail", SmtpChannel(EmailServer(host="fake"))).send(
        Message(channel="email", recipient="a@b.vn", subject="Kết quả đã có", body="Đã có kết quả.", ref="r:1"))
    [eml] = (tmp_path / "mail").iterdir()
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert eml.suffix == ".eml" and parsed["Subject"] == "Kết quả đã có" and parsed.get_content().strip() == "Đã có kết quả."


def test_webhook_signature_is_hmac_sha256_of_the_raw_body():
    body = payload({"seq": 5, "at": "t", "kind": "called", "counter": "1", "service": "KS", "actor": "counter:1",
                    "details": {}}, {"id": 1, "number": "A001", "service": "KS", "status": "called", "day": "d"})
    expected = hmac.new(b"0123456789abcdef", body, hashlib.sha256).hexdigest()
    assert signature("0123456789abcdef", body) == f"sha256={expected}"
    assert json.loads(body)["ticket"]["number"] == "A001"
