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


# -- award forms and the scoring rubric ----------------------------------------------------

AWARD_FORMS_PATH = Path(__file__).parent / "catalog" / "award_forms.json"
SCORING_PATH = Path(__file__).parent / "catalog" / "scoring.json"


@dataclass(frozen=True)
class AwardForm:
    code: str
    name: str
    for_kinds: tuple[str, ...]   # "collective", "individual"
    precedence: int              # 1 is the highest
    granted_by: str = "bo-cong-an"  # an issuer id (issuers.json), or "unit_head" (Giấy khen)
    short: str = ""              # as a Quyết định names it after "tặng"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "for": list(self.for_kinds), "precedence": self.precedence}


@cache
def award_forms() -> tuple[AwardForm, ...]:
    raw = json.loads(AWARD_FORMS_PATH.read_text(encoding="utf-8"))
    forms = tuple(sorted((AwardForm(f["code"], f["name"], tuple(f["for"]), int(f["precedence"]),
                                    f.get("granted_by", "bo-cong-an"), f.get("short") or f["name"])
                          for f in raw["award_forms"]), key=lambda f: f.precedence))
    for f in forms:
        if not f.for_kinds or set(f.for_kinds) - {"collective", "individual"}:
            raise ValueError(f"award form {f.code}: 'for' must name collective and/or individual")
    return forms


def award_form(code: str) -> AwardForm | None:
    return next((f for f in award_forms() if f.code == code), None)


ISSUERS_PATH = Path(__file__).parent / "catalog" / "issuers.json"


@cache
def issuer_catalog() -> dict[str, Any]:
    """Issuing bodies, the legal bases in force and the defaults for unit heads (issuers.json).
    `chalicelib.documents.issuers` turns it into Issuer records."""
    return json.loads(ISSUERS_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: float
    description: str = ""  # what a reviewer weighs under it (the scoring page shows it)


@dataclass(frozen=True)
class Rubric:
    automatic_weight: float
    reviewer_weight: float
    per: str | None                         # the indicator figures are divided by (size)
    indicators: dict[str, float]            # indicator code -> weight in the automatic part
    criteria: tuple[Criterion, ...]
    criterion_max: int

    def as_dict(self) -> dict[str, Any]:
        return {"automatic_weight": self.automatic_weight, "reviewer_weight": self.reviewer_weight,
                "automatic": {"per": self.per, "indicators": self.indicators},
                "criteria": [{"code": c.code, "label": c.label, "weight": c.weight} for c in self.criteria],
                "criterion_max": self.criterion_max}


@cache
def scoring_rubric() -> Rubric:
    raw = json.loads(SCORING_PATH.read_text(encoding="utf-8"))
    codes = set(indicator_catalog().codes)
    auto = raw["automatic"]
    unknown = (set(auto["indicators"]) | ({auto["per"]} if auto.get("per") else set())) - codes
    if unknown:  # a typo in the rubric must fail loudly
        raise ValueError(f"scoring rubric names unknown indicators: {sorted(unknown)}")
    return Rubric(float(raw["automatic_weight"]), float(raw["reviewer_weight"]), auto.get("per"),
                  {k: float(v) for k, v in auto["indicators"].items()},
                  tuple(Criterion(c["code"], c["label"], float(c["weight"]), c.get("description", ""))
                        for c in raw["criteria"]),
                  int(raw.get("criterion_max", 10)))


# -- eligibility rules ---------------------------------------------------------------------

ELIGIBILITY_PATH = Path(__file__).parent / "catalog" / "eligibility.json"
RULE_KINDS = ("not_again_within_years", "prerequisite_each_year", "kinds", "unit_cap")


@dataclass(frozen=True)
class EligibilityRule:
    """One condition an award form's nominee should meet (eligibility.json); a miss is a warning,
    not a refusal: the office may approve over it with a note."""

    rule: str                        # one of RULE_KINDS
    citation: str                    # the legal text (or "Quy định của Văn phòng Bộ (cấu hình) …")
    years: int | None = None         # not_again_within_years, prerequisite_each_year
    award_form: str | None = None    # prerequisite_each_year: the form held in each of the years
    kinds: tuple[str, ...] = ()      # kinds: "collective" / "individual"
    max: int | None = None           # unit_cap: nominations of the form per nominating unit and conference


def _eligibility_rule(form: str, raw: dict[str, Any]) -> EligibilityRule:
    rule = EligibilityRule(rule=raw["rule"], citation=raw.get("citation", "").strip(),
                           years=int(raw["years"]) if raw.get("years") is not None else None,
                           award_form=raw.get("award_form"), kinds=tuple(raw.get("kinds") or ()),
                           max=int(raw["max"]) if raw.get("max") is not None else None)
    # a typo in the catalog must fail loudly, not silently drop a condition
    problems = []
    if rule.rule not in RULE_KINDS:
        problems.append(f"unknown rule {rule.rule!r}")
    if not rule.citation:
        problems.append("no citation")
    if rule.rule in ("not_again_within_years", "prerequisite_each_year") and not (rule.years or 0) >= 1:
        problems.append("'years' must be >= 1")
    if rule.rule == "prerequisite_each_year" and award_form(rule.award_form or "") is None:
        problems.append(f"unknown prerequisite award form {rule.award_form!r}")
    if rule.rule == "kinds" and (not rule.kinds or set(rule.kinds) - {"collective", "individual"}):
        problems.append("'kinds' must name collective and/or individual")
    if rule.rule == "unit_cap" and not (rule.max or 0) >= 1:
        problems.append("'max' must be >= 1")
    if problems:
        raise ValueError(f"eligibility rule of {form}: {', '.join(problems)}: {raw}")
    return rule


def parse_eligibility(raw: dict[str, Any]) -> dict[str, tuple[EligibilityRule, ...]]:
    out = {}
    for form, rules in (raw.get("award_forms") or {}).items():
        if award_form(form) is None:
            raise ValueError(f"eligibility catalog names an unknown award form: {form!r}")
        out[form] = tuple(_eligibility_rule(form, r) for r in rules)
    return out


@cache
def eligibility_rules() -> dict[str, tuple[EligibilityRule, ...]]:
    """Award form code -> its rules (a form not in the catalog has none)."""
    return parse_eligibility(json.loads(ELIGIBILITY_PATH.read_text(encoding="utf-8")))
