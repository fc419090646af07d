"""The compile's decisions over the in-memory store, with stand-in renderer, signer and DOCX: when a
conference is due, when a new draft is made (fingerprint), that drafts are never numbered nor mailed,
how an approved document is issued (number, date of approval, signature, DOCX) and delivered once to
each recipient, and what the lifecycle refuses.

Issue 18 changed what these tests expect: every compile used to number and mail the summary (and a
draft commendation list); now a compile makes unnumbered drafts and sends nothing until a signer approves."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.access import Principal
from chalicelib.core.errors import Conflict, Forbidden, Invalid
from chalicelib.core.settings import settings
from chalicelib.core.states import Role
from chalicelib.delivery import artifacts_for
from chalicelib.publishing import lifecycle, pipeline
from chalicelib.publishing.kinds import SUMMARY
from chalicelib.store import ConditionFailed
from helpers import Mailbox, person, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Hà Nội, three days before
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]
SIGNER = {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}
ADMIN = Principal("adm", Role.ADMIN, None, "Văn thư Văn phòng")


def render(doc) -> bytes:
    """Stands in for WeasyPrint: the bytes depend on what the document says."""
    rows = ";".join(f"{r.name}={sorted(r.values.items())}" for r in doc.unit_rows)
    return f"%PDF-1.7 {doc.number} {doc.title} {rows}".encode()


signed_with: list[tuple[str, str]] = []


def sign(pdf: bytes, stream, number: str, conf) -> bytes:
    signed_with.append((stream.issuer.id, number))
    return pdf + f"\n%signed {stream.issuer.signer_name} {number}".encode()


def docx(doc) -> bytes:
    return f"PK docx {doc.number}".encode()


def conference(store, date="2021-08-31", recipients=("a@bca.vn", "b@bca.vn")) -> dict:
    return service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": date, "periods": ["2021-08"], "recipients": list(recipients),
        "signer": SIGNER}), NOW)


@pytest.fixture
def world(store):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000, "violations_detected": 7000,
                                                "violations_penalised": 6969})
    put_report(store, "ca-ha-tinh", "2021-08", {"citizens_escorted": 4200})
    signed_with.clear()
    return store


@pytest.fixture
def signer(world):
    account_id, _ = person(world, "leader", name="Thượng tướng Lê Văn Minh", now=NOW)
    return Principal("s", Role.LEADER, None, "Thượng tướng Lê Văn Minh", account_id=account_id)


def compile_(store, cid, now=NOW, mailer=None, **kwargs):
    kwargs = {"render": render, "sign": sign, "docx": docx, **kwargs}
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=mailer or Mailbox(), **kwargs)


def draft_of(store, cid, stream="summary"):
    head = store.documents.stream(cid, stream)
    return store.documents.get(head["draft_document_id"])


def submit_and_approve(store, cid, signer, *, number=None, at=NOW, stream="summary"):
    record = draft_of(store, cid, stream)
    lifecycle.submit(store, ADMIN, record["document_id"], signer.account_id, number, at)
    lifecycle.approve(store, signer, record["document_id"], at)
    return record


def issue(store, cid, signer, *, number=None, at=NOW, mailer=None):
    submit_and_approve(store, cid, signer, number=number, at=at)
    return compile_(store, cid, now=at + dt.timedelta(minutes=1), mailer=mailer)


# -- drafts ----------------------------------------------------------------------------

def test_a_conference_is_due_from_seven_days_before_until_its_day(world):
    soon, later, past = conference(world, "2021-08-31"), conference(world, "2021-09-30"), conference(world, "2021-08-01")
    due = {c["id"] for c in pipeline.due_conferences(world, NOW, settings().compile_days_before)}
    assert soon["id"] in due and later["id"] not in due and past["id"] not in due


def test_a_compile_makes_an_unnumbered_draft_and_mails_nobody(world):
    cid = conference(world)["id"]
    mailbox = Mailbox()
    first = compile_(world, cid, mailer=mailbox)
    draft = first.document
    assert first.created and (draft["version"], draft.get("number"), draft["stage"]) == (1, None, "draft")
    assert mailbox.sent == [] and first.deliveries == {}
    head = world.documents.stream(cid, "summary")
    assert head["stage"] == "draft" and head["draft_document_id"] == draft["document_id"]
    again = compile_(world, cid, now=NOW + dt.timedelta(minutes=5), mailer=mailbox)
    assert not again.created and again.document["document_id"] == draft["document_id"]


def test_a_changed_report_makes_a_new_draft_still_unnumbered_and_unmailed(world):
    cid = conference(world)["id"]
    compile_(world, cid)
    put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 15100})
    mailbox = Mailbox()
    second = compile_(world, cid, mailer=mailbox)
    assert second.created and (second.document["version"], second.document.get("number")) == (2, None)
    assert world.documents.stream(cid, "summary")["draft_version"] == 2 and mailbox.sent == []


def test_the_assessment_is_part_of_the_summary_fingerprint(world):
    c = world.conferences.get(conference(world)["id"])
    [stream] = SUMMARY.streams(world, c, settings(), NOW)
    before = SUMMARY.fingerprint(stream.inputs)
    c = {**c, "assessment": {"overall": "Hoàn thành tốt nhiệm vụ."}}
    [changed] = SUMMARY.streams(world, c, settings(), NOW)
    assert SUMMARY.fingerprint(changed.inputs) != before


# -- trình ký → ban hành → gửi ---------------------------------------------------------

def test_an_approved_draft_is_issued_numbered_dated_the_approval_day_signed_with_its_docx_and_mailed(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    approved_at = dt.datetime(2021, 8, 29, 18, 30, tzinfo=dt.timezone.utc)  # 30/8 01:30 in Hà Nội
    mailbox = Mailbox()
    result = issue(world, cid, signer, at=approved_at, mailer=mailbox)
    [issued] = result.issued
    assert (issued["number"], issued["issued_on"], issued["stage"], issued["version"]) == (
        "01/BC-BCA", "2021-08-30", "issued", 2)
    assert issued["signed"] and signed_with == [("bo-cong-an", "01/BC-BCA")]
    files = artifacts_for(settings())
    assert files.get(issued["artifact_key"]).endswith("%signed Thượng tướng Lê Văn Minh 01/BC-BCA".encode())
    assert files.get(issued["docx_key"]) == b"PK docx 01/BC-BCA"
    head = world.documents.stream(cid, "summary")
    assert head["stage"] == "issued" and head["issued_document_id"] == issued["document_id"]
    assert result.deliveries == {"a@bca.vn": "sent", "b@bca.vn": "sent"}
    subjects = {m["Subject"] for m in mailbox.sent}
    assert subjects == {"Báo cáo số 01/BC-BCA: tổng hợp kết quả thực hiện các chỉ tiêu công tác tháng 8 năm 2021 "
                        "- Hội nghị sơ kết"} or all(s.startswith("Báo cáo số 01/BC-BCA: ") for s in subjects)
    assert all(len(s) <= 120 for s in subjects)
    # the draft it was issued from keeps its record: approved, unnumbered
    draft = world.documents.get(issued["draft_document_id"])
    assert (draft["stage"], draft.get("number")) == ("approved", None)
    again = compile_(world, cid, now=approved_at + dt.timedelta(minutes=5), mailer=mailbox)
    assert set(again.deliveries.values()) == {"already_sent"} and len(mailbox.sent) == 2 and not again.created


def test_the_issued_mail_names_the_document_by_number_and_date_without_version_hash_or_nested_brackets(world, signer):
    cid = conference(world, recipients=("Lãnh đạo Bộ <ld@bca.vn>",))["id"]
    compile_(world, cid)
    mailbox = Mailbox()
    issued = issue(world, cid, signer, mailer=mailbox).issued[0]
    [message] = mailbox.sent
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Báo cáo số 01/BC-BCA ngày 28/8/2021" in text
    assert service.verify_code(issued["document_id"]) in text
    assert f"/#/xac-thuc/{issued['document_id']}" in text  # the public verification page, not the JSON route
    for body in (text, html):
        assert "phiên bản" not in body and issued["sha256"] not in body and "SHA" not in body
        assert "((" not in body and "))" not in body
    assert message["From"].addresses[0].display_name == "Văn phòng Bộ Công an"
    assert message.get_content_type() == "multipart/mixed"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "bao-cao-tong-hop-so-01-BC-BCA.pdf"
    assert attachment.get_content_type() == "application/pdf"


def test_a_changed_figure_after_issue_makes_no_new_version_no_number_and_changes_no_file(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    issued = issue(world, cid, signer).issued[0]
    before = artifacts_for(settings()).get(issued["artifact_key"])
    put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 99999})
    mailbox = Mailbox()
    after = compile_(world, cid, now=NOW + dt.timedelta(hours=1), mailer=mailbox)
    assert not after.created and after.issued == [] and mailbox.sent == []
    assert world.documents.latest(cid, "summary")["version"] == 2
    assert world.documents.last_issued("BC-BCA", 2021) == 1
    assert artifacts_for(settings()).get(issued["artifact_key"]) == before


def test_numbers_run_per_symbol_and_year_never_twice(world, signer):
    a, b = conference(world)["id"], conference(world)["id"]
    numbers = []
    for cid in (a, b):
        compile_(world, cid)
        numbers.append(issue(world, cid, signer).issued[0]["number"])
    assert numbers == ["01/BC-BCA", "02/BC-BCA"]


def test_an_entered_number_from_the_register_is_used_and_then_taken(world, signer):
    a, b, c = conference(world)["id"], conference(world)["id"], conference(world)["id"]
    for cid in (a, b, c):
        compile_(world, cid)
    assert issue(world, a, signer, number=7).issued[0]["number"] == "07/BC-BCA"
    with pytest.raises(Conflict, match="07/BC-BCA"):
        lifecycle.submit(world, ADMIN, draft_of(world, b)["document_id"], signer.account_id, 7, NOW)
    # the next number follows the highest issued
    assert issue(world, b, signer).issued[0]["number"] == "08/BC-BCA"


def test_an_entered_number_taken_between_trinh_ky_and_issue_sends_the_stream_back_to_draft(world, signer):
    a, b = conference(world)["id"], conference(world)["id"]
    compile_(world, a)
    compile_(world, b)
    submit_and_approve(world, a, signer, number=3)
    assert issue(world, b, signer, number=3).issued[0]["number"] == "03/BC-BCA"
    result = compile_(world, a, now=NOW + dt.timedelta(minutes=2))
    assert result.issued == []
    head = world.documents.stream(a, "summary")
    assert head["stage"] == "draft" and "03/BC-BCA" in head["return_note"]


def test_a_next_number_taken_while_rendering_is_not_issued_twice_the_version_is_rendered_again(world, signer):
    a, b = conference(world)["id"], conference(world)["id"]
    compile_(world, a)
    compile_(world, b)
    submit_and_approve(world, a, signer)
    rendered = []

    def render_a(doc) -> bytes:
        rendered.append(doc.number)
        if len(rendered) == 1:  # another document of the series is issued meanwhile
            assert issue(world, b, signer).issued[0]["number"] == "01/BC-BCA"
        return render(doc)

    result = compile_(world, a, render=render_a)
    assert rendered == ["01/BC-BCA", "02/BC-BCA"]
    assert result.issued[0]["number"] == "02/BC-BCA"
    assert world.documents.last_issued("BC-BCA", 2021) == 2


def _as_before_the_packs(store, cid):
    """The current draft as a compile made it before issue 20: its fingerprint made from every report's
    ETag (the old gather's), and no `fingerprint_scheme`."""
    import hashlib

    from chalicelib.publishing.kinds import legacy_fingerprint_summary
    from chalicelib.store import keys
    from chalicelib.store.table import Put

    draft = draft_of(store, cid)
    old = legacy_fingerprint_summary(store, store.conferences.get(cid), settings(), NOW)
    assert hashlib.sha256(f"{old}|".encode()).hexdigest() != draft["fingerprint"]  # a commune's report: made apart
    pk, sk = keys.document_version(cid, "summary", int(draft["version"]))
    item = store.table.get((pk, sk))
    assert item.get("fingerprint_scheme") == "packs"
    store.table.write(Put({k: v for k, v in item.items() if k != "fingerprint_scheme"}
                          | {"PK": pk, "SK": sk, "fingerprint": hashlib.sha256(f"{old}|".encode()).hexdigest()}))


def _approved_before_the_packs(world, signer) -> str:
    """A conference whose summary draft was made and approved for signature before the packs' fingerprint."""
    seed_units(world, [("ca-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other")])  # not listed: in the pack
    put_report(world, "ca-vinh", "2021-08", {"citizens_escorted": 300})
    cid = conference(world)["id"]
    compile_(world, cid)
    _as_before_the_packs(world, cid)
    submit_and_approve(world, cid, signer)
    return cid


def test_a_summary_approved_before_the_packs_is_issued_from_what_its_signer_saw(world, signer):
    cid = _approved_before_the_packs(world, signer)
    result = compile_(world, cid)
    assert [r["number"] for r in result.issued] == ["01/BC-BCA"]


def test_a_summary_approved_before_the_packs_whose_figures_changed_goes_back_to_draft(world, signer):
    cid = _approved_before_the_packs(world, signer)
    put_report(world, "ca-ha-tinh", "2021-08", {"citizens_escorted": 5000})
    assert compile_(world, cid).issued == []
    head = world.documents.stream(cid, "summary")
    assert head["stage"] == "draft" and head["return_note"] == lifecycle.CHANGED_AFTER_SUBMIT


def test_inputs_changed_after_trinh_ky_are_not_issued_the_stream_goes_back_to_draft(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    submit_and_approve(world, cid, signer)
    put_report(world, "ca-ha-tinh", "2021-08", {"citizens_escorted": 5000})
    mailbox = Mailbox()
    result = compile_(world, cid, mailer=mailbox)
    assert result.issued == [] and mailbox.sent == []
    head = world.documents.stream(cid, "summary")
    assert head["stage"] == "draft" and head["return_note"] == lifecycle.CHANGED_AFTER_SUBMIT
    assert draft_of(world, cid)["version"] == 2 and draft_of(world, cid).get("number") is None
    assert world.documents.last_issued("BC-BCA", 2021) == 0


def test_a_document_is_never_issued_unsigned_when_no_certificate_is_configured(world, signer, monkeypatch, tmp_path):
    cid = conference(world)["id"]
    compile_(world, cid)
    submit_and_approve(world, cid, signer)
    monkeypatch.setenv("THIDUA_STAGE", "dev")  # no test certificate made on demand
    monkeypatch.setenv("THIDUA_SIGNING_DIR", str(tmp_path / "no-pki"))
    from chalicelib.documents.signing import SigningUnavailable

    with pytest.raises(SigningUnavailable):
        pipeline.compile_conference(world, cid, conf=settings(), now=NOW, mailer=Mailbox(), render=render, docx=docx)
    assert world.documents.stream(cid, "summary")["stage"] == "approved"
    assert world.documents.last_issued("BC-BCA", 2021) == 0


def test_signing_off_issues_unsigned_only_when_the_setting_says_so(world, signer, monkeypatch):
    cid = conference(world)["id"]
    compile_(world, cid)
    monkeypatch.setenv("THIDUA_SIGNING", "off")
    issued = issue(world, cid, signer).issued[0]
    assert issued["signed"] is False and signed_with == []


# -- the steps' rules ------------------------------------------------------------------

def test_only_the_named_signer_approves_or_returns_and_only_a_submitted_current_draft(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    doc_id = draft_of(world, cid)["document_id"]
    with pytest.raises(Conflict):
        lifecycle.approve(world, signer, doc_id, NOW)  # not submitted
    with pytest.raises(Invalid):
        lifecycle.submit(world, ADMIN, doc_id, "nobody", None, NOW)
    lifecycle.submit(world, ADMIN, doc_id, signer.account_id, None, NOW)
    with pytest.raises((Conflict, ConditionFailed)):
        lifecycle.submit(world, ADMIN, doc_id, signer.account_id, None, NOW)  # already submitted
    other_id, _ = person(world, "leader", name="Người khác", now=NOW)
    with pytest.raises(Forbidden):
        lifecycle.approve(world, Principal("o", Role.LEADER, None, "Người khác", account_id=other_id), doc_id, NOW)
    assert [h["draft_document_id"] for h in world.documents.awaiting(signer.account_id)] == [doc_id]
    record, _ = lifecycle.return_(world, signer, doc_id, "Bổ sung phần đánh giá.", NOW)
    assert record["stage"] == "draft" and world.documents.awaiting(signer.account_id) == []
    head = world.documents.stream(cid, "summary")
    assert (head["stage"], head["return_note"]) == ("draft", "Bổ sung phần đánh giá.")
    # a returned draft may be submitted again
    lifecycle.submit(world, ADMIN, doc_id, signer.account_id, None, NOW)


def test_a_new_draft_makes_the_older_one_unsubmittable(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    old = draft_of(world, cid)["document_id"]
    put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 1})
    compile_(world, cid)
    with pytest.raises(Conflict):
        lifecycle.submit(world, ADMIN, old, signer.account_id, None, NOW)


def test_a_replacement_prints_thay_the_takes_a_new_number_and_the_old_one_verifies_as_replaced(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    old = issue(world, cid, signer).issued[0]
    with pytest.raises(Conflict):
        lifecycle.replace(world, ADMIN, draft_of(world, cid)["document_id"], "x", NOW)  # not the issued one
    lifecycle.replace(world, ADMIN, old["document_id"], "Sai số liệu của Công an tỉnh Hà Tĩnh.", NOW)
    with pytest.raises(Conflict):
        lifecycle.replace(world, ADMIN, old["document_id"], "again", NOW)  # already being replaced
    built = []
    result = compile_(world, cid, render=lambda doc: built.append(doc) or render(doc))
    draft = result.document
    assert draft["stage"] == "draft" and draft["replaces"]["number"] == "01/BC-BCA" and draft.get("number") is None
    mailbox = Mailbox()
    new = issue(world, cid, signer, at=NOW + dt.timedelta(hours=2), mailer=mailbox).issued[0]
    assert new["number"] == "02/BC-BCA" and new["replaces"]["document_id"] == old["document_id"]
    old_now = world.documents.get(old["document_id"])
    assert old_now["stage"] == "replaced" and old_now["replaced_by"]["number"] == "02/BC-BCA"
    verified = lifecycle.verification(world, old["document_id"])
    assert verified["stage"] == "replaced" and verified["replaced_by"]["number"] == "02/BC-BCA"
    assert "02/BC-BCA" in verified["notice"] and verified["current"] is False
    text = mailbox.sent[0].get_body(("plain",)).get_content()
    assert "Báo cáo này thay thế Báo cáo số 01/BC-BCA ngày 28/8/2021" in text
    assert mailbox.sent[0]["Subject"].startswith("Báo cáo số 02/BC-BCA: ")


# -- delivery --------------------------------------------------------------------------

def test_a_failed_send_is_retried_for_that_recipient_only(world, signer):
    cid = conference(world)["id"]
    compile_(world, cid)
    flaky = Mailbox(fail_for={"b@bca.vn"})
    first = issue(world, cid, signer, mailer=flaky)
    assert first.deliveries == {"a@bca.vn": "sent", "b@bca.vn": "failed"}
    healed = Mailbox()
    second = compile_(world, cid, mailer=healed)
    assert second.deliveries == {"a@bca.vn": "already_sent", "b@bca.vn": "sent"}
    assert [m["To"].addresses[0].addr_spec for m in healed.sent] == ["b@bca.vn"]


def test_compile_due_raises_after_the_others_ran_when_a_recipient_failed(world, signer):
    ok, bad = conference(world, recipients=("a@bca.vn",)), conference(world, recipients=("x@bca.vn",))
    for c in (ok, bad):
        compile_(world, c["id"])
        submit_and_approve(world, c["id"], signer)
    with pytest.raises(pipeline.CompileFailed, match="x@bca.vn"):
        pipeline.compile_due(world, conf=settings(), now=NOW, mailer=Mailbox(fail_for={"x@bca.vn"}), render=render,
                             sign=sign, docx=docx)
    assert world.documents.stream(ok["id"], "summary")["stage"] == "issued"
    assert world.documents.stream(bad["id"], "summary")["stage"] == "issued"


def test_a_run_that_finds_another_rendering_leaves_it_alone_until_it_is_stale(world):
    cid = conference(world)["id"]
    c = world.conferences.get(cid)
    [stream] = SUMMARY.streams(world, c, settings(), NOW)
    # Another run claimed version 1 and is still rendering it (or died doing so).
    world.documents.claim_version({"conference_id": cid, "kind": "summary", "version": 1, "purpose": "draft",
                                   "fingerprint": pipeline.stream_fingerprint(stream, None), "document_id": "AAAAAAAA",
                                   "state": "rendering", "claim": "other", "claimed_at": NOW.isoformat(),
                                   "symbol": "BC-BCA"})
    assert compile_(world, cid, now=NOW + dt.timedelta(minutes=1)).state == "in_progress"
    taken_over = compile_(world, cid, now=NOW + pipeline.STALE_RENDER + dt.timedelta(minutes=1))
    assert taken_over.state == "stored" and taken_over.document["document_id"] == "AAAAAAAA"
    assert world.documents.stream(cid, "summary")["draft_document_id"] == "AAAAAAAA"


# -- defect 4: recipients whose display names hold a comma or angle brackets -----------------------

SPECIAL_RECIPIENTS = ['"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn",
                      {"name": "Phòng <Tổng hợp>", "email": "th@bca.gov.vn"}]
EXPECTED_TO = {"yte@bca.gov.vn": "Cục Y tế, Bộ Công an", "a@bca.gov.vn": "Nguyễn Văn A", "vp@bca.gov.vn": "",
               "th@bca.gov.vn": "Phòng <Tổng hợp>"}


def _outbox(env) -> list:
    import email.policy
    from email.parser import BytesParser
    from pathlib import Path

    folder = Path(env["THIDUA_MAIL"].removeprefix("outbox:"))
    return [BytesParser(policy=email.policy.default).parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def _assert_one_message_to_exactly_each(messages, expected: dict[str, str]) -> None:
    to = [[(a.display_name, a.addr_spec) for a in m["To"].addresses] for m in messages]
    assert sorted(to) == sorted([(name, addr)] for addr, name in expected.items()), to


def _issue_with_outbox(world, cid, signer, now=NOW):
    compile_(world, cid)
    submit_and_approve(world, cid, signer)
    return pipeline.compile_conference(world, cid, conf=settings(), now=now, render=render, sign=sign, docx=docx)


def test_defect_4_each_recipient_gets_one_message_to_exactly_their_address(world, env, signer):
    cid = conference(world, recipients=SPECIAL_RECIPIENTS)["id"]
    result = _issue_with_outbox(world, cid, signer)  # the outbox mailer
    assert result.deliveries == {addr: "sent" for addr in EXPECTED_TO}
    _assert_one_message_to_exactly_each(_outbox(env), EXPECTED_TO)
    again = pipeline.compile_conference(world, cid, conf=settings(), now=NOW + dt.timedelta(minutes=5), render=render)
    assert set(again.deliveries.values()) == {"already_sent"} and len(_outbox(env)) == len(EXPECTED_TO)


def test_defect_4_conferences_stored_with_plain_string_recipients_still_read_and_deliver(world, env, signer):
    # What the old validator stored: "<name> <<address>>" with the name unquoted, or a bare address.
    legacy = conference(world, recipients=["vp@bca.gov.vn"])
    legacy = {**legacy, "recipients": ["Cục Y tế, Bộ Công an <yte@bca.gov.vn>", "Nguyễn Văn A <a@bca.gov.vn>",
                                       "vp@bca.gov.vn"]}
    world.conferences.replace(legacy, expected_etag=legacy["etag"])
    assert service.public(world.conferences.get(legacy["id"]))["recipients"] == [
        '"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn"]
    result = _issue_with_outbox(world, legacy["id"], signer)
    expected = {k: v for k, v in EXPECTED_TO.items() if k != "th@bca.gov.vn"}
    assert result.deliveries == {addr: "sent" for addr in expected}
    _assert_one_message_to_exactly_each(_outbox(env), expected)


# -- the Tờ trình and the Quyết định: streams per granting issuer and form; units receive their decisions ----

def _approve(store, conference_id: str, unit: str, name: str, form: str, kind: str = "collective",
             position: str | None = None) -> None:
    from chalicelib.awards.models import DecisionIn, NominationIn
    from chalicelib.awards.nominations import create_nomination, decide

    nomination = create_nomination(store, ADMIN, unit, NominationIn(
        conference_id=conference_id, kind=kind, name=name, award_form=form, position=position or "",
        achievements="Hoàn thành xuất sắc nhiệm vụ."), NOW)
    decide(store, ADMIN, nomination["id"], DecisionIn(decision="approve"), nomination["etag"], NOW)


def award_render(doc) -> bytes:
    return f"%PDF-1.7 {type(doc).__name__} {doc.heading.number} {doc.title}".encode()


def test_a_decision_per_granting_issuer_and_form_and_each_unit_receives_its_own_decision(world, signer):
    unit = world.units.get("ca-ha-tinh")
    world.units.replace({**unit, "emails": ["vp@hatinh.bca.vn"]}, expected_etag=unit["etag"])
    cid = conference(world, recipients=("ld@bca.vn",))["id"]
    _approve(world, cid, "ca-nghe-an", "Công an tỉnh Nghệ An", "bang-khen-bo-truong")
    _approve(world, cid, "ca-ha-tinh", "Nguyễn Văn Hải", "giay-khen", "individual", "Trung tá, Đội trưởng")
    mailbox = Mailbox()
    first = compile_(world, cid, mailer=mailbox, render=award_render)
    streams = sorted(d["kind"] for d in first.documents)
    assert streams == ["decision@bo-cong-an@bang-khen-bo-truong", "decision@ca-ha-tinh@giay-khen", "proposal",
                       "summary"]
    assert mailbox.sent == [] and all(d.get("number") is None for d in first.documents)
    # the unit head of Hà Tĩnh signs its Giấy khen decision
    head_id, _ = person(world, "unit", "ca-ha-tinh", name="Đại tá Giám đốc", now=NOW)
    head = Principal("h", Role.UNIT, "ca-ha-tinh", "Đại tá Giám đốc", account_id=head_id)
    giay_khen = draft_of(world, cid, "decision@ca-ha-tinh@giay-khen")
    lifecycle.submit(world, ADMIN, giay_khen["document_id"], head_id, None, NOW)
    with pytest.raises(Forbidden):
        lifecycle.approve(world, signer, giay_khen["document_id"], NOW)
    lifecycle.approve(world, head, giay_khen["document_id"], NOW)
    issued = compile_(world, cid, mailer=mailbox, render=award_render).issued
    [decision] = issued
    assert decision["number"] == f"01/{decision['symbol']}"
    assert decision["symbol"].startswith("QĐ-") and decision["issuer"]["id"] == "ca-ha-tinh"
    assert signed_with == [("ca-ha-tinh", decision["number"])]
    to = sorted(m["To"].addresses[0].addr_spec for m in mailbox.sent)
    assert to == ["ld@bca.vn", "vp@hatinh.bca.vn"]  # the conference's recipients and the unit named in it
    assert all(m["Subject"].startswith(f"Quyết định số {decision['number']}: tặng Giấy khen") for m in mailbox.sent)
    # the ministry's streams wait for their own trình ký: nothing else was issued or sent
    assert world.documents.stream(cid, "proposal")["stage"] == "draft"


def test_an_old_commendation_list_is_still_listed_downloadable_and_verifiable(world, api, admin_token):
    cid = conference(world)["id"]
    record = {"conference_id": cid, "kind": "commendations", "version": 1, "document_id": "DS000001",
              "state": "rendering", "claim": "c", "fingerprint": "x"}
    world.documents.claim_version(record)
    artifacts_for(settings()).put("old/ds.pdf", b"%PDF-1.7 old list", "application/pdf")
    world.documents.store_version(cid, "commendations", 1, {
        "state": "stored", "number": "01/DS-BCA", "issued_on": "2021-08-28", "title": "Danh sách đề nghị khen thưởng",
        "artifact_key": "old/ds.pdf", "sha256": "0" * 64, "size": 17}, "c")
    [listed] = api.get(f"/v1/conferences/{cid}/documents", token=admin_token).data["items"]
    assert (listed["kind"], listed["stage"], listed["number"], listed["current"]) == (
        "commendations", "issued", "01/DS-BCA", True)
    file = api.get("/v1/documents/DS000001/file", token=admin_token, headers={"Accept": "application/pdf"})
    assert file.status_code == 200 and "danh-sach-de-nghi-khen-thuong-so-01-DS-BCA.pdf" in file.headers[
        "Content-Disposition"]
    verified = api.get("/v1/documents/DS000001/verify").data
    assert (verified["kind"], verified["stage"], verified["number"], verified["signature"]) == (
        "commendations", "issued", "01/DS-BCA", None)
    # and the compile never makes one again
    assert all(d["kind"] != "commendations" or d["document_id"] == "DS000001"
               for d in compile_(world, cid).documents)


def test_the_ministers_decision_issued_with_its_to_trinh_cites_it(world, signer):
    cid = conference(world, recipients=("ld@bca.vn",))["id"]
    _approve(world, cid, "ca-nghe-an", "Công an tỉnh Nghệ An", "bang-khen-bo-truong")
    compile_(world, cid, render=award_render)
    office_id, _ = person(world, "leader", name="Thiếu tướng Trần Quốc Hưng", now=NOW)
    office = Principal("o", Role.LEADER, None, "Chánh Văn phòng", account_id=office_id)
    for stream, who in (("proposal", office), ("decision@bo-cong-an@bang-khen-bo-truong", signer)):
        doc_id = draft_of(world, cid, stream)["document_id"]
        lifecycle.submit(world, ADMIN, doc_id, who.account_id, None, NOW)
        lifecycle.approve(world, who, doc_id, NOW)
    built = []
    result = compile_(world, cid, render=lambda doc: built.append(doc) or award_render(doc))
    assert sorted(r["kind"] for r in result.issued) == ["decision@bo-cong-an@bang-khen-bo-truong", "proposal"]
    [decision] = [d for d in built if type(d).__name__ == "DecisionDocument"]
    assert "Tờ trình số 01/TTr-V01 ngày 28/8/2021" in decision.proposal, decision.proposal
