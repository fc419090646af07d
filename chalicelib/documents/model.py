"""Plain data handed to the document renderer: no AWS, no I/O, no WeasyPrint."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    label: str
    unit: str
    total: int
    previous: int | None  # previous period total, None when unknown


@dataclass(frozen=True)
class UnitRow:
    unit_id: str
    name: str
    depth: int  # 0 = ministry, 1 = province/department, 2 = sub-unit
    values: dict[str, int | None]  # rows already in tree order, totals rolled up


@dataclass(frozen=True)
class Highlight:
    unit_name: str
    text: str  # untrusted user prose: always autoescaped
    period_label: str | None = None  # where the text comes from, when the report covers several periods


@dataclass(frozen=True)
class PeriodText:
    period_label: str  # "tháng 7 năm 2021"
    text: str  # untrusted user prose


@dataclass(frozen=True)
class UnitPeriodTexts:
    """One unit's achievements period by period (the annex the conference may ask for)."""

    unit_name: str
    periods: list[PeriodText]


@dataclass(frozen=True)
class CompletenessRow:
    unit_name: str
    status: str  # Vietnamese label, e.g. "Đúng hạn", "Muộn", "Chưa nộp"


@dataclass(frozen=True)
class Signer:
    title: str
    name: str


@dataclass(frozen=True)
class SummaryDocument:
    upper_agency: str
    agency: str
    number: str
    place: str
    issued_on: datetime.date
    title: str
    period_label: str
    previous_label: str | None
    indicators: list[IndicatorLine]
    main_indicator_codes: list[str]
    unit_rows: list[UnitRow]
    highlights: list[Highlight]
    completeness: list[CompletenessRow]
    recipients: list[str]
    signer: Signer
    verify_url: str
    verify_code: str
    period_texts: list[UnitPeriodTexts] = field(default_factory=list)  # empty: no such annex


@dataclass(frozen=True)
class CommendationEntry:
    name: str  # person's full name, or the collective's name
    position: str  # rank and position ("Đại tá, Giám đốc"), "" for collectives
    unit_name: str  # the nominee's unit
    summary: str  # one line of achievements (already shortened by the builder)


@dataclass(frozen=True)
class CommendationGroup:
    award_form_name: str  # "Bằng khen của Bộ trưởng Bộ Công an"
    kind: str  # "collective" | "individual"
    entries: list[CommendationEntry]  # already in final order


@dataclass(frozen=True)
class CommendationDocument:
    upper_agency: str
    agency: str
    number: str | None  # "01/DS-BCA" (or "01"); None for a draft: "Số:      /DS-BCA"
    number_prefix: str  # "DS-BCA"
    place: str
    issued_on: datetime.date
    title: str  # trích yếu
    draft: bool  # True: a boxed "DỰ THẢO" on page 1 and in the <title>
    groups: list[CommendationGroup]  # already in final order
    recipients: list[str]
    signer: Signer
    verify_url: str
    verify_code: str
