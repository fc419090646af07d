"""A conference's recipients: one mailbox each, stored as (name, address), shown as RFC 5322 text.

Stored structured, ``{"name": "Cục Y tế, Bộ Công an", "email": "yte@bca.gov.vn"}`` (name ``""`` when
there is none), so a display name holding a comma, quotes or angle brackets is never parsed back out
of a string. The API shows each one as `email.headerregistry.Address` renders it, quoted where
RFC 5322 needs it (``"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>``), and takes that text back unchanged.

Conferences stored before hold strings: ``<name> <<address>>`` with the name as typed (unquoted,
commas and all) or a bare address, the only shapes the old validator wrote; `from_stored` reads them.

Standard library only: the API and the compile both read recipients.
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from email.errors import ObsoleteHeaderDefect
from email.headerregistry import Address
from typing import Any

from chalicelib.core.text import text_problem

MAX_TEXT = 320
MAX_NAME = 200
MAX_EMAIL = 254
# ASCII (no SMTPUTF8 on the way to SES or a ministry's relay), no quoting, comments or brackets,
# a dotted domain: what every mail system takes and what the unit emails already are.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR_SPEC = re.compile(rf"^{_ATOM}(\.{_ATOM})*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

QUOTE_HINT = 'tên có dấu phẩy, dấu ngoặc hay dấu hai chấm đặt trong ngoặc kép, ví dụ "Cục Y tế, Bộ Công an" <yte@bca.gov.vn>'
NOT_ONE = f"Phải là đúng một địa chỉ thư: ten@donvi.gov.vn hoặc Tên <ten@donvi.gov.vn>; {QUOTE_HINT}."
SEVERAL = f"Chỉ được một địa chỉ thư cho mỗi người nhận (mỗi người là một phần tử của danh sách); {QUOTE_HINT}."
COMMENT = f"Phần trong ngoặc đơn sẽ bị bỏ qua trong địa chỉ thư; {QUOTE_HINT}."
BAD_ADDRESS = "Địa chỉ thư không hợp lệ (dạng ten@donvi.gov.vn, viết bằng chữ không dấu)."
TOO_LONG = "Dài quá {n} ký tự."


class RecipientError(ValueError):
    """Why a text or a (name, email) pair is not one recipient (Vietnamese, for the caller)."""


@dataclass(frozen=True)
class Recipient:
    name: str          # display name, "" when none
    email: str         # the addr-spec, ASCII

    @property
    def address(self) -> Address:
        """For a message's To: header (the standard library quotes and encodes the name)."""
        return Address(display_name=self.name, addr_spec=self.email)

    @property
    def key(self) -> str:
        """Who this is for deliveries: one per address, whatever the name or case."""
        return self.email.lower()

    def __str__(self) -> str:
        return str(self.address)

    def stored(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}


def of(name: str | None, email_address: str) -> Recipient:
    """A recipient from its parts (the API's object form, and every parsed text)."""
    name = (name or "").strip()
    email_address = email_address.strip()
    if len(name) > MAX_NAME:
        raise RecipientError(TOO_LONG.format(n=MAX_NAME))
    problem = text_problem(name)
    if problem:
        raise RecipientError(problem)
    if len(email_address) > MAX_EMAIL:
        raise RecipientError(TOO_LONG.format(n=MAX_EMAIL))
    if not _ADDR_SPEC.match(email_address):
        raise RecipientError(BAD_ADDRESS)
    return Recipient(name, email_address)


def parse(text: str) -> Recipient:
    """Exactly one mailbox, read as a mail client reads a To: header; anything else is refused."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise RecipientError(TOO_LONG.format(n=MAX_TEXT))
    problem = text_problem(text)
    if problem:
        raise RecipientError(problem)
    try:
        header = email.policy.default.header_factory("To", text)
        addresses, groups, defects = header.addresses, header.groups, header.defects
    except Exception:  # noqa: BLE001 - e.g. an encoded word that decodes to a line break
        raise RecipientError(NOT_ONE) from None
    if len(addresses) > 1:
        raise RecipientError(SEVERAL)
    # A period in a name ("PGS.TS. Nguyễn Văn A") is obsolete syntax but unambiguous; every other defect is not.
    if (len(addresses) != 1 or len(groups) != 1 or groups[0].display_name is not None
            or any(not isinstance(d, ObsoleteHeaderDefect) for d in defects)):
        raise RecipientError(NOT_ONE)
    [address] = addresses
    if "(" in text and "(" not in address.display_name:
        raise RecipientError(COMMENT)  # a comment: mail clients drop it, so would we
    return of(address.display_name, address.addr_spec)


def from_stored(value: Any) -> Recipient:
    """A stored recipient: the structured form, or the text an older version stored."""
    if isinstance(value, dict):
        return Recipient(str(value.get("name") or ""), str(value["email"]))
    text = str(value).strip()
    try:
        return parse(text)
    except RecipientError:
        pass
    # The old validator wrote f"{name} <{address}>" without quoting the name, and the address
    # could hold no "<", ">", "," or space: the last "<" starts the address.
    name, bracket, rest = text.rpartition("<")
    if bracket and rest.endswith(">"):
        return Recipient(name.strip(), rest[:-1].strip())
    return Recipient("", text)


def recipients_of(conference: dict[str, Any]) -> list[Recipient]:
    return [from_stored(r) for r in conference.get("recipients") or []]


def shown(conference: dict[str, Any]) -> list[str]:
    """As the API shows them: text that POST and PATCH take back as the same recipients."""
    return [str(r) for r in recipients_of(conference)]
