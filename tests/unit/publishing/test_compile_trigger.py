"""POST /v1/conferences/{id}/compile starts the compile at once: an asynchronous Lambda invoke on AWS,
a background worker locally; the recorded request (and the schedule) stays the safety net.
Fakes throughout: a Lambda client that records, a renderer and a mailbox that keep what they get."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import threading

import pytest

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.clock import iso
from chalicelib.core.settings import settings
from chalicelib.publishing.pipeline import CompileFailed
from chalicelib.bootstrap import services
from chalicelib.publishing.trigger import Worker, run_requested, start_compile
from helpers import Mailbox, issue_summary, person, put_report, seed_units

FAKES = {"sign": lambda pdf, *args: pdf, "docx": lambda doc: b"PK docx"}

FUNCTION = "thidua-dev-compile_conference"
NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Hà Nội, three days before


def render(doc) -> bytes:
    """Stands in for WeasyPrint."""
    return f"%PDF-1.7 {doc.number} {doc.title}".encode()


def conference(store) -> dict:
    return service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "recipients": ["a@bca.vn", "b@bca.vn"], "number_prefix": "BC-BCA",
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), NOW)


@pytest.fixture
def world(store):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    return store


class FakeLambda:
    """Records each invoke; answers like Lambda does to an asynchronous one (or as told)."""

    def __init__(self, status: int = 202, error: Exception | None = None) -> None:
        self.calls: list[dict] = []
        self.status, self.error = status, error

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        return {"StatusCode": self.status}


@pytest.fixture
def logged(caplog):
    """What `thidua.compile` logs. Chalice stops its app logger ("thidua") propagating, so caplog's
    handler is attached to ours directly."""
    log = logging.getLogger("thidua.compile")
    caplog.set_level(logging.INFO, logger="thidua.compile")
    log.addHandler(caplog.handler)
    yield caplog
    log.removeHandler(caplog.handler)


def conf_with(**changes):
    return dataclasses.replace(settings(), **changes)


def requests(store) -> dict[str, str]:
    return {r["conference_id"]: r["requested_at"] for r in store.conferences.compile_requests()}


# -- "lambda" ---------------------------------------------------------------------------

def test_lambda_trigger_invokes_the_compile_function_asynchronously(store):
    fake = FakeLambda()
    made_for = []

    def factory(conf):
        made_for.append(conf.region)
        return fake

    conf = conf_with(compile_trigger="lambda", compile_function=FUNCTION)
    assert start_compile(conf, "20210831-abc123", NOW, lambda_client=factory) == "invoked"
    [call] = fake.calls
    assert call["FunctionName"] == FUNCTION and call["InvocationType"] == "Event"
    assert json.loads(call["Payload"]) == {"conference_id": "20210831-abc123"}
    assert made_for == [conf.region]


@pytest.mark.parametrize("fake", [FakeLambda(error=ConnectionError("endpoint unreachable")),
                                  FakeLambda(status=500)], ids=["raises", "refused"])
def test_a_failed_invoke_falls_back_to_the_schedule(store, fake, logged):
    conf = conf_with(compile_trigger="lambda", compile_function=FUNCTION)
    assert start_compile(conf, "20210831-abc123", NOW, lambda_client=lambda _: fake) == "scheduled"
    assert len(fake.calls) == 1 and "left to the schedule" in logged.text


def test_lambda_trigger_without_a_function_name_leaves_it_to_the_schedule(store):
    def factory(conf):
        raise AssertionError("no client is made without a function to invoke")

    assert start_compile(conf_with(compile_trigger="lambda"), "c", NOW, lambda_client=factory) == "scheduled"


@pytest.mark.parametrize("mode", ["none", "", "bogus"])
def test_no_trigger_leaves_it_to_the_schedule(store, mode):
    worker = Worker(job=lambda *a: pytest.fail("nothing runs"))
    assert start_compile(conf_with(compile_trigger=mode), "c", NOW, lambda_client=lambda _: pytest.fail("no client"),
                         worker=worker) == "scheduled"


# -- "thread" ---------------------------------------------------------------------------

def test_thread_trigger_compiles_in_the_background_once_per_data_version(world):
    cid = conference(world)["id"]
    mailbox = Mailbox()
    worker = Worker(job=functools.partial(run_requested, store=world, render=render, mailer=mailbox, **FAKES))
    conf = conf_with(compile_trigger="thread")

    service.request_compile(world, cid, NOW)
    assert start_compile(conf, cid, NOW, worker=worker) == "started"
    worker.join()
    doc = world.documents.latest(cid, "summary")
    # issue 18: a compile makes an unnumbered draft and mails nobody
    assert doc["state"] == "stored" and doc["version"] == 1 and doc.get("number") is None
    assert len(mailbox.sent) == 0 and requests(world) == {}

    # unchanged data: asked again, nothing new is rendered or sent
    later = NOW + dt.timedelta(minutes=1)
    service.request_compile(world, cid, later)
    assert start_compile(conf, cid, later, worker=worker) == "started"
    worker.join()
    assert world.documents.latest(cid, "summary")["document_id"] == doc["document_id"]
    assert len(mailbox.sent) == 0 and requests(world) == {}


def test_the_worker_queues_a_conference_once_while_it_waits_and_again_while_it_runs():
    running, release = threading.Event(), threading.Event()
    runs: list[tuple[str, dt.datetime]] = []

    def job(conf, cid, now):
        runs.append((cid, now))
        running.set()
        assert release.wait(5)

    worker, conf = Worker(job=job), settings()
    assert worker.submit(conf, "a", NOW)
    assert running.wait(5)                    # "a" is being compiled
    assert worker.submit(conf, "a", NOW)      # its data may have changed since: queued again
    assert not worker.submit(conf, "a", NOW)  # already waiting: not twice
    assert worker.submit(conf, "b", NOW)
    release.set()
    worker.join()
    assert [cid for cid, _ in runs] == ["a", "a", "b"]
    assert all(now >= NOW for _, now in runs)  # the request's clock, advanced by the wait


def test_a_failing_background_compile_is_logged_and_the_worker_goes_on(logged):
    done = []

    def job(conf, cid, now):
        if cid == "bad":
            raise RuntimeError("renderer crashed")
        done.append(cid)

    worker = Worker(job=job)
    worker.submit(settings(), "bad", NOW)
    worker.submit(settings(), "good", NOW)
    worker.join()
    assert done == ["good"] and "background compile of bad failed" in logged.text


# -- run_requested: what both the worker and the Lambda function run ---------------------

def test_a_request_recorded_during_the_compile_is_kept_for_the_next_run(world):
    cid = conference(world)["id"]
    service.request_compile(world, cid, NOW)
    newer = NOW + dt.timedelta(seconds=30)

    def render_while_asked_again(doc):
        service.request_compile(world, cid, newer)  # an admin changed data and asked again meanwhile
        return render(doc)

    result = run_requested(settings(), cid, NOW, store=world, render=render_while_asked_again, mailer=Mailbox())
    assert result.state == "stored" and result.created
    assert requests(world) == {cid: iso(newer)}


def test_an_undelivered_recipient_raises_and_keeps_the_request(world):
    cid = conference(world)["id"]
    flaky = Mailbox(fail_for={"b@bca.vn"})
    issue_summary(world, cid, flaky, render, NOW)  # issued (and sent to a@ only)
    service.request_compile(world, cid, NOW)
    with pytest.raises(CompileFailed, match="b@bca.vn"):
        run_requested(settings(), cid, NOW, store=world, render=render, mailer=Mailbox(fail_for={"b@bca.vn"}), **FAKES)
    assert cid in requests(world)
    # the retry (Lambda's, or the schedule's) sends only what is missing, then clears the request
    mailbox = Mailbox()
    result = run_requested(settings(), cid, NOW, store=world, render=render, mailer=mailbox, **FAKES)
    assert result.deliveries == {"a@bca.vn": "already_sent", "b@bca.vn": "sent"} and len(mailbox.sent) == 1
    assert requests(world) == {}


# -- the route --------------------------------------------------------------------------

def test_post_compile_starts_the_background_worker_and_answers_202(api, admin_token, world, monkeypatch, clock):
    mailbox = Mailbox()
    worker = Worker(job=functools.partial(run_requested, render=render, mailer=mailbox, **FAKES))
    monkeypatch.setattr(services, "worker", worker)
    monkeypatch.setenv("THIDUA_COMPILE_TRIGGER", "thread")
    cid = conference(world)["id"]

    resp = api.post(f"/v1/conferences/{cid}/compile", token=admin_token)
    assert resp.status_code == 202 and resp.data["status"] == "started"
    assert resp.headers["Location"] == f"/v1/conferences/{cid}/documents"
    worker.join()
    docs = api.get(f"/v1/conferences/{cid}/documents", token=admin_token).data["items"]
    # issue 18: the compile makes a draft (no number, no mail) ...
    assert [(d["kind"], d["version"], d["number"], d["stage"]) for d in docs] == [("summary", 1, None, "draft")]
    assert len(mailbox.sent) == 0 and requests(world) == {}
    # ... and the signer's approval starts the compile that issues and sends it
    signer_id, signer = person(world, "leader", name="Thượng tướng Lê Văn Minh", now=clock.now())
    doc_id = docs[0]["document_id"]
    submitted = api.post(f"/v1/documents/{doc_id}/submit", token=admin_token, body={"signer_account_id": signer_id})
    assert submitted.status_code == 200 and submitted.data["stage"] == "submitted", submitted.data
    worker.join()
    approved = api.post(f"/v1/documents/{doc_id}/approve", token=signer)
    assert approved.status_code == 202 and approved.data["stage"] == "approved"
    worker.join()
    docs = api.get(f"/v1/conferences/{cid}/documents", token=admin_token).data["items"]
    assert [(d["version"], d["number"], d["stage"], d["current"]) for d in docs] == [
        (1, None, "approved", False), (2, "01/BC-BCA", "issued", True)]
    assert len([m for m in mailbox.sent if m["Subject"].startswith("Báo cáo số 01/BC-BCA")]) == 2
    assert requests(world) == {}


def test_post_compile_invokes_the_compile_function_on_aws(api, admin_token, world, monkeypatch):
    fake = FakeLambda()
    monkeypatch.setattr(services, "lambda_client", lambda conf: fake)
    monkeypatch.setenv("THIDUA_COMPILE_TRIGGER", "lambda")
    monkeypatch.setenv("THIDUA_COMPILE_FUNCTION", FUNCTION)
    cid = conference(world)["id"]

    resp = api.post(f"/v1/conferences/{cid}/compile", token=admin_token)
    assert resp.status_code == 202 and resp.data["status"] == "started"
    assert [json.loads(c["Payload"]) for c in fake.calls] == [{"conference_id": cid}]
    assert cid in requests(world)  # recorded before the invoke: cleared by the compile function


def test_post_compile_still_202_and_recorded_when_the_invoke_fails(api, admin_token, world, monkeypatch):
    fake = FakeLambda(error=ConnectionError("throttled"))
    monkeypatch.setattr(services, "lambda_client", lambda conf: fake)
    monkeypatch.setenv("THIDUA_COMPILE_TRIGGER", "lambda")
    monkeypatch.setenv("THIDUA_COMPILE_FUNCTION", FUNCTION)
    cid = conference(world)["id"]

    resp = api.post(f"/v1/conferences/{cid}/compile", token=admin_token)
    assert resp.status_code == 202 and resp.data["status"] == "queued"
    assert len(fake.calls) == 1 and cid in requests(world)


def test_an_unknown_conference_is_404_and_triggers_nothing(api, admin_token, store, monkeypatch):
    fake = FakeLambda()
    monkeypatch.setattr(services, "lambda_client", lambda conf: fake)
    monkeypatch.setenv("THIDUA_COMPILE_TRIGGER", "lambda")
    monkeypatch.setenv("THIDUA_COMPILE_FUNCTION", FUNCTION)
    assert api.post("/v1/conferences/20990101-nothere/compile", token=admin_token).status_code == 404
    assert fake.calls == [] and requests(store) == {}


def test_the_compile_function_is_wired_in_app(world, monkeypatch):
    """The Lambda handler runs `run_requested`; a missing conference raises (Lambda retries, then gives up)."""
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="test") as client:
        assert "compile_conference" in app_module.app.handler_map
        with pytest.raises(Exception, match="nothere"):
            client.lambda_.invoke("compile_conference", {"conference_id": "20990101-nothere"})
