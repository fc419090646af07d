"""Plain data handed to the document renderer: no AWS, no I/O, no WeasyPrint."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


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
