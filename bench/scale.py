"""The ministry at 160, 700 and 11,000 units (issue 20): each figure of the issue's table.

    python -m bench scale                                 # 160, 700 and 11,000 units (15-20 minutes)
    python -m bench scale --quick                         # 50 and 160 units, smaller caps (a smoke run)
    python -m bench.scale run --sizes 160,700 --json out/scale.json   # chosen sizes, raw results kept
    python -m bench.scale_build --units 11000             # only the build, timed

Each size is built on its own DynamoDB Local (bench/scale_build.py: 12 monthly reports a unit,
5,000 nominations on one conference and 1,000 on another). Every figure is measured through the
public handlers, entered as Lambda enters them (`app.app(event, context)` with an API Gateway proxy
event), in a fresh child process killed when it outlasts its cap: a path still slow prints
"> N s" (target missed) instead of holding up the run. DynamoDB calls are counted with botocore's
`before-parameter-build` event (each is a round trip). Each figure is printed with the issue's
target, its floor measured in the same run (the least DynamoDB work the answer needs: one raw
page of the items it lists, the raw calls a write must make), the figure at 160 units and the
ratio of the largest size to 160 against the ratio of units (linear growth or better: ratio ≤ the
unit ratio; the ideal for a page or a write is flat).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from bench.figures import Figure

SECTION = "scale"
ROOT = Path(__file__).resolve().parent.parent
SIZES = (160, 700, 11000)
QUICK_SIZES = (50, 160)
MEASURED_AT = datetime(2022, 1, 10, 3, 0, tzinfo=timezone.utc)   # the app's clock while measuring
TABLE = "bench-scale"
CAP = 60.0             # seconds any one measured request may take before it is cut
COMPILE_CAP = 180.0    # the compile's cap (the issue measured 251 s at 11,000 units)
KEEP_CAP = 300.0       # the daily function's timeout: the figures' keeping must fit in one run
MEMORY_CAP_MB = 12_000  # a compile's process tree is killed above this (the machine must survive)
MB = 1_000_000


# -- the built ministry -----------------------------------------------------------------------

class Ministry:
    """A DynamoDB Local holding the `count`-unit ministry, its conferences and tokens (a context
    manager); `context` is what a measuring child process needs to find them."""

    def __init__(self, count: int, progress: Callable[[str], None] = print, small: bool = False) -> None:
        self.count, self.progress, self.small = count, progress, small
        self.scratch = Path(tempfile.mkdtemp(prefix=f"bench-scale-{count}-"))

    def __enter__(self) -> "Ministry":
        from devtools import dynamodb_local

        self.ddb = dynamodb_local.start()
        try:
            self._build()
        except BaseException:
            self.ddb.stop()
            raise
        return self

    def __exit__(self, *_: Any) -> None:
        self.ddb.stop()

    @property
    def env(self) -> dict[str, str]:
        return {"THIDUA_DDB_ENDPOINT": self.ddb.endpoint, "THIDUA_TABLE": TABLE, "THIDUA_STAGE": "bench",
                "THIDUA_STORE": "dynamodb", "AWS_DEFAULT_REGION": "ap-southeast-1",
                "THIDUA_ARTIFACTS": str(self.scratch / "artifacts"), "THIDUA_MAIL": f"outbox:{self.scratch / 'outbox'}",
                "THIDUA_COMPILE_TRIGGER": "none",
                # generous read timeout: a slow path must show as slow, not as a 503 after 2 s
                "THIDUA_DDB_READ_TIMEOUT": "30", "THIDUA_DDB_ATTEMPTS": "1"}

    def _build(self) -> None:
        from bench import scale_build as sb
        from chalicelib.core.clock import FixedClock
        from chalicelib.core.settings import settings
        from chalicelib.bootstrap import services
        from chalicelib.store import store_for
        from chalicelib.units.tokens import issue_token

        build_started = time.monotonic()
        os.environ.update(self.env)
        store = store_for(settings())
        store.ensure_table()
        self.progress(f"   building {self.count:,} units on DynamoDB Local ({self.ddb.endpoint}) ...")
        self.built = sb.build(store, self.count, progress=self.progress)
        admin = issue_token(store, "admin", "bench", MEASURED_AT)["token"]
        services.clock = FixedClock(MEASURED_AT)
        api = Api(admin)
        api.call("PUT", f"/v1/periods/{sb.OPEN_PERIOD}", {"deadline": "2099-12-31T23:59:59+07:00"}, expect=200)
        conferences = {}
        big, small = (200, 100) if self.small else (sb.BIG, sb.SMALL)
        for name, count in (("big", big), ("small", small)):
            body = {"title": f"Hội nghị tổng kết công tác phòng, chống dịch năm 2021 ({name})",
                    "date": "2022-01-20", "periods": sb.MONTHS, "recipients": ["lanhdao@bocongan.example.vn"],
                    "quotas": {sb.FORMS[0]: 300, sb.FORMS[1]: 1000, sb.FORMS[2]: 20},
                    "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"},
                    "nomination_deadline": "2022-01-15T17:00:00+07:00"}
            conference = api.call("POST", "/v1/conferences", body, expect=201)
            units = sb.ministry(self.count)
            started = time.monotonic()
            sb.add_nominations(store, conference["id"], units, count, seed=count)
            self.built.nominations[conference["id"]] = count
            conferences[name] = conference["id"]
            self.progress(f"   {count:,} nominations on conference {conference['id']} in "
                          f"{time.monotonic() - started:.1f} s")
        self.built.big, self.built.small = conferences["big"], conferences["small"]
        self.built.seconds = time.monotonic() - build_started  # units, reports, conferences, nominations
        units = sb.ministry(self.count)
        deepest = units[-1]["id"]
        # tokens of units that PUT a report for OPEN_PERIOD, one PUT each (spread over the tree)
        step = max(1, len(units) // 12)
        putters = [u["id"] for u in units[::step]][:12]
        self.context = {
            "env": self.env, "count": self.count, "admin": admin, "big": conferences["big"],
            "small": conferences["small"], "period": sb.MONTHS[-1], "open_period": sb.OPEN_PERIOD,
            "nominator": {"unit_id": deepest,
                          "token": issue_token(store, "unit", "bench", MEASURED_AT, unit_id=deepest)["token"]},
            "putters": {u: issue_token(store, "unit", "bench", MEASURED_AT, unit_id=u)["token"] for u in putters},
            "scratch": str(self.scratch), "months": sb.MONTHS,
        }
        (self.scratch / "context.json").write_text(json.dumps(self.context))


class Api:
    """The app entered as Lambda enters it, in this process."""

    def __init__(self, token: str) -> None:
        self.token = token

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
             headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
             expect: int | None = None) -> Any:
        response = self.raw(method, path, body, token=token, headers=headers, query=query)
        if expect is not None and response["statusCode"] != expect:
            raise RuntimeError(f"{method} {path}: {response['statusCode']} {str(response.get('body'))[:500]}")
        text = response.get("body") or ""
        try:
            return json.loads(text) if text and not response.get("isBase64Encoded") else text
        except ValueError:
            return text

    def raw(self, method: str, path: str, body: Any = None, *, token: str | None = None,
            headers: dict[str, str] | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
        import app as thidua
        from bench.submission import LambdaContext, proxy_event

        params = _path_params(path)
        event = proxy_event(method, path, params, token or self.token, body, headers)
        if body is None:
            event["body"] = None
        # Chalice reads the multi-value form (API Gateway sends both)
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
        return thidua.app(event, LambdaContext())


ROUTES = ["/v1/conferences/{conference_id}/shortlist", "/v1/conferences/{conference_id}/decisions",
          "/v1/conferences/{conference_id}/documents", "/v1/periods/{period}/completeness", "/v1/periods/{period}",
          "/v1/units/{unit_id}/nominations", "/v1/units/{unit_id}/reports/{period}", "/v1/documents/{document_id}/file",
          "/v1/nominations/{nomination_id}", "/v1/conferences"]


def _path_params(path: str) -> dict[str, str]:
    """The path parameters of `path` by the route it matches (proxy_event rebuilds the resource)."""
    parts = path.strip("/").split("/")
    for route in ROUTES:
        pattern = route.strip("/").split("/")
        if len(pattern) == len(parts) and all(p.startswith("{") or p == q for p, q in zip(pattern, parts)):
            return {p[1:-1]: q for p, q in zip(pattern, parts) if p.startswith("{")}
    return {}


# -- measuring, in a child process -------------------------------------------------------------

def _child_setup(context: dict[str, Any]) -> tuple[Api, Any, Any]:
    os.environ.update(context["env"])
    from bench.submission import Counter
    from chalicelib.bootstrap import services
    from chalicelib.core.clock import FixedClock
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for

    import app  # noqa: F401 - imports are not the request

    services.clock = FixedClock(MEASURED_AT)
    store = store_for(settings())
    counter = Counter(store.table.client)
    api = Api(context["admin"])
    api.call("GET", "/v1/me", expect=200)  # a warm instance: client made, connection open
    return api, store, counter


def _raw_page(store: Any, pk: str, index: bool = True, projection: str | None = None) -> tuple[float, int, int]:
    """One raw 1 MB Query page: (seconds, items, bytes of the items as DynamoDB JSON)."""
    kwargs: dict[str, Any] = {"TableName": TABLE, "KeyConditionExpression": "#p = :pk",
                              "ExpressionAttributeNames": {"#p": "GSI1PK" if index else "PK"},
                              "ExpressionAttributeValues": {":pk": {"S": pk}}}
    if index:
        kwargs["IndexName"] = "GSI1"
    if projection:
        kwargs["ProjectionExpression"] = projection
    start = time.perf_counter()
    resp = store.table.client.query(**kwargs)
    seconds = time.perf_counter() - start
    return seconds, len(resp.get("Items", [])), len(json.dumps(resp.get("Items", [])))


def _timed_get(api: Api, counter: Any, path: str, headers: dict[str, str] | None = None,
               query: dict[str, str] | None = None) -> dict[str, Any]:
    with counter.counting() as calls:
        start = time.perf_counter()
        response = api.raw("GET", path, headers=headers, query=query)
        seconds = time.perf_counter() - start
    body = response.get("body") or ""
    size = len(body.encode()) if isinstance(body, str) else len(body)
    try:
        parsed = json.loads(body) if not response.get("isBase64Encoded") else None
    except ValueError:
        parsed = None
    next_cursor = parsed.get("next") if isinstance(parsed, dict) else None
    kinds = {name: calls.count(name) for name in dict.fromkeys(calls)}
    return {"status": response["statusCode"], "seconds": seconds, "bytes": size, "round_trips": len(calls),
            "calls": [f"{n} {name}" for name, n in kinds.items()],
            "next": bool(next_cursor), "headers": response.get("headers") or {},
            "rows": len(parsed.get("items", parsed.get("rows", []))) if isinstance(parsed, dict) else None}


def m_shortlist(context: dict[str, Any], conference: str) -> dict[str, Any]:
    from chalicelib.store import keys

    api, store, counter = _child_setup(context)
    out = _timed_get(api, counter, f"/v1/conferences/{context[conference]}/shortlist")
    out.pop("headers")
    floor = [_raw_page(store, keys.conference_nominations(context[conference])) for _ in range(3)]
    out["floor_seconds"] = statistics.median(f[0] for f in floor)
    out["floor_items"], out["floor_bytes"] = floor[0][1], floor[0][2]
    return out


def m_shortlist_workbook(context: dict[str, Any]) -> dict[str, Any]:
    """The whole shortlist of the 5,000-nomination conference as the office's Excel file (Accept: xlsx)."""
    api, _, counter = _child_setup(context)
    out = _timed_get(api, counter, f"/v1/conferences/{context['big']}/shortlist",
                     headers={"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    out.pop("headers", None)
    return out


def m_completeness(context: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.store import keys

    api, store, counter = _child_setup(context)
    out = _timed_get(api, counter, f"/v1/periods/{context['period']}/completeness")
    out.pop("headers")
    floor = [_raw_page(store, keys.period_reports_index(context["period"])) for _ in range(3)]
    out["floor_seconds"] = statistics.median(f[0] for f in floor)
    out["floor_items"], out["floor_bytes"] = floor[0][1], floor[0][2]
    return out


def m_documents(context: dict[str, Any]) -> dict[str, Any]:
    """After the compile: the summary's download (size, or the redirect) and its page count."""
    api, store, counter = _child_setup(context)
    listing = api.call("GET", f"/v1/conferences/{context['small']}/documents", expect=200)
    docs = [d for d in listing.get("items", []) if d.get("kind") == "summary"]
    if not docs:
        return {"error": f"no summary listed: {[d.get('kind') for d in listing.get('items', [])]}"}
    doc = docs[0]
    document_id = doc.get("id") or doc["url"].rstrip("/").split("/")[-2]
    out = _timed_get(api, counter, f"/v1/documents/{document_id}/file", headers={"Accept": "application/pdf"})
    headers = {k.lower(): v for k, v in out.pop("headers").items()}
    out["location"] = headers.get("location")
    record = store.documents.get(document_id) or {}
    artifact = Path(context["env"]["THIDUA_ARTIFACTS"]) / str(record.get("artifact_key", ""))
    out["file_bytes"] = artifact.stat().st_size if artifact.is_file() else None
    out["pages"] = _pages(artifact) if artifact.is_file() else None
    out["document_id"] = document_id
    return out


def _pages(pdf: Path) -> int | None:
    import re

    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)
    return int(found[1]) if found else None


def _replay_floor(store: Any, counter: Any, token_id: str, scratch_table: str) -> float:
    """The least a write can do: the token's GetItem and the write's own transaction, replayed raw
    into an empty table (as bench/submission.py)."""
    items = json.loads(json.dumps(counter.last["TransactWriteItems"]["TransactItems"]))
    client = store.table.client
    for item in items:
        for kind, op in item.items():
            op["TableName"] = scratch_table
            if kind == "ConditionCheck":
                # the checked item (unchanged by the write) is copied first, so its check holds
                found = client.get_item(TableName=TABLE, Key=op["Key"]).get("Item")
                if found:
                    client.put_item(TableName=scratch_table, Item=found)
                continue
            # the replay goes into an empty table: a condition on an earlier version cannot hold there
            op.pop("ConditionExpression", None)
            used = op.get("UpdateExpression", "")
            for placeholders in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
                kept = {k: v for k, v in op.get(placeholders, {}).items() if re.search(re.escape(k) + r"\b", used)}
                if kept:
                    op[placeholders] = kept
                else:
                    op.pop(placeholders, None)
    start = time.perf_counter()
    client.get_item(TableName=TABLE, Key={"PK": {"S": f"TOKEN#{token_id}"}, "SK": {"S": "TOKEN"}},
                    ConsistentRead=True)
    client.transact_write_items(TransactItems=items)
    return time.perf_counter() - start


def _scratch_table(store: Any) -> str:
    from chalicelib.store.dynamodb import table_definition

    name = f"bench-raw-{uuid.uuid4().hex[:6]}"
    store.table.client.create_table(**table_definition(name))
    return name


def _token_id(token: str) -> str:
    from chalicelib.core.bearer import bearer_of

    bearer = bearer_of(f"Bearer {token}")
    assert bearer is not None and bearer.token_id, "a machine token"
    return bearer.token_id


def m_nomination_post(context: dict[str, Any], rounds: int = 5) -> dict[str, Any]:
    api, store, counter = _child_setup(context)
    scratch = _scratch_table(store)
    unit, token = context["nominator"]["unit_id"], context["nominator"]["token"]
    times, floors, calls_seen = [], [], []
    for n in range(rounds + 1):
        body = {"conference_id": context["small"], "kind": "individual", "name": f"Trần Văn Đo {n}",
                "position": "Đại úy, cán bộ", "officer_number": f"BENCH-{uuid.uuid4().hex[:8]}",
                "award_form": "bang-khen-bo-truong", "achievements": "Hoàn thành xuất sắc nhiệm vụ."}
        with counter.counting() as calls:
            start = time.perf_counter()
            response = api.raw("POST", f"/v1/units/{unit}/nominations", body, token=token)
            seconds = time.perf_counter() - start
        if response["statusCode"] != 201:
            return {"error": f"{response['statusCode']} {response.get('body', '')[:300]}"}
        if n == 0:
            continue  # the first: the route's own first use (models, imports)
        times.append(seconds)
        calls_seen.append(list(calls))
        floors.append(_replay_floor(store, counter, _token_id(token), scratch))
    worst = max(calls_seen, key=len)
    return {"seconds": statistics.median(times), "round_trips": len(worst), "calls": worst,
            "floor_seconds": statistics.median(floors), "n": rounds}


def m_report_put(context: dict[str, Any]) -> dict[str, Any]:
    api, store, counter = _child_setup(context)
    scratch = _scratch_table(store)
    from bench.scale_build import levels, ministry, values_for
    import random

    depth = levels(ministry(context["count"]))
    times, floors, calls_seen = [], [], []
    rng = random.Random(1)
    for n, (unit, token) in enumerate(context["putters"].items()):
        body = {"values": values_for(rng, depth[unit]), "achievements": "Hoàn thành nhiệm vụ tháng 01/2022."}
        with counter.counting() as calls:
            start = time.perf_counter()
            response = api.raw("PUT", f"/v1/units/{unit}/reports/{context['open_period']}", body, token=token)
            seconds = time.perf_counter() - start
        if response["statusCode"] not in (200, 201):
            return {"error": f"{response['statusCode']} {response.get('body', '')[:300]}"}
        if n == 0:
            continue
        times.append(seconds)
        calls_seen.append(list(calls))
        floors.append(_replay_floor(store, counter, _token_id(token), scratch))
    worst = max(calls_seen, key=len)
    return {"seconds": statistics.median(times), "round_trips": len(worst), "calls": worst,
            "floor_seconds": statistics.median(floors), "n": len(times)}


def m_bulk_decisions(context: dict[str, Any], count: int = 40) -> dict[str, Any]:
    """40 decisions in one POST …/decisions, on nominations read through the shortlist's first page
    (or the unit listing when the shortlist is out of reach)."""
    api, store, counter = _child_setup(context)
    nominations = store.nominations.for_conference(context["big"])[:200]
    items = []
    for n in nominations:
        if n.get("status") != "pending":
            continue
        items.append({"nomination_id": n["id"], "etag": n["etag"], "decision": "hold"})
        if len(items) == count:
            break
    with counter.counting() as calls:
        start = time.perf_counter()
        response = api.raw("POST", f"/v1/conferences/{context['big']}/decisions", {"items": items})
        seconds = time.perf_counter() - start
    if response["statusCode"] != 200:
        return {"error": f"{response['statusCode']} {response.get('body', '')[:300]}"}
    return {"seconds": seconds, "round_trips": len(calls), "calls": list(calls), "n": len(items)}


def m_compile_floor(context: dict[str, Any]) -> dict[str, Any]:
    """The least the summary reads since it sums the period packs: each covered month's pack read raw
    (all its chunks); and, beside it, what a summary reading every covered report would read: each
    covered month's reports by the period index, projected to their figures (no achievements)."""
    from chalicelib.store import keys

    _, store, _ = _child_setup(context)

    def read_all(kwargs: dict[str, Any]) -> tuple[int, int]:
        items = pages = 0
        while True:
            resp = store.table.client.query(**kwargs)
            items += len(resp.get("Items", []))
            pages += 1
            if not resp.get("LastEvaluatedKey"):
                return items, pages
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]

    start = time.perf_counter()
    packs = 0
    for period in context["months"]:
        packs += read_all({"TableName": TABLE, "KeyConditionExpression": "PK = :pk",
                           "ExpressionAttributeValues": {":pk": {"S": keys.figures_pack_partition(period)}}})[0]
    packs_seconds = time.perf_counter() - start
    start = time.perf_counter()
    items = pages = 0
    for period in context["months"]:
        got = read_all({"TableName": TABLE, "IndexName": "GSI1", "KeyConditionExpression": "GSI1PK = :pk",
                        "ExpressionAttributeValues": {":pk": {"S": keys.period_reports_index(period)}},
                        "ProjectionExpression": "unit_id, #v", "ExpressionAttributeNames": {"#v": "values"}})
        items, pages = items + got[0], pages + got[1]
    return {"seconds": packs_seconds, "pack_items": packs, "reports_seconds": time.perf_counter() - start,
            "items": items, "pages": pages}


def m_keep_figures(context: dict[str, Any]) -> dict[str, Any]:
    """The daily schedule's keeping of the figure packs (chalicelib/awards/keeping.py), run once as
    production would have run it by the time anyone ranks: every locked month packed, the open
    conferences' windows summed."""
    from chalicelib.awards.keeping import keep_figures
    from chalicelib.core.settings import settings

    _, store, counter = _child_setup(context)
    with counter.counting() as calls:
        start = time.perf_counter()
        run = keep_figures(store, MEASURED_AT, settings().deadline_days)
        seconds = time.perf_counter() - start
    done = run.as_dict()
    return {"seconds": seconds, "round_trips": len(calls),
            "calls": [f"{calls.count(n)} {n}" for n in dict.fromkeys(calls)],
            "packed": sum(1 for v in done["periods"].values() if v in ("packed", "repacked")),
            "periods": len(done["periods"]), "summed": sum(1 for v in done["windows"].values() if v == "summed"),
            "windows": len(done["windows"]), "left": len(done["left"]),
            "from": "figures items" if store.figures.ready() else "reports (projected)"}


def m_pack_sources(context: dict[str, Any]) -> dict[str, Any]:
    """What packing one month reads, both ways (window._unpacked): its figures items, or its reports
    projected to their figures (a table from before the figures items); medians of 3."""
    _, store, counter = _child_setup(context)
    period = context["period"]
    timed: dict[str, list[float]] = {"items": [], "reports": []}
    pages: dict[str, int] = {}
    for _ in range(3):
        for name, read in (("items", lambda: store.figures.current(period)),
                           ("reports", lambda: store.reports.figures_for_period(period))):
            with counter.counting() as calls:
                start = time.perf_counter()
                found = read()
                timed[name].append(time.perf_counter() - start)
            pages[name] = len(calls)
            pages[f"{name}_n"] = len(found)
    return {"seconds": statistics.median(timed["items"]), "reports_seconds": statistics.median(timed["reports"]),
            **pages}


def m_drop_figures(context: dict[str, Any], packs: bool) -> dict[str, Any]:
    """Forget the kept window sums of the conferences' months (and, with `packs`, the months' packs):
    the state before the schedule ran (or, windows only, a conference made after it ran)."""
    from chalicelib.awards import window
    from chalicelib.core.catalogs import scoring_rubric
    from chalicelib.store import keys
    from chalicelib.store.table import Delete

    _, store, _ = _child_setup(context)
    rubric = scoring_rubric()
    codes = tuple(dict.fromkeys([*rubric.indicators, *([rubric.per] if rubric.per else [])]))
    partitions = [keys.figures_window_partition(window.window_name(context["months"], codes))]
    if packs:
        partitions += [keys.figures_pack_partition(p) for p in [*context["months"], context["open_period"]]]
    dropped = 0
    for partition in partitions:  # a few items each: one raw page holds them
        found = store.table.client.query(TableName=TABLE, KeyConditionExpression="PK = :pk",
                                         ExpressionAttributeValues={":pk": {"S": partition}},
                                         ProjectionExpression="SK")
        for item in found.get("Items", []):
            store.table.write(Delete((partition, item["SK"]["S"])))
            dropped += 1
    return {"dropped": dropped}


MEASURES: dict[str, Callable[..., dict[str, Any]]] = {
    "shortlist_small": lambda c: m_shortlist(c, "small"), "shortlist_big": lambda c: m_shortlist(c, "big"),
    "shortlist_workbook": m_shortlist_workbook,
    "keep_figures": m_keep_figures, "pack_sources": m_pack_sources, "drop_packs": lambda c: m_drop_figures(c, True),
    "drop_windows": lambda c: m_drop_figures(c, False),
    "completeness": m_completeness, "documents": m_documents, "nomination_post": m_nomination_post,
    "report_put": m_report_put, "bulk_decisions": m_bulk_decisions, "compile_floor": m_compile_floor,
}


# -- the parent: children under caps ------------------------------------------------------------

def _tree_pss_mb(pid: int) -> float:
    from bench.compile import _tree_pss_mb as pss

    return pss(pid)


def run_child(command: list[str], env: dict[str, str], cap: float, sample: bool = False) -> dict[str, Any]:
    """Run `command` in its own process group; its last stdout line as JSON, or {"timeout": cap}.
    With `sample`, its process tree's peak PSS (MB), and it is killed above MEMORY_CAP_MB."""
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak, over = 0.0, threading.Event()
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_pss_mb(process.pid))
            if peak > MEMORY_CAP_MB:
                over.set()
                _kill(process)
                return
            time.sleep(0.25)

    watcher = threading.Thread(target=watch, daemon=True)
    if sample:
        watcher.start()
    started = time.monotonic()
    try:
        stdout, stderr = process.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.communicate()
        done.set()
        return {"timeout": cap, "peak_mb": peak}
    finally:
        done.set()
    wall = time.monotonic() - started
    if over.is_set():
        return {"killed_memory_mb": peak, "wall": wall}
    if process.returncode:
        return {"error": f"exit {process.returncode}: {stderr.strip()[-600:]}", "wall": wall, "peak_mb": peak}
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"stdout": stdout[-300:]}
    if not isinstance(result, dict):
        result = {"result": result}
    result.update({"wall": wall, "peak_mb": peak})
    return result


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # our own child's group only
    except ProcessLookupError:
        pass


def measure_size(ministry: Ministry, cap: float, compile_cap: float, progress: Callable[[str], None]) -> dict:
    context_file = str(ministry.scratch / "context.json")
    env = {**ministry.env, "PYTHONPATH": str(ROOT)}
    results: dict[str, Any] = {"units": ministry.built.units, "reports": ministry.built.reports,
                               "build_seconds": ministry.built.seconds, "items": ministry.built.items,
                               "load_before": os.getloadavg()[0],
                               "small_n": ministry.built.nominations.get(ministry.context["small"], 0),
                               "big_n": ministry.built.nominations.get(ministry.context["big"], 0)}

    def child(name: str, limit: float, sample: bool = False) -> dict[str, Any]:
        started = time.monotonic()
        result = run_child([sys.executable, "-m", "bench.scale", "measure", name, context_file], env, limit,
                           sample=sample)
        progress(f"   {ministry.count:,} units: {name} ({time.monotonic() - started:.0f} s) {_brief(result)}")
        return result

    # reads first (the writes below change what they read), the compile, then the writes.
    # The figure packs: the lazy path first (a request that finds no pack at all makes them), then,
    # from nothing again, the daily schedule's keeping once (as production would have run it by then),
    # then the first ranking of a window whose months are packed but whose sums are not kept yet (a
    # conference made after the schedule ran), then the same months again (the window kept).
    results["shortlist_lazy"] = child("shortlist_small", cap)
    child("drop_packs", cap)
    results["keep_figures"] = child("keep_figures", KEEP_CAP, sample=True)
    results["pack_sources"] = child("pack_sources", cap)
    child("drop_windows", cap)
    results["shortlist_small"] = child("shortlist_small", cap)
    results["shortlist_big"] = child("shortlist_big", cap)
    results["shortlist_workbook"] = child("shortlist_workbook", cap)
    results["completeness"] = child("completeness", cap)
    results["compile_floor"] = child("compile_floor", cap)
    started = time.monotonic()
    compiled = run_child([sys.executable, "-m", "chalicelib.cli", "compile", "--conference",
                          ministry.context["small"], "--now"], env, compile_cap, sample=True)
    compiled.setdefault("wall", time.monotonic() - started)
    results["compile"] = compiled
    progress(f"   {ministry.count:,} units: compile ({compiled.get('wall', 0):.0f} s) {_brief(compiled)}")
    if "timeout" not in compiled and "error" not in compiled and "killed_memory_mb" not in compiled:
        results["documents"] = child("documents", cap)
    results["nomination_post"] = child("nomination_post", cap)
    results["report_put"] = child("report_put", cap)
    results["bulk_decisions"] = child("bulk_decisions", cap)
    results["load_after"] = os.getloadavg()[0]
    return results


def _brief(result: dict[str, Any]) -> str:
    shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.items()
             if k not in ("calls", "headers", "stdout")}
    return json.dumps(shown, ensure_ascii=False)[:300]


# -- figures -----------------------------------------------------------------------------------

def _value(result: dict[str, Any] | None, key: str, cap: float) -> tuple[float | None, str]:
    """(value, shown) of one measured key; a cut measurement shows as "> cap"."""
    if not result:
        return None, "not measured (the compile was cut)"
    if "timeout" in result:
        if key == "peak_mb" and result.get("peak_mb"):
            return None, f"≥ {result['peak_mb']:,.0f} MB when cut at {result['timeout']:.0f} s"
        return None, f"> {result['timeout']:.0f} s"
    if "killed_memory_mb" in result:
        return None, f"> {MEMORY_CAP_MB / 1000:.0f} GB (killed)"
    if "error" in result:
        return None, "error: " + " ".join(result["error"].split())[-160:]
    value = result.get(key)
    return (float(value) if isinstance(value, (int, float)) else None), ""


def figures(by_size: dict[int, dict[str, Any]], cap: float, compile_cap: float) -> list[Figure]:
    sizes = sorted(by_size)
    base = sizes[0]  # 160 in the full run
    cmd = "python -m bench scale"
    out: list[Figure] = []

    def add(name: str, measure: str, key: str, unit: str, scale: float, target: str, ok: Callable[[float], bool],
            floor: Callable[[dict[str, Any]], str] = lambda r: "", linear: bool = True) -> None:
        for size in sizes:
            result = by_size[size].get(measure)
            value, shown = _value(result, key, cap)
            notes = []
            if value is None:
                met = False if shown.startswith((">", "≥", "error", "not measured")) else None
                figure_value = float("nan")
                notes.append(shown)
            else:
                figure_value = value * scale
                met = ok(figure_value)
            baseline = floor(result) if result and value is not None else shown
            if size != base:
                base_value, base_shown = _value(by_size[base].get(measure), key, cap)
                if base_value is not None and value is not None and base_value > 0:
                    ratio = value / base_value
                    growth = ("linear or better" if ratio <= by_size[size]["units"] / by_size[base]["units"] * 1.1
                              else "WORSE than linear")
                    baseline += (f"; at {by_size[base]['units']}: {base_value * scale:.3g} {unit}, ratio "
                                 f"{ratio:.2f}× vs units {by_size[size]['units'] / by_size[base]['units']:.1f}× "
                                 f"({growth})")
                elif base_shown:
                    baseline += f"; at {by_size[base]['units']}: {base_shown}"
            named = (name.replace("{small}", f"{by_size[size].get('small_n', 0):,}")
                     .replace("{big}", f"{by_size[size].get('big_n', 0):,}"))
            out.append(Figure(SECTION, f"{size:,} units: {named}", figure_value, unit, target, met,
                              baseline.strip("; "), cmd, notes))

    def page_floor(r: dict[str, Any]) -> str:
        return (f"floor: one raw 1 MB Query page {r['floor_seconds'] * 1000:.0f} ms ({r['floor_items']} items, "
                f"{r['floor_bytes'] / MB:.2f} MB); {r['round_trips']} round trips ({', '.join(r.get('calls') or ['?'])}), "
                f"next page: {r['next']}")

    add("GET shortlist ({small} nominations), no pack at all (the lazy path: the request packs 12 months), time",
        "shortlist_lazy", "seconds", "s", 1, "≤ 29 s (API Gateway)", lambda v: v <= 29, page_floor)
    add("keeping the figures: the scheduled step", "keep_figures", "seconds", "s", 1, "≤ 300 s (one run)",
        lambda v: v <= 300,
        lambda r: (f"{r['packed']} of {r['periods']} months packed (from the {r['from']}), {r['summed']} of "
                   f"{r['windows']} windows summed, {r['left']} left; {r['round_trips']} round trips "
                   f"({', '.join(r['calls'])}); peak {r.get('peak_mb', 0):.0f} MB"))
    add("packing one month: its figures items read", "pack_sources", "seconds", "s", 1, "-", lambda v: True,
        lambda r: (f"{r['items_n']:,} items, {r['items']} pages; its reports read projected (unit, status, values): "
                   f"{r['reports_seconds']:.2f} s, {r['reports_n']:,} reports, {r['reports']} pages"))
    for f in out[-len(sizes):]:
        f.met = None  # a comparison, not a goal
    add("GET shortlist ({small} nominations), first ranking after the step (window summed from 12 packs), time",
        "shortlist_small", "seconds", "s", 1, "≤ 2 s", lambda v: v <= 2, page_floor)
    add("GET shortlist ({small} nominations), body", "shortlist_small", "bytes", "MB", 1 / MB, "≤ 1 MB",
        lambda v: v <= 1, lambda r: f"status {r['status']}, rows {r['rows']}, next page: {r['next']}")
    add("GET shortlist ({big} nominations), window kept, time", "shortlist_big", "seconds", "s", 1, "≤ 2 s",
        lambda v: v <= 2, page_floor)
    add("GET shortlist ({big} nominations), body", "shortlist_big", "bytes", "MB", 1 / MB, "≤ 1 MB",
        lambda v: v <= 1, lambda r: f"status {r['status']}, rows {r['rows']}, next page: {r['next']}")
    add("GET shortlist ({big} nominations) as Excel (every row), time", "shortlist_workbook", "seconds", "s", 1,
        "≤ 3 s", lambda v: v <= 3,
        lambda r: (f"status {r['status']}, {r['bytes'] / MB:.2f} MB as Lambda sends it (base64; its limit 6 MB); {r['round_trips']} round trips "
                   f"({', '.join(r.get('calls') or ['?'])})"))
    add("GET completeness, time", "completeness", "seconds", "s", 1, "≤ 3 s", lambda v: v <= 3, page_floor)
    add("GET completeness, body", "completeness", "bytes", "MB", 1 / MB, "≤ 1 MB", lambda v: v <= 1,
        lambda r: f"status {r['status']}, rows {r['rows']}, next page: {r['next']}")

    def compile_floor(size: int) -> str:
        v, shown = _value(by_size[size].get("compile_floor"), "seconds", cap)
        r = by_size[size].get("compile_floor") or {}
        if v is None:
            return f"floor: reading the covered months' packs {shown}"
        return (f"floor: the covered months' packs read raw {v:.1f} s ({r.get('pack_items', 0)} items); "
                f"every covered report's figures would be {r.get('reports_seconds', 0):.1f} s, {r.get('items', 0):,} items")

    for size in sizes:
        by_size[size].setdefault("compile", {})
    add("summary compile (12 months, {small} nominations), time", "compile", "wall", "s", 1, "≤ 60 s",
        lambda v: v <= 60, lambda r: "")
    for f in out[-len(sizes):]:
        size = int(f.name.split(" units")[0].replace(",", ""))
        f.baseline = (compile_floor(size) + ("; " + f.baseline if f.baseline else "")).strip("; ")
    add("summary compile, peak memory (parent + children, PSS)", "compile", "peak_mb", "MB", 1, "≤ 1,500 MB",
        lambda v: v <= 1500, lambda r: "sampled every 0.25 s from /proc")
    add("summary PDF pages", "documents", "pages", "pages", 1, "≤ 100", lambda v: v <= 100,
        lambda r: f"file {r['file_bytes'] / MB:.2f} MB" if r.get("file_bytes") else "")
    add("GET /v1/documents/{id}/file (summary), body", "documents", "bytes", "MB", 1 / MB, "≤ 6 MB, large by redirect",
        lambda v: v <= 6, lambda r: (f"status {r['status']}" + (f", redirect to {str(r['location'])[:60]}"
                                                                if r.get("location") else ", inline")
                                     + (f"; the file {r['file_bytes'] / MB:.2f} MB" if r.get("file_bytes") else "")))
    add("POST nomination, time", "nomination_post", "seconds", "ms", 1000, "flat (floor ~4.5 ms)",
        lambda v: True, lambda r: f"floor: token GetItem + its TransactWriteItems replayed raw "
                                  f"{r['floor_seconds'] * 1000:.1f} ms (medians of {r['n']})")
    for f in out[-len(sizes):]:
        f.met = None  # judged by its growth (the ratio in the baseline column)
    add("POST nomination, round trips", "nomination_post", "round_trips", "round trips", 1, "≤ 3", lambda v: v <= 3,
        lambda r: ", ".join(r["calls"]))
    add("report PUT, time", "report_put", "seconds", "ms", 1000, "flat", lambda v: True,
        lambda r: f"floor: token GetItem + its TransactWriteItems replayed raw {r['floor_seconds'] * 1000:.1f} ms "
                  f"(medians of {r['n']})")
    for f in out[-len(sizes):]:
        f.met = None
    add("report PUT, round trips", "report_put", "round_trips", "round trips", 1, "≤ 3", lambda v: v <= 3,
        lambda r: ", ".join(r["calls"]))
    add("bulk decisions, round trips per 40", "bulk_decisions", "round_trips", "round trips", 1, "≤ 3",
        lambda v: v <= 3, lambda r: f"floor 3 (2 BatchGetItem + 1 transaction); {r['seconds'] * 1000:.0f} ms; "
                                    f"{', '.join(r['calls'])}")
    for size in sizes:
        r = by_size[size]
        out.append(Figure(SECTION, f"{size:,} units: build on DynamoDB Local", r["build_seconds"], "s",
                          "≤ 600 s" if r["units"] >= 11000 else "-", r["build_seconds"] <= 600 if r["units"] >= 11000
                          else None, f"{r['reports']:,} reports, {r['items']:,} items; load average "
                                     f"{r['load_before']:.1f} after the build, {r['load_after']:.1f} at the end, "
                                     f"{os.cpu_count()} CPUs", cmd))
    return out


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, progress: Callable[[str], None] | None = None,
        json_out: Path | None = None) -> list[Figure]:
    say = progress or (lambda line: print(line, flush=True))
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    cap, compile_cap = (20.0, 60.0) if quick else (CAP, COMPILE_CAP)
    by_size: dict[int, dict[str, Any]] = {}
    for size in sizes:
        with Ministry(size, progress=say, small=quick) as ministry:
            by_size[size] = measure_size(ministry, cap, compile_cap, say)
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(by_size, ensure_ascii=False, indent=1, default=str))
    return figures(by_size, cap, compile_cap)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    sub = parser.add_subparsers(dest="command")
    one = sub.add_parser("measure", help="one measurement in this process (a child of the benchmark)")
    one.add_argument("what", choices=sorted(MEASURES))
    one.add_argument("context", type=Path)
    every = sub.add_parser("run", help="build and measure the given sizes")
    every.add_argument("--sizes", default=",".join(map(str, SIZES)))
    every.add_argument("--quick", action="store_true")
    every.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.command == "measure":
        context = json.loads(args.context.read_text())
        print(json.dumps(MEASURES[args.what](context), default=str))
        return 0
    from bench.figures import table

    sizes = tuple(int(s) for s in (args.sizes if args.command == "run" else ",".join(map(str, SIZES))).split(","))
    found = run(quick=getattr(args, "quick", False), sizes=sizes, json_out=getattr(args, "json", None))
    print(table(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
