"""The catalogs: which figures a report carries, their bounds and rules.

Indicators are data (`catalog/indicators.json`), not code: adding one is an edit
to that file. This module loads it and checks the cross-field rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Mapping

from chalicelib.core.errors import FieldError

CATALOG_PATH = Path(__file__).parent / "catalog" / "indicators.json"


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    min: int
    max: int
    main: bool = False
    example: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "unit": self.unit,
                "type": "integer", "min": self.min, "max": self.max, "main": self.main,
                "example": self.example}


@dataclass(frozen=True)
class Rule:
    kind: str      # "not_greater_than" | "requires_positive"
    field: str
    other: str
    message: str

    def check(self, values: Mapping[str, int | None]) -> FieldError | None:
        a, b = values.get(self.field), values.get(self.other)
        if self.kind == "not_greater_than" and a is not None and b is not None and a > b:
            return FieldError(f"values.{self.field}", self.message)
        if self.kind == "requires_positive" and (a or 0) > 0 and not (b or 0) > 0:
            return FieldError(f"values.{self.field}", self.message)
        return None

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "field": self.field, "other": self.other, "message": self.message}


@dataclass(frozen=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]
    outlier_factor: int

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def get(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def check_rules(self, values: Mapping[str, int | None]) -> list[FieldError]:
        return [e for e in (r.check(values) for r in self.rules) if e]

    def as_dict(self) -> dict[str, Any]:
        return {"indicators": [i.as_dict() for i in self.indicators],
                "rules": [r.as_dict() for r in self.rules],
                "soft_rules": {"outlier_factor": self.outlier_factor}}


@cache
def indicator_catalog() -> Catalog:
    raw = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    indicators = tuple(Indicator(**{k: v for k, v in i.items()}) for i in raw["indicators"])
    codes = {i.code for i in indicators}
    rules = tuple(Rule(**r) for r in raw["rules"])
    for r in rules:  # a typo in the catalog must fail loudly, not silently skip a rule
        if r.field not in codes or r.other not in codes:
            raise ValueError(f"catalog rule refers to unknown indicator: {r}")
    return Catalog(indicators, rules, int(raw.get("soft_rules", {}).get("outlier_factor", 10)))
