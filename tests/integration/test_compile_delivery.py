"""The scheduled compile on the demo ministry's data, through the lifecycle of issue 18: the
schedule makes an unnumbered draft and mails nobody; the office submits it (trình ký), the signer
approves, the next run issues it (numbered, dated the approval day, signed PAdES by the test CA,
DOCX) and mails it once to each recipient. Real renderer, signer, DOCX and DynamoDB Local.

One module-wide table serves the read-only tests; tests that change data take a fresh one.

Changed for issue 18: the schedule used to number and mail every compile (version 1 "01/BC-BCA"
straight away, a changed report "02/BC-BCA" and a second email): that was the defect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import hashlib
import uuid
from email.parser import BytesParser

import pytest

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.clock import SystemClock
from chalicelib.core.settings import settings
from chalicelib.store import store_for
from devtools import demo_data

from helpers import invoke_concurrently, issue, MM, flat, pdf_pages, pdf_text, positioned_text, put_report, seed_units, vn_today

RECIPIENTS = ["Đồng chí Thứ trưởng <thutruong@bocongan.example.vn>",
              "vanphong@bocongan.example.vn", "Cục Công tác đảng <ctd@bocongan.example.vn>"]


@contextlib.contextmanager
def make_world(ddb, tmp, compiled: bool):
    """Demo units and reports, a conference due in three days; with `compiled`, the schedule has run once."""
    from chalice.test import Client

    import app as app_module

    env = {"THIDUA_DDB_ENDPOINT": ddb.endpoint, "THIDUA_TABLE": f"t{uuid.uuid4().hex[:12]}",
           "THIDUA_STAGE": "test", "THIDUA_ARTIFACTS": str(tmp / "artifacts"),
           "THIDUA_MAIL": f"outbox:{tmp / 'outbox'}", "THIDUA_PUBLIC_URL": "https://thidua.example.gov.vn",
           "AWS_DEFAULT_REGION": "ap-southeast-1", "THIDUA_SIGNING_DIR": str(tmp / "pki")}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        store = store_for(settings())
        store.ensure_table()
        seed_units(store, demo_data.UNITS)
        for period, by_unit in demo_data.REPORTS.items():
            for unit_id, (values, achievements) in by_unit.items():
                put_report(store, unit_id, period, values, achievements)
        conference = service.create_conference(store, None, ConferenceIn.model_validate({
            "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19 của lực lượng Công an nhân dân",
            "date": str(vn_today() + dt.timedelta(days=3)),  # due: within the schedule's window
            "place": "Hà Nội", "periods": ["2021-08"], "recipients": RECIPIENTS,
            "number_prefix": "BC-BCA", "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Nguyễn Văn Sơn"}}),
            SystemClock().now())
        with Client(app_module.app, stage_name="test") as client:
            world = {"store": store, "tmp": tmp, "conference": conference, "client": client, "app": app_module.app}
            if compiled:
                world["first"] = scheduled(world)
                approve(world)
                world["issued_run"] = scheduled(world)
            yield world
        store.delete_table()


@pytest.fixture(scope="module")
def world(ddb, tmp_path_factory):
    """Compiled once; the tests here only read it."""
    with make_world(ddb, tmp_path_factory.mktemp("compile"), compiled=True) as w:
        yield w


@pytest.fixture
def fresh_world(ddb, tmp_path):
    """Not compiled yet; for tests that compile or change data."""
    with make_world(ddb, tmp_path, compiled=False) as w:
        yield w


def scheduled(world):
    """Invoke the real scheduled Lambda handler the way EventBridge does."""
    client = world["client"]
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=["arn:aws:events:ap-southeast-1:123456789012:rule/compile"])
    return client.lambda_.invoke("compile_due_conferences", event).payload


def approve(world) -> None:
    """Trình ký the current draft to a leader, who approves it (the domain steps the routes run)."""
    from chalicelib.core.access import Principal
    from chalicelib.core.states import Role
    from chalicelib.publishing import lifecycle
    from helpers import person

    store, cid = world["store"], world["conference"]["id"]
    now = SystemClock().now()
    signer_id, _ = person(store, "leader", name="Thượng tướng Nguyễn Văn Sơn", email="son@bocongan.example.vn")
    draft = store.documents.stream(cid, "summary")["draft_document_id"]
    lifecycle.submit(store, Principal("adm", Role.ADMIN, None, "Văn thư"), draft, signer_id, None, now)
    lifecycle.approve(store, Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=signer_id), draft, now)


def issued(world) -> dict:
    store = world["store"]
    head = store.documents.stream(world["conference"]["id"], "summary")
    return store.documents.get(head["issued_document_id"])


def outbox(world) -> list[email.message.EmailMessage]:
    folder = world["tmp"] / "outbox"
    return [BytesParser(policy=email.policy.default).parsebytes(p.read_bytes())
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def table_lines(pages) -> list[str]:
    """Text runs joined per baseline, for rows that start with a row number (table rows)."""
    lines = []
    for page in pages:
        by_y: dict[int, list[tuple[float, str]]] = {}
        for x, y, t in positioned_text(page):
            by_y.setdefault(round(y), []).append((x, t))
        lines += [" ".join(t for _, t in sorted(runs)) for runs in by_y.values()]
    return [line for line in lines if line.split()[0].isdigit()]


def stored(world, record: dict, key: str = "artifact_key") -> bytes:
    return (world["tmp"] / "artifacts" / record[key]).read_bytes()


def draft_record(world) -> dict:
    store = world["store"]
    return store.documents.get_version(world["conference"]["id"], "summary", 1)


def test_the_schedule_makes_a_draft_mails_nobody_then_issues_the_approved_one_once(world):
    [first] = world["first"]["compiled"]
    assert first["created"] and first["version"] == 1 and first["number"] is None and first["deliveries"] == {}
    [result] = world["issued_run"]["compiled"]
    [doc] = result["issued"]
    assert (doc["version"], doc["number"], doc["stage"]) == (2, "01/BC-BCA", "issued")
    assert sorted(result["deliveries"].values()) == ["sent"] * 3
    again = scheduled(world)  # EventBridge delivering the same schedule twice
    assert again["compiled"][0]["created"] is False and again["compiled"][0]["issued"] == []
    assert set(again["compiled"][0]["deliveries"].values()) == {"already_sent"}
    assert len(outbox(world)) == 3


def test_twice_concurrently_still_one_email_each(fresh_world):
    world = fresh_world
    scheduled(world)
    assert outbox(world) == []  # a draft goes to nobody
    approve(world)
    event = world["client"].events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                     resources=["arn:aws:events:ap-southeast-1:123456789012:rule/c"])
    results = invoke_concurrently(world["client"], "compile_due_conferences", event)
    issued_by = [r["compiled"][0]["issued"] for r in results]
    assert sorted(len(i) for i in issued_by) == [0, 1], results  # one run issues; the other finds it claimed or done
    scheduled(world)  # whatever the loser left in progress
    assert len(outbox(world)) == 3 and world["store"].documents.last_issued("BC-BCA", vn_today().year) == 1


def test_the_draft_is_marked_and_unnumbered_the_issued_pdf_reads_as_an_official_report(world):
    draft = pdf_text(stored(world, draft_record(world)))
    assert "DỰ THẢO" in draft and "01/BC-BCA" not in draft
    record = issued(world)
    pdf = stored(world, record)
    text = pdf_text(pdf)
    for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                     "BỘ CÔNG AN", "Số: 01/BC-BCA", "Nơi nhận:", "Đồng chí Thứ trưởng",
                     "Thượng tướng Nguyễn Văn Sơn", "Công an tỉnh Nghệ An", "Cục Y tế"]:
        assert expected in text, expected
    # Issue 20 (this test used to find the hospitals too): the summary lists the ministry's direct units, each
    # rolled up; Bệnh viện 19-8 counts in Cục Y tế's row, not in a row, highlight or annex line of its own
    assert "Bệnh viện 19-8" not in text and "cấp dưới" in flat(text)
    assert "DỰ THẢO" not in text and "Ho\u0323" not in text  # precomposed diacritics
    today = vn_today()
    assert f"Hà Nội, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}" in flat(text) or (
        f"ngày {today.day}" in flat(text)), flat(text)[:400]
    assert record["issued_on"] == today.isoformat()
    # issue 18: the ministry issues the report (BC-BCA), so its header is the ministry's alone
    assert "VĂN PHÒNG" not in text
    assert "phục vụ Hội nghị sơ kết công tác phòng, chống dịch COVID-19" in flat(text)
    pages = pdf_pages(pdf)
    rows = [line.split() for line in table_lines(pages) if "Công an tỉnh Nghệ An" in line]
    assert any("15.000" in r for r in rows) and any("6.969" in r for r in rows), rows
    # page numbers: none on page 1, "2" centred in the top margin of page 2
    top = 842 - 20 * MM
    assert [t for _, y, t in positioned_text(pages[0]) if y > top] == []
    assert [t for _, y, t in positioned_text(pages[1]) if y > top] == ["2"]


def test_the_issued_pdf_is_signed_intact_and_trusted_by_the_test_ca_and_its_docx_reads_the_same(world):
    import io

    from docx import Document

    from chalicelib.documents import signing

    record = issued(world)
    pdf = stored(world, record)
    report = signing.verify_signature(settings_for(world), pdf)
    assert report.signed and report.intact and report.trusted and report.valid, report
    assert report.signer == "Thượng tướng Nguyễn Văn Sơn"
    document = Document(io.BytesIO(stored(world, record, "docx_key")))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "01/BC-BCA" in text and "Thượng tướng Nguyễn Văn Sơn" in text


def settings_for(world):
    import os

    env = {**os.environ, "THIDUA_SIGNING_DIR": str(world["tmp"] / "pki"), "THIDUA_STAGE": "test"}
    return settings(env)


def test_email_is_multipart_mixed_with_the_signed_pdf_and_a_subject_that_starts_with_the_number(world):
    messages = outbox(world)
    record = issued(world)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(
        ["thutruong@bocongan.example.vn", "vanphong@bocongan.example.vn", "ctd@bocongan.example.vn"])
    for m in messages:
        assert m.get_content_type() == "multipart/mixed"
        assert m["Subject"].startswith("Báo cáo số 01/BC-BCA: ") and len(m["Subject"]) <= 120, m["Subject"]
        assert m["From"].addresses[0].display_name == "Văn phòng Bộ Công an"
        [att] = list(m.iter_attachments())
        assert att.get_content_type() == "application/pdf" and att.get_filename() == "bao-cao-tong-hop-so-01-BC-BCA.pdf"
        assert att.get_content() == stored(world, record)
        body = m.get_body(("plain",)).get_content()
        assert f"Báo cáo số 01/BC-BCA ngày {lifecycle_date(record)}" in body and "Mã xác thực" in body
        assert "phiên bản" not in body and record["sha256"] not in body and "((" not in body
        assert m.get_body(("html",)) is not None
    assert len({m["Message-ID"] for m in messages}) == 3


def lifecycle_date(record) -> str:
    from chalicelib.publishing.lifecycle import vn_date

    return vn_date(record["issued_on"])


def test_verify_returns_the_sha256_stage_and_signature_and_an_altered_copy_is_broken(world):
    import json

    client = world["client"]
    record = issued(world)
    pdf = stored(world, record)
    resp = client.http.get(f"/v1/documents/{service.verify_code(record['document_id']).lower()}/verify")
    assert resp.status_code == 200
    body = json.loads(resp.body)
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest() == record["sha256"]
    assert (body["number"], body["stage"], body["date"]) == ("01/BC-BCA", "issued", record["issued_on"])
    assert body["signature"]["intact"] and body["signature"]["trusted"] and body["signature"]["valid"]
    assert body["signature"]["signer"] == "Thượng tướng Nguyễn Văn Sơn"
    # the QR code and the printed code point at this very URL
    assert f"/#/xac-thuc/{record['document_id']}" in flat(pdf_text(pdf)).replace(" ", "")  # the page the QR opens
    same = client.http.post("/v1/documents/verify", headers={"Content-Type": "application/pdf"}, body=pdf)
    assert same.status_code == 200 and json.loads(same.body)["signature"]["valid"] is True
    altered = pdf.replace(b"/Producer", b"/Pr0ducer", 1) if b"/Producer" in pdf else pdf[:-200] + b" " + pdf[-199:]
    broken = json.loads(client.http.post("/v1/documents/verify", headers={"Content-Type": "application/pdf"},
                                         body=altered).body)
    assert broken["matches"] is False and broken["signature"]["intact"] is False
    assert client.http.get("/v1/documents/ZZZZ-ZZZZ/verify").status_code == 404


def test_leaders_download_the_same_bytes_through_the_api(world):
    leader = issue(world["store"], "leader", "Lãnh đạo Bộ")
    record = issued(world)
    doc = record["document_id"]
    resp = world["client"].http.get(f"/v1/documents/{doc}/file",
                                    headers={"Authorization": f"Bearer {leader}", "Accept": "application/pdf"})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(resp.body).hexdigest() == record["sha256"]
    docx = world["client"].http.get(f"/v1/documents/{doc}/file", headers={
        "Authorization": f"Bearer {leader}",
        "Accept": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
    assert docx.status_code == 200 and docx.body == stored(world, record, "docx_key")


def test_a_changed_report_after_issue_makes_no_new_version_no_number_and_no_mail(fresh_world):
    world = fresh_world
    scheduled(world)
    approve(world)
    scheduled(world)
    record = issued(world)
    before = stored(world, record)
    store = world["store"]
    values, achievements = demo_data.REPORTS["2021-08"]["ca-nghe-an"]
    put_report(store, "ca-nghe-an", "2021-08", {**values, "citizens_escorted": 15100}, achievements)
    [result] = scheduled(world)["compiled"]
    assert not result["created"] and result["issued"] == []
    assert len(outbox(world)) == 3 and stored(world, record) == before
    docs = service.list_documents(store, world["conference"]["id"], "https://x", 10, None)["items"]
    assert [(d["version"], d["number"], d["stage"]) for d in docs] == [(1, None, "approved"), (2, "01/BC-BCA", "issued")]
