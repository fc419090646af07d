"""Periodic reports: submit (create or replace), read, list, revisions, review.

A report is one unit's figures for one period. Every accepted submission is a
new version. Every change of state (a submission, a review) gives the report a
new ETag, and every write that depends on a read is conditioned on the ETag that
read saw: two people acting on the same report cannot silently overwrite each
other, and an admin's accept cannot be undone by a PUT prepared before it.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core import audit
from chalicelib.core.etag import etag_of
from chalicelib.core.access import Principal
from chalicelib.core.catalogs import indicator_catalog
from chalicelib.core.bearer import Bearer
from chalicelib.core.clock import iso
from chalicelib.core.errors import FieldError, Invalid, NotFound, PreconditionFailed, PreconditionRequired, invalid
from chalicelib.core.periods import VN_TZ, Period, period_of
from chalicelib.core.states import ReportStatus, ReviewAction, Timeliness
from chalicelib.reporting.deadlines import deadline_from, lock_for
from chalicelib.store import Page, Store
from chalicelib.store.protocols import SubmissionReads
from chalicelib.units.service import get_unit

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.delivery import Mailer  # the mail machinery loads only when a notice is sent


PUBLIC_FIELDS = ("unit_id", "period", "version", "values", "comments", "achievements",
                 "submitted_at", "first_submitted_at", "timeliness", "submitted_by", "status", "review")
HISTORY_PERIODS = 12


def public(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: report.get(k) for k in PUBLIC_FIELDS}
    out["values"] = out["values"] or {}
    out["comments"] = out["comments"] or {}
    out["achievements"] = out["achievements"] or ""
    return out


def compute_etag(report: dict[str, Any]) -> str:
    """A hash of everything a reader sees, the review state included: any change, a new ETag."""
    return etag_of(public(report), report["version"])


def outliers(history: dict[str, dict[str, int]], period: Period, values: dict[str, int],
             comments: dict[str, str]) -> list[FieldError]:
    """Figures over `outlier_factor` times the unit's own median of earlier periods need a comment.

    `history` maps the unit's period codes of this period's kind to their figures (the
    store's figure history); the median is over the `HISTORY_PERIODS` before this one.
    """
    factor = indicator_catalog().outlier_factor
    earlier = sorted((p for p in history if p < period.code), reverse=True)[:HISTORY_PERIODS]
    errors = []
    for code, value in values.items():
        past = [history[p][code] for p in earlier if history[p].get(code) is not None]
        if not past or code in comments:
            continue
        median = statistics.median(past)
        if median > 0 and value > factor * median:
            errors.append(FieldError(
                f"values.{code}",
                f"Giá trị {value} lớn hơn {factor} lần trung vị các kỳ trước ({median:g}); "
                f"cần giải thích trong comments.{code}."))
    return errors


def submission_reads(store: Store, unit_id: str, period_code: str, bearer: Bearer) -> SubmissionReads | None:
    """What a submission reads, with what authenticating the caller's bearer token reads (a machine
    token, or a person's account and session), in one round trip (None: not a period)."""
    try:
        period = period_of(period_code)
    except Invalid:
        return None  # the request is refused later, after authentication, as it always was
    return store.reports.for_submission(unit_id, period.code, period.kind, bearer=bearer)


def submit_report(store: Store, who: Principal, unit_id: str, period_code: str, body: BaseModel,
                  if_match: str | None, deadline_days: int, now: datetime,
                  reads: SubmissionReads | None = None) -> tuple[dict[str, Any], bool]:
    """Create (no current version) or replace (If-Match must equal the current ETag).

    Two round trips: everything the rules read, the caller's token included, is one
    batch (`reads`, made before authentication by `submission_reads`); the report, its
    revision, the figure history and the audit event are staged in the request's unit of
    work, which commits them with the idempotent answer in one transaction. Returns the
    report and whether it is created.
    """
    period = period_of(period_code)
    data = body.model_dump(exclude_none=True)
    values: dict[str, int] = data.get("values", {})
    comments: dict[str, str] = {k: v for k, v in data.get("comments", {}).items() if v}
    if period.start > now.astimezone(VN_TZ).date():
        raise invalid("period", f"Kỳ {period.label} chưa bắt đầu: chưa thể gửi báo cáo.")
    if not values and not data.get("achievements", "").strip():
        raise invalid("values", "Báo cáo phải có ít nhất một số liệu hoặc phần thành tích.")
    errors = indicator_catalog().check_rules(values)
    if errors:
        raise Invalid(errors, "Số liệu không thỏa mãn quy tắc kiểm tra chéo giữa các chỉ tiêu.")

    if reads is None:
        reads = store.reports.for_submission(unit_id, period.code, period.kind)
    if reads.unit is None:
        raise NotFound(f"đơn vị '{unit_id}'")
    current = reads.report
    deadline = deadline_from(reads.period_settings, period, deadline_days)
    lock = lock_for(current, period, deadline, reads.exception, now)
    if lock:
        raise lock
    errors = outliers(reads.history, period, values, comments)
    if errors:
        raise Invalid(errors, "Có số liệu bất thường so với các kỳ trước của đơn vị; cần giải thích.")
    if current is not None and if_match is None:
        raise PreconditionRequired(
            "Báo cáo kỳ này đã có; gửi kèm If-Match với ETag của lần đọc gần nhất để thay thế.")
    if current is None and if_match is not None:
        raise PreconditionFailed("Báo cáo kỳ này chưa có nên không thể thay thế theo If-Match.")
    if current is not None and if_match != current["etag"]:
        raise PreconditionFailed("ETag không khớp: báo cáo đã được cập nhật sau lần đọc của bạn. Hãy đọc lại rồi gửi.")

    report = {
        "unit_id": unit_id, "period": period.code, "period_kind": period.kind,
        "version": (current["version"] + 1) if current else 1,
        "values": values, "comments": comments, "achievements": data.get("achievements", ""),
        "submitted_at": iso(now), "submitted_by": who.actor, "status": ReportStatus.SUBMITTED.value,
    }
    # Timeliness is fixed at the first submission, against the deadline then in force:
    # corrections don't make a report late, nor does a deadline moved afterwards.
    if current:
        report["first_submitted_at"] = current.get("first_submitted_at", current["submitted_at"])
        report["timeliness"] = current.get("timeliness", Timeliness.ON_TIME.value)
    else:
        report["first_submitted_at"] = report["submitted_at"]
        report["timeliness"] = (Timeliness.ON_TIME if now <= deadline else Timeliness.LATE).value
    if current and (current.get("status") == ReportStatus.RETURNED or current.get("resubmitted_after_return")):
        report["resubmitted_after_return"] = True
    report["etag"] = compute_etag(report)
    event = audit.event(audit.report_entity(unit_id, period.code), "submitted" if not current else "replaced",
                        who, now, version=report["version"])
    store.explain(
        exists=PreconditionRequired("Báo cáo kỳ này vừa được tạo bởi một yêu cầu khác; hãy đọc lại và gửi kèm If-Match."),
        etag=PreconditionFailed("ETag không khớp: báo cáo vừa được cập nhật bởi một yêu cầu khác."))
    store.reports.save(report, expected_etag=current["etag"] if current else None, audit=event,
                       history=list(reads.history))
    return report, current is None


def get_report(store: Store, unit_id: str, period_code: str) -> dict[str, Any]:
    get_unit(store, unit_id)
    period = period_of(period_code)
    report = store.reports.get(unit_id, period.code)
    if report is None:
        raise NotFound(f"báo cáo kỳ {period.code} của đơn vị '{unit_id}'")
    return report


def list_revisions(store: Store, unit_id: str, period_code: str, limit: int, cursor: str | None) -> Page:
    report = get_report(store, unit_id, period_code)
    return store.reports.revisions(unit_id, report["period"], limit=limit, cursor=cursor)


def list_reports(store: Store, unit_id: str, first: str | None, last: str | None,
                 limit: int, cursor: str | None) -> Page:
    get_unit(store, unit_id)
    lo = period_of(first, "from") if first else None
    hi = period_of(last, "to") if last else None
    if lo and hi and lo.kind != hi.kind:
        raise invalid("to", "Kỳ 'from' và 'to' phải cùng loại (tháng, tuần hoặc quý).")
    if lo and hi and lo > hi:
        raise invalid("to", "Kỳ 'to' phải từ kỳ 'from' trở về sau.")
    # Period codes sort within a kind; '0000' and '9999' bracket every year.
    return store.reports.for_unit(unit_id, lo.code if lo else "0000", hi.code if hi else "9999",
                                  limit=limit, cursor=cursor)


def review_report(store: Store, who: Principal, unit_id: str, period_code: str, action: ReviewAction, note: str,
                  if_match: str | None, now: datetime, mailer: Mailer) -> dict[str, Any]:
    """Accept (locks the report) or return it with a note (reopens it; the unit is emailed).

    A new ETag either way. The result carries `notified`: whether the return notice went out.
    """
    if action == ReviewAction.RETURN and not note:
        raise invalid("note", "Trả lại báo cáo phải kèm ghi chú nêu nội dung cần sửa.")
    report = get_report(store, unit_id, period_code)
    if if_match is not None and if_match != report["etag"]:
        raise PreconditionFailed("Báo cáo đã thay đổi sau lần đọc của bạn (nộp lại hoặc đã được duyệt); hãy xem lại.")
    review = {"action": action.value, "note": note, "by": who.actor, "by_name": who.name, "at": iso(now),
              "version": report["version"]}
    status = ReportStatus.ACCEPTED if action == ReviewAction.ACCEPT else ReportStatus.RETURNED
    reviewed = {**report, "status": status.value, "review": review}
    reviewed["etag"] = compute_etag(reviewed)
    store.explain(etag=PreconditionFailed(
        "Báo cáo vừa thay đổi (nộp lại hoặc được duyệt); hãy xem lại trước khi duyệt."))
    store.reports.update_state(unit_id, report["period"], report["etag"],
                               {"status": status.value, "review": review, "etag": reviewed["etag"]},
                               audit=audit.event(audit.report_entity(unit_id, report["period"]), action.value,
                                                 who, now, version=report["version"], note=note),
                               figures=(iso(now), report.get("values") or {}))  # the period's sums follow the status
    reviewed["notified"] = None
    if action == ReviewAction.RETURN:
        from chalicelib.reporting.return_notes import keep_return_note, send_return_note

        unit, period = get_unit(store, unit_id), period_of(period_code)
        kept = keep_return_note(store, unit, period, reviewed, now)  # stored with the review
        store.commit()  # the review (and its note) is stored before the unit is told of it
        # Tried at once with a bounded wait; a note whose email fails stays kept for the daily run.
        reviewed["notified"] = send_return_note(store, mailer, unit, period, reviewed, note, kept) if kept else False
    return reviewed


def report_audit(store: Store, unit_id: str, period_code: str, limit: int, cursor: str | None) -> Page:
    period = period_of(period_code)
    return store.audit.list(audit.report_entity(unit_id, period.code), limit=limit, cursor=cursor)
