"""Response models of the service routes (health, the OpenAPI document, the indicator catalog).

Imported when first needed (see `declaration.Lazy`), never by importing the app.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict

from chalicelib.core.fields import Strict


class Health(Strict):
    status: Literal["ok"]


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


class Indicator(Strict):
    code: str
    label: str
    unit: str
    type: Literal["integer"]
    min: int
    max: int
    main: bool
    example: Optional[int]


class CrossRule(Strict):
    kind: str
    field: str
    other: str
    message: str


class IndicatorCatalog(Strict):
    indicators: list[Indicator]
    rules: list[CrossRule]
    soft_rules: dict[str, int]
