"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from chalicelib.models import (ExceptionIn, PeriodSettingsIn, ReviewIn, TokenIn, UnitIn, UnitPatch, UnitTokenIn,
                               report_in_model)

REF = "#/components/schemas/{model}"

PROBLEM = {
    "type": "object",
    "required": ["status", "title"],
    "properties": {
        "type": {"type": "string"}, "status": {"type": "integer"}, "title": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                                              "properties": {"field": {"type": "string"},
                                                             "message": {"type": "string"}}}},
    },
}


def _schemas(models: list[type[BaseModel]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


def _op(summary: str, *, body: str | None = None, ok: int = 200, auth: bool = True,
        errors: tuple[int, ...] = (), headers: tuple[str, ...] = (), content: str | None = None,
        tags: tuple[str, ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {str(ok): {"description": "OK"}}}
    if tags:
        op["tags"] = list(tags)
    if content:
        op["responses"][str(ok)]["content"] = {content: {"schema": {"type": "string", "format": "binary"}}}
    if body:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": REF.format(model=body)}}}}
    if not auth:
        op["security"] = []
    for status in ((401, 403) if auth else ()) + errors:
        op["responses"][str(status)] = {"$ref": "#/components/responses/Problem"}
    if headers:
        op["parameters"] = [{"$ref": f"#/components/parameters/{h}"} for h in headers]
    return op


@cache
def document() -> dict[str, Any]:
    report_in = report_in_model()
    paged = ({"$ref": "#/components/parameters/cursor"}, {"$ref": "#/components/parameters/limit"})
    paths: dict[str, Any] = {
        "/v1/health": {"get": _op("Trạng thái dịch vụ", auth=False)},
        "/v1/openapi.json": {"get": _op("Tài liệu OpenAPI này", auth=False)},
        "/v1/me": {"get": _op("Thông tin mã truy cập đang dùng")},
        "/v1/indicators": {"get": _op("Danh mục chỉ tiêu báo cáo")},
        "/v1/units": {
            "post": _op("Tạo đơn vị (admin)", body="UnitIn", ok=201, errors=(409, 422),
                        headers=("IdempotencyKey",)),
            "get": {**_op("Danh sách đơn vị (admin)"), "parameters": list(paged)},
        },
        "/v1/units/{unit_id}": {
            "get": _op("Xem đơn vị (admin)", errors=(404,)),
            "patch": _op("Sửa đơn vị (admin)", body="UnitPatch", errors=(404, 409, 422)),
        },
        "/v1/units/{unit_id}/tokens": {
            "post": _op("Cấp mã truy cập cho đơn vị (admin); mã chỉ hiện một lần", body="UnitTokenIn",
                        ok=201, errors=(404,)),
        },
        "/v1/tokens": {"post": _op("Cấp mã truy cập admin/leader (admin)", body="TokenIn", ok=201)},
        "/v1/tokens/{token_id}": {"delete": _op("Thu hồi mã truy cập (admin)", ok=204, errors=(404,))},
        "/v1/units/{unit_id}/reports/{period}": {
            "put": _op("Gửi (201) hoặc thay thế (200, cần If-Match) báo cáo kỳ", body="ReportIn", ok=201,
                       errors=(400, 412, 413, 422, 423, 428), headers=("IfMatch", "IdempotencyKey")),
            "get": _op("Đọc báo cáo kỳ (kèm ETag)", errors=(404,)),
        },
        "/v1/units/{unit_id}/reports/{period}/revisions": {
            "get": {**_op("Các phiên bản đã gửi của báo cáo", errors=(404,)), "parameters": list(paged)},
        },
        "/v1/units/{unit_id}/reports": {
            "get": {**_op("Báo cáo của đơn vị theo khoảng kỳ", errors=(422,)), "parameters": [
                {"name": "from", "in": "query", "schema": {"type": "string"}, "example": "2021-06"},
                {"name": "to", "in": "query", "schema": {"type": "string"}, "example": "2021-08"}, *paged]},
        },
        "/v1/units/{unit_id}/reports/{period}/review": {
            "post": _op("Duyệt (accept) hoặc trả lại (return, kèm ghi chú) báo cáo (admin)", body="ReviewIn",
                        errors=(404, 412, 422), headers=("IfMatch",)),
        },
        "/v1/units/{unit_id}/reports/{period}/exception": {
            "post": _op("Cấp ngoại lệ nộp sau hạn cho đơn vị (admin)", body="ExceptionIn", ok=201,
                        errors=(404, 422)),
        },
        "/v1/units/{unit_id}/reports/{period}/audit": {
            "get": {**_op("Nhật ký thay đổi của báo cáo (admin)"), "parameters": list(paged)},
        },
        "/v1/periods/{period}": {
            "get": _op("Kỳ báo cáo và hạn nộp", errors=(422,)),
            "put": _op("Đặt hạn nộp của kỳ (admin)", body="PeriodSettingsIn", errors=(422,)),
        },
        "/v1/periods/{period}/completeness": {
            "get": _op("Tình hình nộp báo cáo theo đơn vị, cộng dồn theo cây đơn vị (admin)", errors=(422,)),
        },
    }
    from chalicelib.conferences.openapi import openapi_models, openapi_paths

    paths.update(openapi_paths())
    for path, ops in paths.items():
        params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in ("unit_id", "period", "token_id") if "{" + p + "}" in path]
        if params and "parameters" not in ops:
            ops["parameters"] = params
    return {
        "openapi": "3.1.0",
        "info": {"title": "thidua API", "version": "1.0.0",
                 "description": "Báo cáo định kỳ, khen thưởng và hội nghị của Bộ và các đơn vị."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**_schemas([UnitIn, UnitPatch, TokenIn, UnitTokenIn, report_in, ReviewIn, ExceptionIn,
                                     PeriodSettingsIn, *openapi_models()]), "Problem": PROBLEM},
            "responses": {"Problem": {"description": "Lỗi (RFC 9457)", "content": {
                "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}},
            "parameters": {
                "IfMatch": {"name": "If-Match", "in": "header", "schema": {"type": "string"},
                            "description": "ETag của lần đọc gần nhất; bắt buộc khi thay thế."},
                "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                                   "description": "Gửi lại cùng khóa và cùng nội dung trả về phản hồi đầu tiên."},
                "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                        "maximum": 100}},
            },
        },
    }
