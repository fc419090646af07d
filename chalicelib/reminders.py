"""Reminders to units that have not reported: before the deadline and after it.

Run daily by a Chalice schedule and by `python -m chalicelib.cli remind`. Each
unit gets each kind of reminder once per period however often (or however
concurrently) the schedule fires: the send is preceded by a conditional claim
in the store, so a second run finds the claim and skips. The price is
at-most-once: a crash between the claim and the SMTP/SES call leaves that
reminder unsent (its record stays `sending`, visible to admins), which for a
reminder is the right side to err on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib import notifications
from chalicelib.auth import now_iso
from chalicelib.completeness import completeness_for
from chalicelib.deadlines import vn_time
from chalicelib.periods import VN_TZ, Period

log = logging.getLogger("thidua.reminders")

OVERDUE_WINDOW = timedelta(days=30)  # stop chasing a period a month after its deadline


@dataclass
class ReminderRun:
    sent: list[tuple[str, str, str]] = field(default_factory=list)      # (unit, period, kind)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)   # already claimed elsewhere
    failed: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: [list(t) for t in getattr(self, k)] for k in ("sent", "skipped", "failed")}


def reminder_kind(deadline: datetime, now: datetime, days_before: int) -> str | None:
    if deadline - timedelta(days=days_before) <= now <= deadline:
        return "before"
    if deadline < now <= deadline + OVERDUE_WINDOW:
        return "overdue"
    return None


def candidate_periods(now: datetime) -> list[Period]:
    """The monthly periods whose reminders can be due now: this month and the two before."""
    today = now.astimezone(VN_TZ).date()
    current = Period("month", today.year, today.month)
    return [current.previous().previous(), current.previous(), current]


def send_reminders(store: Any, mailer: Any, deadline_days: int, days_before: int, now: datetime,
                   periods: list[Period] | None = None) -> ReminderRun:
    run = ReminderRun()
    for period in periods or candidate_periods(now):
        completeness = completeness_for(store, period, deadline_days, now)
        kind = reminder_kind(completeness.deadline, now, days_before)
        if kind is None:
            continue
        units = {u["id"]: u for u in store.all_units()}
        for row in completeness.rows:
            unit = units[row.unit_id]
            if row.state != "missing" or not unit.get("emails"):
                continue
            key = (row.unit_id, period.code, kind)
            if not store.claim_reminder(row.unit_id, period.code, kind, now_iso()):
                run.skipped.append(key)
                continue
            subject = (f"Nhắc nộp báo cáo {period.label}" if kind == "before"
                       else f"Quá hạn nộp báo cáo {period.label}")
            try:
                notifications.send(mailer, unit["emails"], subject, "reminder", ("reminder", *key),
                                   unit=unit, period=period, kind=kind, deadline=vn_time(completeness.deadline))
            except Exception as exc:
                log.exception("reminder to %s failed", row.unit_id)
                store.mark_reminder(*key, state="failed", detail=str(exc)[:500])
                run.failed.append(key)
                continue
            store.mark_reminder(*key, state="sent")
            run.sent.append(key)
    return run


def run_from_environment(now: datetime) -> ReminderRun:
    """What the schedule and the CLI run: configuration, store and mailer from the environment."""
    import os

    from chalicelib.config import settings
    from chalicelib.delivery import mailer_from_env
    from chalicelib.store import store_for

    conf = settings()
    return send_reminders(store_for(conf), mailer_from_env(os.environ), conf.deadline_days,
                          conf.reminder_days, now)
