"""The note of a returned report, emailed to the unit: tried at once, never lost, sent once.

The note is recorded as outstanding in the review's own transaction (`keep_return_note`, staged in
the request's unit of work; `chalicelib/store/return_notes.py`), so a review is never stored without
its note. Its email is tried once the review is committed, and the record is removed once a mail
server accepted the message. A server that refuses or hangs costs the review at
most the SMTP budget (THIDUA_SMTP_TIMEOUT, see `delivery/mail.py`), and the note stays recorded:
the daily reminders run (`reminders.send_reminders`, `python -m chalicelib.cli remind`) sends every
outstanding note, claiming each one first, so a note reaches the unit once however often or however
concurrently the schedule fires.

A note left "sending" (its process died mid-send) is taken over after STALE_SEND. The edge: a crash
after the server accepted the message but before the record is removed sends it again then; the
Message-ID is the same, so mail systems and readers can tell.

A note whose report has since been resubmitted, accepted or returned again is dropped, not sent:
the unit has moved on, or a newer note replaces it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.clock import iso
from chalicelib.core.periods import Period, period_of
from chalicelib.core.states import ReportStatus, SendState
from chalicelib.store.return_notes import ReturnNotes

log = logging.getLogger("thidua.return_notes")

STALE_SEND = timedelta(minutes=10)


@dataclass
class NotesRun:
    sent: list[tuple[str, str, str]] = field(default_factory=list)      # (unit, period, reviewed at)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)   # being sent by another run
    failed: list[tuple[str, str, str]] = field(default_factory=list)    # kept for the next run


def _send(mailer: Any, unit: dict[str, Any], period: Period, report: dict[str, Any], note: str) -> None:
    from chalicelib.delivery import emails  # Jinja2 loads only when a note is sent

    emails.send(mailer, unit["emails"], f"Báo cáo {period.label} được trả lại để chỉnh sửa",
                "report_returned", ("return", unit["id"], period.code, str(report["version"]),
                                    report["review"]["at"]),
                unit=unit, period=period, report=report, note=note)


def keep_return_note(store: Any, unit: dict[str, Any], period: Period, report: dict[str, Any],
                     now: datetime) -> dict[str, Any] | None:
    """Stage the outstanding note in the review's own unit of work, so the review and its note are
    stored together or not at all; None when the unit has no address (nothing to send)."""
    if not unit.get("emails"):
        return None
    record = {"unit_id": unit["id"], "period": period.code, "reviewed_at": report["review"]["at"],
              "version": report["version"], "state": SendState.SENDING.value, "claim": secrets.token_hex(8),
              "claimed_at": iso(now), "attempts": 1}
    ReturnNotes(store.table, store.writes).keep(record)
    return record


def send_return_note(store: Any, mailer: Any, unit: dict[str, Any], period: Period, report: dict[str, Any],
                     note: str, record: dict[str, Any]) -> bool:
    """Email the note of the review just stored with its `record`; True when a mail server accepted it.

    Never raises: the review is already stored. False when the email failed (the note stays kept for
    the daily run).
    """
    notes = ReturnNotes(store.table)
    try:
        _send(mailer, unit, period, report, note)
    except Exception as exc:  # noqa: BLE001 - any mailer, any failure: the note waits for the daily run
        log.warning("emailing the return note to %s %s failed (kept for the daily run): %s",
                    unit["id"], period.code, exc)
        _quietly(notes.failed, record, record["claim"], str(exc)[:500])
        return False
    _quietly(notes.done, record, record["claim"])
    return True


def send_outstanding(store: Any, mailer: Any, now: datetime) -> NotesRun:
    """What the daily run does for notes: send each one still outstanding, once."""
    notes = ReturnNotes(store.table)
    run = NotesRun()
    for record in notes.outstanding():
        key = (record["unit_id"], record["period"], record["reviewed_at"])
        if (record.get("state") == SendState.SENDING
                and now - datetime.fromisoformat(record["claimed_at"]) < STALE_SEND):
            run.skipped.append(key)
            continue
        mine = secrets.token_hex(8)
        if not notes.take(record, mine, iso(now)):
            run.skipped.append(key)
            continue
        report = store.reports.get(record["unit_id"], record["period"])
        review = (report or {}).get("review") or {}
        unit = store.units.get(record["unit_id"])
        if (report is None or report.get("status") != ReportStatus.RETURNED or review.get("at") != record["reviewed_at"]
                or not unit or not unit.get("emails")):
            log.info("return note %s no longer applies: dropped", key)
            notes.done(record, mine)
            continue
        try:
            _send(mailer, unit, period_of(record["period"]), report, review.get("note", ""))
        except Exception as exc:  # noqa: BLE001 - kept for the next run
            log.warning("emailing the return note %s failed again: %s", key, exc)
            notes.failed(record, mine, str(exc)[:500])
            run.failed.append(key)
            continue
        notes.done(record, mine)
        run.sent.append(key)
    return run


def _quietly(write: Any, *args: Any) -> None:
    try:
        write(*args)
    except Exception:  # noqa: BLE001 - a lost "done" means one duplicate later, a lost "failed" a retry after STALE_SEND
        log.exception("could not update a return note record")
