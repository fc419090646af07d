"""Reporting periods: `YYYY-MM` (monthly, the default cycle), `YYYY-Www`, `YYYY-Qn`.

The string form sorts correctly within one kind, which the store relies on for
range queries (`2021-07` < `2021-08`, `2021-W09` < `2021-W10`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_PATTERNS = {
    # [0-9], not \d: other scripts' digits are not a period code; fullmatch: no trailing newline
    "month": re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])"),
    "week": re.compile(r"([0-9]{4})-W(0[1-9]|[1-4][0-9]|5[0-3])"),
    "quarter": re.compile(r"([0-9]{4})-Q([1-4])"),
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    year: int
    number: int  # month 1-12, ISO week 1-53, quarter 1-4

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "week":
            return f"{self.year:04d}-W{self.number:02d}"
        return f"{self.year:04d}-Q{self.number}"

    def __str__(self) -> str:
        return self.code

    @property
    def start(self) -> date:
        if self.kind == "month":
            return date(self.year, self.number, 1)
        if self.kind == "week":
            return date.fromisocalendar(self.year, self.number, 1)
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """Last day of the period, inclusive."""
        return self.next().start - timedelta(days=1)

    def next(self) -> "Period":
        if self.kind == "month":
            return Period("month", self.year + self.number // 12, self.number % 12 + 1)
        if self.kind == "week":
            d = self.start + timedelta(days=7)
            y, w, _ = d.isocalendar()
            return Period("week", y, w)
        return Period("quarter", self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> "Period":
        if self.kind == "month":
            return Period("month", self.year - (self.number == 1), (self.number - 2) % 12 + 1)
        if self.kind == "week":
            d = self.start - timedelta(days=7)
            y, w, _ = d.isocalendar()
            return Period("week", y, w)
        return Period("quarter", self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def deadline(self, days_after_end: int) -> datetime:
        """End of the last day a report is on time, Vietnam time."""
        last = self.end + timedelta(days=days_after_end)
        return datetime.combine(last, time(23, 59, 59), tzinfo=VN_TZ)

    @property
    def label(self) -> str:
        """Vietnamese name, e.g. "tháng 8 năm 2021", "quý III năm 2021"."""
        if self.kind == "month":
            return f"tháng {self.number} năm {self.year}"
        if self.kind == "week":
            return f"tuần {self.number} năm {self.year}"
        return f"quý {_ROMAN[self.number]} năm {self.year}"


    @property
    def short_label(self) -> str:
        """The picker's name, e.g. "Tháng 8/2021", "Tuần 5/2021", "Quý III/2021"."""
        if self.kind == "month":
            return f"Tháng {self.number}/{self.year}"
        if self.kind == "week":
            return f"Tuần {self.number}/{self.year}"
        return f"Quý {_ROMAN[self.number]}/{self.year}"


def period_containing(kind: str, day: date) -> Period:
    """The period of `kind` ("month", "week", "quarter") that `day` falls in."""
    if kind == "month":
        return Period("month", day.year, day.month)
    if kind == "week":
        year, week, _ = day.isocalendar()
        return Period("week", year, week)
    if kind == "quarter":
        return Period("quarter", day.year, (day.month - 1) // 3 + 1)
    raise PeriodError(f"Loại kỳ '{kind}' không hợp lệ: dùng month, week hoặc quarter.")


def parse_period(text: str) -> Period:
    for kind, pattern in _PATTERNS.items():
        m = pattern.fullmatch(text or "")
        if m:
            year, number = int(m.group(1)), int(m.group(2))
            if year < 2000 or year > 2100:
                raise PeriodError(f"Năm {year} nằm ngoài khoảng cho phép (2000-2100).")
            if kind == "week":
                try:
                    date.fromisocalendar(year, number, 1)
                except ValueError:
                    raise PeriodError(f"Năm {year} không có tuần {number}.") from None
            return Period(kind, year, number)
    raise PeriodError(
        f"Kỳ báo cáo '{text}' không hợp lệ: dùng YYYY-MM (tháng), YYYY-Www (tuần) hoặc YYYY-Qn (quý)."
    )


def periods_between(first: Period, last: Period, limit: int = 400) -> list[Period]:
    if first.kind != last.kind:
        raise PeriodError("Hai kỳ đầu và cuối phải cùng loại (tháng, tuần hoặc quý).")
    out: list[Period] = []
    p = first
    while p <= last and len(out) < limit:
        out.append(p)
        p = p.next()
    return out


def period_of(text: str, field: str = "period") -> Period:
    """A period from user input, or a validation error naming `field`."""
    from chalicelib.core.errors import invalid

    try:
        return parse_period(text)
    except PeriodError as exc:
        raise invalid(field, str(exc)) from None
