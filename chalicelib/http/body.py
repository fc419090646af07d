"""The request body: JSON, NFC-normalised, nesting capped, validated by the route's model."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from chalicelib.core.errors import FieldError
from chalicelib.core.text import nfc_deep
from chalicelib.http import problems
from chalicelib.http.problems import HttpProblem

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.http.context import Context

MAX_BODY_BYTES = 256 * 1024
MAX_NESTING = 32  # our deepest body (a report's values) is 2 levels


def parse_body(ctx: Context, model: type[BaseModel]) -> BaseModel:
    raw = ctx.raw_body()
    if not raw and ctx.operation.body_optional:  # no body at all: the defaults; "  \n" is not JSON
        return model()
    if not raw.strip():
        raise HttpProblem(400, "Bad Request", "Thiếu nội dung yêu cầu (JSON).", [FieldError("body", "Thiếu nội dung JSON.")])
    if _nesting(raw) > MAX_NESTING:
        raise HttpProblem(422, "Unprocessable Content", f"JSON lồng nhau quá {MAX_NESTING} cấp.",
                          [FieldError("body", f"JSON lồng nhau quá {MAX_NESTING} cấp.")])
    try:
        data = nfc_deep(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HttpProblem(400, "Bad Request", "Nội dung yêu cầu không phải JSON hợp lệ.",
                          [FieldError("body", f"JSON không hợp lệ: {exc}")]) from None
    from pydantic import ValidationError  # only requests with a body pay for pydantic

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise problems.from_validation(exc) from None


def _nesting(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text (brackets inside strings do not count).

    Checked before parsing: Python's parser and our NFC walk recurse, and a body of a few
    thousand '[' would otherwise end in a RecursionError (a 500) instead of a 422.
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest
