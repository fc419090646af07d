"""When a period's reports lock, and the exceptions admins grant.

A period's deadline is the end of its last day plus `THIDUA_DEADLINE_DAYS`
(Vietnam time) unless an admin set another for that period. After it, a
report can be submitted only with an exception for that unit and period, or
when an admin returned it for correction. An accepted report is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import audit
from chalicelib.auth import Principal, now_iso, require_admin
from chalicelib.periods import VN_TZ, Period
from chalicelib.problems import FieldError, Problem, invalid
from chalicelib.store import Store


@dataclass(frozen=True)
class Lock:
    reason: str   # "deadline_passed" | "accepted" | "returned_resubmitted"
    message: str

    def problem(self) -> Problem:
        return Problem(423, "Locked", self.message, extra={"reason": self.reason})


def vn_time(at: datetime) -> str:
    local = at.astimezone(VN_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def deadline_for(store: Store, period: Period, default_days: int) -> datetime:
    custom = store.get_period_settings(period.code)
    if custom and custom.get("deadline"):
        return datetime.fromisoformat(custom["deadline"])
    return period.deadline(default_days)


def parse_instant(text: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise invalid([FieldError(field, "Phải là thời điểm ISO 8601, ví dụ 2021-09-10T23:59:59+07:00.")]) from None
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def lock_for(report: dict[str, Any] | None, period: Period, deadline: datetime,
             exception: dict[str, Any] | None, now: datetime) -> Lock | None:
    """Why a unit may not submit this period's report now, or None when it may."""
    status = (report or {}).get("status")
    if status == "accepted":
        return Lock("accepted", f"Báo cáo {period.label} đã được duyệt nên đã khóa; "
                                "đề nghị quản trị trả lại nếu cần sửa.")
    if status == "returned":
        return None  # reopened for correction, whatever the date
    if now <= deadline:
        return None
    if exception and now <= datetime.fromisoformat(exception["until"]):
        return None
    if report and report.get("resubmitted_after_return"):
        return Lock("returned_resubmitted",
                    f"Báo cáo {period.label} bị trả lại đã được nộp lại và kỳ đã hết hạn "
                    f"({vn_time(deadline)}), nên báo cáo đã khóa lại.")
    return Lock("deadline_passed",
                f"Đã hết hạn nộp báo cáo {period.label} lúc {vn_time(deadline)}; "
                "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung.")


def period_info(period: Period, deadline: datetime, now: datetime) -> dict[str, Any]:
    return {"period": period.code, "kind": period.kind, "label": period.label,
            "start": period.start.isoformat(), "end": period.end.isoformat(),
            "deadline": deadline.isoformat(), "open": now <= deadline}


def set_deadline(store: Store, who: Principal, period: Period, deadline: datetime) -> None:
    require_admin(who)
    store.put_period_settings(
        {"period": period.code, "deadline": deadline.isoformat(), "set_by": who.token_id, "set_at": now_iso()},
        audit=audit.event(f"period:{period.code}", "deadline_set", who, deadline=deadline.isoformat()))


def grant_exception(store: Store, who: Principal, unit_id: str, period: Period, until: datetime,
                    reason: str, now: datetime) -> dict[str, Any]:
    require_admin(who)
    if until <= now:
        raise invalid([FieldError("until", "Thời hạn ngoại lệ phải ở tương lai.")])
    exception = {"unit_id": unit_id, "period": period.code, "until": until.isoformat(),
                 "reason": reason, "granted_by": who.token_id, "granted_at": now_iso()}
    store.put_exception(exception, audit=audit.event(
        audit.report_entity(unit_id, period.code), "exception_granted", who,
        until=until.isoformat(), reason=reason))
    return exception
