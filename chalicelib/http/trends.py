"""Trends over HTTP (admins and leaders): one indicator across periods for the whole unit tree or
a subtree, and the units that moved most. The rules are in `chalicelib.reporting.trends`."""

from __future__ import annotations

from chalicelib.core.access import STAFF
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import Feature, LazyModels, QueryParam
from chalicelib.reporting import trends as domain
from chalicelib.units.service import TREE_FIELDS

models = LazyModels("chalicelib.reporting.trend_models")
trends = Feature(__name__, "trends", "Xu hướng: chỉ tiêu qua các kỳ theo cây đơn vị (quản trị và lãnh đạo).")


@trends.route("GET", "/v1/trends",
              summary="Xu hướng một chỉ tiêu qua các kỳ, cho toàn bộ cây đơn vị hoặc một nhánh: mỗi kỳ là tổng "
                      "chỉ tiêu trên các báo cáo hiện hành ở trạng thái đã nộp (submitted) hoặc đã duyệt (accepted) "
                      "của mọi đơn vị trong nhánh, kể cả đơn vị được chọn (báo cáo bị trả lại không tính), và số "
                      "đơn vị đã nộp; cùng tối đa 10 đơn vị tăng và 10 đơn vị giảm nhiều nhất giữa kỳ đầu và kỳ "
                      f"cuối (đơn vị cấp dưới trực tiếp, mỗi đơn vị tính cả nhánh). Tối đa {domain.MAX_PERIODS} kỳ",
              access=STAFF, response=models.Trends, errors=(404,),
              query=(QueryParam("indicator", "Mã chỉ tiêu (GET /v1/indicators)", example="officers_mobilised"),
                     QueryParam("unit", "Mã đơn vị gốc của nhánh; bỏ trống: toàn bộ cây đơn vị", example="cuc-y-te"),
                     QueryParam("from", f"Kỳ đầu (YYYY-MM, YYYY-Www, YYYY-Qn); mặc định {domain.DEFAULT_PERIODS} "
                                        "kỳ kết thúc ở kỳ cuối", example="2021-06"),
                     QueryParam("to", "Kỳ cuối, cùng loại với from; mặc định tháng hiện tại", example="2021-08")))
def get_trends(ctx: Context) -> Reply:
    return Reply(domain.trends_for(ctx.store, ctx.query("indicator"), ctx.query("unit") or None,
                                   ctx.query("from"), ctx.query("to"), ctx.now()))


@trends.route("GET", "/v1/trends/units",
              summary="Mọi đơn vị (mã, tên, đơn vị cấp trên) theo thứ tự cây, cho ô chọn đơn vị của màn hình Xu "
                      "hướng; lãnh đạo không đọc được danh sách đơn vị đầy đủ (GET /v1/units)",
              access=STAFF, response=models.UnitChoiceList)
def trend_units(ctx: Context) -> Reply:
    # the picker of the Xu hướng screen lists every unit in tree order: the tree, projected
    return Reply(page(domain.unit_choices(ctx.store.units.all(attrs=TREE_FIELDS)), None))
