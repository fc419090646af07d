"""`Table` in memory: a sorted map under a lock, for the fast unit tier and local runs.

It follows DynamoTable's observable rules, so the repositories behave the same on
both (the contract suite in tests/integration/test_store_contract.py runs on both):
same conditions, same cursors (and the same refusal of foreign ones), same paging
(a full page carries a cursor even when nothing follows, as DynamoDB's does), key
attributes and `expires_at` stripped on read, numbers back as int, and no aliasing:
items are deep-copied in and out.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any, Sequence

from chalicelib.store import keys
from chalicelib.store.dynamodb import MAX_PAGE, decode_cursor, encode_cursor, key_attrs, page_limit, plain
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.table import (
    Absent, All, Any_, Check, Condition, Delete, Eq, Exists, Lt, Missing, Operation, Page, PagesThrough, Put, Update,
)

Item = dict[str, Any]


# -- values ------------------------------------------------------------------------------

def _stored(value: Any) -> Any:
    """Deep copy on the way in; refuses what boto3's serializer refuses (floats)."""
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_stored(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {_stored(v) for v in value}
    return value


def _read(item: Item) -> Item:
    return {k: plain(v) for k, v in item.items() if k not in keys.KEY_ATTRS}


def _kind(value: Any) -> str:
    """DynamoDB's type of a value: comparisons across types are false there, so here too."""
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, (int, Decimal, float)):
        return "N"
    if isinstance(value, str):
        return "S"
    if isinstance(value, (bytes, bytearray)):
        return "B"
    if isinstance(value, dict):
        return "M"
    if isinstance(value, (list, tuple)):
        return "L"
    if isinstance(value, (set, frozenset)):
        return "SET"
    return "NULL" if value is None else type(value).__name__


# -- conditions --------------------------------------------------------------------------

def matches(condition: Condition, item: Item | None) -> bool:
    """Whether `item` (None when absent) satisfies `condition`, as DynamoDB would decide."""
    if isinstance(condition, Absent):
        return item is None
    if isinstance(condition, Exists):
        return item is not None
    if isinstance(condition, Eq):
        if item is None or condition.attr not in item:
            return False
        stored = item[condition.attr]
        return _kind(stored) == _kind(condition.value) and stored == _stored(condition.value)
    if isinstance(condition, Lt):
        if item is None or condition.attr not in item:
            return False  # a comparison with a missing attribute is false
        stored = item[condition.attr]
        return _kind(stored) == _kind(condition.value) in ("N", "S", "B") and stored < condition.value
    if isinstance(condition, Missing):
        return item is not None and condition.attr not in item
    if isinstance(condition, (All, Any_)):
        if not condition.parts:
            raise ValueError("an empty all_of/any_of has no DynamoDB expression")  # as DynamoTable
        combine = all if isinstance(condition, All) else any
        return combine(matches(part, item) for part in condition.parts)
    raise TypeError(f"not a condition: {condition!r}")


# -- the table ---------------------------------------------------------------------------

def _key_of(op: Operation) -> tuple[str, str]:
    if isinstance(op, Put):
        if "PK" not in op.item or "SK" not in op.item:
            raise ValueError("a Put item needs PK and SK")
        return op.item["PK"], op.item["SK"]
    if isinstance(op, (Update, Delete, Check)):
        return op.key
    raise TypeError(f"not an operation: {op!r}")


class MemoryTable(PagesThrough):
    """`Table` over a dict (PK, SK) -> item; every method holds one re-entrant lock."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Item] = {}
        self._lock = threading.RLock()
        self._exists = True  # usable at once; ensure() only matters after drop()

    # -- plumbing ----------------------------------------------------------------------

    @staticmethod
    def _validate(op: Operation) -> None:
        """Refuse what DynamoDB refuses before any condition is looked at, as DynamoTable does."""
        _key_of(op)
        if isinstance(op, Update):
            if not op.set and not op.add:
                raise ValueError("an Update needs at least one attribute")
            if {"PK", "SK"} & (set(op.set) | set(op.add)):
                raise ValueError("an Update cannot change the table key")

    def _check(self, index: int, op: Operation) -> None:
        if op.condition is not None and not matches(op.condition, self._items.get(_key_of(op))):
            raise ConditionFailed(index)

    def _apply(self, op: Operation) -> None:
        key = _key_of(op)
        if isinstance(op, Put):
            self._items[key] = {k: _stored(v) for k, v in op.item.items() if v is not None}
        elif isinstance(op, Check):
            return
        elif isinstance(op, Update):
            item = self._items.setdefault(key, {"PK": key[0], "SK": key[1]})  # UpdateItem upserts
            for attr, value in op.set.items():
                if value is None:
                    item.pop(attr, None)  # None is "not stored", as DynamoTable's REMOVE
                else:
                    item[attr] = _stored(value)
            for attr, delta in op.add.items():
                item[attr] = _stored(int(item.get(attr, 0)) + delta)
        else:
            self._items.pop(key, None)

    # -- Table -------------------------------------------------------------------------

    def get(self, key: tuple[str, str]) -> Item | None:
        with self._lock:
            item = self._items.get(key)
            return None if item is None else _read(item)

    def get_many(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Item | None]:
        with self._lock:
            return {key: self.get(key) for key in wanted}

    def write(self, operation: Operation) -> None:
        if isinstance(operation, Check):
            raise ValueError("a Check belongs in a transaction")
        self._validate(operation)
        with self._lock:
            self._check(0, operation)
            self._apply(operation)

    def transact(self, operations: list[Operation]) -> None:
        for op in operations:
            self._validate(op)
        with self._lock:
            touched = [_key_of(op) for op in operations]
            if len(set(touched)) != len(touched):
                # DynamoDB refuses two operations on one item in a transaction.
                raise ValueError("a transaction cannot touch one item twice")
            for index, op in enumerate(operations):
                self._check(index, op)
            for op in operations:
                self._apply(op)

    def query(self, pk: str, *, index: bool = False, prefix: str | None = None,
              between: tuple[str, str] | None = None, newest_first: bool = False,
              limit: int | None = MAX_PAGE, cursor: str | None = None, fields: Sequence[str] | None = None) -> Page:
        if prefix is not None and between is not None:
            raise ValueError("query takes prefix or between, not both")
        pk_attr, sk_attr = key_attrs(index)
        start = decode_cursor(cursor, pk, index=index, prefix=prefix, between=between)

        def position(item: Item) -> tuple[str, ...]:
            # GSI items may share a sort key; the table key breaks the tie deterministically.
            return (item["GSI1SK"], item["PK"], item["SK"]) if index else (item["SK"],)

        with self._lock:
            found = [item for item in self._items.values()
                     if item.get(pk_attr) == pk and isinstance(item.get(sk_attr), str)
                     and (prefix is None or item[sk_attr].startswith(prefix))
                     and (between is None or between[0] <= item[sk_attr] <= between[1])]
            found.sort(key=position, reverse=newest_first)
            if start is not None:
                after = (start["GSI1SK"], start["PK"], start["SK"]) if index else (start["SK"],)
                found = [i for i in found if (position(i) < after if newest_first else position(i) > after)]
            size = page_limit(limit) if limit is not None else len(found) + 1  # None: everything at once
            page = found[:size]
            last = None
            if len(page) == size:  # DynamoDB stops at Limit and hands out a key, more or not
                attrs = ("PK", "SK", "GSI1PK", "GSI1SK") if index else ("PK", "SK")
                last = {a: page[-1][a] for a in attrs}
            if fields:
                return Page([_read({k: i[k] for k in fields if k in i}) for i in page], encode_cursor(last))
            return Page([_read(i) for i in page], encode_cursor(last))

    def ensure(self) -> bool:
        with self._lock:
            created, self._exists = not self._exists, True
            return created

    def drop(self) -> None:
        with self._lock:
            self._items.clear()
            self._exists = False

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# -- one shared table per name (an app process and its test see the same data) ----------

_tables: dict[str, MemoryTable] = {}
_tables_lock = threading.Lock()


def memory_table(name: str) -> MemoryTable:
    with _tables_lock:
        table = _tables.get(name)
        if table is None:
            table = _tables[name] = MemoryTable()
        return table


def reset_memory_tables() -> None:
    """Empty every shared table in place, so holders of one keep sharing it with later callers."""
    with _tables_lock:
        for table in _tables.values():
            table.clear()
