"""`make serve`: DynamoDB Local on :8100 (data kept in .cache/) and `chalice local` on :8000."""

from __future__ import annotations

import os
import subprocess
import sys

from devtools import dynamodb_local
from devtools.stack import ROOT

DDB_PORT = 8100  # matches THIDUA_DDB_ENDPOINT of the `local` stage in .chalice/config.json


SEED_PERIODS = ("2021-05", "2021-06", "2021-07", "2021-08")


def reopen_seed_periods(store) -> None:
    """The seed articles' periods closed in 2021; locally they stay open for entering history.

    Recorded as an ordinary (audited) period deadline, visible at GET /v1/periods/{period};
    every other period keeps its normal deadline, so locking still shows (e.g. 2021-09).
    """
    from chalicelib.core import audit
    from chalicelib.core.clock import SystemClock, iso
    from devtools.demo_data import REOPENED_UNTIL

    now = SystemClock().now()
    for period in SEED_PERIODS:
        if store.periods.get(period) is None:
            store.periods.put(
                {"period": period, "deadline": REOPENED_UNTIL, "set_by": "make serve", "set_at": iso(now)},
                audit=audit.event(f"period:{period}", "deadline_set", None, now, deadline=REOPENED_UNTIL))
    print(f"Seed periods {', '.join(SEED_PERIODS)} open until {REOPENED_UNTIL} (historical entry)")


def main() -> int:
    from chalicelib.cli import load_stage_env
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for

    ddb = None
    try:
        if not dynamodb_local.is_listening(DDB_PORT):
            ddb = dynamodb_local.start(DDB_PORT, in_memory=False)
        load_stage_env("local")
        store = store_for(settings())
        store.ensure_table()
        reopen_seed_periods(store)
        from devtools.demo_accounts import ensure_demo_people, sign_in_help

        people = ensure_demo_people(store)
        print(f"DynamoDB Local on http://127.0.0.1:{DDB_PORT}")
        print("API on http://localhost:8000  (admin token: .venv/bin/python -m chalicelib.cli admin-token)")
        # "localhost", the local stage's THIDUA_PORTAL_URL: the links in emails and the passkeys' relying party
        print("Portal on http://localhost:8000/  (units, the office and leaders sign in there; /admin leads to it)")
        print(sign_in_help(people))
        return subprocess.call([sys.executable, "-m", "devtools.chalice_local", "--stage", "local", "--host", "127.0.0.1",
                                "--port", "8000", "--no-autoreload"], cwd=ROOT, env=os.environ)
    except dynamodb_local.SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if ddb:
            ddb.stop()


if __name__ == "__main__":
    sys.exit(main())
