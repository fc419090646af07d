"""Units form a tree: the ministry, its provincial forces and departments, sub-units."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import now_iso
from chalicelib.models import UnitIn, UnitPatch
from chalicelib.problems import FieldError, Problem, conflict, invalid, not_found
from chalicelib.store import AlreadyExists, ConditionFailed, Store
from chalicelib.vietnamese import sort_key


def public(unit: dict[str, Any]) -> dict[str, Any]:
    return {k: unit.get(k) for k in ("id", "name", "parent_id", "kind", "emails", "created_at", "updated_at")}


def get_unit(store: Store, unit_id: str) -> dict[str, Any]:
    unit = store.get_unit(unit_id)
    if unit is None:
        raise not_found(f"đơn vị '{unit_id}'")
    return unit


def create_unit(store: Store, data: UnitIn) -> dict[str, Any]:
    if data.parent_id is not None and store.get_unit(data.parent_id) is None:
        raise invalid([FieldError("parent_id", f"Đơn vị cấp trên '{data.parent_id}' không tồn tại.")])
    at = now_iso()
    unit = {**data.model_dump(), "created_at": at, "updated_at": at}
    try:
        store.create_unit(unit)
    except AlreadyExists:
        raise conflict(f"Đơn vị '{data.id}' đã tồn tại.") from None
    return public(unit)


def _ancestors(store: Store, unit_id: str | None, limit: int = 32) -> list[str]:
    chain: list[str] = []
    while unit_id and len(chain) < limit:
        chain.append(unit_id)
        parent = store.get_unit(unit_id)
        unit_id = parent.get("parent_id") if parent else None
    return chain


def patch_unit(store: Store, unit_id: str, patch: UnitPatch) -> dict[str, Any]:
    unit = get_unit(store, unit_id)
    changes = patch.model_dump(exclude_unset=True)
    if "parent_id" in changes and changes["parent_id"] is not None:
        parent_id = changes["parent_id"]
        if store.get_unit(parent_id) is None:
            raise invalid([FieldError("parent_id", f"Đơn vị cấp trên '{parent_id}' không tồn tại.")])
        if unit_id in _ancestors(store, parent_id):
            raise invalid([FieldError("parent_id", "Không thể đặt một đơn vị làm cấp dưới của chính nó.")])
    for key in ("name", "kind", "emails"):
        if key in changes and changes[key] is None:
            raise invalid([FieldError(key, "Không được để trống.")])
    updated = {**unit, **changes, "updated_at": now_iso()}
    try:
        store.replace_unit(updated, expected_updated_at=unit["updated_at"])
    except ConditionFailed:
        raise Problem(409, "Conflict", "Đơn vị vừa được người khác sửa; hãy tải lại và thử lại.") from None
    return public(updated)


def tree_order(units: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(depth, unit) in tree order, siblings in Vietnamese alphabetical order."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {u["id"] for u in units}
    for u in units:
        parent = u.get("parent_id") if u.get("parent_id") in ids else None
        children.setdefault(parent, []).append(u)
    out: list[tuple[int, dict[str, Any]]] = []

    def walk(parent: str | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda u: sort_key(u["name"])):
            out.append((depth, u))
            walk(u["id"], depth + 1)

    walk(None, 0)
    return out


def descendants(units: list[dict[str, Any]], unit_id: str) -> set[str]:
    """unit_id and every unit below it."""
    by_parent: dict[str, list[str]] = {}
    for u in units:
        if u.get("parent_id"):
            by_parent.setdefault(u["parent_id"], []).append(u["id"])
    out, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current not in out:
            out.add(current)
            todo.extend(by_parent.get(current, []))
    return out
