"""Periodic reports: submit (create or replace), read, list, revisions.

A report is one unit's figures for one period. Every accepted submission is a
new version; the current one carries an ETag that a replace must present
(`If-Match`), so two people editing the same report cannot silently overwrite
each other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from chalicelib import audit, notifications
from chalicelib.auth import Principal, now_iso, require_admin, require_unit_access
from chalicelib.deadlines import deadline_for, lock_for
from chalicelib.indicators import catalog
from chalicelib.periods import Period, PeriodError, parse_period
from chalicelib.problems import FieldError, Problem, invalid, not_found
from chalicelib.store import ConditionFailed, Page, Store
from chalicelib.units import get_unit

log = logging.getLogger("thidua.reports")

PUBLIC_FIELDS = ("unit_id", "period", "version", "values", "comments", "achievements",
                 "submitted_at", "first_submitted_at", "timeliness", "submitted_by", "status", "review")
HISTORY_PERIODS = 12


def period_of(text: str, field: str = "period") -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise invalid([FieldError(field, str(exc))]) from None


def public(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: report.get(k) for k in PUBLIC_FIELDS}
    out["values"] = out["values"] or {}
    out["comments"] = out["comments"] or {}
    out["achievements"] = out["achievements"] or ""
    return out


def compute_etag(report: dict[str, Any]) -> str:
    content = json.dumps({k: report.get(k) for k in ("unit_id", "period", "version", "values",
                                                     "comments", "achievements")},
                         sort_keys=True, ensure_ascii=False)
    return f"{report['version']}-{hashlib.sha256(content.encode()).hexdigest()[:16]}"


def _accessible_unit(store: Store, who: Principal, unit_id: str, *, write: bool) -> dict[str, Any]:
    # Authorisation before existence: a unit learns nothing about other units' ids.
    require_unit_access(who, unit_id, write=write)
    return get_unit(store, unit_id)


def outliers(store: Store, unit_id: str, period: Period, values: dict[str, int],
             comments: dict[str, str]) -> list[FieldError]:
    """Figures over `outlier_factor` times the unit's own median of earlier periods need a comment."""
    factor = catalog().outlier_factor
    earlier = store.list_reports(unit_id, "0000", period.previous().code, limit=4 * HISTORY_PERIODS,
                                 newest_first=True).items
    history = [r["values"] for r in earlier if r.get("period_kind") == period.kind][:HISTORY_PERIODS]
    errors = []
    for code, value in values.items():
        past = [h[code] for h in history if h.get(code) is not None]
        if not past or code in comments:
            continue
        median = statistics.median(past)
        if median > 0 and value > factor * median:
            errors.append(FieldError(
                f"values.{code}",
                f"Giá trị {value} lớn hơn {factor} lần trung vị các kỳ trước ({median:g}); "
                f"cần giải thích trong comments.{code}."))
    return errors


def submit_report(store: Store, who: Principal, unit_id: str, period_code: str, body: BaseModel,
                  if_match: str | None, deadline_days: int, now: datetime | None = None
                  ) -> tuple[dict[str, Any], bool]:
    """Create (no current version) or replace (If-Match must equal the current ETag).

    Returns the stored report and whether it was created.
    """
    now = now or datetime.now(timezone.utc)
    _accessible_unit(store, who, unit_id, write=True)
    period = period_of(period_code)
    data = body.model_dump(exclude_none=True)
    values: dict[str, int] = data.get("values", {})
    comments: dict[str, str] = {k: v for k, v in data.get("comments", {}).items() if v}
    errors = catalog().check_rules(values)
    if errors:
        raise invalid(errors, "Số liệu không thỏa mãn quy tắc kiểm tra chéo giữa các chỉ tiêu.")

    current = store.get_report(unit_id, period.code)
    deadline = deadline_for(store, period, deadline_days)
    lock = lock_for(current, period, deadline, store.get_exception(unit_id, period.code), now)
    if lock:
        raise lock.problem()
    errors = outliers(store, unit_id, period, values, comments)
    if errors:
        raise invalid(errors, "Có số liệu bất thường so với các kỳ trước của đơn vị; cần giải thích.")
    if current is not None and if_match is None:
        raise Problem(428, "Precondition Required",
                      "Báo cáo kỳ này đã có; gửi kèm If-Match với ETag của lần đọc gần nhất để thay thế.")
    if current is None and if_match is not None:
        raise Problem(412, "Precondition Failed", "Báo cáo kỳ này chưa có nên không thể thay thế theo If-Match.")
    if current is not None and if_match != current["etag"]:
        raise Problem(412, "Precondition Failed",
                      "ETag không khớp: báo cáo đã được cập nhật sau lần đọc của bạn. Hãy đọc lại rồi gửi.")

    report = {
        "unit_id": unit_id, "period": period.code, "period_kind": period.kind,
        "version": (current["version"] + 1) if current else 1,
        "values": values, "comments": comments, "achievements": data.get("achievements", ""),
        "submitted_at": now_iso(), "submitted_by": who.token_id, "status": "submitted",
    }
    # Timeliness is fixed at the first submission, against the deadline then in force:
    # corrections don't make a report late, nor does a deadline moved afterwards.
    if current:
        report["first_submitted_at"] = current.get("first_submitted_at", current["submitted_at"])
        report["timeliness"] = current.get("timeliness", "on_time")
    else:
        report["first_submitted_at"] = report["submitted_at"]
        report["timeliness"] = "on_time" if now <= deadline else "late"
    if current and (current.get("status") == "returned" or current.get("resubmitted_after_return")):
        report["resubmitted_after_return"] = True
    report["etag"] = compute_etag(report)
    event = audit.event(audit.report_entity(unit_id, period.code), "submitted" if not current else "replaced",
                        who, version=report["version"])
    try:
        store.save_report(report, expected_etag=current["etag"] if current else None, audit=event)
    except ConditionFailed:
        if current is None:
            raise Problem(428, "Precondition Required",
                          "Báo cáo kỳ này vừa được tạo bởi một yêu cầu khác; hãy đọc lại và gửi kèm If-Match.") from None
        raise Problem(412, "Precondition Failed",
                      "ETag không khớp: báo cáo vừa được cập nhật bởi một yêu cầu khác.") from None
    return report, current is None


def get_report(store: Store, who: Principal, unit_id: str, period_code: str) -> dict[str, Any]:
    _accessible_unit(store, who, unit_id, write=False)
    period = period_of(period_code)
    report = store.get_report(unit_id, period.code)
    if report is None:
        raise not_found(f"báo cáo kỳ {period.code} của đơn vị '{unit_id}'")
    return report


def list_revisions(store: Store, who: Principal, unit_id: str, period_code: str,
                   limit: int, cursor: str | None) -> Page:
    report = get_report(store, who, unit_id, period_code)
    return store.list_revisions(unit_id, report["period"], limit=limit, cursor=cursor)


def list_reports(store: Store, who: Principal, unit_id: str, first: str | None, last: str | None,
                 limit: int, cursor: str | None) -> Page:
    _accessible_unit(store, who, unit_id, write=False)
    lo = period_of(first, "from") if first else None
    hi = period_of(last, "to") if last else None
    if lo and hi and lo.kind != hi.kind:
        raise invalid([FieldError("to", "Kỳ 'from' và 'to' phải cùng loại (tháng, tuần hoặc quý).")])
    # Period codes sort within a kind; '0000' and '9999' bracket every year.
    return store.list_reports(unit_id, lo.code if lo else "0000", hi.code if hi else "9999",
                              limit=limit, cursor=cursor)


def review_report(store: Store, who: Principal, unit_id: str, period_code: str, action: str, note: str,
                  if_match: str | None, mailer: Any) -> dict[str, Any]:
    """Accept (locks the report) or return it with a note (reopens it; the unit is emailed)."""
    require_admin(who)
    if action == "return" and not note:
        raise invalid([FieldError("note", "Trả lại báo cáo phải kèm ghi chú nêu nội dung cần sửa.")])
    unit = get_unit(store, unit_id)
    report = get_report(store, who, unit_id, period_code)
    period = period_of(period_code)
    if if_match is not None and if_match != report["etag"]:
        raise Problem(412, "Precondition Failed", "Báo cáo đã được nộp lại sau lần đọc của bạn; hãy xem lại.")
    review = {"action": action, "note": note, "by": who.token_id, "by_name": who.name, "at": now_iso(),
              "version": report["version"]}
    status = "accepted" if action == "accept" else "returned"
    try:
        store.update_report_fields(unit_id, period.code, report["etag"], {"status": status, "review": review},
                                   audit=audit.event(audit.report_entity(unit_id, period.code), action, who,
                                                     version=report["version"], note=note))
    except ConditionFailed:
        raise Problem(412, "Precondition Failed", "Báo cáo vừa được nộp lại; hãy xem lại trước khi duyệt.") from None
    report = {**report, "status": status, "review": review}
    if action == "return":
        report["notified"] = _notify_return(mailer, unit, period, report, note)
    return report


def _notify_return(mailer: Any, unit: dict[str, Any], period: Period, report: dict[str, Any], note: str) -> bool:
    if not unit.get("emails"):
        return False
    try:
        notifications.send(mailer, unit["emails"], f"Báo cáo {period.label} được trả lại để chỉnh sửa",
                           "report_returned", ("return", unit["id"], period.code, str(report["version"]),
                                               report["review"]["at"]),
                           unit=unit, period=period, report=report, note=note)
        return True
    except Exception:  # the review stands; the office can phone the unit
        log.exception("could not email the return notice to %s", unit["id"])
        return False


def report_audit(store: Store, who: Principal, unit_id: str, period_code: str, limit: int,
                 cursor: str | None) -> Page:
    require_admin(who)
    period = period_of(period_code)
    return store.list_audit(audit.report_entity(unit_id, period.code), limit=limit, cursor=cursor)
