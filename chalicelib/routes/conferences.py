"""Conference and document routes (a Blueprint; app.py registers it).

Never imports the compile job: these run in the API Lambdas, which must stay
free of WeasyPrint. POST .../compile queues a request for the scheduled run.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api import Context, etag_header, json_response, page, parse_etag, route
from chalicelib.auth import require_admin
from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn, ConferencePatch
from chalicelib.delivery import artifacts_from_env
from chalicelib.problems import Problem

conferences_bp = Blueprint(__name__)
PDF = "application/pdf"


def conference_response(conference: dict, status: int = 200, headers: dict | None = None) -> Response:
    return json_response(service.public(conference), status,
                         {"ETag": etag_header(conference["etag"]), **(headers or {})})


@route(conferences_bp, "/v1/conferences", methods=["POST"], idempotent=True)
def create_conference(ctx: Context) -> Response:
    require_admin(ctx.who)
    conference = service.create_conference(ctx.store, ctx.body(ConferenceIn))
    return conference_response(conference, 201, {"Location": f"/v1/conferences/{conference['id']}"})


@route(conferences_bp, "/v1/conferences")
def list_conferences(ctx: Context) -> Response:
    service.require_staff(ctx.who)
    result = service.list_conferences(ctx.store, ctx.limit(100), ctx.query("cursor"))
    return json_response(page([service.public(c) for c in result.items], result.next))


@route(conferences_bp, "/v1/conferences/{conference_id}")
def get_conference(ctx: Context, conference_id: str) -> Response:
    service.require_staff(ctx.who)
    return conference_response(service.get_conference(ctx.store, conference_id))


@route(conferences_bp, "/v1/conferences/{conference_id}", methods=["PATCH"])
def patch_conference(ctx: Context, conference_id: str) -> Response:
    require_admin(ctx.who)
    conference = service.patch_conference(ctx.store, conference_id, ctx.body(ConferencePatch),
                                          parse_etag(ctx.header("if-match")))
    return conference_response(conference)


@route(conferences_bp, "/v1/conferences/{conference_id}/shortlist")
def conference_shortlist(ctx: Context, conference_id: str) -> Response:
    service.require_staff(ctx.who)
    return json_response(service.shortlist(ctx.store, conference_id))


@route(conferences_bp, "/v1/conferences/{conference_id}/compile", methods=["POST"])
def compile_conference(ctx: Context, conference_id: str) -> Response:
    require_admin(ctx.who)
    return json_response(service.request_compile(ctx.store, conference_id), 202,
                         {"Location": f"/v1/conferences/{conference_id}/documents"})


@route(conferences_bp, "/v1/conferences/{conference_id}/documents")
def conference_documents(ctx: Context, conference_id: str) -> Response:
    service.require_staff(ctx.who)
    return json_response(service.list_documents(ctx.store, conference_id, ctx.settings.public_base_url,
                                                ctx.limit(100), ctx.query("cursor")))


@route(conferences_bp, "/v1/documents/{document_id}/file")
def document_file(ctx: Context, document_id: str) -> Response:
    service.require_staff(ctx.who)
    # API Gateway returns binary bodies only to requests that accept the binary type.
    if PDF not in (ctx.header("accept") or ""):
        raise Problem(406, "Not Acceptable", "Tệp PDF: hãy gửi kèm tiêu đề 'Accept: application/pdf'.")
    record, data = service.document_bytes(ctx.store, artifacts_from_env(), document_id)
    name = f"bao-cao-tong-hop-so-{record['number'].replace('/', '-')}.pdf"
    return Response(body=data, status_code=200, headers={
        "Content-Type": PDF, "Content-Disposition": f'attachment; filename="{name}"',
        "ETag": etag_header(record["sha256"]), "Cache-Control": "private, max-age=3600"})


@route(conferences_bp, "/v1/documents/{document_id}/verify", auth=False)
def verify_document(ctx: Context, document_id: str) -> Response:
    return json_response(service.verification(ctx.store, document_id))
