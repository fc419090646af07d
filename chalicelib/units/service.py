"""Units form a tree: the ministry, its provincial forces and departments, sub-units."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import iso
from chalicelib.core.errors import Conflict, NotFound, PreconditionFailed, invalid
from chalicelib.core.text import sort_key
from chalicelib.core import audit
from chalicelib.core.etag import etag_of as core_etag
from chalicelib.core.access import Principal
from chalicelib.store import Store

if TYPE_CHECKING:  # request models are for the type checker; pydantic loads only with a body
    from chalicelib.units.models import UnitIn, UnitPatch

PUBLIC_FIELDS = ("id", "name", "parent_id", "kind", "emails", "created_at", "updated_at")
# What a walk of the whole tree reads of each unit (a projection: not emails, not the stored path)
TREE_FIELDS = ("id", "name", "parent_id", "kind")


def public(unit: dict[str, Any]) -> dict[str, Any]:
    return {k: unit.get(k) for k in PUBLIC_FIELDS}


def etag_of(unit: dict[str, Any]) -> str:
    return core_etag(public(unit))


def get_unit(store: Store, unit_id: str) -> dict[str, Any]:
    unit = store.units.get(unit_id)
    if unit is None:
        raise NotFound(f"đơn vị '{unit_id}'")
    return unit


def create_unit(store: Store, who: Principal | None, data: UnitIn, now: datetime) -> dict[str, Any]:
    parent = store.units.get(data.parent_id) if data.parent_id is not None else None
    if data.parent_id is not None and parent is None:
        raise invalid("parent_id", f"Đơn vị cấp trên '{data.parent_id}' không tồn tại.")
    at = iso(now)
    unit = {**data.model_dump(), "created_at": at, "updated_at": at}
    unit["etag"] = etag_of(unit)
    unit["path"] = [*path_of(store, parent), parent["id"]] if parent is not None else []
    store.explain(exists=Conflict(f"Đơn vị '{data.id}' đã tồn tại."))
    store.units.create(unit, audit=audit.event(f"unit:{data.id}", "created", who, now, parent_id=data.parent_id))
    return unit


def ancestors(store: Store, unit_id: str | None) -> list[str]:
    """unit_id, its parent, its parent's parent, ... up to the root, however deep.

    One read when the unit carries its ancestor path; else one per level, stopping at the first unit
    seen twice, so a cycle already in the table cannot hang it."""
    unit = store.units.get(unit_id) if unit_id else None
    if unit is not None and isinstance(unit.get("path"), list):
        return [unit_id, *reversed(unit["path"])]  # type: ignore[list-item]
    return [link for link, _ in ancestor_links(store, unit_id)]


def ancestor_links(store: Store, unit_id: str | None) -> list[tuple[str, str | None]]:
    """(unit, its parent as read) from unit_id up to the root: what a move is conditioned on."""
    chain: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    while unit_id and unit_id not in seen:
        seen.add(unit_id)
        unit = store.units.get(unit_id)
        parent = unit.get("parent_id") if unit else None
        chain.append((unit_id, parent))
        unit_id = parent
    return chain


# A move is one transaction with a check on each ancestor of its new parent (DynamoDB: 100 writes).
PATH_CHECKED = 90


# -- the ancestor path each unit carries ----------------------------------------------------
#
# A unit item holds `path`: its ancestors' ids, the root first (not itself; [] for a root). So
# "is X in Y's subtree" is one read of X, whatever the size of the tree: a nomination's subtree
# check and a unit token acting for a sub-unit never read every unit. It is written when the unit
# is created, rewritten for the unit and everything below it when it moves, and `backfill_paths`
# writes it for units stored without it (`python -m chalicelib.cli unit-paths`). A unit without
# one is still answered, by walking its parents (one read per level).


def path_of(store: Store, unit: dict[str, Any] | None) -> list[str]:
    """The stored ancestor path of `unit` (root first), or the one its parents give when it has none."""
    if unit is None:
        return []
    stored = unit.get("path")
    if isinstance(stored, list):
        return [str(u) for u in stored]
    return list(reversed(ancestors(store, unit.get("parent_id"))))


def in_subtree(store: Store, unit: dict[str, Any] | None, top_id: str) -> bool:
    """Whether `unit` is `top_id` or lies below it, from its stored path (no read when it has one)."""
    if unit is None:
        return False
    return unit["id"] == top_id or top_id in path_of(store, unit)


def within(store: Store, unit_id: str, top_id: str, known: dict[str, Any] | None = None) -> bool:
    """Whether unit `unit_id` lies in `top_id`'s subtree: `known` when it is that unit already read,
    else one read of it."""
    if unit_id == top_id:
        return True
    unit = known if known is not None and known.get("id") == unit_id else store.units.get(unit_id)
    return in_subtree(store, unit, top_id)


def _walk_paths(units: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[str]]]:
    out: list[tuple[dict[str, Any], list[str]]] = []
    chain: list[str] = []
    for depth, unit, _ in tree_walk(units):
        del chain[depth:]
        out.append((unit, list(chain)))
        chain.append(unit["id"])
    return out


def backfill_paths(store: Store) -> int:
    """Write the ancestor path of every unit whose stored path is missing or not what its parents
    say (units stored before paths, or a move whose rewrite below it was cut short): how many."""
    units = store.units.all()  # a one-off repair over the whole tree
    wrong = [(u["id"], path) for u, path in _walk_paths(units) if u.get("path") != path]
    store.units.set_paths(wrong)
    return len(wrong)


def patch_unit(store: Store, who: Principal | None, unit_id: str, patch: UnitPatch, if_match: str | None,
               now: datetime) -> dict[str, Any]:
    unit = get_unit(store, unit_id)
    if if_match is not None and if_match != unit.get("etag"):
        raise PreconditionFailed("ETag không khớp: đơn vị đã được sửa sau lần đọc của bạn.")
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("parent_id") is not None:
        parent_id = changes["parent_id"]
        if store.units.get(parent_id) is None:
            raise invalid("parent_id", f"Đơn vị cấp trên '{parent_id}' không tồn tại.")
        path = ancestor_links(store, parent_id)
        cycle = invalid("parent_id", "Không thể đặt một đơn vị làm cấp dưới của chính nó hoặc của đơn vị cấp dưới của nó.",
                        "Chuyển đơn vị như vậy sẽ tạo thành vòng lặp trong cây đơn vị.")
        if unit_id in (link for link, _ in path):
            raise cycle
        # Two moves at once (A under B, B under A) each pass the read above: the move holds only while
        # the new parent's path to the root is still the one read, so one of them fails at commit.
        store.explain(moved=Conflict("Cây đơn vị vừa thay đổi ở nhánh này; hãy tải lại và thử lại."))
        store.units.keep_path(path[:PATH_CHECKED])
        changes["path"] = [link for link, _ in reversed(path)]
    for key in ("name", "kind", "emails"):
        if key in changes and changes[key] is None:
            raise invalid(key, "Không được để trống.")
    updated = {**unit, **changes, "updated_at": iso(now)}
    updated["etag"] = etag_of(updated)
    stale = "Đơn vị vừa được người khác sửa; hãy tải lại và thử lại."
    store.explain(etag=PreconditionFailed(stale) if if_match is not None else Conflict(stale))
    store.units.replace(updated, expected_etag=unit.get("etag", ""),
                        audit=audit.event(f"unit:{unit_id}", "edited", who, now,
                                          fields=sorted(k for k in changes if k != "path")))
    if "path" in changes and changes["path"] != unit.get("path"):
        _repath_below(store, unit_id, changes["path"])
    return updated


def _repath_below(store: Store, unit_id: str, path: list[str]) -> None:
    """Once the move is committed, every unit below the moved one gets its new path.

    Reads the whole tree (units.all()): a move is a rare admin action that rewrites a whole subtree
    anyway, and the parent links, not the stored paths, say which units are below. Written after the
    move's own transaction (a province moves with its hundreds of units, more than one transaction
    holds); a rewrite cut short is repaired by `backfill_paths`."""
    def rewrite() -> None:
        units = store.units.all()
        below = descendants(units, unit_id) - {unit_id}
        if not below:
            return
        by_id = {u["id"]: u for u in units}
        children: dict[str, list[str]] = {}
        for u in units:
            if u["id"] in below:
                children.setdefault(u["parent_id"], []).append(u["id"])
        fresh: dict[str, list[str]] = {unit_id: path}
        todo = [unit_id]
        while todo:  # parents before children, each unit once
            current = todo.pop()
            for child in children.get(current, []):
                if child not in fresh:
                    fresh[child] = [*fresh[current], current]
                    todo.append(child)
        store.units.set_paths([(u, p) for u, p in fresh.items() if u != unit_id and by_id[u].get("path") != p])

    store.after_commit(rewrite)


def tree_walk(units: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any], str | None]]:
    """(depth, unit, parent id in this walk) for every unit once, in tree order (a parent
    before its subtree), siblings in Vietnamese alphabetical order.

    Iterative, so no depth is too deep. Units no root leads to sit on a cycle (or below one)
    that the table should never hold; they still appear, after the real tree: each cycle
    is entered at its first unit in name order, which stands as a root (parent None)."""
    by_id = {u["id"]: u for u in units}
    ids = set(by_id)
    children: dict[str | None, list[dict[str, Any]]] = {}
    for u in units:
        parent = u.get("parent_id") if u.get("parent_id") in ids else None
        children.setdefault(parent, []).append(u)

    keys = {u["id"]: sort_key(u["name"]) for u in units}  # once per unit: the board walks 11,000

    def by_name(us: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(us, key=lambda u: keys[u["id"]])

    out: list[tuple[int, dict[str, Any], str | None]] = []
    seen: set[str] = set()

    def walk(roots: list[dict[str, Any]]) -> None:
        todo: list[tuple[int, dict[str, Any], str | None]] = [(0, u, None) for u in reversed(roots)]
        while todo:
            depth, unit, parent = todo.pop()
            if unit["id"] in seen:
                continue
            seen.add(unit["id"])
            out.append((depth, unit, parent))
            below = reversed(by_name(children.get(unit["id"], [])))  # reversed: popped in name order
            todo.extend((depth + 1, child, unit["id"]) for child in below if child["id"] not in seen)

    def cycle_entry(unit: dict[str, Any]) -> dict[str, Any]:
        """The first unit, in name order, of the cycle that `unit`'s parents lead into."""
        path: dict[str, int] = {}  # unit id -> its step on the way up
        while unit["id"] not in path:
            path[unit["id"]] = len(path)
            unit = by_id[unit["parent_id"]]
        cycle = list(path)[path[unit["id"]]:]
        return by_name([by_id[uid] for uid in cycle])[0]

    walk(by_name(children.get(None, [])))
    for unit in by_name([u for u in units if u["id"] not in seen]):
        if unit["id"] not in seen:
            walk([cycle_entry(unit)])
    return out


def tree_order(units: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(depth, unit) in tree order, siblings in Vietnamese alphabetical order."""
    return [(depth, unit) for depth, unit, _ in tree_walk(units)]


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
