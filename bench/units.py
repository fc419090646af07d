"""The admin pages' unit reads at national scale (issue 20): the lazy tree, the pickers' search and the
names of chosen units, against what the pages did before (every unit, 100 a request).

    .venv/bin/python -m bench units            # 11,000 units on a fresh DynamoDB Local (units only)
    .venv/bin/python -m bench.units --count 2000

Only the units are written (the shape of bench.scale_build.ministry: the ministry, 159 provinces and
departments, 540 districts, communes), so this section builds in seconds, not minutes. Each answer is
entered as Lambda enters it (bench.scale.Api), in this process, on a warm instance.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any, Callable

from bench.figures import Figure, table

COUNT = 11_000
SECTION = "units"
MAX_BYTES = 1024 * 1024  # issue 20: every answer ≤ 1 MB per page
MAX_SECONDS = 3.0        # and ≤ 3 s on one core


def _build(count: int, progress: Callable[[str], None]) -> tuple[Any, str, list[dict[str, Any]]]:
    from bench import scale as sc
    from bench import scale_build as sb
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for
    from chalicelib.units.tokens import issue_token
    from devtools import dynamodb_local

    ddb = dynamodb_local.start()
    os.environ.update({"THIDUA_DDB_ENDPOINT": ddb.endpoint, "THIDUA_TABLE": sc.TABLE, "THIDUA_STAGE": "bench",
                       "THIDUA_STORE": "dynamodb", "AWS_DEFAULT_REGION": "ap-southeast-1",
                       "THIDUA_COMPILE_TRIGGER": "none", "THIDUA_DDB_READ_TIMEOUT": "30", "THIDUA_DDB_ATTEMPTS": "1"})
    store = store_for(settings())
    store.ensure_table()
    started = time.monotonic()
    units = sb.ministry(count)
    writer = sb.BatchWriter(store.table)
    writer.put(sb.unit_items(units))
    writer.close()  # every batch written
    progress(f"   {len(units):,} units on DynamoDB Local in {time.monotonic() - started:.1f} s")
    admin = issue_token(store, "admin", "bench", sc.MEASURED_AT)["token"]
    return ddb, admin, units


def _measure(api: Any, counter: Any, query: dict[str, str] | None, repeat: int) -> dict[str, Any]:
    from bench.scale import _timed_get

    runs = [_timed_get(api, counter, "/v1/units", query=query) for _ in range(repeat)]
    assert all(r["status"] == 200 for r in runs), runs[0]
    return {**runs[-1], "seconds": statistics.median(r["seconds"] for r in runs)}


def _every_unit(api: Any, counter: Any) -> dict[str, Any]:
    """What the portal did before: GET /v1/units 100 at a time until the last page."""
    import json

    requests = total_bytes = 0
    cursor = None
    start = time.perf_counter()
    while True:
        response = api.raw("GET", "/v1/units", query={"limit": "100", **({"cursor": cursor} if cursor else {})})
        requests += 1
        total_bytes += len(response["body"].encode())
        cursor = json.loads(response["body"])["next"]
        if not cursor or requests > 1000:
            break
    return {"seconds": time.perf_counter() - start, "requests": requests, "bytes": total_bytes}


def run(quick: bool = False, count: int = COUNT, progress: Callable[[str], None] = print) -> list[Figure]:
    ddb, admin, units = _build(count, progress)
    try:
        from bench.scale import MEASURED_AT, Api
        from bench.submission import Counter
        from chalicelib.bootstrap import services
        from chalicelib.core.clock import FixedClock
        from chalicelib.core.settings import settings
        from chalicelib.store import store_for

        import app  # noqa: F401 - imports are not the request

        services.clock = FixedClock(MEASURED_AT)  # the token was issued at that time

        api, counter = Api(admin), Counter(store_for(settings()).table.client)
        api.call("GET", "/v1/me", expect=200)  # a warm instance
        repeat = 1 if quick else 5
        province = next(u for u in units if u["kind"] == "province")
        district = next(u for u in units if u["parent_id"] == province["id"])
        commune = units[-1]
        reads = {
            "top level (?parent=root)": {"parent": "root"},
            f"a province's units (?parent=, 50 of {sum(u['parent_id'] == province['id'] for u in units)})":
                {"parent": province["id"], "limit": "50"},
            "a district's communes (?parent=, 100)": {"parent": district["id"], "limit": "100"},
            "picker search, 20 best (?q=)": {"q": "cong an xa so 3", "limit": "20"},
            "search by code (?q=)": {"q": commune["id"]},
            "names of 50 chosen units (?ids=)": {"ids": ",".join(u["id"] for u in units[::len(units) // 50][:50])},
        }
        baseline = _every_unit(api, counter)
        base_text = (f"before: every unit, {baseline['requests']} requests of 100, {baseline['seconds']:.2f} s, "
                     f"{baseline['bytes'] / 1e6:.1f} MB")
        figures = []
        for name, query in reads.items():
            got = _measure(api, counter, query, repeat)
            met = got["seconds"] <= MAX_SECONDS and got["bytes"] <= MAX_BYTES
            figures.append(Figure(SECTION, f"{name}, {count:,} units", got["seconds"], "s", "≤ 3 s, ≤ 1 MB", met,
                                  base_text, "python -m bench units",
                                  [f"{got['bytes'] / 1024:.0f} KB, {got['rows']} units, round trips: "
                                   f"{', '.join(got['calls'])}"]))
        figures.append(Figure(SECTION, f"every unit as the pages read it before, {count:,} units", baseline["seconds"],
                              "s", "-", None, f"{baseline['requests']} requests", "python -m bench units"))
        return figures
    finally:
        ddb.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.units", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    found = run(quick=args.quick, count=args.count)
    print(table(found))
    for f in found:
        for note in f.notes:
            print(f"   {f.name}: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
