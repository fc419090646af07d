"""Keeping the figure packs: the system's job, not a request's (issue 20).

A ranking needs every unit's sums over its conference's window (chalicelib/awards/window.py). Made on
a request, the first ranking of a 12-month window at 11,000 units packs 12 periods from 131,000
reports: longer than API Gateway waits. So the daily schedule (app.py's 01:00 UTC run, after the
reminders) does it once the periods lock, and a request finds the packs made:

- every period whose deadline has passed (the last `RECENT_MONTHS` months) and every period a
  conference not yet finalised reads (those it covers, and the window before them, which its summary
  compares with) is packed when it has no pack, and packed anew when reports changed
  since its pack (a late report with an exception, a return and its resubmission): a request then
  reads one pack and an empty list of changes;
- every conference not yet finalised has its window's sums kept (the rubric's indicators, as the
  shortlist reads them): summed again from the packs when a report of its periods changed since.

Idempotent (a second run finds everything kept and writes nothing), resumable (each pack and window
is stored as soon as it is made; a run cut short leaves the rest to the next), bounded (no new work
starts after `BUDGET`, well inside the function's 300 s timeout; what is left is logged and done by
the next run). A request that finds no pack still makes it itself (window.period_figures): the
schedule only takes that cost off the requests.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from chalicelib.core.periods import VN_TZ, Period, parse_period
from chalicelib.store import Store

log = logging.getLogger("thidua.figures")

RECENT_MONTHS = 13  # this month and the 12 before: a year's conference finds each of its months packed
BUDGET = 200.0  # seconds after which a run starts no new work (the daily function's timeout is 300 s)


@dataclass
class KeepRun:
    periods: dict[str, str] = field(default_factory=dict)  # period -> packed | repacked | kept
    windows: dict[str, str] = field(default_factory=dict)  # conference id -> summed | kept
    left: list[str] = field(default_factory=list)          # work left for the next run (the budget ran out)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"periods": dict(self.periods), "windows": dict(self.windows), "left": list(self.left),
                "seconds": round(self.seconds, 3)}


def keep_figures(store: Store, now: datetime, deadline_days: int, budget: float = BUDGET,
                 clock: Callable[[], float] = time.monotonic) -> KeepRun:
    """Pack the locked periods and the open conferences' periods, and keep their windows' sums."""
    from chalicelib.awards.window import keep_period, keep_window
    from chalicelib.core.catalogs import scoring_rubric
    from chalicelib.reporting.deadlines import deadline_for

    started = clock()
    run = KeepRun()
    conferences = open_conferences(store, now)
    covered = {p.code: p for c in conferences for p in read_periods(c)}
    recent = {p.code: p for p in recent_months(now)}
    # newest first: the periods a coming conference reads, and the ones most likely to have changed
    periods = sorted({**recent, **covered}.values(), key=lambda p: (p.start, p.code), reverse=True)
    work: list[tuple[str, Callable[[], None]]] = []
    for period in periods:
        if period.code not in covered and deadline_for(store, period, deadline_days) >= now:
            continue  # still open, and no conference reads it yet: packed once it locks

        def one_period(period: Period = period) -> None:
            run.periods[period.code] = keep_period(store, period.code, now)
        work.append((f"period {period.code}", one_period))
    rubric = scoring_rubric()
    codes = [*rubric.indicators, *([rubric.per] if rubric.per else [])]  # what a ranking sums (awards.nominations)
    for conference in conferences:
        codes_of = [parse_period(p).code for p in conference.get("periods") or []]
        if not codes_of:
            continue

        def one_window(conference: dict[str, Any] = conference, periods_of: list[str] = codes_of) -> None:
            run.windows[conference["id"]] = keep_window(store, periods_of, now, codes)
        work.append((f"conference {conference['id']}", one_window))
    for name, do in work:
        if clock() - started > budget:
            run.left.append(name)
            continue
        at = clock()
        do()
        log.info("figures: %s %s in %.1f s", name, _done(run, name), clock() - at)
    run.seconds = clock() - started
    if run.left:
        log.warning("figures: budget of %.0f s spent; left for the next run: %s", budget, ", ".join(run.left))
    log.info("figures kept in %.1f s: %s", run.seconds, run.as_dict())
    return run


def _done(run: KeepRun, name: str) -> str:
    kind, _, key = name.partition(" ")
    return (run.periods if kind == "period" else run.windows).get(key, "?")


def open_conferences(store: Store, now: datetime) -> list[dict[str, Any]]:
    """Every conference whose list is not finalised: the coming ones, soonest first, then the past ones,
    latest first (a run cut short has kept the windows most likely to be ranked today)."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = store.conferences.list(cursor=cursor)
        found.extend(c for c in page.items if not c.get("finalised_at"))
        if not page.next:
            break
        cursor = page.next
    today = now.astimezone(VN_TZ).date().isoformat()
    coming = sorted((c for c in found if str(c.get("date") or "") >= today), key=lambda c: (str(c["date"]), c["id"]))
    past = sorted((c for c in found if str(c.get("date") or "") < today), key=lambda c: (str(c.get("date") or ""), c["id"]),
                  reverse=True)
    return coming + past


def read_periods(conference: dict[str, Any]) -> list[Period]:
    """The periods a conference's documents read: those it covers, and as many just before them (the
    summary compares the window with the one before: chalicelib/conferences/aggregate.window)."""
    covered = sorted(parse_period(p) for p in conference.get("periods") or [])
    before: list[Period] = []
    if covered:
        period = covered[0]
        for _ in covered:
            period = period.previous()
            before.append(period)
    return covered + before


def recent_months(now: datetime) -> list[Period]:
    today = now.astimezone(VN_TZ).date()
    period = Period("month", today.year, today.month)
    months = []
    for _ in range(RECENT_MONTHS):
        months.append(period)
        period = period.previous()
    return months


def run_from_environment(now: datetime) -> dict[str, Any]:
    """What the daily schedule and `python -m chalicelib.cli keep-figures` run."""
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for

    conf = settings()
    return keep_figures(store_for(conf), now, conf.deadline_days).as_dict()
