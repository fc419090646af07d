"""Awards over HTTP: award forms, nominations, reviewer scores, decisions, the shortlist, finalising."""

from __future__ import annotations

from chalicelib.core.access import (ADMIN, NOMINATION_READ, NOMINATION_WRITE, OWN_SUBTREE_READ, OWN_SUBTREE_WRITE,
                                    SIGNED_IN, STAFF)
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import PAGED, Feature, LazyModels, LazyModule, QueryParam

service = LazyModule("chalicelib.awards.nominations")  # the domain loads with the first awards request
conferences = LazyModule("chalicelib.conferences.service")

models = LazyModels("chalicelib.awards.models")
conference_models = LazyModels("chalicelib.conferences.models")
reporting_models = LazyModels("chalicelib.reporting.models")
scoring_models = LazyModels("chalicelib.awards.scoring_models")
trend_models = LazyModels("chalicelib.reporting.trend_models")
awards = Feature(__name__, "awards", "Đề nghị khen thưởng, chấm điểm, xếp hạng, quyết định và chốt danh sách.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@awards.owner("nomination")
def nomination_owner(store, params: dict[str, str]) -> str:
    """The unit that proposed the nomination a path names (its `NOMINATION_*` access rules)."""
    return service.get_nomination(store, params["nomination_id"])["unit_id"]


def nomination_reply(nomination: dict, status: int | None = None, location: bool = False) -> Reply:
    return Reply(service.public(nomination), status, etag=nomination["etag"],
                 location=f"/v1/nominations/{nomination['id']}" if location else None)


@awards.route("GET", "/v1/award-forms", summary="Danh mục hình thức khen thưởng và tiêu chí chấm điểm",
              access=SIGNED_IN, response=models.AwardForms)
def list_award_forms(ctx: Context) -> Reply:
    return Reply(service.award_forms_catalog())


@awards.route("POST", "/v1/units/{unit_id}/nominations",
              summary="Đề nghị khen thưởng cho đơn vị mình hoặc đơn vị cấp dưới (tập thể hoặc cá nhân)",
              access=OWN_SUBTREE_WRITE, body=models.NominationIn, response=models.Nomination, status=201, errors=(404, 409, 423),
              idempotent=True, etag=True, location=True,
              preload=lambda ctx, bearer: service.create_reads(ctx.store, ctx.params["unit_id"], bearer,
                                                               ctx.raw_body()),
              links=tuple((target, {"nomination_id": "$response.body#/id"})
                          for target in ("getNomination", "patchNomination", "scoreNomination", "decide",
                                         "nominationAudit", "nominationDetail")))
def create_nomination(ctx: Context, unit_id: str) -> Reply:
    return nomination_reply(service.create_nomination(ctx.store, ctx.who, unit_id, ctx.body, ctx.now(),
                                                      reads=ctx.preloaded), location=True)


@awards.route("GET", "/v1/units/{unit_id}/nominations", summary="Các đề nghị khen thưởng của đơn vị",
              access=OWN_SUBTREE_READ, response=models.NominationList, errors=(404,),
              query=(QueryParam("conference_id", "Chỉ các đề nghị cho hội nghị này"), *PAGED))
def list_nominations(ctx: Context, unit_id: str) -> Reply:
    result = service.list_nominations(ctx.store, unit_id, ctx.query("conference_id"), ctx.limit, ctx.cursor)
    return Reply(page([service.public(n) for n in result.items], result.next))


@awards.route("GET", "/v1/units/{unit_id}/nominee-units",
              summary="Đơn vị mình và các đơn vị cấp dưới (mã, tên, đơn vị cấp trên) theo thứ tự cây: ô chọn đơn vị "
                      "được đề nghị (nominee_unit_id) của biểu mẫu đề nghị",
              access=OWN_SUBTREE_READ, response=trend_models.UnitChoiceList, errors=(404, 422),
              query=(QueryParam("q", "Tìm theo tên (có hoặc không dấu) hoặc mã trong các đơn vị này; tối đa `limit` "
                                     "đơn vị (mặc định 20)", {"type": "string", "maxLength": 100}), *PAGED))
def nominee_units(ctx: Context, unit_id: str) -> Reply:
    limit = ctx.limit if ctx.query("limit") is not None else None
    return Reply(service.nominee_units(ctx.store, unit_id, q=ctx.query("q"), limit=limit, cursor=ctx.cursor))


@awards.route("GET", "/v1/nominations/{nomination_id}", summary="Xem đề nghị khen thưởng (kèm ETag)",
              access=NOMINATION_READ, response=models.Nomination, errors=(404,), etag=True)
def get_nomination(ctx: Context, nomination_id: str) -> Reply:
    return nomination_reply(service.get_nomination(ctx.store, nomination_id))


@awards.route("GET", "/v1/nominations/{nomination_id}/detail",
              summary="Hồ sơ đề nghị để quyết định: thành tích toàn văn, số liệu và phân vị của phần tự động, điểm "
                      "từng người chấm, xung đột lợi ích, nhật ký (đơn vị: chỉ đề nghị và phần tự động)",
              access=NOMINATION_READ, response=models.NominationDetail, errors=(404,), etag=True)
def nomination_detail(ctx: Context, nomination_id: str) -> Reply:
    from chalicelib.awards.detail import nomination_detail as detail

    data, etag = detail(ctx.store, ctx.who, nomination_id, ctx.now())
    return Reply(data, etag=etag)


@awards.route("PATCH", "/v1/nominations/{nomination_id}",
              summary="Sửa đề nghị (đơn vị đề nghị hoặc quản trị) khi chưa quyết định, chưa hết hạn, chưa chốt",
              access=NOMINATION_WRITE, body=models.NominationPatch, response=models.Nomination, errors=(404, 409, 423),
              if_match=True, if_match_required=True, etag=True,
              preload=lambda ctx, bearer: service.edit_reads(ctx.store, ctx.params["nomination_id"], bearer,
                                                             ctx.raw_body()))
def patch_nomination(ctx: Context, nomination_id: str) -> Reply:
    return nomination_reply(service.patch_nomination(ctx.store, ctx.who, nomination_id, ctx.body, ctx.if_match,
                                                     ctx.now(), reads=ctx.preloaded))


@awards.route("POST", "/v1/nominations/{nomination_id}/scores",
              summary="Chấm điểm đề nghị theo tiêu chí (quản trị, lãnh đạo); không chấm đề nghị của đơn vị mình",
              access=STAFF, body=models.ScoresIn, response=models.ScoreOut, errors=(404, 423))  # 403 too: a reviewer's own unit
def score_nomination(ctx: Context, nomination_id: str) -> Reply:
    return Reply(service.score_nomination(ctx.store, ctx.who, nomination_id, ctx.body, ctx.now()))


@awards.route("GET", "/v1/conferences/{conference_id}/scoring",
              summary="Bảng chấm điểm của người đang đăng nhập: tiêu chí và mô tả, các đề nghị (từng trang, thành "
                      "tích rút gọn), đề nghị nào không được chấm vì xung đột lợi ích, điểm mình đã chấm, tiến độ",
              access=STAFF, response=scoring_models.ScoringSheet, errors=(404,), query=PAGED)
def scoring_sheet(ctx: Context, conference_id: str) -> Reply:
    from chalicelib.awards.scoring import scoring_sheet as sheet

    return Reply(sheet(ctx.store, ctx.who, conference_id, ctx.limit, ctx.cursor))


@awards.route("POST", "/v1/nominations/{nomination_id}/decision",
              summary="Quyết định: duyệt (approve), từ chối (reject, cần ghi chú) hoặc tạm hoãn (hold); cần If-Match",
              access=ADMIN, body=models.DecisionIn, response=models.Nomination, errors=(404, 409, 423, 422), if_match=True, if_match_required=True, etag=True)
def decide(ctx: Context, nomination_id: str) -> Reply:
    return nomination_reply(service.decide(ctx.store, ctx.who, nomination_id, ctx.body, ctx.if_match, ctx.now()))


@awards.route("POST", "/v1/conferences/{conference_id}/decisions",
              summary="Quyết định nhiều đề nghị một lần (mỗi mục: approve, reject kèm ghi chú, hoặc hold): tất cả "
                      "hoặc không, mỗi đề nghị kèm ETag khi đọc (như If-Match)",
              access=ADMIN, body=models.BulkDecisionIn, response=models.NominationList, errors=(404, 409, 412, 423),
              preload=lambda ctx, bearer: service.decide_many_reads(ctx.store, ctx.params["conference_id"], bearer,
                                                                    ctx.raw_body()))
def decide_many(ctx: Context, conference_id: str) -> Reply:
    decided = service.decide_many(ctx.store, ctx.who, conference_id, ctx.body, ctx.now(), reads=ctx.preloaded)
    return Reply(page([service.public(n) for n in decided], None))


@awards.route("GET", "/v1/conferences/{conference_id}/shortlist",
              summary="Danh sách đề nghị đã xếp hạng theo hình thức khen thưởng, có điểm và vạch chỉ tiêu, từng trang "
                      "(thành tích rút gọn); "
                      f"Accept: {XLSX} cho tệp Excel đầy đủ mọi dòng",
              access=STAFF, response=models.Shortlist, errors=(404,), alternates=(XLSX,), query=PAGED)
def conference_shortlist(ctx: Context, conference_id: str) -> Reply:
    if ctx.accepts(XLSX):
        from chalicelib.awards.workbook import shortlist_workbook  # openpyxl loads only for this

        data = service.shortlist(ctx.store, conference_id, now=ctx.now())  # every row, the full texts
        conference = conferences.get_conference(ctx.store, conference_id)
        return Reply(shortlist_workbook(conference, data), content_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="danh-sach-de-nghi-khen-thuong-{conference_id}.xlsx"'})
    return Reply(service.shortlist_page(ctx.store, conference_id, ctx.limit, ctx.cursor, ctx.now()))


@awards.route("POST", "/v1/conferences/{conference_id}/finalise",
              summary="Chốt danh sách khen thưởng: sau đó mọi thay đổi trả 423; danh sách chính thức được lập",
              access=ADMIN, body=models.FinaliseIn, body_optional=True, response=conference_models.Conference, errors=(404, 409, 423),
              if_match=True, if_match_required=True, etag=True)
def finalise(ctx: Context, conference_id: str) -> Reply:
    conference = service.finalise(ctx.store, ctx.who, conference_id, ctx.if_match, ctx.now())
    return Reply(conferences.public(conference), etag=conference["etag"])


@awards.route("GET", "/v1/nominations/{nomination_id}/audit", summary="Nhật ký thay đổi của đề nghị (mới trước)",
              access=ADMIN, response=reporting_models.AuditList, query=PAGED)
def nomination_audit(ctx: Context, nomination_id: str) -> Reply:
    result = ctx.store.audit.list(service.entity(nomination_id), limit=ctx.limit, cursor=ctx.cursor)
    return Reply(page(result.items, result.next))
