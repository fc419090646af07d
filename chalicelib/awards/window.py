"""Each unit's figures summed over a conference's periods, without reading every report in full.

The shortlist, its workbook, a nomination's detail (and so every ranking) need every unit's sums
over the conference's window: the percentiles rank a unit among all the units of its kind. Reading
every report of every covered period (achievements and comments included) is 131,335 items at
11,000 units and 12 months: 36-40 s of reads before any computing. So, per period:

- every submission and every review writes, in its own transaction, a small figures item of the
  report (its values and status), indexed by the time of the change (`store.figures`); the
  submission keeps its two round trips (one more item in the same transaction);
- the window's sums (every unit, the rubric's indicators) are kept, packed in a few compressed items
  "as of" a time a little before they were read; a ranking reads them and, per period, the changes
  since (one Query each, empty once the periods are closed): with no change they are the answer;
- after a few changes, only the changed units' sums are read again, from their own reports (by key,
  100 a BatchGetItem), and the window is kept anew; after many (or the first time), the sums are
  made from each period's pack: every unit's figures of the period, packed from the reports once,
  plus the changes since.

Why packs and not only the figures items: at 11,000 units one Query of a period's figures items
still brings 11,000 items (about 1.7 s on DynamoDB Local), 20 s for a year; a pack is one item or two,
and the window's pack is one for the whole year. A period's pack is made from its figures items once
every report has one (`store.figures.ready()`: a table made since they exist, or after `cli
backfill`), else from its reports projected to unit, status and values (reports stored before the
figures items existed): at 11,000 units the items take 1.7-2.3 s a month, the projected reports
4.6-6.6 s (DynamoDB pages whole reports, achievements included, before projecting them).

Who packs: the daily schedule (`chalicelib/awards/keeping.py`), once a period locks, and again when
its reports changed since; it keeps every open conference's window too. A request that finds no pack
(a period not locked yet, a schedule that has not run) makes it itself, as before: correct, only
slower.

The margin: a pack is "as of" its read time less `MARGIN`, so a change committed while the pack was
read, or whose clock ran a little behind, is read again as a change (reading one twice is harmless:
a change replaces the unit's figures whole). A returned report counts nowhere until resubmitted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any, Iterable

from chalicelib.core.clock import iso
from chalicelib.store import Store

MARGIN = timedelta(minutes=5)
MEND_UNITS = 300  # changed units up to which a kept window is mended from their reports (36 BatchGetItem at 12 periods)
REPACK_AFTER = 200  # changes since the pack that make the next read repack (a few hundred items: ~20 ms)
RETURNED = "returned"
WORKERS = 4  # periods read at once when a window is summed from its periods (boto3 clients are thread-safe)


def period_figures(store: Store, period: str, now: datetime) -> dict[str, dict[str, Any]]:
    """unit -> its report's values in `period` (returned reports left out)."""
    return _period(store, period, now, REPACK_AFTER)[0]


def keep_period(store: Store, period: str, now: datetime) -> str:
    """The scheduled keeping of one period (chalicelib/awards/keeping.py): "packed" when it had no pack,
    "repacked" when reports changed since its pack (so a request reads the pack and no change),
    "kept" when nothing changed. Reads only the pack's head and the changes when nothing is to do."""
    as_of = store.figures.as_of(period)
    if as_of is not None and not store.figures.changes(period, as_of):
        return "kept"
    return _period(store, period, now, 0)[1]


def _period(store: Store, period: str, now: datetime, repack_after: int) -> tuple[dict[str, dict[str, Any]], str]:
    """The period's figures and what was done: "packed", "repacked" (more than `repack_after` changes
    since the pack) or "kept"."""
    packed = store.figures.pack(period)
    what = "kept"
    if packed is None:
        as_of = iso(now - MARGIN)  # taken before anything is read: a change meanwhile is read as a change
        figures = _unpacked(store, period)
        store.figures.put_pack(period, as_of, figures)
        what = "packed"
    else:
        as_of, figures = packed
    changes = store.figures.changes(period, as_of)
    for change in changes:
        if change["status"] == RETURNED:
            figures.pop(change["unit_id"], None)
        else:
            figures[change["unit_id"]] = change["values"]
    if len(changes) > repack_after:
        store.figures.put_pack(period, iso(now - MARGIN), figures)
        what = "repacked" if what == "kept" else what
    return figures, what


def _unpacked(store: Store, period: str) -> dict[str, dict[str, Any]]:
    """Every unit's figures of the period, before it is packed: from the period's figures items once
    every report has one (`figures.ready()`: small items, a few 1 MB pages for 11,000 units), else
    from its reports projected to their figures (DynamoDB counts a page before the projection, so
    whole reports, achievements included, fill those pages: about 15 for 11,000 units)."""
    found = store.figures.current(period) if store.figures.ready() else store.reports.figures_for_period(period)
    return {r["unit_id"]: dict(r.get("values") or {}) for r in found if r.get("status") != RETURNED}


def window_figures(store: Store, periods: list[str], now: datetime,
                   codes: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """unit -> indicator -> sum over the periods: what `ranking.unit_figures` gives from every report
    (only the indicators in `codes` when given: the rubric's, which is all a ranking reads).

    The window's sums are kept too, packed like a period's, as of a time: while no report of its
    periods changed since, they are the answer (one pack and one Query of changes per period); after
    a few changes the changed units' sums are mended from their own reports (batched reads of those
    units' reports only), after many they are summed again from the periods; and kept anew."""
    wanted = None if codes is None else tuple(dict.fromkeys(codes))
    name = window_name(periods, wanted)
    as_of = iso(now - MARGIN)  # taken before anything is read: a change meanwhile is seen next time
    kept = store.figures.window(name)
    if kept is not None:
        since, sums = kept
        changed = sorted({c["unit_id"] for p in periods for c in store.figures.changes(p, since)})
        if not changed:
            return sums
        if len(changed) <= MEND_UNITS:
            _mend(store, sums, changed, periods, wanted)
            store.figures.put_window(name, as_of, sums)
            return sums
    out = _sum_periods(store, periods, now, wanted)
    store.figures.put_window(name, as_of, out)
    return out


def _mend(store: Store, sums: dict[str, dict[str, int]], units: list[str], periods: list[str],
          wanted: tuple[str, ...] | None) -> None:
    """The sums of `units` again, from their reports of the periods (read by key, in batches of 100)."""
    from chalicelib.awards.ranking import unit_figures

    found = store.reports.read_many(reports=[(u, p) for u in units for p in periods])
    fresh = unit_figures(r for r in found.reports.values() if r is not None)
    for unit_id in units:
        if unit_id not in fresh:
            sums.pop(unit_id, None)  # no report left that counts (all returned)
            continue
        values = fresh[unit_id]
        sums[unit_id] = values if wanted is None else {c: values[c] for c in wanted if c in values}


def keep_window(store: Store, periods: list[str], now: datetime, codes: Iterable[str] | None = None) -> str:
    """The scheduled keeping of a conference's window: "kept" when no report of its periods changed
    since its sums were kept (the head of the window and one Query of changes per period), else
    "summed" again from the periods' packs (packing the periods that have none) and kept."""
    wanted = None if codes is None else tuple(dict.fromkeys(codes))
    name = window_name(periods, wanted)
    as_of = iso(now - MARGIN)
    since = store.figures.window_as_of(name)
    if since is not None and not any(store.figures.changes(p, since) for p in dict.fromkeys(periods)):
        return "kept"
    store.figures.put_window(name, as_of, _sum_periods(store, periods, now, wanted))
    return "summed"


def window_name(periods: list[str], codes: tuple[str, ...] | None) -> str:
    """The window's key: its periods and indicators (two conferences over the same months share it)."""
    text = json.dumps([sorted(set(periods)), sorted(codes) if codes is not None else None])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _each_period(store: Store, periods: list[str], now: datetime) -> list[dict[str, dict[str, Any]]]:
    """Each period's figures, `WORKERS` periods read at once: each is its own Queries (a pack, its
    changes; or, packing it, its figures items), mostly spent waiting on the network, so a window
    of 12 months a request must pack itself costs a few periods' time, not 12."""
    if len(periods) < 2:
        return [period_figures(store, p, now) for p in periods]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(periods)), thread_name_prefix="figures") as pool:
        return list(pool.map(lambda p: period_figures(store, p, now), periods))


def _sum_periods(store: Store, periods: list[str], now: datetime,
                 wanted: tuple[str, ...] | None) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for figures in _each_period(store, list(dict.fromkeys(periods)), now):
        for unit_id, values in figures.items():
            sums = out.get(unit_id)
            if sums is None:
                sums = out[unit_id] = {}
            for code in (values if wanted is None else wanted):
                value = values.get(code)
                if value is not None:
                    sums[code] = sums.get(code, 0) + int(value)
    return out
