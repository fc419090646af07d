"""The completeness board on DynamoDB Local reads only what its rows show: each current report's
small status item (written with the report by every submission and review, in the same
transaction), never figures or achievements, and each unit's id, name, parent and kind.

A table from before status items (no mark) is read the old way, the period's reports projected
to their status fields (DynamoDB counts its 1 MB pages before the projection: many pages), until
`cli backfill` writes the missing status items and marks the table."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.store import keys
from chalicelib.store.table import Delete
from helpers import open_period, put_report, seed_units

LONG = "Hoàn thành xuất sắc nhiệm vụ bảo đảm an ninh trật tự, phòng chống dịch trên địa bàn. " * 400  # ~35 KB


@pytest.fixture
def board_world(api, admin_token, store):
    units = [("bca", "Bộ Công an", None, "ministry")] + [
        (f"ca-{i:02d}", f"Công an tỉnh số {i:02d}", "bca", "province") for i in range(60)]
    seed_units(store, units)
    for i in range(0, 60, 2):  # 30 reports of ~35 KB: about 1 MB of achievements, more than one Query page
        put_report(store, f"ca-{i:02d}", "2021-08", {"checkpoints": i}, achievements=LONG)
    open_period(api, admin_token, "2021-08")
    return admin_token


def read_board(api, admin_token, store, calls) -> tuple[dict, list[dict[str, Any]], list[int]]:
    queries: list[dict[str, Any]] = []
    received: list[int] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        queries.append(params)

    def measure(http_response: Any, **_: Any) -> None:
        received.append(len(http_response.content))

    events = store.table.client.meta.events
    events.register("provide-client-params.dynamodb.Query", record, unique_id="board-queries")
    events.register("after-call.dynamodb.Query", measure, unique_id="board-bytes")
    try:
        calls.clear()
        board = api.get("/v1/periods/2021-08/completeness", token=admin_token)
    finally:
        events.unregister("provide-client-params.dynamodb.Query", unique_id="board-queries")
        events.unregister("after-call.dynamodb.Query", unique_id="board-bytes")
    assert board.status_code == 200, board.body
    assert "Scan" not in calls
    return board.data, queries, received


def check(data: dict) -> None:
    states = {r["unit_id"]: r["state"] for r in data["rows"]}
    assert data["totals"]["expected"] == 60 and data["totals"]["complete"] == 29 and data["totals"]["returned"] == 1
    assert states["ca-00"] == "submitted" and states["ca-01"] == "missing" and states["ca-02"] == "returned"
    assert states["ca-04"] == "accepted"


def review(api, admin_token, unit_id: str, action: str) -> None:
    got = api.get(f"/v1/units/{unit_id}/reports/2021-08", token=admin_token)
    resp = api.post(f"/v1/units/{unit_id}/reports/2021-08/review", token=admin_token,
                    body={"action": action, "note": "Bổ sung số liệu."}, headers={"If-Match": got.headers["ETag"]})
    assert resp.status_code == 200, resp.body


def test_the_board_reads_the_small_status_items_only(api, board_world, store, calls):
    review(api, board_world, "ca-02", "return")
    review(api, board_world, "ca-04", "accept")
    data, queries, received = read_board(api, board_world, store, calls)
    check(data)
    statuses = [q for q in queries if q["ExpressionAttributeValues"][":pk"]["S"] == keys.period_statuses("2021-08")]
    assert len(statuses) == 1 and not any(q.get("IndexName") for q in queries)  # one page; not the reports
    assert sum(received) < 40_000, received  # 30 statuses and 61 units, not ~1 MB of achievements
    units_read = [q for q in queries if q not in statuses]
    for q in units_read:  # the kept tree's pack, or (its first read) the units projected to what a row shows
        if q["ExpressionAttributeValues"][":pk"]["S"] == keys.UNITS_TREE:
            continue
        projected = {q["ExpressionAttributeNames"][n.strip()] for n in q["ProjectionExpression"].split(",")}
        assert projected == {"id", "name", "parent_id", "kind"}


def test_a_table_from_before_status_items_reads_the_reports_projected_until_backfilled(
        api, board_world, store, calls, capsys):
    from chalicelib import cli
    from chalicelib.store import repositories

    review(api, board_world, "ca-04", "accept")
    # the table as it was before: no status items, no mark (and a review made since leaves a partial one)
    store.table.write(Delete(keys.REPORT_STATUSES_READY))
    repositories._STATUSES_READY.discard(store.table.name)
    for i in range(0, 60, 2):
        store.table.write(Delete(keys.report_status(f"ca-{i:02d}", "2021-08")))
    review(api, board_world, "ca-02", "return")  # a partial status item: status without submitted_at

    data, queries, received = read_board(api, board_world, store, calls)
    check(data)
    reports = [q for q in queries if q.get("IndexName") == "GSI1"]
    assert len(reports) >= 2  # 1 MB pages of whole reports, however few fields come back
    for q in reports:
        projected = {q["ExpressionAttributeNames"][n.strip()] for n in q["ProjectionExpression"].split(",")}
        assert not projected & {"values", "achievements", "comments"}, projected
    assert sum(received) < 40_000, received

    assert cli.main(["backfill"]) == 0
    out = capsys.readouterr().out
    assert "61 đơn vị" in out and "30 báo cáo" in out, out
    repositories._STATUSES_READY.discard(store.table.name)  # another process: reads the mark
    data, queries, _ = read_board(api, board_world, store, calls)
    check(data)
    assert not any(q.get("IndexName") for q in queries)
