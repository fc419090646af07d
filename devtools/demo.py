"""`make demo`: the demo ministry end to end, through the HTTP API.

Starts DynamoDB Local and `chalice local`, creates the units of the seed
articles and a token for each, submits their reports over HTTP, nominates and
decides, compiles the drafts, writes the assessment, submits every document to
its signer (trình ký), approves as the signers, compiles again (ban hành: numbered,
signed, DOCX; gửi), and leaves the documents and emails under out/.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from devtools import demo_data
from devtools.dynamodb_local import SetupError
from devtools.stack import ROOT, Http, running_stack

OUT = Path(os.environ.get("THIDUA_DEMO_OUT") or ROOT / "out")  # tests point it at a temporary folder


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def check(status: int, body: object, expected: tuple[int, ...], what: str) -> None:
    if status not in expected:
        raise SystemExit(f"demo failed: {what} answered {status}: {body}")


def seed_units(admin: Http) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for i, (unit_id, name, parent, kind) in enumerate(demo_data.UNITS, 1):
        status, _, body = admin.call("POST", "/v1/units", {"id": unit_id, "name": name, "parent_id": parent,
                                                         "kind": kind, "emails": demo_data.emails(unit_id)})
        check(status, body, (201,), f"POST /v1/units {unit_id}")
        status, _, body = admin.call("POST", f"/v1/units/{unit_id}/tokens", {})
        check(status, body, (201,), f"POST /v1/units/{unit_id}/tokens")
        tokens[unit_id] = body["token"]
        print(f"  [{i:2}/{len(demo_data.UNITS)}] {name}")
    return tokens


def open_periods(admin: Http) -> None:
    # The seed periods closed in 2021; the office reopens them for entering the history.
    for period in demo_data.REPORTS:
        status, _, body = admin.call("PUT", f"/v1/periods/{period}", {"deadline": demo_data.REOPENED_UNTIL})
        check(status, body, (200,), f"PUT /v1/periods/{period}")
        print(f"  {body['label']}: hạn nộp {body['deadline']}")


def submit_reports(base: str, tokens: dict[str, str]) -> list[dict]:
    stored = []
    for period, by_unit in demo_data.REPORTS.items():
        for unit_id, (values, achievements) in by_unit.items():
            unit = Http(base, tokens[unit_id])
            status, headers, body = unit.call(
                "PUT", f"/v1/units/{unit_id}/reports/{period}",
                {"values": values, "comments": {}, "achievements": achievements},
                {"Idempotency-Key": f"demo-{unit_id}-{period}"})
            check(status, body, (201, 200), f"PUT report {unit_id} {period}")
            stored.append(body)
            print(f"  {period}  {unit_id:<20} v{body['version']}  ETag {headers['ETag']}")
    return stored


def print_stored(reports: list[dict]) -> None:
    codes = ("citizens_escorted", "violations_warned", "violations_penalised")
    print(f"  {'kỳ':<8} {'đơn vị':<20} " + " ".join(f"{c:>22}" for c in codes))
    for r in reports:
        cells = " ".join(f"{r['values'].get(c, '-'):>22}" for c in codes)
        print(f"  {r['period']:<8} {r['unit_id']:<20} {cells}")


def main() -> int:
    started = time.monotonic()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    extra = {"THIDUA_ARTIFACTS": str(OUT / "documents"), "THIDUA_MAIL": f"outbox:{OUT / 'outbox'}"}
    step("Khởi động DynamoDB Local và API (chalice local)")
    try:
        with running_stack(extra_env=extra) as stack:
            print(f"  API {stack.api_url}   DynamoDB Local {stack.ddb.endpoint}")
            from chalicelib.core.clock import SystemClock
            from chalicelib.core.settings import settings
            from chalicelib.store import store_for
            from chalicelib.units.tokens import issue_token

            store = store_for(settings(stack.env))
            admin = Http(stack.api_url, issue_token(store, "admin", "Quản trị (demo)", SystemClock().now())["token"])

            step("Tạo các đơn vị của Bộ và mã truy cập (POST /v1/units, /v1/units/{id}/tokens)")
            tokens = seed_units(admin)

            step("Tài khoản người dùng thử: quản trị, lãnh đạo (có TOTP), văn thư hai đơn vị")
            from devtools.demo_accounts import create_demo_accounts, sign_in_help

            people = create_demo_accounts(store)
            for person in people:
                print(f"  {person['email']:<30} {person['name']} ({person['role']})")

            step("Mở lại các kỳ 2021 để nhập số liệu lịch sử (PUT /v1/periods/{period})")
            open_periods(admin)

            step("Các đơn vị gửi báo cáo (PUT /v1/units/{id}/reports/{period})")
            reports = submit_reports(stack.api_url, tokens)

            step("Dữ liệu đã lưu")
            print_stored(reports)

            from devtools import demo_awards, demo_compile, demo_register

            step("Nhập sổ theo dõi khen thưởng năm 2020 từ tệp Excel (POST /v1/register/imports, …/confirm)")
            demo_register.import_past_awards(admin)

            step("Hội nghị (POST /v1/conferences)")
            cid = demo_compile.create_conference(admin)

            step("Các đơn vị đề nghị khen thưởng (POST /v1/units/{id}/nominations)")
            nominations = demo_awards.nominate(stack, tokens, cid)

            step("Lãnh đạo chấm điểm theo tiêu chí (POST /v1/nominations/{id}/scores)")
            demo_awards.score(stack, admin, nominations)

            step("Xếp hạng và quyết định trong chỉ tiêu (GET .../shortlist, POST .../decisions)")
            demo_awards.decide(admin, cid)

            step("Chốt danh sách khen thưởng (POST /v1/conferences/{id}/finalise)")
            demo_awards.finalise(admin, cid)

            from devtools import demo_documents

            step("Tổng hợp lần 1: các bản dự thảo (không số, không gửi thư)")
            demo_compile.compile_now(stack, admin, cid)

            step("Văn phòng viết phần đánh giá của báo cáo (PATCH /v1/conferences/{id})")
            demo_documents.write_assessment(admin, cid)

            step("Tổng hợp lần 2: dự thảo mới của báo cáo (có phần đánh giá)")
            demo_compile.compile_now(stack, admin, cid)

            step("Tài khoản người ký (lãnh đạo Bộ, Chánh Văn phòng, Giám đốc Công an tỉnh Bình Dương)")
            signers = demo_documents.create_signers(store)

            step("Trình ký (POST /v1/documents/{id}/submit): mỗi người ký nhận một thư kèm dự thảo")
            demo_documents.submit_all(admin, cid, signers)

            step("Người ký đăng nhập và duyệt (POST /v1/sessions, GET /v1/signing-requests, POST …/approve)")
            demo_documents.approve_all(stack, signers)

            step("Tổng hợp lần 3: ban hành (số, ngày ban hành, ký số, DOCX) và gửi")
            demo_compile.compile_now(stack, admin, cid)

            step("Sổ theo dõi khen thưởng sau khi ban hành (GET /v1/register)")
            demo_register.print_size(admin)

            step("Kết quả")
            for what, pdf, docx in demo_documents.files(stack, admin, cid):
                print(f"  {what}")
                print(f"    PDF:  {shown(pdf)}")
                if docx is not None:
                    print(f"    DOCX: {shown(docx)}")
            workbook = demo_awards.save_workbook(stack, admin, cid, OUT)
            print(f"  bảng tính: {shown(workbook)}")
            for what, eml in demo_documents.emails(OUT):
                print(f"  thư {what}")
                print(f"    {shown(eml)}")
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nXong sau {time.monotonic() - started:.1f} s. Kết quả trong {shown(OUT)}/")
    print("\nDùng thử cổng thông tin: chạy `make serve` (tạo sẵn các đơn vị và tài khoản thử), rồi đăng nhập:")
    print(sign_in_help(people))
    return 0


if __name__ == "__main__":
    sys.exit(main())
