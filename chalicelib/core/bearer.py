"""The two kinds of bearer token, told apart by their form alone (no store read):

- a machine token `thd_<token id>_<secret>` (units' own systems, scripts): one GetItem;
- a person's session `ths_<account id>_<session id>_<secret>`: the session lives in the
  account's partition, so the account and the session are one BatchGetItem, which a route
  may join with its own reads (`Operation.preload`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MACHINE = re.compile(r"^thd_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$")
_SESSION = re.compile(r"^ths_([a-f0-9]{16})_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Bearer:
    kind: str                      # "token" | "session"
    secret: str                    # the whole token, as sent (only its hash is stored)
    token_id: str | None = None    # a machine token's id
    account_id: str | None = None  # a session's account
    session_id: str | None = None

    @property
    def is_session(self) -> bool:
        return self.kind == "session"


def bearer_of(authorization: str | None) -> Bearer | None:
    """The token inside a well-formed `Authorization: Bearer` header, else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    if (match := _MACHINE.match(token)) is not None:
        return Bearer("token", token, token_id=match.group(1))
    if (match := _SESSION.match(token)) is not None:
        return Bearer("session", token, account_id=match.group(1), session_id=match.group(2))
    return None
