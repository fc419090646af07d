"""Typed domain errors. They carry Vietnamese details for the reader, never HTTP codes:
`chalicelib.http.problems` maps each kind to a status in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra  # more members of the problem body, e.g. a lock's `reason`


class NotFound(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(f"Không tìm thấy {what}.")


class Conflict(DomainError):
    """The request clashes with the current state (an existing id, a duplicate nomination)."""

    def __init__(self, detail: str, retry_after: int | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class PreconditionFailed(DomainError):
    """The ETag the client holds is not the current one: someone changed it since."""


class PreconditionRequired(DomainError):
    """A replace needs the ETag of the last read (If-Match)."""


class Locked(DomainError):
    """The thing may not change now (a closed period, an accepted report, a finalised list)."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason


class Invalid(DomainError):
    def __init__(self, errors: list[FieldError], detail: str = "Dữ liệu gửi lên không hợp lệ.") -> None:
        super().__init__(detail)
        self.errors = errors


class Unauthorized(DomainError):
    """No usable credentials."""


class Forbidden(DomainError):
    """Valid credentials, not allowed."""


class TooManyRequests(DomainError):
    """Too many failed attempts: refused until `retry_after` seconds have passed."""

    def __init__(self, detail: str, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, retry_after)


class Unavailable(DomainError):
    """A dependency did not answer in time; the client may retry after `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: int = 2) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def invalid(field: str, message: str, detail: str = "Dữ liệu gửi lên không hợp lệ.") -> Invalid:
    return Invalid([FieldError(field, message)], detail)
