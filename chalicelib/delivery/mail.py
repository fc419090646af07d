"""Email to leadership: MIME building, size fitting, and three ways to send.

Imported by API Lambdas too: boto3, smtplib and ssl are imported only when used.
"""

from __future__ import annotations

import email.policy
import email.utils
import functools
import hashlib
import html as html_lib
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from chalicelib.delivery.artifacts import atomic_write

# SES API v2 and SMTP accept 40 MB per message *after* MIME/base64 encoding
# (SES v1 SendRawEmail: 10 MB). docs.aws.amazon.com/ses/latest/dg/quotas.html
SES_LIMIT = 40_000_000
# What we aim for by default: the receiving side is the narrower pipe. Many
# mail servers (government ones included) still reject messages over ~10 MB,
# and a link costs the reader one click while a bounce costs the whole report.
DEFAULT_MESSAGE_LIMIT = 10_000_000
DEFAULT_OUTBOX = "out/outbox"
DEFAULT_SENDER = "Văn phòng Bộ Công an <thidua@localhost>"  # a display name: readers see who writes
# Room kept for headers, text/html bodies and MIME boundaries when estimating.
_BODY_RESERVE = 64_000
# SMTP waits. A mail server that accepts the connection and then hangs must not hold the caller: a
# review answers inside API Gateway's 29 s. Each connect, reply and send waits at most the timeout
# (THIDUA_SMTP_TIMEOUT); one message's whole conversation at most CONVERSATION_TIMEOUTS of them, plus
# the time its bytes take at MIN_UPLOAD_RATE (a 10 MB compile email gets 40 s more, a note 0.1 s).
DEFAULT_SMTP_TIMEOUT = 5.0
CONVERSATION_TIMEOUTS = 3
MIN_UPLOAD_RATE = 250_000  # bytes per second

LINKS_INTRO = "Tệp đính kèm vượt quá giới hạn dung lượng thư, vui lòng tải về tại:"

# Set by build_message itself; callers' extra headers (Cc, Bcc, X-...) may not replace them.
_RESERVED_HEADERS = {
    "from", "to", "subject", "message-id", "mime-version",
    "content-type", "content-transfer-encoding",
}


class MessageTooLarge(ValueError):
    """The message cannot be brought under the size limit."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class DownloadLink:
    filename: str
    url: str
    size: int


def default_sender(env: Mapping[str, str] = os.environ) -> str:
    """THIDUA_MAIL_FROM, e.g. 'Văn phòng Thi đua <thidua@bocongan.gov.vn>'."""
    return (env.get("THIDUA_MAIL_FROM") or "").strip() or DEFAULT_SENDER


def make_message_id(*parts: str, domain: str) -> str:
    """A Message-ID that is the same for the same parts (e.g. document version and
    recipient), so a retried send can be recognised and deduplicated downstream."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def message_bytes(message: EmailMessage) -> bytes:
    """The wire form (CRLF line endings), as SMTP and SES will carry it."""
    return message.as_bytes(policy=email.policy.SMTP)


def _format_size(size: int) -> str:
    # Vietnamese decimal comma: 12,6 MB
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1000))} KB"


def with_download_links(text: str, html: str, links: Sequence[DownloadLink]) -> tuple[str, str]:
    """Append the Vietnamese 'download here instead' paragraph to both bodies."""
    if not links:
        return text, html
    lines = [f"- {link.filename} ({_format_size(link.size)}): {link.url}" for link in links]
    text_out = text.rstrip("\n") + "\n\n" + LINKS_INTRO + "\n" + "\n".join(lines) + "\n"
    esc = html_lib.escape
    items = "".join(
        f'<li><a href="{esc(link.url)}">{esc(link.filename)}</a> ({_format_size(link.size)})</li>'
        for link in links
    )
    block = f"<p>{esc(LINKS_INTRO)}</p><ul>{items}</ul>"
    # Inside <body> when there is one, so the HTML stays well formed.
    idx = html.lower().rfind("</body>")
    html_out = html[:idx] + block + html[idx:] if idx >= 0 else html + block
    return text_out, html_out


def build_message(
    *,
    sender: str,
    to: Sequence[str | Address],
    subject: str,
    text: str,
    html: str,
    attachments: Sequence[Attachment] = (),
    links: Sequence[DownloadLink] = (),
    message_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """multipart/alternative (text, html), wrapped in multipart/mixed when there are
    attachments. Links, if any, are listed at the end of both bodies.

    `to`: `Address` objects (a display name with a comma or brackets stays one mailbox: the
    standard library quotes it) or header text."""
    if not to:
        raise ValueError("a message needs at least one recipient")
    text, html = with_download_links(text, html, links)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = list(to) if all(isinstance(a, Address) for a in to) else ", ".join(str(a) for a in to)
    msg["Subject"] = subject
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain=domain)
    extra = dict(headers or {})
    for name in extra:
        if name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"header {name!r} is set by build_message")
    if not any(n.lower() == "date" for n in extra):
        msg["Date"] = email.utils.format_datetime(datetime.now(timezone.utc))
    if not any(n.lower() == "auto-submitted" for n in extra):
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    for name, value in extra.items():
        msg[name] = value
    # Explicit 7-bit-safe encodings: the default policy would pick 8bit, which
    # needs 8BITMIME on every SMTP hop and which SES asks us to avoid.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for att in attachments:
        maintype, _, subtype = att.content_type.partition("/")
        # The stdlib writes non-ASCII filenames as RFC 2231 filename*=utf-8''...
        msg.add_attachment(
            att.data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename
        )
    return msg


def encoded_size(attachment: Attachment) -> int:
    """Upper bound of an attachment's size in the message: base64 in 76-char
    lines with CRLF, plus its MIME headers."""
    b64 = 4 * ((len(attachment.data) + 2) // 3)
    lines = (b64 + 75) // 76
    return b64 + 2 * lines + 400 + 3 * len(attachment.filename.encode("utf-8"))


def fit_attachments(
    attachments: Sequence[Attachment],
    links_for: Callable[[Attachment], DownloadLink],
    limit_bytes: int = DEFAULT_MESSAGE_LIMIT,
    reserve_bytes: int = _BODY_RESERVE,
) -> tuple[list[Attachment], list[DownloadLink]]:
    """Replace the largest attachments by download links until the rest fits.

    `links_for` is called only for the attachments that are moved out (typically
    it presigns the artifact's URL). Order of the kept attachments is preserved.
    """
    budget = limit_bytes - reserve_bytes
    kept = list(attachments)
    moved: list[Attachment] = []
    while kept and sum(encoded_size(a) for a in kept) > budget:
        largest = max(kept, key=lambda a: len(a.data))
        kept.remove(largest)
        moved.append(largest)
    return kept, [links_for(a) for a in moved]


def build_fitted_message(
    *,
    links_for: Callable[[Attachment], DownloadLink],
    limit_bytes: int = DEFAULT_MESSAGE_LIMIT,
    attachments: Sequence[Attachment] = (),
    links: Sequence[DownloadLink] = (),
    **kwargs: Any,
) -> EmailMessage:
    """build_message, with attachments moved to links as needed so the encoded
    message is at most `limit_bytes` (checked on the real bytes, not estimated)."""
    kept, moved = fit_attachments(attachments, links_for, limit_bytes)
    all_links = [*links, *moved]
    while True:
        msg = build_message(attachments=kept, links=all_links, **kwargs)
        if len(message_bytes(msg)) <= limit_bytes:
            return msg
        if not kept:
            raise MessageTooLarge(f"message exceeds {limit_bytes} bytes even without attachments")
        largest = max(kept, key=lambda a: len(a.data))
        kept.remove(largest)
        all_links.append(links_for(largest))


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    """The envelope addresses of these headers, from the parsed header where there is one (a quoted
    display name may hold a comma), else from its text."""
    found: list[str] = []
    for value in (v for h in names for v in message.get_all(h, [])):
        parsed = getattr(value, "addresses", None)
        if parsed is not None:
            found += [a.addr_spec for a in parsed if a.username and a.domain]
        else:
            found += [addr for _, addr in email.utils.getaddresses([str(value)]) if addr]
    return found


def _recipients(message: EmailMessage) -> list[str]:
    return _addresses(message, "To", "Cc", "Bcc")


def _without_bcc(message: EmailMessage) -> bytes:
    if "Bcc" not in message:
        return message_bytes(message)
    copy = email.message_from_bytes(message_bytes(message), _class=EmailMessage, policy=email.policy.SMTP)
    del copy["Bcc"]
    return message_bytes(copy)


@runtime_checkable
class Mailer(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send and return the provider's message id."""
        ...


class OutboxMailer:
    """Writes each message as <timestamp>-<message-id>.eml: the local default,
    and a record a person can open in any mail client."""

    def __init__(self, folder: Path | str = DEFAULT_OUTBOX) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = str(message.get("Message-ID") or "").strip()
        if not message_id:
            message_id = email.utils.make_msgid(domain="outbox.invalid")
            message["Message-ID"] = message_id
        safe = re.sub(r"[^A-Za-z0-9._@-]+", "_", message_id.strip("<>"))[:120] or "message"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{safe}.eml"
        atomic_write(path, message_bytes(message))
        return message_id


@functools.cache
def _bounded_smtp() -> type:
    """smtplib.SMTP whose every wait is also cut to what is left of one message's budget
    (made on first use: smtplib pulls in ssl)."""
    import smtplib

    class BoundedSMTP(smtplib.SMTP):
        def __init__(self, host: str, port: int, *, timeout: float, deadline: float) -> None:
            self.deadline = deadline
            super().__init__(host, port, timeout=timeout)

        def _wait(self, wanted: float) -> float:
            # Past the deadline a tiny wait, not an error of our own: smtplib then fails the way it
            # does on any timeout (closing the socket, SMTPServerDisconnected).
            return max(0.001, min(wanted, self.deadline - time.monotonic()))

        def _get_socket(self, host: str, port: int, timeout: float) -> Any:
            return super()._get_socket(host, port, self._wait(timeout))

        def send(self, s: Any) -> None:
            if self.sock:
                self.sock.settimeout(self._wait(self.timeout + len(s) / MIN_UPLOAD_RATE))
            super().send(s)

        def getreply(self) -> tuple[int, bytes]:
            if self.sock:
                self.sock.settimeout(self._wait(self.timeout))
            return super().getreply()

    return BoundedSMTP


class SmtpMailer:
    """Plain SMTP, optionally upgraded with STARTTLS and authenticated; every wait bounded."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = DEFAULT_SMTP_TIMEOUT,
        ssl_context: Any | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.ssl_context = ssl_context

    def send(self, message: EmailMessage) -> str:
        import smtplib  # lazy: pulls in ssl

        recipients = _recipients(message)
        sender = email.utils.parseaddr(str(message["From"]))[1]
        raw = _without_bcc(message)
        budget = CONVERSATION_TIMEOUTS * self.timeout + len(raw) / MIN_UPLOAD_RATE
        smtp = _bounded_smtp()(self.host, self.port, timeout=self.timeout, deadline=time.monotonic() + budget)
        try:
            if self.starttls:
                import ssl

                smtp.starttls(context=self.ssl_context or ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            refused = smtp.sendmail(sender, recipients, raw)
            try:
                smtp.quit()  # the message is accepted: a server slow to say goodbye changes nothing
            except (smtplib.SMTPException, OSError):
                pass
        finally:
            smtp.close()  # after a failure no QUIT: a hung server would only make us wait again
        if refused:
            # Partial delivery: say who was refused rather than pretend all is well.
            raise smtplib.SMTPRecipientsRefused(refused)
        return str(message["Message-ID"])


class SesMailer:
    """Amazon SES API v2 SendEmail with Content.Raw (our own MIME)."""

    def __init__(
        self,
        client: Any | None = None,
        configuration_set: str | None = None,
        region_name: str | None = None,
    ) -> None:
        self._client = client
        self.configuration_set = configuration_set
        self.region_name = region_name

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # lazy: API Lambdas import this module
            from botocore.config import Config

            self._client = boto3.client(
                "sesv2", region_name=self.region_name, config=Config(retries={"mode": "standard"})
            )
        return self._client

    def send(self, message: EmailMessage) -> str:
        raw = _without_bcc(message)
        if len(raw) > SES_LIMIT:
            raise MessageTooLarge(f"{len(raw)} bytes exceeds the SES limit of {SES_LIMIT}")
        kwargs: dict[str, Any] = {
            "FromEmailAddress": email.utils.parseaddr(str(message["From"]))[1],
            # Explicit envelope, as with SMTP; Bcc is stripped from the raw bytes.
            "Destination": {
                k: v
                for k, v in (
                    ("ToAddresses", _addresses(message, "To")),
                    ("CcAddresses", _addresses(message, "Cc")),
                    ("BccAddresses", _addresses(message, "Bcc")),
                )
                if v
            },
            "Content": {"Raw": {"Data": raw}},
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        return self.client.send_email(**kwargs)["MessageId"]


def mailer_from_env(env: Mapping[str, str] = os.environ) -> Mailer:
    """THIDUA_MAIL: "outbox[:<folder>]" (default outbox:out/outbox),
    "smtp://[user:pass@]host[:port]", "smtp+starttls://...", or "ses".
    For SMTP also THIDUA_SMTP_TIMEOUT (seconds, default 5); for SES THIDUA_SES_REGION and
    THIDUA_SES_CONFIGURATION_SET."""
    spec = (env.get("THIDUA_MAIL") or f"outbox:{DEFAULT_OUTBOX}").strip()
    if spec == "outbox" or spec.startswith("outbox:"):
        return OutboxMailer(Path(spec.partition(":")[2] or DEFAULT_OUTBOX))
    if spec == "ses":
        return SesMailer(
            configuration_set=env.get("THIDUA_SES_CONFIGURATION_SET") or None,
            region_name=env.get("THIDUA_SES_REGION") or None,
        )
    url = urlsplit(spec)
    if url.scheme in ("smtp", "smtp+starttls"):
        if not url.hostname:
            raise ValueError(f"THIDUA_MAIL has no host: {spec!r}")
        starttls = url.scheme == "smtp+starttls"
        return SmtpMailer(
            url.hostname,
            url.port or (587 if starttls else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            starttls=starttls,
            timeout=_smtp_timeout(env),
        )
    raise ValueError(f"THIDUA_MAIL: unsupported value {spec!r}")


def _smtp_timeout(env: Mapping[str, str]) -> float:
    raw = (env.get("THIDUA_SMTP_TIMEOUT") or "").strip()
    try:
        value = float(raw) if raw else DEFAULT_SMTP_TIMEOUT
    except ValueError:
        value = math.nan
    if not 0 < value < 3600:
        raise ValueError(f"THIDUA_SMTP_TIMEOUT must be a number of seconds above 0, not {raw!r}")
    return value


def mailer_for(settings: Any) -> Mailer:
    """The mailer a `chalicelib.core.settings.Settings` names."""
    return mailer_from_env({"THIDUA_MAIL": settings.mail, "THIDUA_SES_REGION": settings.ses_region or "",
                            "THIDUA_SES_CONFIGURATION_SET": settings.ses_configuration_set or "",
                            "THIDUA_SMTP_TIMEOUT": str(settings.smtp_timeout)})
