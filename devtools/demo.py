"""`make demo`: the demo ministry end to end, through the HTTP API.

Starts DynamoDB Local and `chalice local`, creates the units of the seed
articles and a token for each, submits their reports over HTTP, runs the
scheduled compile, and leaves the documents and emails under out/.
"""

from __future__ import annotations

import shutil
import sys
import time

from devtools import demo_data
from devtools.dynamodb_local import SetupError
from devtools.stack import ROOT, Http, running_stack

OUT = ROOT / "out"


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

            step("Mở lại các kỳ 2021 để nhập số liệu lịch sử (PUT /v1/periods/{period})")
            open_periods(admin)

            step("Các đơn vị gửi báo cáo (PUT /v1/units/{id}/reports/{period})")
            reports = submit_reports(stack.api_url, tokens)

            step("Dữ liệu đã lưu")
            print_stored(reports)

            step("Hội nghị và báo cáo tổng hợp (POST /v1/conferences, rồi lệnh compile như lịch chạy)")
            from devtools import demo_compile

            pdf, emls = demo_compile.run(stack, admin, OUT)
            print(f"  PDF:  {pdf.relative_to(ROOT)}")
            for eml in emls:
                print(f"  thư:  {eml.relative_to(ROOT)}")
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nXong sau {time.monotonic() - started:.1f} s. Kết quả trong {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
