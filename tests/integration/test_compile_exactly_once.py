"""Exactly once on DynamoDB Local, for every document of a conference (the summary, the Tờ trình, the
Quyết định): the compile fired three times at once, and again after a crash in the middle of sending,
gives each recipient each issued document once. (Issue 18: drafts are mailed to nobody; before, the
drafts of the commendation list were mailed too.)"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest

from chalicelib.awards.models import DecisionIn, NominationIn
from chalicelib.awards.nominations import create_nomination, decide
from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.access import Principal
from chalicelib.core.settings import settings
from chalicelib.core.states import Role
from chalicelib.publishing import pipeline
from chalicelib.publishing import lifecycle
from helpers import person, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
ADMIN = Principal("adm", Role.ADMIN, None, "Quản trị")
RECIPIENTS = ("bo-truong@bca.vn", "thu-truong@bca.vn", "van-phong@bca.vn")


class Crash(BaseException):
    """The process dying: not an Exception, so nothing records a failure."""


class Mailbox:
    def __init__(self, crash_at: str | None = None) -> None:
        self.sent: list = []
        self.lock = threading.Lock()
        self.crash_at = crash_at

    def send(self, message) -> str:
        to = message["To"].addresses[0].addr_spec
        if to == self.crash_at:
            raise Crash(to)
        with self.lock:
            self.sent.append(message)
        return to

    def versions(self) -> Counter:
        """(recipient, attachment file name) -> how many times it arrived."""
        return Counter((m["To"].addresses[0].addr_spec, a.get_filename()) for m in self.sent
                       for a in m.iter_attachments())


def render(doc) -> bytes:
    return f"%PDF-1.7 {type(doc).__name__} {doc.heading.number}".encode()


FAKES = {"render": render, "sign": lambda pdf, *a: pdf + b" signed", "docx": lambda doc: b"PK"}
ISSUED = {"bao-cao-tong-hop-so-01-BC-BCA.pdf", "to-trinh-de-nghi-khen-thuong-so-01-TTr-V01.pdf",
          "quyet-dinh-khen-thuong-bo-cong-an-bang-khen-bo-truong-so-01-QĐ-BCA.pdf"}


def approve_all(store, cid: str) -> None:
    """Compile the drafts, then trình ký every one of them to a leader, who approves."""
    pipeline.compile_conference(store, cid, conf=settings(), now=NOW, mailer=Mailbox(), **FAKES)
    signer_id, _ = person(store, "leader", name="Thượng tướng Lê Văn Minh", now=NOW)
    signer = Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=signer_id)
    for head in store.documents.streams(cid):
        lifecycle.submit(store, ADMIN, head["draft_document_id"], signer_id, None, NOW)
        lifecycle.approve(store, signer, head["draft_document_id"], NOW)


@pytest.fixture
def world(store):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000, "officers_mobilised": 1800})
    conference = service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": list(RECIPIENTS),
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)
    approve(store, conference["id"], "Công an tỉnh Nghệ An")
    approve_all(store, conference["id"])
    return conference["id"]


def approve(store, cid: str, name: str) -> None:
    n = create_nomination(store, ADMIN, "ca-nghe-an", NominationIn(
        conference_id=cid, kind="collective", name=name, award_form="bang-khen-bo-truong",
        achievements="Hoàn thành xuất sắc nhiệm vụ."), NOW)
    decide(store, ADMIN, n["id"], DecisionIn(decision="approve"), n["etag"], NOW)


def compile_(store, cid, mailbox, now=NOW):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=mailbox, **FAKES)


def test_three_concurrent_compiles_send_each_version_once(store, world):
    mailbox, barrier, errors = Mailbox(), threading.Barrier(3), []

    def run() -> None:
        barrier.wait()
        try:
            compile_(store, world, mailbox)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # a run that found the other still rendering leaves the sending to it, so finish with one more run
    compile_(store, world, mailbox, NOW + pipeline.STALE_SEND + dt.timedelta(minutes=1))
    expected = {(r, f) for r in RECIPIENTS for f in ISSUED}
    assert set(mailbox.versions()) == expected and set(mailbox.versions().values()) == {1}
    assert len({h["issued_document_id"] for h in store.documents.streams(world)}) == 3


def test_a_crash_in_the_middle_of_sending_resumes_with_only_the_missing_recipients(store, world):
    crashing = Mailbox(crash_at=RECIPIENTS[1])
    with pytest.raises(Crash):
        compile_(store, world, crashing)
    assert [m["To"].addresses[0].addr_spec for m in crashing.sent] == [RECIPIENTS[0]]
    soon = Mailbox()  # the next run a minute later: the crashed claim is still fresh, the last recipient is not
    assert compile_(store, world, soon, NOW + dt.timedelta(minutes=1)).deliveries == {
        RECIPIENTS[0]: "already_sent", RECIPIENTS[1]: "in_progress", RECIPIENTS[2]: "sent"}
    resumed = Mailbox()  # once the claim is stale, the crashed send is taken over
    result = compile_(store, world, resumed, NOW + pipeline.STALE_SEND + dt.timedelta(minutes=1))
    assert result.deliveries == {RECIPIENTS[0]: "already_sent", RECIPIENTS[1]: "sent", RECIPIENTS[2]: "already_sent"}
    total = crashing.versions() + soon.versions() + resumed.versions()
    for recipient in RECIPIENTS:
        for name in ISSUED:
            assert total[(recipient, name)] == 1, (recipient, name)
    # a replacement reaches everyone once more, with only the new document
    head = store.documents.stream(world, "proposal")
    lifecycle.replace(store, ADMIN, head["issued_document_id"], "Bổ sung.", NOW)
    approve(store, world, "Tổ truy vết Công an tỉnh Nghệ An")
    compile_(store, world, Mailbox())
    signer_id, _ = person(store, "leader", name="Lãnh đạo", now=NOW)
    signer = Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=signer_id)
    for head in store.documents.streams(world):
        if head["stage"] == "draft":
            lifecycle.submit(store, ADMIN, head["draft_document_id"], signer_id, None, NOW)
            lifecycle.approve(store, signer, head["draft_document_id"], NOW)
    later = Mailbox()
    compile_(store, world, later, NOW + dt.timedelta(hours=1))
    # the issued Quyết định does not change (a nomination approved after ban hành needs its own replacement)
    assert set(later.versions()) == {(r, "to-trinh-de-nghi-khen-thuong-so-02-TTr-V01.pdf") for r in RECIPIENTS}
