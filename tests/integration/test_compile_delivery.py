"""The scheduled compile on the demo ministry's data: the PDF a leader reads, the email
they receive, exactly-once delivery through the real scheduled handler, verification.

One module-wide table and two renders (version 1, then version 2 after a report
changes) serve every test here; tests run in file order and build on each other.
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
           "AWS_DEFAULT_REGION": "ap-southeast-1"}
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
            "number_prefix": "BC-BCA", "signer": {"title": "KT. BỘ TRƯỞNG THỨ TRƯỞNG", "name": "Thượng tướng Nguyễn Văn Sơn"}}), SystemClock().now())
        with Client(app_module.app, stage_name="test") as client:
            world = {"store": store, "tmp": tmp, "conference": conference, "client": client, "app": app_module.app}
            if compiled:
                world["first"] = scheduled(world)
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


def stored_pdf(world, version: int) -> bytes:
    cid = world["conference"]["id"]
    return (world["tmp"] / "artifacts" / f"conferences/{cid}/v{version}/bao-cao-tong-hop.pdf").read_bytes()


def test_scheduled_handler_compiles_once_and_mails_each_recipient(world):
    [result] = world["first"]["compiled"]
    assert result["created"] and result["version"] == 1 and result["number"] == "01/BC-BCA"
    assert sorted(result["deliveries"].values()) == ["sent"] * 3
    again = scheduled(world)  # EventBridge delivering the same schedule twice
    assert again["compiled"][0]["created"] is False
    assert set(again["compiled"][0]["deliveries"].values()) == {"already_sent"}
    assert len(outbox(world)) == 3
    assert [p.name for p in (world["tmp"] / "artifacts/conferences" / world["conference"]["id"]).iterdir()] == ["v1"]


def test_twice_concurrently_still_one_email_each(fresh_world):
    world = fresh_world
    event = world["client"].events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                     resources=["arn:aws:events:ap-southeast-1:123456789012:rule/c"])
    results = invoke_concurrently(world["client"], "compile_due_conferences", event)
    outcomes = sorted((r["compiled"][0]["state"], r["compiled"][0]["created"]) for r in results)
    # one run renders version 1; the other finds it claimed (still rendering) or already stored
    assert outcomes in ([("in_progress", False), ("stored", True)], [("stored", False), ("stored", True)]), outcomes
    assert [r["compiled"][0]["version"] for r in results if r["compiled"][0]["created"]] == [1]
    assert len(outbox(world)) == 3


def test_pdf_reads_as_an_official_report_with_nghe_an_figures(world):
    pdf = stored_pdf(world, 1)
    text = pdf_text(pdf)
    for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                     "BỘ CÔNG AN", "Số: 01/BC-BCA", "Nơi nhận:", "Đồng chí Thứ trưởng",
                     "Thượng tướng Nguyễn Văn Sơn", "Công an tỉnh Nghệ An", "Bệnh viện 19-8"]:
        assert expected in text, expected
    assert "Hà Nội, ngày" in text and "Ho\u0323" not in text  # precomposed diacritics
    # issue 18: the ministry issues the report (BC-BCA), so its header is the ministry's alone
    assert "VĂN PHÒNG" not in text
    assert "phục vụ Hội nghị sơ kết công tác phòng, chống dịch COVID-19" in flat(text)
    pages = pdf_pages(pdf)
    # Nghệ An's own figures sit on its row of the per-unit table: "8 Công an tỉnh Nghệ An ... 15.000 ...".
    rows = [line.split() for line in table_lines(pages) if "Công an tỉnh Nghệ An" in line]
    assert any("15.000" in r for r in rows) and any("6.969" in r for r in rows), rows
    # page numbers: none on page 1, "2" centred in the top margin of page 2
    top = 842 - 20 * MM
    assert [t for _, y, t in positioned_text(pages[0]) if y > top] == []
    assert [t for _, y, t in positioned_text(pages[1]) if y > top] == ["2"]


def test_email_is_multipart_mixed_with_the_pdf_and_a_vietnamese_subject(world):
    messages = outbox(world)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(
        ["thutruong@bocongan.example.vn", "vanphong@bocongan.example.vn", "ctd@bocongan.example.vn"])
    for m in messages:
        assert m.get_content_type() == "multipart/mixed"
        assert m["Subject"] == ("Báo cáo tổng hợp phục vụ Hội nghị sơ kết công tác phòng, chống dịch COVID-19 "
                                "của lực lượng Công an nhân dân (Số 01/BC-BCA)")
        [att] = list(m.iter_attachments())
        assert att.get_content_type() == "application/pdf"
        assert att.get_content() == stored_pdf(world, 1)
        body = m.get_body(("plain",)).get_content()
        assert "Báo cáo số 01/BC-BCA" in body and "Mã xác thực" in body
        assert m.get_body(("html",)) is not None
    assert len({m["Message-ID"] for m in messages}) == 3


def test_verify_returns_the_sha256_of_the_stored_file(world):
    store, client = world["store"], world["client"]
    [doc] = service.list_documents(store, world["conference"]["id"], "https://x", 10, None)["items"]
    resp = client.http.get(f"/v1/documents/{doc['verify_code'].lower()}/verify")
    assert resp.status_code == 200
    import json

    body = json.loads(resp.body)
    assert body["sha256"] == hashlib.sha256(stored_pdf(world, 1)).hexdigest() == doc["sha256"]
    assert body["number"] == "01/BC-BCA" and body["title"].startswith("Tổng hợp kết quả tháng 8 năm 2021")
    assert body["date"] == doc["issued_on"]
    # the QR code and the printed code point at this very URL
    assert f"/v1/documents/{doc['id']}/verify" in flat(pdf_text(stored_pdf(world, 1))).replace(" ", "")
    assert client.http.get("/v1/documents/ZZZZ-ZZZZ/verify").status_code == 404


def test_leaders_download_the_same_bytes_through_the_api(world):
    leader = issue(world["store"], "leader", "Lãnh đạo Bộ")
    [doc] = service.list_documents(world["store"], world["conference"]["id"], "https://x", 10, None)["items"]
    assert doc["url"] == f"https://x/v1/documents/{doc['id']}/file"
    resp = world["client"].http.get(f"/v1/documents/{doc['id']}/file",
                                    headers={"Authorization": f"Bearer {leader}", "Accept": "application/pdf"})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(resp.body).hexdigest() == doc["sha256"]


def test_changed_report_makes_version_two_with_the_next_number(fresh_world):
    world = fresh_world
    assert scheduled(world)["compiled"][0]["version"] == 1
    store = world["store"]
    values, achievements = demo_data.REPORTS["2021-08"]["ca-nghe-an"]
    put_report(store, "ca-nghe-an", "2021-08", {**values, "citizens_escorted": 15100}, achievements)
    [result] = scheduled(world)["compiled"]
    assert result["created"] and result["version"] == 2 and result["number"] == "02/BC-BCA"
    assert sorted(result["deliveries"].values()) == ["sent"] * 3
    assert "15.100" in pdf_text(stored_pdf(world, 2))
    assert scheduled(world)["compiled"][0]["created"] is False
    assert len(outbox(world)) == 6  # each recipient: one email per version
    docs = service.list_documents(store, world["conference"]["id"], "https://x", 10, None)["items"]
    assert [(d["version"], d["number"]) for d in docs] == [(1, "01/BC-BCA"), (2, "02/BC-BCA")]
