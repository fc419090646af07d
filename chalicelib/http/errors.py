"""Chalice's own errors (404, 405, 415, 500 ...) in the same problem+json shape as ours."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable

from chalice import Chalice, Response

from chalicelib.http.problems import problem_response


def _title(status: int, code: str) -> str:
    """The status's reason phrase, as our own problems have ("Method Not Allowed")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return code


def install_error_shaping(app: Chalice) -> None:
    @app.middleware("http")
    def problem_json(event: Any, get_response: Callable[[Any], Response]) -> Response:
        response = get_response(event)
        body = response.body
        if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
            status = response.status_code
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
            if status >= 500:
                detail = "Lỗi hệ thống, vui lòng thử lại sau."
            elif status == 405:  # a method the path does not declare; Allow lists those it does
                detail = (f"Đường dẫn này không hỗ trợ phương thức {getattr(event, 'method', '')} "
                          f"(các phương thức được hỗ trợ: {headers.get('Allow', '')}).")
            else:
                detail = str(body.get("Message", ""))
            return problem_response(status, _title(status, str(body["Code"])), detail, headers=headers)
        return response
