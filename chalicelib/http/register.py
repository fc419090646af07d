"""The register of commendations over HTTP: search and export, the import template, import and confirm."""

from __future__ import annotations

from chalicelib.core.access import ADMIN, SIGNED_IN
from chalicelib.http.context import Context, Reply
from chalicelib.http.declaration import PAGED, Feature, LazyModels, QueryParam

models = LazyModels("chalicelib.register.models")
register = Feature(__name__, "register", "Sổ theo dõi khen thưởng: tra cứu, xuất Excel, nhập dữ liệu các năm trước.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@register.route("GET", "/v1/register",
                summary="Tra cứu sổ theo dõi khen thưởng (tên không cần dấu, đơn vị, hình thức, năm), mới trước; "
                        "quản trị và lãnh đạo: mọi đơn vị; đơn vị: đơn vị mình và cấp dưới. "
                        f"Accept: {XLSX} cho tệp Excel mọi dòng tìm được",
                access=SIGNED_IN, response=models.RegisterPage, errors=(404,), alternates=(XLSX,),
                query=(QueryParam("q", "Họ tên hoặc tên tập thể, có dấu hoặc không dấu"),
                       QueryParam("unit_id", "Đơn vị (cả các đơn vị cấp dưới)"),
                       QueryParam("award_form", "Mã hình thức khen thưởng"),
                       QueryParam("year", "Năm quyết định (YYYY)"), *PAGED))
def search_register(ctx: Context) -> Reply:
    from chalicelib.register import service

    filters = {"q": ctx.query("q"), "unit_id": ctx.query("unit_id") or None,
               "award_form_code": ctx.query("award_form") or None, "year": ctx.query("year")}
    if ctx.accepts(XLSX):
        from chalicelib.register import workbook

        return Reply(workbook.export(service.search(ctx.store, ctx.who, **filters)), content_type=XLSX,
                     headers={"Content-Disposition": 'attachment; filename="so-theo-doi-khen-thuong.xlsx"'})
    return Reply(service.search_page(ctx.store, ctx.who, ctx.limit, ctx.cursor, **filters))


@register.route("GET", "/v1/register/template", summary="Tệp Excel mẫu để nhập sổ theo dõi khen thưởng các năm trước",
                access=ADMIN, produces=XLSX)
def register_template(ctx: Context) -> Reply:
    from chalicelib.register import workbook

    return Reply(workbook.template(), content_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="mau-so-theo-doi-khen-thuong.xlsx"'})


@register.route("POST", "/v1/register/imports",
                summary="Đọc tệp Excel các khen thưởng đã có: trả về các dòng đọc được và mọi lỗi theo dòng, cột; "
                        "chưa lưu gì vào sổ (xác nhận bằng POST .../confirm)",
                access=ADMIN, consumes=XLSX, max_body=MAX_IMPORT_BYTES, response=models.RegisterImport, status=201)
def import_register(ctx: Context) -> Reply:
    from chalicelib.register import service, workbook

    rows = workbook.read_rows(ctx.raw_body())
    return Reply(service.preview_import(ctx.store, ctx.who, rows, ctx.now()), 201)


@register.route("POST", "/v1/register/imports/{import_id}/confirm",
                summary="Xác nhận lần nhập: lưu mọi dòng vào sổ (409 khi tệp còn lỗi; xác nhận lại không ghi trùng)",
                access=ADMIN, response=models.RegisterImportConfirmed, errors=(404, 409))
def confirm_register_import(ctx: Context, import_id: str) -> Reply:
    from chalicelib.register import service

    return Reply(service.confirm_import(ctx.store, ctx.who, import_id, ctx.now()))
