"""Each unit's figures summed over a conference's periods, without reading every report in full.

The shortlist, its workbook, a nomination's detail (and so every ranking) need every unit's sums
over the conference's window: the percentiles rank a unit among all the units of its kind. Reading
every report of every covered period (achievements and comments included) is 131,335 items at
11,000 units and 12 months: 36-40 s of reads before any computing. So, per period:

- every submission and every review writes, in its own transaction, a small figures item of the
  report (its values and status), indexed by the time of the change (`store.figures`); the
  submission keeps its two round trips (one more item in the same transaction);
- the first ranking that needs a period packs every unit's figures of that period, read once from
  the reports themselves, into a few compressed items "as of" a time a little before the read;
- every later ranking reads the pack and the changes since (one Query each, usually the pack's one
  or two items and no change), and repacks when many changes piled up.

Why a pack and not only the figures items: at 11,000 units one Query of a period's figures items
still brings 11,000 items (about 1 s on DynamoDB Local), 12 s for a year; a pack is one item or two.
Why the pack is built from the reports and not from the figures items: reports stored before the
figures items existed are in it with no backfill to run, and reports are the truth. Only the first
read of a period pays for it (about the old cost of one period); `python -m chalicelib.cli
pack-figures --period P` builds a period's pack ahead (e.g. when its deadline has passed).

The margin: a pack is "as of" its read time less `MARGIN`, so a change committed while the pack was
read, or whose clock ran a little behind, is read again as a change (reading one twice is harmless:
a change replaces the unit's figures whole). A returned report counts nowhere until resubmitted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.clock import iso
from chalicelib.store import Store

MARGIN = timedelta(minutes=5)
REPACK_AFTER = 200  # changes since the pack that make the next read repack (a few hundred items: ~20 ms)
RETURNED = "returned"


def period_figures(store: Store, period: str, now: datetime) -> dict[str, dict[str, Any]]:
    """unit -> its report's values in `period` (returned reports left out)."""
    packed = store.figures.pack(period)
    if packed is None:
        as_of = iso(now - MARGIN)
        figures = {r["unit_id"]: dict(r.get("values") or {}) for r in store.reports.for_period(period)
                   if r.get("status") != RETURNED}
        store.figures.put_pack(period, as_of, figures)
    else:
        as_of, figures = packed
    changes = store.figures.changes(period, as_of)
    for change in changes:
        if change["status"] == RETURNED:
            figures.pop(change["unit_id"], None)
        else:
            figures[change["unit_id"]] = change["values"]
    if len(changes) > REPACK_AFTER:
        store.figures.put_pack(period, iso(now - MARGIN), figures)
    return figures


def window_figures(store: Store, periods: list[str], now: datetime) -> dict[str, dict[str, int]]:
    """unit -> indicator -> sum over the periods: what `ranking.unit_figures` gives from every report."""
    out: dict[str, dict[str, int]] = {}
    for period in periods:
        for unit_id, values in period_figures(store, period, now).items():
            sums = out.setdefault(unit_id, {})
            for code, value in values.items():
                if value is not None:
                    sums[code] = sums.get(code, 0) + int(value)
    return out
