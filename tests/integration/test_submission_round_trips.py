"""What one report PUT costs in DynamoDB calls, counted on the real client (DynamoDB Local).

Every call is a network round trip the unit waits for on Lambda. bench/submission.py
times them; this keeps the count from creeping back.
"""

from __future__ import annotations


def test_a_report_put_is_one_batch_read_and_one_transaction(api, two_units, calls, clock):
    token = two_units["ca-nghe-an"]
    path = "/v1/units/ca-nghe-an/reports/2021-08"
    assert api.put("/v1/units/ca-nghe-an/reports/2021-07", token=token,
                   body={"values": {"checkpoints": 30}}).status_code == 201  # a history to check against
    calls.clear()
    created = api.put(path, token=token, body={"values": {"checkpoints": 35}})
    assert created.status_code == 201 and calls == ["BatchGetItem", "TransactWriteItems"]
    calls.clear()
    replaced = api.put(path, token=token, body={"values": {"checkpoints": 36}},
                       headers={"If-Match": created.headers["ETag"]})
    assert replaced.status_code == 200 and calls == ["BatchGetItem", "TransactWriteItems"]
    calls.clear()
    keyed = api.put("/v1/units/ca-nghe-an/reports/2021-06", token=token, body={"values": {"checkpoints": 31}},
                    headers={"Idempotency-Key": "k-2021-06"})
    # the key's claim, then the same two: the answer is stored inside the transaction
    assert keyed.status_code == 201 and calls == ["BatchGetItem", "PutItem", "TransactWriteItems"]
    calls.clear()
    replay = api.put("/v1/units/ca-nghe-an/reports/2021-06", token=token, body={"values": {"checkpoints": 31}},
                     headers={"Idempotency-Key": "k-2021-06"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.data == keyed.data and "TransactWriteItems" not in calls


def test_the_outlier_rule_still_sees_the_history_without_a_query(api, two_units, calls, clock):
    token = two_units["ca-nghe-an"]
    for month, value in (("2021-05", 10), ("2021-06", 12), ("2021-07", 11)):
        assert api.put(f"/v1/units/ca-nghe-an/reports/{month}", token=token,
                       body={"values": {"checkpoints": value}}).status_code == 201
    calls.clear()
    refused = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=token, body={"values": {"checkpoints": 500}})
    assert refused.status_code == 422 and refused.data["errors"][0]["field"] == "values.checkpoints"
    assert "Query" not in calls and calls == ["BatchGetItem"]
    explained = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=token,
                        body={"values": {"checkpoints": 500}, "comments": {"checkpoints": "Tăng cường chốt biên giới."}})
    assert explained.status_code == 201


def test_a_clerks_session_costs_the_same_round_trips_as_a_machine_token(api, two_units, calls, clock, store):
    """A person's session is authenticated inside the submission's one batch read: the account and
    the session (one partition) join the route's preload, with no GetItem of their own."""
    from helpers import person

    _, session = person(store, "unit", "ca-nghe-an", now=clock.now())
    path = "/v1/units/ca-nghe-an/reports/2021-08"
    calls.clear()
    created = api.put(path, token=session, body={"values": {"checkpoints": 35}})
    assert created.status_code == 201, created.body
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    calls.clear()
    replaced = api.put(path, token=session, body={"values": {"checkpoints": 36}},
                       headers={"If-Match": created.headers["ETag"], "Idempotency-Key": "k-2021-08"})
    assert replaced.status_code == 200 and calls == ["BatchGetItem", "PutItem", "TransactWriteItems"]
    calls.clear()
    assert api.get("/v1/me", token=session).status_code == 200
    assert calls[0] == "BatchGetItem" and "GetItem" not in calls[:1]  # the session: one batch, then the unit
