"""A load run over the local stack (DynamoDB Local + `chalice local`), no faults.

    python -m bench.load                       # 20 clients x 50 submissions
    python -m bench.load --clients 5 --submissions 10

Each client (a thread) owns one unit and submits one monthly report per period
(2017-01 onwards; an admin opens the periods first) with PUT
/v1/units/{unit}/reports/{period} and its own Idempotency-Key per submission.
A 503 or 409 (or a connection error) is retried with the same key after
Retry-After; a submission is done at 201 (or a replayed 200), or at any other
answer, which is reported. The run prints throughput and latency percentiles, then
reads DynamoDB Local directly and checks that every submission is stored exactly
once (current report at version 1, one revision, one audit event) and that every
2xx answer matches what is stored.

Everything stays on 127.0.0.1 and every loop is bounded (attempts per submission,
an overall deadline). The same machinery drives tests/e2e/test_faults.py.
"""

from __future__ import annotations

import argparse
import heapq
import json
import sys
import threading
import time
import urllib.error
import uuid
from dataclasses import dataclass, field
from typing import Any

from devtools.stack import Http

RETRIED = (0, 409, 503)  # 0: the connection itself failed


def monthly_periods(count: int, first_year: int = 2017) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for an empty list)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def call(http: Http, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """Http.call with lower-cased header names; a failed connection is status 0."""
    try:
        status, h, data = http.call(method, path, body, headers)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
        return 0, {}, {"error": repr(exc)}
    except json.JSONDecodeError:
        return -1, {}, None
    return status, {k.lower(): v for k, v in h.items()}, data


# -- setup ---------------------------------------------------------------------------

def direct_store(stack: Any) -> Any:
    """The Store on DynamoDB Local itself (not through any proxy in THIDUA_DDB_ENDPOINT)."""
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for

    return store_for(settings({**stack.env, "THIDUA_DDB_ENDPOINT": stack.ddb.endpoint}))


def admin_token(stack: Any) -> str:
    from chalicelib.core.clock import SystemClock
    from chalicelib.units.tokens import issue_token

    return issue_token(direct_store(stack), "admin", "bench", SystemClock().now())["token"]


def open_periods(api_url: str, admin: str, periods: list[str]) -> None:
    """PUT /v1/periods/{p} with a far deadline (an admin opening the periods)."""
    http = Http(api_url, admin)
    for period in periods:
        status, _, body = call(http, "PUT", f"/v1/periods/{period}", {"deadline": "2099-12-31T23:59:59+07:00"})
        if status != 200:
            raise RuntimeError(f"PUT /v1/periods/{period}: {status} {body}")


def make_units(api_url: str, admin: str, unit_ids: list[str]) -> dict[str, str]:
    """Create the units and one unit token each; {unit_id: token}."""
    http = Http(api_url, admin)
    tokens = {}
    for unit_id in unit_ids:
        status, _, body = call(http, "POST", "/v1/units", {"id": unit_id, "name": f"Đơn vị {unit_id}",
                                                           "kind": "province"})
        if status != 201:
            raise RuntimeError(f"POST /v1/units {unit_id}: {status} {body}")
        status, _, body = call(http, "POST", f"/v1/units/{unit_id}/tokens", {})
        if status != 201:
            raise RuntimeError(f"POST /v1/units/{unit_id}/tokens: {status} {body}")
        tokens[unit_id] = body["token"]
    return tokens


def prepare(api_url: str, admin: str, unit_ids: list[str], periods: list[str]) -> dict[str, str]:
    """Open the periods, create the units and one unit token each; {unit_id: token}."""
    open_periods(api_url, admin, periods)
    return make_units(api_url, admin, unit_ids)


# -- the clients -----------------------------------------------------------------------

@dataclass
class Submission:
    unit_id: str
    period: str
    values: dict[str, int]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    statuses: list[int] = field(default_factory=list)
    final: int | None = None            # the answer that ended it (None: gave up / out of time)
    replayed: bool = False
    body: Any = None
    etag: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.final in (200, 201)

    @property
    def path(self) -> str:
        return f"/v1/units/{self.unit_id}/reports/{self.period}"


@dataclass
class Answer:
    status: int
    latency: float
    at: float                           # monotonic time the request was sent
    retry_after: str | None
    problem_json: bool


class Recorder:
    """Every answer the clients got, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.answers: list[Answer] = []

    def add(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def statuses(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for a in self.answers:
            out[a.status] = out.get(a.status, 0) + 1
        return dict(sorted(out.items()))

    def latencies(self, status: int | None = None) -> list[float]:
        return [a.latency for a in self.answers if status is None or a.status == status]


def submission_plan(unit_ids: list[str], periods: list[str]) -> dict[str, list[Submission]]:
    """One submission per unit and period; values vary a little (never an outlier to the app)."""
    return {u: [Submission(u, p, {"citizens_escorted": 1000 + 10 * ui + pi % 7})
                for pi, p in enumerate(periods)] for ui, u in enumerate(unit_ids)}


def run_client(api_url: str, token: str, subs: list[Submission], recorder: Recorder, deadline: float,
               max_attempts: int = 80, default_wait: float = 1.0, max_wait: float = 5.0) -> None:
    """Submit each of `subs` until it is answered 2xx or something not worth retrying.

    One request at a time. A 503/409/failed connection puts the submission back with the
    same key, due after Retry-After; a submission that is due goes first, otherwise the
    client goes on with its next new submission, otherwise it sleeps until the next is
    due. Bounded by `max_attempts` per submission and by `deadline`.
    """
    http = Http(api_url, token)
    fresh = list(range(len(subs)))[::-1]     # pop() takes them in order
    due: list[tuple[float, int]] = []        # (monotonic due time, index): retries
    while fresh or due:
        now = time.monotonic()
        if now >= deadline:
            return
        if due and due[0][0] <= now:
            i = heapq.heappop(due)[1]
        elif fresh:
            i = fresh.pop()
        else:
            time.sleep(min(due[0][0] - now, deadline - now))
            continue
        s = subs[i]
        sent = time.monotonic()
        status, headers, body = call(http, "PUT", s.path, {"values": s.values}, {"Idempotency-Key": s.key})
        latency = time.monotonic() - sent
        recorder.add(Answer(status, latency, sent, headers.get("retry-after"),
                            headers.get("content-type", "").startswith("application/problem+json")))
        s.statuses.append(status)
        if status in (200, 201):
            s.final, s.body, s.etag = status, body, headers.get("etag")
            s.replayed = headers.get("idempotent-replayed") == "true"
        elif status in RETRIED and len(s.statuses) < max_attempts:
            try:
                wait = float(headers.get("retry-after", default_wait))
            except ValueError:
                wait = default_wait
            heapq.heappush(due, (time.monotonic() + min(max(wait, 0.0), max_wait), i))
        else:
            s.final, s.body = status, body


def run_clients(api_url: str, tokens: dict[str, str], plan: dict[str, list[Submission]], recorder: Recorder,
                time_limit: float, max_attempts: int = 80) -> float:
    """One thread per unit; the wall time of the whole burst."""
    deadline = time.monotonic() + time_limit
    threads = [threading.Thread(target=run_client, args=(api_url, tokens[u], subs, recorder, deadline, max_attempts),
                                name=f"client-{u}", daemon=True) for u, subs in plan.items()]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 35)  # + one request's own timeout
    return time.monotonic() - started


# -- checking what is stored --------------------------------------------------------------

@dataclass
class Verification:
    reports: int = 0
    revisions: int = 0
    audit_events: int = 0
    problems: list[str] = field(default_factory=list)


def verify_stored(ddb_endpoint: str, table: str, plan: dict[str, list[Submission]],
                  region: str = "ap-southeast-1") -> Verification:
    """Read DynamoDB Local directly: every planned submission stored exactly once, every 2xx matching it."""
    import boto3
    from boto3.dynamodb.types import TypeDeserializer

    from chalicelib.core.audit import report_entity
    from chalicelib.store import keys
    from chalicelib.store.dynamodb import plain

    client = boto3.client("dynamodb", endpoint_url=ddb_endpoint, region_name=region,
                          aws_access_key_id="local", aws_secret_access_key="local")
    de = TypeDeserializer()

    def query(pk: str, count: bool = False) -> Any:
        items, total, start = [], 0, None
        for _ in range(1000):  # pages; bounded
            kwargs: dict[str, Any] = {"TableName": table, "KeyConditionExpression": "PK = :pk",
                                      "ExpressionAttributeValues": {":pk": {"S": pk}}, "ConsistentRead": True}
            if count:
                kwargs["Select"] = "COUNT"
            if start:
                kwargs["ExclusiveStartKey"] = start
            resp = client.query(**kwargs)
            total += resp.get("Count", 0)
            items += [{k: plain(de.deserialize(v)) for k, v in i.items()} for i in resp.get("Items", [])]
            start = resp.get("LastEvaluatedKey")
            if not start:
                break
        return total if count else items

    out = Verification()
    for unit_id, subs in plan.items():
        items = query(keys.unit_partition(unit_id))
        current = {i["SK"].split("#", 1)[1]: i for i in items if i["SK"].startswith("REPORT#")}
        revisions: dict[str, list[dict]] = {}
        for i in items:
            if i["SK"].startswith("REVISION#"):
                revisions.setdefault(i["SK"].split("#")[1], []).append(i)
        out.reports += len(current)
        out.revisions += sum(map(len, revisions.values()))
        planned = {s.period for s in subs}
        for extra in sorted(set(current) - planned):
            out.problems.append(f"{unit_id} {extra}: a report nobody submitted")
        for s in subs:
            where = f"{unit_id} {s.period}"
            report = current.get(s.period)
            if report is None:
                out.problems.append(f"{where}: not stored (answers {s.statuses})")
                continue
            if report.get("version") != 1:
                out.problems.append(f"{where}: version {report.get('version')}, expected 1")
            if report.get("values") != s.values:
                out.problems.append(f"{where}: stored {report.get('values')}, submitted {s.values}")
            revs = revisions.get(s.period, [])
            if [r.get("version") for r in revs] != [1]:
                out.problems.append(f"{where}: revisions {[r.get('version') for r in revs]}, expected [1]")
            events = query(keys.audit_partition(report_entity(unit_id, s.period)), count=True)
            out.audit_events += events
            if events != 1:
                out.problems.append(f"{where}: {events} audit events, expected 1")
            if s.acknowledged:
                body = s.body or {}
                if body.get("version") != report.get("version") or body.get("values") != report.get("values"):
                    out.problems.append(f"{where}: answered {s.final} with {body.get('version')}/{body.get('values')},"
                                        f" stored {report.get('version')}/{report.get('values')}")
                if s.etag != f'"{report.get("etag")}"':
                    out.problems.append(f"{where}: answered ETag {s.etag}, stored \"{report.get('etag')}\"")
    return out


# -- figures ---------------------------------------------------------------------------

def latency_figures(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(percentile(values, 50), 4), "p95": round(percentile(values, 95), 4),
            "p99": round(percentile(values, 99), 4), "max": round(max(values), 4) if values else 0.0}


def burst_figures(plan: dict[str, list[Submission]], recorder: Recorder, elapsed: float) -> dict[str, Any]:
    subs = [s for ss in plan.values() for s in ss]
    finals: dict[str, int] = {}
    for s in subs:
        finals[str(s.final)] = finals.get(str(s.final), 0) + 1
    requests = len(recorder.answers)
    return {
        "submissions": len(subs),
        "acknowledged": sum(s.acknowledged for s in subs),
        "replayed": sum(s.replayed for s in subs),
        "final_statuses": dict(sorted(finals.items())),
        "requests": requests,
        "statuses": recorder.statuses(),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(requests / elapsed, 1) if elapsed else 0.0,
        "latency_all": latency_figures(recorder.latencies()),
        "latency_2xx": latency_figures([a.latency for a in recorder.answers if a.status in (200, 201)]),
        "latency_503": latency_figures(recorder.latencies(503)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients, one unit each (default 20)")
    parser.add_argument("--submissions", type=int, default=50, help="reports per client (default 50, max 600)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="give up after this many seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 1 <= args.submissions <= 600:
        parser.error("--clients must be 1-200 and --submissions 1-600")

    from devtools.stack import running_stack

    table = f"bench{uuid.uuid4().hex[:8]}"
    print(f"starting DynamoDB Local and chalice local (table {table}) ...", flush=True)
    with running_stack(table=table) as stack:
        unit_ids = [f"bench-{i:03d}" for i in range(args.clients)]
        periods = monthly_periods(args.submissions)
        t0 = time.monotonic()
        tokens = prepare(stack.api_url, admin_token(stack), unit_ids, periods)
        print(f"setup: {len(periods)} periods, {len(unit_ids)} units and tokens in {time.monotonic() - t0:.1f}s",
              flush=True)
        plan = submission_plan(unit_ids, periods)
        recorder = Recorder()
        elapsed = run_clients(stack.api_url, tokens, plan, recorder, args.time_limit)
        figures = burst_figures(plan, recorder, elapsed)
        check = verify_stored(stack.ddb.endpoint, table, plan)
    lat = figures["latency_all"]
    print(f"{args.clients} clients x {args.submissions} submissions: {figures['requests']} requests "
          f"in {figures['seconds']}s = {figures['requests_per_s']} requests/s")
    print(f"latency (all answers): p50 {lat['p50'] * 1000:.0f} ms, p95 {lat['p95'] * 1000:.0f} ms, "
          f"p99 {lat['p99'] * 1000:.0f} ms, max {lat['max'] * 1000:.0f} ms")
    print(f"statuses: {figures['statuses']}; acknowledged {figures['acknowledged']}/{figures['submissions']}")
    print(f"stored: {check.reports} reports, {check.revisions} revisions, {check.audit_events} audit events")
    print(json.dumps({"figures": figures, "problems": check.problems[:20]}, ensure_ascii=False))
    if check.problems or figures["acknowledged"] != figures["submissions"]:
        print(f"FAILED: {len(check.problems)} problems", file=sys.stderr)
        for p in check.problems[:20]:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK: every submission stored exactly once and every 2xx matches what is stored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
