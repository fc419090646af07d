"""The note of a returned report against a real mail server on loopback that hangs, then recovers:
DynamoDB Local, the HTTP API, SmtpMailer and the reminders run as the schedule runs it."""

from __future__ import annotations

import email.policy
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from helpers import open_period

NOTE = "Số công dân được đón, dẫn chưa khớp với báo cáo của Phòng Cảnh sát quản lý hành chính."


class HungServer:
    """Accepts every connection and never says a word: a relay wedged behind a firewall."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.held.append(conn)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.listener.close()
        for conn in self.held:
            conn.close()


class Recorder:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def hung():
    server = HungServer()
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
    assert hung.held, "the review did try the mail server"

    # The relay is repaired (the same address answers again): the next daily run sends the note, once.
    hung.close()
    handler = Recorder()
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
