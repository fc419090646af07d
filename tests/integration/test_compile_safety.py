"""Compile safety: hostile achievements stay text and fetch nothing; SMTP delivery to a real
aiosmtpd server; a crash mid-send resumes with only the missing recipients.

Two renders for the whole module (the hostile conference's draft, then its issue once approved: only
issued documents are mailed, issue 18); the later tests reuse the issued version, since adding
recipients does not change the document.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import uuid
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from chalicelib.conferences import service
from chalicelib.publishing.pipeline import compile_conference
from chalicelib.conferences.models import ConferenceIn, ConferencePatch
from chalicelib.core.clock import SystemClock
from chalicelib.core.settings import settings
from chalicelib.delivery import OutboxMailer
from chalicelib.documents.render import ASSETS_DIR, asset_fetcher, render_summary_pdf
from chalicelib.store import store_for

from helpers import flat, pdf_text, put_report, seed_units

HOSTILE = 'Ảnh: <img src="file:///etc/passwd"> và <script>alert(1)</script> và {{7*7}} hết.'
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other")]


class Recorder:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def world(ddb, tmp_path_factory, smtp):
    tmp = tmp_path_factory.mktemp("safety")
    env = {"THIDUA_DDB_ENDPOINT": ddb.endpoint, "THIDUA_TABLE": f"t{uuid.uuid4().hex[:12]}",
           "THIDUA_STAGE": "test", "THIDUA_ARTIFACTS": str(tmp / "artifacts"),
           "THIDUA_MAIL": f"smtp://127.0.0.1:{smtp[1]}", "THIDUA_MAIL_FROM": "Văn phòng Bộ <vp@bocongan.example.vn>",
           "THIDUA_PUBLIC_URL": "https://thidua.example.gov.vn", "AWS_DEFAULT_REGION": "ap-southeast-1",
           "THIDUA_SIGNING_DIR": str(tmp / "pki")}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        store = store_for(settings())
        store.ensure_table()
        seed_units(store, UNITS)
        put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000, "violations_detected": 7000,
                                                    "violations_penalised": 6969}, HOSTILE)
        put_report(store, "ca-vinh", "2021-08", {"citizens_escorted": 4200}, "")
        put_report(store, "ca-nghe-an", "2021-07", {"citizens_escorted": 8600}, "")
        conference = service.create_conference(store, None, ConferenceIn.model_validate({
            "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
            "recipients": ["lanhdao@bocongan.example.vn"], "distribution": ["Lãnh đạo Bộ (để báo cáo)"],
            "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Trung tướng Tô Ân Xô"}}), SystemClock().now())
        fetchers = []

        def render(doc):
            fetchers.append(asset_fetcher())
            return render_summary_pdf(doc, fetcher=fetchers[-1])

        compile_conference(store, conference["id"], conf=settings(), now=SystemClock().now(), render=render)
        submit_and_approve(store, conference["id"])
        first = compile_conference(store, conference["id"], conf=settings(), now=SystemClock().now(), render=render)
        yield {"store": store, "tmp": tmp, "conference": conference, "first": first, "fetchers": fetchers,
               "render": render}
        store.delete_table()


def submit_and_approve(store, cid) -> None:
    from chalicelib.core.access import Principal
    from chalicelib.core.states import Role
    from chalicelib.publishing import lifecycle
    from helpers import person

    now = SystemClock().now()
    signer_id, _ = person(store, "leader", name="Trung tướng Tô Ân Xô", now=now)
    draft = store.documents.stream(cid, "summary")["draft_document_id"]
    lifecycle.submit(store, Principal("adm", Role.ADMIN, None, "Văn thư"), draft, signer_id, None, now)
    lifecycle.approve(store, Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=signer_id), draft, now)


def pdf(world) -> bytes:
    return (world["tmp"] / "artifacts" / world["first"].issued[0]["artifact_key"]).read_bytes()


def test_hostile_achievements_print_as_literal_text(world):
    text = flat(pdf_text(pdf(world)))
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert "{{7*7}}" in text and "và 49 hết" not in text


def test_no_url_outside_the_bundled_assets_is_fetched(world):
    assets = ASSETS_DIR.resolve().as_uri() + "/"
    assert len(world["fetchers"]) == 2  # the draft and the issue
    for fetcher in world["fetchers"]:
        assert fetcher.refused == []
        assert fetcher.requested and all(u.startswith((assets, "data:")) for u in fetcher.requested), fetcher.requested
        assert not any("passwd" in u for u in fetcher.requested)


def test_rollup_parent_row_includes_descendants(world):
    text = pdf_text(pdf(world))
    assert "19.200" in text  # Nghệ An 15.000 + Vinh 4.200, its province's row and the ministry total


def test_smtp_delivers_the_compiled_mail_to_a_real_server(world, smtp):
    handler, _ = smtp
    assert world["first"].deliveries == {"lanhdao@bocongan.example.vn": "sent"}
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["lanhdao@bocongan.example.vn"] and envelope.mail_from == "vp@bocongan.example.vn"
    message = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
    assert message.get_content_type() == "multipart/mixed"
    assert message["Subject"].startswith("Báo cáo số 01/BC-BCA: ") and message["Subject"].endswith("- Hội nghị sơ kết")
    [att] = list(message.iter_attachments())
    assert att.get_content_type() == "application/pdf" and att.get_content() == pdf(world)


class Crash(BaseException):
    """A Lambda timeout / kill mid-send: nothing after it runs, no except clause sees it."""


class CrashingMailer:
    def __init__(self, crash_on: int) -> None:
        self.sent, self.crash_on = [], crash_on

    def send(self, message):
        if len(self.sent) + 1 == self.crash_on:
            raise Crash()
        self.sent.append(message["To"])
        return message["Message-ID"]


def test_crash_mid_send_resumes_with_only_the_missing_recipients(world):
    store, cid = world["store"], world["conference"]["id"]
    new = ["a@bocongan.example.vn", "b@bocongan.example.vn", "c@bocongan.example.vn"]
    service.patch_conference(store, None, cid, ConferencePatch(recipients=["lanhdao@bocongan.example.vn", *new]), None, SystemClock().now())
    crashing = CrashingMailer(crash_on=2)
    now = dt.datetime.now(dt.timezone.utc)
    with pytest.raises(Crash):
        compile_conference(store, cid, conf=settings(), now=now, mailer=crashing, render=world["render"])
    assert crashing.sent == ["a@bocongan.example.vn"]
    # A retry right away leaves the interrupted claim alone (it may still be sending) ...
    soon = OutboxMailer(world["tmp"] / "soon")
    result = compile_conference(store, cid, conf=settings(), now=now + dt.timedelta(minutes=1), mailer=soon, render=world["render"])
    assert result.deliveries == {"lanhdao@bocongan.example.vn": "already_sent", "a@bocongan.example.vn": "already_sent",
                                 "b@bocongan.example.vn": "in_progress", "c@bocongan.example.vn": "sent"}
    # ... and once it is stale, only b is sent, with the same Message-ID as the interrupted attempt.
    late = OutboxMailer(world["tmp"] / "late")
    result = compile_conference(store, cid, conf=settings(), now=now + dt.timedelta(minutes=6), mailer=late, render=world["render"])
    assert result.created is False and result.failed == []
    assert [k for k, v in result.deliveries.items() if v == "sent"] == ["b@bocongan.example.vn"]
    assert len(list((world["tmp"] / "late").glob("*.eml"))) == 1
    assert len(world["fetchers"]) == 2  # no new render: the recipients are not part of the document
    record = store.documents.get(world["first"].issued[0]["document_id"])
    states = {d["email"]: (d["state"], d["attempts"]) for d in store.documents.deliveries(record["document_id"])}
    assert states["b@bocongan.example.vn"] == ("sent", 2)
