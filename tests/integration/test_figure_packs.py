"""Packing a period on DynamoDB Local: from its small figures items once every report has one, else from
its reports projected to unit, status and values (never the achievements that fill a report); either
way the same figures. After the daily keeping, a ranking's window reads only the kept sums and one
Query of changes per period."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.awards import keeping, window
from chalicelib.core.clock import iso
from chalicelib.core.etag import etag_of
from chalicelib.store import keys, repositories
from chalicelib.store.table import Delete

NOW = datetime(2021, 9, 15, 3, 0, tzinfo=timezone.utc)
PERIODS = ["2021-07", "2021-08"]


@pytest.fixture
def queries(store) -> list[dict[str, Any]]:
    """Every Query the store's client makes: its partition and projection."""
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        names = params.get("ExpressionAttributeNames", {})
        projection = params.get("ProjectionExpression")
        seen.append({"pk": params["ExpressionAttributeValues"][":pk"]["S"],
                     "attrs": None if projection is None else
                     {names.get(a.strip(), a.strip()) for a in projection.split(",")}})

    events = store.table.client.meta.events
    events.register("provide-client-params.dynamodb.Query", record, unique_id="pack-query-recorder")
    yield seen
    events.unregister("provide-client-params.dynamodb.Query", unique_id="pack-query-recorder")


def save(store, unit_id: str, period: str, values: dict[str, int], at: datetime, status: str = "submitted") -> None:
    report = {"unit_id": unit_id, "period": period, "period_kind": "month", "version": 1, "values": values,
              "comments": {}, "achievements": "Hoàn thành xuất sắc nhiệm vụ. " * 200, "submitted_at": iso(at),
              "first_submitted_at": iso(at), "submitted_by": "test", "status": status}
    report["etag"] = etag_of(report, 1)
    store.reports.save(report, expected_etag=None)


def test_a_pack_from_the_figures_items_equals_one_from_the_projected_reports(store, queries):
    for i in range(40):
        save(store, f"ca-{i:02d}", "2021-08", {"people_traced": i, "officers_mobilised": 100 + i},
             NOW - timedelta(days=20), status="returned" if i % 9 == 0 else "submitted")
    assert store.figures.ready()  # a table made since the figures items exist
    queries.clear()
    from_items = window._unpacked(store, "2021-08")
    assert {q["pk"] for q in queries} == {keys.figures_changes("2021-08")}

    # as a table from before the figures items (no mark): the reports, projected
    store.table.write(Delete(keys.PERIOD_FIGURES_READY))
    repositories._FIGURES_READY.discard(store.table.name)
    assert not store.figures.ready()
    queries.clear()
    from_reports = window._unpacked(store, "2021-08")
    read = [q for q in queries if q["pk"] == keys.period_reports_index("2021-08")]
    assert read and all(q["attrs"] and "achievements" not in q["attrs"] and {"unit_id", "status", "values"} <= q["attrs"]
                        for q in read)
    assert from_reports == from_items and len(from_items) == 35  # returned reports count nowhere


def test_after_the_keeping_a_window_reads_its_sums_and_the_changes_only(store, queries):
    from chalicelib.core.catalogs import scoring_rubric

    for i in range(20):
        for period in PERIODS:
            save(store, f"ca-{i:02d}", period, {"people_traced": i, "officers_mobilised": 50}, NOW - timedelta(days=50))
    store.conferences.create({"id": "hn-1", "title": "Hội nghị", "date": "2021-10-01", "periods": PERIODS, "etag": "e"})
    run = keeping.keep_figures(store, NOW, 10)
    assert run.periods["2021-08"] == "packed" and run.windows == {"hn-1": "summed"}
    rubric = scoring_rubric()
    codes = [*rubric.indicators, *([rubric.per] if rubric.per else [])]
    queries.clear()
    sums = window.window_figures(store, PERIODS, NOW + timedelta(hours=1), codes)
    assert sums["ca-03"]["people_traced"] == 6 and len(sums) == 20
    name = window.window_name(PERIODS, tuple(dict.fromkeys(codes)))
    assert sorted(q["pk"] for q in queries) == sorted([keys.figures_window_partition(name),
                                                       *map(keys.figures_changes, PERIODS)])
    again = keeping.keep_figures(store, NOW + timedelta(hours=2), 10)
    assert set(again.periods.values()) == {"kept"} and again.windows == {"hn-1": "kept"}
