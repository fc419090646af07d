"""Who has reported for a period: per unit, rolled up the unit tree.

Every unit except the ministry itself is expected to report. States:
`missing`, `submitted`, `returned` (sent back for correction), `accepted`;
timeliness `on_time` / `late`, fixed when the report was first submitted
against the deadline then in force. Rates follow DHIS2's reporting-rate summary: complete
reports (submitted or accepted) over expected, and on-time complete reports
over expected. A parent's row counts its own report plus all its descendants'.

How a parent's state is derived: a row's `state` is only the unit's own report. Its `subtree`
summarises its descendants alone (not itself): the same counts, plus `submitted` (current and
not yet reviewed), and `subtree_state` says whether they are done: `complete` when every
descendant expected to report has a current report (submitted or accepted; a returned one is
not current until it is corrected), `none` when none has, `partial` in between, and null for a
unit with no descendant expected to report. So "Cục Y tế" without a report of its own whose
hospitals all reported is `missing` with `subtree_state` `complete`, labelled "Cấp dưới đã nộp đủ".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.core.errors import invalid
from chalicelib.core.periods import Period
from chalicelib.core.positions import MAX_BODY, body_bytes, position_cursor, position_of
from chalicelib.units.service import tree_walk

COUNTS = ("expected", "complete", "on_time", "late", "missing", "returned", "accepted")
SUBTREE_COUNTS = (*COUNTS, "submitted")
SUBTREE_LABELS = {"complete": "Cấp dưới đã nộp đủ", "partial": "Cấp dưới nộp chưa đủ",
                  "none": "Cấp dưới chưa nộp"}


def subtree_state(counts: dict[str, int]) -> str | None:
    """`complete`, `partial` or `none` over the descendants' counts; None when none is expected."""
    if not counts["expected"]:
        return None
    if counts["complete"] == counts["expected"]:
        return "complete"
    return "partial" if counts["complete"] else "none"


def _label(state: str, timeliness: str | None, overdue: bool) -> str:
    if state == "missing":
        return "Chưa nộp (quá hạn)" if overdue else "Chưa nộp"
    if state == "returned":
        return "Bị trả lại"
    late = " (muộn)" if timeliness == "late" else ""
    if state == "accepted":
        return "Đã duyệt" + late
    return "Nộp muộn" if timeliness == "late" else "Đúng hạn"


@dataclass
class Row:
    unit_id: str
    name: str
    parent_id: str | None
    depth: int
    expected: bool
    state: str | None          # None for a unit not expected to report (the ministry)
    timeliness: str | None
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    submitted_at: str | None = None  # the current version's, shown on the board
    subtree: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBTREE_COUNTS, 0))

    @property
    def subtree_state(self) -> str | None:
        return subtree_state(self.subtree)

    @property
    def subtree_label(self) -> str | None:
        state = self.subtree_state
        if state is None:
            return None
        return f"{SUBTREE_LABELS[state]} ({self.subtree['complete']}/{self.subtree['expected']})"

    @property
    def rates(self) -> dict[str, float | None]:
        expected = self.counts["expected"]
        if not expected:
            return {"reporting": None, "on_time": None}
        return {"reporting": round(self.counts["complete"] / expected, 4),
                "on_time": round(self.counts["on_time"] / expected, 4)}

    def as_dict(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "name": self.name, "parent_id": self.parent_id, "depth": self.depth,
                "expected": self.expected, "state": self.state, "timeliness": self.timeliness,
                "label": self.label, "submitted_at": self.submitted_at, "counts": self.counts, "rates": self.rates,
                "subtree": self.subtree, "subtree_state": self.subtree_state, "subtree_label": self.subtree_label}


@dataclass
class Completeness:
    period: Period
    deadline: datetime
    rows: list[Row]
    totals: dict[str, int]

    @property
    def rates(self) -> dict[str, float | None]:
        expected = self.totals["expected"]
        return {"reporting": round(self.totals["complete"] / expected, 4) if expected else None,
                "on_time": round(self.totals["on_time"] / expected, 4) if expected else None}

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period.code, "label": self.period.label, "deadline": self.deadline.isoformat(),
                "totals": self.totals, "rates": self.rates, "rows": [r.as_dict() for r in self.rows]}


def _own(unit: dict[str, Any], report: dict[str, Any] | None, deadline: datetime, now: datetime) -> Row:
    expected = unit.get("kind") != "ministry"
    counts = dict.fromkeys(COUNTS, 0)
    state = timeliness = None
    if expected:
        counts["expected"] = 1
        if report is None:
            state = "missing"
            counts["missing"] = 1
        else:
            state = report.get("status", "submitted")
            # fixed at the first submission: a correction after the deadline does not make it late
            first = report.get("first_submitted_at") or report.get("submitted_at")
            timeliness = report.get("timeliness") or (
                "on_time" if first is None or datetime.fromisoformat(first) <= deadline else "late")
            if state == "returned":
                counts["returned"] = 1
            else:
                counts["complete"] = 1
                counts[timeliness] = 1
                counts["accepted"] = int(state == "accepted")
    label = _label(state, timeliness, now > deadline) if expected else "Tổng hợp"
    return Row(unit["id"], unit["name"], unit.get("parent_id"), 0, expected, state, timeliness, label, counts,
               submitted_at=report.get("submitted_at") if expected and report else None)


def period_completeness(units: list[dict[str, Any]], reports: list[dict[str, Any]], period: Period,
                        deadline_days: int, now: datetime, deadline: datetime | None = None) -> Completeness:
    """Completeness of `period`; `deadline` (when set by an admin) overrides `deadline_days`."""
    deadline = deadline or period.deadline(deadline_days)
    by_unit = {r["unit_id"]: r for r in reports}
    walk = tree_walk(units)
    rows = []
    for depth, unit, _ in walk:
        row = _own(unit, by_unit.get(unit["id"]), deadline, now)
        row.depth = depth
        rows.append(row)
    totals = dict.fromkeys(COUNTS, 0)
    for row in rows:
        for k in COUNTS:
            totals[k] += row.counts[k]
    # Roll up: in reverse tree order every subtree is complete before its parent's turn;
    # the walk's parent, not the stored one, so that a unit on a stored cycle counts once.
    # A row's `subtree` is its counts before its own report joined them, i.e. the descendants'.
    index = {r.unit_id: r for r in rows}
    for _, unit, parent_id in reversed(walk):
        mine = index[unit["id"]]
        if parent_id is not None:
            theirs = index[parent_id]
            for k in COUNTS:
                theirs.counts[k] += mine.counts[k]
                theirs.subtree[k] += mine.counts[k]
            theirs.subtree["submitted"] += mine.subtree["submitted"] + int(mine.state == "submitted")
    return Completeness(period, deadline, rows, totals)


def completeness_for(store: Any, period: Period, deadline_days: int, now: datetime) -> Completeness:
    """Completeness straight from the store: every unit (the board rolls every unit up, so it walks the
    tree: the kept one, `units.tree()`, not every unit read again) and the status of each of the period's
    reports (its small status items, projected: never the figures or achievements)."""
    from chalicelib.reporting.deadlines import deadline_for

    return period_completeness(store.units.tree(), store.reports.statuses_for_period(period.code),
                               period, deadline_days, now, deadline_for(store, period, deadline_days))



# -- pages: every answer at most 1 MB --------------------------------------------------------

MAX_LIMIT = 1000         # rows a page may ask for (a page stops earlier if they would pass MAX_BODY)
DEFAULT_PAGE = 500       # rows of the first page when the whole board would not fit


def completeness_page(result: Completeness, limit: int | None, cursor: str | None) -> dict[str, Any]:
    """The board as one body with `next` (the list convention's cursor, null on the last page).

    Without `limit` and `cursor` the whole board comes in one body when it fits under
    MAX_BODY (what clients written before pages get, unchanged), else its first DEFAULT_PAGE
    rows. A page holds `limit` rows, fewer when they would take the body past MAX_BODY. `rows`
    is the page; `totals` and `rates` are the whole period's on every page. The cursor is the
    position of the next page's first row, bound to the period; every request walks the tree
    afresh, so pages join up in the same tree order whatever their size."""
    whole = result.as_dict()
    rows = whole["rows"]
    if limit is None and cursor is None:
        if body_bytes(whole) + len('"next": null, ') <= MAX_BODY:
            return {**whole, "next": None}
        limit = DEFAULT_PAGE
    start = page_start(result.period.code, cursor)
    # room for the page's frame (period, totals, rates, a cursor) and then row by row
    room = MAX_BODY - body_bytes({**whole, "rows": [], "next": position_cursor("completeness", result.period.code,
                                                                               len(rows))})
    end = start
    while end < min(start + (limit or DEFAULT_PAGE), len(rows)):
        room -= body_bytes(rows[end]) + 2  # ", " between rows
        if room < 0 and end > start:  # one row always goes, so a page moves on
            break
        end += 1
    return {**whole, "rows": rows[start:end],
            "next": position_cursor("completeness", result.period.code, end) if end < len(rows) else None}


def page_start(period_code: str, cursor: str | None) -> int:
    """The first row of the page `cursor` names (0 without one); 422 for a cursor not of this period's board."""
    return position_of(cursor, "completeness", period_code, "kỳ này")


def lambda_bytes(body: Any) -> int:
    """The body's size as Lambda counts it against 6 MB: the JSON text, escaped again as the
    string `body` of the proxy response (quotes doubled, Vietnamese letters as \\uXXXX)."""
    return len(json.dumps(json.dumps(body, ensure_ascii=False)))


def page_limit(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise invalid("limit", f"Phải là số nguyên từ 1 đến {MAX_LIMIT}.")
    return int(raw)
