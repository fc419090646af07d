"""Input and text that used to reach a 500 or a broken document: each refused at the boundary."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest


REPORT = {"values": {"checkpoints": 40}}


@pytest.mark.parametrize("depth", [1_000, 5_000])
def test_deeply_nested_json_is_a_422_not_a_500(api, admin_token, two_units, depth):
    for path, method in (("/v1/units/ca-nghe-an/reports/2021-08", "PUT"), ("/v1/units", "POST")):
        resp = api.call(method, path, token=admin_token, raw="[" * depth + "]" * depth)
        assert resp.status_code == 422 and "lồng nhau" in resp.data["detail"], (path, resp.body[:200])
        resp = api.call(method, path, token=admin_token, raw='{"a":' * depth + "1" + "}" * depth)
        assert resp.status_code == 422


def test_names_with_other_scripts_digits_keep_the_board_working(api, admin_token):
    for unit_id, name in (("ca-a", "Công an tỉnh A²"), ("ca-b", "Công an tỉnh ٣"), ("ca-c", "Đội 12")):
        assert api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name}).status_code == 201
    board = api.get("/v1/periods/2021-08/completeness", token=admin_token)
    assert board.status_code == 200 and len(board.data["rows"]) == 3
    for limit in ("²", "٣", "1e2", "-1", "0", "101"):
        assert api.get(f"/v1/units?limit={limit}", token=admin_token).status_code == 422, limit


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59:59+07:00", "0001-01-01T00:00:00+07:00",
                                      "2021-13-01T00:00:00", "ngày mai"])
def test_absurd_deadlines_are_refused_and_the_period_keeps_working(api, admin_token, two_units, deadline):
    resp = api.put("/v1/periods/2021-08", token=admin_token, body={"deadline": deadline})
    assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "deadline"
    assert api.put("/v1/units/ca-nghe-an/reports/2021-08", token=two_units["ca-nghe-an"], body=REPORT).status_code == 201


@pytest.mark.parametrize("field,value", [
    ("title", "Hội nghị sơ kết\nBcc: ai@ngoai.vn"), ("title", "Hội nghị\x00"), ("place", "Hà\u202eNội"),
    ("title", "\u200b\u200b"), ("recipients", ["Lãnh đạo <ld@bca.vn>\r\nBcc: x@y.vn"]), ("recipients", ["ld\x00@bca.vn"]),
    ("distribution", ["Lưu: VT\u2028VP"]), ("number_prefix", "BC\nBCA"),
])
def test_conference_fields_refuse_control_characters_and_line_breaks(api, admin_token, field, value):
    body = {"title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
            "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}, field: value}
    resp = api.post("/v1/conferences", token=admin_token, body=body)
    assert resp.status_code == 422 and resp.data["errors"][0]["field"].startswith(field), resp.body
    assert api.get("/v1/conferences", token=admin_token).data["items"] == []


@pytest.mark.parametrize("name", ["Công an\ttỉnh", "Công an \u202eAN ỆHGN", "\u200b", "Công an\x07", "Đội\u2029 1"])
def test_unit_and_nominee_names_refuse_hidden_characters(api, admin_token, name):
    resp = api.post("/v1/units", token=admin_token, body={"id": "ca-x", "name": name})
    assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "name"
    assert api.post("/v1/units", token=admin_token,
                    body={"id": "ca-x", "name": "Công an", "emails": ["a\x00@b.vn"]}).status_code == 422


def test_prose_keeps_its_line_breaks_but_not_hidden_characters(api, two_units):
    token = two_units["ca-nghe-an"]
    ok = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=token,
                 body={**REPORT, "achievements": "Dòng một.\r\nDòng hai.\tHết."})
    assert ok.status_code == 201 and ok.data["achievements"] == "Dòng một.\nDòng hai.\tHết."
    bad = api.put("/v1/units/ca-nghe-an/reports/2021-07", token=token,
                  body={**REPORT, "achievements": "Thành tích \u202edảo ngược"})
    assert bad.status_code == 422 and bad.data["errors"][0]["field"] == "achievements"


def test_future_periods_and_empty_reports_are_refused(api, two_units):
    token = two_units["ca-nghe-an"]
    far = api.put("/v1/units/ca-nghe-an/reports/2099-12", token=token, body=REPORT)
    assert far.status_code == 422 and far.data["errors"][0]["field"] == "period"
    empty = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=token, body={"values": {}})
    assert empty.status_code == 422 and empty.data["errors"][0]["field"] == "values"
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token).status_code == 404


def test_a_cursor_from_another_listing_or_filter_is_a_422(api, admin_token, two_units):
    token = two_units["ca-nghe-an"]
    for period in ("2021-05", "2021-06", "2021-07"):
        assert api.put(f"/v1/units/ca-nghe-an/reports/{period}", token=token, body=REPORT).status_code == 201
    page = api.get("/v1/units/ca-nghe-an/reports?limit=1", token=token).data
    assert page["next"]
    for path in (f"/v1/units?cursor={page['next']}", f"/v1/units/ca-ha-tinh/reports?cursor={page['next']}",
                 f"/v1/units/ca-nghe-an/reports?from=2021-07&to=2021-08&cursor={page['next']}",
                 f"/v1/units/ca-nghe-an/reports/2021-05/revisions?cursor={page['next']}",
                 "/v1/units?cursor=%E2%80%AE", "/v1/units?cursor=" + "A" * 5000):
        resp = api.get(path, token=admin_token)
        assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "cursor", (path, resp.body[:200])


def test_tokens_expire_are_listed_without_secrets_and_their_issue_and_revocation_are_audited(api, admin_token, store,
                                                                                            clock):
    assert api.post("/v1/units", token=admin_token, body={"id": "ca-x", "name": "Công an X"}).status_code == 201
    short = api.post("/v1/units/ca-x/tokens", token=admin_token, body={"valid_days": 1}).data
    assert api.get("/v1/me", token=short["token"]).status_code == 200
    clock.advance(days=2)
    expired = api.get("/v1/me", token=short["token"])
    assert expired.status_code == 401 and "hết hạn" in expired.data["detail"]
    listed = api.get("/v1/tokens", token=admin_token)
    assert listed.status_code == 200 and short["id"] in {t["id"] for t in listed.data["items"]}
    assert all("hash" not in t and "token" not in t for t in listed.data["items"])
    assert api.delete(f"/v1/tokens/{short['id']}", token=admin_token).status_code == 204
    actions = [e["action"] for e in store.audit.list(f"token:{short['id']}").items]
    assert actions == ["revoked", "issued"]


def test_a_superseded_document_says_so_and_a_vietnamese_file_name_downloads(api, admin_token, store):
    from chalicelib.conferences import service
    from chalicelib.conferences.models import ConferenceIn
    from chalicelib.core.settings import settings
    from chalicelib.delivery import artifacts_for
    from chalicelib.publishing.pipeline import compile_conference
    from helpers import put_report, seed_units

    now = dt.datetime(2021, 8, 28, tzinfo=dt.timezone.utc)
    seed_units(store, [("ca-nghe-an", "Công an tỉnh Nghệ An", None, "province")])
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    conference = service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Nguyễn Văn A"}}), now)
    # issue 18: compiles make drafts; a newer draft supersedes the older one
    first = compile_conference(store, conference["id"], conf=settings(), now=now, render=lambda doc: b"%PDF-1 v1")
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15100})
    second = compile_conference(store, conference["id"], conf=settings(), now=now, render=lambda doc: b"%PDF-1 v2")
    old = api.get(f"/v1/documents/{first.document['document_id']}/verify").data
    assert old["current"] is False and old["superseded_by"]["version"] == 2 and "thay thế" in old["notice"]
    assert old["stage"] == "draft" and old["date"] is None and old["signature"] is None
    assert api.get(f"/v1/documents/{second.document['document_id']}/verify").data["current"] is True
    resp = api.get(f"/v1/documents/{second.document['document_id']}/file", token=admin_token,
                   headers={"Accept": "application/pdf"})
    assert resp.status_code == 200 and resp.body == b"%PDF-1 v2"
    assert "bao-cao-tong-hop-du-thao-v2.pdf" in resp.headers["Content-Disposition"]
    # an issued Quyết định: its symbol has a Đ
    record = {"conference_id": conference["id"], "kind": "decision@bo-cong-an@bang-khen-bo-truong", "version": 1,
              "document_id": "QD000001", "state": "rendering", "claim": "c", "purpose": "issue"}
    store.documents.claim_version(record)
    artifacts_for(settings()).put("x/qd.pdf", b"%PDF-1 qd", "application/pdf")
    store.documents.store_version(conference["id"], record["kind"], 1, {
        "state": "stored", "stage": "issued", "number": "02/QĐ-BCA", "issued_on": "2021-09-05", "title": "Về việc",
        "artifact_key": "x/qd.pdf", "sha256": "0" * 64, "size": 9}, "c")
    resp = api.get("/v1/documents/QD000001/file", token=admin_token, headers={"Accept": "application/pdf"})
    disposition = resp.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a header value must be
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == (
        "quyet-dinh-khen-thuong-bo-cong-an-bang-khen-bo-truong-so-02-QĐ-BCA.pdf")
