"""Cursors of lists computed whole and answered in pages (the shortlist, the completeness board):
an opaque position bound to the list it came from, so a cursor of another list is refused."""

from __future__ import annotations

import base64
import binascii
import json

from chalicelib.core.errors import invalid

MAX_POSITION = 10**6
MAX_BODY = 1024 * 1024  # the body of one page, as sent: every listing answers at most this


def body_bytes(body: object) -> int:
    """The size of `body` as the API sends it (UTF-8 JSON, Vietnamese letters as they are)."""
    return len(json.dumps(body, ensure_ascii=False).encode())


def position_cursor(kind: str, scope: str, position: int) -> str:
    raw = json.dumps({kind: scope, "at": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def position_of(cursor: str | None, kind: str, scope: str, belongs: str) -> int:
    """The position a cursor names; 422 unless `position_cursor(kind, scope, …)` made it.
    `belongs`: the Vietnamese words for "of this list" in the refusal."""
    if not cursor:
        return 0
    refused = invalid("cursor", f"Con trỏ trang không hợp lệ hoặc không thuộc {belongs}; "
                                "hãy dùng giá trị `next` của trang trước.")
    if len(cursor) > 200:
        raise refused
    try:
        data = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise refused from None
    if (not isinstance(data, dict) or set(data) != {kind, "at"} or data[kind] != scope
            or type(data["at"]) is not int or not 0 < data["at"] <= MAX_POSITION):
        raise refused
    return data["at"]
