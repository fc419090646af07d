"""Errors the API reports as `application/problem+json` (RFC 9457).

Domain code raises these; the route wrapper in `chalicelib.api` turns them into
responses. They carry no HTTP framework types so the domain stays plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class Problem(Exception):
    status: int
    title: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "about:blank", "status": self.status,
                                "title": self.title, "detail": self.detail}
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        body.update(self.extra)
        return body


def invalid(errors: list[FieldError], detail: str = "Dữ liệu gửi lên không hợp lệ.") -> Problem:
    return Problem(422, "Unprocessable Content", detail, errors)


def not_found(what: str) -> Problem:
    return Problem(404, "Not Found", f"Không tìm thấy {what}.")


def conflict(detail: str) -> Problem:
    return Problem(409, "Conflict", detail)


def forbidden(detail: str = "Bạn không có quyền thực hiện thao tác này.") -> Problem:
    return Problem(403, "Forbidden", detail)


def unauthorized(detail: str = "Thiếu hoặc sai mã truy cập (Bearer token).") -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="thidua"'})
