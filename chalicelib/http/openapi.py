"""The OpenAPI 3.1 document, generated from the route declarations and their pydantic models.

Built on the first request for it, never at import (it costs a cold start ~0.1 s).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.http.declaration import PUBLISHED, Operation

REF = "#/components/schemas/{model}"

PROBLEM = {
    "type": "object",
    "required": ["status", "title"],
    "properties": {
        "type": {"type": "string"}, "status": {"type": "integer"}, "title": {"type": "string"},
        "detail": {"type": "string"}, "reason": {"type": "string", "description": "Lý do khóa (423)"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                                              "properties": {"field": {"type": "string"},
                                                             "message": {"type": "string"}}}},
    },
}

_STATUS_TEXT = {
    400: "JSON không hợp lệ hoặc thiếu nội dung", 401: "Thiếu hoặc sai mã truy cập",
    403: "Mã truy cập hợp lệ nhưng không có quyền", 404: "Không tìm thấy", 406: "Không chấp nhận kiểu nội dung",
    409: "Xung đột với trạng thái hiện tại", 412: "ETag không khớp (đã có thay đổi sau lần đọc)",
    413: "Nội dung quá lớn", 415: "Kiểu nội dung không được hỗ trợ", 422: "Dữ liệu không hợp lệ",
    423: "Đã khóa (hết hạn, đã duyệt, đã chốt)", 428: "Cần If-Match", 503: "Tạm thời không phục vụ được; thử lại sau",
}

_PATH_PARAMS = {
    "unit_id": {"description": "Mã đơn vị", "example": "ca-nghe-an"},
    "period": {"description": "Kỳ báo cáo: YYYY-MM, YYYY-Www hoặc YYYY-Qn", "example": "2021-08",
               "schema": {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4][0-9]|5[0-3])|Q[1-4])$"}},
    "token_id": {"description": "Mã định danh của mã truy cập", "example": "3f9a0c2d4b6e8a10"},
    "conference_id": {"description": "Mã hội nghị", "example": "20210805-k3f9qa"},
    "document_id": {"description": "Mã văn bản (có thể viết 7K3F-Q2MD)", "example": "7K3FQ2MD"},
}


def _models(ops: list[Operation]) -> tuple[dict[tuple[type[BaseModel], str], str], dict[str, Any]]:
    """One schema per model (request models in validation mode, responses in serialization mode)."""
    wanted: list[tuple[type[BaseModel], Any]] = []
    for op in ops:
        if op.body_model() is not None:
            wanted.append((op.body_model(), "validation"))
        if op.response is not None:
            wanted.append((op.response_model(), "serialization"))
    wanted = list(dict.fromkeys(wanted))
    refs, defs = models_json_schema(wanted, ref_template=REF)
    names = {key: value["$ref"].rsplit("/", 1)[1] for key, value in refs.items()}
    return names, defs.get("$defs", {})


def _operation(op: Operation, names: dict[tuple[type[BaseModel], str], str]) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                           "description": f"Quyền: {op.access.description}"}
    params: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}, **_PATH_PARAMS.get(p, {})}
        for p in op.path_params]
    params += [{"name": q.name, "in": "query", "required": False, "schema": q.schema, "description": q.description,
                **({"example": q.example} if q.example is not None else {})} for q in op.query]
    if op.if_match:
        params.append({"$ref": "#/components/parameters/IfMatchRequired" if op.if_match_required
                       else "#/components/parameters/IfMatch"})
    if op.idempotent:
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
    if params:
        out["parameters"] = params
    body = op.body_model()
    if body is not None:
        out["requestBody"] = {"required": not op.body_optional, "content": {
            "application/json": {"schema": {"$ref": REF.format(model=names[(body, "validation")])}}}}
    elif op.consumes is not None:
        out["requestBody"] = {"required": True, "content": {
            op.consumes: {"schema": {"type": "string", "format": "binary"}}}}
    if op.access.public:
        out["security"] = []
    responses: dict[str, Any] = {}
    for status in op.success:
        response: dict[str, Any] = {"description": "Thành công"}
        if 300 <= status < 400:  # a redirect: where the body is (a large file's short-lived address)
            responses[str(status)] = {"description": "Tải tại địa chỉ trong Location (tạm thời)", "headers": {
                "Location": {"$ref": "#/components/headers/Location"}}}
            continue
        if status == 204:
            response["description"] = "Đã xong, không có nội dung"
        elif op.produces != "application/json":
            # A "+json" body (the portal's web app manifest) is JSON, whatever its own schema; others are bytes.
            schema = {"type": "object"} if op.produces.endswith("+json") else {"type": "string", "format": "binary"}
            response["content"] = {op.produces: {"schema": schema}}
        elif op.response is not None:
            response["content"] = {"application/json": {
                "schema": {"$ref": REF.format(model=names[(op.response_model(), "serialization")])}}}
            for media in op.alternates:
                response["content"][media] = {"schema": {"type": "string", "format": "binary"}}
        headers = {}
        if op.etag:
            headers["ETag"] = {"$ref": "#/components/headers/ETag"}
        if op.location and status == op.status:
            headers["Location"] = {"$ref": "#/components/headers/Location"}
        if headers:
            response["headers"] = headers
        if op.links and status == op.status:
            response["links"] = {target: {"operationId": target, "parameters": params} for target, params in op.links}
        responses[str(status)] = response
    for status in op.failures:
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    out["responses"] = responses
    return out


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "Lỗi"), "content": {
        "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}
    if status in (409, 503):
        response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def build(ops: list[Operation]) -> dict[str, Any]:
    names, schemas = _models(ops)
    paths: dict[str, Any] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, names)
    statuses = sorted({s for op in ops for s in op.failures})
    return {
        "openapi": "3.1.0",
        "info": {"title": "thidua API", "version": "1.0.0",
                 "description": "Báo cáo định kỳ, khen thưởng và hội nghị của Bộ và các đơn vị."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**schemas, "Problem": PROBLEM},
            "responses": {f"Problem{s}": _problem_response(s) for s in statuses},
            "parameters": {
                "IfMatch": {"name": "If-Match", "in": "header", "schema": {"type": "string"},
                            "description": "ETag của lần đọc gần nhất; bắt buộc khi thay thế báo cáo."},
                "IfMatchRequired": {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
                                    "description": "ETag của lần đọc gần nhất; thiếu thì trả 428."},
                "IdempotencyKey": {"name": "Idempotency-Key", "in": "header",
                                   "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                                   "description": "Gửi lại cùng khóa, cùng đường dẫn và cùng nội dung trả về "
                                                  "phản hồi đầu tiên."},
            },
            "headers": {
                "ETag": {"description": "Phiên bản hiện tại; gửi lại trong If-Match", "schema": {"type": "string"}},
                "Location": {"description": "Đường dẫn của tài nguyên", "schema": {"type": "string"}},
                "RetryAfter": {"description": "Số giây nên chờ trước khi thử lại", "schema": {"type": "integer"}},
            },
        },
    }


@cache
def document() -> dict[str, Any]:
    """The app's document: every published feature (`chalicelib.http.features`, imported by the app)."""
    assert PUBLISHED, "import chalicelib.http.features (the app does) before asking for its document"
    doc = build([op for feature in PUBLISHED for op in feature.operations])
    doc["tags"] = [{"name": f.tag, "description": f.description} for f in PUBLISHED]
    return doc
