"""The table primitives every repository is written against, and the conditions they take.

Repositories (one per aggregate, `chalicelib.store.repositories`) are written once
over this small interface; two tables implement it: `DynamoTable` (DynamoDB, the real
thing, tested against DynamoDB Local) and `MemoryTable` (a sorted map under a lock,
for the fast unit tier). Conditions are data, not expression strings, so both
tables evaluate exactly the same rule; the contract suite runs on both.

Items are plain dicts holding their key attributes (PK, SK and, where indexed,
GSI1PK/GSI1SK); reads return them without the key attributes. Top-level None
values are not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol, Sequence, Union

from chalicelib.store.errors import BadCursor, ConditionFailed  # noqa: F401 - raised by every Table


# -- conditions ------------------------------------------------------------------------

@dataclass(frozen=True)
class Absent:
    """The item does not exist."""


@dataclass(frozen=True)
class Exists:
    """The item exists."""


@dataclass(frozen=True)
class Eq:
    attr: str
    value: Any


@dataclass(frozen=True)
class Lt:
    """The attribute exists and is less than `value` (numbers or strings)."""
    attr: str
    value: Any


@dataclass(frozen=True)
class Missing:
    """The item exists but has no such attribute."""
    attr: str


@dataclass(frozen=True)
class All:
    parts: tuple["Condition", ...]


@dataclass(frozen=True)
class Any_:
    parts: tuple["Condition", ...]


Condition = Union[Absent, Exists, Eq, Lt, Missing, All, Any_]


def all_of(*parts: Condition) -> Condition:
    return All(tuple(parts))


def any_of(*parts: Condition) -> Condition:
    return Any_(tuple(parts))


# -- operations ------------------------------------------------------------------------

@dataclass(frozen=True)
class Put:
    item: dict[str, Any]                      # with PK, SK (and GSI keys when indexed)
    condition: Condition | None = None


@dataclass(frozen=True)
class Update:
    key: tuple[str, str]
    set: dict[str, Any] = field(default_factory=dict)
    condition: Condition | None = None
    add: dict[str, int] = field(default_factory=dict)  # atomic counters: attr += n (0 when missing)


@dataclass(frozen=True)
class Delete:
    key: tuple[str, str]
    condition: Condition | None = None


@dataclass(frozen=True)
class Check:
    """Only in a transaction: the transaction holds only while this item meets `condition`."""
    key: tuple[str, str]
    condition: Condition


Operation = Union[Put, Update, Delete, Check]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None


class PagesThrough:
    """`query_all` for any table whose `query` pages with a cursor."""

    def query_all(self, pk: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        # Unlimited pages: DynamoDB stops at 1 MB, not at 100 items followed by an empty page.
        kwargs.setdefault("limit", None)
        cursor = None
        while True:
            page = self.query(pk, cursor=cursor, **kwargs)  # type: ignore[attr-defined]
            yield from page.items
            if not page.next:
                return
            cursor = page.next


class Table(Protocol):
    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        """Strongly consistent read of one item (without key attributes)."""

    def get_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any] | None]:
        """Strongly consistent reads of up to 100 items in one round trip; None for a missing one."""

    def write(self, operation: Operation) -> None:
        """One conditional write. Raises ConditionFailed."""

    def transact(self, operations: list[Operation]) -> None:
        """All or nothing. Raises ConditionFailed(index) when a condition fails."""

    def query(self, pk: str, *, index: bool = False, prefix: str | None = None,
              between: tuple[str, str] | None = None, newest_first: bool = False,
              limit: int | None = 100, cursor: str | None = None, fields: Sequence[str] | None = None) -> Page:
        """Items of one partition (of GSI1 when `index`), in sort-key order; `limit=None`: as many as
        one DynamoDB page holds (1 MB); `fields`: only these attributes of each item (a projection:
        a page of slim items holds more of them). Raises BadCursor."""

    def query_all(self, pk: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item `query` would page through."""

    def ensure(self) -> bool:
        """Create the table when missing; True when created."""

    def drop(self) -> None: ...
