"""SesMailer through moto's SES v2 (there is no local SES server)."""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from email.parser import BytesParser
from typing import Any

import pytest

from chalicelib.delivery.mail import (
    SES_LIMIT,
    Attachment,
    MessageTooLarge,
    SesMailer,
    build_message,
    make_message_id,
)

REGION = "ap-southeast-1"
SENDER = "thidua@bocongan.gov.vn"
SUBJECT = "Báo cáo tổng hợp hội nghị sơ kết công tác phòng, chống dịch"
PDF_NAME = "Báo cáo tổng hợp.pdf"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 100


@pytest.fixture
def sesv2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        import boto3

        yield boto3.client("sesv2", region_name=REGION)


def sent_messages() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    # moto's SES v2 records into the v1 backend (documented as internal API).
    return ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages


def message(**extra: Any):
    return build_message(
        sender=f"Văn phòng Thi đua <{SENDER}>", to=["lanhdao@bocongan.gov.vn"], subject=SUBJECT,
        text="Báo cáo tổng hợp đính kèm.", html="<p>Báo cáo tổng hợp đính kèm.</p>",
        attachments=[Attachment(PDF_NAME, PDF)],
        message_id=make_message_id("hn-2021", "summary", "v1", "lanhdao", domain="bocongan.gov.vn"),
        **extra,
    )


def test_ses_sends_raw_message(sesv2: Any) -> None:
    sesv2.create_email_identity(EmailIdentity="bocongan.gov.vn")
    mailer = SesMailer(client=sesv2)

    message_id = mailer.send(message(headers={"Bcc": "luutru@bocongan.gov.vn"}))

    [sent] = sent_messages()
    assert message_id == sent.id
    assert sent.source == SENDER
    assert "lanhdao@bocongan.gov.vn" in sent.destinations
    assert "luutru@bocongan.gov.vn" in sent.destinations  # via Destination, not a header
    back = BytesParser(policy=email.policy.default).parsebytes(sent.raw_data.encode("ascii"))
    assert back["Subject"] == SUBJECT
    assert back["Bcc"] is None
    [att] = list(back.iter_attachments())
    assert (att.get_filename(), att.get_content()) == (PDF_NAME, PDF)


def test_ses_unverified_sender_is_rejected(sesv2: Any) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as err:
        SesMailer(client=sesv2).send(message())
    assert err.value.response["Error"]["Code"] == "MessageRejected"
    assert sent_messages() == []


class RecordingSes:
    """Fake sesv2 client: what moto does not check (configuration set, size)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        return {"MessageId": f"fake-{len(self.calls)}"}


def test_ses_request_shape_and_configuration_set() -> None:
    fake = RecordingSes()
    msg = message(headers={"Cc": "vanphong@bocongan.gov.vn"})
    assert SesMailer(client=fake, configuration_set="thidua-prod").send(msg) == "fake-1"
    [call] = fake.calls
    assert call["ConfigurationSetName"] == "thidua-prod"
    assert call["FromEmailAddress"] == SENDER
    assert call["Destination"] == {"ToAddresses": ["lanhdao@bocongan.gov.vn"],
                                   "CcAddresses": ["vanphong@bocongan.gov.vn"]}
    raw = call["Content"]["Raw"]["Data"]
    assert isinstance(raw, bytes) and b"\r\nSubject: " in raw


def test_ses_refuses_message_over_limit_before_calling() -> None:
    fake = RecordingSes()
    big = build_message(
        sender=SENDER, to=["lanhdao@bocongan.gov.vn"], subject=SUBJECT, text="x", html="<p>x</p>",
        attachments=[Attachment("lon.pdf", b"\0" * (SES_LIMIT * 3 // 4 + 1))],
    )
    with pytest.raises(MessageTooLarge):
        SesMailer(client=fake).send(big)
    assert fake.calls == []
