"""End to end over real HTTP: `chalice local` in front of DynamoDB Local."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from devtools.stack import ROOT, Http, running_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack():
    with running_stack() as s:
        yield s


def test_admin_token_cli_unit_token_put_and_read_back(stack):
    out = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--stage", "test", "admin-token"],
                         cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True)
    admin = Http(stack.api_url, out.stdout.strip())
    status, _, me = admin.call("GET", "/v1/me")
    assert status == 200 and me["role"] == "admin"
    status, _, _ = admin.call("POST", "/v1/units", {"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An",
                                                    "kind": "province"})
    assert status == 201
    status, _, tok = admin.call("POST", "/v1/units/ca-nghe-an/tokens", {})
    assert status == 201
    status, _, _ = admin.call("PUT", "/v1/periods/2021-08", {"deadline": "2099-12-31T23:59:59+07:00"})
    assert status == 200
    unit = Http(stack.api_url, tok["token"])
    status, headers, body = unit.call("PUT", "/v1/units/ca-nghe-an/reports/2021-08",
                                      {"values": {"citizens_escorted": 15000}})
    assert status == 201 and headers["ETag"]
    status, read_headers, read = unit.call("GET", "/v1/units/ca-nghe-an/reports/2021-08")
    assert status == 200 and read["values"]["citizens_escorted"] == 15000
    assert read_headers["ETag"] == headers["ETag"]

    # 50 concurrent replaces carrying the same ETag: exactly one wins.
    etag = headers["ETag"]

    def replace(i: int) -> int:
        return unit.call("PUT", "/v1/units/ca-nghe-an/reports/2021-08",
                         {"values": {"citizens_escorted": 15000 + i}}, {"If-Match": etag})[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(replace, range(50)))
    assert statuses.count(200) == 1, statuses
    assert statuses.count(412) == 49, statuses
    status, _, revisions = unit.call("GET", "/v1/units/ca-nghe-an/reports/2021-08/revisions")
    assert [r["version"] for r in revisions["items"]] == [1, 2]

    # revoked → 401 over real HTTP too
    status, _, _ = admin.call("DELETE", f"/v1/tokens/{tok['id']}")
    assert status == 204
    status, headers, problem = unit.call("GET", "/v1/units/ca-nghe-an/reports/2021-08")
    assert status == 401 and headers["Content-Type"].startswith("application/problem+json")
