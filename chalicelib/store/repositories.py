"""The repositories of `protocols.py`, written once over the `Table` primitives.

Every key comes from `keys.py` and every condition is a `table.py` condition object,
so DynamoTable and MemoryTable run exactly the same rules. A repository's write methods
hand their operations, each tagged with what its condition guards, to the store's
`writes` (`unit_of_work.py`): a request's use case commits them, its audit event and its
idempotent answer in one transaction; outside a request each call commits at once.

Claims that must be stored at once whatever the caller does (an idempotency key, a
reminder, a document version, a delivery, the compile request's clearing) write to the
table directly: they are how concurrent runs agree, never part of a use case's change.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from chalicelib.core.bearer import Bearer
from chalicelib.core.periods import parse_period
from chalicelib.store import keys
from chalicelib.store.errors import AlreadyExists, ClaimLost, ConditionFailed, StoreUnavailable
from chalicelib.store.protocols import (
    MAX_PAGE, AccountRepository, AuditRepository, ConferenceRepository, DocumentRepository, IdempotencyRepository,
    ManyReads, NominationRepository, PeriodRepository, Receipt, Record, ReminderRepository, ReportRepository,
    SubmissionReads, TokenRepository, UnitRepository,
)
from chalicelib.store.table import (
    Absent, Check, Condition, Delete, Eq, Exists, Lt, Missing, Operation, Page, Put, Table, Update, all_of, any_of,
)
from chalicelib.store.unit_of_work import Immediate, Staged, UnitOfWork

Writes = Immediate | UnitOfWork


def _audit_put(event: Record) -> Staged:
    pk, sk = keys.audit(event["entity"], event["at"], event["id"])
    gsi_pk, gsi_sk = keys.audit_index(event["at"], event["id"])
    return Staged(Put({**event, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}, Absent()), "audit")


def _with_audit(staged: list[Staged], audit: Record | None) -> list[Staged]:
    return [*staged, *([_audit_put(audit)] if audit is not None else [])]


def _new(item: Record, what: str | None = None) -> Staged:
    """Put a new item; AlreadyExists when its key is taken."""
    name = what or item["SK"]
    return Staged(Put(item, Absent()), "exists", lambda: AlreadyExists(name))


IN_PROGRESS = Eq("state", "in_progress")
# Set on the conference by every decision: finalising conditions on it (the approvals it counted).
DECISION_STAMP = "decision_stamp"
APPROVED_PREFIX = "approved#"  # the conference's count of approved nominations per award form
COUNTED = "approvals_counted"  # set at creation: every decision since has moved the counts


def approved_attr(award_form: str) -> str:
    return APPROVED_PREFIX + award_form


def _receipt_update(receipt: Receipt, condition: Condition | None = None) -> Update:
    # Stored as JSON text: responses may hold floats, which DynamoDB numbers can't take as-is.
    return Update(keys.idempotency(receipt.record_key), {
        "state": "done", "response": json.dumps(receipt.response), "expires_at": receipt.now + receipt.ttl_seconds},
        condition)


def _claimed(claimed_until: int | None) -> Condition:
    """The key is in progress and, given `claimed_until`, still under that very claim: a claim that
    expired and was taken by a retry has another `in_progress_until` (a later `now`)."""
    return IN_PROGRESS if claimed_until is None else all_of(IN_PROGRESS, Eq("in_progress_until", claimed_until))


def _answer(receipt: Receipt) -> Staged:
    """The answer staged with the change: committed only under the request's own claim, and checked
    first, so that a lost claim is what a failed transaction reports (not the retry's entity)."""
    condition = None if receipt.claimed_until is None else _claimed(receipt.claimed_until)
    return Staged(_receipt_update(receipt, condition), "claim", ClaimLost, leads=True)


# Periods of figures a unit's history item keeps per period kind: the outlier rule looks at
# the 12 before the one submitted, and a late correction may reach a little further back.
HISTORY_KEPT = 24


def _figures(history: Record | None) -> dict[str, dict[str, int]]:
    """A figure history item as {period code: values}."""
    return {attr[len(keys.HISTORY_ATTR):]: json.loads(values) if isinstance(values, str) else values
            for attr, values in (history or {}).items() if attr.startswith(keys.HISTORY_ATTR)}


def _period_figures(unit_id: str, period: str, status: str, values: Record, at: str) -> Staged:
    """A report's figures and status as its period's figures item, indexed by the time of the change."""
    pk, sk = keys.period_figures(unit_id, period)
    gsi_pk, gsi_sk = keys.figures_change_index(period, at, unit_id)
    return Staged(Put({"PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk, "unit_id": unit_id, "period": period,
                       "status": status, "f": json.dumps(values, separators=(",", ":")), "at": at}))


class _Repository:
    def __init__(self, table: Table, writes: Writes | None = None) -> None:
        self.table = table
        self.writes = writes if writes is not None else Immediate(table)


class Units(_Repository):
    @staticmethod
    def _item(unit: Record) -> Record:
        pk, sk = keys.unit(unit["id"])
        return {**unit, "PK": pk, "SK": sk}

    def create(self, unit: Record, audit: Record | None = None) -> None:
        self.writes.apply(_with_audit([_new(self._item(unit)), _tree_changed()], audit))

    def get(self, unit_id: str) -> Record | None:
        return self.table.get(keys.unit(unit_id))

    def replace(self, unit: Record, expected_etag: str, audit: Record | None = None) -> None:
        self.writes.apply(_with_audit([Staged(Put(self._item(unit), Eq("etag", expected_etag)), "etag"),
                                       _tree_changed()], audit))

    def keep_path(self, links: Sequence[tuple[str, str | None]]) -> None:
        """The transaction holds only while each (unit, parent) link is still as read (guards "moved")."""
        self.writes.apply([Staged(Check(keys.unit(unit_id), Missing("parent_id") if parent is None
                                        else Eq("parent_id", parent)), "moved") for unit_id, parent in links])

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.UNITS, prefix=keys.UNIT_PREFIX, limit=limit, cursor=cursor)

    def all(self, attrs: Sequence[str] | None = None) -> list[Record]:
        """Every unit (`attrs`: only these attributes of each)."""
        return list(self.table.query_all(keys.UNITS, prefix=keys.UNIT_PREFIX, attrs=attrs))

    def set_paths(self, paths: Sequence[tuple[str, list[str]]]) -> None:
        """Store each unit's ancestor path (root first), at once, 100 units per transaction: what a move
        rewrites below the moved unit after its own commit, and what the backfill writes."""
        updates = [Update(keys.unit(unit_id), {"path": list(path)}, Exists()) for unit_id, path in paths]
        for start in range(0, len(updates), MAX_PAGE):
            chunk = updates[start:start + MAX_PAGE]
            self.table.transact(chunk) if len(chunk) > 1 else self.table.write(chunk[0])
        if updates:  # after the paths: a tree read before this line is labelled with the old version
            self.table.write(_tree_changed().operation)

    def tree(self) -> list[Record]:
        """Every unit with the fields a walk of the tree needs (`TREE_ATTRS`), as `all(attrs=TREE_ATTRS)`
        gives them, without reading every unit on every request.

        Every unit change puts a new tree version in its own transaction (`_tree_changed`), so the
        version item says exactly whether a tree read earlier is still the tree:
        - this container keeps the last tree it read: one GetItem of the version reuses it;
        - else the tree is packed in the table as of a version (zlib JSON, a few items next to the
          version item): one Query of that small partition reads the version and the pack;
        - else (no pack, or a pack of an older version) every unit is read, projected, and packed
          anew, the pack conditioned on the version still being the one read before the units.
        Measured at 11,000 units on DynamoDB Local (docs/performance.md, load average 8-10): every unit
        projected to these fields 1.5 s (to id, kind and parent only, 1.0 s); the pack 31 ms; the kept
        tree 5 ms. So a narrower projection is not enough, and the pack serves new containers too.
        Callers get their own dicts (a shallow copy of each unit): the kept tree is never changed."""
        version_key = keys.units_tree_version()
        kept = _TREES.get(self.table)
        if kept is not None:
            current = self.table.get(version_key)
            if current is not None and current.get("version") == kept[0]:
                return [dict(u) for u in kept[1]]
        version, items = _kept_version(self.table, keys.UNITS_TREE, version_key)
        units = _unpack_tree(items, version)
        if units is None:
            units = self.all(attrs=TREE_ATTRS)
            _pack_tree(self.table, version, units)
        _TREES[self.table] = (version, units)
        return [dict(u) for u in units]


class Tokens(_Repository):
    def create(self, token: Record, audit: Record | None = None) -> None:
        pk, sk = keys.token(token["id"])
        self.writes.apply(_with_audit(
            [_new({**token, "PK": pk, "SK": sk, "GSI1PK": keys.TOKENS_INDEX, "GSI1SK": token["id"]})], audit))

    def get(self, token_id: str) -> Record | None:
        return self.table.get(keys.token(token_id))  # Table.get is strongly consistent

    def revoke(self, token_id: str, revoked_at: str, audit: Record | None = None) -> bool:
        # Exists(): an UpdateItem would otherwise create a stray token record. In a unit of work a
        # missing token fails the commit (guards "token"); at once, it is False here.
        try:
            self.writes.apply(_with_audit(
                [Staged(Update(keys.token(token_id), {"revoked_at": revoked_at}, Exists()), "token")], audit))
        except ConditionFailed as exc:
            if exc.guards != "token":
                raise
            return False
        return True

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.TOKENS_INDEX, index=True, limit=limit, cursor=cursor)


_STATUSES_READY: set[str] = set()  # tables known to hold a status item for every current report
_SUMMARIES_READY: set[str] = set()  # tables known to hold every register entry in its nominee's summary


def _marked(table: Any, key: keys.Key, seen: set[str]) -> bool:
    """Whether the table holds the mark `key` (a fact about every item of a kind, put by a backfill or
    when the table is made). Never unset, so a DynamoDB table seen marked is remembered for the
    process; an in-memory table has no name and is asked each time."""
    name = getattr(table, "name", "")
    if name in seen:
        return True
    if table.get(key) is None:
        return False
    if name:
        seen.add(name)
    return True


def _mark(table: Any, key: keys.Key, what: str) -> None:
    pk, sk = key
    table.write(Put({"PK": pk, "SK": sk, "what": what}))


class Reports(_Repository):
    def get(self, unit_id: str, period: str) -> Record | None:
        return self.table.get(keys.report(unit_id, period))

    def for_submission(self, unit_id: str, period: str, period_kind: str,
                       token_id: str | None = None, bearer: Bearer | None = None) -> SubmissionReads:
        wanted = {"unit": keys.unit(unit_id), "report": keys.report(unit_id, period),
                  "period_settings": keys.period_settings(period), "exception": keys.exception(unit_id, period),
                  "history": keys.figure_history(unit_id, period_kind)}
        if token_id is not None:
            wanted["token"] = keys.token(token_id)
        credential = credential_keys(bearer) if bearer is not None else {}
        found = self.table.get_many(list(wanted.values()) + list(credential.values()))
        return SubmissionReads(
            unit=found[wanted["unit"]], report=found[wanted["report"]],
            period_settings=found[wanted["period_settings"]], exception=found[wanted["exception"]],
            history=_figures(found[wanted["history"]]),
            token=found.get(wanted.get("token")),  # type: ignore[arg-type]
            credentials={name: found[key] for name, key in credential.items()} if bearer is not None else None)

    def read_many(self, reports: Sequence[tuple[str, str]] = (), settings: Sequence[str] = (),
                  exceptions: Sequence[tuple[str, str]] = (), histories: Sequence[str] = (),
                  period_kind: str = "month") -> ManyReads:
        wanted = list(dict.fromkeys([*(keys.report(u, p) for u, p in reports), *map(keys.period_settings, settings),
                                     *(keys.exception(u, p) for u, p in exceptions),
                                     *(keys.figure_history(u, period_kind) for u in histories)]))
        found: dict[tuple[str, str], Record | None] = {}
        for start in range(0, len(wanted), MAX_PAGE):  # BatchGetItem takes 100 keys
            found.update(self.table.get_many(wanted[start:start + MAX_PAGE]))
        return ManyReads(reports={(u, p): found[keys.report(u, p)] for u, p in reports},
                         settings={p: found[keys.period_settings(p)] for p in settings},
                         exceptions={(u, p): found[keys.exception(u, p)] for u, p in exceptions},
                         histories={u: _figures(found[keys.figure_history(u, period_kind)]) for u in histories})

    def save(self, report: Record, expected_etag: str | None, audit: Record | None = None,
             history: Sequence[str] = ()) -> None:
        unit_id, period, version = report["unit_id"], report["period"], report["version"]
        pk, sk = keys.report(unit_id, period)
        gsi_pk, gsi_sk = keys.report_index(unit_id, period)
        current = Staged(Put({**report, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk},
                             Absent() if expected_etag is None else Eq("etag", expected_etag)),
                         "exists" if expected_etag is None else "etag")
        rev_pk, rev_sk = keys.revision(unit_id, period, version)
        revision = Staged(Put({**report, "PK": rev_pk, "SK": rev_sk}, Absent()), "etag")  # every version kept
        # The history item is updated attribute by attribute: two periods submitted at once both land.
        kept = sorted(set(history) | {period})[-HISTORY_KEPT:]  # period codes of one kind sort in time
        changes = {keys.history_attr(old): None for old in history if old not in kept}  # None: REMOVE
        if period in kept:
            # JSON text, not a map of numbers: one string per period is far cheaper for botocore
            # to parse in every submission's read than a dozen typed numbers.
            changes[keys.history_attr(period)] = json.dumps(report["values"], separators=(",", ":"))
        kind = report.get("period_kind") or parse_period(period).kind
        figures = [Staged(Update(keys.figure_history(unit_id, kind), changes))] if changes else []
        # the period's figures item (sums over a conference's window) and its status item (the board):
        # two more items in the same transaction
        period_figures = _period_figures(unit_id, period, report["status"], report["values"],
                                         report.get("submitted_at", ""))
        self.writes.apply(_with_audit([current, revision, *figures, period_figures, self._status_put(report)], audit))

    def update_state(self, unit_id: str, period: str, expected_etag: str, fields: Record,
                     audit: Record | None = None, figures: tuple[str, Record] | None = None) -> None:
        follows = ([_period_figures(unit_id, period, fields["status"], figures[1], figures[0])]
                   if figures is not None and "status" in fields else [])
        status = {k: v for k, v in fields.items() if k in self.STATUS_ATTRS}
        also = [Staged(Update(keys.report_status(unit_id, period), {**status, "unit_id": unit_id, "period": period}))
                ] if status else []
        self.writes.apply(_with_audit(
            [Staged(Update(keys.report(unit_id, period), fields, Eq("etag", expected_etag)), "etag"), *follows, *also],
            audit))

    def revisions(self, unit_id: str, period: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.unit_partition(unit_id), prefix=keys.revision_prefix(period),
                                limit=limit, cursor=cursor)

    def for_unit(self, unit_id: str, first: str, last: str, limit: int = MAX_PAGE, cursor: str | None = None,
                 newest_first: bool = False) -> Page:
        return self.table.query(keys.unit_partition(unit_id),
                                between=(keys.report_sort(first), keys.report_sort(last)),
                                newest_first=newest_first, limit=limit, cursor=cursor)

    def for_period(self, period: str) -> list[Record]:
        return list(self.table.query_all(keys.period_reports_index(period), index=True))

    # What a report's figures, state and timeliness need: never its achievements or comments
    # (the bulk of an item), so the ~131,000 reports of a year at 11,000 units page quickly.
    FIGURE_FIELDS = ("unit_id", "period", "values", "status", "etag", "submitted_at", "first_submitted_at",
                     "timeliness", "version")

    def figures_for_period(self, period: str) -> list[Record]:
        """Every report of `period`, only FIGURE_FIELDS of each (a projection on the period index)."""
        return list(self.table.query_all(keys.period_reports_index(period), index=True, attrs=self.FIGURE_FIELDS))

    # What the completeness board reads of a report: never its figures or achievements.
    STATUS_ATTRS = ("unit_id", "period", "status", "timeliness", "submitted_at", "first_submitted_at", "version")

    def _status_put(self, report: Record) -> Staged:
        pk, sk = keys.report_status(report["unit_id"], report["period"])
        return Staged(Put({**{k: report.get(k) for k in self.STATUS_ATTRS}, "PK": pk, "SK": sk}))

    def statuses_for_period(self, period: str) -> list[Record]:
        """Every current report of a period, only its status fields: the period's small status items
        once every report has one (`statuses_ready`), else the reports themselves, projected (DynamoDB
        counts its 1 MB pages before a projection: whole reports, a few hundred a page)."""
        if self.statuses_ready():
            return list(self.table.query_all(keys.period_statuses(period)))
        return list(self.table.query_all(keys.period_reports_index(period), index=True, attrs=self.STATUS_ATTRS))

    def statuses_ready(self) -> bool:
        return _marked(self.table, keys.REPORT_STATUSES_READY, _STATUSES_READY)

    def mark_statuses_ready(self) -> None:
        _mark(self.table, keys.REPORT_STATUSES_READY, "every current report has its status item")

    def backfill_statuses(self, period: str) -> int:
        """Write the status item of each current report of `period` that has none (or a partial one, left
        by a review before it had one): how many."""
        have = {s["unit_id"]: s for s in self.table.query_all(keys.period_statuses(period)) if "unit_id" in s}
        written = 0
        for report in self.table.query_all(keys.period_reports_index(period), index=True, attrs=self.STATUS_ATTRS):
            if report["unit_id"] in have and have[report["unit_id"]].get("submitted_at"):
                continue
            put = self._status_put(report).operation
            try:
                self.table.write(Put(put.item, any_of(Absent(), Missing("submitted_at"))))  # type: ignore[attr-defined]
                written += 1
            except ConditionFailed:
                pass  # written meanwhile by a submission
        return written

    def get_exception(self, unit_id: str, period: str) -> Record | None:
        return self.table.get(keys.exception(unit_id, period))

    def put_exception(self, exception: Record, audit: Record | None = None) -> None:
        pk, sk = keys.exception(exception["unit_id"], exception["period"])
        self.writes.apply(_with_audit([Staged(Put({**exception, "PK": pk, "SK": sk}))], audit))


class Periods(_Repository):
    def get(self, period: str) -> Record | None:
        return self.table.get(keys.period_settings(period))

    def put(self, settings: Record, audit: Record | None = None) -> None:
        pk, sk = keys.period_settings(settings["period"])
        self.writes.apply(_with_audit([Staged(Put({**settings, "PK": pk, "SK": sk}))], audit))


class Reminders(_Repository):
    def claim(self, unit_id: str, period: str, kind: str, at: str) -> bool:
        pk, sk = keys.reminder(unit_id, period, kind)
        item = {"PK": pk, "SK": sk, "unit_id": unit_id, "period": period, "kind": kind,
                "claimed_at": at, "state": "sending"}
        try:
            self.table.write(Put(item, any_of(Absent(), Eq("state", "failed"))))  # a failed send may retry
        except ConditionFailed:
            return False
        return True

    def mark(self, unit_id: str, period: str, kind: str, state: str, detail: str = "") -> None:
        self.table.write(Update(keys.reminder(unit_id, period, kind), {"state": state, "detail": detail}))

    def get(self, unit_id: str, period: str, kind: str) -> Record | None:
        return self.table.get(keys.reminder(unit_id, period, kind))


class Conferences(_Repository):
    @staticmethod
    def _item(conference: Record) -> Record:
        pk, sk = keys.conference(conference["id"])
        gsi_pk, gsi_sk = keys.conference_index(conference["date"], conference["id"])
        return {**conference, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}

    def create(self, conference: Record, audit: Record | None = None) -> None:
        # Counted from the start: every decision on it moves its approval counts (`approved`).
        self.writes.apply(_with_audit([_new({**self._item(conference), COUNTED: True})], audit))

    def get(self, conference_id: str) -> Record | None:
        return self.table.get(keys.conference(conference_id))

    def replace(self, conference: Record, expected_etag: str, audit: Record | None = None) -> None:
        """Conditioned on the etag and on the decision stamp the record was read with: a decision
        between the read and this write (which moves the approval counts) fails it too."""
        stamp = conference.get(DECISION_STAMP)
        unchanged = all_of(Eq("etag", expected_etag), Missing(DECISION_STAMP) if stamp is None else Eq(DECISION_STAMP, stamp))
        self.writes.apply(_with_audit([Staged(Put(self._item(conference), unchanged), "etag")], audit))

    @staticmethod
    def approved(conference: Record) -> dict[str, int] | None:
        """Approved nominations per award form as decisions counted them; None for a conference created
        before the counts existed (its decisions were never all counted: count its nominations)."""
        if not conference.get(COUNTED):
            return None
        return {attr[len(APPROVED_PREFIX):]: int(n) for attr, n in conference.items() if attr.startswith(APPROVED_PREFIX)}

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.CONFERENCES, prefix=keys.CONFERENCE_PREFIX, limit=limit, cursor=cursor)

    def between(self, first_day: str, last_day: str) -> list[Record]:
        # GSI1SK is "<date>#<id>": "\uffff" sorts after every id of the last day.
        return list(self.table.query_all(keys.CONFERENCE_DATES, index=True,
                                         between=(f"{first_day}#", f"{last_day}#\uffff")))

    def request_compile(self, conference_id: str, requested_at: str) -> None:
        pk, sk = keys.compile_request(conference_id)
        self.writes.apply([Staged(Put({"PK": pk, "SK": sk, "conference_id": conference_id,
                                       "requested_at": requested_at}))])

    def compile_requests(self) -> list[Record]:
        return list(self.table.query_all(keys.COMPILE_REQUESTS, prefix=keys.CONFERENCE_PREFIX))

    def clear_compile_request(self, conference_id: str, requested_at: str) -> None:
        try:
            self.table.write(Delete(keys.compile_request(conference_id), Eq("requested_at", requested_at)))
        except ConditionFailed:
            pass  # a newer request arrived meanwhile (or none is left): keep it for the next run


class Documents(_Repository):
    def latest(self, conference_id: str, kind: str) -> Record | None:
        page = self.table.query(keys.conference_partition(conference_id), prefix=keys.document_kind_prefix(kind),
                                newest_first=True, limit=1)
        return page.items[0] if page.items else None

    def get_version(self, conference_id: str, kind: str, version: int) -> Record | None:
        return self.table.get(keys.document_version(conference_id, kind, version))

    def list(self, conference_id: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.conference_partition(conference_id), prefix=keys.DOCUMENT_PREFIX,
                                limit=limit, cursor=cursor)

    def claim_version(self, record: Record) -> None:
        cid, kind, version, doc_id = record["conference_id"], record["kind"], record["version"], record["document_id"]
        pk, sk = keys.document_version(cid, kind, version)
        ptr_pk, ptr_sk = keys.document_pointer(doc_id)
        pointer = {"PK": ptr_pk, "SK": ptr_sk, "document_id": doc_id, "conference_id": cid, "kind": kind,
                   "version": version}
        try:
            self.table.transact([Put({**record, "PK": pk, "SK": sk}, Absent()), Put(pointer, Absent())])
        except ConditionFailed as exc:
            raise AlreadyExists("version" if exc.index == 0 else "id") from None

    def update_version(self, conference_id: str, kind: str, version: int, fields: Record, claim: str) -> None:
        self.table.write(Update(keys.document_version(conference_id, kind, version), fields, Eq("claim", claim)))

    def take_over(self, conference_id: str, kind: str, version: int, old_claim: str, new_claim: str,
                  claimed_at: str) -> None:
        self.table.write(Update(keys.document_version(conference_id, kind, version),
                                {"claim": new_claim, "claimed_at": claimed_at, "state": "rendering"},
                                all_of(Eq("claim", old_claim), Eq("state", "rendering"))))

    def store_version(self, conference_id: str, kind: str, version: int, fields: Record, claim: str,
                      number: tuple[str, int, str] | None = None) -> None:
        key = keys.document_version(conference_id, kind, version)
        rendering = all_of(Eq("claim", claim), Eq("state", "rendering"))
        if number is None:
            self.table.write(Update(key, fields, rendering))
            return
        series, sequence, text = number
        taken = Absent() if sequence == 1 else Eq("value", sequence - 1)  # the next number, or none at all
        try:
            self.table.transact([Update(key, {**fields, "number": text}, rendering),
                                 Update(keys.counter(series), {"value": sequence}, taken)])
        except ConditionFailed as exc:
            if exc.index == 1:
                raise AlreadyExists("number") from None
            raise

    def abandon_older(self, conference_id: str, kind: str, version: int, at: str) -> list[int]:
        abandoned = []
        for record in self.table.query_all(keys.conference_partition(conference_id),
                                           prefix=keys.document_kind_prefix(kind)):
            older = int(record["version"])
            if older >= version or record.get("state") != "rendering":
                continue
            try:
                self.table.write(Update(keys.document_version(conference_id, kind, older),
                                        {"state": "abandoned", "superseded_by": version, "abandoned_at": at},
                                        Eq("state", "rendering")))
                abandoned.append(older)
            except ConditionFailed:
                pass  # stored (or abandoned) meanwhile
        return abandoned

    def last_number(self, series: str) -> int:
        counter = self.table.get(keys.counter(series))
        return int(counter["value"]) if counter else 0

    # -- streams: each document's lifecycle (draft → submitted → approved → issued) -------

    def stream(self, conference_id: str, stream: str) -> Record | None:
        return self.table.get(keys.stream_head(conference_id, stream))

    def streams(self, conference_id: str) -> list[Record]:
        return list(self.table.query_all(keys.conference_partition(conference_id), prefix=keys.STREAM_PREFIX))

    def put_draft(self, conference_id: str, stream: str, fields: Record) -> bool:
        """Point the stream at its newest draft (fields: draft_version, draft_document_id, ...), creating the
        head on a stream's first draft; only while the stream is in draft (a submit that won meanwhile keeps
        its draft). False when the stream has moved on. Written at once (the compile's own bookkeeping)."""
        pk, sk = keys.stream_head(conference_id, stream)
        try:
            self.table.write(Update((pk, sk), {"conference_id": conference_id, "stream": stream, **fields},
                                    any_of(Absent(), Eq("stage", "draft"))))
        except ConditionFailed:
            return False
        return True

    def move_stream(self, conference_id: str, stream: str, stage: str, fields: Record, *,
                    condition: Condition | None = None, documents: Sequence[tuple[Record, Record]] = (),
                    audit: Record | None = None) -> None:
        """One lifecycle step: the head from `stage` (and `condition`) to `fields` (guards "stage"), each
        (document version, fields) given updated with it (guards "document"), and the audit event, in one
        transaction (the request's unit of work, or at once)."""
        on_head = Eq("stage", stage) if condition is None else all_of(Eq("stage", stage), condition)
        staged = [Staged(Update(keys.stream_head(conference_id, stream), fields, on_head), "stage")]
        staged += [Staged(Update(keys.document_version(r["conference_id"], r["kind"], int(r["version"])), f,
                                 Exists()), "document") for r, f in documents]
        self.writes.apply(_with_audit(staged, audit))

    def awaiting(self, account_id: str) -> list[Record]:
        """The stream heads submitted to this account and not yet approved or returned (GSI1)."""
        return list(self.table.query_all(keys.signing_requests(account_id), index=True))

    def number_taken(self, symbol: str, year: int, n: int) -> bool:
        return self.table.get(keys.document_number(symbol, year, n)) is not None

    def last_issued(self, symbol: str, year: int) -> int:
        """The highest number issued in the (symbol, year) series (0 before the first), counting the
        numbers the old counter gave (`docnumber#<symbol>#<year>`) too."""
        page = self.table.query(keys.number_series(symbol, year), prefix=keys.NUMBER_PREFIX, newest_first=True,
                                limit=1)
        last = int(page.items[0]["n"]) if page.items else 0
        return max(last, self.last_number(f"docnumber#{symbol}#{year}"))

    def issue(self, record: Record, fields: Record, claim: str, *, number: tuple[str, int, int],
              head: Record, replaced: tuple[Record, Record] | None = None, audit: Record | None = None) -> None:
        """Store the rendered final version and issue it, all or nothing: the version (while `claim` still
        renders it), the number item (symbol, year, n) put only if nobody holds it, the stream head from
        "approved" to `head`, the replaced document (record, fields) and the audit event.
        Raises AlreadyExists("number") when the number is taken, ConditionFailed otherwise (claim lost,
        stream moved)."""
        cid, stream, version = record["conference_id"], record["kind"], int(record["version"])
        symbol, year, n = number
        npk, nsk = keys.document_number(symbol, year, n)
        operations = [
            Update(keys.document_version(cid, stream, version), fields,
                   all_of(Eq("claim", claim), Eq("state", "rendering"))),
            Put({"PK": npk, "SK": nsk, "symbol": symbol, "year": year, "n": n, "document_id": record["document_id"],
                 "conference_id": cid, "stream": stream}, Absent()),
            Update(keys.stream_head(cid, stream), head, Eq("stage", "approved")),
        ]
        if replaced is not None:
            old, changes = replaced
            operations.append(Update(keys.document_version(old["conference_id"], old["kind"], int(old["version"])),
                                     changes, Exists()))
        if audit is not None:
            operations.append(_audit_put(audit).operation)
        try:
            self.table.transact(operations)
        except ConditionFailed as exc:
            if exc.index == 1:
                raise AlreadyExists("number") from None
            raise

    def get(self, document_id: str) -> Record | None:
        pointer = self.table.get(keys.document_pointer(document_id))
        if pointer is None:
            return None
        return self.get_version(pointer["conference_id"], pointer["kind"], int(pointer["version"]))

    def claim_delivery(self, record: Record) -> Record | None:
        pk, sk = keys.delivery(record["document_id"], record["email"])
        while True:
            try:
                self.table.write(Put({**record, "PK": pk, "SK": sk}, Absent()))
                return None
            except ConditionFailed:
                existing = self.table.get((pk, sk))
                if existing is not None:
                    return existing
                # deleted between our two calls: try to claim it again

    def update_delivery(self, document_id: str, email: str, fields: Record, claim: str,
                        new_claim: str | None = None) -> None:
        changes = {**fields, **({"claim": new_claim} if new_claim else {})}
        self.table.write(Update(keys.delivery(document_id, email), changes, Eq("claim", claim)))

    def deliveries(self, document_id: str) -> list[Record]:
        pk, prefix = keys.deliveries_of(document_id)
        return list(self.table.query_all(pk, prefix=prefix))


class Idempotency(_Repository):
    def claim(self, record_key: str, fingerprint: str, now: int, in_progress_seconds: int,
              ttl_seconds: int) -> Record | None:
        key = keys.idempotency(record_key)
        item = {"PK": key[0], "SK": key[1], "fingerprint": fingerprint, "state": "in_progress",
                "in_progress_until": now + in_progress_seconds, "expires_at": now + ttl_seconds}
        claimable = any_of(
            Absent(),
            Lt("expires_at", now),  # DynamoDB deletes expired items lazily (up to days later)
            all_of(Eq("state", "in_progress"), Lt("in_progress_until", now)),  # its request died
        )
        while True:
            try:
                self.table.write(Put(item, claimable))
                return None
            except ConditionFailed:
                existing = self.table.get(key)
                if existing is not None:
                    if isinstance(existing.get("response"), str):
                        existing["response"] = json.loads(existing["response"])
                    return existing
                # expired and removed between our two calls: claim again

    def get(self, record_key: str) -> Record | None:
        item = self.table.get(keys.idempotency(record_key))
        if item is not None and isinstance(item.get("response"), str):
            item["response"] = json.loads(item["response"])
        return item

    def answer(self, receipt: Receipt) -> None:
        """The answer to an idempotent request, stored with the request's own change."""
        self.writes.apply([_answer(receipt)])

    def complete(self, record_key: str, response: Record, now: int, ttl_seconds: int,
                 claimed_until: int | None = None) -> None:
        # An answer already stored (with the change itself, in its transaction) stands, and so
        # does a retry's claim taken after ours expired.
        try:
            self.table.write(_receipt_update(Receipt(record_key, response, now, ttl_seconds), _claimed(claimed_until)))
        except ConditionFailed:
            pass

    def release(self, record_key: str, claimed_until: int | None = None) -> None:
        # A transaction whose answer was lost may have stored its receipt: keep it for the retry;
        # a retry's claim taken after ours expired is not ours to delete.
        try:
            self.table.write(Delete(keys.idempotency(record_key), _claimed(claimed_until)))
        except ConditionFailed:
            pass


class Audit(_Repository):
    def append(self, event: Record) -> None:
        self.writes.apply([_audit_put(event)])

    def list(self, entity: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.audit_partition(entity), newest_first=True, limit=limit, cursor=cursor)


class Nominations(_Repository):
    @staticmethod
    def _item(nomination: Record) -> Record:
        pk, sk = keys.nomination(nomination["unit_id"], nomination["conference_id"], nomination["id"])
        gsi_pk, gsi_sk = keys.nomination_index(nomination["conference_id"], nomination["id"])
        return {**nomination, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}

    @staticmethod
    def _open(conference_id: str) -> Check:
        """The conference exists and its list is not finalised."""
        return Check(keys.conference(conference_id), Missing("finalised_at"))

    @staticmethod
    def _guard(nomination: Record) -> tuple[str, str]:
        return keys.nominee_guard(nomination["conference_id"], nomination["award_form"], nomination["nominee_key"])

    def _guard_put(self, nomination: Record) -> Staged:
        pk, sk = self._guard(nomination)
        return Staged(Put({"PK": pk, "SK": sk, "nomination_id": nomination["id"]}, Absent()), "nominee",
                      lambda: AlreadyExists("nominee"))

    def _guard_moves(self, nomination: Record, previous: Record) -> list[Staged]:
        """Release the old guard and take the new one when who or which form changed."""
        old, new = self._guard(previous), self._guard(nomination)
        if old == new:
            return []
        return [Staged(Delete(old, any_of(Absent(), Eq("nomination_id", nomination["id"])))),
                self._guard_put(nomination)]

    def create(self, nomination: Record, audit: Record | None = None) -> None:
        pointer = self._pointer(nomination)
        self.writes.apply(_with_audit([
            _new(self._item(nomination), "id"), _new(pointer, "id"), self._guard_put(nomination),
            Staged(self._open(nomination["conference_id"]), "finalised"),
            self._ranks_changed(nomination["conference_id"])], audit))

    @staticmethod
    def _ranks_changed(conference_id: str) -> Staged:
        """A new version of what ranking reads of the conference's nominations, with the write that changes it."""
        return Staged(Put(_new_version(keys.nomination_ranks_version(conference_id))))

    def for_ranking(self, conference_id: str, attrs: Sequence[str]) -> list[Record]:
        """`for_conference(conference_id, attrs)` without reading every nomination on every request.

        Every nomination write of the conference (create, edit, decisions) puts a new version in its own
        transaction, so a pack of `attrs` as of the version read is exactly the nominations: one Query of
        the small partition holding the version and the pack (~1 item at 5,000 nominations, instead of
        their 1 MB pages read whole before the projection). Else the nominations are read, projected,
        and packed, the pack conditioned on the version still being the one read before them."""
        partition = keys.nomination_ranks_partition(conference_id)
        version_key = keys.nomination_ranks_version(conference_id)
        version, items = _kept_version(self.table, partition, version_key)
        tag = ",".join(attrs)
        kept = _unpack_kept(items, version, tag)
        if kept is not None:
            return kept
        rows = self.for_conference(conference_id, attrs=attrs)
        _pack_kept(self.table, version_key, lambda n: keys.nomination_ranks_pack(conference_id, n), version, rows, tag)
        return rows

    @staticmethod
    def _pointer(nomination: Record) -> Record:
        # the nominee's unit too: an edit reads the nominee's unit with the nomination, in one batch
        pk, sk = keys.nomination_pointer(nomination["id"])
        return {"PK": pk, "SK": sk, "id": nomination["id"], "unit_id": nomination["unit_id"],
                "conference_id": nomination["conference_id"], "nominee_unit_id": nomination.get("nominee_unit_id")}

    def get(self, nomination_id: str) -> Record | None:
        pointer = self.table.get(keys.nomination_pointer(nomination_id))
        if pointer is None:
            return None
        return self.table.get(keys.nomination(pointer["unit_id"], pointer["conference_id"], nomination_id))

    def pointer(self, nomination_id: str) -> Record | None:
        """The id pointer: the nomination's unit, conference (and nominee's unit, since they carry it)."""
        return self.table.get(keys.nomination_pointer(nomination_id))

    def guard_holder(self, conference_id: str, award_form: str, nominee_key: str) -> str | None:
        """The id of the nomination holding this nominee's guard, if any."""
        guard = self.table.get(keys.nominee_guard(conference_id, award_form, nominee_key))
        return guard.get("nomination_id") if guard else None

    def get_many(self, nomination_ids: Sequence[str]) -> dict[str, Record | None]:
        """Nominations by id in two batched round trips (pointers, then items)."""
        pointer_keys = {i: keys.nomination_pointer(i) for i in nomination_ids}
        pointers = self.table.get_many(list(pointer_keys.values())) if pointer_keys else {}
        item_keys = {i: keys.nomination(p["unit_id"], p["conference_id"], i)
                     for i, k in pointer_keys.items() if (p := pointers.get(k)) is not None}
        items = self.table.get_many(list(item_keys.values())) if item_keys else {}
        return {i: (items.get(item_keys[i]) if i in item_keys else None) for i in nomination_ids}

    def replace(self, nomination: Record, previous: Record, audit: Record | None = None,
                pointer: Record | None = None) -> None:
        """`pointer`: the pointer as read; rewritten when it no longer names the nominee's unit."""
        moved = [] if pointer is not None and pointer.get("nominee_unit_id") == nomination.get("nominee_unit_id") \
            else [Staged(Put(self._pointer(nomination)))]
        self.writes.apply(_with_audit([
            Staged(Put(self._item(nomination), Eq("etag", previous["etag"])), "etag"),
            Staged(self._open(nomination["conference_id"]), "finalised"),
            *self._guard_moves(nomination, previous), *moved, self._ranks_changed(nomination["conference_id"])],
            audit))

    def decide(self, changes: list[tuple[Record, Record]], conference_id: str, audits: list[Record],
               stamp: str, approved: dict[str, int]) -> None:
        """Each (decided, previous) conditioned on previous["etag"] (guards "etag:<id>"), its nominee guard
        moved when the form changed, and on the conference, while its list is open (guards "finalised"),
        the approval counts moved by `approved` ({award form: +n/-n}) and a new decision stamp: finalising
        counts approvals there and conditions on that stamp, so a decision and a finalise never both pass."""
        staged: list[Staged] = []
        for new, old in changes:
            staged.append(Staged(Put(self._item(new), Eq("etag", old["etag"])), f"etag:{old['id']}"))
            staged.extend(self._guard_moves(new, old))
        counts = {approved_attr(form): n for form, n in approved.items() if n}
        staged.append(Staged(Update(keys.conference(conference_id), {DECISION_STAMP: stamp},
                                    Missing("finalised_at"), add=counts), "finalised"))
        staged.append(self._ranks_changed(conference_id))
        self.writes.apply([*staged, *(_audit_put(a) for a in audits)])

    def with_conference(self, conference_id: str, nomination_ids: Sequence[str]
                        ) -> tuple[Record | None, dict[str, Record | None]]:
        """The conference and nominations by id, as `get_many` reads them, the conference's record
        in the pointers' batch: two batched round trips for a bulk decision's every read."""
        conference_key = keys.conference(conference_id)
        pointer_keys = {i: keys.nomination_pointer(i) for i in nomination_ids}
        wanted = [conference_key, *pointer_keys.values()]
        found: dict[keys.Key, Record | None] = {}
        for start in range(0, len(wanted), MAX_PAGE):
            found.update(self.table.get_many(wanted[start:start + MAX_PAGE]))
        item_keys = {i: keys.nomination(p["unit_id"], p["conference_id"], i)
                     for i, k in pointer_keys.items() if (p := found.get(k)) is not None}
        items: dict[keys.Key, Record | None] = {}
        listed = list(item_keys.values())
        for start in range(0, len(listed), MAX_PAGE):
            items.update(self.table.get_many(listed[start:start + MAX_PAGE]))
        return found[conference_key], {i: (items.get(item_keys[i]) if i in item_keys else None)
                                       for i in nomination_ids}

    def for_unit(self, unit_id: str, conference_id: str | None = None, limit: int = MAX_PAGE,
                 cursor: str | None = None) -> Page:
        return self.table.query(keys.unit_partition(unit_id), prefix=keys.nomination_prefix(conference_id),
                                limit=limit, cursor=cursor)

    def for_conference(self, conference_id: str, attrs: Sequence[str] | None = None) -> list[Record]:
        """Every nomination of the conference (`attrs`: only those attributes of each)."""
        return list(self.table.query_all(keys.conference_nominations(conference_id), index=True, attrs=attrs))

    def put_score(self, score: Record, audit: Record | None = None) -> None:
        pk, sk = keys.score(score["conference_id"], score["nomination_id"], score["reviewer"])
        self.writes.apply(_with_audit([Staged(Put({**score, "PK": pk, "SK": sk})),
                                       Staged(self._open(score["conference_id"]), "finalised")], audit))

    def scores(self, conference_id: str) -> list[Record]:
        return list(self.table.query_all(keys.scores_partition(conference_id)))

    def scores_for(self, conference_id: str, nomination_id: str) -> list[Record]:
        """One nomination's reviewer scores (its sort keys begin with its id): not the conference's."""
        return list(self.table.query_all(keys.scores_partition(conference_id),
                                         prefix=keys.score_prefix(nomination_id)))


def credential_keys(bearer: Bearer) -> dict[str, keys.Key]:
    """What authenticating a bearer token reads: the machine token's record, or the person's account
    and session (one partition, one BatchGetItem)."""
    if bearer.is_session:
        assert bearer.account_id and bearer.session_id
        return {"account": keys.account(bearer.account_id),
                "session": keys.session(bearer.account_id, bearer.session_id)}
    assert bearer.token_id
    return {"token": keys.token(bearer.token_id)}


class Accounts(_Repository):
    """People's accounts, their sessions and passkeys (one partition per account), the email guard,
    WebAuthn challenges and the sign-in throttle counters."""

    @staticmethod
    def _item(account: Record) -> Record:
        pk, sk = keys.account(account["id"])
        gsi_pk, gsi_sk = keys.account_index(account.get("unit_id"), account["id"])
        return {**account, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}

    # -- accounts ----------------------------------------------------------------------

    def create(self, account: Record, audit: Record | None = None) -> None:
        """The account and its email guard, or neither: AlreadyExists("email") when the email is taken."""
        pk, sk = keys.email_guard(account["email"])
        guard = Staged(Put({"PK": pk, "SK": sk, "account_id": account["id"]}, Absent()), "email",
                       lambda: AlreadyExists("email"))
        self.writes.apply(_with_audit([guard, _new(self._item(account), "id")], audit))

    def get(self, account_id: str) -> Record | None:
        return self.table.get(keys.account(account_id))

    def by_email(self, email: str, also: Sequence[keys.Key] = (), even: bool = False
                 ) -> tuple[Record | None, dict[keys.Key, Record | None]]:
        """The account with this (normalised) email and the items `also` names: two round trips
        (the guard with `also`, then the account). `even`: the second read is made for an unknown
        email too (of an account id no account has), so both answers take the same time."""
        guard_key = keys.email_guard(email)
        found = self.table.get_many([guard_key, *also])
        guard = found.pop(guard_key)
        account = None
        if guard or even:
            account = self.table.get(keys.account(guard["account_id"] if guard else keys.NO_ACCOUNT))
        return account, found

    def update(self, account_id: str, fields: Record, condition: Condition | None = None, guards: str = "account",
               audit: Record | None = None) -> None:
        """SET fields (None: REMOVE) on an existing account (guards "account"), while `condition` holds
        (guards `guards`). A changed unit_id moves the account's index key with it."""
        if "unit_id" in fields:
            fields = {**fields, "GSI1SK": keys.account_index(fields["unit_id"], account_id)[1]}
        exists = Exists() if condition is None else all_of(Exists(), condition)
        self.writes.apply(_with_audit([Staged(Update(keys.account(account_id), fields, exists), guards)], audit))

    def list(self, unit_id: str | None = None, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        prefix = keys.account_unit_prefix(unit_id) if unit_id is not None else None
        return self.table.query(keys.ACCOUNTS, index=True, prefix=prefix, limit=limit, cursor=cursor)

    # -- sessions ----------------------------------------------------------------------

    def credentials(self, bearer: Bearer) -> dict[str, Record | None]:
        """The records `credential_keys` names, in one round trip."""
        wanted = credential_keys(bearer)
        if len(wanted) == 1:
            (name, key), = wanted.items()
            return {name: self.table.get(key)}
        found = self.table.get_many(list(wanted.values()))
        return {name: found[key] for name, key in wanted.items()}

    def create_session(self, session: Record, audit: Record | None = None) -> None:
        pk, sk = keys.session(session["account_id"], session["id"])
        self.writes.apply(_with_audit([_new({**session, "PK": pk, "SK": sk}, "session")], audit))

    def touch_session(self, account_id: str, session_id: str, last_seen: str, expires_at: int) -> None:
        """Move the idle clock, at once (never part of a request's transaction). No condition: a session
        deleted meanwhile leaves at most a stub without a hash (it authenticates nothing) that its
        `expires_at` removes."""
        self.table.write(Update(keys.session(account_id, session_id), {"last_seen": last_seen,
                                                                       "expires_at": expires_at}))

    def audit_now(self, event: Record) -> None:
        """An audit event written at once: what a refused request did (a failed sign-in) has no commit."""
        self.table.write(_audit_put(event).operation)

    def end_session(self, account_id: str, session_id: str, audit: Record | None = None) -> None:
        self.writes.apply(_with_audit([Staged(Delete(keys.session(account_id, session_id)))], audit))

    # -- passkeys ----------------------------------------------------------------------

    def add_passkey(self, passkey: Record, audit: Record | None = None) -> None:
        """The passkey and the account's count of them, in one transaction; AlreadyExists("passkey")
        when the credential is already registered."""
        pk, sk = keys.passkey(passkey["account_id"], passkey["id"])
        self.writes.apply(_with_audit([
            Staged(Put({**passkey, "PK": pk, "SK": sk}, Absent()), "passkey", lambda: AlreadyExists("passkey")),
            Staged(Update(keys.account(passkey["account_id"]), {}, Exists(), add={"passkeys": 1}), "account")],
            audit))

    def passkey(self, account_id: str, credential_id: str) -> Record | None:
        return self.table.get(keys.passkey(account_id, credential_id))

    def passkeys(self, account_id: str) -> list[Record]:
        return list(self.table.query_all(keys.account_partition(account_id), prefix=keys.PASSKEY_PREFIX))

    def remove_passkey(self, account_id: str, credential_id: str, condition: Condition | None = None,
                       audit: Record | None = None) -> None:
        """Delete the passkey (it must exist: guards "passkey") and count it off the account, on which
        `condition` must hold (guards "account")."""
        on_account = Exists() if condition is None else all_of(Exists(), condition)
        self.writes.apply(_with_audit([
            Staged(Delete(keys.passkey(account_id, credential_id), Exists()), "passkey"),
            Staged(Update(keys.account(account_id), {}, on_account, add={"passkeys": -1}), "account")], audit))

    def passkey_used(self, account_id: str, credential_id: str, sign_count: int, at: str) -> None:
        self.writes.apply([Staged(Update(keys.passkey(account_id, credential_id),
                                         {"sign_count": sign_count, "last_used_at": at}, Exists()), "passkey")])

    # -- WebAuthn challenges: single use ----------------------------------------------

    def put_challenge(self, value: str, record: Record, expires_at: int) -> None:
        pk, sk = keys.challenge(value)
        self.writes.apply([Staged(Put({**record, "PK": pk, "SK": sk, "valid_until": expires_at,
                                       "expires_at": expires_at}, Absent()), "challenge")])

    def take_challenge(self, value: str) -> Record | None:
        """The challenge's record, deleted at once so it never serves twice (None: unknown or used)."""
        key = keys.challenge(value)
        record = self.table.get(key)
        if record is None:
            return None
        try:
            self.table.write(Delete(key, Exists()))
        except ConditionFailed:
            return None  # taken by a concurrent request
        return record

    # -- sign-in throttle: written at once, whatever the request answers ---------------

    def throttle_keys(self, subjects: Sequence[str]) -> list[keys.Key]:
        return [keys.throttle(s) for s in subjects]

    def count_failure(self, subject: str, seen: Record | None, now: int, window: int) -> Record:
        """Add one failure to `subject`'s counter (`seen`: as read before), atomically: within its live
        window an ADD; otherwise a new window of `window` seconds starts at `now`. Returns the counter
        as it is believed to stand (count, window_until)."""
        key = keys.throttle(subject)
        for _ in range(5):
            if seen is not None and int(seen.get("window_until", 0)) > now:
                try:
                    self.table.write(Update(key, {}, Eq("window_until", seen["window_until"]), add={"count": 1}))
                    return {**seen, "count": int(seen.get("count", 0)) + 1}
                except ConditionFailed:
                    pass  # a new window began meanwhile
            else:
                fresh = {"PK": key[0], "SK": key[1], "subject": subject, "count": 1, "window_until": now + window,
                         "expires_at": now + window + 3600}
                previous = Absent() if seen is None else Eq("window_until", seen["window_until"])
                try:
                    self.table.write(Put(fresh, previous))
                    return {"subject": subject, "count": 1, "window_until": now + window}
                except ConditionFailed:
                    pass  # another failure started the window first: count in it
            seen = self.table.get(key)
        raise ConditionFailed(0, "throttle")

    def clear_failures(self, subject: str) -> None:
        self.table.write(Delete(keys.throttle(subject)))

    def claim_lock_notice(self, subject: str, window_until: int) -> bool:
        """True once per lock window: whoever claims it emails the account's owner."""
        try:
            self.table.write(Update(keys.throttle(subject), {"notified": True},
                                    all_of(Eq("window_until", window_until), Missing("notified"))))
        except ConditionFailed:
            return False
        return True


class Register(_Repository):
    """The register of commendations (sổ theo dõi khen thưởng) and its pending imports.

    Entries are written straight to the table, one Put each, not through the request's unit of
    work: a decision or an import holds more awardees than one transaction takes (100 items), and
    an entry's id is deterministic (decision document + nomination, import + row), so writing it
    again writes the same item: a retry never adds a second entry."""

    @staticmethod
    def _item(entry: Record) -> Record:
        pk, sk = keys.register_entry(entry["year"], entry["id"])
        item = {**entry, "PK": pk, "SK": sk}
        if entry.get("identity_key"):
            item["GSI1PK"], item["GSI1SK"] = keys.register_identity_index(
                entry["identity_key"], entry.get("decision_date") or "", entry["id"])
        return item

    def put_entries(self, entries: Sequence[Record]) -> int:
        """Write entries not yet in the register; returns how many were new."""
        written = 0
        for entry in entries:
            try:
                # with its nominee's summary in one transaction: the summary never misses a stored entry
                put = Put(self._item(entry), Absent())
                self.table.transact([put, self._summary_set(entry)]) if entry.get("identity_key") \
                    else self.table.write(put)
                written += 1
            except ConditionFailed:
                pass  # already there: a retried compile or confirm
        return written

    SUMMARY_PREFIX = "e#"

    @classmethod
    def _summary_set(cls, entry: Record) -> Update:
        return Update(keys.register_summary(entry["identity_key"]),
                      {cls.SUMMARY_PREFIX + entry["id"]: json.dumps(
                          {k: v for k, v in entry.items() if v is not None and k not in keys.KEY_ATTRS},
                          ensure_ascii=False, separators=(",", ":"), default=str)})

    def of_identities(self, identity_keys: Sequence[str]) -> dict[str, list[Record]]:
        """Each nominee's entries, oldest decision first (as `of_identity`): from their summaries, 100 a
        BatchGetItem, once every entry is in one (`summaries_ready`); else one Query per nominee."""
        wanted = list(dict.fromkeys(identity_keys))
        if not self.summaries_ready():
            return {key: self.of_identity(key) for key in wanted}
        out: dict[str, list[Record]] = {}
        for start in range(0, len(wanted), MAX_PAGE):
            chunk = wanted[start:start + MAX_PAGE]
            found = self.table.get_many([keys.register_summary(k) for k in chunk])
            for key in chunk:
                item = found.get(keys.register_summary(key)) or {}
                entries = [json.loads(v) for a, v in item.items() if a.startswith(self.SUMMARY_PREFIX)]
                # the identity index's order (decision date, then id)
                out[key] = sorted(entries, key=lambda e: (str(e.get("decision_date") or ""), str(e["id"])))
        return out

    def summaries_ready(self) -> bool:
        return _marked(self.table, keys.REGISTER_SUMMARIES_READY, _SUMMARIES_READY)

    def mark_summaries_ready(self) -> None:
        _mark(self.table, keys.REGISTER_SUMMARIES_READY, "every register entry is in its nominee's summary")

    def backfill_summaries(self) -> int:
        """Put every entry with an identity into its nominee's summary (entries stored before summaries):
        how many. Attribute by attribute (an Update), so an entry a decision writes meanwhile is kept."""
        written = 0
        for entry in self.table.query_all(keys.REGISTER):
            if entry.get("identity_key") and entry.get("id"):
                self.table.write(self._summary_set(entry))
                written += 1
        return written

    def get(self, year: int | str, entry_id: str) -> Record | None:
        return self.table.get(keys.register_entry(year, entry_id))

    def present(self, entries: Sequence[Record]) -> set[str]:
        """The ids of those entries (year, id) the register holds: BatchGetItems of 100, not the years read."""
        wanted = list(dict.fromkeys(keys.register_entry(e["year"], e["id"]) for e in entries))
        found: set[str] = set()
        for start in range(0, len(wanted), MAX_PAGE):
            found |= {sk.split("#", 1)[1] for (_, sk), item in self.table.get_many(wanted[start:start + MAX_PAGE]).items()
                      if item is not None}
        return found

    def remove(self, entries: Sequence[Record]) -> None:
        """Delete entries (those of a decision another replaced)."""
        for entry in entries:
            delete = Delete(keys.register_entry(entry["year"], entry["id"]))
            if entry.get("identity_key"):  # out of its nominee's summary in the same transaction
                self.table.transact([delete, Update(keys.register_summary(entry["identity_key"]),
                                                    {self.SUMMARY_PREFIX + entry["id"]: None})])
            else:
                self.table.write(delete)

    def entries(self, year: int | str | None = None) -> list[Record]:
        """Every entry (or one year's), by year then id."""
        prefix = keys.register_year_prefix(year) if year is not None else None
        return list(self.table.query_all(keys.REGISTER, prefix=prefix))

    def of_identity(self, identity_key: str) -> list[Record]:
        """One nominee's entries, oldest decision first."""
        return list(self.table.query_all(keys.register_identity(identity_key), index=True))

    def put_import(self, record: Record) -> None:
        pk, sk = keys.register_import(record["id"])
        self.table.write(Put({**record, "PK": pk, "SK": sk}, Absent()))

    def get_import(self, import_id: str) -> Record | None:
        return self.table.get(keys.register_import(import_id))

    def mark_import(self, import_id: str, fields: Record) -> None:
        self.table.write(Update(keys.register_import(import_id), fields, Exists()))


@dataclass
class Store:
    """The table and every repository over it: what the app is handed.

    `store.unit_of_work()` is the same store whose writes wait for `commit()`: a request's
    use case stages its change there and the HTTP layer commits it once (with the answer).
    """

    table: Table
    units: UnitRepository
    tokens: TokenRepository
    reports: ReportRepository
    periods: PeriodRepository
    reminders: ReminderRepository
    conferences: ConferenceRepository
    documents: DocumentRepository
    idempotency: IdempotencyRepository
    audit: AuditRepository
    nominations: NominationRepository
    accounts: AccountRepository
    register: "Register"
    writes: Writes = field(default=None)  # type: ignore[assignment]
    figures: "PeriodFigures" = field(default=None)  # type: ignore[assignment]

    @classmethod
    def on(cls, table: Table, writes: Writes | None = None) -> "Store":
        w = writes if writes is not None else Immediate(table)
        return cls(table=table, units=Units(table, w), tokens=Tokens(table, w), reports=Reports(table, w),
                   periods=Periods(table, w), reminders=Reminders(table, w), conferences=Conferences(table, w),
                   documents=Documents(table, w), idempotency=Idempotency(table, w), audit=Audit(table, w),
                   nominations=Nominations(table, w), accounts=Accounts(table, w),
                   register=Register(table, w), writes=w, figures=PeriodFigures(table, w))

    @property
    def reads(self) -> "BatchReads":
        """Records of several kinds read together (one BatchGetItem)."""
        return BatchReads(self.table, self.writes)

    def unit_of_work(self) -> "Store":
        """This store with its writes held for one transaction (`commit()`)."""
        return Store.on(self.table, UnitOfWork(self.table))

    def explain(self, **errors: Exception) -> None:
        """The domain error each guarded condition means when it fails at commit."""
        self.writes.explain(**errors)

    def commit(self) -> None:
        self.writes.commit()

    def after_commit(self, then: Callable[[], None]) -> None:
        """`then` once this store's writes are committed (at once outside a unit of work)."""
        self.writes.after_commit(then)

    def ensure_table(self) -> bool:
        created = self.table.ensure()
        if created:  # a new table holds no report without its status item (nor its figures item)
            self.reports.mark_statuses_ready()
            self.register.mark_summaries_ready()  # nor a register entry outside its nominee's summary
            self.figures.mark_ready()
        return created

    def delete_table(self) -> None:
        self.table.drop()


# -- figures of a period, packed (issue 20) -------------------------------------------------

PACK_CHUNK = 300_000  # characters of packed text per item (an item holds at most 400 KB)
PACK_MAX_CHUNKS = 10  # written in one transaction (at most 4 MB)


def _packed(data: Any) -> list[str] | None:
    """`data` as zlib-compressed JSON in base64 text, cut into items' worth; None when too large to write
    in one transaction."""
    import base64
    import zlib

    text = base64.b64encode(zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)).decode()
    chunks = [text[i:i + PACK_CHUNK] for i in range(0, len(text), PACK_CHUNK)] or [""]
    return chunks if len(chunks) <= PACK_MAX_CHUNKS else None


def _unpacked(parts: Sequence[Record]) -> Any:
    """What `_packed` cut into the `data` of these items, in order."""
    import base64
    import zlib

    return json.loads(zlib.decompress(base64.b64decode("".join(p["data"] for p in parts))))


class PeriodFigures(_Repository):
    """Every unit's figures of one period, for sums over a conference's window without reading reports.

    Two parts: the figures items every submission and review writes in its own transaction (one per
    unit and period, indexed by the time of the change), and a pack: every unit's figures of the
    period as of a time, zlib-compressed JSON in a few items. A period's figures are its pack plus
    the changes since (`changes`). The pack is a cache: it is written straight to the table (one
    transaction, so never half of one), whatever request builds it, and never over a newer one.
    """

    def pack(self, period: str) -> tuple[str, dict[str, Record]] | None:
        """(as of, {unit id: values}), or None when no whole pack is stored."""
        return self._read(keys.figures_pack_partition(period))

    def put_pack(self, period: str, as_of: str, figures: dict[str, Record]) -> bool:
        """Store the pack unless a pack as of a later time is there; False when not stored."""
        return self._write(keys.figures_pack_partition(period), as_of, figures)

    def window(self, name: str) -> tuple[str, dict[str, Record]] | None:
        """(as of, {unit id: sums}) of a window of periods (`name`: its periods and indicators)."""
        return self._read(keys.figures_window_partition(name))

    def put_window(self, name: str, as_of: str, sums: dict[str, Record]) -> bool:
        return self._write(keys.figures_window_partition(name), as_of, sums)

    def _read(self, partition: str) -> tuple[str, dict[str, Record]] | None:
        items = list(self.table.query_all(partition))
        if not items:
            return None
        as_of, count = items[0]["as_of"], int(items[0]["chunks"])
        parts = [i for i in items[:count] if i.get("as_of") == as_of]
        if len(parts) != count:  # a later pack of fewer chunks leaves stale ones behind: ignored
            return None
        return as_of, _unpacked(parts)

    def _write(self, partition: str, as_of: str, figures: dict[str, Record]) -> bool:
        chunks = _packed(figures)
        if chunks is None:
            return False  # too large to pack: read from the figures items every time
        writes: list[Put] = []
        for n, data in enumerate(chunks):
            writes.append(Put({"PK": partition, "SK": keys.figures_pack_sort(n), "as_of": as_of,
                               "chunks": len(chunks), "data": data},
                              any_of(Absent(), Lt("as_of", as_of)) if n == 0 else None))
        try:
            self.table.transact(writes)
        except ConditionFailed:
            return False
        return True

    def changes(self, period: str, since: str) -> list[Record]:
        """The figures items of the period changed at `since` or later ({unit_id, status, values, at})."""
        found = self.table.query_all(keys.figures_changes(period), index=True,
                                     between=(since, keys.FIGURES_CHANGES_END))
        return [{"unit_id": i["unit_id"], "status": i.get("status"), "at": i.get("at"),
                 "values": json.loads(i["f"]) if "f" in i else {}} for i in found]

    # -- what the scheduled keeping reads (chalicelib/awards/keeping.py) -----------------------

    def as_of(self, period: str) -> str | None:
        """The time the period's pack is as of (its first item's head only), None when none is stored."""
        return self._as_of(keys.figures_pack_partition(period))

    def window_as_of(self, name: str) -> str | None:
        return self._as_of(keys.figures_window_partition(name))

    def _as_of(self, partition: str) -> str | None:
        page = self.table.query(partition, limit=1, attrs=("as_of", "chunks"))
        return page.items[0]["as_of"] if page.items else None

    def current(self, period: str) -> list[Record]:
        """Every unit's figures item of the period ({unit_id, status, values, at}): one per unit, the
        latest (a submission or review replaces the unit's item). Whole only once `ready()`."""
        found = self.table.query_all(keys.figures_changes(period), index=True)
        return [{"unit_id": i["unit_id"], "status": i.get("status"), "at": i.get("at"),
                 "values": json.loads(i["f"]) if "f" in i else {}} for i in found]

    def ready(self) -> bool:
        """Every current report has its figures item (a table made since they exist, or backfilled):
        a period's items are then its figures, and a pack may be made from them, not from its reports."""
        return _marked(self.table, keys.PERIOD_FIGURES_READY, _FIGURES_READY)

    def mark_ready(self) -> None:
        _mark(self.table, keys.PERIOD_FIGURES_READY, "every current report has its period figures item")

    def backfill(self, period: str, reports: Sequence[Record]) -> int:
        """The figures item of each of `reports` (FIGURE_FIELDS, current) that has none: how many written.
        Written only where still absent, so a submission meanwhile is never overwritten; `at` is the
        report's own time (a pack made since counted it already: not a change since)."""
        have = {i["unit_id"] for i in self.table.query_all(keys.figures_changes(period), index=True, attrs=("unit_id",))}
        written = 0
        for report in reports:
            if report["unit_id"] in have:
                continue
            staged = _period_figures(report["unit_id"], period, report.get("status") or "submitted",
                                     report.get("values") or {}, report.get("submitted_at") or "2000-01-01T00:00:00Z")
            try:
                self.table.write(Put(staged.operation.item, Absent()))
            except ConditionFailed:
                continue
            written += 1
        return written


_FIGURES_READY: set[str] = set()  # tables known to have every figures item (see PeriodFigures.ready)


@dataclass(frozen=True)
class Batch:
    """What one `BatchReads.read` found: None where nothing is stored."""

    units: dict[str, Record | None] = field(default_factory=dict)
    conferences: dict[str, Record | None] = field(default_factory=dict)
    pointers: dict[str, Record | None] = field(default_factory=dict)  # nomination id -> its pointer
    nominations: dict[str, Record | None] = field(default_factory=dict)  # nomination id -> the nomination
    credentials: dict[str, Record | None] | None = None  # what authenticating a bearer reads (`credential_keys`)


class BatchReads(_Repository):
    """Records of several kinds by id in one BatchGetItem (at most 100 keys): what a request reads
    before it decides, so its round trips do not grow with what it checks."""

    def read(self, units: Sequence[str] = (), conferences: Sequence[str] = (), pointers: Sequence[str] = (),
             nominations: Sequence[Record] = (), bearer: Bearer | None = None) -> Batch:
        """`nominations`: pointers (or anything naming id, unit_id, conference_id) of the nominations to read."""
        wanted_units = {u: keys.unit(u) for u in dict.fromkeys(units) if u}
        wanted_conferences = {c: keys.conference(c) for c in dict.fromkeys(conferences) if c}
        wanted_pointers = {n: keys.nomination_pointer(n) for n in dict.fromkeys(pointers) if n}
        wanted_nominations = {p["id"]: keys.nomination(p["unit_id"], p["conference_id"], p["id"]) for p in nominations}
        credential = credential_keys(bearer) if bearer is not None else {}
        every = [*wanted_units.values(), *wanted_conferences.values(), *wanted_pointers.values(),
                 *wanted_nominations.values(), *credential.values()]
        found = self.table.get_many(list(dict.fromkeys(every))) if every else {}
        return Batch(units={u: found[k] for u, k in wanted_units.items()},
                     conferences={c: found[k] for c, k in wanted_conferences.items()},
                     pointers={n: found[k] for n, k in wanted_pointers.items()},
                     nominations={n: found[k] for n, k in wanted_nominations.items()},
                     credentials={name: found[k] for name, k in credential.items()} if bearer is not None else None)

    def whole_nominations(self, pointers: Sequence[Record]) -> list[Record | None]:
        """The nominations `pointers` name (anything with id, unit_id, conference_id), read whole and in
        their order, 100 keys a BatchGetItem; None where one is no longer stored."""
        found: dict[str, Record | None] = {}
        for at in range(0, len(pointers), MAX_PAGE):
            found.update(self.read(nominations=pointers[at:at + MAX_PAGE]).nominations)
        return [found.get(p["id"]) for p in pointers]


# -- the unit tree, kept (Units.tree) ------------------------------------------------------------------

TREE_ATTRS = ("id", "name", "parent_id", "kind")  # what ranking, roll-ups and pickers read of each unit
_TREES: "weakref.WeakKeyDictionary[Table, tuple[str, list[Record]]]" = weakref.WeakKeyDictionary()


def _tree_version_item() -> Record:
    return _new_version(keys.units_tree_version())


def _tree_changed() -> Staged:
    """A new tree version, staged with a unit change: a tree read before it is not reused after it."""
    return Staged(Put(_tree_version_item()))


def _unpack_tree(items: list[Record], version: str) -> list[Record] | None:
    return _unpack_kept(items, version)


def _pack_tree(table: Table, version: str, units: list[Record]) -> bool:
    return _pack_kept(table, keys.units_tree_version(), keys.units_tree_pack, version, units)


def _new_version(key: keys.Key) -> Record:
    import uuid

    return {"PK": key[0], "SK": key[1], "kind": "version", "version": uuid.uuid4().hex}


def _kept_version(table: Table, partition: str, version_key: keys.Key) -> tuple[str, list[Record]]:
    """(the version, every item of the partition): one Query; a version is put first when none is there
    (data stored before versions, or written raw)."""
    for _ in range(2):
        items = list(table.query_all(partition))
        version = next((i.get("version") for i in items if i.get("kind") == "version"), None)
        if version is not None:
            return version, items
        try:
            table.write(Put(_new_version(version_key), Absent()))
        except ConditionFailed:
            pass  # someone else put one meanwhile: read it
    raise ConditionFailed(0, "version")


def _unpack_kept(items: list[Record], version: str, tag: str = "") -> Any:
    """What a whole pack of `version` (and `tag`) holds, else None."""
    parts = [i for i in items if i.get("kind") == "pack" and i.get("version") == version and i.get("tag", "") == tag]
    if not parts or int(parts[0].get("chunks", 0)) != len(parts):
        return None  # none yet, or of an older version (a longer old pack's last chunks are left over)
    return _unpacked(parts)


def _pack_kept(table: Table, version_key: keys.Key, pack_key: Callable[[int], keys.Key], version: str,
               data: Any, tag: str = "") -> bool:
    """Store `data` packed as of `version`, only while that is still the version (one transaction). A cache:
    not stored when too large or when a write of what it packs raced it (the next read packs again)."""
    chunks = _packed(data)
    if chunks is None:
        return False  # too large to pack in one transaction: read in full every time
    writes: list[Operation] = [Check(version_key, Eq("version", version))]
    for n, part in enumerate(chunks):
        pk, sk = pack_key(n)
        writes.append(Put({"PK": pk, "SK": sk, "kind": "pack", "version": version, "tag": tag,
                           "chunks": len(chunks), "data": part}))
    try:
        table.transact(writes)
    except (ConditionFailed, StoreUnavailable):
        return False  # changed since the version was read (or kept conflicting with such writes)
    return True
