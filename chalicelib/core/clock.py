"""Time comes from an injected clock: the system clock in production, a fixed one in tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until told to move."""

    def __init__(self, at: datetime | str) -> None:
        self.at = datetime.fromisoformat(at) if isinstance(at, str) else at

    def now(self) -> datetime:
        return self.at.astimezone(timezone.utc)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def iso(moment: datetime) -> str:
    """The stored form of an instant: UTC, milliseconds (sorts as text)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
