"""Every status an aggregate can be in, as string enums (stored and sent as their values)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    UNIT = "unit"
    ADMIN = "admin"
    LEADER = "leader"


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ReviewAction(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"


class LockReason(StrEnum):
    DEADLINE_PASSED = "deadline_passed"
    ACCEPTED = "accepted"
    RETURNED_RESUBMITTED = "returned_resubmitted"


class ReminderKind(StrEnum):
    BEFORE = "before"
    OVERDUE = "overdue"


class SendState(StrEnum):
    """A reminder's or a document delivery's sending state."""
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class DocumentState(StrEnum):
    RENDERING = "rendering"
    STORED = "stored"
    ABANDONED = "abandoned"   # superseded by a newer version while still rendering: never stored, never numbered


class IdempotencyState(StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


class NominationKind(StrEnum):
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"


class NominationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HELD = "held"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    HOLD = "hold"

    @property
    def status(self) -> NominationStatus:
        return {Decision.APPROVE: NominationStatus.APPROVED, Decision.REJECT: NominationStatus.REJECTED,
                Decision.HOLD: NominationStatus.HELD}[self]
