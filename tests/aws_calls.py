"""Which AWS operations each Lambda function makes, recorded while the tests run.

tests/conftest.py installs a botocore event hook (`before-parameter-build`, which every API call and
every presigned URL passes) on every client made in the test process. The hook finds the function
the call runs in from how it was entered, read on the call stack (the outermost entry wins: the API
handler that compiles inline is the API's call):

- the API handler: Chalice's dispatch of a route (the test client, `app.app(event)`, `chalice local`
  in-process);
- compile_conference / compile_due_conferences: app.py's handlers, or what they run (the
  pipeline's `run_scheduled`/`compile_due`/`compile_conference`, the trigger's `run_requested`; the
  CLI's `compile` runs the same);
- send_reminders: app.py's handler, or what it runs (`reminders.run_from_environment`/`send_reminders`,
  and the figures kept after them: `keeping.run_from_environment`/`keep_figures`).

Work a function submits to a ThreadPoolExecutor is that function's too. A call from none of them (a
fixture creating a table, a test reading S3) is not a function's. Each
(function, IAM action) is appended once per process to build/aws-calls/<pid>.jsonl, for
tests/integration/test_grants_equal_calls.py to compare with the roles' policies. The IAM action is
the one the call needs: a transaction's items are PutItem/UpdateItem/DeleteItem/ConditionCheckItem,
SES v2 SendEmail is ses:SendEmail, S3 HeadObject is s3:GetObject, Lambda Invoke lambda:InvokeFunction.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
RECORD_DIR = ROOT / "build" / "aws-calls"

# (file, function name) on the stack -> the Lambda function (Chalice's name in .chalice/config.json)
_APP = str(ROOT / "app.py")
ENTRIES: dict[tuple[str, str], str] = {
    (_APP, "send_reminders"): "send_reminders",
    (_APP, "compile_due_conferences"): "compile_due_conferences",
    (_APP, "compile_conference"): "compile_conference",
    (str(ROOT / "chalicelib/reporting/reminders.py"), "run_from_environment"): "send_reminders",
    (str(ROOT / "chalicelib/publishing/pipeline.py"), "run_scheduled"): "compile_due_conferences",
    (str(ROOT / "chalicelib/publishing/pipeline.py"), "compile_due"): "compile_due_conferences",
    (str(ROOT / "chalicelib/publishing/trigger.py"), "run_requested"): "compile_conference",
    (str(ROOT / "chalicelib/publishing/pipeline.py"), "compile_conference"): "compile_conference",
    (str(ROOT / "chalicelib/reporting/reminders.py"), "send_reminders"): "send_reminders",
    # the same daily function keeps the figure packs after the reminders
    (str(ROOT / "chalicelib/awards/keeping.py"), "run_from_environment"): "send_reminders",
    (str(ROOT / "chalicelib/awards/keeping.py"), "keep_figures"): "send_reminders",
}
_CHALICE_DISPATCH = "_get_view_function_response"  # chalice/app.py: every route of the API handler

# API operation -> the IAM action(s) it needs, where the names differ
RENAMED = {("s3", "HeadObject"): ("GetObject",), ("s3", "ListObjectsV2"): ("ListBucket",),
           ("lambda", "Invoke"): ("InvokeFunction",), ("dynamodb", "TransactGetItems"): ("GetItem",)}
TRANSACT_ITEM = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}

_lock = threading.Lock()
_seen: set[tuple[str, str]] = set()
_installed = False


_inherited = threading.local()  # a pool thread's work: the function that submitted it (`install`)


def function_on_stack() -> str | None:
    frame = sys._getframe(1)
    found = None
    while frame is not None:  # innermost to outermost: the last match is the outermost entry
        code = frame.f_code
        name = ENTRIES.get((code.co_filename, code.co_name))
        if name is None and code.co_name == _CHALICE_DISPATCH and code.co_filename.endswith("chalice/app.py"):
            name = "api_handler"
        found = name or found
        frame = frame.f_back
    return found or getattr(_inherited, "function", None)


def iam_actions(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    if service == "dynamodb" and operation == "TransactWriteItems":
        names = {TRANSACT_ITEM[kind] for item in params.get("TransactItems", []) for kind in item}
    elif service == "dynamodb" and operation == "BatchWriteItem":
        names = {"PutItem" if "PutRequest" in r else "DeleteItem"
                 for requests in params.get("RequestItems", {}).values() for r in requests}
    else:
        names = set(RENAMED.get((service, operation), (operation,)))
    return sorted(f"{service}:{name}" for name in names)


def _record(params: dict[str, Any], model: Any, **_: Any) -> None:
    function = function_on_stack()
    if function is None:
        return
    service = model.service_model.signing_name  # the IAM prefix: sesv2 signs as "ses"
    new = [(function, action) for action in iam_actions(service, model.name, params)]
    with _lock:
        new = [pair for pair in new if pair not in _seen]
        if not new:
            return
        _seen.update(new)
        RECORD_DIR.mkdir(parents=True, exist_ok=True)
        with open(RECORD_DIR / f"{os.getpid()}.jsonl", "a") as f:
            f.writelines(json.dumps({"function": fn, "action": action}) + "\n" for fn, action in new)


def install() -> None:
    """Every botocore client made from now on in this process records its calls."""
    global _installed
    if _installed:
        return
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build", _record, unique_id="thidua-aws-calls")
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    _inherit_in_pools()
    _installed = True


def _inherit_in_pools() -> None:
    """Work a function hands to a ThreadPoolExecutor (the window's periods, the register's reads, the
    compile's gather) runs on a stack without the function's entry: it is the submitter's call."""
    from concurrent.futures import ThreadPoolExecutor

    original = ThreadPoolExecutor.submit

    def submit(self: Any, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        function = function_on_stack()
        if function is None:
            return original(self, fn, *args, **kwargs)

        def run(*a: Any, **k: Any) -> Any:
            before = getattr(_inherited, "function", None)
            _inherited.function = function
            try:
                return fn(*a, **k)
            finally:
                _inherited.function = before

        return original(self, run, *args, **kwargs)

    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]


def clear() -> None:
    """A new test session starts a new record (the controller does it, before any worker runs)."""
    if RECORD_DIR.is_dir():
        for path in RECORD_DIR.glob("*.jsonl"):
            path.unlink()
    with _lock:
        _seen.clear()


def recorded(paths: Iterable[Path] | None = None) -> dict[str, set[str]]:
    """{function: {IAM action}} from every process of this test session."""
    calls: dict[str, set[str]] = {}
    for path in paths if paths is not None else sorted(RECORD_DIR.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                calls.setdefault(entry["function"], set()).add(entry["action"])
    return calls
