"""The operator commands docs/deploy.md gives for a deployed stage."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from chalicelib import cli
from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from chalicelib.store import store_for

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)


class Mailbox:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, message) -> str:
        self.sent.append(message)
        return f"m{len(self.sent)}"


def render(doc) -> bytes:
    """Stands in for WeasyPrint."""
    return f"%PDF-1.7 {doc.number} {doc.title}".encode()


def run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "THIDUA_"))}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true", AWS_REGION="ap-southeast-1")
    return subprocess.run([sys.executable, "-m", "chalicelib.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_admin_token_for_a_deployed_stage_uses_its_table_and_never_creates_one(tmp_path):
    done = run_cli("--stage", "prod", "admin-token", tmp_path=tmp_path)  # no credentials here
    assert done.returncode == 2 and done.stdout == ""
    assert "cannot use the table thidua-prod in ap-southeast-1" in done.stderr and "docs/deploy.md" in done.stderr


def test_compile_for_a_deployed_stage_points_at_its_lambda(tmp_path):
    done = run_cli("--stage", "prod", "compile", "--conference", "x", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "aws lambda invoke --function-name thidua-prod-compile_conference" in done.stderr
    assert "THIDUA_ARTIFACTS" in done.stderr


def test_resend_makes_the_next_compile_send_the_document_again(monkeypatch, tmp_path, capsys):
    from chalicelib.conferences import service
    from chalicelib.conferences.models import ConferenceIn
    from helpers import issue_summary, put_report, seed_units

    monkeypatch.setenv("THIDUA_STORE", "memory")
    monkeypatch.setenv("THIDUA_TABLE", "resend-test")
    monkeypatch.setenv("THIDUA_ARTIFACTS", str(tmp_path / "artifacts"))
    store = store_for(settings())
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    cid = service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": ["a@bca.vn", "b@bca.vn"],
        "number_prefix": "BC-BCA", "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), NOW)["id"]
    mailbox = Mailbox()
    # issue 18: only an issued document is mailed (a draft, submitted and approved, then compiled)
    issue_summary(store, cid, mailbox, render)
    assert len(mailbox.sent) == 2
    doc = store.documents.stream(cid, "summary")["issued_document_id"]

    assert cli.main(["--stage", "test", "resend", "--document", doc, "--to", "A@bca.vn"]) == 0
    assert "sẽ gửi lại" in capsys.readouterr().out
    again = pipeline.compile_conference(store, cid, conf=settings(), now=NOW + dt.timedelta(minutes=5),
                                        mailer=mailbox, render=render, sign=lambda pdf, *a: pdf,
                                        docx=lambda doc: b"PK")
    assert again.deliveries == {"a@bca.vn": "sent", "b@bca.vn": "already_sent"} and len(mailbox.sent) == 3
    assert cli.main(["--stage", "test", "resend", "--document", doc, "--to", "nobody@bca.vn"]) == 2
