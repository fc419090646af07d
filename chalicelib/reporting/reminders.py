"""Reminders to units that have not reported: before the deadline and after it.

Run daily by a Chalice schedule and by `python -m chalicelib.cli remind`. Each
unit gets each kind of reminder once per period however often (or however
concurrently) the schedule fires: the send is preceded by a conditional claim
in the store, so a second run finds the claim and skips. The price is
at-most-once: a crash between the claim and the SMTP/SES call leaves that
reminder unsent (its record stays `sending`, visible to admins), which for a
reminder is the right side to err on.

An admin may also remind one unit at once (`remind_now`, POST .../reminder): no claim, since a
person asked for this very send; it is recorded in the report's audit trail instead.

The same run sends the notes of returned reports whose email failed when the
review was made (`return_notes.py`): those must not be lost, so they are kept
until a mail server accepts them, each claimed before it is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.clock import iso
from chalicelib.core.errors import Conflict, Unavailable
from chalicelib.core.periods import VN_TZ, Period
from chalicelib.core.states import ReminderKind, ReportStatus, SendState
from chalicelib.reporting.completeness import completeness_for
from chalicelib.reporting.deadlines import deadline_for, vn_time
from chalicelib.reporting.return_notes import send_outstanding
from chalicelib.units.service import get_unit

log = logging.getLogger("thidua.reminders")

OVERDUE_WINDOW = timedelta(days=30)  # stop chasing a period a month after its deadline


@dataclass
class ReminderRun:
    sent: list[tuple[str, str, str]] = field(default_factory=list)      # (unit, period, kind)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)   # already claimed elsewhere
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    # return notes whose email failed at review time: (unit, period, reviewed at)
    notes_sent: list[tuple[str, str, str]] = field(default_factory=list)
    notes_failed: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: [list(t) for t in getattr(self, k)]
                for k in ("sent", "skipped", "failed", "notes_sent", "notes_failed")}


def reminder_kind(deadline: datetime, now: datetime, days_before: int) -> str | None:
    if deadline - timedelta(days=days_before) <= now <= deadline:
        return ReminderKind.BEFORE.value
    if deadline < now <= deadline + OVERDUE_WINDOW:
        return ReminderKind.OVERDUE.value
    return None


def candidate_periods(now: datetime) -> list[Period]:
    """The monthly periods whose reminders can be due now: this month and the two before."""
    today = now.astimezone(VN_TZ).date()
    current = Period("month", today.year, today.month)
    return [current.previous().previous(), current.previous(), current]


RETURNED = "returned"  # a manual reminder's kind for a returned report not yet corrected


def reminder_subject(kind: str, period: Period) -> str:
    if kind == RETURNED:
        return f"Nhắc gửi lại báo cáo {period.label} đã bị trả lại"
    return f"Nhắc nộp báo cáo {period.label}" if kind == ReminderKind.BEFORE else f"Quá hạn nộp báo cáo {period.label}"


def send_reminders(store: Any, mailer: Any, deadline_days: int, days_before: int, now: datetime,
                   periods: list[Period] | None = None) -> ReminderRun:
    from chalicelib.delivery import emails  # Jinja2 loads only when reminders run

    run = ReminderRun()
    for period in periods or candidate_periods(now):
        completeness = completeness_for(store, period, deadline_days, now)
        kind = reminder_kind(completeness.deadline, now, days_before)
        if kind is None:
            continue
        units = {u["id"]: u for u in store.units.all()}
        for row in completeness.rows:
            unit = units[row.unit_id]
            if row.state != "missing" or not unit.get("emails"):
                continue
            key = (row.unit_id, period.code, kind)
            if not store.reminders.claim(row.unit_id, period.code, kind, iso(now)):
                run.skipped.append(key)
                continue
            subject = reminder_subject(kind, period)
            try:
                emails.send(mailer, unit["emails"], subject, "reminder", ("reminder", *key),
                                   unit=unit, period=period, kind=kind, deadline=vn_time(completeness.deadline))
            except Exception as exc:
                log.exception("reminder to %s failed", row.unit_id)
                store.reminders.mark(*key, state=SendState.FAILED.value, detail=str(exc)[:500])
                run.failed.append(key)
                continue
            store.reminders.mark(*key, state=SendState.SENT.value)
            run.sent.append(key)
    notes = send_outstanding(store, mailer, now)
    run.notes_sent, run.notes_failed = notes.sent, notes.failed
    return run


def remind_now(store: Any, mailer: Any, who: Principal, unit_id: str, period: Period, deadline_days: int,
               now: datetime) -> dict[str, Any]:
    """Email the unit's contacts the reminder at once (an admin's "Nhắc nộp ngay"), and audit it.

    Refused (Conflict) when there is nothing to remind of: the report is submitted or accepted,
    the unit does not report (the ministry), or it has no contact address. The email goes first:
    the audit event then records a reminder that a mail server accepted."""
    from chalicelib.delivery import emails  # Jinja2 loads only when a reminder is sent

    unit = get_unit(store, unit_id)
    report = store.reports.get(unit_id, period.code)
    status = (report or {}).get("status")
    if unit.get("kind") == "ministry":
        raise Conflict(f"{unit['name']} là cấp tổng hợp, không nộp báo cáo nên không cần nhắc.")
    if status == ReportStatus.ACCEPTED:
        raise Conflict(f"Báo cáo {period.label} của {unit['name']} đã được duyệt; không cần nhắc nộp.")
    if status == ReportStatus.SUBMITTED:
        raise Conflict(f"{unit['name']} đã nộp báo cáo {period.label}; không cần nhắc nộp.")
    if not unit.get("emails"):
        raise Conflict(f"{unit['name']} chưa có thư điện tử liên hệ nên không gửi được lời nhắc; "
                       "hãy thêm thư điện tử của đơn vị trước.")
    deadline = deadline_for(store, period, deadline_days)
    kind = RETURNED if status == ReportStatus.RETURNED else (
        ReminderKind.BEFORE.value if now <= deadline else ReminderKind.OVERDUE.value)
    try:
        emails.send(mailer, unit["emails"], reminder_subject(kind, period), "reminder",
                    ("reminder", unit_id, period.code, "now", iso(now)),
                    unit=unit, period=period, kind=kind, deadline=vn_time(deadline))
    except Exception as exc:  # noqa: BLE001 - any mailer, any failure: the admin is told and may retry
        log.warning("reminding %s of %s failed: %s", unit_id, period.code, exc)
        raise Unavailable("Máy chủ thư chưa nhận lời nhắc; hãy thử lại sau ít phút.", retry_after=60) from None
    store.audit.append(audit.event(audit.report_entity(unit_id, period.code), "reminder_sent", who, now,
                                   kind=kind, to=list(unit["emails"])))
    return {"unit_id": unit_id, "period": period.code, "kind": kind, "sent_to": list(unit["emails"]),
            "sent_at": iso(now)}


def run_from_environment(now: datetime) -> ReminderRun:
    """What the schedule and the CLI run: configuration, store and mailer from the environment."""
    from chalicelib.core.settings import settings
    from chalicelib.delivery import mailer_for
    from chalicelib.store import store_for

    conf = settings()
    return send_reminders(store_for(conf), mailer_for(conf), conf.deadline_days, conf.reminder_days, now)
