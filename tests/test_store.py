"""The store against DynamoDB Local: conditional writes, pagination, counters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.store import AlreadyExists, BadCursor, ConditionFailed


def report(version: int, etag: str, value: int = 1) -> dict:
    return {"unit_id": "u-1", "period": "2021-08", "version": version, "etag": etag,
            "values": {"checkpoints": value}, "comments": {}, "achievements": ""}


def test_units_are_unique_and_paged(store):
    for i in range(5):
        store.create_unit({"id": f"u-{i}", "name": f"Đơn vị {i}", "parent_id": None, "kind": "other",
                           "emails": [], "updated_at": "t"})
    with pytest.raises(AlreadyExists):
        store.create_unit({"id": "u-1", "name": "x", "updated_at": "t"})
    page = store.list_units(limit=2)
    assert len(page.items) == 2 and page.next
    seen = [u["id"] for u in page.items]
    while page.next:
        page = store.list_units(limit=2, cursor=page.next)
        seen += [u["id"] for u in page.items]
    assert seen == [f"u-{i}" for i in range(5)]
    assert len(store.all_units()) == 5


def test_cursor_from_another_listing_is_refused(store):
    store.save_report(report(1, "e1"), None)
    store.save_report({**report(1, "e1"), "period": "2021-09"}, None)
    page = store.list_reports("u-1", "2021-01", "2021-12", limit=1)
    with pytest.raises(BadCursor):
        store.list_units(cursor=page.next)
    with pytest.raises(BadCursor):
        store.list_units(cursor="!!notbase64")


def test_save_report_keeps_every_version_and_refuses_stale_etags(store):
    store.save_report(report(1, "e1"), None)
    with pytest.raises(ConditionFailed):
        store.save_report(report(1, "e1-again"), None)
    store.save_report(report(2, "e2", 2), "e1")
    with pytest.raises(ConditionFailed):
        store.save_report(report(3, "e3", 3), "e1")
    assert store.get_report("u-1", "2021-08")["version"] == 2
    revisions = store.list_revisions("u-1", "2021-08").items
    assert [(r["version"], r["values"]["checkpoints"]) for r in revisions] == [(1, 1), (2, 2)]
    assert [r["unit_id"] for r in store.reports_for_period("2021-08")] == ["u-1"]


def test_exactly_one_of_50_concurrent_replaces_with_the_same_etag_wins(store):
    store.save_report(report(1, "e1"), None)

    def attempt(i: int) -> bool:
        try:
            store.save_report(report(2, f"e2-{i}", 100 + i), "e1")
            return True
        except ConditionFailed:
            return False

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, range(50)))
    assert results.count(True) == 1
    current = store.get_report("u-1", "2021-08")
    winner = results.index(True)
    assert current["etag"] == f"e2-{winner}"
    assert [r["version"] for r in store.list_revisions("u-1", "2021-08").items] == [1, 2]


def test_counter_is_atomic(store):
    with ThreadPoolExecutor(max_workers=10) as pool:
        values = sorted(pool.map(lambda _: store.next_counter("doc-2021"), range(20)))
    assert values == list(range(1, 21))


def test_idempotency_claims(store):
    assert store.claim_idempotency_key("unit:a", "k", "f1", 60) is None
    existing = store.claim_idempotency_key("unit:a", "k", "f1", 60)
    assert existing["state"] == "in_progress" and existing["fingerprint"] == "f1"
    store.complete_idempotency_key("unit:a", "k", {"status": 201, "body": "{}", "headers": {}})
    assert store.claim_idempotency_key("unit:a", "k", "f1", 60)["state"] == "done"
    assert store.claim_idempotency_key("unit:b", "k", "f1", 60) is None  # keys are scoped
