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


def test_awards_over_real_http(stack):
    """Issue 8's HTTP checks against `chalice local` and DynamoDB Local: nominate, rank (the same on
    every call), quota cut, unit isolation, 412 on a stale decision, 422 on a reject without a note,
    423 after finalise."""
    out = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--stage", "test", "admin-token"],
                         cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True)
    admin = Http(stack.api_url, out.stdout.strip())
    tokens = {}
    for unit_id, name in (("ca-vinh-long", "Công an tỉnh Vĩnh Long"), ("ca-ben-tre", "Công an tỉnh Bến Tre"),
                          ("ca-tra-vinh", "Công an tỉnh Trà Vinh")):
        assert admin.call("POST", "/v1/units", {"id": unit_id, "name": name, "kind": "province"})[0] == 201
        tokens[unit_id] = Http(stack.api_url, admin.call("POST", f"/v1/units/{unit_id}/tokens", {})[2]["token"])
    admin.call("PUT", "/v1/periods/2021-07", {"deadline": "2099-12-31T23:59:59+07:00"})
    for unit_id, traced in (("ca-vinh-long", 900), ("ca-ben-tre", 3000), ("ca-tra-vinh", 100)):
        assert tokens[unit_id].call("PUT", f"/v1/units/{unit_id}/reports/2021-07",
                                    {"values": {"officers_mobilised": 1000, "people_traced": traced}})[0] == 201
    status, _, conference = admin.call("POST", "/v1/conferences", {
        "title": "Hội nghị sơ kết", "date": "2021-07-31", "periods": ["2021-07"], "quotas": {"giay-khen": 2},
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    assert status == 201
    cid, ids = conference["id"], {}
    for unit_id, client in tokens.items():
        status, headers, n = client.call("POST", f"/v1/units/{unit_id}/nominations", {
            "conference_id": cid, "kind": "collective", "name": f"Đội truy vết {unit_id}", "award_form": "giay-khen",
            "achievements": "Truy vết kịp thời các trường hợp tiếp xúc."})
        assert status == 201 and headers["ETag"], n
        ids[unit_id] = n["id"]
    status, _, shortlist = admin.call("GET", f"/v1/conferences/{cid}/shortlist")
    assert [r["nomination"]["unit_id"] for r in shortlist["items"]] == ["ca-ben-tre", "ca-vinh-long", "ca-tra-vinh"]
    assert [r["within_quota"] for r in shortlist["items"]] == [True, True, False]
    assert all(admin.call("GET", f"/v1/conferences/{cid}/shortlist")[2] == shortlist for _ in range(3))

    intruder = tokens["ca-tra-vinh"]
    assert intruder.call("GET", "/v1/units/ca-ben-tre/nominations")[0] == 403
    assert intruder.call("GET", f"/v1/nominations/{ids['ca-ben-tre']}")[0] == 403
    assert intruder.call("POST", f"/v1/nominations/{ids['ca-ben-tre']}/decision", {"decision": "approve"},
                         {"If-Match": "x"})[0] == 403

    _, read_headers, _ = admin.call("GET", f"/v1/nominations/{ids['ca-ben-tre']}")
    etag = read_headers["ETag"]
    assert admin.call("POST", f"/v1/nominations/{ids['ca-ben-tre']}/decision", {"decision": "reject"},
                      {"If-Match": etag})[0] == 422
    assert admin.call("POST", f"/v1/nominations/{ids['ca-ben-tre']}/decision", {"decision": "approve"},
                      {"If-Match": etag})[0] == 200
    assert admin.call("POST", f"/v1/nominations/{ids['ca-ben-tre']}/decision", {"decision": "hold"},
                      {"If-Match": etag})[0] == 412
    assert admin.call("POST", f"/v1/conferences/{cid}/finalise")[0] == 428  # never a blind finalise
    conference_etag = admin.call("GET", f"/v1/conferences/{cid}")[1]["ETag"]
    assert admin.call("POST", f"/v1/conferences/{cid}/finalise", None, {"If-Match": conference_etag})[0] == 200
    vinh_long_etag = tokens["ca-vinh-long"].call("GET", f"/v1/nominations/{ids['ca-vinh-long']}")[1]["ETag"]
    status, _, problem = tokens["ca-vinh-long"].call("PATCH", f"/v1/nominations/{ids['ca-vinh-long']}",
                                                    {"achievements": "Bổ sung."}, {"If-Match": vinh_long_etag})
    assert status == 423 and problem["reason"] == "finalised"


def test_unknown_paths_answer_404_problem_json(stack):
    for token in (None, "thd_0000000000000000_" + "A" * 43):
        status, headers, body = Http(stack.api_url, token).call("GET", "/v1/khong-co")
        assert status == 404 and headers["Content-Type"] == "application/problem+json", (status, body)
        assert body["status"] == 404 and body["detail"]


def test_the_workbook_round_trip_over_real_http(stack):
    """The template downloaded and a filled one uploaded as raw bytes through `chalice local` (binary
    bodies both ways, as API Gateway carries them), then each report submitted with its ETag."""
    import urllib.request

    from chalicelib.reporting.workbook import XLSX
    from devtools.workbooks import sub_units_filled

    out = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--stage", "test", "admin-token"],
                         cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True)
    token = out.stdout.strip()
    admin = Http(stack.api_url, token)
    admin.call("POST", "/v1/units", {"id": "ca-ha-noi", "name": "Công an thành phố Hà Nội", "kind": "province"})
    for unit_id, name in (("pc-08", "Phòng Cảnh sát giao thông"), ("pc-02", "Phòng An ninh"),
                          ("ca-ba-dinh", "Công an quận Ba Đình")):
        status, _, _ = admin.call("POST", "/v1/units", {"id": unit_id, "name": name, "parent_id": "ca-ha-noi"})
        assert status == 201
    admin.call("PUT", "/v1/periods/2021-08", {"deadline": "2099-12-31T23:59:59+07:00"})

    def raw(method: str, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Authorization": f"Bearer {token}", "Accept": XLSX if data is None else "application/json"}
        if data is not None:
            headers["Content-Type"] = XLSX
        req = urllib.request.Request(f"{stack.api_url}/v1/units/ca-ha-noi/reports/2021-08/workbook", data=data,
                                     method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    status, headers, template = raw("GET")
    assert status == 200 and headers["Content-Type"] == XLSX and template[:4] == b"PK\x03\x04"
    import json

    status, _, bad = raw("POST", sub_units_filled(template, bad_cell=True))
    assert status == 200, bad
    errors = json.loads(bad)["errors"]
    assert len(errors) == 1 and errors[0]["field"] == "values.checkpoints"
    status, _, good = raw("POST", sub_units_filled(template))
    reports = json.loads(good)["reports"]
    assert status == 200 and len(reports) == 3 and all(r["valid"] and r["etag"] is None for r in reports)
    for report in reports:
        status, _, body = admin.call("PUT", f"/v1/units/{report['unit_id']}/reports/2021-08",
                                     {k: report[k] for k in ("values", "comments", "achievements")},
                                     {"Idempotency-Key": f"import-{report['unit_id']}"})
        assert status == 201, body
    status, _, not_xlsx = raw("POST", b"just text")
    assert status == 422 and "không phải tệp Excel" in json.loads(not_xlsx)["errors"][0]["message"]
