"""The service itself: health, the OpenAPI document, who am I, the indicator catalog."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict

from chalicelib.core.access import PUBLIC, SIGNED_IN
from chalicelib.core.catalogs import indicator_catalog
from chalicelib.http.routing import Context, Feature, Reply
from chalicelib.units.models import Me

service = Feature(__name__, "service", "Trạng thái dịch vụ, tài liệu API và danh mục chỉ tiêu.")


class Health(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["ok"]


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    label: str
    unit: str
    type: Literal["integer"]
    min: int
    max: int
    main: bool
    example: Optional[int]


class CrossRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    field: str
    other: str
    message: str


class IndicatorCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicators: list[Indicator]
    rules: list[CrossRule]
    soft_rules: dict[str, int]


@service.route("GET", "/v1/health", summary="Trạng thái dịch vụ", access=PUBLIC, response=Health)
def health(ctx: Context) -> Reply:
    return Reply({"status": "ok"})


@service.route("GET", "/v1/openapi.json", summary="Tài liệu OpenAPI 3.1 này", access=PUBLIC,
               response=OpenApiDocument)
def openapi_document(ctx: Context) -> Reply:
    from chalicelib.http.openapi import document  # built on the first request, not at import

    return Reply(document())


@service.route("GET", "/v1/me", summary="Thông tin mã truy cập đang dùng", access=SIGNED_IN, response=Me)
def me(ctx: Context) -> Reply:
    return Reply(ctx.who.as_dict())


@service.route("GET", "/v1/indicators", summary="Danh mục chỉ tiêu báo cáo", access=SIGNED_IN,
               response=IndicatorCatalog)
def indicators(ctx: Context) -> Reply:
    return Reply(indicator_catalog().as_dict())
