"""Chalice's own errors (404, 405, 415, 500 ...) in the same problem+json shape as ours."""

from __future__ import annotations

from typing import Any, Callable

from chalice import Chalice, Response

from chalicelib.http.problems import problem_response


def install_error_shaping(app: Chalice) -> None:
    @app.middleware("http")
    def problem_json(event: Any, get_response: Callable[[Any], Response]) -> Response:
        response = get_response(event)
        body = response.body
        if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
            status = response.status_code
            detail = "Lỗi hệ thống, vui lòng thử lại sau." if status >= 500 else str(body.get("Message", ""))
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
            return problem_response(status, str(body["Code"]), detail, headers=headers)
        return response
