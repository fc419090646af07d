"""The service itself: health, the OpenAPI document, who am I, the indicator catalog."""

from __future__ import annotations


from chalicelib.core.access import PUBLIC, SIGNED_IN
from chalicelib.http.context import Context, Reply
from chalicelib.http.declaration import Feature, LazyModels

models = LazyModels("chalicelib.http.service_models")
service = Feature(__name__, "service", "Trạng thái dịch vụ, tài liệu API và danh mục chỉ tiêu.")


@service.route("GET", "/v1/health", summary="Trạng thái dịch vụ", access=PUBLIC, response=models.Health)
def health(ctx: Context) -> Reply:
    return Reply({"status": "ok"})


@service.route("GET", "/v1/openapi.json", summary="Tài liệu OpenAPI 3.1 này", access=PUBLIC,
               response=models.OpenApiDocument)
def openapi_document(ctx: Context) -> Reply:
    from chalicelib.http.openapi import document  # built on the first request, not at import

    return Reply(document())


@service.route("GET", "/v1/indicators", summary="Danh mục chỉ tiêu báo cáo", access=SIGNED_IN,
               response=models.IndicatorCatalog)
def indicators(ctx: Context) -> Reply:
    from chalicelib.core.catalogs import indicator_catalog  # not at import: /v1/me and health never read it

    return Reply(indicator_catalog().as_dict())
