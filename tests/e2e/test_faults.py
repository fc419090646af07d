"""Fault injection end to end: `chalice local` -> a faulty proxy -> DynamoDB Local.

`devtools.faulty_proxy.FaultyProxy` sits between the app's DynamoDB client and
DynamoDB Local (the stack's `THIDUA_DDB_ENDPOINT` is the proxy); each case switches
its mode while real HTTP clients work against the API:

- hang: a request while DynamoDB accepts and never answers is a 503 with Retry-After
  within the client budget (THIDUA_DDB_ATTEMPTS x THIDUA_DDB_READ_TIMEOUT);
- down: every kind of request is a fast 503 problem+json with Retry-After, and nothing
  changes in the table;
- lost answer: DynamoDB stores a report but its answer to TransactWriteItems is lost (a
  500 instead): the client hears 503, and its retry with the same key replays the stored
  201, because the answer was stored in the report's own transaction;
- throttle (every third DynamoDB call, 20 clients x 50 submissions, ~2.5 minutes) and
  error5xx (every third, 5 x 10): clients retry
  with the same Idempotency-Key; every report is stored exactly once (version 1, one
  revision, one audit event);
- kill mid-burst: DynamoDB down for ~3 s in the middle of 10 clients' burst (10 x 20).

Each case runs once (a module fixture) and several tests assert on what it recorded.
The figures (requests,
statuses, 503 latencies, run times, proxy counts) are printed at the end of the module
and written to out/reliability/faults.json. Everything is on 127.0.0.1; every loop is
bounded by a count and a time limit.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass
from typing import Any

import pytest

from bench.load import (Recorder, Submission, admin_token, burst_figures, call, latency_figures, make_units,
                        monthly_periods, open_periods, run_clients, submission_plan, verify_stored)
from devtools import dynamodb_local
from devtools.faulty_proxy import FaultyProxy
from devtools.stack import ROOT, Http, running_stack

pytestmark = pytest.mark.slow

PERIODS = monthly_periods(50)  # 2017-01 .. 2021-02
THROTTLE_PERIODS = 50          # of PERIODS for case a: 20 clients x 50 submissions, as issue 9 asks
BUDGET_S = 5.0                 # what a request may take while DynamoDB is down or hangs
FIGURES: dict[str, Any] = {}


@dataclass
class Faulty:
    stack: Any
    proxy: FaultyProxy
    admin: str
    table: str

    @property
    def url(self) -> str:
        return self.stack.api_url


def _report(config: Any) -> None:
    out = ROOT / "out" / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / "faults.json").write_text(json.dumps(FIGURES, indent=2, ensure_ascii=False))
    lines = ["", "fault-injection figures (also in out/reliability/faults.json):"]
    lines += [f"  {case}: {json.dumps(figures, ensure_ascii=False)}" for case, figures in FIGURES.items()]
    reporter = config.pluginmanager.getplugin("terminalreporter")
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
        for line in lines:
            if reporter is not None:
                reporter.write_line(line)
            else:
                print(line)


@pytest.fixture(scope="module")
def faulty(request):
    """The stack with the proxy in front of DynamoDB Local; the 50 periods opened by an admin."""
    table = f"faults{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with ExitStack() as contexts:
        proxy = contexts.enter_context(FaultyProxy())
        real_start = dynamodb_local.start

        def start_behind_proxy(*args: Any, **kwargs: Any) -> Any:
            server = real_start(*args, **kwargs)
            proxy.upstream = server.endpoint  # known only once running_stack has started it
            return server

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(dynamodb_local, "start", start_behind_proxy)
            stack = contexts.enter_context(running_stack(table=table, extra_env={"THIDUA_DDB_ENDPOINT": proxy.url}))
        admin = admin_token(stack)
        open_periods(stack.api_url, admin, PERIODS)
        FIGURES["setup"] = {"seconds": round(time.monotonic() - started, 2), "periods": len(PERIODS)}
        yield Faulty(stack, proxy, admin, table)
        proxy.set_mode("pass")
    _report(request.config)


def timed(http: Http, method: str, path: str, body: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any, float]:
    t0 = time.monotonic()
    status, h, data = call(http, method, path, body, headers)
    return status, h, data, time.monotonic() - t0


def is_503_problem(status: int, headers: dict[str, str], body: Any) -> bool:
    return (status == 503 and bool(headers.get("retry-after"))
            and headers.get("content-type", "").startswith("application/problem+json")
            and isinstance(body, dict) and body.get("status") == 503 and bool(body.get("title")))


def scan_table(faulty: Faulty) -> dict[tuple[str, str], Any]:
    """Every item of the table, read from DynamoDB Local directly (bounded pages)."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=faulty.stack.ddb.endpoint, region_name="ap-southeast-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    items: dict[tuple[str, str], Any] = {}
    start = None
    for _ in range(10_000):
        kwargs: dict[str, Any] = {"TableName": faulty.table, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        resp = client.scan(**kwargs)
        for item in resp.get("Items", []):
            items[(item["PK"]["S"], item["SK"]["S"])] = item
        start = resp.get("LastEvaluatedKey")
        if not start:
            break
    return items


def proxy_figures(proxy: FaultyProxy) -> dict[str, int]:
    return {k: v for k, v in proxy.counts().items() if not k.startswith("switch:")}


# -- c. hang ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hang_case(faulty):
    tokens = make_units(faulty.url, faulty.admin, ["hang-unit"])
    unit = Http(faulty.url, tokens["hang-unit"])
    requests = [("GET report", "GET", None, None),
                ("PUT report", "PUT", {"values": {"citizens_escorted": 10}}, {"Idempotency-Key": uuid.uuid4().hex})]
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode("hang")
    try:  # both at once: each waits out the whole client budget
        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            answers = list(pool.map(lambda r: (r[0],) + timed(unit, r[1], "/v1/units/hang-unit/reports/2017-01",
                                                             r[2], r[3]), requests))
    finally:
        faulty.proxy.set_mode("pass")
    counts = proxy_figures(faulty.proxy)
    FIGURES["c_hang"] = {
        "requests": len(answers),
        "answers": [{"request": a[0], "status": a[1], "retry_after": a[2].get("retry-after"),
                     "seconds": round(a[4], 3)} for a in answers],
        "ddb_attempts_per_request": counts.get("hung", 0) / max(1, len(answers)),
        "proxy": counts,
    }
    return answers


def test_hang_is_answered_503_with_retry_after(hang_case):
    for name, status, headers, body, _ in hang_case:
        assert is_503_problem(status, headers, body), (name, status, headers, body)


def test_hang_is_answered_within_the_5_second_budget(hang_case):
    from chalicelib.core.settings import settings

    conf = settings({})
    assert conf.ddb_attempts * conf.ddb_read_timeout < BUDGET_S  # the configured budget fits on paper
    for name, _, _, _, seconds in hang_case:
        assert seconds < BUDGET_S, f"{name} took {seconds:.2f}s"


# -- b. down -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def down_case(faulty):
    tokens = make_units(faulty.url, faulty.admin, ["down-unit"])
    unit, admin = Http(faulty.url, tokens["down-unit"]), Http(faulty.url, faulty.admin)
    report = {"values": {"citizens_escorted": 4321}}
    status, ack_headers, acked, _ = timed(unit, "PUT", "/v1/units/down-unit/reports/2017-01", report,
                                          {"Idempotency-Key": uuid.uuid4().hex})
    assert status == 201, acked
    before = scan_table(faulty)
    put_key = uuid.uuid4().hex
    requests = [
        ("GET report", unit, "GET", "/v1/units/down-unit/reports/2017-01", None, None),
        ("GET unit's reports", unit, "GET", "/v1/units/down-unit/reports", None, None),
        ("PUT report", unit, "PUT", "/v1/units/down-unit/reports/2017-02", {"values": {"citizens_escorted": 5}},
         {"Idempotency-Key": put_key}),
        ("PUT period", admin, "PUT", "/v1/periods/2017-03", {"deadline": "2031-01-01T00:00:00+07:00"}, None),
        ("POST unit", admin, "POST", "/v1/units", {"id": "down-new", "name": "Đơn vị mới", "kind": "other"}, None),
    ]
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode("down")
    try:
        answers = [(name,) + timed(http, method, path, body, headers)
                   for name, http, method, path, body, headers in requests]
    finally:
        faulty.proxy.set_mode("pass")
    after = scan_table(faulty)
    FIGURES["b_down"] = {
        "requests": len(answers),
        "answers": [{"request": a[0], "status": a[1], "retry_after": a[2].get("retry-after"),
                     "seconds": round(a[4], 3)} for a in answers],
        "latency_503": latency_figures([a[4] for a in answers if a[1] == 503]),
        "table_items": len(before),
        "proxy": proxy_figures(faulty.proxy),
    }
    return {"answers": answers, "before": before, "after": after, "unit": unit, "admin": admin,
            "acked": acked, "ack_etag": ack_headers.get("etag"), "put_key": put_key}


def test_down_every_request_is_a_fast_503_problem_with_retry_after(down_case):
    for name, status, headers, body, seconds in down_case["answers"]:
        assert is_503_problem(status, headers, body), (name, status, headers, body)
        assert seconds < BUDGET_S, f"{name} took {seconds:.2f}s"


def test_down_then_pass_nothing_changed_and_the_acknowledged_report_is_there(down_case):
    assert down_case["after"] == down_case["before"]
    unit, admin = down_case["unit"], down_case["admin"]
    status, headers, read = call(unit, "GET", "/v1/units/down-unit/reports/2017-01")
    assert status == 200 and headers["etag"] == down_case["ack_etag"]
    assert read == down_case["acked"]
    assert call(unit, "GET", "/v1/units/down-unit/reports/2017-02")[0] == 404
    assert call(admin, "GET", "/v1/units/down-new")[0] == 404
    # The refused PUT left no idempotency claim: its retry with the same key is simply done now.
    status, _, body = call(unit, "PUT", "/v1/units/down-unit/reports/2017-02", {"values": {"citizens_escorted": 5}},
                           {"Idempotency-Key": down_case["put_key"]})
    assert status == 201 and body["version"] == 1


# -- the database's answer lost: the report is stored, the app hears an error ------------------------

@pytest.fixture(scope="module")
def lost_ack(faulty):
    """PUT with an Idempotency-Key while the answers of TransactWriteItems are lost: DynamoDB stores
    the report (and, in the same transaction, the request's answer), the app hears 500s."""
    tokens = make_units(faulty.url, faulty.admin, ["ack-unit"])
    unit = Http(faulty.url, tokens["ack-unit"])
    key, body, path = uuid.uuid4().hex, {"values": {"citizens_escorted": 777}}, "/v1/units/ack-unit/reports/2017-01"
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode("lose", 1, only={"TransactWriteItems"})
    try:
        first = call(unit, "PUT", path, body, {"Idempotency-Key": key})
    finally:
        faulty.proxy.set_mode("pass")
    counts = proxy_figures(faulty.proxy)
    retry = call(unit, "PUT", path, body, {"Idempotency-Key": key})
    stored = call(unit, "GET", path)
    revisions = call(unit, "GET", path + "/revisions")
    FIGURES["lost_ack"] = {"first": first[0], "retry": retry[0], "answers_lost": counts.get("lost", 0)}
    return {"first": first, "retry": retry, "stored": stored, "revisions": revisions, "counts": counts}


def test_lost_ack_the_retry_with_the_same_key_replays_the_stored_answer(lost_ack):
    assert lost_ack["counts"].get("lost", 0) >= 1  # the fault was injected
    status, headers, _ = lost_ack["first"]
    assert status == 503 and headers.get("retry-after"), (status, headers)
    status, _, report = lost_ack["stored"]
    assert status == 200 and report["version"] == 1 and report["values"] == {"citizens_escorted": 777}
    status, headers, body = lost_ack["retry"]
    assert status == 201 and headers.get("idempotent-replayed") == "true", (status, headers, body)
    assert body["version"] == 1 and headers.get("etag") == lost_ack["stored"][1].get("etag")
    status, _, listing = lost_ack["revisions"]
    assert status == 200 and [r["version"] for r in listing["items"]] == [1]  # stored once


# -- a. throttling on a third of the DynamoDB calls ---------------------------------------------

def _burst(faulty: Faulty, name: str, prefix: str, clients: int, periods: list[str], mode: str,
           time_limit: float) -> dict[str, Any]:
    unit_ids = [f"{prefix}-{i:02d}" for i in range(clients)]
    tokens = make_units(faulty.url, faulty.admin, unit_ids)
    plan = submission_plan(unit_ids, periods)
    recorder = Recorder()
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode(mode, 1 / 3)
    try:
        elapsed = run_clients(faulty.url, tokens, plan, recorder, time_limit)
    finally:
        faulty.proxy.set_mode("pass")
    counts = proxy_figures(faulty.proxy)
    started = time.monotonic()
    check = verify_stored(faulty.stack.ddb.endpoint, faulty.table, plan)
    FIGURES[name] = {**burst_figures(plan, recorder, elapsed), "proxy": counts,
                     "stored": {"reports": check.reports, "revisions": check.revisions,
                                "audit_events": check.audit_events, "problems": len(check.problems)},
                     "unacknowledged": _unacknowledged(plan)[:10],
                     "verify_seconds": round(time.monotonic() - started, 2)}
    return {"plan": plan, "recorder": recorder, "check": check, "tokens": tokens, "counts": counts}


def _unacknowledged(plan: dict[str, list[Submission]]) -> list[str]:
    return [f"{s.unit_id} {s.period}: {s.statuses}" for subs in plan.values() for s in subs if not s.acknowledged]


def _unexplained(plan: dict[str, list[Submission]]) -> list[str]:
    """Submissions never acknowledged (their reports are checked to be stored like every other)."""
    return [f"{s.unit_id} {s.period}: {s.statuses}" for subs in plan.values() for s in subs if not s.acknowledged]


@pytest.fixture(scope="module")
def throttle_case(faulty):
    return _burst(faulty, "a_throttle", "thr", 20, PERIODS[:THROTTLE_PERIODS], "throttle", time_limit=300)


def test_throttled_burst_nothing_lost_nothing_stored_twice(throttle_case, faulty):
    check = throttle_case["check"]
    assert check.problems == []
    expected = 20 * THROTTLE_PERIODS
    assert (check.reports, check.revisions, check.audit_events) == (expected, expected, expected)
    for unit_id, token in throttle_case["tokens"].items():  # and as the API shows it, the proxy passing again
        status, _, listing = call(Http(faulty.url, token), "GET",
                                  f"/v1/units/{unit_id}/reports?from=2017-01&to={PERIODS[-1]}&limit=100")
        assert status == 200 and listing["next"] is None
        assert len(listing["items"]) == THROTTLE_PERIODS and {r["version"] for r in listing["items"]} == {1}


def test_throttled_burst_faults_were_injected_and_503s_carry_retry_after(throttle_case):
    counts, answers = throttle_case["counts"], throttle_case["recorder"].answers
    assert counts["throttled"] == counts["mode:throttle"] // 3 > 0
    assert all(a.retry_after and a.problem_json for a in answers if a.status == 503)
    assert all(a.retry_after for a in answers if a.status == 409)


def test_throttled_burst_every_submission_acknowledged(throttle_case):
    assert _unexplained(throttle_case["plan"]) == []


# -- d. 500 InternalServerError on a third of the calls ---------------------------------------

@pytest.fixture(scope="module")
def error5xx_case(faulty):
    return _burst(faulty, "d_error5xx", "e5x", 5, PERIODS[:10], "error5xx", time_limit=90)


def test_5xx_burst_nothing_lost_nothing_stored_twice(error5xx_case):
    check = error5xx_case["check"]
    assert check.problems == []
    assert (check.reports, check.revisions, check.audit_events) == (50, 50, 50)
    counts = error5xx_case["counts"]
    assert counts["error5xx"] == counts["mode:error5xx"] // 3 > 0
    assert all(a.retry_after and a.problem_json for a in error5xx_case["recorder"].answers if a.status == 503)


def test_5xx_burst_every_submission_acknowledged(error5xx_case):
    assert _unexplained(error5xx_case["plan"]) == []


# -- e. DynamoDB killed for ~3 s in the middle of a burst ----------------------------------------

@pytest.fixture(scope="module")
def kill_case(faulty):
    unit_ids = [f"kill-{i:02d}" for i in range(10)]
    tokens = make_units(faulty.url, faulty.admin, unit_ids)
    plan = submission_plan(unit_ids, PERIODS[:20])
    recorder = Recorder()
    result: dict[str, float] = {}
    faulty.proxy.reset_counts()
    burst = threading.Thread(target=lambda: result.update(
        elapsed=run_clients(faulty.url, tokens, plan, recorder, time_limit=100)), daemon=True)
    burst.start()
    deadline = time.monotonic() + 30
    while len(recorder.answers) < 60 and time.monotonic() < deadline:  # about a third of the burst
        time.sleep(0.05)
    down_at = time.monotonic()
    faulty.proxy.set_mode("down")
    time.sleep(3)
    faulty.proxy.set_mode("pass")
    up_at = time.monotonic()
    burst.join(timeout=150)
    assert not burst.is_alive()
    check = verify_stored(faulty.stack.ddb.endpoint, faulty.table, plan)
    during = [a for a in recorder.answers if down_at <= a.at + a.latency <= up_at]
    FIGURES["e_kill_mid_burst"] = {
        **burst_figures(plan, recorder, result.get("elapsed", 0.0)),
        "down_seconds": round(up_at - down_at, 2),
        "answered_while_down": _status_counts(during),
        "latency_503_while_down": latency_figures([a.latency for a in during if a.status == 503]),
        "proxy": proxy_figures(faulty.proxy),
        "stored": {"reports": check.reports, "revisions": check.revisions, "audit_events": check.audit_events,
                   "problems": len(check.problems)},
        "unacknowledged": _unacknowledged(plan)[:10],
    }
    return {"plan": plan, "recorder": recorder, "check": check, "during": during}


def _status_counts(answers: list[Any]) -> dict[int, int]:
    out: dict[int, int] = {}
    for a in answers:
        out[a.status] = out.get(a.status, 0) + 1
    return dict(sorted(out.items()))


def test_kill_mid_burst_every_submission_stored_once_and_every_2xx_matches(kill_case):
    check = kill_case["check"]
    assert check.problems == []
    assert (check.reports, check.revisions, check.audit_events) == (200, 200, 200)
    assert any(a.status == 503 for a in kill_case["during"]), "the outage was not seen by any client"
    assert all(a.retry_after and a.problem_json for a in kill_case["recorder"].answers if a.status == 503)
    assert max(a.latency for a in kill_case["during"] if a.status == 503) < BUDGET_S


def test_kill_mid_burst_every_submission_acknowledged(kill_case):
    assert _unexplained(kill_case["plan"]) == []
