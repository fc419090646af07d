"""Trends: one indicator across a range of periods, for the whole unit tree or one subtree,
and the units that moved most between the range's first and last period.

What counts: a unit's current report in the state `submitted` or `accepted`. A `returned`
report is out until it is corrected, as on the completeness board: its figures were sent back
as wrong. A period's `total` is the sum of the indicator over the counted reports of every
unit of the subtree (the chosen unit itself included: a parent reports its own figures, never
its children's); null when no counted report gives the indicator, so "nobody reported" is not
drawn as a zero.

Who "moved most" (`movers`): the units directly under the chosen unit, each valued by the
total of its own subtree. That is how the office reads a change, one level at a time (as DHIS2's
organisation-unit drill-down does): at the whole tree it compares the departments and
provinces it deals with, and choosing "Cục Y tế" then compares its hospitals. The movers'
values add up to the chart's total (with the chosen unit's own report), so they explain the
change the chart shows; leaf units instead would rank 11,000 police stations against each
other at the whole tree, mixing levels, and say nothing about which department moved. The whole
tree's "directly under" is the level below its root units (the ministry); a root without
children stands for itself. A unit is ranked only when its subtree gave the indicator in both
the first and the last period: one that did not report in one of them has not moved, it is
missing (the completeness board says so).

Plain Python over plain data (units and report records); `trends_for` is what reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable

from chalicelib.core.errors import Invalid, NotFound
from chalicelib.core.errors import invalid as _invalid
from chalicelib.core.periods import VN_TZ, Period, period_containing, period_of
from chalicelib.units.service import TREE_FIELDS, tree_walk

if TYPE_CHECKING:  # the catalog loads with the first trend asked for, not with the app
    from chalicelib.core.catalogs import Indicator

MAX_PERIODS = 36     # a range of at most 3 years of months: at most 36 period queries (see `trends_for`)
DEFAULT_PERIODS = 6  # without `from`: the 6 periods ending at `to`
TOP = 10             # rising and falling movers each
COUNTED = frozenset({"submitted", "accepted"})
# A subtree this small is read unit by unit (one Query per unit over the whole range) rather
# than period by period (one Query per period over every unit's report of it): see `trends_for`.
PER_UNIT_READS = 24


def invalid(field: str, message: str) -> Invalid:
    """A 422 whose `detail` is the reason itself: the page shows it as it is."""
    return _invalid(field, message, detail=message)


@dataclass(frozen=True)
class Range:
    indicator: Indicator
    periods: list[Period]


def parse_range(indicator_code: str | None, first: str | None, last: str | None, now: datetime) -> Range:
    """The indicator and the periods asked for, or a validation error (422) in Vietnamese.

    `last` defaults to the current month (the kind of `first` when only it is given), `first` to
    the DEFAULT_PERIODS periods ending at `last`."""
    from chalicelib.core.catalogs import indicator_catalog

    catalog = indicator_catalog()
    if not indicator_code:
        raise invalid("indicator", "Hãy chọn một chỉ tiêu (mã chỉ tiêu trong danh mục GET /v1/indicators).")
    indicator = catalog.get(indicator_code)
    if indicator is None:
        raise invalid("indicator", f"Không có chỉ tiêu mã '{indicator_code}' trong danh mục chỉ tiêu.")
    lo = period_of(first, "from") if first else None
    hi = period_of(last, "to") if last else period_containing(lo.kind if lo else "month", now.astimezone(VN_TZ).date())
    if lo is None:
        lo = hi
        for _ in range(DEFAULT_PERIODS - 1):
            lo = lo.previous()
    if lo.kind != hi.kind:
        raise invalid("to", "Kỳ đầu và kỳ cuối phải cùng loại (tháng, tuần hoặc quý).")
    if lo > hi:
        raise invalid("to", "Kỳ cuối phải từ kỳ đầu trở về sau.")
    periods = []
    p = lo
    while p <= hi:
        periods.append(p)
        if len(periods) > MAX_PERIODS:
            raise invalid("to", f"Khoảng thời gian dài quá: tối đa {MAX_PERIODS} kỳ, hãy chọn khoảng ngắn hơn.")
        p = p.next()
    return Range(indicator, periods)


@dataclass(frozen=True)
class Tree:
    """The part of the unit tree a trend covers: every unit of it in tree order, and the units
    ranked as movers (see the module's docstring)."""
    root: dict[str, Any] | None          # the chosen unit; None: the whole tree
    units: list[dict[str, Any]]          # the subtree, tree order, root first
    children: dict[str, list[str]]       # unit -> its children in this walk
    movers: list[str]                    # ids of the units ranked as movers
    tops: list[str]                      # the chosen unit, or the whole tree's roots


def subtree(units: list[dict[str, Any]], root_id: str | None) -> Tree:
    walk = tree_walk(units)
    children: dict[str, list[str]] = {}
    for _, unit, parent in walk:
        if parent is not None:
            children.setdefault(parent, []).append(unit["id"])
    if root_id is None:
        roots = [unit["id"] for depth, unit, _ in walk if depth == 0]
        movers = [c for r in roots for c in (children.get(r) or [r])]
        return Tree(None, [u for _, u, _ in walk], children, movers, roots)
    by_id = {u["id"]: u for _, u, _ in walk}
    inside: list[dict[str, Any]] = []
    todo = [root_id]
    while todo:  # depth first, children in the walk's (name) order: tree order again
        unit_id = todo.pop()
        inside.append(by_id[unit_id])
        todo.extend(reversed(children.get(unit_id, [])))
    return Tree(by_id[root_id], inside, children, list(children.get(root_id, [])), [root_id])


def _percent(first: int, last: int) -> float | None:
    return round((last - first) / first * 100, 1) if first else None


def trends(units: list[dict[str, Any]], reports: Iterable[dict[str, Any]], rng: Range,
           root_id: str | None = None) -> dict[str, Any]:
    """The trend of `rng.indicator` over `rng.periods` for the subtree of `root_id` (the whole
    tree when None), from `units` and any reports (others' are ignored): see the module's docstring."""
    tree = subtree(units, root_id)
    code, wanted = rng.indicator.code, [p.code for p in rng.periods]
    index = {p: i for i, p in enumerate(wanted)}
    inside = {u["id"] for u in tree.units}
    # own[unit][i]: the unit's own counted value in period i; reported[unit]: periods it reported
    own: dict[str, list[int | None]] = {}
    reported: dict[str, set[int]] = {}
    for report in reports:
        unit_id, i = report.get("unit_id"), index.get(report.get("period"))  # type: ignore[arg-type]
        if unit_id not in inside or i is None or report.get("status", "submitted") not in COUNTED:
            continue
        reported.setdefault(unit_id, set()).add(i)
        value = (report.get("values") or {}).get(code)
        if value is not None:
            own.setdefault(unit_id, [None] * len(wanted))[i] = int(value)

    # Each unit's subtree totals, children before parents (reverse tree order).
    n = len(wanted)
    total: dict[str, list[int | None]] = {}
    count: dict[str, list[int]] = {}
    for unit in reversed(tree.units):
        uid = unit["id"]
        sums = list(own.get(uid) or [None] * n)
        heads = [int(i in reported.get(uid, ())) for i in range(n)]
        for child in tree.children.get(uid, []):
            for i in range(n):
                theirs = total[child][i]
                if theirs is not None:
                    sums[i] = theirs + (sums[i] or 0)
                heads[i] += count[child][i]
        total[uid], count[uid] = sums, heads

    tops = tree.tops
    with_value = [sum(1 for uid in inside if own.get(uid) and own[uid][i] is not None) for i in range(n)]
    points = []
    for i, period in enumerate(rng.periods):
        given = [total[t][i] for t in tops if total[t][i] is not None]
        points.append({"period": period.code, "label": period.short_label,
                       "total": sum(given) if given else None,
                       "units_reported": sum(count[t][i] for t in tops), "units_with_value": with_value[i]})

    names = {u["id"]: u["name"] for u in tree.units}
    moved = []
    for uid in tree.movers:
        first, last = total[uid][0], total[uid][-1]
        if first is None or last is None or first == last:
            continue
        moved.append({"unit_id": uid, "name": names[uid], "first": first, "last": last, "change": last - first,
                      "change_percent": _percent(first, last),
                      "units_reported_first": count[uid][0], "units_reported_last": count[uid][-1]})
    rising = sorted((m for m in moved if m["change"] > 0), key=lambda m: (-m["change"], m["name"]))[:TOP]
    falling = sorted((m for m in moved if m["change"] < 0), key=lambda m: (m["change"], m["name"]))[:TOP]
    ind = rng.indicator
    return {"indicator": {"code": ind.code, "label": ind.label, "unit": ind.unit},
            "unit_id": tree.root["id"] if tree.root else None,
            "unit_name": tree.root["name"] if tree.root else "Toàn Bộ",
            "from": wanted[0], "to": wanted[-1],
            "units": len(tree.units),
            "units_expected": sum(1 for u in tree.units if u.get("kind") != "ministry"),
            "points": points,
            "movers_compared": len(tree.movers),
            "rising": rising, "falling": falling}


def read_plan(subtree_size: int, per_unit_reads: int = PER_UNIT_READS) -> str:
    """"unit": one Query per unit of the subtree over the whole range (a small subtree: only its
    own reports are read, at most `per_unit_reads` requests); "period": one Query per period over
    every unit's report of it (the whole tree, a large subtree: at most MAX_PERIODS requests)."""
    return "unit" if subtree_size <= per_unit_reads else "period"


def trends_for(store: Any, indicator_code: str | None, unit_id: str | None, first: str | None,
               last: str | None, now: datetime, per_unit_reads: int = PER_UNIT_READS) -> dict[str, Any]:
    """The trend straight from the store.

    Reads: every unit (Query UNITS, paged), then the reports either per period (Query GSI1
    PERIOD#<p>, one per period in the range: at most MAX_PERIODS) or, for a small subtree, per
    unit (Query UNIT#<u> BETWEEN the first and last REPORT#<p>: `read_plan`). Never a Scan.

    The cost at 11,000 units, honestly (issue 20): a period's GSI1 partition holds every unit's
    report of it, whole (the index projects ALL: values, comments, up to 20,000 characters of
    achievements), however small the subtree asked for. At ~2 KB a report that is ~22 MB and
    ~22 pages of 1 MB per period: 6 months read ~130 MB (~16,000 read units, several seconds);
    36 months ~800 MB (~100,000 read units), far past API Gateway's 29 s. The range cap keeps one
    request bounded, not cheap. What would scale: a per-period roll-up item (each unit's subtree
    total per indicator, kept by every submission and review in the same transaction), so a
    trend reads one small item per period; or a GSI projecting only unit_id, status and values.
    """
    rng = parse_range(indicator_code, first, last, now)
    units = store.units.all(attrs=TREE_FIELDS)  # a trend rolls up the tree: every unit, projected
    if unit_id is not None and not any(u["id"] == unit_id for u in units):
        raise NotFound(f"đơn vị '{unit_id}'")
    tree = subtree(units, unit_id)
    if read_plan(len(tree.units), per_unit_reads) == "unit":
        reports = _per_unit(store, [u["id"] for u in tree.units], rng)
    else:
        reports = (r for p in rng.periods for r in store.reports.for_period(p.code))
    return trends(units, reports, rng, unit_id)


def _per_unit(store: Any, unit_ids: list[str], rng: Range) -> Iterable[dict[str, Any]]:
    first, last = rng.periods[0].code, rng.periods[-1].code
    for uid in unit_ids:
        cursor = None
        while True:  # period codes of other kinds may sort inside the range: `trends` drops them
            page = store.reports.for_unit(uid, first, last, limit=100, cursor=cursor)
            yield from page.items
            if not page.next:
                break
            cursor = page.next


def unit_choices(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every unit as the trend's unit picker needs it (id, name, parent), in tree order: one body,
    ~2 MB as Lambda counts it for 11,000 units with long Vietnamese names (tested), under 6 MB."""
    return [{"id": u["id"], "name": u["name"], "parent_id": parent} for _, u, parent in tree_walk(units)]

