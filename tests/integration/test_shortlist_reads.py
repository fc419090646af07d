"""The shortlist and bulk decisions on DynamoDB Local, counted in round trips (each a network call the
office waits for on Lambda): the shortlist reads each covered period's pack and its changes, never
every report again; a bulk decision of 40 is a few batched reads and one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.core.clock import iso
from chalicelib.core.etag import etag_of
from helpers import issue, put_report, seed_units

UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry")] + [
    (f"ca-{i:02d}", f"Công an tỉnh số {i}", "bo-cong-an", "province") for i in range(12)]
PERIODS = ["2021-07", "2021-08"]


@pytest.fixture
def queries(store) -> list[str]:
    """The partition (or index partition) of every Query the store's client makes."""
    seen: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["ExpressionAttributeValues"][":pk"]["S"])

    events = store.table.client.meta.events
    events.register("provide-client-params.dynamodb.Query", record, unique_id="query-recorder")
    yield seen
    events.unregister("provide-client-params.dynamodb.Query", unique_id="query-recorder")


def submitted_an_hour_ago(store, unit_id: str, period: str, values: dict[str, int], achievements: str) -> None:
    """A report as the PUT stores it, submitted an hour ago (well before any pack is made)."""
    at = iso(datetime.now(timezone.utc) - timedelta(hours=1))
    report = {"unit_id": unit_id, "period": period, "period_kind": "month", "version": 1, "values": values,
              "comments": {}, "achievements": achievements, "submitted_at": at, "first_submitted_at": at,
              "submitted_by": "test", "status": "submitted"}
    report["etag"] = etag_of(report, 1)
    store.reports.save(report, expected_etag=None)


def conference_with_nominations(api, admin_token, store, count: int) -> str:
    seed_units(store, UNITS)
    for i, (unit_id, *_) in enumerate(UNITS[1:]):
        for period in PERIODS:
            submitted_an_hour_ago(store, unit_id, period,
                                  {"officers_mobilised": 100 + i, "people_traced": (i * 37) % 50},
                                  achievements="Hoàn thành xuất sắc nhiệm vụ. " * 100)
    cid = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": PERIODS,
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    tokens = {u: issue(store, "unit", unit_id=u) for u, *_ in UNITS[1:]}
    for i in range(count):
        unit = UNITS[1 + i % 12][0]
        resp = api.post(f"/v1/units/{unit}/nominations", token=tokens[unit], body={
            "conference_id": cid, "kind": "collective", "name": f"Tập thể số {i}", "award_form": "giay-khen",
            "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
        assert resp.status_code == 201, resp.body
    return cid


def test_the_shortlist_reads_the_periods_packs_not_their_reports(api, admin_token, store, queries):
    cid = conference_with_nominations(api, admin_token, store, 6)
    first = api.get(f"/v1/conferences/{cid}/shortlist", token=admin_token)
    assert first.status_code == 200, first.body
    # the first read packs each period from its small figures items (a table made since they exist),
    # never from its reports
    assert {f"FIGCHANGE#{p}" for p in PERIODS} <= set(queries)
    assert not any(q.startswith("PERIOD#") for q in queries), queries
    queries.clear()
    again = api.get(f"/v1/conferences/{cid}/shortlist", token=admin_token)
    assert again.status_code == 200
    assert again.data["items"] == first.data["items"]
    assert not any(q.startswith("PERIOD#") for q in queries), queries  # no report read in full
    # the window's kept sums, and whether any report of each period changed since
    assert sorted(q[:10] for q in queries if q.startswith("FIG")) == ["FIGCHANGE#"] * 2 + ["FIGWINDOW#"]


def test_a_report_submitted_after_the_pack_moves_the_ranking(api, admin_token, store):
    cid = conference_with_nominations(api, admin_token, store, 12)
    before = api.get(f"/v1/conferences/{cid}/shortlist?limit=100", token=admin_token).data["items"]
    low = min(before, key=lambda r: r["score"]["automatic"])
    unit = low["nomination"]["nominee_unit_id"]
    put_report(store, unit, "2021-08", {"officers_mobilised": 1, "people_traced": 10_000})  # after the pack
    after = api.get(f"/v1/conferences/{cid}/shortlist?limit=100", token=admin_token).data["items"]
    moved = next(r for r in after if r["nomination"]["id"] == low["nomination"]["id"])
    assert moved["score"]["automatic"] == 100.0 and moved["rank"] == 1


def test_a_bulk_decision_of_40_is_three_round_trips_authentication_included(api, admin_token, store, calls):
    cid = conference_with_nominations(api, admin_token, store, 40)
    rows = api.get(f"/v1/conferences/{cid}/shortlist?limit=100", token=admin_token).data["items"]
    assert len(rows) == 40
    items = [{"nomination_id": r["nomination"]["id"], "etag": r["etag"],
              **({"decision": "hold"} if i % 2 else {"decision": "reject", "note": "Chưa đủ thành tích."})}
             for i, r in enumerate(rows)]
    calls.clear()
    done = api.post(f"/v1/conferences/{cid}/decisions", token=admin_token, body={"items": items})
    assert done.status_code == 200, done.body
    assert len(done.data["items"]) == 40
    # the (machine) token with the conference and the 40 pointers, the 40 nominations, one transaction
    assert calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"], calls


def test_the_sums_can_be_kept_ahead_of_the_first_shortlist(api, admin_token, store, env, queries):
    import os
    import subprocess
    import sys

    cid = conference_with_nominations(api, admin_token, store, 3)
    done = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--stage", "test", "sum-figures",
                           "--conference", cid], env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{cid}: số liệu 12 đơn vị, 2 kỳ" in done.stdout
    queries.clear()
    assert api.get(f"/v1/conferences/{cid}/shortlist", token=admin_token).status_code == 200
    assert not any(q.startswith(("PERIOD#", "FIGPACK#")) for q in queries), queries  # kept: not read again


def test_a_page_ranks_every_nomination_projected_and_reads_its_own_rows_whole(api, admin_token, store):
    """Issue 20: the 5,000 nominations of a large conference are ranked on a few attributes each (no
    achievements); only the page's rows are read whole, in one BatchGetItem."""
    cid = conference_with_nominations(api, admin_token, store, 12)
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append((model.name, params))

    events = store.table.client.meta.events
    events.register("provide-client-params.dynamodb", record, unique_id="params-recorder")
    try:
        page = api.get(f"/v1/conferences/{cid}/shortlist?limit=5", token=admin_token)
    finally:
        events.unregister("provide-client-params.dynamodb", unique_id="params-recorder")
    assert page.status_code == 200, page.body
    assert len(page.data["items"]) == 5 and page.data["next"]
    assert all(row["nomination"]["achievements"] == "Hoàn thành xuất sắc nhiệm vụ." and row["etag"]
               for row in page.data["items"])  # the page's rows are whole
    listed = [p for op, p in seen if op == "Query"
              and p["ExpressionAttributeValues"][":pk"]["S"] == f"NOMINATIONS#{cid}"]
    assert listed and all("ProjectionExpression" in p for p in listed)
    projected = {v for p in listed for k, v in p["ExpressionAttributeNames"].items() if k.startswith("#a")}
    assert "achievements" not in projected and {"id", "award_form", "status"} <= projected
    batches = [p for op, p in seen if op == "BatchGetItem"]
    nomination_keys = [k for b in batches for t in b["RequestItems"].values() for k in t["Keys"]
                       if k["SK"]["S"].startswith("NOMINATION#")]
    assert len(nomination_keys) == 5
