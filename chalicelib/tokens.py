"""Issuing and revoking bearer tokens (admin only; see chalicelib.auth for the format)."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import Principal, issue_token, now_iso
from chalicelib.models import TokenIn, UnitTokenIn
from chalicelib.problems import not_found
from chalicelib.store import Store
from chalicelib.units import get_unit


def issue_unit_token(store: Store, who: Principal, unit_id: str, body: UnitTokenIn) -> dict[str, Any]:
    unit = get_unit(store, unit_id)
    return issue_token(store, "unit", body.name or f"Mã truy cập của {unit['name']}", unit_id,
                       created_by=who.token_id)


def issue_staff_token(store: Store, who: Principal, body: TokenIn) -> dict[str, Any]:
    return issue_token(store, body.role, body.name, created_by=who.token_id)


def revoke(store: Store, token_id: str) -> None:
    if not store.revoke_token(token_id, now_iso()):
        raise not_found(f"mã truy cập '{token_id}'")
