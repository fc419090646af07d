"""Operator commands: `python -m chalicelib.cli [--stage S] admin-token | remind | compile | resend | sum-figures |
backfill`.

Run outside Lambda, the CLI takes its configuration from the chosen Chalice
stage in .chalice/config.json (default `local`), under any THIDUA_* variables
already set in the environment. With a deployed stage (`--stage prod`) it works on that
stage's table in AWS_REGION (default ap-southeast-1) with the caller's AWS credentials:
`admin-token` and `resend` need only the table; compiling and reminding run in Lambda
there (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from chalicelib.core.settings import settings
from chalicelib.bootstrap import services

CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"


def load_stage_env(stage: str) -> None:
    if not CONFIG.exists():
        return
    config = json.loads(CONFIG.read_text())
    env = {**config.get("environment_variables", {}),
           **config.get("stages", {}).get(stage, {}).get("environment_variables", {})}
    for key, value in env.items():
        os.environ.setdefault(key, value)


def _in_aws(conf) -> bool:
    return conf.dynamodb_endpoint is None and conf.store == "dynamodb"


def _store_or_exit():
    conf = settings()
    store = services.store(conf)
    try:
        if _in_aws(conf):
            # A deployed table belongs to its CloudFormation stack (point-in-time recovery, deletion
            # protection): never create one here, e.g. in the wrong region.
            store.table.client.describe_table(TableName=conf.table_name)
        else:
            store.ensure_table()
    except Exception as exc:  # botocore's EndpointConnectionError, NoCredentialsError and friends
        if _in_aws(conf):
            print(f"error: cannot use the table {conf.table_name} in {conf.region}: {exc}\n"
                  "Is the stage deployed in that region (AWS_REGION) and are AWS credentials set? See docs/deploy.md",
                  file=sys.stderr)
        else:
            print(f"error: cannot reach DynamoDB at {conf.dynamodb_endpoint or 'memory'}: {exc}\n"
                  "Start the local stack first: make serve (or python -m devtools.dynamodb_local run)",
                  file=sys.stderr)
        raise SystemExit(2)
    return store


def _runs_here_or_exit(command: str) -> None:
    """Compiling and reminding need the stage's bucket and mail: in AWS they run in Lambda."""
    unresolved = sorted(k for k, v in os.environ.items() if k.startswith("THIDUA_") and "${" in v)
    if unresolved:
        stage = os.environ.get("THIDUA_STAGE", "?")
        function = {"compile": "compile_conference", "remind": "send_reminders"}[command]
        print(f"error: {command} for the deployed stage {stage} runs in Lambda ({', '.join(unresolved)} are "
              f"resolved by CloudFormation there):\n"
              f"  aws lambda invoke --function-name thidua-{stage}-{function} "
              + ("--cli-binary-format raw-in-base64-out --payload '{\"conference_id\": \"ID\"}' " if command == "compile"
                 else "")
              + "/dev/stdout", file=sys.stderr)
        raise SystemExit(2)


def cmd_admin_token(args: argparse.Namespace) -> int:
    from chalicelib.units.tokens import issue_token

    store = _store_or_exit()
    token = issue_token(store, "admin", args.name, services.clock.now())
    print(token["token"])
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    """What the daily schedule runs: email units that have not reported, and return notes not yet delivered."""
    from datetime import datetime, timezone

    from chalicelib.reporting.deadlines import parse_instant
    from chalicelib.reporting.reminders import run_from_environment

    _runs_here_or_exit("remind")
    _store_or_exit()
    now = parse_instant(args.now, "now") if args.now else datetime.now(timezone.utc)
    run = run_from_environment(now)
    for unit_id, period, kind in run.sent:
        print(f"đã gửi   {kind:<8} {period}  {unit_id}")
    for unit_id, period, kind in run.skipped:
        print(f"đã có    {kind:<8} {period}  {unit_id}")
    for unit_id, period, kind in run.failed:
        print(f"LỖI      {kind:<8} {period}  {unit_id}", file=sys.stderr)
    for unit_id, period, _ in run.notes_sent:
        print(f"đã gửi   trả lại  {period}  {unit_id}")
    for unit_id, period, _ in run.notes_failed:
        print(f"LỖI      trả lại  {period}  {unit_id}", file=sys.stderr)
    print(f"{len(run.sent)} nhắc nhở đã gửi, {len(run.skipped)} đã gửi trước đó, {len(run.failed)} lỗi.")
    if run.notes_sent or run.notes_failed:
        print(f"{len(run.notes_sent)} ghi chú trả lại báo cáo đã gửi, {len(run.notes_failed)} lỗi (gửi lại lần chạy sau).")
    return 1 if run.failed or run.notes_failed else 0


def cmd_compile(args: argparse.Namespace) -> int:
    """Compile and deliver conference documents: what the 5-minute schedule runs."""
    from datetime import datetime, timezone

    from chalicelib.core.errors import DomainError
    from chalicelib.publishing.pipeline import CompileFailed, compile_conference, compile_due, due_conferences

    _runs_here_or_exit("compile")
    store = _store_or_exit()
    conf = settings()
    now = datetime.now(timezone.utc)
    try:
        if args.conference is None:
            results = compile_due(store, conf=conf, now=now)
        else:
            due = {c["id"] for c in due_conferences(store, now, conf.compile_days_before)}
            if not args.now and args.conference not in due:
                print(f"{args.conference}: not due (held more than {conf.compile_days_before} days ahead or past); "
                      "use --now to compile anyway", file=sys.stderr)
                return 0
            results = [compile_conference(store, args.conference, conf=conf, now=now)]
    except CompileFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    for result in results:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 1 if any(r.failed for r in results) else 0


def cmd_resend(args: argparse.Namespace) -> int:
    """Mark a document's delivery to one recipient as not done: the next compile sends it again."""
    import email.utils

    store = _store_or_exit()
    document = store.documents.get(args.document)
    if document is None:
        print(f"error: no document {args.document}", file=sys.stderr)
        return 2
    key = email.utils.parseaddr(args.to)[1].lower()
    delivery = next((d for d in store.documents.deliveries(args.document) if d.get("email") == key), None)
    if delivery is None:
        print(f"error: {args.document} was never sent to {key}; add the address to the conference's recipients "
              "(PATCH /v1/conferences/{id}) and compile", file=sys.stderr)
        return 2
    store.documents.update_delivery(args.document, key, {"state": "failed", "error": "gửi lại theo yêu cầu"},
                                    claim=delivery["claim"])
    print(f"{args.document} v{document['version']} -> {key}: sẽ gửi lại ở lần biên soạn tới "
          f"(POST /v1/conferences/{document['conference_id']}/compile)")
    return 0


def cmd_sum_figures(args: argparse.Namespace) -> int:
    """Make and keep a conference window's figure sums ahead of its first shortlist (a large ministry's
    first read of twelve months of reports takes longer than API Gateway waits)."""
    import time
    from datetime import datetime, timezone

    from chalicelib.awards.window import window_figures
    from chalicelib.core.catalogs import scoring_rubric
    from chalicelib.core.periods import parse_period

    store = _store_or_exit()
    conference = store.conferences.get(args.conference)
    if conference is None:
        print(f"error: no conference {args.conference}", file=sys.stderr)
        return 2
    rubric = scoring_rubric()
    started = time.monotonic()
    sums = window_figures(store, [parse_period(p).code for p in conference["periods"]], datetime.now(timezone.utc),
                          [*rubric.indicators, *([rubric.per] if rubric.per else [])])
    print(f"{args.conference}: số liệu {len(sums)} đơn vị, {len(conference['periods'])} kỳ "
          f"({time.monotonic() - started:.1f} s)")
    return 0


def cmd_keep_figures(args: argparse.Namespace) -> int:
    """What the daily schedule runs after the reminders: pack the locked periods and keep the open
    conferences' window sums (chalicelib/awards/keeping.py)."""
    from datetime import datetime, timezone

    from chalicelib.awards.keeping import keep_figures
    from chalicelib.reporting.deadlines import parse_instant

    store = _store_or_exit()
    now = parse_instant(args.now, "now") if args.now else datetime.now(timezone.utc)
    run = keep_figures(store, now, settings().deadline_days)
    for period, what in run.periods.items():
        print(f"kỳ {period}: {_KEPT.get(what, what)}")
    for conference, what in run.windows.items():
        print(f"hội nghị {conference}: {_KEPT.get(what, what)}")
    if run.left:
        print(f"để lần chạy sau: {', '.join(run.left)}")
    print(f"xong trong {run.seconds:.1f} s")
    return 0


_KEPT = {"packed": "đã đóng gói số liệu", "repacked": "đã đóng gói lại (có thay đổi)", "kept": "không đổi",
         "summed": "đã cộng lại số liệu của kỳ"}


def cmd_backfill(args: argparse.Namespace) -> int:
    """The one-off backfill after an upgrade: every unit's ancestor path, every current report's status
    item and period figures item (periods of every kind from 2015 to next year), then the marks that
    let the board and the figure packs read them; every register entry into its nominee's summary, then
    the mark that lets the warnings read them."""
    from datetime import date

    from chalicelib.units.service import backfill_paths

    store = _store_or_exit()
    print(f"{backfill_paths(store)} đơn vị được ghi lại đường dẫn cấp trên")
    years = range(2015, date.today().year + 2)
    codes = [f"{y}-{m:02d}" for y in years for m in range(1, 13)] + [f"{y}-Q{q}" for y in years for q in range(1, 5)] \
        + [f"{y}-W{w:02d}" for y in years for w in range(1, 54)]
    written = sum(store.reports.backfill_statuses(code) for code in codes)
    store.reports.mark_statuses_ready()
    print(f"{written} báo cáo được ghi trạng thái cho bảng tình hình nộp")
    # each current report's period figures item, then the mark that lets packs be made from them
    figures = sum(store.figures.backfill(code, store.reports.figures_for_period(code)) for code in codes)
    store.figures.mark_ready()
    print(f"{figures} báo cáo được ghi số liệu kỳ cho tổng hợp theo hội nghị")
    summarised = store.register.backfill_summaries()
    store.register.mark_summaries_ready()
    print(f"{summarised} mục sổ khen thưởng được ghi vào bản tóm tắt theo người được khen")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    parser.add_argument("--stage", default=os.environ.get("THIDUA_STAGE", "local"))
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("admin-token", help="print a new admin bearer token (creates the table if needed)")
    admin.add_argument("--name", default="Quản trị (dòng lệnh)")
    admin.set_defaults(run=cmd_admin_token)
    remind = sub.add_parser("remind", help="email units that have not reported (what the daily schedule runs)")
    remind.add_argument("--now", help="evaluate as of this ISO 8601 instant instead of the clock")
    remind.set_defaults(run=cmd_remind)
    comp = sub.add_parser("compile", help="compile and email conference documents (what the 5-minute schedule runs)")
    comp.add_argument("--conference", help="one conference id (default: every conference due soon)")
    comp.add_argument("--now", action="store_true", help="compile even if the conference is not due yet")
    comp.set_defaults(run=cmd_compile)
    resend = sub.add_parser("resend", help="send a document again to one of its recipients at the next compile")
    resend.add_argument("--document", required=True, help="document id (GET /v1/conferences/{id}/documents)")
    resend.add_argument("--to", required=True, help="the recipient's address")
    resend.set_defaults(run=cmd_resend)
    sums = sub.add_parser("sum-figures", help="keep a conference's figure sums before its first shortlist")
    sums.add_argument("--conference", required=True, help="conference id")
    sums.set_defaults(run=cmd_sum_figures)
    keep = sub.add_parser("keep-figures", help="pack locked periods, keep open conferences' sums (the daily run's)")
    keep.add_argument("--now", help="evaluate as of this ISO 8601 instant instead of the clock")
    keep.set_defaults(run=cmd_keep_figures)
    backfill = sub.add_parser("backfill", help="once after an upgrade: units' ancestor paths, reports' status items")
    backfill.set_defaults(run=cmd_backfill)
    args = parser.parse_args(argv)
    load_stage_env(args.stage)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
