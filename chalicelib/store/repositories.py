"""The repositories of `protocols.py`, written once over the `Table` primitives.

Every key comes from `keys.py` and every condition is a `table.py` condition object,
so DynamoTable and MemoryTable run exactly the same rules. A change that records an
audit event is one transaction with the event's Put (conditioned `Absent()`); a
change without one that fits one item is a single `write` (one round trip).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from chalicelib.core.periods import parse_period
from chalicelib.store import keys
from chalicelib.store.errors import AlreadyExists, ConditionFailed
from chalicelib.store.protocols import (
    MAX_PAGE, AuditRepository, ConferenceRepository, DocumentRepository, IdempotencyRepository,
    NominationRepository, PeriodRepository, Receipt, Record, ReminderRepository, ReportRepository,
    SubmissionReads, TokenRepository, UnitRepository,
)
from chalicelib.store.table import (
    Absent, Check, Delete, Eq, Exists, Lt, Missing, Operation, Page, Put, Table, Update, all_of, any_of,
)


def _audit_put(event: Record) -> Put:
    pk, sk = keys.audit(event["entity"], event["at"], event["id"])
    gsi_pk, gsi_sk = keys.audit_index(event["at"], event["id"])
    return Put({**event, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}, Absent())


def _commit(table: Table, operations: list[Operation], audit: Record | None) -> None:
    """The operations and the audit event, all or nothing; a lone operation as one write."""
    ops = [*operations, *([_audit_put(audit)] if audit is not None else [])]
    if len(ops) == 1:
        table.write(ops[0])
    else:
        table.transact(ops)


def _create(table: Table, item: Record, audit: Record | None) -> None:
    """Put a new item; AlreadyExists when its key is taken."""
    try:
        _commit(table, [Put(item, Absent())], audit)
    except ConditionFailed as exc:
        if exc.index != 0:
            raise  # the audit event's id collided: a bug, not a duplicate entity
        raise AlreadyExists(item["SK"]) from None


IN_PROGRESS = Eq("state", "in_progress")


def _receipt_update(receipt: Receipt, condition: Eq | None = None) -> Update:
    # Stored as JSON text: responses may hold floats, which DynamoDB numbers can't take as-is.
    return Update(keys.idempotency(receipt.record_key), {
        "state": "done", "response": json.dumps(receipt.response), "expires_at": receipt.now + receipt.ttl_seconds},
        condition)


# Periods of figures a unit's history item keeps per period kind: the outlier rule looks at
# the 12 before the one submitted, and a late correction may reach a little further back.
HISTORY_KEPT = 24


class Units:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(unit: Record) -> Record:
        pk, sk = keys.unit(unit["id"])
        return {**unit, "PK": pk, "SK": sk}

    def create(self, unit: Record, audit: Record | None = None) -> None:
        _create(self.table, self._item(unit), audit)

    def get(self, unit_id: str) -> Record | None:
        return self.table.get(keys.unit(unit_id))

    def replace(self, unit: Record, expected_etag: str, audit: Record | None = None) -> None:
        _commit(self.table, [Put(self._item(unit), Eq("etag", expected_etag))], audit)

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.UNITS, prefix=keys.UNIT_PREFIX, limit=limit, cursor=cursor)

    def all(self) -> list[Record]:
        return list(self.table.query_all(keys.UNITS, prefix=keys.UNIT_PREFIX))


class Tokens:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, token: Record, audit: Record | None = None) -> None:
        pk, sk = keys.token(token["id"])
        _create(self.table, {**token, "PK": pk, "SK": sk, "GSI1PK": keys.TOKENS_INDEX, "GSI1SK": token["id"]},
                audit)

    def get(self, token_id: str) -> Record | None:
        return self.table.get(keys.token(token_id))  # Table.get is strongly consistent

    def revoke(self, token_id: str, revoked_at: str, audit: Record | None = None) -> bool:
        # Exists(): an UpdateItem would otherwise create a stray token record.
        try:
            _commit(self.table, [Update(keys.token(token_id), {"revoked_at": revoked_at}, Exists())], audit)
        except ConditionFailed as exc:
            if exc.index != 0:
                raise
            return False
        return True

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.TOKENS_INDEX, index=True, limit=limit, cursor=cursor)


class Reports:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, unit_id: str, period: str) -> Record | None:
        return self.table.get(keys.report(unit_id, period))

    def for_submission(self, unit_id: str, period: str, period_kind: str,
                       token_id: str | None = None) -> SubmissionReads:
        wanted = {"unit": keys.unit(unit_id), "report": keys.report(unit_id, period),
                  "period_settings": keys.period_settings(period), "exception": keys.exception(unit_id, period),
                  "history": keys.figure_history(unit_id, period_kind)}
        if token_id is not None:
            wanted["token"] = keys.token(token_id)
        found = self.table.get_many(list(wanted.values()))
        history = found[wanted["history"]] or {}
        return SubmissionReads(
            unit=found[wanted["unit"]], report=found[wanted["report"]],
            period_settings=found[wanted["period_settings"]], exception=found[wanted["exception"]],
            history={attr[len(keys.HISTORY_ATTR):]: json.loads(values) if isinstance(values, str) else values
                     for attr, values in history.items() if attr.startswith(keys.HISTORY_ATTR)},
            token=found.get(wanted.get("token")))  # type: ignore[arg-type]

    def save(self, report: Record, expected_etag: str | None, audit: Record | None = None,
             receipt: Receipt | None = None, history: Sequence[str] = ()) -> None:
        unit_id, period, version = report["unit_id"], report["period"], report["version"]
        pk, sk = keys.report(unit_id, period)
        gsi_pk, gsi_sk = keys.report_index(unit_id, period)
        current = Put({**report, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk},
                      Absent() if expected_etag is None else Eq("etag", expected_etag))
        rev_pk, rev_sk = keys.revision(unit_id, period, version)
        revision = Put({**report, "PK": rev_pk, "SK": rev_sk}, Absent())  # every accepted version kept
        # The history item is updated attribute by attribute: two periods submitted at once both land.
        kept = sorted(set(history) | {period})[-HISTORY_KEPT:]  # period codes of one kind sort in time
        changes = {keys.history_attr(old): None for old in history if old not in kept}  # None: REMOVE
        if period in kept:
            # JSON text, not a map of numbers: one string per period is far cheaper for botocore
            # to parse in every submission's read than a dozen typed numbers.
            changes[keys.history_attr(period)] = json.dumps(report["values"], separators=(",", ":"))
        kind = report.get("period_kind") or parse_period(period).kind
        figures = [Update(keys.figure_history(unit_id, kind), changes)] if changes else []
        self.table.transact([current, revision, *figures, *([_audit_put(audit)] if audit is not None else []),
                             *([_receipt_update(receipt)] if receipt is not None else [])])

    def update_state(self, unit_id: str, period: str, expected_etag: str, fields: Record,
                     audit: Record | None = None) -> None:
        _commit(self.table, [Update(keys.report(unit_id, period), fields, Eq("etag", expected_etag))], audit)

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

    def get_exception(self, unit_id: str, period: str) -> Record | None:
        return self.table.get(keys.exception(unit_id, period))

    def put_exception(self, exception: Record, audit: Record | None = None) -> None:
        pk, sk = keys.exception(exception["unit_id"], exception["period"])
        _commit(self.table, [Put({**exception, "PK": pk, "SK": sk})], audit)


class Periods:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, period: str) -> Record | None:
        return self.table.get(keys.period_settings(period))

    def put(self, settings: Record, audit: Record | None = None) -> None:
        pk, sk = keys.period_settings(settings["period"])
        _commit(self.table, [Put({**settings, "PK": pk, "SK": sk})], audit)


class Reminders:
    def __init__(self, table: Table) -> None:
        self.table = table

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


class Conferences:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(conference: Record) -> Record:
        pk, sk = keys.conference(conference["id"])
        gsi_pk, gsi_sk = keys.conference_index(conference["date"], conference["id"])
        return {**conference, "PK": pk, "SK": sk, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}

    def create(self, conference: Record, audit: Record | None = None) -> None:
        _create(self.table, self._item(conference), audit)

    def get(self, conference_id: str) -> Record | None:
        return self.table.get(keys.conference(conference_id))

    def replace(self, conference: Record, expected_etag: str, audit: Record | None = None) -> None:
        _commit(self.table, [Put(self._item(conference), Eq("etag", expected_etag))], audit)

    def list(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.CONFERENCES, prefix=keys.CONFERENCE_PREFIX, limit=limit, cursor=cursor)

    def between(self, first_day: str, last_day: str) -> list[Record]:
        # GSI1SK is "<date>#<id>": "\uffff" sorts after every id of the last day.
        return list(self.table.query_all(keys.CONFERENCE_DATES, index=True,
                                         between=(f"{first_day}#", f"{last_day}#\uffff")))

    def request_compile(self, conference_id: str, requested_at: str) -> None:
        pk, sk = keys.compile_request(conference_id)
        self.table.write(Put({"PK": pk, "SK": sk, "conference_id": conference_id, "requested_at": requested_at}))

    def compile_requests(self) -> list[Record]:
        return list(self.table.query_all(keys.COMPILE_REQUESTS, prefix=keys.CONFERENCE_PREFIX))

    def clear_compile_request(self, conference_id: str, requested_at: str) -> None:
        try:
            self.table.write(Delete(keys.compile_request(conference_id), Eq("requested_at", requested_at)))
        except ConditionFailed:
            pass  # a newer request arrived meanwhile (or none is left): keep it for the next run


class Documents:
    def __init__(self, table: Table) -> None:
        self.table = table

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

    def update_version(self, conference_id: str, kind: str, version: int, fields: Record, claim: str,
                       *, unnumbered: bool = False) -> None:
        condition = all_of(Eq("claim", claim), Missing("number")) if unnumbered else Eq("claim", claim)
        self.table.write(Update(keys.document_version(conference_id, kind, version), fields, condition))

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

    def get(self, document_id: str) -> Record | None:
        pointer = self.table.get(keys.document_pointer(document_id))
        if pointer is None:
            return None
        return self.get_version(pointer["conference_id"], pointer["kind"], int(pointer["version"]))

    def next_number(self, series: str) -> int:
        return self.table.increment(keys.counter(series), "value")

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


class Idempotency:
    def __init__(self, table: Table) -> None:
        self.table = table

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

    def complete(self, record_key: str, response: Record, now: int, ttl_seconds: int) -> None:
        try:  # an answer already stored (with the change itself, in its transaction) stands
            self.table.write(_receipt_update(Receipt(record_key, response, now, ttl_seconds), IN_PROGRESS))
        except ConditionFailed:
            pass

    def release(self, record_key: str) -> None:
        try:  # a transaction whose answer was lost may have stored its receipt: keep it for the retry
            self.table.write(Delete(keys.idempotency(record_key), IN_PROGRESS))
        except ConditionFailed:
            pass


class Audit:
    def __init__(self, table: Table) -> None:
        self.table = table

    def append(self, event: Record) -> None:
        self.table.write(_audit_put(event))

    def list(self, entity: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self.table.query(keys.audit_partition(entity), newest_first=True, limit=limit, cursor=cursor)


class Nominations:
    def __init__(self, table: Table) -> None:
        self.table = table

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

    def create(self, nomination: Record, audit: Record | None = None) -> None:
        guard = self._guard(nomination)
        pk, sk = keys.nomination_pointer(nomination["id"])
        pointer = {"PK": pk, "SK": sk, "id": nomination["id"], "unit_id": nomination["unit_id"],
                   "conference_id": nomination["conference_id"]}
        ops: list[Operation] = [Put(self._item(nomination), Absent()), Put(pointer, Absent()),
                                Put({"PK": guard[0], "SK": guard[1], "nomination_id": nomination["id"]}, Absent()),
                                self._open(nomination["conference_id"])]
        try:
            _commit(self.table, ops, audit)
        except ConditionFailed as exc:
            if exc.index in (0, 1):
                raise AlreadyExists("id") from None
            if exc.index == 2:
                raise AlreadyExists("nominee") from None
            raise

    def get(self, nomination_id: str) -> Record | None:
        pointer = self.table.get(keys.nomination_pointer(nomination_id))
        if pointer is None:
            return None
        return self.table.get(keys.nomination(pointer["unit_id"], pointer["conference_id"], nomination_id))

    def replace(self, nomination: Record, previous: Record, audit: Record | None = None) -> None:
        expected_etag, old_guard, new_guard = previous["etag"], self._guard(previous), self._guard(nomination)
        ops: list[Operation] = [Put(self._item(nomination), Eq("etag", expected_etag)),
                                self._open(nomination["conference_id"])]
        if new_guard != old_guard:
            ops += [Delete(old_guard), Put({"PK": new_guard[0], "SK": new_guard[1],
                                            "nomination_id": nomination["id"]}, Absent())]
        try:
            _commit(self.table, ops, audit)
        except ConditionFailed as exc:
            if exc.index == 3:
                raise AlreadyExists("nominee") from None
            raise

    def decide(self, changes: list[tuple[Record, str]], conference_id: str, audits: list[Record]) -> None:
        ops: list[Operation] = [Put(self._item(n), Eq("etag", etag)) for n, etag in changes]
        ops.append(self._open(conference_id))
        self.table.transact([*ops, *(_audit_put(a) for a in audits)])

    def for_unit(self, unit_id: str, conference_id: str | None = None, limit: int = MAX_PAGE,
                 cursor: str | None = None) -> Page:
        return self.table.query(keys.unit_partition(unit_id), prefix=keys.nomination_prefix(conference_id),
                                limit=limit, cursor=cursor)

    def for_conference(self, conference_id: str) -> list[Record]:
        return list(self.table.query_all(keys.conference_nominations(conference_id), index=True))

    def put_score(self, score: Record, audit: Record | None = None) -> None:
        pk, sk = keys.score(score["conference_id"], score["nomination_id"], score["reviewer"])
        _commit(self.table, [Put({**score, "PK": pk, "SK": sk})], audit)

    def scores(self, conference_id: str) -> list[Record]:
        return list(self.table.query_all(keys.scores_partition(conference_id)))


@dataclass
class Store:
    """The table and every repository over it: what the app is handed."""

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

    @classmethod
    def on(cls, table: Table) -> "Store":
        return cls(table=table, units=Units(table), tokens=Tokens(table), reports=Reports(table),
                   periods=Periods(table), reminders=Reminders(table), conferences=Conferences(table),
                   documents=Documents(table), idempotency=Idempotency(table), audit=Audit(table),
                   nominations=Nominations(table))

    def ensure_table(self) -> bool:
        return self.table.ensure()

    def delete_table(self) -> None:
        self.table.drop()
