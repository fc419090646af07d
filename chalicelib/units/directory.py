"""Finding units in a tree of any size: one unit's children, page by page, and a search by name.

What the admin pages read instead of every unit: the lazy tree opens one level at a time
(`children_page`), the pickers search as the person types (`search`) and show the chosen units'
names (`named`). Each answer is one bounded page (≤ 100 units, far below 1 MB).

How: the unit tree (`store.units.tree()`: id, name, parent and kind of every unit, kept by the
container and packed in the table as of the tree's version: one GetItem when kept, one small Query
when not) gives the children and their counts, every name to match and each match's ancestors; then
one BatchGetItem reads the page's units in full (their emails).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from chalicelib.core.errors import NotFound, invalid
from chalicelib.core.positions import position_cursor, position_of
from chalicelib.core.text import name_key, search_key, sort_key
from chalicelib.store import Store
from chalicelib.units.service import path_of, public

ROOT = "root"  # ?parent=root (or empty): the top level
MAX_QUERY = 100  # characters of a search
SEARCH_LIMIT = 20  # results of a search unless `limit` says otherwise
MAX_IDS = 100  # units named at once (one BatchGetItem)


class Links:
    """Every unit's id, name and parent, as read by one projected Query: the tree's shape."""

    def __init__(self, units: Iterable[dict[str, Any]]) -> None:
        self.by_id = {u["id"]: u for u in units}
        self.children: dict[str | None, list[str]] = {}
        for u in self.by_id.values():
            parent = u.get("parent_id")
            # a unit whose parent is gone stands at the top, as the tree walk shows it
            self.children.setdefault(parent if parent in self.by_id else None, []).append(u["id"])

    def ancestors(self, unit_id: str) -> list[str]:
        """The ids above `unit_id`, the root first (a cycle the table should never hold stops the climb)."""
        out: list[str] = []
        seen = {unit_id}
        parent = self.by_id[unit_id].get("parent_id") if unit_id in self.by_id else None
        while parent in self.by_id and parent not in seen:
            seen.add(parent)
            out.append(parent)
            parent = self.by_id[parent].get("parent_id")
        return out[::-1]

    def ref(self, unit_id: str) -> dict[str, str]:
        return {"id": unit_id, "name": self.by_id[unit_id]["name"]}


def links(store: Store) -> Links:
    return Links(store.units.tree())


def _full(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The units named, in full (emails too): one BatchGetItem of at most 100 keys."""
    if not ids:
        return {}
    found = store.reads.read(units=ids).units
    return {uid: unit for uid, unit in found.items() if unit is not None}


def _entry(unit: dict[str, Any], tree: Links, ancestors: bool) -> dict[str, Any]:
    out = {**public(unit), "children": len(tree.children.get(unit["id"], ()))}
    if ancestors:
        out["ancestors"] = [tree.ref(a) for a in tree.ancestors(unit["id"])]
    return out


def children_page(store: Store, parent: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """The units directly below `parent` (None: the top level) in Vietnamese alphabetical order,
    `limit` at a time, each with its number of children (the tree's toggles need no more reads)."""
    tree = links(store)
    if parent is not None and parent not in tree.by_id:
        raise NotFound(f"đơn vị '{parent}'")
    below = sorted(tree.children.get(parent, []), key=lambda uid: (sort_key(tree.by_id[uid]["name"]), uid))
    start = position_of(cursor, "units", parent or ROOT, "các đơn vị cấp dưới này")
    ids = below[start:start + limit]
    full = _full(store, ids)
    more = start + limit < len(below)
    return {"items": [_entry(full[uid], tree, ancestors=False) for uid in ids if uid in full],
            "next": position_cursor("units", parent or ROOT, start + limit) if more else None,
            "total": len(below)}


def name_matcher(query: str):  # type: ignore[no-untyped-def]
    """Each word of the query must begin a word of the name: a word typed without diacritics matches
    with or without them ("nghe an" finds "Nghệ An"), a word typed with them matches only them."""
    words = []
    for word in name_key(query).split():
        bare = search_key(word)
        words.append((bare, False) if bare == word else (word, True))

    def match(name: str) -> bool:
        keyed, bare = name_key(name).split(), search_key(name).split()
        return all(any(w.startswith(typed) for w in (keyed if marked else bare)) for typed, marked in words)

    return match, search_key(query)


def search(store: Store, query: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """At most `limit` units whose name has a word beginning with each word of `query` (case and, unless
    typed, diacritics aside) or whose id is `query`, best first: the whole name, then names that start with it, then the
    higher levels (a province before its communes), then Vietnamese order. Each names its ancestors,
    root first (so many "Công an xã Hòa Bình" can be told apart) and `total` says how many matched."""
    text = query.strip()
    if len(text) > MAX_QUERY:
        raise invalid("q", f"Tối đa {MAX_QUERY} ký tự.")
    if not name_key(text):
        return {"items": [], "next": None, "total": 0}
    tree = links(store)
    match, whole = name_matcher(text)
    wanted_id = text.lower()
    found: list[tuple[tuple, str]] = []
    for uid, unit in tree.by_id.items():
        name = unit.get("name") or ""
        if uid != wanted_id and not match(name):
            continue
        bare = search_key(name)
        rank = 0 if uid == wanted_id or bare == whole else 1 if bare.startswith(whole) else 2
        found.append(((rank, len(tree.ancestors(uid)), sort_key(name), uid), uid))
    found.sort()
    ids = [uid for _, uid in found[:limit]]
    full = _full(store, ids)
    return {"items": [_entry(full[uid], tree, ancestors=True) for uid in ids if uid in full],
            "next": None, "total": len(found)}


def named(store: Store, ids: Sequence[str]) -> dict[str, Any]:
    """The units with these ids (those that exist, in the order asked), each with its ancestors:
    what a picker shows for the units already chosen. Two BatchGetItems: the units, their ancestors' names."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    if len(wanted) > MAX_IDS:
        raise invalid("ids", f"Tối đa {MAX_IDS} mã đơn vị mỗi lần.")
    full = _full(store, wanted)
    paths = {uid: path_of(store, u) for uid, u in full.items()}  # stored; walked for a unit stored before paths
    above = list(dict.fromkeys(a for p in paths.values() for a in p if a not in full))
    names = {uid: u["name"] for uid, u in full.items()}
    for start in range(0, len(above), MAX_IDS):
        names.update({uid: u["name"] for uid, u in _full(store, above[start:start + MAX_IDS]).items()})
    items = []
    for uid in wanted:
        if uid in full:
            items.append({**public(full[uid]),
                          "ancestors": [{"id": a, "name": names.get(a, a)} for a in paths[uid]]})
    return {"items": items, "next": None}
