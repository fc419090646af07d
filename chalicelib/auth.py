"""Bearer tokens and who may do what.

A token reads `thd_<id>_<secret>`: the id finds the stored record with one
GetItem, the secret is checked against its SHA-256 hash (only the hash is
stored; the token is shown once). Tokens carry a role: `unit` (bound to one
unit), `admin` or `leader`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from chalicelib.problems import forbidden, unauthorized

ROLES = ("unit", "admin", "leader")
_TOKEN_RE = re.compile(r"^thd_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$")


class TokenStore(Protocol):
    def create_token(self, token: dict[str, Any]) -> None: ...
    def get_token(self, token_id: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    unit_id: str | None
    name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scope(self) -> str:
        """Whose namespace an Idempotency-Key lives in."""
        return f"unit:{self.unit_id}" if self.role == "unit" else f"token:{self.token_id}"

    def as_dict(self) -> dict[str, Any]:
        return {"token_id": self.token_id, "role": self.role, "unit_id": self.unit_id, "name": self.name}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def issue_token(store: TokenStore, role: str, name: str, unit_id: str | None = None,
                created_by: str | None = None) -> dict[str, Any]:
    """Create a token; the returned dict holds the secret, which is never stored."""
    if role not in ROLES or (role == "unit") != (unit_id is not None):
        raise ValueError(f"bad role/unit combination: {role}/{unit_id}")
    token_id = secrets.token_hex(8)
    token = f"thd_{token_id}_{secrets.token_urlsafe(32)}"
    record = {"id": token_id, "role": role, "unit_id": unit_id, "name": name,
              "hash": _hash(token), "created_at": now_iso(), "created_by": created_by}
    store.create_token(record)
    return {"id": token_id, "token": token, "role": role, "unit_id": unit_id, "name": name,
            "created_at": record["created_at"]}


def authenticate(store: TokenStore, authorization: str | None) -> Principal:
    """The principal behind an `Authorization: Bearer` header, or 401."""
    if not authorization:
        raise unauthorized("Thiếu tiêu đề Authorization: Bearer <token>.")
    scheme, _, token = authorization.strip().partition(" ")
    match = _TOKEN_RE.match(token.strip()) if scheme.lower() == "bearer" else None
    if not match:
        raise unauthorized("Mã truy cập không đúng định dạng.")
    record = store.get_token(match.group(1))
    if not record or not hmac.compare_digest(record.get("hash", ""), _hash(token.strip())):
        raise unauthorized("Mã truy cập không hợp lệ.")
    if record.get("revoked_at"):
        raise unauthorized("Mã truy cập đã bị thu hồi.")
    return Principal(record["id"], record["role"], record.get("unit_id"), record.get("name", ""))


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise forbidden("Chỉ cán bộ quản trị (admin) được thực hiện thao tác này.")


def require_unit_access(principal: Principal, unit_id: str, *, write: bool = False) -> None:
    """A unit acts only for itself; admins for any unit; leaders read only."""
    if principal.role == "admin":
        return
    if principal.role == "unit" and principal.unit_id == unit_id:
        return
    if principal.role == "leader" and not write:
        return
    raise forbidden("Đơn vị chỉ được xem và gửi báo cáo của chính mình.")
