"""Who has reported for a period: per unit, rolled up the unit tree.

Every unit except the ministry itself is expected to report. States:
`missing`, `submitted`, `returned` (sent back for correction), `accepted`;
timeliness `on_time` / `late`, fixed when the report was first submitted
against the deadline then in force. Rates follow DHIS2's reporting-rate summary: complete
reports (submitted or accepted) over expected, and on-time complete reports
over expected. A parent's row counts its own report plus all its descendants'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.core.periods import Period
from chalicelib.units.service import tree_walk

COUNTS = ("expected", "complete", "on_time", "late", "missing", "returned", "accepted")


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
                "label": self.label, "counts": self.counts, "rates": self.rates}


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
            first = report.get("first_submitted_at") or report["submitted_at"]
            timeliness = report.get("timeliness") or (
                "on_time" if datetime.fromisoformat(first) <= deadline else "late")
            if state == "returned":
                counts["returned"] = 1
            else:
                counts["complete"] = 1
                counts[timeliness] = 1
                counts["accepted"] = int(state == "accepted")
    label = _label(state, timeliness, now > deadline) if expected else "Tổng hợp"
    return Row(unit["id"], unit["name"], unit.get("parent_id"), 0, expected, state, timeliness, label, counts)


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
    index = {r.unit_id: r for r in rows}
    for _, unit, parent_id in reversed(walk):
        if parent_id is not None:
            mine, theirs = index[unit["id"]].counts, index[parent_id].counts
            for k in COUNTS:
                theirs[k] += mine[k]
    return Completeness(period, deadline, rows, totals)


def completeness_for(store: Any, period: Period, deadline_days: int, now: datetime) -> Completeness:
    """Completeness straight from the store: every unit, the period's reports (one Query)."""
    from chalicelib.reporting.deadlines import deadline_for

    return period_completeness(store.units.all(), store.reports.for_period(period.code), period,
                               deadline_days, now, deadline_for(store, period, deadline_days))
