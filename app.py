"""thidua HTTP API: thin handlers that parse, call one domain function, shape the response.

Nothing here (or anything it imports) may import WeasyPrint: every API Lambda
imports this module on a cold start.
"""

from __future__ import annotations

from datetime import datetime, timezone

from chalice import Chalice, Cron, Response

from chalicelib import deadlines, openapi, reminders, reports, tokens, units
from chalicelib.api import Context, etag_header, install_error_shaping, json_response, page, parse_etag, route
from chalicelib.auth import require_admin
from chalicelib.completeness import completeness_for
from chalicelib.indicators import catalog
from chalicelib.models import (ExceptionIn, PeriodSettingsIn, ReviewIn, TokenIn, UnitIn, UnitPatch, UnitTokenIn,
                               report_in_model)

app = Chalice(app_name="thidua")
install_error_shaping(app)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
                                            parse_etag(ctx.header("if-match")), ctx.settings.deadline_days)
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


# -- the reporting cycle: deadlines, review, completeness, reminders -------------------

@route(app, "/v1/units/{unit_id}/reports/{period}/review", methods=["POST"])
def review_report(ctx: Context, unit_id: str, period: str) -> Response:
    body = ctx.body(ReviewIn)
    report = reports.review_report(ctx.store, ctx.who, unit_id, period, body.action, body.note,
                                   parse_etag(ctx.header("if-match")), ctx.mailer())
    return json_response({**reports.public(report), "notified": report.get("notified")},
                         headers={"ETag": etag_header(report["etag"])})


@route(app, "/v1/units/{unit_id}/reports/{period}/exception", methods=["POST"])
def grant_exception(ctx: Context, unit_id: str, period: str) -> Response:
    require_admin(ctx.who)
    body = ctx.body(ExceptionIn)
    units.get_unit(ctx.store, unit_id)
    exception = deadlines.grant_exception(ctx.store, ctx.who, unit_id, reports.period_of(period),
                                          deadlines.parse_instant(body.until, "until"), body.reason, utcnow())
    return json_response(exception, 201)


@route(app, "/v1/units/{unit_id}/reports/{period}/audit")
def report_audit(ctx: Context, unit_id: str, period: str) -> Response:
    result = reports.report_audit(ctx.store, ctx.who, unit_id, period, ctx.limit(), ctx.query("cursor"))
    return json_response(page(result.items, result.next))


@route(app, "/v1/periods/{period}")
def get_period(ctx: Context, period: str) -> Response:
    p = reports.period_of(period)
    deadline = deadlines.deadline_for(ctx.store, p, ctx.settings.deadline_days)
    return json_response(deadlines.period_info(p, deadline, utcnow()))


@route(app, "/v1/periods/{period}", methods=["PUT"])
def set_period(ctx: Context, period: str) -> Response:
    p = reports.period_of(period)
    deadline = deadlines.parse_instant(ctx.body(PeriodSettingsIn).deadline, "deadline")
    deadlines.set_deadline(ctx.store, ctx.who, p, deadline)
    return json_response(deadlines.period_info(p, deadline, utcnow()))


@route(app, "/v1/periods/{period}/completeness")
def period_completeness(ctx: Context, period: str) -> Response:
    require_admin(ctx.who)
    result = completeness_for(ctx.store, reports.period_of(period), ctx.settings.deadline_days, utcnow())
    return json_response(result.as_dict())


# 01:00 UTC is 08:00 in Hà Nội: reminders arrive at the start of the working day.
@app.schedule(Cron(0, 1, "*", "*", "?", "*"))
def send_reminders(event: object) -> dict:
    return reminders.run_from_environment(utcnow()).as_dict()


# -- conferences and compiled documents (chalicelib/routes/conferences.py) -------------

from chalice import Rate  # noqa: E402

from chalicelib.routes.conferences import conferences_bp  # noqa: E402

app.register_blueprint(conferences_bp)
app.api.binary_types.append("application/pdf")  # GET /v1/documents/{id}/file


# Every 5 minutes: a `POST /v1/conferences/{id}/compile` (202) is honoured within minutes;
# a run with nothing due is one Query and never loads the renderer.
@app.schedule(Rate(5, unit=Rate.MINUTES))
def compile_due_conferences(event: object) -> dict:
    from chalicelib.conferences.compile import run_scheduled  # the renderer loads only here

    return run_scheduled()
