"""OpenAPI fragments for the conference and document routes (wired by chalicelib.openapi)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .models import ConferenceIn, ConferencePatch

_ID = {"name": "conference_id", "in": "path", "required": True, "schema": {"type": "string"},
       "example": "20210805-k3f9qa"}
_DOC = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"},
        "example": "7K3FQ2MD", "description": "Mã văn bản (có thể viết 7K3F-Q2MD)"}
_PAGED = [{"$ref": "#/components/parameters/cursor"}, {"$ref": "#/components/parameters/limit"}]


def _op(summary: str, ok: int = 200, **kwargs: Any) -> dict[str, Any]:
    from chalicelib.openapi import _op as operation

    return operation(summary, ok=ok, tags=("conferences",), **kwargs)


def openapi_paths() -> dict[str, Any]:
    """Path items to merge into the document's `paths`."""
    return {
        "/v1/conferences": {
            "post": _op("Tạo hội nghị (admin); máy chủ cấp id dạng <yyyymmdd>-<6 ký tự>", 201,
                        body="ConferenceIn", errors=(422,)),
            "get": {**_op("Danh sách hội nghị (admin, lãnh đạo)"), "parameters": _PAGED},
        },
        "/v1/conferences/{conference_id}": {
            "parameters": [_ID],
            "get": _op("Xem hội nghị (kèm ETag)", errors=(404,)),
            "patch": {**_op("Sửa hội nghị (admin); If-Match tùy chọn", body="ConferencePatch",
                            errors=(404, 412, 422)),
                      "parameters": [{"$ref": "#/components/parameters/IfMatch"}]},
        },
        "/v1/conferences/{conference_id}/shortlist": {
            "parameters": [_ID],
            "get": _op("Danh sách đề nghị khen thưởng đã xếp hạng (chưa có đề nghị: danh sách rỗng)",
                       errors=(404,)),
        },
        "/v1/conferences/{conference_id}/compile": {
            "parameters": [_ID],
            "post": _op("Yêu cầu tổng hợp báo cáo; lần chạy định kỳ kế tiếp thực hiện (202)", 202,
                        errors=(404,)),
        },
        "/v1/conferences/{conference_id}/documents": {
            "parameters": [_ID],
            "get": {**_op("Các văn bản đã tổng hợp: kind, version, number, sha256, url", errors=(404,)),
                    "parameters": _PAGED},
        },
        "/v1/documents/{document_id}/file": {
            "parameters": [_DOC],
            "get": _op("Tải tệp PDF (admin, lãnh đạo); cần Accept: application/pdf", errors=(404, 406),
                       content="application/pdf"),
        },
        "/v1/documents/{document_id}/verify": {
            "parameters": [_DOC],
            "get": _op("Xác thực văn bản: số, trích yếu, ngày, SHA-256 (không cần đăng nhập)", auth=False,
                       errors=(404,)),
        },
    }


def openapi_models() -> list[type[BaseModel]]:
    """Request models to add to `components.schemas`."""
    return [ConferenceIn, ConferencePatch]
