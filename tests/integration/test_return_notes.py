"""The note of a returned report against a real mail server on loopback that hangs, then recovers:
DynamoDB Local, the HTTP API, SmtpMailer and the reminders run as the schedule runs it."""

from __future__ import annotations

import email.policy
import time
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from helpers import SmtpRecorder, Tarpit, open_period

NOTE = "Số công dân được đón, dẫn chưa khớp với báo cáo của Phòng Cảnh sát quản lý hành chính."


@pytest.fixture
def hung():
    server = Tarpit()
    yield server
    server.close()


def test_defect_9_a_hung_mail_server_neither_holds_the_review_nor_loses_the_note(api, admin_token, env, clock,
                                                                                  monkeypatch, hung):
    from chalicelib.reporting.reminders import run_from_environment

    monkeypatch.setenv("THIDUA_MAIL", f"smtp://127.0.0.1:{hung.port}")
    monkeypatch.setenv("THIDUA_MAIL_FROM", "Văn phòng Bộ <vp@bocongan.example.vn>")
    monkeypatch.delenv("THIDUA_SMTP_TIMEOUT", raising=False)  # the default bound
    open_period(api, admin_token, "2021-08")
    assert api.post("/v1/units", token=admin_token, body={
        "id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An", "kind": "province",
        "emails": ["ca-nghe-an@example.vn"]}).status_code == 201
    unit = api.post("/v1/units/ca-nghe-an/tokens", token=admin_token, body={}).data["token"]
    assert api.put("/v1/units/ca-nghe-an/reports/2021-08", token=unit,
                   body={"values": {"checkpoints": 40}}).status_code == 201

    started = time.monotonic()
    returned = api.post("/v1/units/ca-nghe-an/reports/2021-08/review", token=admin_token,
                        body={"action": "return", "note": NOTE})
    took = time.monotonic() - started
    assert returned.status_code == 200, returned.body
    assert took < 8, f"the review waited {took:.1f} s on the mail server"
    assert returned.data["status"] == "returned" and returned.data["review"]["note"] == NOTE
    assert returned.data["notified"] is False
    shown = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=unit)
    assert shown.data["status"] == "returned" and shown.data["review"]["note"] == NOTE
    assert hung.connections, "the review did try the mail server"

    # The relay is repaired (the same address answers again): the next daily run sends the note, once.
    hung.close()
    handler = SmtpRecorder()
    relay = Controller(handler, hostname="127.0.0.1", port=hung.port)
    relay.start()
    try:
        next_morning = datetime(2021, 8, 21, 1, 0, tzinfo=timezone.utc)
        first = run_from_environment(next_morning)
        notes = [e for e in handler.envelopes if "trả lại" in _parsed(e)["Subject"]]
        second = run_from_environment(next_morning + timedelta(days=1))
    finally:
        relay.stop()
    assert [u for u, *_ in first.notes_sent] == ["ca-nghe-an"] and not first.notes_failed
    [envelope] = notes
    assert envelope.rcpt_tos == ["ca-nghe-an@example.vn"]
    message = _parsed(envelope)
    assert NOTE in message.get_body(preferencelist=("plain",)).get_content()
    assert second.notes_sent == [] and second.sent == []
    assert len(handler.envelopes) == len(first.sent) + 1  # nothing more on the second run


def _parsed(envelope: Any) -> Any:
    return BytesParser(policy=email.policy.default).parsebytes(envelope.original_content)
