"""Bearer tokens: issue, authenticate, revoke.

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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.clock import iso
from chalicelib.core.errors import NotFound, Unauthorized
from chalicelib.core.states import Role
from chalicelib.store import Store
from chalicelib.units.service import get_unit

if TYPE_CHECKING:  # request models are for the type checker; pydantic loads only with a body
    from chalicelib.units.models import TokenIn, UnitTokenIn

_TOKEN_RE = re.compile(r"^thd_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(store: Store, role: Role | str, name: str, now: datetime, unit_id: str | None = None,
                created_by: str | None = None, valid_days: int = 365, who: Principal | None = None
                ) -> dict[str, Any]:
    """Create a token valid for `valid_days`; the returned dict holds the secret, which is never stored."""
    role = Role(role)
    if role == Role.UNIT and unit_id is None:  # staff may name the unit they work in (reviewer conflicts)
        raise ValueError("a unit token needs its unit")
    token_id = secrets.token_hex(8)
    token = f"thd_{token_id}_{secrets.token_urlsafe(32)}"
    record = {"id": token_id, "role": role.value, "unit_id": unit_id, "name": name,
              "hash": _hash(token), "created_at": iso(now), "created_by": created_by,
              "valid_until": iso(now + timedelta(days=valid_days))}
    store.tokens.create(record, audit=audit.event(f"token:{token_id}", "issued", who, now, role=role.value,
                                                  unit_id=unit_id, name=name))
    return {"id": token_id, "token": token, "role": role.value, "unit_id": unit_id, "name": name,
            "created_at": record["created_at"], "valid_until": record["valid_until"]}


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("id", "role", "unit_id", "name", "created_at", "created_by", "valid_until",
                                        "revoked_at")}


def issue_unit_token(store: Store, who: Principal, unit_id: str, body: UnitTokenIn, now: datetime) -> dict[str, Any]:
    unit = get_unit(store, unit_id)
    return issue_token(store, Role.UNIT, body.name or f"Mã truy cập của {unit['name']}", now, unit_id,
                       created_by=who.actor, valid_days=body.valid_days, who=who)


def issue_staff_token(store: Store, who: Principal, body: TokenIn, now: datetime) -> dict[str, Any]:
    if body.unit_id is not None:
        get_unit(store, body.unit_id)
    return issue_token(store, body.role, body.name, now, body.unit_id, created_by=who.actor,
                       valid_days=body.valid_days, who=who)


def revoke(store: Store, who: Principal | None, token_id: str, now: datetime) -> None:
    store.explain(token=NotFound(f"mã truy cập '{token_id}'"))
    if not store.tokens.revoke(token_id, iso(now), audit=audit.event(f"token:{token_id}", "revoked", who, now)):
        raise NotFound(f"mã truy cập '{token_id}'")


def token_id_of(authorization: str | None) -> str | None:
    """The token id inside a well-formed `Authorization: Bearer` header (the key to look up), else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    match = _TOKEN_RE.match(token.strip()) if scheme.lower() == "bearer" else None
    return match.group(1) if match else None


_UNREAD = object()


def authenticate(store: Store, authorization: str | None, now: datetime | None = None,
                 record: Any = _UNREAD) -> Principal:
    """The principal behind an `Authorization: Bearer` header, or Unauthorized.

    `record`: the token record (or None) already read with the request's other reads.
    """
    if not authorization:
        raise Unauthorized("Thiếu tiêu đề Authorization: Bearer <token>.")
    token_id = token_id_of(authorization)
    if token_id is None:
        raise Unauthorized("Mã truy cập không đúng định dạng.")
    token = authorization.strip().partition(" ")[2].strip()
    if record is _UNREAD:
        record = store.tokens.get(token_id)
    return machine_principal(record, token, now)


def machine_principal(record: dict[str, Any] | None, token: str, now: datetime | None) -> Principal:
    """The principal of a machine token whose stored record is `record` (None: unknown), or Unauthorized."""
    if not record or not hmac.compare_digest(record.get("hash", ""), _hash(token)):
        raise Unauthorized("Mã truy cập không hợp lệ.")
    if record.get("revoked_at"):
        raise Unauthorized("Mã truy cập đã bị thu hồi.")
    if now is not None and record.get("valid_until") and now > datetime.fromisoformat(record["valid_until"]):
        raise Unauthorized("Mã truy cập đã hết hạn; đề nghị quản trị cấp mã mới.")
    return Principal(record["id"], Role(record["role"]), record.get("unit_id"), record.get("name", ""))
