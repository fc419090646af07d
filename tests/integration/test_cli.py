"""Operator commands against DynamoDB Local, in their own processes, as the schedule runs them."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path


def outbox(env) -> list[email.message.EmailMessage]:
    folder = Path(env["THIDUA_MAIL"].removeprefix("outbox:"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def make_unit(api, admin, unit_id, name, parent=None, kind="province"):
    resp = api.post("/v1/units", token=admin, body={"id": unit_id, "name": name, "parent_id": parent,
                                                   "kind": kind, "emails": [f"{unit_id}@example.vn"]})
    assert resp.status_code == 201, resp.body


def test_remind_cli_runs_what_the_schedule_runs(api, admin_token, env):
    make_unit(api, admin_token, "bo-cong-an", "Bộ Công an", kind="ministry")
    for unit_id, name in (("ca-a", "Công an tỉnh An Giang"), ("ca-b", "Công an tỉnh Bắc Giang"),
                          ("ca-c", "Công an tỉnh Cà Mau")):
        make_unit(api, admin_token, unit_id, name, "bo-cong-an")
    cmd = [sys.executable, "-m", "chalicelib.cli", "--stage", "test", "remind", "--now", "2021-09-15T09:00:00+07:00"]
    first = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "3 nhắc nhở đã gửi" in first.stdout and "overdue  2021-08  ca-a" in first.stdout
    second = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    assert "0 nhắc nhở đã gửi, 3 đã gửi trước đó" in second.stdout
    assert len(outbox(env)) == 3


def test_admin_token_cli_prints_a_working_token(api, env):
    done = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--stage", "test", "admin-token"],
                          env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    me = api.get("/v1/me", token=token)
    assert me.status_code == 200 and me.data["role"] == "admin"
