"""Request bodies, validated with pydantic v2; the OpenAPI schemas come from here.

Strings are normalised to Unicode NFC before validation (see `chalicelib.api`),
and every text and list is capped so no body can grow an item past DynamoDB's
400 KB limit.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, create_model

from chalicelib.indicators import catalog

MAX_BODY_BYTES = 256 * 1024
MAX_ACHIEVEMENTS = 20_000
MAX_COMMENT = 2_000

UnitId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                         pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")]
UnitKind = Literal["ministry", "province", "department", "hospital", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class UnitIn(Strict):
    id: UnitId
    name: Name
    parent_id: Optional[UnitId] = None
    kind: UnitKind = "other"
    emails: list[Email] = Field(default_factory=list, max_length=20)


class UnitPatch(Strict):
    name: Optional[Name] = None
    parent_id: Optional[UnitId] = None
    kind: Optional[UnitKind] = None
    emails: Optional[list[Email]] = Field(default=None, max_length=20)


class TokenIn(Strict):
    role: Literal["admin", "leader"]
    name: Name


class UnitTokenIn(Strict):
    name: Optional[Name] = None


@cache
def indicator_values_model() -> type[BaseModel]:
    """A model with one optional whole-number field per catalog indicator."""
    fields = {
        i.code: (Optional[StrictInt], Field(default=None, ge=i.min, le=i.max,
                                             title=i.label, description=f"Đơn vị tính: {i.unit}"))
        for i in catalog().indicators
    }
    return create_model("IndicatorValues", __config__=ConfigDict(extra="forbid"), **fields)


@cache
def indicator_comments_model() -> type[BaseModel]:
    text = Annotated[str, StringConstraints(max_length=MAX_COMMENT)]
    fields = {i.code: (Optional[text], None) for i in catalog().indicators}
    return create_model("IndicatorComments", __config__=ConfigDict(extra="forbid"), **fields)


@cache
def report_in_model() -> type[BaseModel]:
    return create_model(
        "ReportIn",
        __config__=ConfigDict(extra="forbid"),
        values=(indicator_values_model(), ...),
        comments=(indicator_comments_model(), Field(default_factory=indicator_comments_model())),
        achievements=(Annotated[str, StringConstraints(max_length=MAX_ACHIEVEMENTS)], ""),
    )


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4_000)]


class ReviewIn(Strict):
    action: Literal["accept", "return"]
    note: Note = ""


class ExceptionIn(Strict):
    until: str = Field(description="ISO 8601 instant until which the unit may submit, e.g. 2021-09-20T23:59:59+07:00")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]


class PeriodSettingsIn(Strict):
    deadline: str = Field(description="ISO 8601 instant; reports after it are late and locked")
