"""The documents' lifecycle over HTTP (issue 18): list, trình ký (submit), approve, return, replace, DOCX by
Accept, signing requests, verify (by id and of an uploaded copy), and the conference's assessment and signer.
In-memory store; the compile runs in-process with a stand-in renderer, signature and DOCX (the real ones:
tests/integration/test_document_lifecycle.py)."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from helpers import Mailbox, person, put_report, seed_units

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY = {"title": "Hội nghị sơ kết công tác tháng 8", "date": "2021-08-31", "periods": ["2021-08"],
        "recipients": ["Lãnh đạo Bộ <ld@bca.vn>"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")]


def render(doc) -> bytes:
    return f"%PDF-1.7 {doc.heading.number} {doc.title} /v1/documents/{doc.heading.verify_code.replace('-', '')}/verify".encode()


def sign(pdf, stream, number, conf) -> bytes:
    return pdf + b"\n%signed"


def compile_(store, cid, now=None, mailer=None):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now or dt.datetime.now(dt.timezone.utc),
                                       mailer=mailer or Mailbox(), render=render, sign=sign,
                                       docx=lambda doc: b"PK docx " + doc.heading.number.encode())


def outbox(env) -> list:
    folder = Path(env["THIDUA_MAIL"].removeprefix("outbox:"))
    return [BytesParser(policy=email.policy.default).parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


@pytest.fixture
def world(api, admin_token, store, clock):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    created = api.post("/v1/conferences", token=admin_token, body=BODY)
    assert created.status_code == 201, created.data
    cid = created.data["id"]
    compile_(store, cid, clock.now())
    signer_id, signer = person(store, "leader", name="Thượng tướng Lê Văn Minh", email="minh@bca.vn", now=clock.now())
    other_id, other = person(store, "leader", name="Người khác", now=clock.now())
    clerk_id, clerk = person(store, "admin", name="Văn thư Văn phòng", email="vanthu@bca.vn", now=clock.now())
    draft = api.get(f"/v1/conferences/{cid}/documents", token=admin_token).data["items"][0]
    return {"cid": cid, "signer_id": signer_id, "signer": signer, "other": other, "other_id": other_id,
            "clerk": clerk, "draft": draft, "etag": created.headers["ETag"]}


def test_a_draft_is_listed_with_its_stream_stage_issuer_and_no_date_number_docx_or_signature(world):
    d = world["draft"]
    assert (d["kind"], d["stream"], d["stage"], d["version"], d["number"]) == ("summary", "summary", "draft", 1, None)
    assert d["symbol"] == "BC-BCA" and d["issuer"] == {"id": "bo-cong-an", "name": "Bộ Công an"}
    assert d["issued_on"] is None and d["docx_url"] is None and d["signed"] is False and d["current"] is True
    assert d["replaces"] is None and d["replaced_by"] is None and d["submitted_to"] is None
    assert d["document_id"] == d["id"]


def test_submit_sends_one_email_to_the_signer_only_with_the_draft_and_the_link(api, world, env):
    doc = world["draft"]["document_id"]
    resp = api.post(f"/v1/documents/{doc}/submit", token=world["clerk"],
                    body={"signer_account_id": world["signer_id"], "number": None})
    assert resp.status_code == 200, resp.data
    assert resp.data["stage"] == "submitted"
    assert resp.data["submitted_to"] == {"account_id": world["signer_id"], "name": "Thượng tướng Lê Văn Minh"}
    [message] = outbox(env)
    assert [a.addr_spec for a in message["To"].addresses] == ["minh@bca.vn"]
    assert message["Subject"].startswith("Trình ký: Báo cáo tổng hợp kết quả")
    assert message["From"].addresses[0].display_name == "Văn phòng Bộ Công an"
    text = message.get_body(("plain",)).get_content()
    assert f"https://thidua.example.gov.vn/#/van-ban/{doc}" in text and "Văn thư Văn phòng" in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "bao-cao-tong-hop-du-thao-v1.pdf"
    assert attachment.get_content().startswith(b"%PDF-1.7 None")
    mine = api.get("/v1/signing-requests", token=world["signer"])
    assert mine.status_code == 200 and [d["document_id"] for d in mine.data["items"]] == [doc]
    assert mine.data["items"][0]["conference_title"] == BODY["title"]
    assert api.get("/v1/signing-requests", token=world["other"]).data["items"] == []


@pytest.mark.parametrize("body,status,field", [
    ({"signer_account_id": "khongco"}, 422, "signer_account_id"),
    ({"signer_account_id": "SIGNER", "number": 0}, 422, "number"),
    ({"signer_account_id": "SIGNER", "number": "7"}, 422, "number"),
])
def test_submit_refuses_an_unknown_signer_and_a_bad_number(api, world, body, status, field):
    body = {k: (world["signer_id"] if v == "SIGNER" else v) for k, v in body.items()}
    resp = api.post(f"/v1/documents/{world['draft']['document_id']}/submit", token=world["clerk"], body=body)
    assert resp.status_code == status and any(e["field"].startswith(field) for e in resp.data["errors"]), resp.data


def test_submit_refuses_a_disabled_signer_an_unknown_document_a_second_submit_and_a_taken_number(api, world, store):
    disabled, _ = person(store, "leader", name="Đã nghỉ", status="disabled")
    doc = world["draft"]["document_id"]
    assert api.post(f"/v1/documents/{doc}/submit", token=world["clerk"],
                    body={"signer_account_id": disabled}).status_code == 422
    assert api.post("/v1/documents/7K3FQ2MD/submit", token=world["clerk"],
                    body={"signer_account_id": world["signer_id"]}).status_code == 404
    store.documents.issue  # noqa: B018 - the number item is what makes a number taken
    store.table.write(__import__("chalicelib.store.table", fromlist=["Put"]).Put(
        {"PK": "DOCNUMBER#BC-BCA#2021", "SK": "N#000009", "n": 9}))
    taken = api.post(f"/v1/documents/{doc}/submit", token=world["clerk"],
                     body={"signer_account_id": world["signer_id"], "number": 9})
    assert taken.status_code == 409 and "09/BC-BCA" in taken.data["detail"]
    assert api.post(f"/v1/documents/{doc}/submit", token=world["clerk"],
                    body={"signer_account_id": world["signer_id"]}).status_code == 200
    again = api.post(f"/v1/documents/{doc}/submit", token=world["clerk"], body={"signer_account_id": world["signer_id"]})
    assert again.status_code == 409


def test_only_admins_submit_and_replace(api, world):
    doc = world["draft"]["document_id"]
    assert api.post(f"/v1/documents/{doc}/submit", token=world["signer"],
                    body={"signer_account_id": world["signer_id"]}).status_code == 403
    assert api.post(f"/v1/documents/{doc}/replace", token=world["signer"], body={"reason": "x"}).status_code == 403


def test_only_the_named_signer_approves_or_returns_and_the_clerk_gets_the_note(api, world, env):
    doc = world["draft"]["document_id"]
    assert api.post(f"/v1/documents/{doc}/approve", token=world["signer"]).status_code == 409  # not submitted
    assert api.post(f"/v1/documents/{doc}/return", token=world["signer"], body={"note": "x"}).status_code == 409
    api.post(f"/v1/documents/{doc}/submit", token=world["clerk"], body={"signer_account_id": world["signer_id"]})
    assert api.post(f"/v1/documents/{doc}/approve", token=world["other"]).status_code == 403
    assert api.post(f"/v1/documents/{doc}/return", token=world["other"], body={"note": "x"}).status_code == 403
    assert api.post(f"/v1/documents/{doc}/return", token=world["signer"], body={"note": ""}).status_code == 422
    returned = api.post(f"/v1/documents/{doc}/return", token=world["signer"],
                        body={"note": "Đề nghị bổ sung phần đánh giá chung."})
    assert returned.status_code == 200 and returned.data["stage"] == "draft"
    assert returned.data["return_note"] == "Đề nghị bổ sung phần đánh giá chung."
    to_clerk = [m for m in outbox(env) if m["To"].addresses[0].addr_spec == "vanthu@bca.vn"]
    assert len(to_clerk) == 1 and to_clerk[0]["Subject"].startswith("Trả lại: Báo cáo tổng hợp")
    assert "Đề nghị bổ sung phần đánh giá chung." in to_clerk[0].get_body(("plain",)).get_content()
    # submitted again, approved this time: 202, the compile request recorded (the test stage starts nothing)
    api.post(f"/v1/documents/{doc}/submit", token=world["clerk"], body={"signer_account_id": world["signer_id"]})
    approved = api.post(f"/v1/documents/{doc}/approve", token=world["signer"])
    assert approved.status_code == 202 and approved.data["stage"] == "approved"
    assert api.post(f"/v1/documents/{doc}/approve", token=world["signer"]).status_code == 409


def _issued(api, world, store, clock):
    doc = world["draft"]["document_id"]
    api.post(f"/v1/documents/{doc}/submit", token=world["clerk"], body={"signer_account_id": world["signer_id"]})
    assert api.post(f"/v1/documents/{doc}/approve", token=world["signer"]).status_code == 202
    mailbox = Mailbox()
    compile_(store, world["cid"], clock.now(), mailer=mailbox)
    items = api.get(f"/v1/conferences/{world['cid']}/documents", token=world["clerk"]).data["items"]
    return next(d for d in items if d["stage"] == "issued"), mailbox


def test_an_issued_document_lists_its_number_date_docx_and_signature_and_downloads_as_pdf_or_docx(
        api, world, store, clock):
    issued, mailbox = _issued(api, world, store, clock)
    assert (issued["number"], issued["issued_on"], issued["signed"], issued["current"]) == (
        "01/BC-BCA", "2021-08-20", True, True)
    assert issued["docx_url"] == issued["url"]
    doc = issued["document_id"]
    pdf = api.get(f"/v1/documents/{doc}/file", token=world["clerk"], headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.body.endswith(b"%signed")
    docx = api.get(f"/v1/documents/{doc}/file", token=world["clerk"], headers={"Accept": DOCX})
    assert docx.status_code == 200 and docx.body == b"PK docx 01/BC-BCA"
    assert docx.headers["Content-Type"] == DOCX and "bao-cao-tong-hop-so-01-BC-BCA.docx" in docx.headers[
        "Content-Disposition"]
    assert api.get(f"/v1/documents/{doc}/file", token=world["clerk"],
                   headers={"Accept": "text/html"}).status_code == 406
    draft = world["draft"]["document_id"]
    assert api.get(f"/v1/documents/{draft}/file", token=world["clerk"], headers={"Accept": DOCX}).status_code == 404
    # leadership got the issued document, and only that
    assert [m["To"].addresses[0].addr_spec for m in mailbox.sent] == ["ld@bca.vn"]
    assert mailbox.sent[0]["Subject"].startswith("Báo cáo số 01/BC-BCA: ")


def test_replace_reopens_only_an_issued_document_once(api, world, store, clock):
    assert api.post(f"/v1/documents/{world['draft']['document_id']}/replace", token=world["clerk"],
                    body={"reason": "Sai số liệu."}).status_code == 409
    issued, _ = _issued(api, world, store, clock)
    doc = issued["document_id"]
    resp = api.post(f"/v1/documents/{doc}/replace", token=world["clerk"], body={"reason": "Sai số liệu."})
    assert resp.status_code == 201 and resp.data["stage"] == "issued"
    assert api.post(f"/v1/documents/{doc}/replace", token=world["clerk"], body={"reason": "x"}).status_code == 409
    assert store.documents.stream(world["cid"], "summary")["stage"] == "draft"
    compile_(store, world["cid"], clock.now())
    items = api.get(f"/v1/conferences/{world['cid']}/documents", token=world["clerk"]).data["items"]
    newest = items[-1]
    assert newest["stage"] == "draft" and newest["replaces"] == {"document_id": doc, "number": "01/BC-BCA"}
    assert newest["current"] and not next(d for d in items if d["document_id"] == doc)["current"]


def test_verify_reports_stage_and_an_uploaded_copy_that_differs_is_broken(api, world, store, clock):
    issued, _ = _issued(api, world, store, clock)
    doc = issued["document_id"]
    checked = api.get(f"/v1/documents/{doc}/verify").data
    assert (checked["stage"], checked["number"], checked["date"], checked["replaced_by"]) == (
        "issued", "01/BC-BCA", "2021-08-20", None)
    pdf = api.get(f"/v1/documents/{doc}/file", token=world["clerk"], headers={"Accept": "application/pdf"}).body
    same = api.post("/v1/documents/verify", raw=pdf, headers={"Content-Type": "application/pdf"})
    assert same.status_code == 200 and same.data["matches"] is True and same.data["id"] == doc
    altered = api.post("/v1/documents/verify", raw=pdf.replace(b"01/BC-BCA", b"09/BC-BCA"),
                       headers={"Content-Type": "application/pdf"})
    assert altered.status_code == 200 and altered.data["matches"] is False
    assert altered.data["signature"]["intact"] is False and altered.data["signature"]["valid"] is False
    unknown = api.post("/v1/documents/verify", raw=b"%PDF-1.7 nothing", headers={"Content-Type": "application/pdf"})
    assert unknown.status_code == 404
    assert api.post("/v1/documents/verify", raw=b"{}", headers={"Content-Type": "application/json"}).status_code == 415


def test_the_conference_takes_the_assessment_and_refuses_a_signer_who_does_not_sign_for_the_ministry(api, world):
    cid, clerk = world["cid"], world["clerk"]
    assessment = {"overall": "Hoàn thành xuất sắc nhiệm vụ.", "shortcomings": "Một số đơn vị báo cáo chậm.",
                  "causes": "", "directions": "Tiếp tục đẩy mạnh.", "recommendations": ""}
    resp = api.patch(f"/v1/conferences/{cid}", token=clerk, body={"assessment": assessment})
    assert resp.status_code == 200 and resp.data["assessment"] == assessment
    assert api.get(f"/v1/conferences/{cid}", token=clerk).data["assessment"] == assessment
    too_long = api.patch(f"/v1/conferences/{cid}", token=clerk, body={"assessment": {"overall": "x" * 20001}})
    assert too_long.status_code == 422
    wrong = api.patch(f"/v1/conferences/{cid}", token=clerk,
                      body={"signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    assert wrong.status_code == 422 and [e["field"] for e in wrong.data["errors"]] == ["signer.title"]
    right = api.patch(f"/v1/conferences/{cid}", token=clerk,
                      body={"signer": {"title": "BỘ TRƯỞNG", "name": "Đại tướng Tô Lâm"}})
    assert right.status_code == 200


def test_a_unit_head_signer_reads_the_draft_submitted_to_them_and_nothing_else(api, world, store, clock):
    unit_head_id, unit_head = person(store, "unit", "ca-nghe-an", name="Đại tá Giám đốc", now=clock.now())
    clerk_unit = __import__("helpers").issue(store, "unit", unit_id="ca-nghe-an")
    doc = world["draft"]["document_id"]
    pdf = {"Accept": "application/pdf"}
    assert api.get(f"/v1/documents/{doc}/file", token=unit_head, headers=pdf).status_code == 403
    api.post(f"/v1/documents/{doc}/submit", token=world["clerk"], body={"signer_account_id": unit_head_id})
    assert api.get(f"/v1/documents/{doc}/file", token=unit_head, headers=pdf).status_code == 200
    assert api.get(f"/v1/documents/{doc}/file", token=clerk_unit, headers=pdf).status_code == 403
    assert [d["document_id"] for d in api.get("/v1/signing-requests", token=unit_head).data["items"]] == [doc]
    assert api.post(f"/v1/documents/{doc}/approve", token=unit_head).status_code == 202


def test_issue_20_files_from_a_local_folder_come_inline_whatever_their_size(api, world, store, clock, monkeypatch):
    """The redirect needs an address a browser can open: a local folder has none, so the file comes inline."""
    monkeypatch.setenv("THIDUA_DOWNLOAD_REDIRECT_BYTES", "0")
    issued, _ = _issued(api, world, store, clock)
    pdf = api.get(f"/v1/documents/{issued['document_id']}/file", token=world["clerk"], headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.body.endswith(b"%signed")


def test_issue_20_the_redirect_rule_looks_at_the_files_own_size():
    from chalicelib.conferences.service import document_redirect
    from chalicelib.delivery.artifacts import S3Artifacts

    class Client:
        def generate_presigned_url(self, op, Params, ExpiresIn):
            return f"https://b.s3.example/{Params['Key']}?e={ExpiresIn}&t={Params['ResponseContentType']}"

    s3 = S3Artifacts("b", client=Client())
    record = {"artifact_key": "c/v1/x.pdf", "size": 2_000_000, "docx_key": "c/v1/x.docx", "docx_size": 30_000}
    args = {"name": "x", "threshold": 1_000_000, "seconds": 300}
    assert document_redirect(s3, record, docx=False, content_type="application/pdf", **args) == \
        "https://b.s3.example/c/v1/x.pdf?e=300&t=application/pdf"
    assert document_redirect(s3, record, docx=True, content_type=DOCX, **args) is None  # the small DOCX: inline
    assert document_redirect(s3, {"artifact_key": "k"}, docx=False, content_type="application/pdf", **args) is None
