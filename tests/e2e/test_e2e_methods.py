"""Raw HTTP methods against a real `chalice local` (what `make serve` runs): a method no route
declares is answered as every other error, never by Python's http.server (501, HTML).

A known path: 405 problem+json whose `Allow` lists the path's declared methods (those of the
OpenAPI document), the same answer as an undeclared standard method (DELETE /v1/health).
An unknown path: the 404 problem+json of any unknown path."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from devtools.stack import running_stack

pytestmark = pytest.mark.slow

TOKEN = "thd_0000000000000000_" + "A" * 43  # well formed, unknown


@pytest.fixture(scope="module")
def stack():
    with running_stack() as s:
        yield s


@pytest.fixture(scope="module")
def declared(stack) -> dict[str, set[str]]:
    """Path template -> its declared methods, from the API's own OpenAPI document."""
    status, _, body = send(stack, "GET", "/v1/openapi.json")
    assert status == 200
    return {path: {m.upper() for m in ops if m.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}}
            for path, ops in body["paths"].items()}


def send(stack, method: str, path: str, headers: dict[str, str] | None = None,
         conn: http.client.HTTPConnection | None = None) -> tuple[int, http.client.HTTPMessage, dict]:
    url = urlsplit(stack.api_url)
    own = conn is None
    conn = conn or http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        raw = resp.read()
        media_type = (resp.getheader("Content-Type") or "").split(";")[0]
        assert media_type in ("application/problem+json", "application/json"), (
            method, path, resp.status, resp.getheader("Content-Type"), raw[:200])
        return resp.status, resp.headers, json.loads(raw)
    finally:
        if own:
            conn.close()


def allowed(headers: http.client.HTTPMessage) -> set[str]:
    return {m.strip() for m in (headers.get("Allow") or "").split(",") if m.strip()}


def assert_405(status: int, headers: http.client.HTTPMessage, body: dict, method: str, methods: set[str]) -> None:
    assert status == 405, (method, status, body)
    assert headers["Content-Type"] == "application/problem+json"
    assert allowed(headers) == methods, headers.get("Allow")
    assert body["type"] == "about:blank" and body["status"] == 405 and body["title"] == "Method Not Allowed"
    assert method in body["detail"] and "không" in body["detail"], body  # Vietnamese, names the method


@pytest.mark.parametrize(("method", "path", "template"), [
    ("TRACE", "/v1/health", "/v1/health"),
    ("FOO", "/v1/units", "/v1/units"),
    ("TRACE", "/v1/units/ca-nghe-an/reports/2021-08", "/v1/units/{unit_id}/reports/{period}"),
    ("PROPFIND", "/v1/conferences", "/v1/conferences"),
    ("DELETE", "/v1/health", "/v1/health"),  # undeclared but standard: the answer the others must match
])
def test_defect_13_an_undeclared_method_on_a_known_path_is_405_problem_json_with_allow(stack, declared, method,
                                                                                      path, template):
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        status, got_headers, body = send(stack, method, path, headers)
        assert_405(status, got_headers, body, method, declared[template])
        assert TOKEN not in json.dumps(body)  # TRACE echoes nothing back (no cross-site tracing)


@pytest.mark.parametrize("method", ["TRACE", "FOO", "GET", "DELETE"])
def test_defect_13_any_method_on_an_unknown_path_is_the_404_problem_json(stack, method):
    _, _, expected = send(stack, "GET", "/v1/khong-co")
    for path in ("/v1/khong-co", "/khong-co/gi/ca"):
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
            status, got_headers, body = send(stack, method, path, headers)
            assert status == 404 and got_headers["Content-Type"] == "application/problem+json", (method, path, body)
            assert body == expected and body["status"] == 404 and body["detail"]


def test_defect_13_the_connection_stays_usable_after_an_undeclared_method(stack, declared):
    url = urlsplit(stack.api_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        assert_405(*send(stack, "TRACE", "/v1/health", conn=conn), "TRACE", declared["/v1/health"])
        status, _, body = send(stack, "GET", "/v1/health", conn=conn)  # same connection: framing intact
        assert status == 200 and body
    finally:
        conn.close()
