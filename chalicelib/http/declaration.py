"""Route declarations: what each route is, stated once.

Each feature has a `Feature` (a Chalice Blueprint plus its declared operations). A
declaration names the request model, the response model, the access rule, whether the
route is idempotent or conditional, and the statuses it can answer; the OpenAPI document
(`chalicelib.http.openapi`) is generated from the same declarations, so the document
cannot drift from what is served. What every request then goes through is
`chalicelib.http.pipeline`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from chalice import Blueprint, Response

from chalicelib.core.access import Rule

if TYPE_CHECKING:
    from pydantic import BaseModel  # loaded with the first body to validate, never at import

    from chalicelib.http.context import Reply
    from chalicelib.store import Store

REQUEST_TYPES = ["application/json", "application/merge-patch+json"]
# resource rule -> the unit owning what the path names, looked up before the body is read
# (registered by the feature that owns the resource: `Feature.owner`)
RESOURCE_OWNERS: dict[str, Callable[[Store, dict[str, str]], str]] = {}
# The app's features, in the order the OpenAPI document lists them: published by
# `chalicelib.http.features`, read by the OpenAPI document (which so never imports the features).
PUBLISHED: list["Feature"] = []


def publish(features: tuple["Feature", ...]) -> None:
    PUBLISHED[:] = features


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


class LazyModule:
    """`service = LazyModule("chalicelib.awards.nominations")`, then `service.create(...)` in a handler: the
    module is imported by the first handler that uses it. A cold start serves one request of one feature,
    so it imports that feature's domain only, not every feature's (and their catalogs, email parser...)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)  # sys.modules: a dict lookup once loaded


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
    # A body that is not JSON (an uploaded workbook): its media type. The view reads the bytes
    # (`ctx.raw_body()`); the pipeline refuses other media types with 415 after authorization.
    consumes: str | None = None
    max_body: int | None = None          # the body's size cap when not the JSON bodies' (413)
    alternates: tuple[str, ...] = ()     # other media types of the success body, chosen by Accept
    # Reads made together with the caller's credentials, in one round trip: (ctx, core.bearer.Bearer) -> an
    # object with `.credentials` (what `store.repositories.credential_keys` names, read) that the view gets
    # as ctx.preloaded; None when they cannot be made.
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
            if self.access.may_refuse:  # incl. an enrolment-only session on any other route
                out.add(403)
            if self.access.resource:
                out.add(404)
        if self.body is not None or self.consumes is not None:
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


class Feature:
    """A feature's routes: a Chalice Blueprint plus the declarations the OpenAPI document is made from."""

    def __init__(self, import_name: str, tag: str, description: str = "") -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag
        self.description = description
        self.operations: list[Operation] = []

    def owner(self, resource: str) -> Callable[[Callable[[Store, dict[str, str]], str]], Callable[..., str]]:
        """Declare how to find the unit that owns a resource named in a path (for the `resource` access rules)."""
        def register(find: Callable[[Store, dict[str, str]], str]) -> Callable[[Store, dict[str, str]], str]:
            RESOURCE_OWNERS[resource] = find
            return find
        return register

    def route(self, method: str, path: str, *, summary: str, access: Rule, operation_id: str | None = None,
              **declaration: Any) -> Callable[[Callable[..., Reply | Response]], Callable[..., Reply | Response]]:
        def decorate(view: Callable[..., Reply | Response]) -> Callable[..., Reply | Response]:
            op = Operation(method=method, path=path, operation_id=operation_id or _camel(view.__name__),
                           summary=summary, access=access, tag=self.tag, **declaration)
            self.operations.append(op)

            def handler(**params: str) -> Response:
                from chalicelib.http.pipeline import handle  # imported once, with the first request

                return handle(self.blueprint, op, view, params)

            handler.__name__ = view.__name__
            handler.__doc__ = view.__doc__
            # A non-JSON body's media type is checked by the pipeline, after authorization; Chalice's own
            # check would answer 415 to a caller it has not yet authenticated.
            accepted = [*REQUEST_TYPES, *([op.consumes] if op.consumes else [])]
            self.blueprint.route(path, methods=[method], content_types=accepted)(handler)
            view.operation = op  # type: ignore[attr-defined]
            return view

        return decorate


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(p.capitalize() for p in rest)
