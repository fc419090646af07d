"""Periodic reports: submit (create or replace), read, list, revisions.

A report is one unit's figures for one period. Every accepted submission is a
new version; the current one carries an ETag that a replace must present
(`If-Match`), so two people editing the same report cannot silently overwrite
each other.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel

from chalicelib.auth import Principal, now_iso, require_unit_access
from chalicelib.indicators import catalog
from chalicelib.periods import Period, PeriodError, parse_period
from chalicelib.problems import FieldError, Problem, invalid, not_found
from chalicelib.store import ConditionFailed, Page, Store
from chalicelib.units import get_unit

PUBLIC_FIELDS = ("unit_id", "period", "version", "values", "comments", "achievements",
                 "submitted_at", "submitted_by", "status", "review")


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


def submit_report(store: Store, who: Principal, unit_id: str, period_code: str, body: BaseModel,
                  if_match: str | None) -> tuple[dict[str, Any], bool]:
    """Create (no current version) or replace (If-Match must equal the current ETag).

    Returns the stored report and whether it was created.
    """
    _accessible_unit(store, who, unit_id, write=True)
    period = period_of(period_code)
    data = body.model_dump(exclude_none=True)
    values: dict[str, int] = data.get("values", {})
    comments: dict[str, str] = {k: v for k, v in data.get("comments", {}).items() if v}
    errors = catalog().check_rules(values)
    if errors:
        raise invalid(errors, "Số liệu không thỏa mãn quy tắc kiểm tra chéo giữa các chỉ tiêu.")

    current = store.get_report(unit_id, period.code)
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
    report["etag"] = compute_etag(report)
    try:
        store.save_report(report, expected_etag=current["etag"] if current else None)
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
