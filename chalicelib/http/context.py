"""What a view is given (`Context`) and what it returns (`Reply`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.bootstrap import services
from chalicelib.core.access import Principal
from chalicelib.core.errors import invalid
from chalicelib.core.settings import Settings
from chalicelib.store import Store

if TYPE_CHECKING:
    from chalicelib.http.declaration import Operation

JSON = "application/json; charset=utf-8"


@dataclass
class Reply:
    """What a view returns: a JSON body (dict or model) or bytes, and the headers the declaration promises."""

    body: Any
    status: int | None = None
    etag: str | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON




@dataclass
class Context:
    """What a view knows about the request it serves."""

    request: Any
    settings: Settings
    operation: Operation
    params: dict[str, str]
    principal: Principal | None = None
    body: Any = None
    answer: Any = None  # idempotency.PendingAnswer while an Idempotency-Key is claimed
    preloaded: Any = None  # what the operation's `preload` read with the token
    account: Any = None  # the signed-in person's account record (None for a machine token)
    _store: Store | None = None

    @property
    def store(self) -> Store:
        """The request's unit of work over the store, made on first use (/v1/health never builds a
        database client): what the view stages is committed once, after it, with the answer."""
        if self._store is None:
            self._store = services.store(self.settings).unit_of_work()
        return self._store

    @property
    def staged(self) -> Store | None:
        """The request's unit of work, if the view used the store at all (nothing to commit otherwise)."""
        return self._store

    @property
    def who(self) -> Principal:
        assert self.principal is not None, "public route"
        return self.principal

    def now(self) -> datetime:
        return services.clock.now()

    def passwords(self) -> Any:
        return services.passwords

    @property
    def address(self) -> str:
        """The caller's address as API Gateway saw it (`sourceIp`), 'unknown' when not given."""
        context = getattr(self.request, "context", None) or {}
        identity = context.get("identity") or {} if isinstance(context, dict) else {}
        address = identity.get("sourceIp") if isinstance(identity, dict) else None
        return address if isinstance(address, str) and address else "unknown"

    def mailer(self) -> Any:
        return services.mailer(self.settings)

    def artifacts(self) -> Any:
        return services.artifacts(self.settings)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def query(self, name: str) -> str | None:
        return (self.request.query_params or {}).get(name)

    @property
    def limit(self) -> int:
        raw = self.query("limit")
        if raw is None:
            return 50
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100:
            raise invalid("limit", "Phải là số nguyên từ 1 đến 100.")
        return int(raw)

    @property
    def cursor(self) -> str | None:
        return self.query("cursor")

    @property
    def if_match(self) -> str | None:
        """The opaque ETag inside If-Match (quotes optional)."""
        value = self.header("if-match")
        if value is None:
            return None
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return value

    @property
    def actual_path(self) -> str:
        return self.operation.path.format_map(self.params)

    def accepts(self, media_type: str) -> bool:
        return media_type in (self.header("accept") or "")

    def raw_body(self) -> bytes:
        raw = self.request.raw_body or b""
        return raw.encode() if isinstance(raw, str) else raw


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """The body of every list response (contract: `{"items": [...], "next": cursor | null}`)."""
    return {"items": items, "next": next_cursor}


def etag_header(etag: str) -> str:
    return f'"{etag}"'
