"""The return notes whose email is not yet accepted: one item per review that returned a report.

An item is written before the email is tried and deleted once a mail server accepted it, so the
partition holds only what is outstanding and the daily run reads it with one Query. Every change
after the first write is conditioned on the claim of whoever holds the note, so two runs never
send the same note. Written over the `Table` primitives, like every repository (`repositories.py`).
"""

from __future__ import annotations

from chalicelib.store import keys
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.protocols import Record
from chalicelib.store.table import Absent, Delete, Eq, Put, Table, Update
from chalicelib.store.unit_of_work import Immediate, Staged, UnitOfWork


class ReturnNotes:
    def __init__(self, table: Table, writes: Immediate | UnitOfWork | None = None) -> None:
        self.table = table
        self.writes = writes if writes is not None else Immediate(table)

    def keep(self, note: Record) -> None:
        """Record the note with the review that returned the report (in its unit of work)."""
        pk, sk = self._key(note)
        self.writes.apply([Staged(Put({**note, "PK": pk, "SK": sk}, Absent()), "note")])

    @staticmethod
    def _key(note: Record) -> tuple[str, str]:
        return keys.return_note(note["unit_id"], note["period"], note["reviewed_at"])

    def open(self, note: Record) -> bool:
        """note: unit_id, period, reviewed_at, version, state, claim, claimed_at, attempts. False when it exists."""
        pk, sk = self._key(note)
        try:
            self.table.write(Put({**note, "PK": pk, "SK": sk}, Absent()))
        except ConditionFailed:
            return False
        return True

    def outstanding(self) -> list[Record]:
        return list(self.table.query_all(keys.RETURN_NOTES))

    def take(self, note: Record, claim: str, at: str) -> bool:
        """Claim a note read by `outstanding` for sending; False when another run took it meanwhile."""
        try:
            self.table.write(Update(self._key(note), {"state": "sending", "claim": claim, "claimed_at": at,
                                                      "attempts": int(note.get("attempts", 0)) + 1},
                                    Eq("claim", note["claim"])))
        except ConditionFailed:
            return False
        return True

    def failed(self, note: Record, claim: str, error: str) -> None:
        try:
            self.table.write(Update(self._key(note), {"state": "failed", "error": error}, Eq("claim", claim)))
        except ConditionFailed:
            pass  # taken over meanwhile: the new holder records its own outcome

    def done(self, note: Record, claim: str) -> None:
        try:
            self.table.write(Delete(self._key(note), Eq("claim", claim)))
        except ConditionFailed:
            pass
