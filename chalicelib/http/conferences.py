"""Conferences and their compiled documents over HTTP.

Never imports the publishing pipeline: these run in the API Lambdas, which must
stay free of WeasyPrint. POST .../compile records a request for the scheduled run, then
starts the compile at once where the stage allows (`chalicelib.publishing.trigger`).
"""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.conferences import deliveries, service
from chalicelib.core.access import ADMIN, OWN_SUBTREE_READ, PUBLIC, STAFF
from chalicelib.http.problems import HttpProblem
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import PAGED, Feature, LazyModels
from chalicelib.publishing.trigger import SCHEDULED, start_compile  # imports neither the pipeline nor boto3

models = LazyModels("chalicelib.conferences.models")
conferences = Feature(__name__, "conferences", "Hội nghị, văn bản tổng hợp và xác thực văn bản.")
PDF = "application/pdf"


def conference_reply(conference: dict, status: int | None = None, location: bool = False) -> Reply:
    return Reply(service.public(conference), status, etag=conference["etag"],
                 location=f"/v1/conferences/{conference['id']}" if location else None)


@conferences.route("POST", "/v1/conferences", summary="Tạo hội nghị; máy chủ cấp id dạng <yyyymmdd>-<6 ký tự>",
                   access=ADMIN, body=models.ConferenceIn, response=models.Conference, status=201, idempotent=True,
                   etag=True, location=True,
                   links=tuple((target, {"conference_id": "$response.body#/id"})
                               for target in ("getConference", "patchConference", "conferenceShortlist",
                                              "compileConference", "conferenceDocuments", "finalise",
                                              "decideMany")))
def create_conference(ctx: Context) -> Reply:
    return conference_reply(service.create_conference(ctx.store, ctx.who, ctx.body, ctx.now()), location=True)


@conferences.route("GET", "/v1/conferences", summary="Danh sách hội nghị", access=STAFF, response=models.ConferenceList,
                   query=PAGED)
def list_conferences(ctx: Context) -> Reply:
    result = service.list_conferences(ctx.store, ctx.limit, ctx.cursor)
    return Reply(page([service.public(c) for c in result.items], result.next))


@conferences.route("GET", "/v1/units/{unit_id}/conferences",
                   summary="Các hội nghị sắp tới đơn vị được đề nghị khen thưởng: tên, ngày, nơi họp, hạn gửi đề nghị",
                   access=OWN_SUBTREE_READ, response=models.UnitConferenceList, errors=(404,))
def unit_conferences(ctx: Context, unit_id: str) -> Reply:
    return Reply(page(service.for_unit(ctx.store, unit_id, ctx.now()), None))


@conferences.route("GET", "/v1/conferences/{conference_id}", summary="Xem hội nghị (kèm ETag)", access=STAFF,
                   response=models.Conference, errors=(404,), etag=True)
def get_conference(ctx: Context, conference_id: str) -> Reply:
    return conference_reply(service.get_conference(ctx.store, conference_id))


@conferences.route("PATCH", "/v1/conferences/{conference_id}", summary="Sửa hội nghị; If-Match tùy chọn",
                   access=ADMIN, body=models.ConferencePatch, response=models.Conference, errors=(404, 423), if_match=True, etag=True)
def patch_conference(ctx: Context, conference_id: str) -> Reply:
    return conference_reply(service.patch_conference(ctx.store, ctx.who, conference_id, ctx.body, ctx.if_match, ctx.now()))


@conferences.route("POST", "/v1/conferences/{conference_id}/compile",
                   summary="Yêu cầu tổng hợp văn bản (202): bắt đầu ngay (status started) hoặc do lần chạy "
                           "định kỳ kế tiếp (status queued)", access=ADMIN,
                   response=models.CompileQueued, status=202, errors=(404,), location=True)
def compile_conference(ctx: Context, conference_id: str) -> Reply:
    now = ctx.now()
    queued = service.request_compile(ctx.store, conference_id, now)
    ctx.store.commit()  # recorded before the compile starts: the schedule's safety net
    if start_compile(ctx.settings, conference_id, now) != SCHEDULED:
        queued["status"] = "started"
    return Reply(queued, location=f"/v1/conferences/{conference_id}/documents")


@conferences.route("GET", "/v1/conferences/{conference_id}/documents",
                   summary="Các văn bản đã tổng hợp: kind, version, number, sha256, url", access=STAFF,
                   response=models.DocumentList, errors=(404,), query=PAGED)
def conference_documents(ctx: Context, conference_id: str) -> Reply:
    return Reply(service.list_documents(ctx.store, conference_id, ctx.settings.public_base_url, ctx.limit,
                                        ctx.cursor))


@conferences.route("GET", "/v1/conferences/{conference_id}/deliveries",
                   summary="Các lần gửi văn bản của hội nghị: ai nhận phiên bản nào, lúc nào; yêu cầu tổng hợp "
                           "đang chờ", access=ADMIN, response=models.DeliveryList, errors=(404,), query=PAGED)
def conference_deliveries(ctx: Context, conference_id: str) -> Reply:
    return Reply(deliveries.list_deliveries(ctx.store, conference_id, ctx.limit, ctx.cursor))


@conferences.route("GET", "/v1/documents/{document_id}/file",
                   summary="Tải tệp PDF; cần Accept: application/pdf", access=STAFF, errors=(404, 406),
                   produces=PDF, etag=True)
def document_file(ctx: Context, document_id: str) -> Reply:
    # API Gateway returns binary bodies only to requests that accept the binary type.
    if PDF not in (ctx.header("accept") or ""):
        raise HttpProblem(406, "Not Acceptable", "Tệp PDF: hãy gửi kèm tiêu đề 'Accept: application/pdf'.")
    record, data = service.document_bytes(ctx.store, ctx.artifacts(), document_id)
    name = service.download_name(record)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Reply(data, content_type=PDF, etag=record["sha256"], headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, max-age=3600"})


@conferences.route("GET", "/v1/documents/{document_id}/verify",
                   summary="Xác thực văn bản: số, trích yếu, ngày, SHA-256 (không cần đăng nhập)", access=PUBLIC,
                   response=models.Verification, errors=(404, 503))
def verify_document(ctx: Context, document_id: str) -> Reply:
    return Reply(service.verification(ctx.store, document_id))
