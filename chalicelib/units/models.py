"""Request and response bodies of units and tokens (pydantic v2; the OpenAPI schemas come from here).

Strings arrive NFC-normalised (chalicelib.http); every text and list is capped.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, StrictInt, StringConstraints

from chalicelib.core.fields import Strict, line, safe_line

UnitId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Name = line(200)
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                         pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$"),
                  AfterValidator(safe_line)]
UnitKind = Literal["ministry", "province", "department", "hospital", "other"]


class UnitIn(Strict):
    id: UnitId
    name: Name
    parent_id: Optional[UnitId] = None
    kind: UnitKind = "other"
    emails: list[Email] = Field(default_factory=list, max_length=20)


class UnitPatch(Strict):
    """PATCH /v1/units/{id}: only the fields given change."""

    name: Optional[Name] = None
    parent_id: Optional[UnitId] = None
    kind: Optional[UnitKind] = None
    emails: Optional[list[Email]] = Field(default=None, max_length=20)


ValidDays = Annotated[StrictInt, Field(ge=1, le=3650, description="Số ngày mã còn hiệu lực (mặc định 365)")]


class TokenIn(Strict):
    role: Literal["admin", "leader"]
    name: Name
    valid_days: ValidDays = 365
    unit_id: Optional[UnitId] = Field(
        None, description="Đơn vị công tác của người giữ mã (để tránh chấm đề nghị của chính đơn vị mình)")


class UnitTokenIn(Strict):
    name: Optional[Name] = None
    valid_days: ValidDays = 365


# -- responses -------------------------------------------------------------------------

class UnitRef(Strict):
    id: str
    name: str


class Unit(Strict):
    id: str
    name: str
    parent_id: Optional[str]
    kind: UnitKind
    emails: list[str]
    created_at: str
    updated_at: str
    children: Optional[int] = Field(None, description="Số đơn vị cấp dưới trực tiếp (khi lọc theo parent hoặc q)")
    ancestors: Optional[list[UnitRef]] = Field(
        None, description="Các đơn vị cấp trên, cấp cao nhất trước (khi tìm theo q hoặc ids)")


class UnitList(Strict):
    items: list[Unit]
    next: Optional[str]
    total: Optional[int] = Field(None, description="Số đơn vị khớp (khi lọc theo parent hoặc q)")


class IssuedToken(Strict):
    """The secret `token` is shown here once and never again."""

    id: str
    token: str
    role: Literal["unit", "admin", "leader"]
    unit_id: Optional[str]
    name: str
    created_at: str
    valid_until: str


class TokenInfo(Strict):
    """A token as the office sees it: never its secret or hash."""

    id: str
    role: Literal["unit", "admin", "leader"]
    unit_id: Optional[str]
    name: str
    created_at: str
    created_by: Optional[str]
    valid_until: Optional[str]
    revoked_at: Optional[str]


class TokenList(Strict):
    items: list[TokenInfo]
    next: Optional[str]
