"""How a use case's writes reach the table: all in one transaction, or not at all.

Repositories never write on their own: each write method hands its operations to the
store's `writes`, each operation tagged with what its condition protects (`guards`,
e.g. "finalised" for "the conference's list is still open", "etag" for "nobody changed
it since the caller read it"). Two kinds of `writes`:

- `UnitOfWork`: what a request gets (`store.unit_of_work()`). The domain stages its
  change, the audit event and, on an idempotent route, the HTTP layer stages the answer;
  `commit()` sends them as one `TransactWriteItems` (a lone write as one `PutItem`/...).
  A failed condition is raised as the domain error the use case named for it
  (`store.explain(finalised=Locked(...))`), so a race surfaces as the rule it broke.
- `Immediate`: each repository call commits at once (the compile pipeline's own
  claims, the CLI, the store's contract tests).

Either raises `ConditionFailed(index, guards)` when nothing names the failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from chalicelib.store.errors import ConditionFailed
from chalicelib.store.table import Operation, Table

MAX_TRANSACTION = 100  # DynamoDB's TransactWriteItems limit


@dataclass(frozen=True)
class Staged:
    """One write of a use case and what its condition protects."""

    operation: Operation
    guards: str = ""
    # The store's own meaning of a failed condition (AlreadyExists("nominee")), unless the use case named another.
    error: Callable[[], Exception] | None = None
    # Sent first: when its condition fails with others, its failure is the one reported (DynamoDB and
    # MemoryTable name the first failed operation), e.g. an idempotent answer whose claim was lost.
    leads: bool = False


def _execute(table: Table, staged: list[Staged], explained: dict[str, Exception | Callable[[], Exception]]) -> None:
    staged = sorted(staged, key=lambda s: not s.leads)  # stable: the others keep their order
    operations = [s.operation for s in staged]
    if len(operations) > MAX_TRANSACTION:
        raise ValueError(f"a transaction holds at most {MAX_TRANSACTION} writes, not {len(operations)}")
    try:
        if len(operations) == 1:
            table.write(operations[0])
        else:
            table.transact(operations)
    except ConditionFailed as exc:
        failed = staged[exc.index] if 0 <= exc.index < len(staged) else Staged(operations[0])
        if failed.guards in explained:
            error = explained[failed.guards]
            # a callable: the error is worth building (with its own reads) only once the condition failed
            raise (error() if callable(error) else error) from None
        if failed.error is not None:
            raise failed.error() from None
        raise ConditionFailed(exc.index, failed.guards) from None


class Immediate:
    """Every repository call is its own transaction, committed at once."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def apply(self, staged: list[Staged]) -> None:
        if staged:
            _execute(self.table, staged, {})

    def explain(self, **errors: Exception) -> None:
        """Nothing to remember: outside a unit of work (a script, a test calling a service) a failed
        condition surfaces as the store's own error at the write itself."""

    def commit(self) -> None:
        pass

    def after_commit(self, then: Callable[[], None]) -> None:
        then()  # every write is already committed


class UnitOfWork:
    """The writes of one use case, held until `commit()` sends them as one transaction."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._staged: list[Staged] = []
        self._explained: dict[str, Exception | Callable[[], Exception]] = {}
        self._after: list[Callable[[], None]] = []

    def apply(self, staged: list[Staged]) -> None:
        self._staged.extend(staged)

    def explain(self, **errors: Exception | Callable[[], Exception]) -> None:
        """Name the domain error each guarded condition means if it fails at commit (or what builds it)."""
        self._explained.update(errors)

    @property
    def pending(self) -> bool:
        return bool(self._staged)

    def commit(self) -> None:
        staged, self._staged = self._staged, []
        after, self._after = self._after, []
        if staged:
            _execute(self.table, staged, self._explained)
        for then in after:
            then()

    def after_commit(self, then: Callable[[], None]) -> None:
        """Run `then` once the transaction is committed (never when it fails): follow-up writes
        too many for one transaction, derived from what it committed."""
        self._after.append(then)
