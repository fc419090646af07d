"""Units, tokens, the catalog and the OpenAPI document through the HTTP API."""

from __future__ import annotations


def test_health_and_openapi_need_no_token(api):
    assert api.get("/v1/health").data == {"status": "ok"}
    doc = api.get("/v1/openapi.json").data
    assert doc["openapi"].startswith("3.1")
    report = doc["components"]["schemas"]["IndicatorValues"]
    assert report["properties"]["citizens_escorted"]["anyOf"][0]["minimum"] == 0
    assert "/v1/units/{unit_id}/reports/{period}" in doc["paths"]
    for path in ("/v1/conferences", "/v1/conferences/{conference_id}/compile", "/v1/documents/{document_id}/verify",
                 "/v1/periods/{period}/completeness", "/v1/units/{unit_id}/reports/{period}/review"):
        assert path in doc["paths"], path
    assert {"ConferenceIn", "ReviewIn", "ExceptionIn"} <= set(doc["components"]["schemas"])
    # every $ref points at something that exists
    import json
    import re
    for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', json.dumps(doc))):
        assert ref[1] in doc["components"][ref[0]], ref


def test_indicator_catalog_has_the_core_codes_with_vietnamese_labels(api, admin_token):
    data = api.get("/v1/indicators", token=admin_token).data
    codes = {i["code"]: i for i in data["indicators"]}
    for code in ("officers_mobilised", "checkpoints", "tracing_teams", "people_traced", "escort_plans",
                 "citizens_escorted", "violations_detected", "violations_warned", "violations_penalised",
                 "fines_vnd", "illegal_entry_cases", "vaccination_support", "patients_treated", "news_items"):
        assert code in codes
    assert codes["citizens_escorted"]["label"] == "Công dân được đón, dẫn qua địa bàn"
    assert any(r["field"] == "violations_penalised" and r["other"] == "violations_detected" for r in data["rules"])


def test_units_form_a_tree_and_ids_are_unique(api, admin_token):
    ministry = {"id": "bo-cong-an", "name": "Bộ Công an", "kind": "ministry"}
    assert api.post("/v1/units", token=admin_token, body=ministry).status_code == 201
    dup = api.post("/v1/units", token=admin_token, body=ministry)
    assert dup.status_code == 409
    assert dup.headers["Content-Type"].startswith("application/problem+json")
    orphan = api.post("/v1/units", token=admin_token,
                      body={"id": "ca-x", "name": "X", "parent_id": "khong-co", "kind": "province"})
    assert orphan.status_code == 422 and orphan.data["errors"][0]["field"] == "parent_id"
    child = {"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An", "parent_id": "bo-cong-an",
             "kind": "province", "emails": ["vanphong@congan.nghean.gov.vn"]}
    created = api.post("/v1/units", token=admin_token, body=child)
    assert created.status_code == 201 and created.data["parent_id"] == "bo-cong-an"
    cycle = api.patch("/v1/units/bo-cong-an", token=admin_token, body={"parent_id": "ca-nghe-an"})
    assert cycle.status_code == 422
    renamed = api.patch("/v1/units/ca-nghe-an", token=admin_token, body={"emails": ["a@b.vn"]})
    assert renamed.status_code == 200 and renamed.data["emails"] == ["a@b.vn"]
    assert api.get("/v1/units/ca-nghe-an", token=admin_token).data["emails"] == ["a@b.vn"]
    listed = api.get("/v1/units?limit=1", token=admin_token).data
    assert len(listed["items"]) == 1 and listed["next"]
    rest = api.get(f"/v1/units?cursor={listed['next']}", token=admin_token).data
    assert {u["id"] for u in listed["items"] + rest["items"]} == {"bo-cong-an", "ca-nghe-an"}
    assert api.get("/v1/units/khong-co", token=admin_token).status_code == 404


def test_bad_unit_bodies(api, admin_token):
    resp = api.post("/v1/units", token=admin_token, body={"id": "Bad Id!", "name": "", "kind": "planet",
                                                         "emails": ["not-an-email"]})
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.data["errors"]}
    assert {"id", "name", "kind", "emails.0"} <= fields


def test_staff_tokens_and_me(api, admin_token):
    resp = api.post("/v1/tokens", token=admin_token, body={"role": "leader", "name": "Lãnh đạo Bộ"})
    assert resp.status_code == 201
    assert set(resp.data) >= {"id", "token", "role", "unit_id"}
    me = api.get("/v1/me", token=resp.data["token"]).data
    assert me["role"] == "leader" and me["unit_id"] is None
    assert api.post("/v1/units", token=resp.data["token"], body={"id": "a-b", "name": "x"}).status_code == 403
    assert api.delete("/v1/tokens/0000000000000000", token=admin_token).status_code == 404


def test_chalice_errors_are_problem_json(api, admin_token):
    resp = api.call("DELETE", "/v1/health")
    assert resp.status_code == 405
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    resp = api.put("/v1/units/a-b/reports/2021-08", token=admin_token, raw="x",
                   headers={"Content-Type": "text/plain"})
    assert resp.status_code == 415
    assert resp.headers["Content-Type"].startswith("application/problem+json")
