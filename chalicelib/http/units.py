"""Units and tokens (admin): the ministry's tree and who may act for it."""

from __future__ import annotations

from chalicelib.core.access import ADMIN
from chalicelib.core.errors import invalid
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import PAGED, Feature, LazyModels, QueryParam
from chalicelib.units import service, tokens

models = LazyModels("chalicelib.units.models")
units = Feature(__name__, "units", "Đơn vị và mã truy cập (quản trị).")


def unit_reply(unit: dict, status: int | None = None, location: bool = False) -> Reply:
    return Reply(service.public(unit), status, etag=unit["etag"],
                 location=f"/v1/units/{unit['id']}" if location else None)


@units.route("POST", "/v1/units", summary="Tạo đơn vị", access=ADMIN, body=models.UnitIn, response=models.Unit, status=201,
             errors=(409,), idempotent=True, etag=True, location=True,
             links=(("getUnit", {"unit_id": "$response.body#/id"}), ("patchUnit", {"unit_id": "$response.body#/id"}),
                    ("createUnitToken", {"unit_id": "$response.body#/id"}),
                    ("listReports", {"unit_id": "$response.body#/id"}),
                    ("listNominations", {"unit_id": "$response.body#/id"})))
def create_unit(ctx: Context) -> Reply:
    return unit_reply(service.create_unit(ctx.store, ctx.who, ctx.body, ctx.now()), location=True)


FINDING = (QueryParam("parent", "Chỉ các đơn vị cấp dưới trực tiếp của đơn vị này, theo thứ tự tên, kèm số đơn vị cấp "
                                "dưới của mỗi đơn vị; `root` hoặc để trống: các đơn vị cấp cao nhất", example="root"),
           QueryParam("q", "Tìm theo tên (mọi từ, có dấu hoặc không dấu, không phân biệt hoa thường) hoặc mã đơn vị; "
                           "tối đa `limit` kết quả (mặc định 20), khớp nhất trước, kèm các đơn vị cấp trên",
                      example="nghe an"),
           QueryParam("ids", "Các mã đơn vị, cách nhau bởi dấu phẩy (tối đa 100): các đơn vị đó kèm đơn vị cấp trên",
                      example="ca-nghe-an,ca-ha-tinh"))


@units.route("GET", "/v1/units", summary="Danh sách đơn vị; hoặc một cấp của cây (parent), tìm theo tên (q), theo mã (ids)",
             access=ADMIN, response=models.UnitList, query=(*PAGED, *FINDING), errors=(404,))
def list_units(ctx: Context) -> Reply:
    from chalicelib.units import directory

    asked = [name for name in ("parent", "q", "ids") if ctx.query(name) is not None]
    if len(asked) > 1:
        raise invalid(asked[1], "Chỉ dùng một trong parent, q, ids mỗi lần.")
    if asked == ["parent"]:
        parent = ctx.query("parent") or directory.ROOT
        return Reply(directory.children_page(ctx.store, None if parent == directory.ROOT else parent,
                                             ctx.limit, ctx.cursor))
    if asked == ["q"]:
        limit = ctx.limit if ctx.query("limit") is not None else directory.SEARCH_LIMIT
        return Reply(directory.search(ctx.store, ctx.query("q") or "", limit))
    if asked == ["ids"]:
        return Reply(directory.named(ctx.store, (ctx.query("ids") or "").split(",")))
    result = ctx.store.units.list(limit=ctx.limit, cursor=ctx.cursor)
    return Reply(page([service.public(u) for u in result.items], result.next))


@units.route("GET", "/v1/units/{unit_id}", summary="Xem đơn vị (kèm ETag)", access=ADMIN, response=models.Unit,
             errors=(404,), etag=True)
def get_unit(ctx: Context, unit_id: str) -> Reply:
    return unit_reply(service.get_unit(ctx.store, unit_id))


@units.route("PATCH", "/v1/units/{unit_id}", summary="Sửa đơn vị; If-Match tùy chọn", access=ADMIN,
             body=models.UnitPatch, response=models.Unit, errors=(404, 409), if_match=True, etag=True)
def patch_unit(ctx: Context, unit_id: str) -> Reply:
    return unit_reply(service.patch_unit(ctx.store, ctx.who, unit_id, ctx.body, ctx.if_match, ctx.now()))


@units.route("POST", "/v1/units/{unit_id}/tokens", summary="Cấp mã truy cập cho đơn vị; mã chỉ hiện một lần",
             access=ADMIN, body=models.UnitTokenIn, body_optional=True, response=models.IssuedToken, status=201, errors=(404,),
             links=(("revokeToken", {"token_id": "$response.body#/id"}),))
def create_unit_token(ctx: Context, unit_id: str) -> Reply:
    return Reply(tokens.issue_unit_token(ctx.store, ctx.who, unit_id, ctx.body, ctx.now()))


@units.route("POST", "/v1/tokens", summary="Cấp mã truy cập quản trị hoặc lãnh đạo; mã chỉ hiện một lần",
             access=ADMIN, body=models.TokenIn, response=models.IssuedToken, status=201, errors=(404,))
def create_token(ctx: Context) -> Reply:
    return Reply(tokens.issue_staff_token(ctx.store, ctx.who, ctx.body, ctx.now()))


@units.route("GET", "/v1/tokens", summary="Danh sách mã truy cập (không bao giờ có mã bí mật)", access=ADMIN,
             response=models.TokenList, query=PAGED)
def list_tokens(ctx: Context) -> Reply:
    result = ctx.store.tokens.list(limit=ctx.limit, cursor=ctx.cursor)
    return Reply(page([tokens.public(t) for t in result.items], result.next))


@units.route("DELETE", "/v1/tokens/{token_id}", summary="Thu hồi mã truy cập", access=ADMIN, status=204,
             errors=(404,))
def revoke_token(ctx: Context, token_id: str) -> Reply:
    tokens.revoke(ctx.store, ctx.who, token_id, ctx.now())
    return Reply("", content_type="text/plain")
