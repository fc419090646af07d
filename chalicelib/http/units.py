"""Units and tokens (admin): the ministry's tree and who may act for it."""

from __future__ import annotations

from chalicelib.core.access import ADMIN
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import PAGED, Feature, LazyModels
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


@units.route("GET", "/v1/units", summary="Danh sách đơn vị", access=ADMIN, response=models.UnitList, query=PAGED)
def list_units(ctx: Context) -> Reply:
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
