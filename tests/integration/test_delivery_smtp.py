"""SmtpMailer against a real aiosmtpd server on loopback (plain, and STARTTLS + AUTH)."""

from __future__ import annotations

import datetime as dt
import email.policy
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterator
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from chalicelib.delivery.mail import Attachment, SmtpMailer, build_message, make_message_id
from helpers import SmtpRecorder, Tarpit

SUBJECT = "Danh sách đề nghị khen thưởng: Bằng khen của Bộ trưởng Bộ Công an"
PDF_NAME = "Tờ trình khen thưởng đợt 1.pdf"
PDF = b"%PDF-1.7\n" + os.urandom(300_000) + b"\r\n.\r\n%%EOF\n"  # dot-stuffing bait


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(handler: SmtpRecorder, **kwargs: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpRecorder, int]]:
    handler = SmtpRecorder()
    controller = start(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def message(to: list[str], **extra: Any):
    return build_message(
        sender="Văn phòng Thi đua <thidua@bocongan.gov.vn>", to=to, subject=SUBJECT,
        text="Kính gửi đồng chí Bộ trưởng.", html="<p>Kính gửi đồng chí Bộ trưởng.</p>",
        attachments=[Attachment(PDF_NAME, PDF)],
        message_id=make_message_id("hn-2021", "commendations", "v2", *to, domain="bocongan.gov.vn"),
        **extra,
    )


def test_smtp_delivers_to_real_server(smtp_server: tuple[SmtpRecorder, int]) -> None:
    handler, port = smtp_server
    to = ["botruong@bocongan.gov.vn", "thutruong@bocongan.gov.vn"]
    msg = message(to, headers={"Cc": "vanphong@bocongan.gov.vn", "Bcc": "luutru@bocongan.gov.vn"})

    provider_id = SmtpMailer("127.0.0.1", port, timeout=10).send(msg)

    assert provider_id == msg["Message-ID"]
    [envelope] = handler.envelopes
    assert envelope.mail_from == "thidua@bocongan.gov.vn"
    assert envelope.rcpt_tos == [*to, "vanphong@bocongan.gov.vn", "luutru@bocongan.gov.vn"]
    back = BytesParser(policy=email.policy.default).parsebytes(envelope.original_content)
    assert back["Subject"] == SUBJECT
    assert back["Message-ID"] == msg["Message-ID"]
    assert back["Bcc"] is None  # Bcc is envelope only, never shown to the others
    [att] = list(back.iter_attachments())
    assert att.get_filename() == PDF_NAME
    assert att.get_content() == PDF


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def test_smtp_starttls_and_auth(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[str, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = auth_data.login == b"thidua" and auth_data.password == b"Mat-khau:2021"
        if ok:
            logins.append((mechanism, auth_data.login))
        # handled=False: let aiosmtpd send the 535 reply itself on failure.
        return AuthResult(success=ok, handled=False)

    handler = SmtpRecorder()
    # The server refuses MAIL before STARTTLS and AUTH before TLS: a mailer that
    # skipped either step would fail here.
    controller = start(handler, tls_context=server_tls, require_starttls=True,
                       authenticator=authenticator, auth_required=True)
    try:
        client_tls = ssl.create_default_context(cafile=str(cert))
        mailer = SmtpMailer("127.0.0.1", controller.port, username="thidua", password="Mat-khau:2021",
                            starttls=True, timeout=10, ssl_context=client_tls)
        mailer.send(message(["botruong@bocongan.gov.vn"]))

        import smtplib

        wrong = SmtpMailer("127.0.0.1", controller.port, username="thidua", password="sai",
                           starttls=True, timeout=10, ssl_context=client_tls)
        with pytest.raises(smtplib.SMTPAuthenticationError):
            wrong.send(message(["botruong@bocongan.gov.vn"]))
        untrusted = SmtpMailer("127.0.0.1", controller.port, starttls=True, timeout=10)
        with pytest.raises(ssl.SSLCertVerificationError):  # default context verifies the cert
            untrusted.send(message(["botruong@bocongan.gov.vn"]))
    finally:
        controller.stop()

    assert [login for _, login in logins] == [b"thidua"]
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["botruong@bocongan.gov.vn"]
    back = BytesParser(policy=email.policy.default).parsebytes(envelope.original_content)
    assert back["Subject"] == SUBJECT
    assert next(back.iter_attachments()).get_content() == PDF


# -- defect 4: recipients whose display names hold a comma or angle brackets -----------------------

def test_defect_4_each_recipient_gets_one_message_to_exactly_their_address(store, smtp_server) -> None:
    """Through DynamoDB Local and a real SMTP server: the envelope and the parsed To: of every message."""
    from chalicelib.conferences import service
    from chalicelib.conferences.models import ConferenceIn
    from chalicelib.core.settings import settings
    from chalicelib.publishing import pipeline

    handler, port = smtp_server
    now = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
    conference = service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "recipients": ['"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Nguyễn Văn B"}}), now)
    expected = {"yte@bca.gov.vn": "Cục Y tế, Bộ Công an", "a@bca.gov.vn": "Nguyễn Văn A", "vp@bca.gov.vn": ""}
    render = lambda doc: f"%PDF-1.7 {doc.title}".encode()  # noqa: E731

    def run():
        return pipeline.compile_conference(store, conference["id"], conf=settings(), now=now,
                                           mailer=SmtpMailer("127.0.0.1", port, timeout=10), render=render,
                                           sign=lambda pdf, *a: pdf, docx=lambda doc: b"PK")

    # issue 18: only the issued document is mailed (the draft, submitted and approved, then issued)
    from helpers import issue_summary

    issue_summary(store, conference["id"], SmtpMailer("127.0.0.1", port, timeout=10), render, now)
    assert {e.rcpt_tos[0] for e in handler.envelopes} == set(expected)
    assert run().deliveries == {addr: "already_sent" for addr in expected}
    assert sorted(e.rcpt_tos for e in handler.envelopes) == sorted([addr] for addr in expected)
    for envelope in handler.envelopes:
        back = BytesParser(policy=email.policy.default).parsebytes(envelope.original_content)
        [to] = back["To"].addresses
        assert [to.addr_spec] == envelope.rcpt_tos and to.display_name == expected[to.addr_spec]


# -- defect 9: a mail server that hangs must not hold the caller --------------------------------------



@pytest.mark.parametrize("delay", [None, 0.8], ids=["silent", "drip"])
def test_defect_9_smtp_gives_up_within_its_budget_on_a_hung_or_dripping_server(delay: float | None) -> None:
    import time

    from chalicelib.delivery.mail import mailer_from_env

    server = Tarpit(delay)
    try:
        mailer = mailer_from_env({"THIDUA_MAIL": f"smtp://127.0.0.1:{server.port}", "THIDUA_SMTP_TIMEOUT": "1"})
        started = time.monotonic()
        with pytest.raises(Exception):
            mailer.send(build_message(sender="thidua@bocongan.gov.vn", to=["botruong@bocongan.gov.vn"],
                                      subject=SUBJECT, text="Kính gửi.", html="<p>Kính gửi.</p>"))
        took = time.monotonic() - started
    finally:
        server.close()
    # Silent: the greeting's wait, 1 s. Dripping: each reply within the 1 s, but 6 of them (greeting to the
    # end of DATA) take 4.8 s; one message's whole conversation is bounded by 3 timeouts plus its upload.
    assert took < (1.5 if delay is None else 3.5), took
