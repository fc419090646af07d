"""Domain errors to `application/problem+json` (RFC 9457), in one place."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.core import errors
from chalicelib.core.errors import DomainError, FieldError

PROBLEM_JSON = "application/problem+json"

# kind -> (status, title); the first matching base class wins.
STATUS: list[tuple[type[DomainError], int, str]] = [
    (errors.Unauthorized, 401, "Unauthorized"),
    (errors.Forbidden, 403, "Forbidden"),
    (errors.NotFound, 404, "Not Found"),
    (errors.Conflict, 409, "Conflict"),
    (errors.PreconditionFailed, 412, "Precondition Failed"),
    (errors.Invalid, 422, "Unprocessable Content"),
    (errors.Locked, 423, "Locked"),
    (errors.PreconditionRequired, 428, "Precondition Required"),
    (errors.TooManyRequests, 429, "Too Many Requests"),
    (errors.Unavailable, 503, "Service Unavailable"),
]

if TYPE_CHECKING:
    from pydantic import ValidationError


class HttpProblem(Exception):
    """A problem only the HTTP layer can have (malformed JSON, too large, not acceptable)."""

    def __init__(self, status: int, title: str, detail: str, errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str, *, errors: list[FieldError] | None = None,
                     headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "status": status, "title": title, "detail": detail}
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    body.update(extra or {})
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": PROBLEM_JSON, **(headers or {})})


def status_of(error: DomainError) -> tuple[int, str]:
    for kind, status, title in STATUS:
        if isinstance(error, kind):
            return status, title
    return 500, "Internal Server Error"


def from_domain(error: DomainError) -> Response:
    status, title = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, errors.Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="thidua"'
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return problem_response(status, title, error.detail, errors=getattr(error, "errors", None), headers=headers,
                            extra=error.extra)


def from_http(problem: HttpProblem) -> Response:
    return problem_response(problem.status, problem.title, problem.detail, errors=problem.errors,
                            headers=problem.headers)


_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường này không được hỗ trợ.",
    "int_type": "Phải là số nguyên.",
    "int_parsing": "Phải là số nguyên.",
    "string_type": "Phải là chuỗi ký tự.",
    "list_type": "Phải là danh sách.",
    "dict_type": "Phải là đối tượng JSON.",
    "model_type": "Phải là đối tượng JSON.",
    "model_attributes_type": "Phải là đối tượng JSON.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
}


def _message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden" and err["loc"][:1] == ("values",):
        return "Mã chỉ tiêu không có trong danh mục (xem GET /v1/indicators)."
    if kind == "greater_than_equal":
        return f"Phải lớn hơn hoặc bằng {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Không được lớn hơn {ctx.get('le')}."
    if kind == "string_too_long":
        return f"Dài quá {ctx.get('max_length')} ký tự."
    if kind == "string_too_short":
        return "Không được để trống."
    if kind == "too_long" and ctx.get("field_type") == "Value":  # a capped text behind a validator (prose)
        return f"Dài quá {ctx.get('max_length')} ký tự."
    if kind == "too_long":
        return f"Nhiều quá {ctx.get('max_length')} phần tử."
    return _MESSAGES.get(kind, err.get("msg", "Giá trị không hợp lệ."))


def from_validation(exc: ValidationError) -> errors.Invalid:
    return errors.Invalid([FieldError(".".join(str(p) for p in e["loc"]) or "body", _message(e))
                           for e in exc.errors()])
