"""thidua HTTP API: thin handlers that parse, call one domain function, shape the response.

Nothing here (or anything it imports) may import WeasyPrint: every API Lambda
imports this module on a cold start.
"""

from __future__ import annotations

from chalice import Chalice, Response

from chalicelib import openapi, reports, tokens, units
from chalicelib.api import Context, etag_header, install_error_shaping, json_response, parse_etag, route
from chalicelib.auth import require_admin
from chalicelib.indicators import catalog
from chalicelib.models import TokenIn, UnitIn, UnitPatch, UnitTokenIn, report_in_model

app = Chalice(app_name="thidua")
install_error_shaping(app)


def page(items: list, next_cursor: str | None) -> dict:
    return {"items": items, "next": next_cursor}


# -- service ---------------------------------------------------------------------------

@route(app, "/v1/health", auth=False)
def health(ctx: Context) -> Response:
    return json_response({"status": "ok"})


@route(app, "/v1/openapi.json", auth=False)
def openapi_document(ctx: Context) -> Response:
    return json_response(openapi.document())


@route(app, "/v1/me")
def me(ctx: Context) -> Response:
    return json_response(ctx.who.as_dict())


@route(app, "/v1/indicators")
def indicators(ctx: Context) -> Response:
    return json_response(catalog().as_dict())


# -- units and tokens ------------------------------------------------------------------

@route(app, "/v1/units", methods=["POST"], idempotent=True)
def create_unit(ctx: Context) -> Response:
    require_admin(ctx.who)
    unit = units.create_unit(ctx.store, ctx.body(UnitIn))
    return json_response(unit, 201, {"Location": f"/v1/units/{unit['id']}"})


@route(app, "/v1/units")
def list_units(ctx: Context) -> Response:
    require_admin(ctx.who)
    result = ctx.store.list_units(limit=ctx.limit(100), cursor=ctx.query("cursor"))
    return json_response(page([units.public(u) for u in result.items], result.next))


@route(app, "/v1/units/{unit_id}")
def get_unit(ctx: Context, unit_id: str) -> Response:
    require_admin(ctx.who)
    return json_response(units.public(units.get_unit(ctx.store, unit_id)))


@route(app, "/v1/units/{unit_id}", methods=["PATCH"])
def patch_unit(ctx: Context, unit_id: str) -> Response:
    require_admin(ctx.who)
    return json_response(units.patch_unit(ctx.store, unit_id, ctx.body(UnitPatch)))


@route(app, "/v1/units/{unit_id}/tokens", methods=["POST"])
def create_unit_token(ctx: Context, unit_id: str) -> Response:
    require_admin(ctx.who)
    body = ctx.body(UnitTokenIn) if ctx.raw_body().strip() else UnitTokenIn()
    return json_response(tokens.issue_unit_token(ctx.store, ctx.who, unit_id, body), 201)


@route(app, "/v1/tokens", methods=["POST"])
def create_token(ctx: Context) -> Response:
    require_admin(ctx.who)
    return json_response(tokens.issue_staff_token(ctx.store, ctx.who, ctx.body(TokenIn)), 201)


@route(app, "/v1/tokens/{token_id}", methods=["DELETE"])
def revoke_token(ctx: Context, token_id: str) -> Response:
    require_admin(ctx.who)
    tokens.revoke(ctx.store, token_id)
    return Response(body="", status_code=204)


# -- reports ---------------------------------------------------------------------------

def report_response(report: dict, status: int = 200) -> Response:
    return json_response(reports.public(report), status, {"ETag": etag_header(report["etag"])})


@route(app, "/v1/units/{unit_id}/reports/{period}", methods=["PUT"], idempotent=True)
def put_report(ctx: Context, unit_id: str, period: str) -> Response:
    body = ctx.body(report_in_model())
    report, created = reports.submit_report(ctx.store, ctx.who, unit_id, period, body,
                                            parse_etag(ctx.header("if-match")))
    return report_response(report, 201 if created else 200)


@route(app, "/v1/units/{unit_id}/reports/{period}")
def get_report(ctx: Context, unit_id: str, period: str) -> Response:
    return report_response(reports.get_report(ctx.store, ctx.who, unit_id, period))


@route(app, "/v1/units/{unit_id}/reports/{period}/revisions")
def report_revisions(ctx: Context, unit_id: str, period: str) -> Response:
    result = reports.list_revisions(ctx.store, ctx.who, unit_id, period, ctx.limit(), ctx.query("cursor"))
    return json_response(page([reports.public(r) for r in result.items], result.next))


@route(app, "/v1/units/{unit_id}/reports")
def list_reports(ctx: Context, unit_id: str) -> Response:
    result = reports.list_reports(ctx.store, ctx.who, unit_id, ctx.query("from"), ctx.query("to"),
                                  ctx.limit(), ctx.query("cursor"))
    return json_response(page([reports.public(r) for r in result.items], result.next))
