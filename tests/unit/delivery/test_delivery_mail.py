"""Message building, size fitting, outbox and configuration of the mailers."""

from __future__ import annotations

import email.policy
import os
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from chalicelib.delivery.mail import (
    DEFAULT_MESSAGE_LIMIT,
    LINKS_INTRO,
    SES_LIMIT,
    Attachment,
    DownloadLink,
    Mailer,
    MessageTooLarge,
    OutboxMailer,
    SesMailer,
    SmtpMailer,
    build_fitted_message,
    build_message,
    default_sender,
    fit_attachments,
    mailer_from_env,
    make_message_id,
    message_bytes,
    with_download_links,
)

SENDER = "Văn phòng Thi đua - Khen thưởng <thidua@bocongan.gov.vn>"
SUBJECT = "Báo cáo tổng hợp kết quả công tác phòng, chống dịch COVID-19 năm 2021"
TEXT = "Kính gửi đồng chí Thứ trưởng,\n\nBáo cáo tổng hợp được gửi kèm theo thư này.\n"
HTML = "<html><body><p>Kính gửi đồng chí Thứ trưởng,</p><p>Báo cáo tổng hợp được gửi kèm.</p></body></html>"
PDF_NAME = "Báo cáo tổng hợp số 07-BC-BCA ngày 05 tháng 8 năm 2021.pdf"
PDF = b"%PDF-1.7\n" + os.urandom(50_000) + b"\n%%EOF\n"


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(raw)


def link_for(att: Attachment) -> DownloadLink:
    return DownloadLink(att.filename, f"https://docs.example.gov.vn/a/{len(att.data)}?sig=x&y=1", len(att.data))


def test_build_message_structure_and_vietnamese_round_trip() -> None:
    msg = build_message(
        sender=SENDER, to=["lanhdao@bocongan.gov.vn"], subject=SUBJECT, text=TEXT, html=HTML,
        attachments=[Attachment(PDF_NAME, PDF), Attachment("Danh sách khen thưởng.pdf", b"%PDF-2")],
        message_id="<abc.123@bocongan.gov.vn>", headers={"X-Thidua-Document": "summary/v3"},
    )
    raw = message_bytes(msg)
    assert raw.isascii()  # 7-bit clean: no 8BITMIME/SMTPUTF8 needed on any hop
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")

    back = parse(raw)
    assert back["Subject"] == SUBJECT
    assert back["From"].addresses[0].display_name == "Văn phòng Thi đua - Khen thưởng"
    assert back["Message-ID"] == "<abc.123@bocongan.gov.vn>"
    assert back["X-Thidua-Document"] == "summary/v3"
    assert back["Auto-Submitted"] == "auto-generated"
    assert back["Date"] is not None

    assert back.get_content_type() == "multipart/mixed"
    parts = list(back.iter_parts())
    assert parts[0].get_content_type() == "multipart/alternative"
    plain, html = list(parts[0].iter_parts())
    assert (plain.get_content_type(), plain.get_content_charset()) == ("text/plain", "utf-8")
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert "Báo cáo tổng hợp" in plain.get_content()
    assert "Báo cáo tổng hợp" in html.get_content()

    attachments = list(back.iter_attachments())
    assert [a.get_filename() for a in attachments] == [PDF_NAME, "Danh sách khen thưởng.pdf"]
    assert all(a.get_content_type() == "application/pdf" for a in attachments)
    assert attachments[0].get_content() == PDF
    assert attachments[1].get_content() == b"%PDF-2"


def test_build_message_without_attachments_is_alternative() -> None:
    msg = build_message(sender=SENDER, to=["a@x.vn", "b@x.vn"], subject=SUBJECT, text=TEXT, html=HTML)
    back = parse(message_bytes(msg))
    assert back.get_content_type() == "multipart/alternative"
    assert [a.addr_spec for a in back["To"].addresses] == ["a@x.vn", "b@x.vn"]
    assert back["Message-ID"].endswith("@bocongan.gov.vn>")  # generated, sender's domain


def test_build_message_refuses_structural_or_injected_headers() -> None:
    kwargs = dict(sender=SENDER, to=["a@x.vn"], subject=SUBJECT, text=TEXT, html=HTML)
    with pytest.raises(ValueError):
        build_message(**kwargs, headers={"Content-Type": "text/plain"})
    with pytest.raises(ValueError):
        build_message(**kwargs, headers={"X-Note": "a\r\nBcc: victim@x.vn"})
    with pytest.raises(ValueError):
        build_message(**{**kwargs, "to": []})


def test_message_id_is_deterministic() -> None:
    a = make_message_id("hn-2021", "summary", "v3", "lanhdao@bocongan.gov.vn", domain="bocongan.gov.vn")
    assert a == make_message_id("hn-2021", "summary", "v3", "lanhdao@bocongan.gov.vn", domain="bocongan.gov.vn")
    assert a != make_message_id("hn-2021", "summary", "v4", "lanhdao@bocongan.gov.vn", domain="bocongan.gov.vn")
    # Parts are separated, not concatenated: ("ab","c") is not ("a","bc").
    assert make_message_id("ab", "c", domain="d") != make_message_id("a", "bc", domain="d")
    assert a.startswith("<") and a.endswith("@bocongan.gov.vn>")


def test_with_download_links_text_and_escaped_html() -> None:
    link = DownloadLink("Báo cáo <tổng hợp>.pdf", "https://x.vn/f?a=1&b=2", 12_600_000)
    text, html = with_download_links(TEXT, HTML, [link])
    assert LINKS_INTRO in text and "https://x.vn/f?a=1&b=2" in text and "12,6 MB" in text
    assert html.endswith("</body></html>")  # inserted inside <body>
    assert 'href="https://x.vn/f?a=1&amp;b=2"' in html
    assert "Báo cáo &lt;tổng hợp&gt;.pdf" in html
    assert with_download_links(TEXT, HTML, []) == (TEXT, HTML)


def test_limits_are_the_documented_ones() -> None:
    assert SES_LIMIT == 40_000_000  # SES API v2 / SMTP, after encoding
    assert DEFAULT_MESSAGE_LIMIT == 10_000_000


def test_oversized_attachment_becomes_link_and_message_fits() -> None:
    big = Attachment("Phụ lục số liệu chi tiết.pdf", b"%PDF" + os.urandom(12_000_000))
    small = Attachment(PDF_NAME, PDF)
    asked: list[str] = []

    def links_for(att: Attachment) -> DownloadLink:
        asked.append(att.filename)
        return link_for(att)

    msg = build_fitted_message(
        sender=SENDER, to=["lanhdao@bocongan.gov.vn"], subject=SUBJECT, text=TEXT, html=HTML,
        attachments=[big, small], links_for=links_for,
    )
    raw = message_bytes(msg)
    assert len(raw) <= DEFAULT_MESSAGE_LIMIT
    assert asked == [big.filename]  # only the big one is linked

    back = parse(raw)
    assert [a.get_filename() for a in back.iter_attachments()] == [PDF_NAME]
    plain, html = list(next(back.iter_parts()).iter_parts())
    url = link_for(big).url
    assert LINKS_INTRO in plain.get_content() and url in plain.get_content()
    assert "Phụ lục số liệu chi tiết.pdf" in html.get_content()
    assert url.replace("&", "&amp;") in html.get_content()


def test_fit_attachments_moves_largest_first_and_keeps_order() -> None:
    atts = [Attachment(f"{n}.pdf", b"x" * size) for n, size in
            [("a", 3_000_000), ("b", 5_000_000), ("c", 1_000_000), ("d", 4_000_000)]]
    kept, links = fit_attachments(atts, link_for, limit_bytes=10_000_000)
    # base64 makes 3+5+1+4 MB about 17.3 MB: dropping b (5) and d (4) leaves ~5.3 MB.
    assert [a.filename for a in kept] == ["a.pdf", "c.pdf"]
    assert [link.filename for link in links] == ["b.pdf", "d.pdf"]
    kept_all, none = fit_attachments(atts, link_for, limit_bytes=SES_LIMIT)
    assert kept_all == atts and none == []


def test_fitted_message_too_large_without_attachments() -> None:
    with pytest.raises(MessageTooLarge):
        build_fitted_message(
            sender=SENDER, to=["a@x.vn"], subject=SUBJECT, text="x" * 50_000, html=HTML,
            links_for=link_for, limit_bytes=20_000,
        )


def test_outbox_writes_one_parseable_eml_per_send(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox")
    ids = []
    for n in range(3):
        msg = build_message(
            sender=SENDER, to=[f"leader{n}@bocongan.gov.vn"], subject=SUBJECT, text=TEXT, html=HTML,
            attachments=[Attachment(PDF_NAME, PDF)],
            message_id=make_message_id("hn-2021", "v1", str(n), domain="bocongan.gov.vn"),
        )
        ids.append(outbox.send(msg))

    files = sorted((tmp_path / "outbox").iterdir())
    assert [f.suffix for f in files] == [".eml"] * 3  # and no temp files
    for path, message_id, n in zip(files, ids, range(3)):
        assert message_id.strip("<>").split("@")[0] in path.name
        back = parse(path.read_bytes())
        assert back["Message-ID"] == message_id
        assert back["Subject"] == SUBJECT
        assert back["To"].addresses[0].addr_spec == f"leader{n}@bocongan.gov.vn"
        assert next(back.iter_attachments()).get_content() == PDF


def test_default_sender() -> None:
    # issue 18: the sender has a display name (readers see the office, not a bare address)
    assert default_sender({}) == "Văn phòng Bộ Công an <thidua@localhost>"
    assert default_sender({"THIDUA_MAIL_FROM": SENDER}) == SENDER


def test_mailer_from_env() -> None:
    default = mailer_from_env({})
    assert isinstance(default, OutboxMailer) and default.folder == Path("out/outbox")
    custom = mailer_from_env({"THIDUA_MAIL": "outbox:/tmp/thidua-mail"})
    assert isinstance(custom, OutboxMailer) and custom.folder == Path("/tmp/thidua-mail")

    plain = mailer_from_env({"THIDUA_MAIL": "smtp://mail.local:2525"})
    assert isinstance(plain, SmtpMailer)
    assert (plain.host, plain.port, plain.username, plain.starttls) == ("mail.local", 2525, None, False)

    auth = mailer_from_env({"THIDUA_MAIL": "smtp+starttls://thidua%40bca:p%40ss%3Aw@smtp.bca.gov.vn"})
    assert isinstance(auth, SmtpMailer)
    assert (auth.host, auth.port, auth.username, auth.password, auth.starttls) == (
        "smtp.bca.gov.vn", 587, "thidua@bca", "p@ss:w", True)

    ses = mailer_from_env({"THIDUA_MAIL": "ses", "THIDUA_SES_CONFIGURATION_SET": "thidua",
                           "THIDUA_SES_REGION": "ap-southeast-1"})
    assert isinstance(ses, SesMailer)
    assert (ses.configuration_set, ses.region_name, ses._client) == ("thidua", "ap-southeast-1", None)
    assert all(isinstance(m, Mailer) for m in (default, plain, ses))

    for bad in ("smtp://", "sendmail", "http://x"):
        with pytest.raises(ValueError):
            mailer_from_env({"THIDUA_MAIL": bad})


def test_defect_4_a_display_name_with_a_comma_or_brackets_stays_one_mailbox() -> None:
    from email.headerregistry import Address

    to = Address("Cục Y tế, Bộ Công an <CYT>", addr_spec="yte@bca.gov.vn")
    msg = build_message(sender=SENDER, to=[to], subject=SUBJECT, text=TEXT, html=HTML)
    raw = message_bytes(msg)
    assert raw.isascii()
    [back] = parse(raw)["To"].addresses
    assert (back.display_name, back.addr_spec) == ("Cục Y tế, Bộ Công an <CYT>", "yte@bca.gov.vn")

    class Client:
        def send_email(self, **kwargs):
            self.kwargs = kwargs
            return {"MessageId": "ses-1"}

    client = Client()
    SesMailer(client=client).send(msg)  # the envelope SES is given: the one address
    assert client.kwargs["Destination"] == {"ToAddresses": ["yte@bca.gov.vn"]}


def test_defect_9_the_smtp_timeout_is_a_short_setting() -> None:
    from chalicelib.core.settings import settings
    from chalicelib.delivery.mail import mailer_for

    assert mailer_from_env({"THIDUA_MAIL": "smtp://mail.local:2525"}).timeout == 5
    assert mailer_from_env({"THIDUA_MAIL": "smtp://mail.local:2525", "THIDUA_SMTP_TIMEOUT": "2.5"}).timeout == 2.5
    conf = settings({"THIDUA_MAIL": "smtp+starttls://mail.local", "THIDUA_SMTP_TIMEOUT": "3"})
    assert conf.smtp_timeout == 3 and mailer_for(conf).timeout == 3
    assert settings({}).smtp_timeout == 5
    for bad in ("0", "-1", "năm", "inf"):
        with pytest.raises(ValueError):
            mailer_from_env({"THIDUA_MAIL": "smtp://mail.local", "THIDUA_SMTP_TIMEOUT": bad})
