"""Document numbers on DynamoDB Local: a number is issued only with a stored version, so a
render killed mid-way leaves no hole in the series and no version "rendering" for ever, and
compiles racing on one series never issue a number twice nor skip one."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest

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
    return f"%PDF-1.7 {type(doc).__name__} {doc.number} {doc.title}".encode()


def crashing(doc) -> bytes:
    raise Crash(doc.number)


def conference(store, recipients=("lanhdao@bca.vn",)) -> str:
    return service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": list(recipients),
        "number_prefix": "BC-BCA", "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), NOW)["id"]


def compile_(store, cid, now=NOW, render=render, mailer=None):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=mailer or Mailbox(),
                                       render=render)


def versions(store, cid) -> list[dict]:
    return [r for r in store.documents.list(cid, limit=100).items if r["kind"] == "summary"]


@pytest.fixture
def world(store):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    return store


def test_defect_5_a_render_killed_mid_way_leaves_no_hole_and_no_version_rendering(world, api, admin_token):
    cid = conference(world)
    with pytest.raises(Crash):  # the API process is killed while it renders version 1
        compile_(world, cid, render=crashing)
    [v1] = versions(world, cid)
    assert v1["state"] == "rendering"
    put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 15100})  # a figure changes
    second = compile_(world, cid, now=NOW + dt.timedelta(minutes=1))  # v1's claim is still fresh
    assert second.state == "stored" and second.created
    assert (second.document["version"], second.document["number"]) == (2, "01/BC-BCA")
    v1, v2 = versions(world, cid)
    assert v1["state"] == "abandoned" and not v1.get("number")  # superseded: its number was never taken
    assert v2["state"] == "stored" and v2["number"] == "01/BC-BCA"
    # Once v1's claim is stale nothing takes it over: it stays abandoned, v2 stays the document.
    later = compile_(world, cid, now=NOW + pipeline.STALE_RENDER + dt.timedelta(minutes=1))
    assert not later.created and later.document["version"] == 2
    assert [r["state"] for r in versions(world, cid)] == ["abandoned", "stored"]
    # The API shows one document, numbered 01, and the series goes on with 02.
    resp = api.get(f"/v1/conferences/{cid}/documents", token=admin_token)
    assert resp.status_code == 200, resp.body
    assert [(d["kind"], d["version"], d["number"]) for d in resp.data["items"]] == [("summary", 2, "01/BC-BCA")]
    assert resp.data["items"][0]["sha256"] == second.document["sha256"]
    verify = api.get(f"/v1/documents/{second.document['document_id']}/verify")
    assert verify.status_code == 200 and verify.data["current"] is True
    assert api.get(f"/v1/documents/{v1['document_id']}/verify").status_code == 404
    assert compile_(world, conference(world)).document["number"] == "02/BC-BCA"


def test_defect_5_racing_compiles_never_issue_a_number_twice_nor_skip_one(world):
    """20 rounds: a figure changes, then two compiles race over two conferences sharing one
    series (each compiles both, in opposite orders); in some rounds one of them is killed
    mid-render. After every round the stored numbers are exactly 01..N."""
    cids = [conference(world), conference(world)]
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

    for round_ in range(20):
        put_report(world, "ca-nghe-an", "2021-08", {"citizens_escorted": 20000 + round_})
        killed = round_ % 6 == 2  # the first run dies on its first render in rounds 2, 8, 14
        barrier, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=run, args=(barrier, errors, cids, killed)),
                   threading.Thread(target=run, args=(barrier, errors, cids[::-1], False))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        records = [r for cid in cids for r in versions(world, cid)]
        numbers = sorted(int(r["number"].split("/")[0]) for r in records if r["state"] == "stored")
        assert numbers == list(range(1, len(numbers) + 1)), (round_, numbers)
        assert all(not r.get("number") for r in records if r["state"] != "stored"), round_
        # Only the newest version of a conference may still be rendering (a killed run's, this round).
        for cid in cids:
            *older, newest = versions(world, cid)
            assert all(r["state"] in ("stored", "abandoned") for r in older), (round_, older)
            assert newest["state"] == "stored" or (killed and newest["state"] == "rendering"), (round_, newest)
    assert len(numbers) >= 2 * 20 - 3  # both documents every round, but for one where a run was killed
