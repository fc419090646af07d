"""One concurrency rule for every aggregate (any change, a new ETag; every dependent write
conditioned on it) and Idempotency-Key bound to caller, method, actual path and body."""

from __future__ import annotations

from chalicelib.http.idempotency import IN_PROGRESS_SECONDS, fingerprint, record_key

BODY = {"values": {"checkpoints": 40, "citizens_escorted": 15000}}


def put(api, token, unit="ca-nghe-an", period="2021-08", body=BODY, **headers):
    return api.put(f"/v1/units/{unit}/reports/{period}", token=token, body=body, headers=headers)


def review(api, token, action, etag=None, unit="ca-nghe-an", note=""):
    headers = {"If-Match": etag} if etag else {}
    return api.post(f"/v1/units/{unit}/reports/2021-08/review", token=token,
                    body={"action": action, "note": note}, headers=headers)


def test_every_review_gives_the_report_a_new_etag(api, admin_token, two_units):
    created = put(api, two_units["ca-nghe-an"])
    accepted = review(api, admin_token, "accept", created.headers["ETag"])
    assert accepted.status_code == 200 and accepted.headers["ETag"] != created.headers["ETag"]
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=admin_token).headers["ETag"] == accepted.headers["ETag"]
    returned = review(api, admin_token, "return", accepted.headers["ETag"], note="Bổ sung số liệu")
    assert returned.status_code == 200 and returned.headers["ETag"] not in (created.headers["ETag"],
                                                                            accepted.headers["ETag"])


def test_a_review_holding_the_etag_read_before_an_accept_gets_412(api, admin_token, two_units):
    created = put(api, two_units["ca-nghe-an"])
    seen_by_second_admin = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=admin_token).headers["ETag"]
    assert review(api, admin_token, "accept", created.headers["ETag"]).status_code == 200
    late = review(api, admin_token, "return", seen_by_second_admin, note="Số liệu chưa khớp")
    assert late.status_code == 412
    current = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=admin_token).data
    assert current["status"] == "accepted"  # the accept stands; nobody was told otherwise


def test_a_put_holding_the_etag_read_before_an_accept_is_refused(api, admin_token, two_units):
    token = two_units["ca-nghe-an"]
    created = put(api, token)
    assert review(api, admin_token, "accept", created.headers["ETag"]).status_code == 200
    stale = put(api, token, body={"values": {"checkpoints": 41}}, **{"If-Match": created.headers["ETag"]})
    assert stale.status_code in (412, 423)
    # an admin may write any unit's report, but not over an accept it has not seen either
    by_admin = put(api, admin_token, body={"values": {"checkpoints": 42}}, **{"If-Match": created.headers["ETag"]})
    assert by_admin.status_code in (412, 423)
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=admin_token).data["values"]["checkpoints"] == 40


def test_a_unit_patch_holding_an_old_etag_gets_412(api, admin_token, two_units):
    first = api.get("/v1/units/ca-nghe-an", token=admin_token)
    assert api.patch("/v1/units/ca-nghe-an", token=admin_token, body={"emails": ["a@ca.gov.vn"]},
                     headers={"If-Match": first.headers["ETag"]}).status_code == 200
    stale = api.patch("/v1/units/ca-nghe-an", token=admin_token, body={"emails": ["b@ca.gov.vn"]},
                      headers={"If-Match": first.headers["ETag"]})
    assert stale.status_code == 412
    assert api.get("/v1/units/ca-nghe-an", token=admin_token).data["emails"] == ["a@ca.gov.vn"]


def test_the_same_key_and_body_on_another_units_path_is_a_separate_write(api, admin_token, two_units):
    key = {"Idempotency-Key": "batch-2021-08"}
    first = put(api, admin_token, "ca-nghe-an", **key)
    other_unit = put(api, admin_token, "ca-ha-tinh", **key)
    other_period = put(api, admin_token, "ca-nghe-an", "2021-07", **key)
    assert (first.status_code, other_unit.status_code, other_period.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in other_unit.headers and "Idempotent-Replayed" not in other_period.headers
    for unit, period in (("ca-nghe-an", "2021-08"), ("ca-ha-tinh", "2021-08"), ("ca-nghe-an", "2021-07")):
        assert api.get(f"/v1/units/{unit}/reports/{period}", token=admin_token).data["version"] == 1
    replay = put(api, admin_token, "ca-nghe-an", **key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["ETag"] == first.headers["ETag"]
    other_body = put(api, admin_token, "ca-nghe-an", body={"values": {"checkpoints": 1}}, **key)
    assert other_body.status_code == 422 and other_body.data["errors"][0]["field"] == "Idempotency-Key"


def test_a_key_whose_request_died_mid_way_can_be_retried_within_a_minute(api, admin_token, two_units, store, clock):
    import json

    token = two_units["ca-nghe-an"]
    me = api.get("/v1/me", token=token).data
    raw = json.dumps(BODY, ensure_ascii=False).encode()
    # A request that claimed the key and then died (its Lambda timed out): only the claim is left.
    rkey = record_key(f"unit:{me['unit_id']}", "PUT", "/v1/units/ca-nghe-an/reports/2021-08", "k-1")
    assert store.idempotency.claim(rkey, fingerprint(raw), int(clock.now().timestamp()),
                                   IN_PROGRESS_SECONDS, 24 * 3600) is None
    clock.advance(seconds=5)
    busy = put(api, token, **{"Idempotency-Key": "k-1"})
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
    clock.advance(seconds=IN_PROGRESS_SECONDS)
    retried = put(api, token, **{"Idempotency-Key": "k-1"})
    assert retried.status_code == 201
    assert put(api, token, **{"Idempotency-Key": "k-1"}).headers["Idempotent-Replayed"] == "true"


def test_twenty_concurrent_replaces_with_one_etag_store_exactly_one(api, admin_token, two_units):
    import os
    import threading

    token = two_units["ca-nghe-an"]
    etag = put(api, token).headers["ETag"]
    barrier, statuses = threading.Barrier(20), []

    def replace(i: int) -> None:
        barrier.wait()
        statuses.append(put(api, token, body={"values": {"checkpoints": 100 + i}}, **{"If-Match": etag}).status_code)

    real_environ = os.environ  # the Chalice test client swaps it per call, not thread-safely
    threads = [threading.Thread(target=replace, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.environ = real_environ
    assert sorted(statuses) == [200] + [412] * 19
    revisions = api.get("/v1/units/ca-nghe-an/reports/2021-08/revisions", token=token).data["items"]
    assert [r["version"] for r in revisions] == [1, 2]
