"""Shared by every tier: tokens and open periods for the API, units and reports seeded straight
into the store (the API locks 2021 periods past their deadline), and PDFs read the way a reader would."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from pypdf import PdfReader

from chalicelib.core.clock import SystemClock, iso
from chalicelib.reporting.reports import compute_etag

MM = 72 / 25.4


def issue(store: Any, role: str, name: str = "Kiểm thử", unit_id: str | None = None) -> str:
    from chalicelib.units.tokens import issue_token

    return issue_token(store, role, name, SystemClock().now(), unit_id)["token"]


def person(store: Any, role: str, unit_id: str | None = None, name: str = "Người kiểm thử", *,
           totp: bool = True, status: str = "active", email: str | None = None, now: Any = None,
           enrolment_only: bool = False) -> tuple[str, str]:
    """An account stored directly (no password hashing: fast) and a session of it: (account id, token).

    Staff get a TOTP secret unless `totp=False` (then their session may only enrol a factor)."""
    import secrets as _secrets

    from chalicelib.accounts.sessions import start_session

    now = now or SystemClock().now()
    account_id = _secrets.token_hex(8)
    account = {"id": account_id, "email": email or f"{account_id}@thidua.test", "name": name, "role": role,
               "unit_id": unit_id, "status": status, "passkeys": 0, "created_at": iso(now), "updated_at": iso(now),
               "password_hash": "$argon2id$not-a-real-hash", **({"totp_secret": "JBSWY3DPEHPK3PXP"} if totp else {})}
    store.accounts.create(account)
    opened = start_session(store, account, now, enrolment_only=enrolment_only)
    store.commit()
    return account_id, opened["token"]


FAR_FUTURE = "2099-12-31T23:59:59+07:00"
HISTORICAL_PERIODS = ("2021-05", "2021-06", "2021-07", "2021-08", "2021-Q3", "2020-W53")


def open_period(api: Any, admin_token: str, period: str, deadline: str = FAR_FUTURE) -> None:
    """Set a period's deadline (the 2021 seed periods closed long ago)."""
    resp = api.put(f"/v1/periods/{period}", token=admin_token, body={"deadline": deadline})
    assert resp.status_code == 200, resp.body


def seed_units(store, units) -> None:
    from chalicelib.units.service import etag_of

    at = iso(SystemClock().now())
    for unit_id, name, parent, kind in units:
        unit = {"id": unit_id, "name": name, "parent_id": parent, "kind": kind, "emails": [],
                "created_at": at, "updated_at": at}
        store.units.create({**unit, "etag": etag_of(unit)})


def put_report(store, unit_id: str, period: str, values: dict[str, int], achievements: str = "") -> dict[str, Any]:
    current = store.reports.get(unit_id, period)
    at = iso(SystemClock().now())
    report = {"unit_id": unit_id, "period": period, "period_kind": "month",
              "version": current["version"] + 1 if current else 1, "values": values, "comments": {},
              "achievements": achievements, "submitted_at": at, "first_submitted_at": at,
              "submitted_by": "test", "status": "submitted"}
    report["etag"] = compute_etag(report)
    store.reports.save(report, expected_etag=current["etag"] if current else None)
    return report


def vn_today() -> dt.date:
    from chalicelib.core.periods import VN_TZ

    return dt.datetime.now(VN_TZ).date()


def pdf_pages(data: bytes) -> list[Any]:
    return list(PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pdf_pages(data))


def flat(text: str) -> str:
    return " ".join(text.split())


def positioned_text(page) -> list[tuple[float, float, str]]:
    """(x, y) in PDF points, origin bottom-left, of every text run on a page."""
    items = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            items.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return items


def invoke_concurrently(client: Any, function: str, event: Any, times: int = 2) -> list[Any]:
    """Invoke a Chalice function `times` at once through the test client; the payloads.

    The client swaps `os.environ` for a copy during each invoke, which is not thread-safe:
    two at once can leave the copy in place, so the real one is put back afterwards.
    """
    import os
    import threading

    real_environ = os.environ
    barrier, payloads = threading.Barrier(times), []

    def run() -> None:
        barrier.wait()
        payloads.append(client.lambda_.invoke(function, event).payload)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.environ = real_environ
    return payloads


def together(*calls: Any) -> list[Any]:
    """Run the calls in threads released at the same instant (a barrier); their results, in order.

    The Chalice test client swaps `os.environ` for a copy during each call, which is not
    thread-safe: the real one is put back afterwards, as in `invoke_concurrently`.
    """
    import os
    import threading

    real_environ = os.environ
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    os.environ = real_environ
    return results


class Mailbox:
    """A mailer that keeps what it is given and can be told to fail."""

    def __init__(self, fail_for: set[str] = frozenset()) -> None:
        self.sent: list = []
        self.fail_for = fail_for

    def send(self, message) -> str:
        if message["To"].addresses[0].addr_spec in self.fail_for:
            raise ConnectionError("mail server went away")
        self.sent.append(message)
        return f"m{len(self.sent)}"


class SmtpRecorder:
    """aiosmtpd handler keeping every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class Tarpit:
    """A mail server that never answers (delay None: a relay wedged behind a firewall) or answers
    every line after `delay` seconds. Its port can be reused by a real server once it is closed."""

    def __init__(self, delay: float | None = None) -> None:
        import socket
        import threading

        self.delay = delay
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.connections: list[Any] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(conn)
            if self.delay is not None:
                try:
                    self._drip(conn)
                except OSError:
                    pass

    def _drip(self, conn: Any) -> None:
        import time

        def reply(text: str) -> None:
            time.sleep(self.delay)
            conn.sendall(text.encode() + b"\r\n")

        reply("220 tarpit ESMTP")
        in_data = False
        for line in conn.makefile("rb"):
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    reply("250 OK")
                continue
            verb = line[:4].upper()
            reply({b"EHLO": "250 tarpit", b"DATA": "354 go on", b"QUIT": "221 bye"}.get(verb, "250 OK"))
            in_data = verb == b"DATA"
            if verb == b"QUIT":
                return

    def close(self) -> None:
        self.stopped.set()
        for conn in self.connections:
            conn.close()
        self.thread.join()
        self.listener.close()


def issue_summary(store: Any, conference_id: str, mailer: Any, render: Any, now: Any = None) -> dict[str, Any]:
    """Draft, trình ký, approve and issue a conference's summary with stand-in renderer, signature and DOCX:
    the issued record (what is mailed)."""
    from chalicelib.core.access import Principal
    from chalicelib.core.settings import settings
    from chalicelib.core.states import Role
    from chalicelib.publishing import lifecycle, pipeline

    now = now or SystemClock().now()
    fakes = {"render": render, "sign": lambda pdf, *args: pdf, "docx": lambda doc: b"PK docx"}
    admin = Principal("adm", Role.ADMIN, None, "Văn thư")
    head = store.documents.stream(conference_id, "summary")
    if head is not None and head.get("stage") == "issued":  # issued before: this one replaces it
        lifecycle.replace(store, admin, head["issued_document_id"], "Số liệu mới.", now)
    pipeline.compile_conference(store, conference_id, conf=settings(), now=now, mailer=mailer, **fakes)
    signer_id, _ = person(store, "leader", name="Thượng tướng Lê Văn Minh", now=now)
    draft = store.documents.stream(conference_id, "summary")["draft_document_id"]
    lifecycle.submit(store, admin, draft, signer_id, None, now)
    lifecycle.approve(store, Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=signer_id), draft, now)
    result = pipeline.compile_conference(store, conference_id, conf=settings(), now=now, mailer=mailer, **fakes)
    return result.issued[0]


class Api:
    """The Chalice test client with JSON bodies and bearer tokens."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False) if body is not None else "")
        resp = getattr(self.client.http, method.lower())(path, headers=h, body=data)
        try:
            resp.data = json.loads(resp.body) if resp.body else None
        except ValueError:
            resp.data = None  # a PDF
        return resp

    def __getattr__(self, method: str):
        return lambda path, **kw: self.call(method, path, **kw)
