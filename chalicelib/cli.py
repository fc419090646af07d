"""Operator commands: `python -m chalicelib.cli admin-token | compile ...`.

Run outside Lambda, the CLI takes its configuration from the chosen Chalice
stage in .chalice/config.json (default `local`), under any THIDUA_* variables
already set in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from chalicelib.core.settings import settings
from chalicelib.store import store_for

CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"


def load_stage_env(stage: str) -> None:
    if not CONFIG.exists():
        return
    config = json.loads(CONFIG.read_text())
    env = {**config.get("environment_variables", {}),
           **config.get("stages", {}).get(stage, {}).get("environment_variables", {})}
    for key, value in env.items():
        os.environ.setdefault(key, value)


def _store_or_exit():
    conf = settings()
    store = store_for(conf)
    try:
        store.ensure_table()
    except Exception as exc:  # botocore's EndpointConnectionError and friends
        where = conf.dynamodb_endpoint or f"AWS ({conf.region})"
        print(f"error: cannot reach DynamoDB at {where}: {exc}\n"
              "Start the local stack first: make serve (or python -m devtools.dynamodb_local run)",
              file=sys.stderr)
        raise SystemExit(2)
    return store


def cmd_admin_token(args: argparse.Namespace) -> int:
    from chalicelib.core.clock import SystemClock
    from chalicelib.units.tokens import issue_token

    store = _store_or_exit()
    token = issue_token(store, "admin", args.name, SystemClock().now())
    print(token["token"])
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    """What the daily schedule runs: email units that have not reported."""
    from datetime import datetime, timezone

    from chalicelib.reporting.deadlines import parse_instant
    from chalicelib.reporting.reminders import run_from_environment

    _store_or_exit()
    now = parse_instant(args.now, "now") if args.now else datetime.now(timezone.utc)
    run = run_from_environment(now)
    for unit_id, period, kind in run.sent:
        print(f"đã gửi   {kind:<8} {period}  {unit_id}")
    for unit_id, period, kind in run.skipped:
        print(f"đã có    {kind:<8} {period}  {unit_id}")
    for unit_id, period, kind in run.failed:
        print(f"LỖI      {kind:<8} {period}  {unit_id}", file=sys.stderr)
    print(f"{len(run.sent)} nhắc nhở đã gửi, {len(run.skipped)} đã gửi trước đó, {len(run.failed)} lỗi.")
    return 1 if run.failed else 0


def cmd_compile(args: argparse.Namespace) -> int:
    """Compile and deliver conference documents: what the 5-minute schedule runs."""
    from datetime import datetime, timezone

    from chalicelib.core.errors import DomainError
    from chalicelib.publishing.pipeline import CompileFailed, compile_conference, compile_due, due_conferences

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
    args = parser.parse_args(argv)
    load_stage_env(args.stage)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
