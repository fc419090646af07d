"""The compile's decisions over the in-memory store, with a stand-in renderer: when a
conference is due, when a new version is made (fingerprint), how it is numbered, and
that each recipient gets each version once."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from helpers import Mailbox, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Hà Nội, three days before
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]


def render(doc) -> bytes:
    """Stands in for WeasyPrint: the bytes depend on what the document says."""
    if hasattr(doc, "unit_rows"):  # the summary report
        rows = ";".join(f"{r.name}={sorted(r.values.items())}" for r in doc.unit_rows)
    else:  # the commendation list
        rows = ";".join(f"{g.award_form_name}:{[e.name for e in g.entries]}" for g in doc.groups)
    return f"%PDF-1.7 {doc.number} {doc.title} {rows}".encode()


def conference(store, date="2021-08-31", prefix="BC-BCA", recipients=("a@bca.vn", "b@bca.vn")) -> dict:
    return service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": date, "periods": ["2021-08"], "recipients": list(recipients),
        "number_prefix": prefix, "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), NOW)


@pytest.fixture
def world(store):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000, "violations_detected": 7000,
                                                "violations_penalised": 6969})
    put_report(store, "ca-ha-tinh", "2021-08", {"citizens_escorted": 4200})
    return store


def compile_(store, cid, now=NOW, mailer=None):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=mailer or Mailbox(),
                                       render=render)


def test_a_conference_is_due_from_seven_days_before_until_its_day(world):
    soon, later, past = conference(world, "2021-08-31"), conference(world, "2021-09-30"), conference(world, "2021-08-01")
    due = {c["id"] for c in pipeline.due_conferences(world, NOW, settings().compile_days_before)}
    assert soon["id"] in due and later["id"] not in due and past["id"] not in due


def test_unchanged_inputs_make_no_new_version_and_send_nothing_twice(world):
    cid = conference(world)["id"]
    mailbox = Mailbox()
    first = compile_(world, cid, mailer=mailbox)
    assert first.created and first.document["version"] == 1 and first.document["number"] == "01/BC-BCA"
    assert set(first.deliveries.values()) == {"sent"} and len(mailbox.sent) == 2
    again = compile_(world, cid, now=NOW + dt.timedelta(minutes=5), mailer=mailbox)
    assert not again.created and again.document["document_id"] == first.document["document_id"]
    assert set(again.deliveries.values()) == {"already_sent"} and len(mailbox.sent) == 2


def test_a_changed_report_makes_the_next_version_with_the_next_number(world):
    cid = conference(world)["id"]
    compile_(world, cid)
    put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 15100})
    second = compile_(world, cid)
    assert second.created and (second.document["version"], second.document["number"]) == (2, "02/BC-BCA")


def test_a_returned_report_changes_the_fingerprint_too(world):
    from chalicelib.publishing.kinds import SUMMARY

    c = world.conferences.get(conference(world)["id"])
    before = SUMMARY.fingerprint(SUMMARY.gather(world, c, settings(), NOW))
    report = world.reports.get("ca-ha-tinh", "2021-08")
    world.reports.update_state("ca-ha-tinh", "2021-08", report["etag"], {"status": "returned", "etag": "x"})
    assert SUMMARY.fingerprint(SUMMARY.gather(world, c, settings(), NOW)) != before


def test_numbers_run_per_prefix_and_year_never_twice(world):
    a, b, other = conference(world), conference(world), conference(world, prefix="BC-VP")
    numbers = [compile_(world, c["id"]).document["number"] for c in (a, b, other)]
    assert numbers == ["01/BC-BCA", "02/BC-BCA", "01/BC-VP"]


def test_a_run_that_finds_another_rendering_leaves_it_alone_until_it_is_stale(world, monkeypatch):
    cid = conference(world)["id"]
    from chalicelib.publishing.kinds import SUMMARY

    c = world.conferences.get(cid)
    inputs = SUMMARY.gather(world, c, settings(), NOW)
    # Another run claimed version 1 and is still rendering it (or died doing so).
    world.documents.claim_version({"conference_id": cid, "kind": "summary", "version": 1,
                                   "fingerprint": SUMMARY.fingerprint(inputs), "document_id": "AAAAAAAA",
                                   "state": "rendering", "claim": "other", "claimed_at": NOW.isoformat(),
                                   "issued_on": "2021-08-28", "number_prefix": "BC-BCA"})
    assert compile_(world, cid, now=NOW + dt.timedelta(minutes=1)).state == "in_progress"
    taken_over = compile_(world, cid, now=NOW + pipeline.STALE_RENDER + dt.timedelta(minutes=1))
    assert taken_over.state == "stored" and taken_over.document["document_id"] == "AAAAAAAA"
    assert taken_over.document["number"] == "01/BC-BCA"


def test_defect_5_a_number_taken_while_rendering_is_not_issued_twice_the_version_is_rendered_again(world):
    a, b = conference(world)["id"], conference(world)["id"]
    rendered = []

    def render_a(doc) -> bytes:
        rendered.append(doc.number)
        if len(rendered) == 1:  # another conference of the series is stored meanwhile
            assert compile_(world, b).document["number"] == "01/BC-BCA"
        return render(doc)

    result = pipeline.compile_conference(world, a, conf=settings(), now=NOW, mailer=Mailbox(), render=render_a)
    assert rendered == ["01/BC-BCA", "02/BC-BCA"]  # rendered with 01, which b took: rendered again with 02
    assert result.state == "stored" and result.document["number"] == "02/BC-BCA"
    assert world.documents.latest(a, "summary")["number"] == "02/BC-BCA"
    assert world.documents.last_number("docnumber#BC-BCA#2021") == 2


def test_a_failed_send_is_retried_for_that_recipient_only(world):
    cid = conference(world)["id"]
    flaky = Mailbox(fail_for={"b@bca.vn"})
    first = compile_(world, cid, mailer=flaky)
    assert first.deliveries == {"a@bca.vn": "sent", "b@bca.vn": "failed"}
    healed = Mailbox()
    second = compile_(world, cid, mailer=healed)
    assert second.deliveries == {"a@bca.vn": "already_sent", "b@bca.vn": "sent"}
    assert [m["To"].addresses[0].addr_spec for m in healed.sent] == ["b@bca.vn"]


def test_compile_due_raises_after_the_others_ran_when_a_recipient_failed(world):
    ok, bad = conference(world, recipients=("a@bca.vn",)), conference(world, recipients=("x@bca.vn",))
    with pytest.raises(pipeline.CompileFailed, match="x@bca.vn"):
        pipeline.compile_due(world, conf=settings(), now=NOW, mailer=Mailbox(fail_for={"x@bca.vn"}), render=render)
    assert world.documents.latest(ok["id"], "summary")["state"] == "stored"
    assert world.documents.latest(bad["id"], "summary")["state"] == "stored"


def _approve(store, conference_id: str, name: str, unit: str = "ca-nghe-an") -> None:
    from chalicelib.awards.models import DecisionIn, NominationIn
    from chalicelib.awards.nominations import create_nomination, decide
    from chalicelib.core.access import Principal
    from chalicelib.core.states import Role

    admin = Principal("adm", Role.ADMIN, None, "Quản trị")
    nomination = create_nomination(store, admin, unit, NominationIn(
        conference_id=conference_id, kind="collective", name=name, award_form="bang-khen-bo-truong",
        achievements="Hoàn thành xuất sắc nhiệm vụ."), NOW)
    decide(store, admin, nomination["id"], DecisionIn(decision="approve"), nomination["etag"], NOW)


def test_the_commendation_list_is_a_draft_until_finalised_and_each_version_reaches_each_recipient_once(world):
    from chalicelib.awards.nominations import finalise
    from chalicelib.core.access import Principal
    from chalicelib.core.states import Role

    cid = conference(world, recipients=("a@bca.vn",))["id"]
    _approve(world, cid, "Công an tỉnh Nghệ An")
    mailbox = Mailbox()
    first = compile_(world, cid, mailer=mailbox)
    summary, draft = first.documents
    assert (summary["kind"], summary["number"]) == ("summary", "01/BC-BCA")
    assert (draft["kind"], draft.get("number"), draft["version"]) == ("commendations", None, 1)
    [message] = mailbox.sent
    assert [a.get_filename() for a in message.iter_attachments()] == [
        "bao-cao-tong-hop-so-01-BC-BCA.pdf", "danh-sach-de-nghi-khen-thuong-du-thao-v1.pdf"]

    _approve(world, cid, "Công an tỉnh Hà Tĩnh", "ca-ha-tinh")  # the draft changes, the summary does not
    second = compile_(world, cid, mailer=mailbox)
    assert second.documents[0]["version"] == 1 and second.documents[1]["version"] == 2
    assert [a.get_filename() for a in mailbox.sent[-1].iter_attachments()] == [
        "danh-sach-de-nghi-khen-thuong-du-thao-v2.pdf"]

    finalise(world, Principal("adm", Role.ADMIN, None, "Quản trị"), cid, world.conferences.get(cid)["etag"], NOW)
    final = compile_(world, cid, mailer=mailbox)
    listed = final.documents[1]
    assert (listed["version"], listed["number"]) == (3, "01/DS-BCA")  # its own series
    assert [a.get_filename() for a in mailbox.sent[-1].iter_attachments()] == [
        "danh-sach-de-nghi-khen-thuong-so-01-DS-BCA.pdf"]
    assert len(mailbox.sent) == 3
    assert compile_(world, cid, mailer=mailbox).deliveries == {"a@bca.vn": "already_sent"}
    assert len(mailbox.sent) == 3


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


def test_defect_4_each_recipient_gets_one_message_to_exactly_their_address(world, env):
    cid = conference(world, recipients=SPECIAL_RECIPIENTS)["id"]
    result = pipeline.compile_conference(world, cid, conf=settings(), now=NOW, render=render)  # the outbox mailer
    assert result.deliveries == {addr: "sent" for addr in EXPECTED_TO}
    _assert_one_message_to_exactly_each(_outbox(env), EXPECTED_TO)
    again = pipeline.compile_conference(world, cid, conf=settings(), now=NOW + dt.timedelta(minutes=5), render=render)
    assert set(again.deliveries.values()) == {"already_sent"} and len(_outbox(env)) == len(EXPECTED_TO)


def test_defect_4_conferences_stored_with_plain_string_recipients_still_read_and_deliver(world, env):
    # What the old validator stored: "<name> <<address>>" with the name unquoted, or a bare address.
    legacy = conference(world, recipients=["vp@bca.gov.vn"])
    legacy = {**legacy, "recipients": ["Cục Y tế, Bộ Công an <yte@bca.gov.vn>", "Nguyễn Văn A <a@bca.gov.vn>",
                                       "vp@bca.gov.vn"]}
    world.conferences.replace(legacy, expected_etag=legacy["etag"])
    assert service.public(world.conferences.get(legacy["id"]))["recipients"] == [
        '"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn"]
    result = pipeline.compile_conference(world, legacy["id"], conf=settings(), now=NOW, render=render)
    expected = {k: v for k, v in EXPECTED_TO.items() if k != "th@bca.gov.vn"}
    assert result.deliveries == {addr: "sent" for addr in expected}
    _assert_one_message_to_exactly_each(_outbox(env), expected)
