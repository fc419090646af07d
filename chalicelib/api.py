"""HTTP plumbing shared by every route: authentication, body parsing, problem+json.

Chalice turns any exception raised inside a view into a bare 500 before
middleware sees it, so each view is wrapped here instead: the wrapper
authenticates the bearer token (our authorizer, run in-process so that 401 and
403 carry problem+json bodies and a revoked token stops working at once),
parses and validates the body, replays `Idempotency-Key` retries, and shapes
errors. Views stay one-liners that call the domain.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar

from chalice import Chalice, Response
from pydantic import BaseModel, ValidationError

from chalicelib.auth import Principal, authenticate
from chalicelib.config import Settings, settings
from chalicelib.models import MAX_BODY_BYTES
from chalicelib.problems import FieldError, Problem, invalid
from chalicelib.store import BadCursor, Store, store_for

log = logging.getLogger("thidua.api")
M = TypeVar("M", bound=BaseModel)

PROBLEM_JSON = "application/problem+json"
JSON = "application/json; charset=utf-8"
IDEMPOTENCY_TTL = 24 * 3600

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


def _message(err: Mapping[str, Any]) -> str:
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
    if kind == "too_long":
        return f"Nhiều quá {ctx.get('max_length')} phần tử."
    return _MESSAGES.get(kind, err.get("msg", "Giá trị không hợp lệ."))


def validation_problem(exc: ValidationError, prefix: str = "") -> Problem:
    errors = [FieldError(prefix + ".".join(str(p) for p in e["loc"]) or "body", _message(e))
              for e in exc.errors()]
    return invalid(errors)


def nfc(value: Any) -> Any:
    """Normalise every string in a parsed JSON document to Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": JSON, **(headers or {})})


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """The body of every list response (contract: `{"items": [...], "next": cursor | null}`)."""
    return {"items": items, "next": next_cursor}


def problem_response(problem: Problem) -> Response:
    return Response(body=json.dumps(problem.body(), ensure_ascii=False), status_code=problem.status,
                    headers={"Content-Type": PROBLEM_JSON, **problem.headers})


def etag_header(etag: str) -> str:
    return f'"{etag}"'


def parse_etag(value: str | None) -> str | None:
    """The opaque ETag value inside an If-Match header (quotes optional)."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        value = value[1:-1]
    return value


@dataclass
class Context:
    """What a view needs to know about the request it is serving."""

    request: Any
    settings: Settings
    store: Store
    principal: Principal | None = None
    _raw: bytes | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def query(self, name: str, default: str | None = None) -> str | None:
        return (self.request.query_params or {}).get(name, default)

    def limit(self, default: int = 50) -> int:
        raw = self.query("limit")
        if raw is None:
            return default
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            raise invalid([FieldError("limit", "Phải là số nguyên từ 1 đến 100.")])
        return int(raw)

    def raw_body(self) -> bytes:
        if self._raw is None:
            self._raw = self.request.raw_body or b""
        return self._raw

    def json(self) -> Any:
        raw = self.raw_body()
        if not raw.strip():
            raise Problem(400, "Bad Request", "Thiếu nội dung yêu cầu (JSON).",
                          [FieldError("body", "Thiếu nội dung JSON.")])
        try:
            return nfc(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            raise Problem(400, "Bad Request", "Nội dung yêu cầu không phải JSON hợp lệ.",
                          [FieldError("body", f"JSON không hợp lệ: {exc}")]) from None

    def body(self, model: type[M]) -> M:
        data = self.json()
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise validation_problem(exc) from None

    def mailer(self) -> Any:
        from chalicelib.delivery import mailer_from_env

        return mailer_from_env(os.environ)

    @property
    def who(self) -> Principal:
        assert self.principal is not None, "route declared auth=False"
        return self.principal


def _fingerprint(request: Any, raw: bytes) -> str:
    try:  # the same JSON with keys in another order is the same request
        canonical = json.dumps(nfc(json.loads(raw)), sort_keys=True, ensure_ascii=False).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(b"|".join([request.method.encode(), request.path.encode(), canonical])).hexdigest()


def _replay(record: dict[str, Any]) -> Response:
    stored = json.loads(record["response"])
    return Response(body=stored["body"], status_code=stored["status"],
                    headers={**stored["headers"], "Idempotent-Replayed": "true"})


def _with_idempotency(ctx: Context, run: Callable[[], Response]) -> Response:
    key = ctx.header("idempotency-key")
    if key is None:
        return run()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise invalid([FieldError("Idempotency-Key", "Phải dài từ 1 đến 255 ký tự in được.")])
    scope = ctx.who.scope
    fingerprint = _fingerprint(ctx.request, ctx.raw_body())
    existing = ctx.store.claim_idempotency_key(scope, key, fingerprint, IDEMPOTENCY_TTL)
    if existing is not None:
        if existing.get("fingerprint") != fingerprint:
            raise Problem(422, "Unprocessable Content",
                          "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.",
                          [FieldError("Idempotency-Key", "Khóa đã dùng với nội dung khác.")])
        if existing.get("state") != "done":
            raise Problem(409, "Conflict", "Yêu cầu cùng Idempotency-Key đang được xử lý; hãy thử lại sau.",
                          headers={"Retry-After": "1"})
        return _replay(existing)
    try:
        response = run()
    except Problem as problem:
        response = problem_response(problem)
    except Exception:
        ctx.store.release_idempotency_key(scope, key)  # a crash must not pin the key
        raise
    if response.status_code >= 500:
        ctx.store.release_idempotency_key(scope, key)
    else:
        body = response.body if isinstance(response.body, str) else json.dumps(response.body)
        ctx.store.complete_idempotency_key(scope, key, {
            "status": response.status_code, "body": body,
            "headers": {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "etag", "location")},
        })
    return response


def route(app: Chalice, path: str, methods: list[str] | None = None, *, auth: bool = True,
          idempotent: bool = False) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register `view(ctx, **path_params)` as a Chalice route with our plumbing around it."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**params: str) -> Response:
            request = app.current_request
            try:
                conf = settings()
                ctx = Context(request, conf, store_for(conf))
                if len(ctx.raw_body()) > MAX_BODY_BYTES:
                    raise Problem(413, "Content Too Large",
                                  f"Nội dung yêu cầu vượt quá {MAX_BODY_BYTES // 1024} KB.")
                if auth:
                    ctx.principal = authenticate(ctx.store, request.headers.get("authorization"))
                if idempotent:
                    return _with_idempotency(ctx, lambda: view(ctx, **params))
                return view(ctx, **params)
            except Problem as problem:
                return problem_response(problem)
            except BadCursor as exc:
                return problem_response(invalid([FieldError("cursor", str(exc))]))

        app.route(path, methods=methods or ["GET"],
                  content_types=["application/json", "application/merge-patch+json"])(wrapper)
        return wrapper

    return decorate


def install_error_shaping(app: Chalice) -> None:
    """Give Chalice's own errors (405, 415, 500) the same problem+json shape."""

    @app.middleware("http")
    def problem_json(event: Any, get_response: Callable[[Any], Response]) -> Response:
        response = get_response(event)
        body = response.body
        if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
            status = response.status_code
            detail = "Lỗi hệ thống, vui lòng thử lại sau." if status >= 500 else str(body.get("Message", ""))
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
            return problem_response(Problem(status, str(body["Code"]), detail, headers=headers))
        return response
