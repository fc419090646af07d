"""GET /v1/conferences/{id}/deliveries over the in-memory store: who received which document
version and when, read from the compile's own exactly-once delivery records (a stand-in renderer
and mailbox; the real ones are in tests/integration)."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from chalicelib.core.clock import iso
from helpers import Mailbox, issue, issue_summary, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(hours=2)
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")]
BODY = {"title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "recipients": [{"name": "Đồng chí Thứ trưởng", "email": "thutruong@bca.vn"}, "vanphong@bca.vn"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}


def render(doc) -> bytes:
    rows = ";".join(f"{r.name}={sorted(r.values.items())}" for r in getattr(doc, "unit_rows", []))
    return f"%PDF-1.7 {doc.number} {rows}".encode()


def compile_(store, cid, now, mailer):
    """Issue 18: only issued documents are mailed: each call issues the summary (replacing the one before)."""
    return issue_summary(store, cid, mailer, render, now)


def recompile(store, cid, now, mailer):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=mailer, render=render)


@pytest.fixture
def cid(api, admin_token, store):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    resp = api.post("/v1/conferences", token=admin_token, body=BODY)
    assert resp.status_code == 201, resp.data
    return resp.data["id"]


def deliveries(api, token, cid, **query):
    path = f"/v1/conferences/{cid}/deliveries" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    resp = api.get(path, token=token)
    assert resp.status_code == 200, resp.data
    return resp.data


def test_nothing_is_delivered_before_the_first_compile(api, admin_token, cid):
    assert deliveries(api, admin_token, cid) == {"items": [], "next": None, "compile_requested_at": None}


def test_each_recipient_of_each_version_with_when_it_was_sent_and_a_failure_as_it_is(api, admin_token, store, cid):
    compile_(store, cid, NOW, Mailbox(fail_for={"vanphong@bca.vn"}))
    body = deliveries(api, admin_token, cid)
    by_email = {d["email"]: d for d in body["items"]}
    assert set(by_email) == {"thutruong@bca.vn", "vanphong@bca.vn"}
    sent, failed = by_email["thutruong@bca.vn"], by_email["vanphong@bca.vn"]
    assert (sent["kind"], sent["version"], sent["number"]) == ("summary", 2, "01/BC-BCA")  # v1: the draft
    assert sent["recipient"] == "Đồng chí Thứ trưởng <thutruong@bca.vn>"
    assert (sent["state"], sent["sent_at"], sent["attempts"], sent["error"]) == ("sent", iso(NOW), 1, None)
    assert (failed["state"], failed["sent_at"]) == ("failed", None)
    assert "mail server went away" in failed["error"]
    assert "claim" not in sent and "message_id" not in sent  # the pipeline's bookkeeping stays inside

    # The next run reaches the one who was missed; the other is not sent the same version again.
    recompile(store, cid, LATER, Mailbox())
    again = {d["email"]: d for d in deliveries(api, admin_token, cid)["items"]}
    assert again["vanphong@bca.vn"]["state"] == "sent" and again["vanphong@bca.vn"]["attempts"] == 2
    assert again["vanphong@bca.vn"]["sent_at"] == iso(LATER)
    assert again["thutruong@bca.vn"] == sent


def test_pages_follow_the_document_versions(api, admin_token, store, cid):
    compile_(store, cid, NOW, Mailbox())  # draft v1, issued v2
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 16000})
    compile_(store, cid, LATER, Mailbox())  # replaced: draft v3, issued v4
    first = deliveries(api, admin_token, cid, limit=2)
    assert {(d["version"], d["number"]) for d in first["items"]} == {(2, "01/BC-BCA")} and len(first["items"]) == 2
    assert first["next"]
    second = deliveries(api, admin_token, cid, limit=2, cursor=first["next"])
    assert {(d["version"], d["number"]) for d in second["items"]} == {(4, "02/BC-BCA")} and len(second["items"]) == 2
    everything = deliveries(api, admin_token, cid)
    assert len(everything["items"]) == 4 and everything["next"] is None


def test_a_compile_request_waiting_for_its_run_is_shown(api, admin_token, store, cid):
    queued = api.post(f"/v1/conferences/{cid}/compile", token=admin_token)
    assert queued.status_code == 202 and queued.data["status"] == "queued"  # the test stage starts nothing
    assert deliveries(api, admin_token, cid)["compile_requested_at"] == queued.data["requested_at"]


def test_only_the_office_sees_deliveries_and_an_unknown_conference_is_404(api, admin_token, store, cid):
    leader, unit = issue(store, "leader"), issue(store, "unit", unit_id="ca-nghe-an")
    assert api.get(f"/v1/conferences/{cid}/deliveries").status_code == 401
    assert api.get(f"/v1/conferences/{cid}/deliveries", token=leader).status_code == 403
    assert api.get(f"/v1/conferences/{cid}/deliveries", token=unit).status_code == 403
    missing = api.get("/v1/conferences/20990101-nothere/deliveries", token=admin_token)
    assert missing.status_code == 404 and missing.data["detail"]


def test_a_page_holds_at_most_20_versions_so_its_body_stays_far_under_lambdas_6_mb(api, admin_token, store):
    seed_units(store, UNITS)
    body = {**BODY, "recipients": [{"name": f"Đồng chí Lãnh đạo số {i}, Bộ Công an", "email": f"lanhdao{i}@bca.vn"}
                                   for i in range(50)]}  # the most a conference may have
    cid = api.post("/v1/conferences", token=admin_token, body=body).data["id"]
    for n in range(21):  # new figures each time: 21 issued versions (each after its draft), each mailed to all 50
        put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000 + n})
        compile_(store, cid, NOW + dt.timedelta(minutes=5 * n), Mailbox())
    resp = api.get(f"/v1/conferences/{cid}/deliveries?limit=100", token=admin_token)
    assert resp.status_code == 200 and len(resp.body) < 1_000_000, len(resp.body)
    first = resp.data
    # 20 versions a page: 10 drafts (never sent) and 10 issued
    assert len(first["items"]) == 10 * 50 and len({d["version"] for d in first["items"]}) == 10
    pages = [first]
    while pages[-1]["next"]:
        pages.append(deliveries(api, admin_token, cid, limit=100, cursor=pages[-1]["next"]))
    assert sum(len(p["items"]) for p in pages) == 21 * 50
