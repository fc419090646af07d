"""`make demo`: a conference through the HTTP API, then the compile exactly as the
schedule runs it (the CLI, with the stack's environment)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devtools import demo_data
from devtools.stack import ROOT, Http, Stack

CONFERENCE = {
    "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19 của lực lượng Công an nhân dân",
    "date": "2021-08-31",
    "place": "Hà Nội",
    # One month, so that its figures are the seed article's own (Nghệ An: 15.000 citizens
    # escorted, 6.969 penalties) and July is the "previous period" the charts compare with.
    "periods": ["2021-08"],
    "unit_ids": None,
    "recipients": ["Đồng chí Bộ trưởng <botruong@bocongan.example.vn>",
                   "Đồng chí Thứ trưởng thường trực <thutruong@bocongan.example.vn>",
                   "Văn phòng Bộ <vanphong@bocongan.example.vn>"],
    "distribution": ["Đồng chí Bộ trưởng (để báo cáo)", "Các đồng chí Thứ trưởng (để báo cáo)",
                     "Ban Chỉ đạo phòng, chống dịch COVID-19 của Bộ Công an", "Công an các đơn vị, địa phương",
                     "Lưu: VT, VP"],
    "quotas": demo_data.QUOTAS,
    "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"},
}


def _check(status: int, body: object, expected: int, what: str) -> None:
    if status != expected:
        raise SystemExit(f"demo failed: {what} answered {status}: {body}")


def create_conference(admin: Http) -> str:
    status, _, conference = admin.call("POST", "/v1/conferences", CONFERENCE)
    _check(status, conference, 201, "POST /v1/conferences")
    print(f"  hội nghị {conference['id']}: {conference['title']} ({conference['date']}, {conference['place']})")
    return conference["id"]


def compile_now(stack: Stack, admin: Http, cid: str) -> dict:
    """Ask for a compile (202), then run what the schedule runs; returns the CLI's result."""
    status, _, body = admin.call("POST", f"/v1/conferences/{cid}/compile")
    _check(status, body, 202, "POST /v1/conferences/{id}/compile")
    command = [sys.executable, "-m", "chalicelib.cli", "--stage", "test", "compile", "--conference", cid, "--now"]
    print("  " + " ".join(["python", *command[1:]]))
    done = subprocess.run(command, cwd=ROOT, env=stack.env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"demo failed: compile exited {done.returncode}:\n{done.stdout}{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for doc in result["documents"]:
        status, _, verified = Http(stack.api_url).call("GET", f"/v1/documents/{doc['document_id']}/verify")
        _check(status, verified, 200, "GET /v1/documents/{id}/verify")
        signature = verified.get("signature") or {}
        signed = (f"  ký số: {signature.get('signer')} ({'hợp lệ' if signature.get('valid') else 'KHÔNG hợp lệ'})"
                  if signature else "")
        print(f"  {doc['kind']:<48} {verified['stage']:<9} số {doc['number'] or '(dự thảo)':<12} "
              f"mã xác thực {verified['code']}{signed}")
    for address, outcome in result["deliveries"].items():
        print(f"  thư tới {address}: {outcome}")
    return result


def artifact(stack: Stack, result: dict, kind: str) -> Path:
    [doc] = [d for d in result["documents"] if d["kind"] == kind]
    return Path(stack.env["THIDUA_ARTIFACTS"]) / doc["artifact_key"]


def emails(out: Path) -> list[Path]:
    return [p for p in sorted((out / "outbox").glob("*.eml")) if b"X-Thidua-Document" in p.read_bytes()]
