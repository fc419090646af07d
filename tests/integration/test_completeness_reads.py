"""The completeness board on DynamoDB Local reads only what its rows show: each report's status
fields (a projection of the period's index, never figures or achievements) and each unit's id,
name, parent and kind. Long achievements are never sent to the board, nor parsed by it.

(DynamoDB counts its 1 MB page before the projection: pages are as many as the reports' size
makes them; what the projection saves is the transfer and botocore's parsing, most of the time.)"""

from __future__ import annotations

from typing import Any

from helpers import open_period, put_report, seed_units

LONG = "Hoàn thành xuất sắc nhiệm vụ bảo đảm an ninh trật tự, phòng chống dịch trên địa bàn. " * 400  # ~35 KB


def test_the_board_reads_statuses_only(api, admin_token, store, calls):
    units = [("bca", "Bộ Công an", None, "ministry")] + [
        (f"ca-{i:02d}", f"Công an tỉnh số {i:02d}", "bca", "province") for i in range(60)]
    seed_units(store, units)
    for i in range(0, 60, 2):  # 30 reports of ~35 KB: about 1 MB of achievements, more than one Query page
        put_report(store, f"ca-{i:02d}", "2021-08", {"checkpoints": i}, achievements=LONG)
    open_period(api, admin_token, "2021-08")

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
    data = board.data
    assert data["totals"]["expected"] == 60 and data["totals"]["complete"] == 30
    assert {r["unit_id"]: r["state"] for r in data["rows"]}["ca-00"] == "submitted"
    assert {r["unit_id"]: r["state"] for r in data["rows"]}["ca-01"] == "missing"

    assert {q.get("IndexName") for q in queries} == {"GSI1", None}  # the period's reports, the units
    assert sum(received) < 40_000, received  # 30 statuses and 61 units, not ~1 MB of achievements
    for q in queries:  # a projection naming neither figures nor achievements
        projected = {q["ExpressionAttributeNames"][n.strip()] for n in q["ProjectionExpression"].split(",")}
        assert not projected & {"values", "achievements", "comments", "emails", "path"}, projected
    assert "Scan" not in calls
