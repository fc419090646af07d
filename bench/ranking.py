"""The shortlist's two costs that grew with the tree, measured alone at 11,000 units (issue 20).

    python -m bench ranking

1. The automatic score (`awards.ranking.automatic_scores`) on 11,000 synthetic units of four kinds,
   every unit reporting every rubric indicator: one sort per kind and indicator and two binary
   searches per unit, against the former peer list per unit (O(indicators × units²)), which is
   timed on 1,100 units only (at 11,000 it took 68.7 s) and extrapolated quadratically.
2. A conference window's figures (`awards.window.window_figures`) for 11,000 units over 12 monthly
   periods on DynamoDB Local, read from each period's pack and its (empty) changes, against the
   floor of the same number of round trips: one GetItem per Query made.

No report, unit or nomination is stored here: the full 11,000-unit ministry is `python -m bench scale`.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.figures import Figure, median_time

UNITS = 11_000
KINDS = ("province", "department", "hospital", "other")
PERIODS = [f"2021-{m:02d}" for m in range(1, 13)]
CODES = ("officers_mobilised", "checkpoints", "tracing_teams", "people_traced", "escort_plans",
         "citizens_escorted", "violations_detected", "violations_warned", "violations_penalised", "fines_vnd",
         "illegal_entry_cases", "vaccination_support", "patients_treated", "news_items")
NOW = datetime(2022, 1, 10, tzinfo=timezone.utc)


def _synthetic(n: int, seed: int = 20) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    rng = random.Random(seed)
    units = [{"id": f"ca-xa-{i:05d}", "kind": rng.choice(KINDS)} for i in range(n)]
    figures = {u["id"]: {c: rng.randint(1 if c == "officers_mobilised" else 0, 5000) for c in CODES} for u in units}
    return units, figures


def _old_automatic_scores(units: list[dict[str, Any]], figures: dict[str, dict[str, int]], rubric: Any) -> None:
    """The former implementation's shape (a peer list per unit and indicator), for the baseline."""
    from chalicelib.awards.ranking import no_denominator

    kind_of = {u["id"]: u.get("kind", "other") for u in units}
    rates = {}
    for unit_id, sums in figures.items():
        if no_denominator(sums, rubric.per):
            continue
        size = int(sums[rubric.per]) if rubric.per else 1
        rates[unit_id] = {code: sums[code] / size for code in rubric.indicators if code in sums}
    for unit_id in kind_of:
        mine = rates.get(unit_id, {})
        peers = [u for u in rates if kind_of.get(u) == kind_of[unit_id]]
        for code, rate in mine.items():
            others = [rates[p][code] for p in peers if code in rates[p]]
            sum(1 for v in others if v < rate), sum(1 for v in others if v == rate)


def _ranking(quick: bool) -> list[Figure]:
    from chalicelib.awards import ranking
    from chalicelib.core.catalogs import scoring_rubric

    rubric = scoring_rubric()
    units, figures = _synthetic(UNITS)
    new = median_time(lambda: ranking.automatic_scores(units, figures, rubric), 3 if quick else 7)
    small_units, small_figures = _synthetic(UNITS // 10)
    old_small = median_time(lambda: _old_automatic_scores(small_units, small_figures, rubric), 1)
    old = old_small * 100  # quadratic: ten times the units, a hundred times the work
    nominees = [u["id"] for u in units[::2]][:5000]
    only = median_time(lambda: ranking.automatic_scores(units, figures, rubric, only=nominees), 3 if quick else 7)
    return [
        Figure("ranking", "automatic score, 11,000 units", new * 1000, "ms", "≤ 1 s (of the 2 s shortlist)", new < 1.0,
               baseline=f"former peer lists: {old_small:.2f} s at 1,100 units, ≈ {old:.0f} s at 11,000 (×100)",
               command="python -m bench ranking"),
        Figure("ranking", "automatic score, 5,000 nominees' units of 11,000", only * 1000, "ms", "-", None,
               baseline=f"every unit: {new * 1000:.0f} ms", command="python -m bench ranking"),
    ]


def _window(endpoint: str, quick: bool) -> list[Figure]:
    from chalicelib.awards import window
    from chalicelib.core.catalogs import scoring_rubric
    from chalicelib.core.clock import iso
    from chalicelib.core.settings import settings
    from chalicelib.store import keys, store_for
    from chalicelib.store.table import Delete

    os.environ.update({"THIDUA_DDB_ENDPOINT": endpoint, "THIDUA_TABLE": f"bench-{uuid.uuid4().hex[:8]}",
                       "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-1")})
    os.environ.pop("THIDUA_STORE", None)
    store = store_for(settings())
    store.ensure_table()
    _, figures = _synthetic(UNITS)
    rng = random.Random(7)
    size = 0
    for period in PERIODS:  # each month's figures: the year's figures shuffled a little
        month = {u: {c: max(0, v + rng.randint(-50, 50)) for c, v in f.items()} for u, f in figures.items()}
        store.figures.put_pack(period, iso(NOW), month)
        size += sum(len(i["data"]) for i in store.table.query_all(keys.figures_pack_partition(period)))
    rubric = scoring_rubric()
    codes = [*rubric.indicators, rubric.per]  # what the shortlist sums: the rubric's indicators
    repeat = 3 if quick else 7
    calls: list[str] = []
    store.table.client.meta.events.register("before-parameter-build.dynamodb",
                                            lambda model, **_: calls.append(model.name))

    hours = iter(range(1, 1000))

    def after_a_change() -> float:
        """One unit's July report replaced after the window was kept: the sums are made again."""
        at = NOW + timedelta(hours=next(hours))
        report = {"unit_id": "ca-xa-00042", "period": "2021-07", "period_kind": "month", "version": 1,
                  "values": {"people_traced": 1}, "comments": {}, "achievements": "", "submitted_at": iso(at),
                  "status": "submitted", "etag": iso(at)}
        store.table.write(Delete(keys.report("ca-xa-00042", "2021-07")))
        store.table.write(Delete(keys.revision("ca-xa-00042", "2021-07", 1)))
        store.reports.save(report, expected_etag=None)
        start = time.perf_counter()
        window.window_figures(store, PERIODS, at + timedelta(minutes=1), codes)
        return time.perf_counter() - start

    window.window_figures(store, PERIODS, NOW, codes)  # the first read keeps the window's sums
    calls.clear()
    summed = window.window_figures(store, PERIODS, NOW, codes)
    trips = len(calls)
    kept = median_time(lambda: window.window_figures(store, PERIODS, NOW, codes), repeat)
    floor = median_time(lambda: [store.table.get(keys.conference("none")) for _ in range(trips)], repeat)
    assert len(summed) == UNITS
    remade = statistics.median(after_a_change() for _ in range(repeat))
    return [
        Figure("ranking", "window sums, 11,000 units × 12 months, kept", kept * 1000, "ms", "≤ 2 s shortlist",
               kept < 1.0, baseline=f"{trips} GetItem (its round trips): {floor * 1000:.0f} ms; "
                                    "former: 131k reports read in full, 36-40 s",
               command="python -m bench ranking",
               notes=[f"{trips} round trips; period packs {size / 1e6:.1f} MB of text for 12 months"]),
        Figure("ranking", "window sums after a report changed", remade * 1000, "ms", "≤ 2 s shortlist",
               remade < 2.0, baseline=f"kept: {kept * 1000:.0f} ms", command="python -m bench ranking",
               notes=["12 period packs and their changes summed again, then kept"]),
    ]


def run(quick: bool = False) -> list[Figure]:
    from devtools import dynamodb_local

    found = _ranking(quick)
    ddb = dynamodb_local.start()
    try:
        found += _window(ddb.endpoint, quick)
    finally:
        ddb.stop()
    return found


if __name__ == "__main__":
    from bench.figures import table

    started = time.monotonic()
    print(table(run()))
    print(f"({time.monotonic() - started:.0f} s)")
