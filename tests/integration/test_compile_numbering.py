"""Document numbers on DynamoDB Local: a number is issued only with an issued version (its item
(symbol, year, n) put in the transaction that issues it), so a render killed mid-way leaves no hole
in the series and no version "rendering" for ever, and compiles racing on one series never issue a
number twice nor skip one. (Issue 18: numbers are given at ban hành only; a compile used to number
every version.)"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest

from chalicelib.core.access import Principal
from chalicelib.core.states import Role
from chalicelib.publishing import lifecycle
from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from helpers import Mailbox, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Hà Nội, three days before
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")]


class Crash(BaseException):
    """The process killed mid-render: not an Exception, so nothing records a failure."""


def render(doc) -> bytes:
    """Stands in for WeasyPrint: the bytes say which number the document carries."""
    return f"%PDF-1.7 {type(doc).__name__} {doc.heading.number} {doc.title}".encode()


def crashing(doc) -> bytes:
    raise Crash(doc.heading.number)


ADMIN = Principal("adm", Role.ADMIN, None, "Văn thư")


def conference(store, recipients=("lanhdao@bca.vn",)) -> str:
    return service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": list(recipients),
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)["id"]


def compile_(store, cid, now=NOW, render=render, mailer=None):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=mailer or Mailbox(),
                                       render=render, sign=lambda pdf, *a: pdf, docx=lambda doc: b"PK")


def approved(store, cid, signer) -> None:
    """The summary's current draft submitted and approved (a replacement first, if it was issued)."""
    head = store.documents.stream(cid, "summary")
    if head["stage"] == "issued":
        lifecycle.replace(store, ADMIN, head["issued_document_id"], "Số liệu mới.", NOW)
        compile_(store, cid)
        head = store.documents.stream(cid, "summary")
    lifecycle.submit(store, ADMIN, head["draft_document_id"], signer.account_id, None, NOW)
    lifecycle.approve(store, signer, head["draft_document_id"], NOW)


@pytest.fixture
def signer(store):
    from helpers import person

    account_id, _ = person(store, "leader", name="Thượng tướng Lê Văn Minh", now=NOW)
    return Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=account_id)


def versions(store, cid) -> list[dict]:
    return [r for r in store.documents.list(cid, limit=100).items if r["kind"] == "summary"]


@pytest.fixture
def world(store):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    return store


def test_defect_5_a_render_killed_mid_way_leaves_no_hole_and_no_version_rendering(world, api, admin_token, signer):
    cid = conference(world)
    compile_(world, cid)  # draft v1
    approved(world, cid, signer)
    with pytest.raises(Crash):  # the process is killed while it renders the issue (v2)
        compile_(world, cid, render=crashing)
    v1, v2 = versions(world, cid)
    assert v2["state"] == "rendering" and not v2.get("number")
    assert world.documents.last_issued("BC-BCA", 2021) == 0  # no number taken
    soon = compile_(world, cid, now=NOW + dt.timedelta(minutes=1))  # v2's claim is still fresh
    assert soon.state == "in_progress" and soon.issued == []
    later = compile_(world, cid, now=NOW + pipeline.STALE_RENDER + dt.timedelta(minutes=1))  # taken over
    assert [(r["version"], r["number"]) for r in later.issued] == [(2, "01/BC-BCA")]
    assert [r["state"] for r in versions(world, cid)] == ["stored", "stored"]
    resp = api.get(f"/v1/conferences/{cid}/documents", token=admin_token)
    assert [(d["version"], d["number"], d["stage"]) for d in resp.data["items"]] == [
        (1, None, "approved"), (2, "01/BC-BCA", "issued")]
    # the series goes on with 02
    other = conference(world)
    compile_(world, other)
    approved(world, other, signer)
    assert compile_(world, other).issued[0]["number"] == "02/BC-BCA"


def test_a_draft_render_killed_mid_way_is_abandoned_by_the_next_draft(world):
    cid = conference(world)
    with pytest.raises(Crash):
        compile_(world, cid, render=crashing)
    put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 15100})  # a figure changes
    second = compile_(world, cid, now=NOW + dt.timedelta(minutes=1))
    assert second.state == "stored" and second.document["version"] == 2 and second.document.get("number") is None
    assert [r["state"] for r in versions(world, cid)] == ["abandoned", "stored"]
    assert world.documents.stream(cid, "summary")["draft_version"] == 2


def test_defect_5_racing_compiles_never_issue_a_number_twice_nor_skip_one(world, signer):
    """12 rounds: two conferences sharing one series are approved (a replacement from the second round
    on), then two compiles race over both (in opposite orders); in some rounds one of them is killed
    mid-render. After every round the issued numbers are exactly 01..N, each once."""
    cids = [conference(world), conference(world)]
    for cid in cids:
        compile_(world, cid)
    rng = random.Random(5)

    def slow(doc) -> bytes:
        threading.Event().wait(rng.random() * 0.02)  # let the two runs interleave
        return render(doc)

    def run(barrier: threading.Barrier, errors: list, order: list[str], dies: bool) -> None:
        barrier.wait()
        try:
            for cid in order:
                compile_(world, cid, render=crashing if dies else slow)
        except Crash:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    at = NOW
    for round_ in range(12):
        for cid in cids:
            if world.documents.stream(cid, "summary")["stage"] != "approved":  # a killed issue stays approved
                approved(world, cid, signer)
        killed = round_ % 5 == 2  # the first run dies on its first render in rounds 2, 7
        barrier, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=run, args=(barrier, errors, cids, killed)),
                   threading.Thread(target=run, args=(barrier, errors, cids[::-1], False))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        at += pipeline.STALE_RENDER + dt.timedelta(minutes=1)
        for cid in cids:  # what a killed run left rendering, once stale
            compile_(world, cid, now=at)
        records = [r for cid in cids for r in versions(world, cid)]
        numbers = sorted(int(r["number"].split("/")[0]) for r in records if r.get("number"))
        assert numbers == list(range(1, len(numbers) + 1)), (round_, numbers)
        assert all(r["state"] == "stored" for r in records if r.get("number")), round_
        assert world.documents.last_issued("BC-BCA", 2021) == len(numbers)
    assert len(numbers) == 2 * 12
