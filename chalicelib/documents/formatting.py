"""Vietnamese number, percentage and date formatting for official documents (pure)."""

from __future__ import annotations

import datetime
import unicodedata

from babel.numbers import format_decimal

LOCALE = "vi_VN"
DASH = "–"  # printed where a figure was left blank (or, for the previous period, is unknown)
NOT_SUBMITTED = "x"  # printed where the unit sent no report at all (a table's legend says so)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def vn_number(value: int | float | None) -> str:
    """15000 -> "15.000"; None -> "–"."""
    if value is None:
        return DASH
    return format_decimal(value, locale=LOCALE)


def vn_percent(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """12.5 (already in percent) -> "12,5%"; with signed=True -> "+12,5%"."""
    if value is None:
        return DASH
    rounded = round(value, digits)
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    text = format_decimal(abs(rounded), format=pattern, locale=LOCALE) + "%"
    if rounded < 0:
        return "-" + text
    if signed and rounded > 0:
        return "+" + text
    return text


def vn_change(percent: float | None) -> str:
    """A relative change, written one way everywhere (text, tables, charts): signed, one
    decimal, Vietnamese comma: 97.43 -> "+97,4%", -6.4 -> "-6,4%", 10 -> "+10,0%", 0 -> "0,0%"."""
    if percent is None:
        return DASH
    rounded = round(percent, 1)
    text = format_decimal(abs(rounded), format="#,##0.0", locale=LOCALE) + "%"
    return ("+" if rounded > 0 else "-" if rounded < 0 else "") + text


def vn_signed(value: int | None) -> str:
    """200 -> "+200", -1500 -> "-1.500", 0 -> "0"."""
    if value is None:
        return DASH
    text = vn_number(abs(value))
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def change(current: int, previous: int | None) -> tuple[int | None, float | None]:
    """Absolute and relative (percent) change; percent is None when previous is 0/None."""
    if previous is None:
        return None, None
    delta = current - previous
    return delta, (delta * 100.0 / previous) if previous else None


def vn_day_month(date: datetime.date) -> tuple[str, str]:
    """Decree 30/2020: day < 10 and months 1-2 take a leading zero."""
    day = f"{date.day:02d}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return day, month


def vn_date_line(place: str, date: datetime.date) -> str:
    """("Hà Nội", 2021-08-05) -> "Hà Nội, ngày 05 tháng 8 năm 2021"."""
    day, month = vn_day_month(date)
    return nfc(f"{place}, ngày {day} tháng {month} năm {date.year}")


def vn_short_date(date: datetime.date) -> str:
    """2021-08-05 -> "05/8/2021" (as cited in "kèm theo Báo cáo số ... ngày ...")."""
    day, month = vn_day_month(date)
    return f"{day}/{month}/{date.year}"


def lower_first(text: str) -> str:
    """"Kết quả ..." -> "kết quả ..." for use mid-sentence; acronyms ("COVID-19") stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def upper_first(text: str) -> str:
    """"tháng 7 năm 2021" -> "Tháng 7 năm 2021" at the start of a line."""
    return text[:1].upper() + text[1:]


def document_number(number: str | int, symbol: str) -> str:
    """"07/QĐ-BCA" as given; 7 or "7" -> "07/QĐ-BCA" (two digits at least, Decree 30 style)."""
    text = str(number).strip()
    if "/" in text:
        return text
    return f"{int(text):02d}/{symbol}" if text.isdigit() else f"{text}/{symbol}"
