"""The reporting cycle over HTTP: reports, review, deadlines and exceptions, completeness."""

from __future__ import annotations

from chalicelib.core.access import ADMIN, SIGNED_IN, STAFF, SUBTREE_REPORTS_READ, SUBTREE_REPORTS_WRITE
from chalicelib.core.periods import period_of
from chalicelib.core.states import ReviewAction
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import CURSOR, PAGED, Feature, LazyModels, LazyModule, QueryParam
from chalicelib.http.problems import HttpProblem
from chalicelib.reporting.completeness import MAX_LIMIT, completeness_for, completeness_page, page_limit, page_start

# the domain loads with the first request that needs it
deadlines = LazyModule("chalicelib.reporting.deadlines")
portal = LazyModule("chalicelib.reporting.portal")
reminders = LazyModule("chalicelib.reporting.reminders")
reports = LazyModule("chalicelib.reporting.reports")

models = LazyModels("chalicelib.reporting.models")
reporting = Feature(__name__, "reporting", "Báo cáo định kỳ của đơn vị, hạn nộp, duyệt và tình hình nộp.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WORKBOOK_BYTES = 1024 * 1024  # an uploaded workbook (chalicelib.reporting.workbook.MAX_BYTES)


def report_reply(report: dict, status: int | None = None) -> Reply:
    return Reply(reports.public(report), status, etag=report["etag"])


@reporting.route("PUT", "/v1/units/{unit_id}/reports/{period}",
                 summary="Gửi (201) hoặc thay thế (200, cần If-Match) báo cáo kỳ", access=SUBTREE_REPORTS_WRITE,
                 body=models.report_in_model, response=models.Report, status=201, also=(200,), errors=(404, 412, 423, 428),
                 idempotent=True, if_match=True, etag=True,
                 preload=lambda ctx, bearer: reports.submission_reads(ctx.store, ctx.params["unit_id"],
                                                                      ctx.params["period"], bearer),
                 links=tuple((target, {"unit_id": "$response.body#/unit_id", "period": "$response.body#/period"})
                             for target in ("getReport", "reportRevisions", "reviewReport", "reportAudit",
                                            "grantException")))
def put_report(ctx: Context, unit_id: str, period: str) -> Reply:
    report, created = reports.submit_report(ctx.store, ctx.who, unit_id, period, ctx.body, ctx.if_match,
                                            ctx.settings.deadline_days, ctx.now(),
                                            reads=ctx.preloaded)
    return put_reply(report, created)


def put_reply(report: dict, created: bool) -> Reply:
    return report_reply(report, 201 if created else 200)


@reporting.route("GET", "/v1/units/{unit_id}/reports/{period}", summary="Đọc báo cáo kỳ (kèm ETag)",
                 access=SUBTREE_REPORTS_READ, response=models.Report, errors=(404, 422), etag=True)
def get_report(ctx: Context, unit_id: str, period: str) -> Reply:
    return report_reply(reports.get_report(ctx.store, unit_id, period))


@reporting.route("GET", "/v1/units/{unit_id}/reports/{period}/revisions",
                 summary="Các phiên bản đã gửi của báo cáo, cũ trước", access=SUBTREE_REPORTS_READ, response=models.ReportList,
                 errors=(404, 422), query=PAGED)
def report_revisions(ctx: Context, unit_id: str, period: str) -> Reply:
    result = reports.list_revisions(ctx.store, unit_id, period, ctx.limit, ctx.cursor)
    return Reply(page([reports.public(r) for r in result.items], result.next))


@reporting.route("GET", "/v1/units/{unit_id}/reports", summary="Báo cáo của đơn vị theo khoảng kỳ",
                 access=SUBTREE_REPORTS_READ, response=models.ReportList, errors=(404,),
                 query=(QueryParam("from", "Kỳ đầu (YYYY-MM, YYYY-Www, YYYY-Qn)", example="2021-06"),
                        QueryParam("to", "Kỳ cuối, cùng loại với from", example="2021-08"), *PAGED))
def list_reports(ctx: Context, unit_id: str) -> Reply:
    result = reports.list_reports(ctx.store, unit_id, ctx.query("from"), ctx.query("to"), ctx.limit, ctx.cursor)
    return Reply(page([reports.public(r) for r in result.items], result.next))


@reporting.route("POST", "/v1/units/{unit_id}/reports/{period}/review",
                 summary="Duyệt (accept) hoặc trả lại (return, kèm ghi chú) báo cáo; báo cáo nhận ETag mới",
                 access=ADMIN, body=models.ReviewIn, response=models.ReviewedReport, errors=(404,), if_match=True, etag=True)
def review_report(ctx: Context, unit_id: str, period: str) -> Reply:
    report = reports.review_report(ctx.store, ctx.who, unit_id, period, ReviewAction(ctx.body.action),
                                   ctx.body.note, ctx.if_match, ctx.now(), ctx.mailer())
    return Reply({**reports.public(report), "notified": report["notified"]}, etag=report["etag"])


@reporting.route("POST", "/v1/units/{unit_id}/reports/{period}/exception",
                 summary="Cấp ngoại lệ nộp sau hạn cho đơn vị", access=ADMIN, body=models.ExceptionIn,
                 response=models.DeadlineException, status=201, errors=(404,))
def grant_exception(ctx: Context, unit_id: str, period: str) -> Reply:
    return Reply(deadlines.grant_exception(ctx.store, ctx.who, unit_id, period_of(period), ctx.body.until,
                                           ctx.body.reason, ctx.now()))


@reporting.route("POST", "/v1/units/{unit_id}/reports/{period}/reminder",
                 summary="Gửi ngay thư nhắc nộp báo cáo tới thư điện tử liên hệ của đơn vị (ghi vào nhật ký); "
                         "409 khi báo cáo đã nộp hoặc đã duyệt, hoặc đơn vị không có thư điện tử",
                 access=ADMIN, response=models.ReminderSent, errors=(404, 409, 422, 503))
def remind_now(ctx: Context, unit_id: str, period: str) -> Reply:
    return Reply(reminders.remind_now(ctx.store, ctx.mailer(), ctx.who, unit_id, period_of(period),
                                      ctx.settings.deadline_days, ctx.now()))


@reporting.route("GET", "/v1/units/{unit_id}/reports/{period}/audit", summary="Nhật ký thay đổi của báo cáo",
                 access=ADMIN, response=models.AuditList, errors=(422,), query=PAGED)
def report_audit(ctx: Context, unit_id: str, period: str) -> Reply:
    result = reports.report_audit(ctx.store, unit_id, period, ctx.limit, ctx.cursor)
    return Reply(page(result.items, result.next))


@reporting.route("GET", "/v1/periods",
                 summary="Các kỳ gần nhất cho ô chọn kỳ: tên (ví dụ 'Tháng 8/2021'), hạn nộp, đã đặt hạn hay chưa; "
                         "kỳ hiện tại trước",
                 access=STAFF, response=models.PeriodChoiceList, errors=(422,),
                 query=(QueryParam("kind", "Loại kỳ: month (mặc định), week, quarter",
                                   {"type": "string", "enum": list(portal.KINDS)}, example="month"),
                        QueryParam("count", f"Số kỳ (1-{portal.MAX_PICKER}, mặc định 12)",
                                   {"type": "integer", "minimum": 1, "maximum": portal.MAX_PICKER}, example=12)))
def list_periods(ctx: Context) -> Reply:
    return Reply(page(portal.period_picker(ctx.store, ctx.query("kind"), ctx.query("count"),
                                           ctx.settings.deadline_days, ctx.now()), None))


@reporting.route("GET", "/v1/periods/{period}", summary="Kỳ báo cáo và hạn nộp", access=SIGNED_IN,
                 response=models.PeriodInfo, errors=(422,))
def get_period(ctx: Context, period: str) -> Reply:
    return Reply(deadlines.get_period(ctx.store, period_of(period), ctx.settings.deadline_days, ctx.now()))


@reporting.route("PUT", "/v1/periods/{period}", summary="Đặt hạn nộp của kỳ", access=ADMIN,
                 body=models.PeriodSettingsIn, response=models.PeriodInfo)
def set_period(ctx: Context, period: str) -> Reply:
    return Reply(deadlines.set_deadline(ctx.store, ctx.who, period_of(period), ctx.body.deadline, ctx.now()))


@reporting.route("GET", "/v1/periods/{period}/completeness",
                 summary="Tình hình nộp báo cáo theo đơn vị, cộng dồn theo cây đơn vị, từng trang. "
                         "Trạng thái của đơn vị cấp trên: `state` chỉ là báo cáo của chính đơn vị; `subtree` đếm "
                         "riêng các đơn vị cấp dưới (mọi cấp) và `subtree_state` là complete khi mọi đơn vị cấp "
                         "dưới phải nộp đều có báo cáo hiện hành (đã nộp hoặc đã duyệt; bị trả lại thì chưa), "
                         "none khi chưa đơn vị nào, partial ở giữa, null khi không có cấp dưới phải nộp. "
                         "Trang: `rows` là các dòng của trang (theo thứ tự cây), `next` là con trỏ trang sau "
                         "(?cursor=), `totals`/`rates` là của cả kỳ; không có limit và cursor thì cả bảng trong "
                         "một trang nếu dưới 1 MB, nếu không thì 500 dòng đầu; mỗi trang không quá 1 MB (ít dòng hơn "
                         "limit nếu cần)",
                 access=ADMIN, response=models.Completeness, errors=(422,),
                 query=(CURSOR, QueryParam("limit", f"Số dòng mỗi trang (1-{MAX_LIMIT})",
                                           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT})))
def period_completeness(ctx: Context, period: str) -> Reply:
    checked = period_of(period)
    limit = page_limit(ctx.query("limit"))
    page_start(checked.code, ctx.cursor)  # a bad cursor is refused before anything is read (or kept)
    result = completeness_for(ctx.store, checked, ctx.settings.deadline_days, ctx.now())
    return Reply(completeness_page(result, limit, ctx.cursor))


@reporting.route("GET", "/v1/periods/{period}/completeness/workbook",
                 summary=f"Tải bảng tổng hợp tình hình nộp báo cáo của kỳ (tệp Excel, mọi đơn vị theo cây); "
                         f"cần Accept: {XLSX}",
                 access=ADMIN, errors=(406, 422), produces=XLSX)
def completeness_workbook(ctx: Context, period: str) -> Reply:
    from chalicelib.reporting.board_workbook import board_workbook  # openpyxl loads only for a workbook

    checked = period_of(period)
    if XLSX not in (ctx.header("accept") or ""):  # API Gateway returns binary bodies only to such requests
        raise HttpProblem(406, "Not Acceptable", f"Tệp Excel: hãy gửi kèm tiêu đề 'Accept: {XLSX}'.")
    board = completeness_for(ctx.store, checked, ctx.settings.deadline_days, ctx.now())
    return Reply(board_workbook(board, ctx.now()), content_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="tinh-hinh-nop-bao-cao-{checked.code}.xlsx"',
        "Cache-Control": "private, no-store"})


# -- the unit portal --------------------------------------------------------------------------

@reporting.route("GET", "/v1/units/{unit_id}/periods",
                 summary="Các kỳ gần nhất của đơn vị: hạn nộp, trạng thái, khóa và lý do, ghi chú trả lại, việc cần "
                         "làm; đơn vị cấp trên thấy cả trạng thái của đơn vị cấp dưới trực tiếp",
                 access=SUBTREE_REPORTS_READ, response=models.UnitPeriods, errors=(404,),
                 query=(QueryParam("kind", "Loại kỳ: month (mặc định), week, quarter",
                                   {"type": "string", "enum": list(portal.KINDS)}, example="month"),))
def unit_periods(ctx: Context, unit_id: str) -> Reply:
    return Reply(portal.unit_periods(ctx.store, unit_id, ctx.query("kind"), ctx.settings.deadline_days, ctx.now()))


@reporting.route("GET", "/v1/units/{unit_id}/reports/{period}/workbook",
                 summary=f"Tải tệp Excel mẫu của kỳ (đơn vị và các đơn vị cấp dưới, số liệu hiện có); cần Accept: {XLSX}",
                 access=SUBTREE_REPORTS_READ, errors=(404, 406, 422), produces=XLSX)
def report_workbook(ctx: Context, unit_id: str, period: str) -> Reply:
    from chalicelib.reporting import workbook  # openpyxl loads only for a workbook

    checked = period_of(period)
    # API Gateway returns binary bodies only to requests that accept the binary type.
    if XLSX not in (ctx.header("accept") or ""):
        raise HttpProblem(406, "Not Acceptable", f"Tệp Excel: hãy gửi kèm tiêu đề 'Accept: {XLSX}'.")
    data = workbook.template(ctx.store, unit_id, checked, ctx.settings.deadline_days, ctx.now())
    return Reply(data, content_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="bao-cao-{unit_id}-{checked.code}.xlsx"',
        "Cache-Control": "private, no-store"})


@reporting.route("POST", "/v1/units/{unit_id}/reports/{period}/workbook",
                 summary="Đọc tệp Excel đã điền: trả về báo cáo của từng dòng và mọi lỗi theo trang, dòng, cột; "
                         "không lưu gì (gửi từng báo cáo bằng PUT sau khi xác nhận)",
                 access=SUBTREE_REPORTS_WRITE, consumes=XLSX, max_body=MAX_WORKBOOK_BYTES,
                 response=models.WorkbookImport, errors=(404,))
def import_workbook(ctx: Context, unit_id: str, period: str) -> Reply:
    from chalicelib.http.problems import from_validation
    from chalicelib.reporting import workbook  # openpyxl loads only for a workbook

    return Reply(workbook.import_workbook(ctx.store, unit_id, period_of(period), ctx.raw_body(),
                                          ctx.settings.deadline_days, ctx.now(), explain=from_validation))
