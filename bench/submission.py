"""A report PUT against DynamoDB Local: round trips, and time against the raw minimal calls.

    python -m bench submission

The app runs in this process, entered the way Lambda enters it (`app(event, context)`
with an API Gateway proxy event), on a store over DynamoDB Local. Every DynamoDB call
the PUT makes is counted (botocore's `before-parameter-build` event). Its time is compared with
the least a PUT can do: the token lookup (`GetItem`) and the transaction that stores
the report (`TransactWriteItems`), sent raw with a plain boto3 client, replaying the
very items the app's transaction wrote into a second, empty table. The two are
interleaved one PUT at a time, and medians are compared.

Each unit has 12 earlier monthly reports (so the outlier rule has a history to
compare with) and submits the month being reported: a create (201), then with an
`Idempotency-Key`, then a replacement with `If-Match`.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

from bench.figures import Figure

NOW = datetime(2021, 8, 20, 3, 0, tzinfo=timezone.utc)
PERIOD = "2021-08"
HISTORY = [f"{2020 + (7 + i) // 12}-{(7 + i) % 12 + 1:02d}" for i in range(12)]  # 2020-08 .. 2021-07
VALUES = {"officers_mobilised": 1200, "checkpoints": 35, "tracing_teams": 40, "people_traced": 900,
          "citizens_escorted": 15000, "violations_detected": 700, "violations_warned": 650,
          "violations_penalised": 50, "fines_vnd": 75_000_000, "news_items": 120}


class Counter:
    """Counts DynamoDB API calls on a client; `calls` lists their names in order."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        self.last: dict[str, dict[str, Any]] = {}
        client.meta.events.register("before-parameter-build.dynamodb", self._seen)

    def _seen(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append(model.name)
        self.last[model.name] = params

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        start = len(self.calls)
        seen: list[str] = []
        yield seen
        seen.extend(self.calls[start:])


def proxy_event(method: str, path: str, path_params: dict[str, str], token: str, body: Any,
                headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway REST proxy event, as Lambda hands it to the app."""
    resource = path
    for name, value in path_params.items():
        resource = resource.replace(value, "{" + name + "}", 1)
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})},
        "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": path_params, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "stage": "api", "requestId": str(uuid.uuid4()),
                           "path": f"/api{path}", "identity": {"sourceIp": "127.0.0.1"}},
        "body": json.dumps(body), "isBase64Encoded": False,
    }


class LambdaContext:
    function_name = "thidua-bench-APIHandler"
    aws_request_id = "bench"
    memory_limit_in_mb = 512

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


def run(quick: bool = False) -> list[Figure]:
    from devtools import dynamodb_local

    ddb = dynamodb_local.start()
    try:
        return _measure(ddb.endpoint, rounds=15 if quick else 60)
    finally:
        ddb.stop()


def _measure(endpoint: str, rounds: int) -> list[Figure]:
    os.environ.update({"THIDUA_DDB_ENDPOINT": endpoint, "THIDUA_TABLE": "bench-submission", "THIDUA_STAGE": "bench",
                       "THIDUA_STORE": "dynamodb", "AWS_DEFAULT_REGION": "ap-southeast-1"})
    from chalicelib.core import audit
    from chalicelib.core.clock import FixedClock, iso
    from chalicelib.core.settings import settings
    from chalicelib.bootstrap import services
    from chalicelib.store import store_for
    from chalicelib.store.dynamodb import make_client, table_definition
    from chalicelib.units.tokens import issue_token

    import app as thidua

    conf = settings()
    store = store_for(conf)
    store.ensure_table()
    raw = make_client(conf)
    raw.create_table(**table_definition("bench-raw"))
    services.clock = FixedClock(NOW)
    counter = Counter(store.table.client)

    units = [f"don-vi-{i:03d}" for i in range(rounds + 3)]
    tokens: dict[str, dict[str, Any]] = {}
    for unit_id in units:
        store.units.create({"id": unit_id, "name": f"Công an đơn vị {unit_id}", "parent_id": None,
                            "kind": "province", "emails": [], "created_at": iso(NOW), "etag": "1"})
        tokens[unit_id] = issue_token(store, "unit", unit_id, NOW, unit_id=unit_id)
        for version, period in enumerate(HISTORY, start=1):
            report = {"unit_id": unit_id, "period": period, "period_kind": "month", "version": 1,
                      "values": {k: v * (90 + version) // 100 for k, v in VALUES.items()}, "comments": {},
                      "achievements": "", "submitted_at": iso(NOW), "submitted_by": "seed", "status": "submitted",
                      "first_submitted_at": iso(NOW), "timeliness": "on_time", "etag": f"seed-{period}"}
            store.reports.save(report, expected_etag=None,
                               audit=audit.event(audit.report_entity(unit_id, period), "submitted", None, NOW,
                                                 version=1))

    def put(unit_id: str, headers: dict[str, str] | None = None) -> tuple[dict[str, Any], list[str], float]:
        event = proxy_event("PUT", f"/v1/units/{unit_id}/reports/{PERIOD}", {"unit_id": unit_id, "period": PERIOD},
                            tokens[unit_id]["token"], {"values": VALUES, "achievements": "Hoàn thành nhiệm vụ."},
                            headers)
        with counter.counting() as calls:
            start = time.perf_counter()
            response = thidua.app(event, LambdaContext())
            elapsed = time.perf_counter() - start
        assert response["statusCode"] in (200, 201), response
        return response, calls, elapsed

    def raw_minimal(token_id: str) -> float:
        """The token GetItem and the PUT's own transaction, replayed into the empty raw table."""
        items = json.loads(json.dumps(counter.last["TransactWriteItems"]["TransactItems"]))
        for item in items:
            for op in item.values():
                op["TableName"] = "bench-raw"
        start = time.perf_counter()
        raw.get_item(TableName="bench-submission", Key={"PK": {"S": f"TOKEN#{token_id}"}, "SK": {"S": "TOKEN"}},
                     ConsistentRead=True)
        raw.transact_write_items(TransactItems=items)
        return time.perf_counter() - start

    # warm both paths (imports, connections, the first pydantic validation)
    put(units[-1]); put(units[-2], {"Idempotency-Key": "warm"})
    app_times, raw_times, create_calls = [], [], []
    for unit_id in units[:rounds]:
        _, calls, elapsed = put(unit_id)
        app_times.append(elapsed)
        create_calls.append(calls)
        raw_times.append(raw_minimal(tokens[unit_id]["id"]))
    replace_calls = []
    for unit_id in units[:rounds]:
        _, calls, _ = put(unit_id, {"If-Match": store.reports.get(unit_id, PERIOD)["etag"]})
        replace_calls.append(calls)
    # Idempotent creates: this week's report (the weekly cycle), each with its own key.
    idem_calls, idem_times = [], []
    for unit_id in units[:rounds]:
        event = proxy_event("PUT", f"/v1/units/{unit_id}/reports/2021-W33", {"unit_id": unit_id, "period": "2021-W33"},
                            tokens[unit_id]["token"], {"values": VALUES}, {"Idempotency-Key": str(uuid.uuid4())})
        with counter.counting() as calls:
            start = time.perf_counter()
            response = thidua.app(event, LambdaContext())
            idem_times.append(time.perf_counter() - start)
        assert response["statusCode"] == 201, response
        idem_calls.append(calls)

    def most(calls: list[list[str]]) -> tuple[int, str]:
        worst = max(calls, key=len)
        return len(worst), ", ".join(worst)

    app_ms, raw_ms = statistics.median(app_times) * 1000, statistics.median(raw_times) * 1000
    n_create, which_create = most(create_calls)
    n_replace, which_replace = most(replace_calls)
    n_idem, which_idem = most(idem_calls)
    cmd = "python -m bench submission"
    return [
        Figure("submission", "PUT (create): DynamoDB round trips", n_create, "round trips", "≤ 3", n_create <= 3,
               which_create, cmd),
        Figure("submission", "PUT (replace, If-Match): round trips", n_replace, "round trips", "≤ 3",
               n_replace <= 3, which_replace, cmd),
        Figure("submission", "PUT with Idempotency-Key: round trips", n_idem, "round trips", "≤ 4", n_idem <= 4,
               which_idem, cmd),
        Figure("submission", "PUT (create) time / raw minimal calls", app_ms / raw_ms, "×", "≤ 1.5×",
               app_ms / raw_ms <= 1.5, f"PUT {app_ms:.1f} ms vs GetItem+TransactWriteItems {raw_ms:.1f} ms "
               f"(medians of {len(app_times)})", cmd),
        Figure("submission", "PUT with Idempotency-Key: time", statistics.median(idem_times) * 1000, "ms", "", None,
               f"raw minimal {raw_ms:.1f} ms", cmd),
    ]

