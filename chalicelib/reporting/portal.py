"""The unit portal's home: a unit's recent periods, the state of each, whether it is locked and
why, and what to do next; for a parent unit, its direct sub-units' states too.

The rules are the reporting cycle's own (`deadlines.deadline_from`, `deadlines.lock_for`): the
home page says "locked" exactly when a submission would be refused with 423. Reads: the units
(one Query of the units partition), then the reports, the periods' settings and the unit's
exceptions in BatchGets (`ReportRepository.read_many`). No Scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core.errors import NotFound, invalid
from chalicelib.core.periods import VN_TZ, Period, period_containing
from chalicelib.core.states import ReportStatus
from chalicelib.core.text import sort_key
from chalicelib.reporting.deadlines import deadline_from, lock_for, vn_time
from chalicelib.units.service import TREE_FIELDS

RECENT = 6
KINDS = ("month", "week", "quarter")


def recent_periods(kind: str, now: datetime, count: int = RECENT) -> list[Period]:
    """The current period of `kind` and the ones before it, newest first."""
    period = period_containing(kind, now.astimezone(VN_TZ).date())
    out = [period]
    while len(out) < count:
        period = period.previous()
        out.append(period)
    return out


MAX_PICKER = 60


def period_picker(store: Any, kind: str | None, count: str | None, deadline_days: int,
                  now: datetime) -> list[dict[str, Any]]:
    """The current period of `kind` and the `count` - 1 before it, newest first, each with its
    names, its deadline (an admin's when set, else the default) and whether an admin set it."""
    kind = kind or "month"
    if kind not in KINDS:
        raise invalid("kind", "Loại kỳ phải là month (tháng), week (tuần) hoặc quarter (quý).")
    if count is None:
        wanted = 12
    elif count.isascii() and count.isdigit() and 1 <= int(count) <= MAX_PICKER:
        wanted = int(count)
    else:
        raise invalid("count", f"Phải là số nguyên từ 1 đến {MAX_PICKER}.")
    periods = recent_periods(kind, now, wanted)
    settings = store.reports.read_many(settings=[p.code for p in periods]).settings
    out = []
    for period in periods:
        deadline = deadline_from(settings[period.code], period, deadline_days)
        out.append({"period": period.code, "kind": period.kind, "label": period.short_label,
                    "long_label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat(),
                    "deadline": deadline.isoformat(), "open": now <= deadline,
                    "has_settings": settings[period.code] is not None,
                    "current": period == periods[0]})
    return out


def children_of(units: list[dict[str, Any]], unit_id: str) -> list[dict[str, Any]]:
    """The unit's direct sub-units, in Vietnamese alphabetical order."""
    return sorted((u for u in units if u.get("parent_id") == unit_id and u["id"] != unit_id),
                  key=lambda u: sort_key(u["name"]))


def state_of(report: dict[str, Any] | None) -> str:
    return "missing" if report is None else report.get("status", ReportStatus.SUBMITTED.value)


def _open_until(deadline: datetime, exception: dict[str, Any] | None, now: datetime) -> datetime:
    """Until when a unit may still submit (the deadline, or a later exception already in force)."""
    if now > deadline and exception:
        return max(deadline, datetime.fromisoformat(exception["until"]))
    return deadline


def next_step(state: str, locked: bool, deadline: datetime, exception: dict[str, Any] | None,
              now: datetime) -> str:
    if state == ReportStatus.ACCEPTED:
        return "Báo cáo đã được duyệt; không cần làm gì thêm."
    if state == ReportStatus.RETURNED:
        return "Sửa báo cáo theo ghi chú của quản trị rồi gửi lại."
    until = _open_until(deadline, exception, now)
    extended = until > deadline
    if state == "missing":
        if locked:
            return "Đã hết hạn nộp; đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung."
        return (f"Đã được gia hạn: nộp báo cáo trước {vn_time(until)}." if extended
                else f"Nộp báo cáo trước {vn_time(until)}.")
    if locked:
        return "Đã nộp; chờ quản trị duyệt."
    return f"Đã nộp; chờ quản trị duyệt. Có thể sửa báo cáo đến {vn_time(until)}."


def period_state(period: Period, report: dict[str, Any] | None, settings: dict[str, Any] | None,
                 exception: dict[str, Any] | None, deadline_days: int, now: datetime) -> dict[str, Any]:
    deadline = deadline_from(settings, period, deadline_days)
    lock = lock_for(report, period, deadline, exception, now)
    state = state_of(report)
    review = (report or {}).get("review") or {}
    return {
        "period": period.code, "label": period.label, "deadline": deadline.isoformat(), "state": state,
        "locked": lock is not None, "lock_reason": lock.detail if lock else None,
        "lock_code": lock.reason if lock else None,
        "return_note": review.get("note") if state == ReportStatus.RETURNED else None,
        "version": report["version"] if report else None, "etag": report["etag"] if report else None,
        "submitted_at": report.get("submitted_at") if report else None,
        "exception_until": exception["until"] if exception else None,
        "next_step": next_step(state, lock is not None, deadline, exception, now),
    }


def unit_periods(store: Any, unit_id: str, kind: str | None, deadline_days: int, now: datetime) -> dict[str, Any]:
    kind = kind or "month"
    if kind not in KINDS:
        raise invalid("kind", "Loại kỳ phải là month (tháng), week (tuần) hoặc quarter (quý).")
    # the unit's direct sub-units: units are indexed by id only, so the tree is read (projected, one
    # Query of the units' partition: 2-3 pages at 11,000 units); the reports are read by key
    units = store.units.all(attrs=TREE_FIELDS)
    unit = next((u for u in units if u["id"] == unit_id), None)
    if unit is None:
        raise NotFound(f"đơn vị '{unit_id}'")
    periods = recent_periods(kind, now)
    children = children_of(units, unit_id)
    reads = store.reports.read_many(
        reports=[(u, p.code) for u in (unit_id, *(c["id"] for c in children)) for p in periods],
        settings=[p.code for p in periods], exceptions=[(unit_id, p.code) for p in periods])
    items = [period_state(p, reads.reports[(unit_id, p.code)], reads.settings[p.code],
                          reads.exceptions[(unit_id, p.code)], deadline_days, now) for p in periods]
    sub_units = [{"unit_id": child["id"], "name": child["name"],
                  "periods": [{"period": p.code, "state": state_of(reads.reports[(child["id"], p.code)])}
                              for p in periods]}
                 for child in children]
    return {"unit_id": unit_id, "name": unit["name"], "kind": kind, "items": items, "sub_units": sub_units}
