"""The documents' lifecycle on DynamoDB Local: each step one transaction with its audit event, conditioned
on the stream's stage (a race has one winner), numbers unique per (symbol, year) under racing issues,
and the replaced document marked in the issue's own transaction."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.access import Principal
from chalicelib.core.errors import Conflict
from chalicelib.core.settings import settings
from chalicelib.core.states import Role
from chalicelib.publishing import lifecycle, pipeline
from helpers import Mailbox, person, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
ADMIN = Principal("adm", Role.ADMIN, None, "Văn thư")
FAKES = {"render": lambda doc: f"%PDF-1.7 {doc.heading.number}".encode(), "sign": lambda pdf, *a: pdf + b" signed",
         "docx": lambda doc: b"PK"}


@pytest.fixture
def world(store):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    account_id, _ = person(store, "leader", name="Thượng tướng Lê Văn Minh", now=NOW)
    return store, Principal("s", Role.LEADER, None, "Thượng tướng Lê Văn Minh", account_id=account_id)


def conference(store) -> str:
    cid = service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": ["ld@bca.vn"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)["id"]
    compile_(store, cid)
    return cid


def compile_(store, cid, now=NOW):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=Mailbox(), **FAKES)


def draft(store, cid) -> str:
    return store.documents.stream(cid, "summary")["draft_document_id"]


def in_unit_of_work(store, step):
    """A step as a request runs it: staged in a unit of work, committed once."""
    work = store.unit_of_work()
    result = step(work)
    work.commit()
    return result


def test_each_step_is_one_transaction_with_its_audit_event(world):
    store, signer = world
    cid = conference(store)
    doc = draft(store, cid)
    in_unit_of_work(store, lambda w: lifecycle.submit(w, ADMIN, doc, signer.account_id, 5, NOW))
    head = store.documents.stream(cid, "summary")
    assert (head["stage"], head["number_requested"]) == ("submitted", 5)
    assert [h["stream"] for h in store.documents.awaiting(signer.account_id)] == ["summary"]
    assert store.documents.get(doc)["stage"] == "submitted"
    in_unit_of_work(store, lambda w: lifecycle.return_(w, signer, doc, "Sửa lại.", NOW))
    in_unit_of_work(store, lambda w: lifecycle.submit(w, ADMIN, doc, signer.account_id, 5, NOW))
    in_unit_of_work(store, lambda w: lifecycle.approve(w, signer, doc, NOW))
    assert store.documents.awaiting(signer.account_id) == []
    [issued] = compile_(store, cid).issued
    events = store.audit.list(lifecycle.entity(cid, "summary"), limit=20).items
    assert sorted(e["action"] for e in events) == sorted(["submitted", "returned", "submitted", "approved", "issued"])
    assert issued["number"] == "05/BC-BCA" and store.documents.number_taken("BC-BCA", 2021, 5)


def test_two_clerks_submitting_at_once_one_wins_the_other_is_409(world):
    store, signer = world
    cid = conference(store)
    doc = draft(store, cid)
    outcomes, barrier = [], threading.Barrier(2)

    def submit() -> None:
        work = store.unit_of_work()
        barrier.wait()
        try:
            lifecycle.submit(work, ADMIN, doc, signer.account_id, None, NOW)
            work.commit()
            outcomes.append("ok")
        except Conflict:
            outcomes.append("409")

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "ok"]


def test_a_new_draft_stored_after_a_submit_does_not_move_the_submitted_head(world):
    store, signer = world
    cid = conference(store)
    doc = draft(store, cid)
    in_unit_of_work(store, lambda w: lifecycle.submit(w, ADMIN, doc, signer.account_id, None, NOW))
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15100})
    assert not compile_(store, cid).created  # submitted: the compile leaves it alone
    assert store.documents.put_draft(cid, "summary", {"draft_document_id": "ZZZZZZZZ"}) is False
    assert draft(store, cid) == doc


def test_racing_issues_of_one_entered_number_issue_it_once(world):
    store, signer = world
    a, b = conference(store), conference(store)
    for cid in (a, b):
        doc = draft(store, cid)
        lifecycle.submit(store, ADMIN, doc, signer.account_id, 12, NOW)
        lifecycle.approve(store, signer, doc, NOW)
    barrier, results = threading.Barrier(2), {}

    def run(cid: str) -> None:
        barrier.wait()
        results[cid] = compile_(store, cid)

    threads = [threading.Thread(target=run, args=(cid,)) for cid in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    issued = [r for cid in (a, b) for r in results[cid].issued]
    assert [r["number"] for r in issued] == ["12/BC-BCA"]
    loser = b if results[a].issued else a
    head = store.documents.stream(loser, "summary")
    assert head["stage"] == "draft" and "12/BC-BCA" in head["return_note"]


def test_a_replacement_marks_the_old_document_in_the_issue_transaction(world):
    store, signer = world
    cid = conference(store)
    doc = draft(store, cid)
    lifecycle.submit(store, ADMIN, doc, signer.account_id, None, NOW)
    lifecycle.approve(store, signer, doc, NOW)
    [old] = compile_(store, cid).issued
    in_unit_of_work(store, lambda w: lifecycle.replace(w, ADMIN, old["document_id"], "Sai tên.", NOW))
    with pytest.raises(Conflict):
        in_unit_of_work(store, lambda w: lifecycle.replace(w, ADMIN, old["document_id"], "Lần nữa.", NOW))
    compile_(store, cid)
    doc = draft(store, cid)
    assert store.documents.get(doc)["replaces"]["document_id"] == old["document_id"]
    lifecycle.submit(store, ADMIN, doc, signer.account_id, None, NOW)
    lifecycle.approve(store, signer, doc, NOW)
    [new] = compile_(store, cid).issued
    old_now = store.documents.get(old["document_id"])
    assert old_now["stage"] == "replaced" and old_now["replaced_by"] == {
        "document_id": new["document_id"], "number": "02/BC-BCA", "issued_on": new["issued_on"]}
    assert lifecycle.verification(store, old["document_id"])["replaced_by"]["number"] == "02/BC-BCA"
