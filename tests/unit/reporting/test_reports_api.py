"""Reports through the HTTP API (Chalice test client) against DynamoDB Local."""

from __future__ import annotations

import json
import unicodedata

import pytest

NGHE_AN = {"values": {"tracing_teams": 52, "escort_plans": 30, "citizens_escorted": 15000,
                      "violations_warned": 14560, "violations_penalised": 6969,
                      "violations_detected": 21529},
           "comments": {}, "achievements": "Thành lập 51 tổ truy vết tại 51 đơn vị, địa phương."}


def put(api, token, period="2021-08", body=NGHE_AN, unit="ca-nghe-an", **headers):
    return api.put(f"/v1/units/{unit}/reports/{period}", token=token, body=body, headers=headers)


def test_unit_creates_reads_and_replaces_its_report(api, two_units):
    token = two_units["ca-nghe-an"]
    created = put(api, token)
    assert created.status_code == 201
    assert created.data["version"] == 1
    assert created.data["values"]["citizens_escorted"] == 15000
    etag = created.headers["ETag"]

    read = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token)
    assert read.status_code == 200
    assert read.headers["ETag"] == etag
    assert read.data["values"] == NGHE_AN["values"]

    changed = {**NGHE_AN, "values": {**NGHE_AN["values"], "citizens_escorted": 15200}}
    replaced = put(api, token, body=changed, **{"If-Match": etag})
    assert replaced.status_code == 200
    assert replaced.data["version"] == 2
    assert replaced.headers["ETag"] != etag

    revisions = api.get("/v1/units/ca-nghe-an/reports/2021-08/revisions", token=token)
    assert [r["version"] for r in revisions.data["items"]] == [1, 2]
    assert [r["values"]["citizens_escorted"] for r in revisions.data["items"]] == [15000, 15200]


def test_replace_needs_if_match_and_a_stale_etag_writes_nothing(api, two_units):
    token = two_units["ca-nghe-an"]
    first = put(api, token)
    etag1 = first.headers["ETag"]
    assert put(api, token).status_code == 428
    second = put(api, token, **{"If-Match": etag1})
    assert second.status_code == 200

    stale = put(api, token, body={**NGHE_AN, "achievements": "ghi đè"}, **{"If-Match": etag1})
    assert stale.status_code == 412
    assert stale.headers["Content-Type"].startswith("application/problem+json")
    current = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token)
    assert current.data["version"] == 2
    assert current.data["achievements"] == NGHE_AN["achievements"]
    assert len(api.get("/v1/units/ca-nghe-an/reports/2021-08/revisions", token=token).data["items"]) == 2


def test_list_by_period_range_with_cursor(api, two_units):
    token = two_units["ca-nghe-an"]
    for period in ("2021-05", "2021-06", "2021-07", "2021-08", "2021-Q3"):
        assert put(api, token, period=period).status_code == 201
    first = api.get("/v1/units/ca-nghe-an/reports?from=2021-06&to=2021-08&limit=2", token=token)
    assert [r["period"] for r in first.data["items"]] == ["2021-06", "2021-07"]
    assert first.data["next"]
    second = api.get(f"/v1/units/ca-nghe-an/reports?from=2021-06&to=2021-08&limit=2&cursor={first.data['next']}",
                     token=token)
    assert [r["period"] for r in second.data["items"]] == ["2021-08"]
    assert second.data["next"] is None
    bad = api.get("/v1/units/ca-nghe-an/reports?cursor=bm9wZQ", token=token)
    assert bad.status_code == 422
    assert bad.data["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("method,suffix", [
    ("PUT", "/reports/2021-08"), ("GET", "/reports/2021-08"),
    ("GET", "/reports/2021-08/revisions"), ("GET", "/reports"),
])
def test_a_unit_cannot_touch_another_units_reports(api, two_units, method, suffix):
    put(api, two_units["ca-ha-tinh"], unit="ca-ha-tinh")
    resp = api.call(method, f"/v1/units/ca-ha-tinh{suffix}", token=two_units["ca-nghe-an"],
                    body=NGHE_AN if method == "PUT" else None)
    assert resp.status_code == 403
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    # Even for a unit id that does not exist: 403, not 404, so ids don't leak.
    resp = api.call(method, f"/v1/units/khong-ton-tai{suffix}", token=two_units["ca-nghe-an"],
                    body=NGHE_AN if method == "PUT" else None)
    assert resp.status_code == 403


def test_missing_bad_and_revoked_tokens_get_401(api, admin_token, two_units):
    path = "/v1/units/ca-nghe-an/reports/2021-08"
    assert api.get(path).status_code == 401
    assert api.get(path, token="thd_0123456789abcdef_" + "x" * 43).status_code == 401
    assert api.get(path, token="garbage").status_code == 401
    unit_token = api.post("/v1/units/ca-nghe-an/tokens", token=admin_token, body={"name": "tạm"}).data
    assert api.get("/v1/me", token=unit_token["token"]).status_code == 200
    assert api.delete(f"/v1/tokens/{unit_token['id']}", token=admin_token).status_code == 204
    revoked = api.get("/v1/me", token=unit_token["token"])
    assert revoked.status_code == 401
    assert revoked.headers["Content-Type"].startswith("application/problem+json")
    assert revoked.data["status"] == 401
    # the other token of the unit still works
    assert api.get("/v1/me", token=two_units["ca-nghe-an"]).status_code == 200


def test_unit_tokens_cannot_administer(api, two_units):
    token = two_units["ca-nghe-an"]
    assert api.post("/v1/units", token=token, body={"id": "x-y", "name": "X"}).status_code == 403
    assert api.get("/v1/units", token=token).status_code == 403
    assert api.post("/v1/tokens", token=token, body={"role": "admin", "name": "x"}).status_code == 403


BAD_BODIES = [
    ("malformed json", '{"values": {"checkpoints": 3', "body"),
    ("values not an object", {"values": [1, 2]}, "values"),
    ("string figure", {"values": {"checkpoints": "12"}}, "values.checkpoints"),
    ("negative figure", {"values": {"checkpoints": -1}}, "values.checkpoints"),
    ("fractional figure", {"values": {"citizens_escorted": 1.5}}, "values.citizens_escorted"),
    ("boolean figure", {"values": {"checkpoints": True}}, "values.checkpoints"),
    ("unknown indicator", {"values": {"covid_parties": 3}}, "values.covid_parties"),
    ("penalties above violations", {"values": {"violations_detected": 10, "violations_penalised": 11}},
     "values.violations_penalised"),
    ("fine without penalties", {"values": {"fines_vnd": 5000000}}, "values.fines_vnd"),
    ("achievements too long", {"values": {}, "achievements": "a" * 20001}, "achievements"),
    ("comment on unknown code", {"values": {}, "comments": {"nope": "x"}}, "comments.nope"),
    ("missing values", {"achievements": "x"}, "values"),
]


@pytest.mark.parametrize("name,body,field", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_gets_a_4xx_problem_naming_the_field_and_writes_nothing(api, two_units, name, body, field):
    token = two_units["ca-nghe-an"]
    raw = body if isinstance(body, str) else json.dumps(body)
    resp = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=token, raw=raw)
    assert 400 <= resp.status_code < 500, resp.body
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.data["status"] == resp.status_code
    assert field in [e["field"] for e in resp.data["errors"]]
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token).status_code == 404


def test_a_2mb_body_is_refused_with_413(api, two_units):
    token = two_units["ca-nghe-an"]
    raw = json.dumps({"values": {}, "achievements": "x" * (2 * 1024 * 1024)})
    resp = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=token, raw=raw)
    assert resp.status_code == 413
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token).status_code == 404


@pytest.mark.parametrize("period", ["2021-13", "2021-W54", "2021-Q5", "21-08", "2021-8", "2020-W53x"])
def test_bad_period_is_422(api, two_units, period):
    resp = put(api, two_units["ca-nghe-an"], period=period)
    assert resp.status_code == 422
    assert resp.data["errors"][0]["field"] == "period"


@pytest.mark.parametrize("period", ["2021-08", "2020-W53", "2021-Q3"])
def test_all_period_formats_are_accepted(api, two_units, period):
    assert put(api, two_units["ca-nghe-an"], period=period).status_code == 201


def test_idempotency_key_replays_the_first_response(api, two_units):
    token = two_units["ca-nghe-an"]
    first = put(api, token, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 201
    again = put(api, token, **{"Idempotency-Key": "abc-1"})
    assert again.status_code == 201
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    # only one version was written
    assert len(api.get("/v1/units/ca-nghe-an/reports/2021-08/revisions", token=token).data["items"]) == 1
    other = put(api, token, body={**NGHE_AN, "achievements": "khác"}, **{"Idempotency-Key": "abc-1"})
    assert other.status_code == 422
    assert other.data["errors"][0]["field"] == "Idempotency-Key"


def test_text_is_stored_in_nfc(api, two_units):
    token = two_units["ca-nghe-an"]
    decomposed = unicodedata.normalize("NFD", "Phòng, chống dịch tại Nghệ An")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    resp = put(api, token, body={"values": {}, "achievements": decomposed})
    assert resp.status_code == 201
    stored = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token).data["achievements"]
    assert stored == "Phòng, chống dịch tại Nghệ An"
    assert unicodedata.is_normalized("NFC", stored)


def test_admin_may_submit_for_any_unit(api, admin_token, two_units):
    assert put(api, admin_token, unit="ca-ha-tinh").status_code == 201
