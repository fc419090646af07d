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
- defect 3, every idempotent route (unit, conference, nomination, report): the commit's answer
  lost, held, or its API process killed; once the claim has expired the retry replays the first
  answer, and one entity and one audit event are stored. A first request that outlives its claim
  adds nothing after the retry took the key, and answers the retry's answer;
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
from dataclasses import dataclass, field
from typing import Any

import pytest

from bench.load import (Recorder, Submission, admin_token, burst_figures, call, direct_store, latency_figures,
                        make_units, monthly_periods, open_periods, run_clients, submission_plan, verify_stored)
from devtools import dynamodb_local
from devtools.faulty_proxy import FaultyProxy
from devtools.stack import ROOT, Http, running_api, running_stack

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


# -- defect 3: every idempotent route, its commit stored and its answer lost ----------------------

IN_PROGRESS_S = 2  # the first APIs' Idempotency-Key claims expire after this (THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS)
D3_ROUTES = ("unit", "conference", "nomination", "report")
D3_FAULTS = ("lose", "stall", "kill")  # the answer to the commit: lost (a 500), held, or its API process killed
ONLY_THE_COMMIT = {"TransactWriteItems"}  # a request's one transaction: its change, its audit event, its answer
D3_CONFERENCE = {"date": "2031-08-05", "place": "Hà Nội", "periods": ["2021-01"],
                 "recipients": ["lanhdao@bocongan.example.vn"], "quotas": {"bang-khen-bo-truong": 5},
                 "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}

Answer = tuple[int, dict[str, str], Any]


@dataclass
class Attempt:
    """One idempotent request sent first to a faulty first API, then retried on the stack's API."""
    case: str
    route: str
    api: str  # the stack's API, where retries go (as a retry reaches another Lambda)
    token: str
    scope: str  # the Idempotency-Key's namespace: the caller
    method: str
    path: str
    body: Any
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    first: Answer | None = None
    proxy: dict[str, int] = field(default_factory=dict)
    record: dict[str, Any] | None = None  # the key's record as stored before the retry
    final: dict[str, Any] | None = None  # ... and at the end
    retried_at: float = 0.0
    retry: Answer | None = None
    again: Answer | None = None
    stored: Answer | None = None  # the entity read back

    def send_first(self, url: str) -> None:
        self.first = call(Http(url, self.token), self.method, self.path, self.body, {"Idempotency-Key": self.key})

    def send_retry(self) -> Answer:
        return call(Http(self.api, self.token), self.method, self.path, self.body, {"Idempotency-Key": self.key})


def _d3_attempts(faulty: Faulty, cases: tuple[str, ...]) -> dict[str, list[Attempt]]:
    """For each case, one request per idempotent route, each on its own unit, key and names."""
    from chalicelib.units.tokens import token_id_of

    admin_scope = f"token:{token_id_of('Bearer ' + faulty.admin)}"
    units = make_units(faulty.url, faulty.admin, [f"d3-{case}" for case in cases])
    status, _, conference = call(Http(faulty.url, faulty.admin), "POST", "/v1/conferences",
                                 {"title": "Hội nghị nhận đề nghị khen thưởng", **D3_CONFERENCE})
    assert status == 201, conference
    out: dict[str, list[Attempt]] = {}
    for case in cases:
        unit_id = f"d3-{case}"
        admin = {"api": faulty.url, "token": faulty.admin, "scope": admin_scope}
        unit = {"api": faulty.url, "token": units[unit_id], "scope": f"unit:{unit_id}"}
        out[case] = [
            Attempt(case, "unit", **admin, method="POST", path="/v1/units",
                    body={"id": f"d3-{case}-moi", "name": "Công an tỉnh Quảng Bình", "kind": "province"}),
            Attempt(case, "conference", **admin, method="POST", path="/v1/conferences",
                    body={"title": f"Hội nghị sơ kết công tác phòng, chống dịch ({case})", **D3_CONFERENCE}),
            Attempt(case, "nomination", **unit, method="POST", path=f"/v1/units/{unit_id}/nominations",
                    body={"conference_id": conference["id"], "kind": "individual", "name": "Nguyễn Thị Hạnh",
                          "position": "Thiếu tá, Đội trưởng", "award_form": "bang-khen-bo-truong",
                          "achievements": "Trực chốt kiểm soát dịch 120 ngày đêm liên tục."}),
            Attempt(case, "report", **unit, method="PUT", path=f"/v1/units/{unit_id}/reports/{PERIODS[0]}",
                    body={"values": {"citizens_escorted": 1234, "checkpoints": 12}}),
        ]
    return out


def _idempotency_record(faulty: Faulty, a: Attempt) -> dict[str, Any] | None:
    """The key's record, read from DynamoDB Local itself (not through the proxy)."""
    from chalicelib.http.idempotency import record_key
    from chalicelib.store import keys

    item = direct_store(faulty.stack).table.get(keys.idempotency(record_key(a.scope, a.method, a.path, a.key)))
    if item is not None and isinstance(item.get("response"), str):
        item["response"] = json.loads(item["response"])
    return item


def _wait_for(condition: Any, limit: float = 10.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _first_answers_lost(faulty: Faulty, url: str, attempts: dict[str, list[Attempt]]) -> None:
    """lose and stall, on an API whose DynamoDB budget is the default 2 attempts of 2 s."""
    for a in attempts["lose"]:  # one at a time: each loses the answers to its own transaction only
        faulty.proxy.reset_counts()
        faulty.proxy.set_mode("lose", only=ONLY_THE_COMMIT)
        try:
            a.send_first(url)
        finally:
            faulty.proxy.set_mode("pass")
        a.proxy = proxy_figures(faulty.proxy)
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode("stall", only=ONLY_THE_COMMIT)
    try:  # together: DynamoDB commits at once, then each request waits out its client budget
        with ThreadPoolExecutor(max_workers=len(D3_ROUTES)) as pool:
            list(pool.map(lambda a: a.send_first(url), attempts["stall"]))
    finally:
        faulty.proxy.set_mode("pass")
    for a in attempts["stall"]:
        a.proxy = proxy_figures(faulty.proxy)


def _first_requests_outlive_or_die(faulty: Faulty, url: str, api: Any, attempts: dict[str, list[Attempt]]) -> bool:
    """outlive and kill, on an API that waits up to 8 s for DynamoDB (longer than its claims last)."""
    outlive = attempts["outlive"]
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode("hang", only=ONLY_THE_COMMIT, limit=len(outlive))  # each first transaction, once
    try:
        with ThreadPoolExecutor(max_workers=len(outlive)) as pool:
            firsts = [pool.submit(a.send_first, url) for a in outlive]
            assert _wait_for(lambda: faulty.proxy.counts().get("hung", 0) >= len(outlive)), proxy_figures(faulty.proxy)
            time.sleep(IN_PROGRESS_S + 1.1)  # their claims expire while they wait for DynamoDB
            for a in outlive:  # the client gives up and retries: it claims the key and creates (past the limit)
                a.record = _idempotency_record(faulty, a)
                a.retried_at = time.time()
                a.retry = a.send_retry()
            faulty.proxy.set_mode("pass")  # the first requests' transactions now reach DynamoDB (botocore retries)
            for future in firsts:
                future.result(timeout=60)
    finally:
        faulty.proxy.set_mode("pass")
    counts = proxy_figures(faulty.proxy)
    for a in outlive:
        a.proxy = counts
        a.again = a.send_retry()
    kill = attempts["kill"]
    faulty.proxy.reset_counts()
    faulty.proxy.set_mode("stall", only=ONLY_THE_COMMIT)
    try:  # the API process dies once DynamoDB has committed, before any answer reached it
        with ThreadPoolExecutor(max_workers=len(kill)) as pool:
            sent = [pool.submit(a.send_first, url) for a in kill]
            committed = _wait_for(lambda: all((_idempotency_record(faulty, a) or {}).get("state") == "done"
                                              for a in kill))
            api.kill()
            api.wait(timeout=10)
            for future in sent:
                future.result(timeout=30)
    finally:
        faulty.proxy.set_mode("pass")
    for a in kill:
        a.proxy = proxy_figures(faulty.proxy)
    return committed


@pytest.fixture(scope="module")
def defect_3(faulty):
    """Each idempotent route's first request goes to a second `chalice local` whose claims expire after
    IN_PROGRESS_S, while the proxy loses, holds or outlives the answer to the route's transaction; the
    retries, once those claims have expired, go to the stack's API, as a retry reaches another Lambda."""
    started = time.monotonic()
    attempts = _d3_attempts(faulty, (*D3_FAULTS, "outlive"))
    env = {**faulty.stack.env, "THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS": str(IN_PROGRESS_S)}
    with running_api(env) as (url, _):
        _first_answers_lost(faulty, url, attempts)
    with running_api({**env, "THIDUA_DDB_READ_TIMEOUT": "8"}) as (url, api):
        committed = _first_requests_outlive_or_die(faulty, url, api, attempts)
    # Every claim of the lost answers was made before the kill: 3 s on, past in_progress_until (whole seconds).
    time.sleep(IN_PROGRESS_S + 1.1)
    lost = [a for case in D3_FAULTS for a in attempts[case]]
    for a in lost:
        a.record = _idempotency_record(faulty, a)
        a.retried_at = time.time()
        a.retry = a.send_retry()
        a.again = a.send_retry()
    admin = Http(faulty.url, faulty.admin)
    for a in lost + attempts["outlive"]:
        status, _, body = a.retry
        if status == 201:
            where = {"unit": f"/v1/units/{body.get('id')}", "conference": f"/v1/conferences/{body.get('id')}",
                     "nomination": f"/v1/nominations/{body.get('id')}", "report": a.path}[a.route]
            a.stored = call(admin, "GET", where)
        a.final = _idempotency_record(faulty, a)
    items = scan_table(faulty)
    FIGURES["defect_3"] = {
        "seconds": round(time.monotonic() - started, 2), "committed_before_kill": committed,
        "attempts": [{"case": a.case, "route": a.route, "first": a.first[0], "retry": a.retry[0],
                      "first_replayed": a.first[1].get("idempotent-replayed"),
                      "retry_replayed": a.retry[1].get("idempotent-replayed"), "proxy": a.proxy}
                     for a in lost + attempts["outlive"]],
    }
    return {"attempts": {(a.case, a.route): a for a in lost + attempts["outlive"]}, "items": items,
            "committed": committed}


def _plain(attribute: dict[str, Any]) -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(attribute)


def _entities(items: dict[tuple[str, str], Any], a: Attempt) -> tuple[list[Any], list[Any]]:
    """The stored entities that answer the attempt's request, and their audit events."""
    body = a.body
    if a.route == "unit":
        found = [i for (pk, sk), i in items.items() if pk == "UNITS" and sk == f"UNIT#{body['id']}"]
        entities = [f"unit:{body['id']}"]
    elif a.route == "conference":
        found = [i for (pk, _), i in items.items() if pk == "CONFERENCES" and _plain(i["title"]) == body["title"]]
        entities = [f"conference:{_plain(i['id'])}" for i in found]
    elif a.route == "nomination":
        unit_id = a.path.split("/")[3]
        found = [i for (pk, sk), i in items.items() if pk == f"UNIT#{unit_id}" and sk.startswith("NOMINATION#")]
        entities = [f"nomination:{_plain(i['id'])}" for i in found]
    else:
        unit_id, period = a.path.split("/")[3], a.path.split("/")[5]
        found = [i for (pk, sk), i in items.items() if pk == f"UNIT#{unit_id}" and sk.startswith(f"REVISION#{period}#")]
        entities = [f"report:{unit_id}:{period}"]
    events = [i for (pk, _), i in items.items() if pk in {f"AUDIT#{e}" for e in entities}]
    return found, events


def _assert_one_answer(a: Attempt, answer: Answer, items: dict[tuple[str, str], Any]) -> None:
    """`answer` is the key's stored answer, replayed; the entity it names is stored once, audited once."""
    status, headers, body = answer
    assert status == 201 and headers.get("idempotent-replayed") == "true", (status, headers, body)
    assert a.final is not None and a.final["state"] == "done", a.final
    stored = a.final["response"]
    stored_headers = {k.lower(): v for k, v in stored["headers"].items()}
    assert stored["status"] == 201 and body == json.loads(stored["body"])
    assert headers.get("etag") == stored_headers.get("etag")
    assert headers.get("location") == stored_headers.get("location")
    if a.route != "report":
        assert headers.get("location") == f"/v1/{a.route}s/{body['id']}", headers
    else:
        assert body["version"] == 1 and "location" not in headers
    read_status, read_headers, read = a.stored  # what the table holds: the same entity and ETag
    assert read_status == 200 and read == body and read_headers.get("etag") == headers.get("etag")
    found, events = _entities(items, a)
    assert len(found) == 1, found
    assert len(events) == 1, events


@pytest.mark.parametrize("fault", D3_FAULTS)
@pytest.mark.parametrize("route", D3_ROUTES)
def test_defect_3_every_idempotent_route_replays_its_first_answer_after_a_lost_commit(defect_3, route, fault):
    a: Attempt = defect_3["attempts"][(fault, route)]
    status, headers, body = a.first
    if fault == "kill":  # the process died once DynamoDB had committed: the client heard nothing at all
        assert defect_3["committed"] and status == 0, (status, headers, body)
        assert a.proxy.get("stalled", 0) >= len(D3_ROUTES), a.proxy
    else:
        assert is_503_problem(status, headers, body), (status, headers, body)
    if fault == "lose":  # only this request's transaction was touched: botocore's 2 attempts, both lost
        assert a.proxy.get("lost") == a.proxy.get("target:TransactWriteItems") == 2, a.proxy
    elif fault == "stall":  # the four transactions, each answer held twice (botocore's 2 attempts)
        assert a.proxy.get("stalled") == a.proxy.get("target:TransactWriteItems") == 2 * len(D3_ROUTES), a.proxy
    # The answer was stored by the change's own transaction, and its claim had expired before the retry.
    assert a.record is not None and a.record["state"] == "done", a.record
    assert a.record["in_progress_until"] < a.retried_at, (a.record, a.retried_at)
    assert a.record["response"] == a.final["response"]  # the retries changed nothing
    _assert_one_answer(a, a.retry, defect_3["items"])
    _assert_one_answer(a, a.again, defect_3["items"])


@pytest.mark.parametrize("route", D3_ROUTES)
def test_defect_3_a_first_request_that_outlives_its_claim_adds_nothing_and_answers_the_retrys_answer(defect_3,
                                                                                                      route):
    """The claim expired while the first request waited for DynamoDB; the client's retry took the key
    and created the entity. The first request's transaction, arriving later, must store nothing (no
    second conference, no 409 over the stored answer) and answer what the key holds."""
    a: Attempt = defect_3["attempts"][("outlive", route)]
    assert a.proxy.get("hung") == len(D3_ROUTES), a.proxy
    assert a.record is not None and a.record["state"] == "in_progress", a.record  # the first one's claim
    assert a.record["in_progress_until"] < a.retried_at, (a.record, a.retried_at)
    status, headers, body = a.retry  # the retry did the work and stored its answer
    assert status == 201 and "idempotent-replayed" not in headers, (status, headers, body)
    assert a.final is not None and json.loads(a.final["response"]["body"]) == body, a.final
    _assert_one_answer(a, a.first, defect_3["items"])  # the late first request answers it too
    assert a.first[1].get("etag") == headers.get("etag") and a.first[1].get("location") == headers.get("location")
    _assert_one_answer(a, a.again, defect_3["items"])


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
