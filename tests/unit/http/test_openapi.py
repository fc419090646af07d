"""The OpenAPI document is generated from the route declarations: it covers every served
route, validates as OpenAPI 3.1, and documents exactly the statuses each route can answer."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

import app as app_module
from chalicelib.http.features import operations
from chalicelib.http.openapi import document


def served_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of every route in the app's own route table."""
    return {(method, path) for path, methods in app_module.app.routes.items() for method in methods}


def test_the_document_is_valid_openapi_3_1(api):
    doc = api.get("/v1/openapi.json").data
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_served_route_is_documented_and_nothing_else():
    doc = document()
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item
                  if method in ("get", "put", "post", "patch", "delete")}
    assert documented == served_routes()


def test_operation_ids_are_unique_and_every_2xx_body_has_a_schema():
    doc = document()
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) == len(served_routes())
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith("2") and status != "204":
                    content = response.get("content")
                    assert content, f"{method.upper()} {path} {status} has no body schema"
                    for media, spec in content.items():
                        assert spec["schema"], (method, path, status, media)


def test_each_operation_documents_exactly_the_statuses_its_declaration_allows():
    doc = document()
    for op in operations():
        documented = {int(s) for s in doc["paths"][op.path][op.method.lower()]["responses"]}
        assert documented == set(op.success) | set(op.failures), op.operation_id


def test_body_routes_document_400_413_415_422_and_conditional_ones_412():
    doc = document()
    for op in operations():
        statuses = set(doc["paths"][op.path][op.method.lower()]["responses"])
        if op.body is not None:
            assert {"400", "413", "415", "422"} <= statuses, op.operation_id
        if op.if_match:
            refs = [p.get("$ref", "") for p in doc["paths"][op.path][op.method.lower()]["parameters"]]
            assert "412" in statuses and any(r.endswith("/IfMatch") or r.endswith("/IfMatchRequired") for r in refs)
        if op.if_match_required:  # a blind write is refused, and the document says so
            assert "428" in statuses and "#/components/parameters/IfMatchRequired" in refs, op.operation_id
        if not op.access.public:
            assert "401" in statuses, op.operation_id


def test_etag_and_location_headers_are_documented_where_replies_carry_them():
    doc = document()
    put = doc["paths"]["/v1/units/{unit_id}/reports/{period}"]["put"]["responses"]
    assert set(put["201"]["headers"]) == {"ETag"} and set(put["200"]["headers"]) == {"ETag"}
    create = doc["paths"]["/v1/conferences"]["post"]["responses"]["201"]
    assert set(create["headers"]) == {"ETag", "Location"}


def test_every_ref_resolves():
    import json

    doc = document()
    for kind, name in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', json.dumps(doc))):
        assert name in doc["components"][kind], (kind, name)


@pytest.mark.parametrize("status", [400, 413, 415, 422])
def test_generic_body_failures_really_happen_on_every_body_route(api, admin_token, store, status):
    """The statuses documented for every body route are ones the route really answers."""
    from helpers import person

    bodies = {400: "{not json", 413: "x" * (300 * 1024), 422: "[]", 415: "{}"}
    _, session = person(store, "admin")  # a person's own routes (their factors) take no machine token
    for op in operations():
        if op.body is None:
            continue
        path = op.path.format_map({p: {"period": "2021-08"}.get(p, "ca-nghe-an") for p in op.path_params})
        headers = {"Content-Type": "text/plain"} if status == 415 else {}
        token = session if op.access.person else admin_token
        resp = api.call(op.method, path, token=token, raw=bodies[status], headers=headers)
        assert resp.status_code == status, (op.operation_id, resp.status_code, resp.body)
        assert resp.headers["Content-Type"].startswith("application/problem+json"), op.operation_id


def test_links_name_operations_that_exist_and_parameters_they_take():
    doc = document()
    by_id = {op["operationId"]: (path, op) for path, item in doc["paths"].items() for op in item.values()}
    linked = 0
    for path, item in doc["paths"].items():
        for op in item.values():
            for response in op["responses"].values():
                for name, link in response.get("links", {}).items():
                    target_path, target = by_id[link["operationId"]]
                    names = {p["name"] for p in target.get("parameters", []) if "name" in p}
                    assert set(link["parameters"]) <= names, (name, link, names)
                    linked += 1
    assert linked >= 20


def test_non_json_bodies_are_bytes_but_a_json_suffix_is_json():
    """The portal's page and scripts are bytes to a client; its web app manifest is JSON (+json)."""
    paths = document()["paths"]
    assert paths["/"]["get"]["responses"]["200"]["content"] == {
        "text/html": {"schema": {"type": "string", "format": "binary"}}}
    assert paths["/manifest.webmanifest"]["get"]["responses"]["200"]["content"] == {
        "application/manifest+json": {"schema": {"type": "object"}}}
