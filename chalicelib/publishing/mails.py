"""The lifecycle's own emails: trình ký (to the signer only, the draft attached) and trả lại (to the clerk).

Sent by the API after the step is committed (a failed send is logged: the step stands, and the
portal shows the signer what waits for them). Issued documents go out from the compile
(`pipeline.deliver`)."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.core.settings import Settings
from chalicelib.delivery import Attachment, build_message, default_sender, emails, make_message_id
from chalicelib.publishing import lifecycle
from chalicelib.publishing.names import attachment_name

log = logging.getLogger("thidua.documents")


def portal_link(conf: Settings, document_id: str) -> str:
    return f"{conf.public_base_url}/#/van-ban/{document_id}"


def signing_request(conf: Settings, conference: dict[str, Any], record: dict[str, Any], signer: dict[str, Any],
                    submitted_by: str, pdf: bytes, mailer: Any) -> str:
    """One email, to the signer only: "Trình ký: Quyết định về việc …", the draft attached."""
    subject = f"Trình ký: {lifecycle.about(record)}"[:200]
    context = {"subject": subject, "signer_name": signer.get("name") or "", "about": lifecycle.about(record),
               "conference": conference, "submitted_by": submitted_by, "link": portal_link(conf, record["document_id"]),
               "number_requested": None}
    text, html = emails.render("signing_request", **context)
    message = build_message(sender=default_sender(), to=[signer["email"]], subject=subject, text=text, html=html,
                            attachments=[Attachment(attachment_name(record), pdf, "application/pdf")],
                            message_id=make_message_id("submit", record["document_id"], signer["id"],
                                                       str(record.get("version")), domain="thidua"))
    return mailer.send(message)


def returned(conf: Settings, conference: dict[str, Any], record: dict[str, Any], clerk_email: str, signer_name: str,
             note: str, mailer: Any) -> str:
    subject = f"Trả lại: {lifecycle.about(record)}"[:200]
    text, html = emails.render("document_returned", subject=subject, about=lifecycle.about(record),
                               conference=conference, signer_name=signer_name, note=note,
                               link=portal_link(conf, record["document_id"]))
    message = build_message(sender=default_sender(), to=[clerk_email], subject=subject, text=text, html=html,
                            message_id=make_message_id("return", record["document_id"], note, domain="thidua"))
    return mailer.send(message)


def send_quietly(send: Any, *args: Any) -> None:
    try:
        send(*args)
    except Exception:  # noqa: BLE001 - the step is committed; the portal shows it either way
        log.exception("a lifecycle email could not be sent")
