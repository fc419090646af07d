"""The repository contract, run on both tables: MemoryTable and DynamoTable (DynamoDB Local).

Every test takes `repo_store`, so each rule is checked once per backend; a rule
that holds on one and not the other fails here rather than in production.
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest

from chalicelib.store import keys
from chalicelib.store.dynamodb import DynamoTable, make_client
from chalicelib.store.errors import AlreadyExists, BadCursor, ClaimLost, ConditionFailed
from chalicelib.store.factory import dynamodb_store, memory_store
from chalicelib.store.memory import MemoryTable, memory_table, reset_memory_tables
from chalicelib.store.protocols import Receipt
from chalicelib.store.repositories import Store
from chalicelib.store.table import Page

UNIT = "ca-nghe-an"
PERIOD = "2021-08"


# -- fixtures ---------------------------------------------------------------------------

def _local_settings(endpoint: str, table: str = "unused") -> Any:
    from chalicelib.core.settings import settings

    return settings({"THIDUA_DDB_ENDPOINT": endpoint, "THIDUA_TABLE": table, "AWS_DEFAULT_REGION": "ap-southeast-1"})


@pytest.fixture(scope="session")
def ddb_client(ddb) -> Any:
    return make_client(_local_settings(ddb.endpoint))


@pytest.fixture(params=["memory", "dynamodb"])
def repo_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield Store.on(MemoryTable())
        return
    store = Store.on(DynamoTable(request.getfixturevalue("ddb_client"), f"contract-{uuid.uuid4().hex[:12]}"))
    assert store.ensure_table() is True
    yield store
    store.delete_table()


# -- helpers ----------------------------------------------------------------------------

def unit(unit_id: str, etag: str = "u1", **extra: Any) -> dict[str, Any]:
    return {"id": unit_id, "name": f"Đơn vị {unit_id}", "kind": "province", "emails": [], "etag": etag, **extra}


def report(version: int, etag: str, value: int = 1, *, unit_id: str = UNIT, period: str = PERIOD) -> dict[str, Any]:
    return {"unit_id": unit_id, "period": period, "version": version, "etag": etag, "status": "submitted",
            "values": {"checkpoints": value}, "comments": {}, "achievements": ""}


_events = itertools.count()


def event(entity: str, at: str = "2021-08-05T10:00:00+07:00", **extra: Any) -> dict[str, Any]:
    return {"entity": entity, "at": at, "id": f"ev{next(_events):06d}", "action": "test", **extra}


def conference(cid: str, date: str, etag: str = "c1") -> dict[str, Any]:
    return {"id": cid, "date": date, "title": f"Hội nghị {cid}", "etag": etag}


def version(cid: str, kind: str, v: int, doc_id: str, claim: str = "claim-a") -> dict[str, Any]:
    return {"conference_id": cid, "kind": kind, "version": v, "document_id": doc_id, "claim": claim,
            "state": "rendering", "claimed_at": "2021-08-05T10:00:00+07:00"}


def page_through(fetch: Any, limit: int) -> list[dict[str, Any]]:
    """Every item of a listing, fetched `limit` at a time through its cursors."""
    seen: list[dict[str, Any]] = []
    page: Page = fetch(limit=limit, cursor=None)
    seen += page.items
    while page.next:
        assert len(page.items) <= limit
        page = fetch(limit=limit, cursor=page.next)
        seen += page.items
    return seen


def in_threads(n: int, fn: Any) -> list[Any]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, range(n)))


# -- units ------------------------------------------------------------------------------

def test_unit_create_twice_is_refused(repo_store: Store) -> None:
    repo_store.units.create(unit("u-1", parent_id=None))
    with pytest.raises(AlreadyExists):
        repo_store.units.create(unit("u-1", etag="other"))
    stored = repo_store.units.get("u-1")
    # Key attributes are not part of the record; top-level None is not stored.
    assert stored == {"id": "u-1", "name": "Đơn vị u-1", "kind": "province", "emails": [], "etag": "u1"}
    assert repo_store.units.get("missing") is None


def test_unit_replace_needs_the_current_etag(repo_store: Store) -> None:
    repo_store.units.create(unit("u-1"))
    repo_store.units.replace(unit("u-1", etag="u2", name="Mới"), expected_etag="u1")
    with pytest.raises(ConditionFailed):
        repo_store.units.replace(unit("u-1", etag="u3", name="Cũ"), expected_etag="u1")
    assert repo_store.units.get("u-1")["name"] == "Mới"
    with pytest.raises(ConditionFailed):  # replace never creates
        repo_store.units.replace(unit("u-9"), expected_etag="u1")
    assert repo_store.units.get("u-9") is None


def test_records_are_copies_and_numbers_are_ints(repo_store: Store) -> None:
    record = unit("u-1", scores={"a": 1, "b": [2, 3]})
    repo_store.units.create(record)
    record["scores"]["a"] = 99
    got = repo_store.units.get("u-1")
    assert got["scores"] == {"a": 1, "b": [2, 3]} and type(got["scores"]["a"]) is int
    got["scores"]["b"].append(4)
    assert repo_store.units.get("u-1")["scores"]["b"] == [2, 3]


def test_unit_listing_pages_equal_the_full_listing(repo_store: Store) -> None:
    for i in range(7):
        repo_store.units.create(unit(f"u-{i}"))
    full = repo_store.units.all()
    assert [u["id"] for u in full] == [f"u-{i}" for i in range(7)]
    assert page_through(repo_store.units.list, 3) == full
    assert page_through(repo_store.units.list, 1) == full
    assert repo_store.units.list().next is None


# -- tokens -----------------------------------------------------------------------------

def test_tokens_create_get_revoke(repo_store: Store) -> None:
    token = {"id": "tok1", "role": "unit", "unit_id": UNIT, "secret_hash": "h"}
    repo_store.tokens.create(token, audit=event("token#tok1"))
    with pytest.raises(AlreadyExists):
        repo_store.tokens.create(token)
    assert repo_store.tokens.get("tok1") == token
    assert repo_store.tokens.revoke("tok1", "2021-08-06T00:00:00+07:00", audit=event("token#tok1")) is True
    assert repo_store.tokens.get("tok1")["revoked_at"] == "2021-08-06T00:00:00+07:00"
    assert repo_store.tokens.revoke("nope", "2021-08-06T00:00:00+07:00", audit=event("token#nope")) is False
    assert repo_store.tokens.get("nope") is None  # no stray record
    assert len(repo_store.audit.list("token#tok1").items) == 2
    assert repo_store.audit.list("token#nope").items == []


# -- reports ----------------------------------------------------------------------------

def test_report_save_creates_replaces_and_keeps_every_revision(repo_store: Store) -> None:
    reports = repo_store.reports
    reports.save(report(1, "e1"), None)
    with pytest.raises(ConditionFailed):
        reports.save(report(1, "e1-again", 5), None)  # create when one exists
    reports.save(report(2, "e2", 2), "e1")
    with pytest.raises(ConditionFailed):
        reports.save(report(3, "e3", 3), "e1")  # stale etag
    current = reports.get(UNIT, PERIOD)
    assert current["version"] == 2 and current["etag"] == "e2" and current["values"] == {"checkpoints": 2}
    revisions = reports.revisions(UNIT, PERIOD).items
    assert [(r["version"], r["values"]["checkpoints"]) for r in revisions] == [(1, 1), (2, 2)]
    assert page_through(lambda **kw: reports.revisions(UNIT, PERIOD, **kw), 1) == revisions
    assert reports.get(UNIT, "2021-09") is None


def test_report_replace_of_missing_report_fails(repo_store: Store) -> None:
    with pytest.raises(ConditionFailed):
        repo_store.reports.save(report(2, "e2"), "e1")
    assert repo_store.reports.get(UNIT, PERIOD) is None
    assert repo_store.reports.revisions(UNIT, PERIOD).items == []


def test_report_update_state_is_guarded_by_the_etag(repo_store: Store) -> None:
    reports = repo_store.reports
    reports.save(report(1, "e1"), None)
    review = {"status": "approved", "review": {"by": "admin", "note": "ok"}, "etag": "e1r"}
    with pytest.raises(ConditionFailed):
        reports.update_state(UNIT, PERIOD, "stale", review, audit=event(f"report#{UNIT}#{PERIOD}"))
    assert reports.get(UNIT, PERIOD)["status"] == "submitted"
    assert repo_store.audit.list(f"report#{UNIT}#{PERIOD}").items == []
    reports.update_state(UNIT, PERIOD, "e1", review, audit=event(f"report#{UNIT}#{PERIOD}"))
    got = reports.get(UNIT, PERIOD)
    assert (got["status"], got["review"], got["etag"], got["version"]) == ("approved", review["review"], "e1r", 1)
    assert len(repo_store.audit.list(f"report#{UNIT}#{PERIOD}").items) == 1
    with pytest.raises(ConditionFailed):
        reports.update_state(UNIT, "2021-09", "e1", review)  # never creates a report


def test_reports_for_unit_by_period_range(repo_store: Store) -> None:
    months = [f"2021-{m:02d}" for m in range(1, 13)]
    for month in months:
        repo_store.reports.save(report(1, f"e-{month}", period=month), None)
    repo_store.reports.save(report(1, "other", unit_id="ca-ha-tinh", period="2021-05"), None)
    repo_store.reports.put_exception({"unit_id": UNIT, "period": "2021-05", "deadline": "x"})

    def periods(page: Page) -> list[str]:
        return [r["period"] for r in page.items]

    assert periods(repo_store.reports.for_unit(UNIT, "2021-03", "2021-05")) == ["2021-03", "2021-04", "2021-05"]
    assert periods(repo_store.reports.for_unit(UNIT, "2021-03", "2021-05", newest_first=True)) == [
        "2021-05", "2021-04", "2021-03"]
    assert periods(repo_store.reports.for_unit(UNIT, "2022-01", "2022-12")) == []
    full = repo_store.reports.for_unit(UNIT, "2021-01", "2021-12").items
    assert periods(Page(full, None)) == months  # revisions and exceptions are not reports
    assert page_through(lambda **kw: repo_store.reports.for_unit(UNIT, "2021-01", "2021-12", **kw), 5) == full
    newest = page_through(lambda **kw: repo_store.reports.for_unit(UNIT, "2021-01", "2021-12",
                                                                    newest_first=True, **kw), 5)
    assert newest == full[::-1]


def test_reports_for_period_across_units(repo_store: Store) -> None:
    for unit_id in ("u-3", "u-1", "u-2"):
        repo_store.reports.save(report(1, "e1", unit_id=unit_id), None)
    repo_store.reports.save(report(2, "e2", unit_id="u-1"), "e1")
    repo_store.reports.save(report(1, "e1", unit_id="u-1", period="2021-09"), None)
    got = repo_store.reports.for_period(PERIOD)
    assert [(r["unit_id"], r["version"]) for r in got] == [("u-1", 2), ("u-2", 1), ("u-3", 1)]
    # The index pages too, with its own cursors.
    table = repo_store.table
    paged = page_through(lambda **kw: table.query(keys.period_reports_index(PERIOD), index=True, **kw), 2)
    assert paged == got


def test_reports_figures_for_period_are_a_projection_that_pages(repo_store: Store) -> None:
    """Issue 20: the compile reads every report's figures and state, never its achievements."""
    for unit_id in ("u-3", "u-1", "u-2"):
        repo_store.reports.save({**report(1, "e1", unit_id=unit_id), "achievements": "dài " * 500,
                                 "comments": {"checkpoints": "x"}}, None)
    got = repo_store.reports.figures_for_period(PERIOD)
    assert [r["unit_id"] for r in got] == ["u-1", "u-2", "u-3"]
    assert all(set(r) <= set(repo_store.reports.FIGURE_FIELDS) and "values" in r and r["etag"] == "e1" for r in got)
    table = repo_store.table
    paged = page_through(lambda **kw: table.query(keys.period_reports_index(PERIOD), index=True,
                                                  fields=("unit_id", "status"), **kw), 2)
    assert [set(r) for r in paged] == [{"unit_id", "status"}] * 3


def test_deadline_exceptions_and_period_settings_replace(repo_store: Store) -> None:
    assert repo_store.reports.get_exception(UNIT, PERIOD) is None
    repo_store.reports.put_exception({"unit_id": UNIT, "period": PERIOD, "deadline": "a"}, audit=event("ex"))
    repo_store.reports.put_exception({"unit_id": UNIT, "period": PERIOD, "deadline": "b"})
    assert repo_store.reports.get_exception(UNIT, PERIOD)["deadline"] == "b"
    assert repo_store.periods.get(PERIOD) is None
    repo_store.periods.put({"period": PERIOD, "deadline": "d1"}, audit=event("period#2021-08"))
    repo_store.periods.put({"period": PERIOD, "deadline": "d2"})
    assert repo_store.periods.get(PERIOD) == {"period": PERIOD, "deadline": "d2"}
    assert len(repo_store.audit.list("period#2021-08").items) == 1
    assert len(repo_store.audit.list("ex").items) == 1


def test_concurrent_saves_with_one_etag_have_exactly_one_winner(repo_store: Store) -> None:
    repo_store.reports.save(report(1, "e1"), None)

    def attempt(i: int) -> bool:
        try:
            repo_store.reports.save(report(2, f"e2-{i}", 100 + i), "e1", audit=event("race", n=i))
            return True
        except ConditionFailed:
            return False

    results = in_threads(20, attempt)
    assert results.count(True) == 1
    winner = results.index(True)
    assert repo_store.reports.get(UNIT, PERIOD)["etag"] == f"e2-{winner}"
    assert [r["version"] for r in repo_store.reports.revisions(UNIT, PERIOD).items] == [1, 2]
    assert [e["n"] for e in repo_store.audit.list("race").items] == [winner]


# -- audit ------------------------------------------------------------------------------

def test_audit_is_written_with_the_change_and_only_then(repo_store: Store) -> None:
    repo_store.units.create(unit("u-1"), audit=event("unit#u-1", at="2021-08-01T00:00:00+07:00"))
    with pytest.raises(AlreadyExists):
        repo_store.units.create(unit("u-1"), audit=event("unit#u-1"))
    with pytest.raises(ConditionFailed):
        repo_store.units.replace(unit("u-1", etag="u2"), "stale", audit=event("unit#u-1"))
    repo_store.units.replace(unit("u-1", etag="u2"), "u1", audit=event("unit#u-1", at="2021-08-02T00:00:00+07:00"))
    with pytest.raises(ConditionFailed):
        repo_store.reports.save(report(2, "e2"), "e1", audit=event(f"report#{UNIT}"))
    trail = repo_store.audit.list("unit#u-1").items
    assert [e["at"][:10] for e in trail] == ["2021-08-02", "2021-08-01"]  # newest first
    assert trail[0]["entity"] == "unit#u-1" and "PK" not in trail[0] and "GSI1PK" not in trail[0]
    assert repo_store.audit.list(f"report#{UNIT}").items == []


def test_audit_append_lists_newest_first_in_pages(repo_store: Store) -> None:
    events = [event("unit#u-1", at=f"2021-08-{d:02d}T00:00:00+07:00") for d in range(1, 8)]
    for e in events:
        repo_store.audit.append(e)
    repo_store.audit.append(event("unit#u-2", at="2021-09-01T00:00:00+07:00"))
    full = repo_store.audit.list("unit#u-1").items
    assert full == events[::-1]
    assert page_through(lambda **kw: repo_store.audit.list("unit#u-1", **kw), 3) == full
    month = list(repo_store.table.query_all(keys.audit_index("2021-08-01", "x")[0], index=True))
    assert [e["id"] for e in month] == [e["id"] for e in events]


# -- cursors ----------------------------------------------------------------------------

def test_foreign_and_garbage_cursors_are_refused(repo_store: Store) -> None:
    for i in range(3):
        repo_store.units.create(unit(f"u-{i}"))
        repo_store.reports.save(report(1, "e1", period=f"2021-0{i + 1}"), None)
        repo_store.reports.save(report(2, "e2", period=f"2021-0{i + 1}"), "e1")
    units_cursor = repo_store.units.list(limit=1).next
    reports_cursor = repo_store.reports.for_unit(UNIT, "2021-01", "2021-12", limit=1).next
    revisions_cursor = repo_store.reports.revisions(UNIT, "2021-01", limit=1).next
    assert units_cursor and reports_cursor and revisions_cursor
    with pytest.raises(BadCursor):
        repo_store.units.list(cursor=reports_cursor)  # another partition
    with pytest.raises(BadCursor):
        repo_store.reports.for_unit(UNIT, "2021-01", "2021-12", cursor=units_cursor)
    with pytest.raises(BadCursor):  # same partition, another sort-key range
        repo_store.reports.revisions(UNIT, "2021-01", cursor=reports_cursor)
    with pytest.raises(BadCursor):
        repo_store.reports.for_unit(UNIT, "2021-01", "2021-12", cursor=revisions_cursor)
    with pytest.raises(BadCursor):  # a base-table cursor on the index
        repo_store.table.query(keys.period_reports_index("2021-01"), index=True, cursor=reports_cursor)
    with pytest.raises(BadCursor):
        repo_store.reports.for_unit("ca-ha-tinh", "2021-01", "2021-12", cursor=reports_cursor)

    def forged(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()

    for garbage in ("!!notbase64", "bm90IGpzb24=", forged([1, 2]), forged({"PK": "UNITS"}),
                    forged({"PK": "UNITS", "SK": 3}), forged({"PK": {"S": "UNITS"}, "SK": {"S": "UNIT#u-1"}}),
                    forged({"PK": "UNITS", "SK": "UNIT#u-1", "extra": "x"})):
        with pytest.raises(BadCursor):
            repo_store.units.list(cursor=garbage)
    # A cursor is only a position: the same listing accepts it again.
    assert repo_store.units.list(limit=1, cursor=units_cursor).items == [repo_store.units.get("u-1")]


# -- reminders --------------------------------------------------------------------------

def test_reminder_claimed_once_and_again_after_failure(repo_store: Store) -> None:
    reminders = repo_store.reminders
    results = in_threads(8, lambda _: reminders.claim(UNIT, PERIOD, "first", "2021-08-05T08:00:00+07:00"))
    assert results.count(True) == 1
    assert reminders.get(UNIT, PERIOD, "first")["state"] == "sending"
    assert reminders.claim(UNIT, PERIOD, "second", "t") is True  # another kind is another reminder
    reminders.mark(UNIT, PERIOD, "first", "failed", "smtp down")
    assert reminders.get(UNIT, PERIOD, "first")["detail"] == "smtp down"
    assert reminders.claim(UNIT, PERIOD, "first", "t2") is True
    assert reminders.claim(UNIT, PERIOD, "first", "t3") is False
    reminders.mark(UNIT, PERIOD, "first", "sent")
    assert reminders.claim(UNIT, PERIOD, "first", "t4") is False
    got = reminders.get(UNIT, PERIOD, "first")
    assert (got["state"], got["claimed_at"], got["kind"]) == ("sent", "t2", "first")
    assert reminders.get(UNIT, PERIOD, "third") is None


# -- idempotency ------------------------------------------------------------------------

def test_idempotency_claim_complete_replay(repo_store: Store) -> None:
    idem = repo_store.idempotency
    assert idem.claim("k1", "fp", now=1000, in_progress_seconds=30, ttl_seconds=3600) is None
    live = idem.claim("k1", "fp-other", now=1001, in_progress_seconds=30, ttl_seconds=3600)
    assert live is not None and live["fingerprint"] == "fp" and live["state"] == "in_progress"
    assert "expires_at" not in live
    idem.complete("k1", {"id": "r-1", "total": 2, "nested": {"ok": True}}, now=1002, ttl_seconds=3600)
    replay = idem.claim("k1", "fp", now=1100, in_progress_seconds=30, ttl_seconds=3600)
    assert replay["state"] == "done" and replay["fingerprint"] == "fp"
    assert replay["response"] == {"id": "r-1", "total": 2, "nested": {"ok": True}}
    # Done records are not reclaimed when in_progress_until passes, only at expiry.
    assert idem.claim("k1", "fp", now=1002 + 3600, in_progress_seconds=30, ttl_seconds=3600)["state"] == "done"
    assert idem.claim("k1", "fp2", now=1002 + 3601, in_progress_seconds=30, ttl_seconds=3600) is None


def test_idempotency_in_progress_and_ttl_expiry(repo_store: Store) -> None:
    idem = repo_store.idempotency
    assert idem.claim("k", "fp1", now=1000, in_progress_seconds=30, ttl_seconds=3600) is None
    assert idem.claim("k", "fp2", now=1030, in_progress_seconds=30, ttl_seconds=3600)["fingerprint"] == "fp1"
    assert idem.claim("k", "fp2", now=1031, in_progress_seconds=30, ttl_seconds=3600) is None  # its request died
    assert idem.claim("k", "fp3", now=1032, in_progress_seconds=30, ttl_seconds=3600)["fingerprint"] == "fp2"
    # An expired record that DynamoDB has not deleted yet is claimable.
    assert idem.claim("t", "fp1", now=1000, in_progress_seconds=600, ttl_seconds=60) is None
    assert idem.claim("t", "fp2", now=1060, in_progress_seconds=600, ttl_seconds=60)["fingerprint"] == "fp1"
    assert idem.claim("t", "fp2", now=1061, in_progress_seconds=600, ttl_seconds=60) is None
    idem.release("t")
    assert idem.claim("t", "fp4", now=1062, in_progress_seconds=600, ttl_seconds=60) is None
    results = in_threads(10, lambda i: idem.claim("race", f"fp{i}", now=1000, in_progress_seconds=30,
                                                  ttl_seconds=3600))
    assert results.count(None) == 1


def test_idempotency_writes_after_a_claim_hold_only_under_that_claim(repo_store: Store) -> None:
    """A request that outlived its claim, taken meanwhile by a retry, stores nothing: its change and
    answer fail as ClaimLost (reported before the change's own failed condition), and its completion
    and release leave the retry's claim alone; under its own claim the retry's change and answer commit."""
    idem = repo_store.idempotency
    assert idem.claim("k", "fp", now=1000, in_progress_seconds=30, ttl_seconds=3600) is None  # until 1030
    assert idem.claim("k", "fp", now=1031, in_progress_seconds=30, ttl_seconds=3600) is None  # the retry's
    repo_store.units.create(unit("u-1"))
    late = repo_store.unit_of_work()
    late.units.create(unit("u-1"))  # would be AlreadyExists on its own
    late.idempotency.answer(Receipt("k", {"status": 201, "body": "late"}, 1000, 3600, claimed_until=1030))
    with pytest.raises(ClaimLost):
        late.commit()
    idem.complete("k", {"status": 409}, now=1000, ttl_seconds=3600, claimed_until=1030)
    idem.release("k", claimed_until=1030)
    record = idem.get("k")
    assert record["state"] == "in_progress" and record["in_progress_until"] == 1061, record
    retry = repo_store.unit_of_work()
    retry.units.create(unit("u-2"))
    retry.idempotency.answer(Receipt("k", {"status": 201, "body": "retry"}, 1031, 3600, claimed_until=1061))
    retry.commit()
    assert repo_store.units.get("u-2") is not None
    idem.release("k", claimed_until=1061)  # a lost answer's 503: the committed answer stands
    assert idem.get("k")["state"] == "done" and idem.get("k")["response"] == {"status": 201, "body": "retry"}


# -- conferences ------------------------------------------------------------------------

def test_conference_create_replace_list(repo_store: Store) -> None:
    confs = repo_store.conferences
    confs.create(conference("c1", "2021-09-10"), audit=event("conference#c1"))
    with pytest.raises(AlreadyExists):
        confs.create(conference("c1", "2021-09-11"), audit=event("conference#c1"))
    with pytest.raises(ConditionFailed):
        confs.replace(conference("c1", "2021-09-12", etag="c2"), "stale")
    assert confs.get("c1")["date"] == "2021-09-10"
    confs.replace(conference("c1", "2021-10-01", etag="c2"), "c1", audit=event("conference#c1"))
    assert confs.get("c1") == conference("c1", "2021-10-01", etag="c2")
    assert len(repo_store.audit.list("conference#c1").items) == 2
    for i in range(2, 6):
        confs.create(conference(f"c{i}", "2021-09-01"))
    full = confs.list().items
    assert [c["id"] for c in full] == ["c1", "c2", "c3", "c4", "c5"]
    assert page_through(confs.list, 2) == full
    # The replaced date moved the conference in the date index.
    assert [c["id"] for c in confs.between("2021-10-01", "2021-10-01")] == ["c1"]
    assert confs.get("nope") is None


def test_conferences_between_dates(repo_store: Store) -> None:
    for cid, date in (("b", "2021-09-10"), ("a", "2021-09-10"), ("z", "2021-09-09"), ("m", "2021-09-12"),
                      ("late", "2021-09-13")):
        repo_store.conferences.create(conference(cid, date))
    got = repo_store.conferences.between("2021-09-10", "2021-09-12")
    assert [(c["date"], c["id"]) for c in got] == [("2021-09-10", "a"), ("2021-09-10", "b"), ("2021-09-12", "m")]
    assert repo_store.conferences.between("2021-09-11", "2021-09-11") == []
    assert len(repo_store.conferences.between("2021-01-01", "2021-12-31")) == 5


def test_compile_requests_are_cleared_only_by_their_own_time(repo_store: Store) -> None:
    confs = repo_store.conferences
    confs.request_compile("c1", "t1")
    confs.request_compile("c2", "t1")
    confs.request_compile("c1", "t2")  # a newer request replaces the pending one
    assert confs.compile_requests() == [{"conference_id": "c1", "requested_at": "t2"},
                                        {"conference_id": "c2", "requested_at": "t1"}]
    confs.clear_compile_request("c1", "t1")  # the compile that saw t1 must not drop t2
    confs.clear_compile_request("c2", "t1")
    assert confs.compile_requests() == [{"conference_id": "c1", "requested_at": "t2"}]
    confs.clear_compile_request("c1", "t2")
    confs.clear_compile_request("c3", "t1")  # nothing to clear: no error
    assert confs.compile_requests() == []


# -- documents --------------------------------------------------------------------------

def test_document_version_claims_conflict_on_version_or_id(repo_store: Store) -> None:
    docs = repo_store.documents
    docs.claim_version(version("c1", "minutes", 1, "d1"))
    with pytest.raises(AlreadyExists) as exc:
        docs.claim_version(version("c1", "minutes", 1, "d2"))
    assert exc.value.args == ("version",)
    with pytest.raises(AlreadyExists) as exc:
        docs.claim_version(version("c1", "minutes", 2, "d1"))
    assert exc.value.args == ("id",)
    # Neither half of a refused claim was written.
    assert docs.get_version("c1", "minutes", 2) is None and docs.get("d2") is None
    results = in_threads(10, lambda i: _claims(docs, version("c1", "minutes", 2, f"x{i}")))
    assert results.count(True) == 1
    assert docs.get(f"x{results.index(True)}")["version"] == 2


def _claims(docs: Any, record: dict[str, Any]) -> bool:
    try:
        docs.claim_version(record)
        return True
    except AlreadyExists:
        return False


def test_document_latest_get_and_list(repo_store: Store) -> None:
    docs = repo_store.documents
    assert docs.latest("c1", "minutes") is None
    for v in (1, 2, 3):
        docs.claim_version(version("c1", "minutes", v, f"m{v}"))
    docs.claim_version(version("c1", "decision", 1, "d1"))
    docs.claim_version(version("c2", "minutes", 7, "o7"))
    assert docs.latest("c1", "minutes")["version"] == 3
    assert docs.latest("c1", "decision")["document_id"] == "d1"
    assert docs.get("m2") == version("c1", "minutes", 2, "m2")
    assert docs.get("unknown") is None
    full = docs.list("c1").items
    assert [(d["kind"], d["version"]) for d in full] == [("decision", 1), ("minutes", 1), ("minutes", 2),
                                                         ("minutes", 3)]
    assert page_through(lambda **kw: docs.list("c1", **kw), 3) == full


def test_document_updates_need_the_claim(repo_store: Store) -> None:
    docs = repo_store.documents
    docs.claim_version(version("c1", "minutes", 1, "d1", claim="A"))
    with pytest.raises(ConditionFailed):
        docs.update_version("c1", "minutes", 1, {"state": "done"}, claim="B")
    with pytest.raises(ConditionFailed):  # a missing version is not created
        docs.update_version("c1", "minutes", 9, {"state": "done"}, claim="A")
    assert docs.get_version("c1", "minutes", 9) is None
    # take over: only from the stale owner, only while rendering
    with pytest.raises(ConditionFailed):
        docs.take_over("c1", "minutes", 1, old_claim="B", new_claim="C", claimed_at="t2")
    docs.take_over("c1", "minutes", 1, old_claim="A", new_claim="C", claimed_at="t2")
    got = docs.get_version("c1", "minutes", 1)
    assert (got["claim"], got["claimed_at"], got["state"]) == ("C", "t2", "rendering")
    with pytest.raises(ConditionFailed):
        docs.update_version("c1", "minutes", 1, {"state": "done"}, claim="A")  # the old owner lost it
    docs.update_version("c1", "minutes", 1, {"state": "done", "pages": 3}, claim="C")
    with pytest.raises(ConditionFailed):
        docs.take_over("c1", "minutes", 1, old_claim="C", new_claim="D", claimed_at="t3")
    assert docs.get("d1")["state"] == "done" and docs.get("d1")["pages"] == 3


def test_a_document_number_is_taken_only_with_its_stored_version(repo_store: Store) -> None:
    docs = repo_store.documents
    for v in (1, 2, 3):
        docs.claim_version(version("c1", "minutes", v, f"m{v}", claim=f"C{v}"))
    assert docs.last_number("BB#2021") == 0
    with pytest.raises(AlreadyExists) as exc:  # not the next number: nothing is written
        docs.store_version("c1", "minutes", 1, {"state": "stored"}, "C1", ("BB#2021", 2, "02/BB"))
    assert exc.value.args == ("number",)
    assert docs.get_version("c1", "minutes", 1)["state"] == "rendering" and docs.last_number("BB#2021") == 0
    with pytest.raises(ConditionFailed):  # not the claim's owner: the number is not taken either
        docs.store_version("c1", "minutes", 1, {"state": "stored"}, "C2", ("BB#2021", 1, "01/BB"))
    assert docs.last_number("BB#2021") == 0
    docs.store_version("c1", "minutes", 1, {"state": "stored", "size": 3}, "C1", ("BB#2021", 1, "01/BB"))
    got = docs.get_version("c1", "minutes", 1)
    assert (got["state"], got["number"], got["size"], docs.last_number("BB#2021")) == ("stored", "01/BB", 3, 1)
    with pytest.raises(ConditionFailed):  # stored: never stored again
        docs.store_version("c1", "minutes", 1, {"state": "stored"}, "C1", ("BB#2021", 2, "02/BB"))
    # Two versions rendered with the same next number: one takes it, the other is told.
    outcomes = in_threads(2, lambda i: _stores(docs, 2 + i, f"C{2 + i}", ("BB#2021", 2, "02/BB")))
    assert sorted(outcomes) == ["number", "stored"] and docs.last_number("BB#2021") == 2
    # Unnumbered (a draft): stored under the claim, the series untouched.
    docs.claim_version(version("c1", "draft", 1, "dr1", claim="D"))
    docs.store_version("c1", "draft", 1, {"state": "stored"}, "D")
    assert "number" not in docs.get_version("c1", "draft", 1) and docs.last_number("BB#2021") == 2


def _stores(docs: Any, v: int, claim: str, number: tuple[str, int, str]) -> str:
    try:
        docs.store_version("c1", "minutes", v, {"state": "stored"}, claim, number)
        return "stored"
    except AlreadyExists as exc:
        return str(exc)


def test_a_newer_version_abandons_the_older_ones_still_rendering(repo_store: Store) -> None:
    docs = repo_store.documents
    for v in (1, 2, 3, 4):
        docs.claim_version(version("c1", "minutes", v, f"m{v}", claim=f"C{v}"))
    docs.claim_version(version("c1", "decision", 1, "d1"))
    docs.store_version("c1", "minutes", 2, {"state": "stored"}, "C2")
    assert docs.abandon_older("c1", "minutes", 4, "t1") == [1, 3]
    states = [(r["version"], r["state"], r.get("superseded_by")) for r in docs.list("c1").items if r["kind"] == "minutes"]
    assert states == [(1, "abandoned", 4), (2, "stored", None), (3, "abandoned", 4), (4, "rendering", None)]
    assert docs.get_version("c1", "decision", 1)["state"] == "rendering"  # another kind: untouched
    with pytest.raises(ConditionFailed):  # an abandoned render cannot be stored any more
        docs.store_version("c1", "minutes", 1, {"state": "stored"}, "C1")
    with pytest.raises(ConditionFailed):  # nor taken over
        docs.take_over("c1", "minutes", 3, old_claim="C3", new_claim="X", claimed_at="t2")
    assert docs.abandon_older("c1", "minutes", 4, "t3") == []


def test_deliveries_are_claimed_once_and_updated_by_their_claim(repo_store: Store) -> None:
    docs = repo_store.documents
    record = {"document_id": "d1", "email": "a@example.gov.vn", "claim": "A", "state": "sending"}
    results = in_threads(8, lambda i: docs.claim_delivery({**record, "claim": f"C{i}"}))
    assert results.count(None) == 1
    winner = f"C{results.index(None)}"
    assert all(r["claim"] == winner for r in results if r is not None)
    with pytest.raises(ConditionFailed):
        docs.update_delivery("d1", "a@example.gov.vn", {"state": "sent"}, claim="nobody")
    docs.update_delivery("d1", "a@example.gov.vn", {"state": "retry"}, claim=winner, new_claim="Z")
    with pytest.raises(ConditionFailed):
        docs.update_delivery("d1", "a@example.gov.vn", {"state": "sent"}, claim=winner)
    docs.update_delivery("d1", "a@example.gov.vn", {"state": "sent", "message_id": "m1"}, claim="Z")
    assert docs.claim_delivery({**record, "claim": "late"})["state"] == "sent"
    docs.claim_delivery({**record, "email": "b@example.gov.vn"})
    docs.claim_delivery({**record, "document_id": "d2"})
    listed = docs.deliveries("d1")
    assert [(d["email"], d["state"], d["claim"]) for d in listed] == [
        ("a@example.gov.vn", "sent", "Z"), ("b@example.gov.vn", "sending", "A")]
    with pytest.raises(ConditionFailed):  # no delivery, no update
        docs.update_delivery("d9", "a@example.gov.vn", {"state": "sent"}, claim="A")
    assert docs.deliveries("d9") == []


# -- construction -----------------------------------------------------------------------

def test_memory_tables_are_shared_by_name() -> None:
    first, second = memory_store("contract-shared"), memory_store("contract-shared")
    first.units.create(unit("u-1"))
    assert second.units.get("u-1") is not None
    assert memory_table("contract-shared") is first.table
    assert memory_store("contract-other").units.get("u-1") is None
    reset_memory_tables()
    assert second.units.get("u-1") is None  # emptied in place: still one shared table
    assert first.ensure_table() is False
    first.delete_table()
    assert first.ensure_table() is True


def test_dynamodb_store_is_cached_per_table(ddb) -> None:
    name = f"contract-{uuid.uuid4().hex[:12]}"
    store = dynamodb_store(_local_settings(ddb.endpoint, name))
    assert dynamodb_store(_local_settings(ddb.endpoint, name)) is store
    assert dynamodb_store(_local_settings(ddb.endpoint, name + "x")) is not store
    assert store.ensure_table() is True and store.ensure_table() is False
    try:
        store.units.create(unit("u-1"))
        assert store.units.get("u-1")["id"] == "u-1"
    finally:
        store.delete_table()


# -- nominations -------------------------------------------------------------------------

def nomination(nid: str, nominee: str, etag: str = "n1", unit_id: str = UNIT, cid: str = "20210831-aaaaaa",
               **extra: Any) -> dict[str, Any]:
    return {"id": nid, "conference_id": cid, "unit_id": unit_id, "nominee_unit_id": unit_id, "kind": "collective",
            "name": f"Tập thể {nid}", "award_form": "giay-khen", "nominee_key": nominee, "status": "pending",
            "etag": etag, "version": 1, "created_at": "2021-08-01T00:00:00.000+00:00", **extra}


def test_nominations_are_unique_per_nominee_and_found_by_id_unit_and_conference(repo_store: Store) -> None:
    repo_store.conferences.create(conference("20210831-aaaaaa", "2021-08-31"))
    repo_store.nominations.create(nomination("n-a", "a"), audit=event("nomination:n-a"))
    with pytest.raises(AlreadyExists, match="nominee"):
        repo_store.nominations.create(nomination("n-b", "a"))
    assert repo_store.nominations.get("n-b") is None  # nothing half-written
    repo_store.nominations.create(nomination("n-c", "c", unit_id="ca-ha-tinh"))
    assert repo_store.nominations.get("n-a")["name"] == "Tập thể n-a"
    assert [n["id"] for n in repo_store.nominations.for_unit(UNIT).items] == ["n-a"]
    assert [n["id"] for n in repo_store.nominations.for_unit(UNIT, "20210831-aaaaaa").items] == ["n-a"]
    assert sorted(n["id"] for n in repo_store.nominations.for_conference("20210831-aaaaaa")) == ["n-a", "n-c"]
    assert [e["action"] for e in repo_store.audit.list("nomination:n-a").items] == [event("x")["action"]]


def test_a_nomination_moves_its_guard_and_decisions_are_all_or_nothing(repo_store: Store) -> None:
    repo_store.conferences.create(conference("20210831-aaaaaa", "2021-08-31"))
    repo_store.nominations.create(nomination("n-a", "a"))
    repo_store.nominations.create(nomination("n-b", "b"))
    with pytest.raises(AlreadyExists):  # renaming onto another nominee
        repo_store.nominations.replace(nomination("n-a", "b", "n2"), nomination("n-a", "a"))
    repo_store.nominations.replace(nomination("n-a", "a2", "n2"), nomination("n-a", "a"))
    repo_store.nominations.create(nomination("n-c", "a"))  # the old guard was released
    with pytest.raises(ConditionFailed) as stale:
        repo_store.nominations.decide([(nomination("n-a", "a2", "n3", status="approved"), nomination("n-a", "a2", "n2")),
                                       (nomination("n-b", "b", "n3", status="approved"), nomination("n-b", "b", "stale"))],
                                      "20210831-aaaaaa", [event("nomination:n-a"), event("nomination:n-b")],
                                      stamp="s1", approved={"giay-khen": 2})
    assert stale.value.guards == "etag:n-b"
    assert repo_store.nominations.get("n-a")["status"] == "pending"
    assert repo_store.audit.list("nomination:n-a").items == []
    assert repo_store.conferences.approved(repo_store.conferences.get("20210831-aaaaaa")) == {}  # nothing counted
    # a decision moving the form moves the guard: the old form is free, the new one taken (defect 7)
    repo_store.nominations.decide([(nomination("n-a", "a2", "n3", status="approved", award_form="bang-khen"),
                                    nomination("n-a", "a2", "n2"))], "20210831-aaaaaa", [], stamp="s2",
                                  approved={"bang-khen": 1})
    assert repo_store.conferences.approved(repo_store.conferences.get("20210831-aaaaaa")) == {"bang-khen": 1}
    repo_store.nominations.create(nomination("n-d", "a2"))  # giay-khen: released
    with pytest.raises(AlreadyExists, match="nominee"):
        repo_store.nominations.create(nomination("n-e", "a2", award_form="bang-khen"))


def test_nothing_changes_on_a_finalised_conference(repo_store: Store) -> None:
    repo_store.conferences.create(conference("20210831-aaaaaa", "2021-08-31"))
    repo_store.nominations.create(nomination("n-a", "a"))
    finalised = {**conference("20210831-aaaaaa", "2021-08-31", "c2"), "finalised_at": "2021-08-30T00:00:00Z"}
    repo_store.conferences.replace(finalised, "c1")
    with pytest.raises(ConditionFailed):
        repo_store.nominations.create(nomination("n-b", "b"))
    with pytest.raises(ConditionFailed) as locked:
        repo_store.nominations.decide([(nomination("n-a", "a", "n2", status="approved"), nomination("n-a", "a"))],
                                      "20210831-aaaaaa", [], stamp="s1", approved={"giay-khen": 1})
    assert locked.value.guards == "finalised"
    with pytest.raises(ConditionFailed) as scored:
        repo_store.nominations.put_score({"conference_id": "20210831-aaaaaa", "nomination_id": "n-a", "note": "",
                                          "at": "t", "reviewer": "r1", "scores": {"impact": 5}})
    assert scored.value.guards == "finalised" and repo_store.nominations.scores("20210831-aaaaaa") == []
    with pytest.raises(ConditionFailed):
        repo_store.nominations.replace(nomination("n-a", "a", "n2"), nomination("n-a", "a"))


def test_reviewer_scores_replace_the_reviewers_earlier_one(repo_store: Store) -> None:
    repo_store.conferences.create(conference("20210831-aaaaaa", "2021-08-31"))
    base = {"conference_id": "20210831-aaaaaa", "nomination_id": "n-a", "note": "", "at": "t"}
    repo_store.nominations.put_score({**base, "reviewer": "r1", "scores": {"impact": 5}})
    repo_store.nominations.put_score({**base, "reviewer": "r1", "scores": {"impact": 9}})
    repo_store.nominations.put_score({**base, "reviewer": "r2", "scores": {"impact": 7}})
    assert sorted((s["reviewer"], s["scores"]["impact"]) for s in repo_store.nominations.scores("20210831-aaaaaa")) \
        == [("r1", 9), ("r2", 7)]


# -- what a submission reads and writes ----------------------------------------------------

def test_get_many_reads_present_and_missing_items_in_one_call(repo_store: Store) -> None:
    repo_store.units.create(unit("a"))
    repo_store.units.create(unit("b", etag="u2"))
    wanted = [keys.unit("a"), keys.unit("missing"), keys.unit("b")]
    found = repo_store.table.get_many(wanted)
    assert list(found) == wanted
    assert found[keys.unit("a")]["etag"] == "u1" and found[keys.unit("b")]["etag"] == "u2"
    assert found[keys.unit("missing")] is None
    assert "PK" not in found[keys.unit("a")]  # read like `get`, without key attributes


def test_for_submission_reads_everything_a_submission_needs(repo_store: Store) -> None:
    repo_store.units.create(unit(UNIT))
    repo_store.tokens.create({"id": "t1", "role": "unit", "unit_id": UNIT, "hash": "h"})
    repo_store.periods.put({"period": PERIOD, "deadline": "2021-09-20T23:59:59+07:00"})
    repo_store.reports.put_exception({"unit_id": UNIT, "period": PERIOD, "until": "2021-09-30T00:00:00+07:00"})
    repo_store.reports.save(report(1, "e7", 7, period="2021-07"), None)
    reads = repo_store.reports.for_submission(UNIT, PERIOD, "month", token_id="t1")
    assert reads.unit["id"] == UNIT and reads.report is None
    assert reads.period_settings["deadline"].startswith("2021-09-20")
    assert reads.exception["until"].startswith("2021-09-30")
    assert reads.history == {"2021-07": {"checkpoints": 7}}
    assert reads.token["unit_id"] == UNIT
    empty = repo_store.reports.for_submission("nobody", "2021-W33", "week")
    assert (empty.unit, empty.report, empty.token, empty.history) == (None, None, None, {})


def test_read_many_reads_reports_settings_exceptions_and_histories_past_one_batch(repo_store: Store) -> None:
    units = [f"u-{i:03d}" for i in range(40)]  # 40 units x 3 periods: more keys than one BatchGetItem takes
    periods = ["2021-06", "2021-07", "2021-08"]
    for unit_id in units[::7]:
        repo_store.reports.save(report(1, f"e-{unit_id}", 3, unit_id=unit_id, period="2021-07"), None,
                                history=[])
    repo_store.periods.put({"period": "2021-08", "deadline": "2021-09-20T23:59:59+07:00"})
    repo_store.reports.put_exception({"unit_id": "u-007", "period": "2021-06", "until": "2021-09-30T00:00:00+07:00"})
    reads = repo_store.reports.read_many(
        reports=[(u, p) for u in units for p in periods], settings=periods,
        exceptions=[(u, p) for u in units[:10] for p in periods], histories=units[:8])
    assert len(reads.reports) == 120
    assert {k for k, v in reads.reports.items() if v} == {(u, "2021-07") for u in units[::7]}
    assert reads.reports[("u-007", "2021-07")]["etag"] == "e-u-007"
    assert reads.settings["2021-08"]["deadline"].startswith("2021-09-20") and reads.settings["2021-06"] is None
    assert {k for k, v in reads.exceptions.items() if v} == {("u-007", "2021-06")}
    assert reads.histories["u-007"] == {"2021-07": {"checkpoints": 3}} and reads.histories["u-001"] == {}
    nothing = repo_store.reports.read_many()
    assert (nothing.reports, nothing.settings, nothing.exceptions, nothing.histories) == ({}, {}, {}, {})


def test_figure_history_follows_saves_and_keeps_the_newest_periods(repo_store: Store) -> None:
    from chalicelib.store.repositories import HISTORY_KEPT

    months = [f"{2019 + i // 12}-{i % 12 + 1:02d}" for i in range(HISTORY_KEPT + 3)]
    for i, month in enumerate(months):
        held = list(repo_store.reports.for_submission(UNIT, month, "month").history)
        repo_store.reports.save(report(1, f"e-{month}", i, period=month), None, history=held)
    history = repo_store.reports.for_submission(UNIT, "2030-01", "month").history
    assert sorted(history) == months[-HISTORY_KEPT:]  # the oldest three were dropped
    assert history[months[-1]] == {"checkpoints": HISTORY_KEPT + 2}
    # A replacement changes that period's figures; a late correction older than the window is not kept.
    held = list(history)
    repo_store.reports.save(report(2, "e-new", 999, period=months[-1]), f"e-{months[-1]}", history=held)
    repo_store.reports.save(report(1, "e-old", 5, period="2010-01"), None, history=held)
    history = repo_store.reports.for_submission(UNIT, "2030-01", "month").history
    assert history[months[-1]] == {"checkpoints": 999} and "2010-01" not in history
    assert len(history) == HISTORY_KEPT


def test_a_receipt_is_stored_with_the_report_and_never_overwritten(repo_store: Store) -> None:
    from chalicelib.store.protocols import Receipt

    idem = repo_store.idempotency
    assert idem.claim("k", "fp", now=1000, in_progress_seconds=30, ttl_seconds=3600) is None
    answer = {"status": 201, "body": "{}", "headers": {"ETag": '"1-x"'}}
    work = repo_store.unit_of_work()  # as a request stages them: the report, then its answer
    work.reports.save(report(1, "e1"), None)
    work.idempotency.answer(Receipt("k", answer, 1001, 3600))
    work.commit()
    # What the request's own error path would do afterwards leaves the stored answer alone.
    idem.complete("k", {"status": 503, "body": "", "headers": {}}, now=1002, ttl_seconds=3600)
    idem.release("k")
    replay = idem.claim("k", "fp", now=1003, in_progress_seconds=30, ttl_seconds=3600)
    assert replay["state"] == "done" and replay["response"] == answer
    # A failed save stores no receipt: the claim stays in progress.
    assert idem.claim("k2", "fp", now=1000, in_progress_seconds=30, ttl_seconds=3600) is None
    work = repo_store.unit_of_work()
    work.reports.save(report(1, "e1-again"), None)
    work.idempotency.answer(Receipt("k2", answer, 1001, 3600))
    with pytest.raises(ConditionFailed):
        work.commit()
    assert idem.claim("k2", "fp", now=1001, in_progress_seconds=30, ttl_seconds=3600)["state"] == "in_progress"
