"""`make serve`: DynamoDB Local on :8100 (data kept in .cache/) and `chalice local` on :8000."""

from __future__ import annotations

import os
import subprocess
import sys

from devtools import dynamodb_local
from devtools.stack import ROOT

DDB_PORT = 8100  # matches THIDUA_DDB_ENDPOINT of the `local` stage in .chalice/config.json


def main() -> int:
    from chalicelib.cli import load_stage_env
    from chalicelib.config import settings
    from chalicelib.store import Store

    ddb = None
    try:
        if not dynamodb_local.is_listening(DDB_PORT):
            ddb = dynamodb_local.start(DDB_PORT, in_memory=False)
        load_stage_env("local")
        Store.from_settings(settings()).ensure_table()
        print(f"DynamoDB Local on http://127.0.0.1:{DDB_PORT}")
        print("API on http://127.0.0.1:8000  (admin token: .venv/bin/python -m chalicelib.cli admin-token)")
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
