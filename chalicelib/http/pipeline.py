"""What every request goes through, the same for all routes, in this order: the size cap
(413), authentication (401), the declared access rule on the principal and the path (403),
the body (400, 415, 422), idempotent replay, the view, one commit of what the view staged
(with the idempotent answer), and the shaping of the reply or of a domain error into
problem+json.

Chalice turns any exception raised inside a view into a bare 500 before middleware sees
it, so each view is wrapped here instead.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

from chalice import Blueprint, Response

from chalicelib.core.errors import DomainError, invalid
from chalicelib.core.settings import settings
from chalicelib.core.states import Role
from chalicelib.http import problems
from chalicelib.http.body import MAX_BODY_BYTES, parse_body
from chalicelib.http.context import JSON, Context, Reply, etag_header
from chalicelib.http.declaration import RESOURCE_OWNERS, Operation
from chalicelib.http.problems import HttpProblem
from chalicelib.store import BadCursor, StoreUnavailable

log = logging.getLogger("thidua.http")


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


def _within(ctx: Context) -> Callable[[str, str], bool]:
    def within(unit_id: str, ancestor_id: str) -> bool:
        from chalicelib.units.service import within as in_tree

        # the unit's stored ancestor path: no read when the route's preload read the unit already
        read = getattr(ctx.preloaded, "units", None)
        known = read.get(unit_id) if isinstance(read, dict) else getattr(ctx.preloaded, "unit", None)
        return in_tree(ctx.store, unit_id, ancestor_id, known if isinstance(known, dict) else None)
    return within


def handle(blueprint: Blueprint, op: Operation, view: Callable[..., Reply | Response], params: dict[str, str]) -> Response:
    request = blueprint.current_request
    conf = settings()
    try:
        ctx = Context(request, conf, op, params)
        cap = op.max_body or MAX_BODY_BYTES
        if len(ctx.raw_body()) > cap:
            raise HttpProblem(413, "Content Too Large", f"Nội dung yêu cầu vượt quá {cap // 1024} KB.")
        if not op.access.public:
            from chalicelib.accounts.sessions import UNREAD, authenticate
            from chalicelib.core.bearer import bearer_of

            header = request.headers.get("authorization")
            bearer = bearer_of(header) if op.preload is not None else None
            if bearer is not None:
                ctx.preloaded = op.preload(ctx, bearer)  # nothing read is used unless authentication passes
            found = ctx.preloaded.credentials if ctx.preloaded is not None else UNREAD
            ctx.principal, ctx.account = authenticate(ctx.store, header, ctx.now(), found)
        owner = None
        if op.access.resource and ctx.principal is not None and ctx.principal.role == Role.UNIT:
            # what the route's preload read may name the owner already (a nomination's pointer)
            owner = getattr(ctx.preloaded, "owner", None) or RESOURCE_OWNERS[op.access.resource](ctx.store, params)
        op.access.check(ctx.principal, params, _within(ctx), owner)
        if op.consumes is not None:
            media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if media != op.consumes:
                raise HttpProblem(415, "Unsupported Media Type",
                                  f"Nội dung phải có Content-Type: {op.consumes}.")
        model = op.body_model()
        if model is not None:
            ctx.body = parse_body(ctx, model)
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
        work = ctx.staged
        if work is not None:
            if ctx.answer is not None and 200 <= response.status_code < 300 and work.writes.pending:
                work.idempotency.answer(ctx.answer.receipt(response))
            work.commit()
        return response
    except DomainError as error:
        return problems.from_domain(error)
    except HttpProblem as problem:
        return problems.from_http(problem)
