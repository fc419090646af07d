"""Deadlines, locks and exceptions of the reporting cycle.

A period's deadline is the end of its last day plus `THIDUA_DEADLINE_DAYS`
(Vietnam time), unless an admin set another for that period. After it a unit
may not submit or replace that period's report (423 with the reason), unless an
admin granted it an exception until a later time. An accepted report is locked
whatever the date; a returned one is open for correction whatever the date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.clock import iso
from chalicelib.core.errors import Locked, invalid
from chalicelib.core.periods import VN_TZ, Period
from chalicelib.core.states import LockReason, ReportStatus
from chalicelib.store import Store
from chalicelib.units.service import get_unit


def vn_time(at: datetime) -> str:
    local = at.astimezone(VN_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def deadline_for(store: Store, period: Period, default_days: int) -> datetime:
    return deadline_from(store.periods.get(period.code), period, default_days)


def deadline_from(period_settings: dict[str, Any] | None, period: Period, default_days: int) -> datetime:
    """The admin-set deadline in `period_settings` when there is one, else the default."""
    if period_settings and period_settings.get("deadline"):
        return datetime.fromisoformat(period_settings["deadline"])
    return period.deadline(default_days)


def parse_instant(text: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise invalid(field, "Phải là thời điểm ISO 8601, ví dụ 2021-09-10T23:59:59+07:00.") from None
    if not 2000 <= value.year <= 2100:  # far dates overflow time zone arithmetic and mean a typo
        raise invalid(field, "Năm nằm ngoài khoảng cho phép (2000-2100).")
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def lock_for(report: dict[str, Any] | None, period: Period, deadline: datetime,
             exception: dict[str, Any] | None, now: datetime) -> Locked | None:
    """Why a unit may not submit this period's report now, or None when it may."""
    status = (report or {}).get("status")
    if status == ReportStatus.ACCEPTED:
        return Locked(f"Báo cáo {period.label} đã được duyệt nên đã khóa; "
                      "đề nghị quản trị trả lại nếu cần sửa.", LockReason.ACCEPTED.value)
    if status == ReportStatus.RETURNED:
        return None  # reopened for correction, whatever the date
    if now <= deadline:
        return None
    if exception and now <= datetime.fromisoformat(exception["until"]):
        return None
    if report and report.get("resubmitted_after_return"):
        return Locked(f"Báo cáo {period.label} bị trả lại đã được nộp lại và kỳ đã hết hạn "
                      f"({vn_time(deadline)}), nên báo cáo đã khóa lại.", LockReason.RETURNED_RESUBMITTED.value)
    return Locked(f"Đã hết hạn nộp báo cáo {period.label} lúc {vn_time(deadline)}; "
                  "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung.", LockReason.DEADLINE_PASSED.value)


def period_info(period: Period, deadline: datetime, now: datetime) -> dict[str, Any]:
    return {"period": period.code, "kind": period.kind, "label": period.label,
            "start": period.start.isoformat(), "end": period.end.isoformat(),
            "deadline": deadline.isoformat(), "open": now <= deadline}


def get_period(store: Store, period: Period, default_days: int, now: datetime) -> dict[str, Any]:
    return period_info(period, deadline_for(store, period, default_days), now)


def set_deadline(store: Store, who: Principal, period: Period, deadline_text: str, now: datetime) -> dict[str, Any]:
    deadline = parse_instant(deadline_text, "deadline")
    if period.start > (now.astimezone(VN_TZ) + timedelta(days=366)).date():
        raise invalid("period", "Chỉ đặt hạn nộp cho các kỳ trong vòng một năm tới.")
    if deadline.astimezone(VN_TZ).date() < period.start:
        raise invalid("deadline", "Hạn nộp không thể trước khi kỳ bắt đầu.")
    store.periods.put(
        {"period": period.code, "deadline": deadline.isoformat(), "set_by": who.actor, "set_at": iso(now)},
        audit=audit.event(f"period:{period.code}", "deadline_set", who, now, deadline=deadline.isoformat()))
    return period_info(period, deadline, now)


def grant_exception(store: Store, who: Principal, unit_id: str, period: Period, until_text: str,
                    reason: str, now: datetime) -> dict[str, Any]:
    get_unit(store, unit_id)
    until = parse_instant(until_text, "until")
    if until <= now:
        raise invalid("until", "Thời hạn ngoại lệ phải ở tương lai.")
    exception = {"unit_id": unit_id, "period": period.code, "until": until.isoformat(),
                 "reason": reason, "granted_by": who.actor, "granted_at": iso(now)}
    store.reports.put_exception(exception, audit=audit.event(
        audit.report_entity(unit_id, period.code), "exception_granted", who, now,
        until=until.isoformat(), reason=reason))
    return exception
