"""Conferences and their compiled documents over HTTP.

Never imports the publishing pipeline: these run in the API Lambdas, which must
stay free of WeasyPrint. POST .../compile records a request for the scheduled run, then
starts the compile at once where the stage allows (`chalicelib.publishing.trigger`).
"""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.core.access import ADMIN, OWN_SUBTREE_READ, PUBLIC, SIGNED_IN, STAFF
from chalicelib.http.problems import HttpProblem
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import PAGED, Feature, LazyModels, LazyModule

# the domain loads with the first request that needs it (none of these imports the renderer)
deliveries = LazyModule("chalicelib.conferences.deliveries")
service = LazyModule("chalicelib.conferences.service")
lifecycle = LazyModule("chalicelib.publishing.lifecycle")  # no renderer: the steps
trigger = LazyModule("chalicelib.publishing.trigger")  # imports neither the pipeline nor boto3

models = LazyModels("chalicelib.conferences.models")
conferences = Feature(__name__, "conferences", "Hội nghị, văn bản tổng hợp và xác thực văn bản.")
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UPLOAD = 10 * 1024 * 1024


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


@conferences.route("PATCH", "/v1/conferences/{conference_id}", summary="Sửa hội nghị (cả các phần đánh giá của báo cáo: assessment); "
                   "If-Match tùy chọn", access=ADMIN, body=models.ConferencePatch, response=models.Conference,
                   errors=(404, 423), if_match=True, etag=True)
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
    if trigger.start_compile(ctx.settings, conference_id, now) != trigger.SCHEDULED:
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
                   summary="Tải tệp: Accept: application/pdf (PDF, bản ban hành đã ký số) hoặc Accept: " + DOCX +
                           " (DOCX để sửa; 404 khi không có). Quản trị, lãnh đạo, và người được trình ký văn bản. "
                           "Tệp lớn: 303 tới địa chỉ tải tạm thời (Location, vài phút)",
                   access=SIGNED_IN, errors=(403, 404, 406),
                   produces=PDF, alternates=(DOCX,), etag=True, also=(303,))
def document_file(ctx: Context, document_id: str) -> Reply:
    # API Gateway returns binary bodies only to requests that accept the binary type.
    accept = ctx.header("accept") or ""
    wanted = PDF if PDF in accept else DOCX if DOCX in accept else None
    if wanted is None:
        raise HttpProblem(406, "Not Acceptable", "Tệp PDF: hãy gửi kèm tiêu đề 'Accept: application/pdf'; tệp DOCX: "
                                                 f"'Accept: {DOCX}'.")
    lifecycle.may_read(ctx.store, ctx.who, document_id)  # staff, or the signer it is submitted to
    docx = wanted == DOCX
    record = service.stored_document(ctx.store, document_id)
    name = service.download_name(record, "pdf" if wanted == PDF else "docx")
    tag = record["sha256"] if wanted == PDF else record.get("docx_sha256") or record["sha256"] + "-docx"
    # A large file never goes through the Lambda body (6 MB, base64): the browser fetches it from S3.
    url = service.document_redirect(ctx.artifacts(), record, docx=docx, name=name, content_type=wanted,
                                    threshold=ctx.settings.download_redirect_bytes,
                                    seconds=ctx.settings.download_url_seconds)
    if url is not None:
        return Reply("", status=303, content_type="text/plain; charset=utf-8", etag=tag,
                     headers={"Location": url, "Cache-Control": "private, no-store"})
    record, data = service.document_bytes(ctx.store, ctx.artifacts(), document_id, docx=docx, record=record)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Reply(data, content_type=wanted, etag=tag, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, max-age=3600"})


@conferences.route("GET", "/v1/documents/{document_id}/verify",
                   summary="Xác thực văn bản: số, trích yếu, ngày ban hành, bước (stage), văn bản thay thế, chữ ký số "
                           "(không cần đăng nhập)", access=PUBLIC, response=models.Verification, errors=(404, 503))
def verify_document(ctx: Context, document_id: str) -> Reply:
    return Reply(lifecycle.verification(ctx.store, document_id, ctx.artifacts()))


@conferences.route("POST", "/v1/documents/verify",
                   summary="Xác thực một tệp PDF tải lên (nội dung yêu cầu là tệp PDF, tối đa 10 MB): tệp bị sửa "
                           "báo chữ ký hỏng", access=PUBLIC, response=models.UploadVerification, errors=(404, 503),
                   consumes=PDF, max_body=MAX_UPLOAD)
def verify_upload(ctx: Context) -> Reply:
    return Reply(lifecycle.verify_upload(ctx.store, ctx.raw_body()))


def _document_reply(ctx: Context, record: dict, status: int | None = None) -> Reply:
    return Reply(lifecycle.document_item(ctx.store, record, ctx.settings.public_base_url), status)


@conferences.route("POST", "/v1/documents/{document_id}/submit",
                   summary="Trình ký bản dự thảo mới nhất của văn bản cho một người ký (một thư, gửi riêng người "
                           "ký, kèm dự thảo); số nhập từ sổ văn bản đi hoặc null", access=ADMIN,
                   body=models.SubmitIn, response=models.Document, errors=(404, 409))
def submit_document(ctx: Context, document_id: str) -> Reply:
    now = ctx.now()
    record, head, signer = lifecycle.submit(ctx.store, ctx.who, document_id, ctx.body.signer_account_id,
                                            ctx.body.number, now)
    ctx.store.commit()  # the step stands before the email goes out
    conference = service.get_conference(ctx.store, record["conference_id"])
    pdf = ctx.artifacts().get(record["artifact_key"])
    from chalicelib.publishing import mails  # Jinja2: only when a step sends mail, not at cold start

    mails.send_quietly(mails.signing_request, ctx.settings, conference, record, signer, ctx.who.name, pdf, ctx.mailer())
    return _document_reply(ctx, record)


@conferences.route("POST", "/v1/documents/{document_id}/approve",
                   summary="Người ký duyệt (chỉ người được trình ký): văn bản được ban hành (số, ngày, ký số) và gửi "
                           "bởi lần tổng hợp bắt đầu ngay", access=SIGNED_IN, response=models.Document, status=202,
                   errors=(404, 409))
def approve_document(ctx: Context, document_id: str) -> Reply:
    now = ctx.now()
    record = lifecycle.approve(ctx.store, ctx.who, document_id, now)
    ctx.store.commit()  # recorded (with the compile request) before the compile starts
    trigger.start_compile(ctx.settings, record["conference_id"], now)
    return _document_reply(ctx, record, 202)


@conferences.route("POST", "/v1/documents/{document_id}/return",
                   summary="Người ký trả lại dự thảo kèm ý kiến; thư báo cho người trình", access=SIGNED_IN,
                   body=models.ReturnIn, response=models.Document, errors=(404, 409))
def return_document(ctx: Context, document_id: str) -> Reply:
    now = ctx.now()
    record, head = lifecycle.return_(ctx.store, ctx.who, document_id, ctx.body.note, now)
    ctx.store.commit()
    clerk = (head.get("submitted_by") or {}).get("email")
    if clerk:
        conference = service.get_conference(ctx.store, record["conference_id"])
        from chalicelib.publishing import mails  # Jinja2: only when a step sends mail

        mails.send_quietly(mails.returned, ctx.settings, conference, record, clerk, ctx.who.name, ctx.body.note,
                           ctx.mailer())
    return _document_reply(ctx, record)


@conferences.route("POST", "/v1/documents/{document_id}/replace",
                   summary="Thay thế văn bản đã ban hành: mở lại dòng văn bản (dự thảo 'thay thế … số …'); bắt đầu "
                           "tổng hợp", access=ADMIN, body=models.ReplaceIn, response=models.Document, status=201,
                   errors=(404, 409))
def replace_document(ctx: Context, document_id: str) -> Reply:
    now = ctx.now()
    record = lifecycle.replace(ctx.store, ctx.who, document_id, ctx.body.reason, now)
    ctx.store.commit()
    trigger.start_compile(ctx.settings, record["conference_id"], now)
    return _document_reply(ctx, record, 201)


@conferences.route("GET", "/v1/signing-requests", summary="Các văn bản đang trình tôi ký, chờ duyệt",
                   access=SIGNED_IN, response=models.SigningRequestList)
def signing_requests(ctx: Context) -> Reply:
    return Reply(lifecycle.signing_requests(ctx.store, ctx.who, ctx.settings.public_base_url))
