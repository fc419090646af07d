"""Field types shared by the request models: user text that is safe to print and to put in a header.

`Line` refuses line breaks and control, formatting (bidi, zero-width) and unassigned characters;
`Prose` allows line breaks and tabs but nothing else of those. Both refuse text with nothing visible.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from chalicelib.core.text import clean_prose, text_problem


class Strict(BaseModel):
    """The base of every request and response model: unknown fields are refused. Validators are
    built on first use, not at import: an API Lambda's cold start pays only for the routes it serves."""
    model_config = ConfigDict(extra="forbid", defer_build=True)


def _line(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError("unsafe_text", problem)
    return value


def _prose(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem:
        raise PydanticCustomError("unsafe_text", problem)
    return value


def _fold_newlines(value: object) -> object:
    return clean_prose(value) if isinstance(value, str) else value


def line(max_length: int, min_length: int = 1) -> type[str]:
    """A one-line text field (a name, a title, a place)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_line)]  # type: ignore[return-value]


def _at_least(min_length: int):
    def check(value: str) -> str:
        # after stripping: "   " is not a reason, " \n " is no achievement
        if len(value.strip()) < min_length:
            raise PydanticCustomError("string_too_short", "Không được để trống.")
        return value
    return check


def prose(max_length: int, min_length: int = 0) -> type[str]:
    """A text field that may span lines (achievements, notes, comments)."""
    return Annotated[str, BeforeValidator(_fold_newlines),
                     StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_prose), AfterValidator(_at_least(min_length))]  # type: ignore[return-value]


safe_line = _line
