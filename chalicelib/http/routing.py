"""Route declarations: the one place where HTTP meets the domain.

Each feature has a `Feature` (a Chalice Blueprint plus its declared operations).
A declaration names the request model, the response model, the access rule,
whether the route is idempotent or conditional, and the statuses it can answer;
the OpenAPI document (`chalicelib.http.openapi`) is generated from the same
declarations, so the document cannot drift from what is served.

Order of work for every request, the same for all routes: size cap (413),
authentication (401), the declared access rule on the principal and the path
(403), the body (400, 415, 422), idempotent replay, the view, and the shaping of
the reply or of a domain error into problem+json.

Chalice turns any exception raised inside a view into a bare 500 before
middleware sees it, so each view is wrapped here instead.
"""

from __future__ import annotations

import importlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from chalice import Blueprint, Response

from chalicelib.core.access import ALL_ROLES, Principal, Rule
from chalicelib.bootstrap import services
from chalicelib.core.errors import DomainError, FieldError, invalid
from chalicelib.core.settings import Settings, settings
from chalicelib.core.states import Role
from chalicelib.core.text import nfc_deep
from chalicelib.http import problems
from chalicelib.http.problems import HttpProblem
from chalicelib.store import BadCursor, Store, StoreUnavailable

if TYPE_CHECKING:
    from pydantic import BaseModel  # loaded with the first body to validate, never at import

log = logging.getLogger("thidua.http")
M = TypeVar("M", bound="BaseModel")

JSON = "application/json; charset=utf-8"
MAX_BODY_BYTES = 256 * 1024
MAX_NESTING = 32  # our deepest body (a report's values) is 2 levels
REQUEST_TYPES = ["application/json", "application/merge-patch+json"]


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    example: Any = None


CURSOR = QueryParam("cursor", "Con trỏ trang kế tiếp (giá trị `next` của trang trước).")
LIMIT = QueryParam("limit", "Số mục mỗi trang (1-100).", {"type": "integer", "minimum": 1, "maximum": 100})
PAGED = (CURSOR, LIMIT)


@dataclass(frozen=True)
class Lazy:
    """A model named by its module and name, imported when first needed (a body to validate, the
    OpenAPI document): importing the app, on every cold start, imports neither pydantic nor a model.
    `name` may also name a function that builds the model (the report body comes from the catalog)."""
    module: str
    name: str

    def resolve(self) -> type[BaseModel]:
        found = getattr(importlib.import_module(self.module), self.name)
        return found if isinstance(found, type) else found()


class LazyModels:
    """`models = LazyModels("chalicelib.reporting.models")`, then `response=models.Report` in a declaration."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Lazy:
        return Lazy(self._module, name)


ModelRef = Lazy | type  # a Lazy, or a model class itself (tests declare routes with classes)


def _resolve(ref: ModelRef | None) -> type[BaseModel] | None:
    return ref.resolve() if isinstance(ref, Lazy) else ref


@dataclass(frozen=True)
class Operation:
    """A declared route. Statuses beyond `status`/`also` and `errors` are derived (see `statuses`)."""

    method: str
    path: str
    operation_id: str
    summary: str
    access: Rule
    tag: str
    body: ModelRef | None = None
    body_optional: bool = False          # an empty body means the model's defaults
    response: ModelRef | None = None
    status: int = 200
    also: tuple[int, ...] = ()           # other success statuses (a PUT that creates or replaces)
    errors: tuple[int, ...] = ()         # what the domain may answer: 404, 409, 412, 423, 428, 406 ...
    idempotent: bool = False             # honours Idempotency-Key
    if_match: bool = False               # reads If-Match
    if_match_required: bool = False      # ... and refuses a change without it (428)
    etag: bool = False                   # the reply carries an ETag
    location: bool = False               # the reply carries a Location
    query: tuple[QueryParam, ...] = ()
    produces: str = "application/json"
    alternates: tuple[str, ...] = ()     # other media types of the success body, chosen by Accept
    # Reads made together with the caller's token, in one round trip: (ctx, token id) -> an object with
    # `.token` (the token record) that the view gets as ctx.preloaded; None when they cannot be made.
    preload: Callable[[Any, str], Any] | None = None
    # OpenAPI links from the success body to other operations: (operationId, {param: runtime expression})
    links: tuple[tuple[str, dict[str, str]], ...] = ()

    def body_model(self) -> type[BaseModel] | None:
        return _resolve(self.body)

    def response_model(self) -> type[BaseModel] | None:
        return _resolve(self.response)

    @property
    def success(self) -> tuple[int, ...]:
        return (self.status, *self.also)

    @property
    def failures(self) -> tuple[int, ...]:
        """Every 4xx/5xx this operation can answer, derived from its declaration."""
        out = set(self.errors)
        if not self.access.public:
            out.add(401)
            if self.access.roles != ALL_ROLES or self.access.unit_param or self.access.resource:
                out.add(403)
            if self.access.resource:
                out.add(404)
        if self.body is not None:
            out |= {400, 413, 415, 422}
        if self.query:
            out.add(422)
        if self.idempotent:
            out |= {409, 422}
        if self.if_match:
            out.add(412)
        if self.if_match_required:
            out.add(428)
        if not self.access.public:
            out.add(503)  # the token lookup needs the store
        return tuple(sorted(out))

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


@dataclass
class Reply:
    """What a view returns: a JSON body (dict or model) or bytes, and the headers the declaration promises."""

    body: Any
    status: int | None = None
    etag: str | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON




@dataclass
class Context:
    """What a view knows about the request it serves."""

    request: Any
    settings: Settings
    operation: Operation
    params: dict[str, str]
    principal: Principal | None = None
    body: Any = None
    answer: Any = None  # idempotency.PendingAnswer while an Idempotency-Key is claimed
    preloaded: Any = None  # what the operation's `preload` read with the token
    _store: Store | None = None

    @property
    def store(self) -> Store:
        """The request's unit of work over the store, made on first use (/v1/health never builds a
        database client): what the view stages is committed once, after it, with the answer."""
        if self._store is None:
            self._store = services.store(self.settings).unit_of_work()
        return self._store

    @property
    def who(self) -> Principal:
        assert self.principal is not None, "public route"
        return self.principal

    def now(self) -> datetime:
        return services.clock.now()

    def mailer(self) -> Any:
        return services.mailer(self.settings)

    def artifacts(self) -> Any:
        return services.artifacts(self.settings)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def query(self, name: str) -> str | None:
        return (self.request.query_params or {}).get(name)

    @property
    def limit(self) -> int:
        raw = self.query("limit")
        if raw is None:
            return 50
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100:
            raise invalid("limit", "Phải là số nguyên từ 1 đến 100.")
        return int(raw)

    @property
    def cursor(self) -> str | None:
        return self.query("cursor")

    @property
    def if_match(self) -> str | None:
        """The opaque ETag inside If-Match (quotes optional)."""
        value = self.header("if-match")
        if value is None:
            return None
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return value

    @property
    def actual_path(self) -> str:
        return self.operation.path.format_map(self.params)

    def accepts(self, media_type: str) -> bool:
        return media_type in (self.header("accept") or "")

    def raw_body(self) -> bytes:
        raw = self.request.raw_body or b""
        return raw.encode() if isinstance(raw, str) else raw


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """The body of every list response (contract: `{"items": [...], "next": cursor | null}`)."""
    return {"items": items, "next": next_cursor}


def etag_header(etag: str) -> str:
    return f'"{etag}"'


def _parse_body(ctx: Context, model: type[BaseModel]) -> BaseModel:
    raw = ctx.raw_body()
    if not raw and ctx.operation.body_optional:  # no body at all: the defaults; "  \n" is not JSON
        return model()
    if not raw.strip():
        raise HttpProblem(400, "Bad Request", "Thiếu nội dung yêu cầu (JSON).", [FieldError("body", "Thiếu nội dung JSON.")])
    if _nesting(raw) > MAX_NESTING:
        raise HttpProblem(422, "Unprocessable Content", f"JSON lồng nhau quá {MAX_NESTING} cấp.",
                          [FieldError("body", f"JSON lồng nhau quá {MAX_NESTING} cấp.")])
    try:
        data = nfc_deep(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HttpProblem(400, "Bad Request", "Nội dung yêu cầu không phải JSON hợp lệ.",
                          [FieldError("body", f"JSON không hợp lệ: {exc}")]) from None
    from pydantic import ValidationError  # only requests with a body pay for pydantic

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise problems.from_validation(exc) from None


def _nesting(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text (brackets inside strings do not count).

    Checked before parsing: Python's parser and our NFC walk recurse, and a body of a few
    thousand '[' would otherwise end in a RecursionError (a 500) instead of a 422.
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _shape(ctx: Context, reply: Reply | Response) -> Response:
    if isinstance(reply, Response):
        return reply
    op = ctx.operation
    headers = {"Content-Type": reply.content_type, **reply.headers}
    if reply.etag is not None:
        headers["ETag"] = etag_header(reply.etag)
    if reply.location is not None:
        headers["Location"] = reply.location
    body = reply.body
    if hasattr(body, "model_dump"):  # a pydantic model
        body = body.model_dump(mode="json")
    status = reply.status or op.status
    if ctx.settings.strict_responses:
        _check_reply(op, status, body, headers)
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body, ensure_ascii=False)
    return Response(body=body, status_code=status, headers=headers)


def _check_reply(op: Operation, status: int, body: Any, headers: dict[str, str]) -> None:
    """Outside production a reply that breaks its declaration fails loudly (the tests see a 500)."""
    assert status in op.success, f"{op.operation_id} answered {status}, declared {op.success}"
    assert ("ETag" in headers) == op.etag, f"{op.operation_id}: ETag header does not match its declaration"
    if op.location and status == op.status:
        assert "Location" in headers, f"{op.operation_id}: Location header missing"
    if op.response is not None and headers.get("Content-Type", JSON).startswith("application/json"):
        op.response_model().model_validate(body)


def _nomination_owner(store: Store, params: dict[str, str]) -> str:
    from chalicelib.core.errors import NotFound

    nomination = store.nominations.get(params["nomination_id"])
    if nomination is None:
        raise NotFound(f"đề nghị khen thưởng '{params['nomination_id']}'")
    return nomination["unit_id"]


# resource rule -> the unit owning what the path names (looked up before the body is read)
RESOURCE_OWNERS: dict[str, Callable[[Store, dict[str, str]], str]] = {"nomination": _nomination_owner}


def _within(ctx: Context) -> Callable[[str, str], bool]:
    def within(unit_id: str, ancestor_id: str) -> bool:
        from chalicelib.units.service import ancestors

        return ancestor_id in ancestors(ctx.store, unit_id)  # the store is built only if a rule asks
    return within


def handle(blueprint: Blueprint, op: Operation, view: Callable[..., Reply | Response], params: dict[str, str]) -> Response:
    request = blueprint.current_request
    conf = settings()
    try:
        ctx = Context(request, conf, op, params)
        if len(ctx.raw_body()) > MAX_BODY_BYTES:
            raise HttpProblem(413, "Content Too Large", f"Nội dung yêu cầu vượt quá {MAX_BODY_BYTES // 1024} KB.")
        if not op.access.public:
            from chalicelib.units.tokens import authenticate, token_id_of

            header = request.headers.get("authorization")
            token_id = token_id_of(header) if op.preload is not None else None
            if token_id is not None:
                ctx.preloaded = op.preload(ctx, token_id)  # nothing read is used unless authentication passes
            if ctx.preloaded is not None:
                ctx.principal = authenticate(ctx.store, header, ctx.now(), record=ctx.preloaded.token)
            else:
                ctx.principal = authenticate(ctx.store, header, ctx.now())
        owner = None
        if op.access.resource and ctx.principal is not None and ctx.principal.role == Role.UNIT:
            owner = RESOURCE_OWNERS[op.access.resource](ctx.store, params)
        op.access.check(ctx.principal, params, _within(ctx), owner)
        model = op.body_model()
        if model is not None:
            ctx.body = _parse_body(ctx, model)
        if op.idempotent and ctx.header("idempotency-key") is not None:
            from chalicelib.http.idempotency import run_once

            response = run_once(ctx, lambda: _run(ctx, view, params))
        else:
            response = _run(ctx, view, params)
    except DomainError as error:
        response = problems.from_domain(error)
    except HttpProblem as problem:
        response = problems.from_http(problem)
    except BadCursor as exc:
        response = problems.from_domain(invalid("cursor", str(exc)))
    except StoreUnavailable:
        log.exception("the store did not answer")
        response = problems.problem_response(503, "Service Unavailable", "Cơ sở dữ liệu tạm thời không phản hồi; "
                                             "vui lòng thử lại sau giây lát.", headers={"Retry-After": "2"})
    if conf.strict_responses and response.status_code >= 400:
        assert response.status_code in op.failures, (
            f"{op.operation_id} answered {response.status_code}, documented {op.failures}")
    return response


def _run(ctx: Context, view: Callable[..., Reply | Response], params: dict[str, str]) -> Response:
    """The view, then one commit of what it staged, with the idempotent answer when a key is claimed."""
    try:
        response = _shape(ctx, view(ctx, **params))
        work = ctx._store
        if work is not None:
            if ctx.answer is not None and 200 <= response.status_code < 300 and work.writes.pending:
                work.idempotency.answer(ctx.answer.receipt(response))
            work.commit()
        return response
    except DomainError as error:
        return problems.from_domain(error)
    except HttpProblem as problem:
        return problems.from_http(problem)


class Feature:
    """A feature's routes: a Chalice Blueprint plus the declarations the OpenAPI document is made from."""

    def __init__(self, import_name: str, tag: str, description: str = "") -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag
        self.description = description
        self.operations: list[Operation] = []

    def route(self, method: str, path: str, *, summary: str, access: Rule, operation_id: str | None = None,
              **declaration: Any) -> Callable[[Callable[..., Reply | Response]], Callable[..., Reply | Response]]:
        def decorate(view: Callable[..., Reply | Response]) -> Callable[..., Reply | Response]:
            op = Operation(method=method, path=path, operation_id=operation_id or _camel(view.__name__),
                           summary=summary, access=access, tag=self.tag, **declaration)
            self.operations.append(op)

            def handler(**params: str) -> Response:
                return handle(self.blueprint, op, view, params)

            handler.__name__ = view.__name__
            handler.__doc__ = view.__doc__
            self.blueprint.route(path, methods=[method], content_types=REQUEST_TYPES)(handler)
            view.operation = op  # type: ignore[attr-defined]
            return view

        return decorate


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(p.capitalize() for p in rest)
