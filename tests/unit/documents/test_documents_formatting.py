import datetime
import unicodedata

import pytest

from chalicelib.documents.formatting import (
    change,
    vn_date_line,
    vn_number,
    vn_percent,
    vn_short_date,
    vn_signed,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (30, "30"), (6969, "6.969"), (15000, "15.000"), (1234567, "1.234.567"),
     (None, "–")],
)
def test_vn_number(value, expected):
    assert vn_number(value) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (12.5, {}, "12,5%"),
        (12.0, {}, "12%"),
        (12.46, {}, "12,5%"),
        (-6.4, {}, "-6,4%"),
        (16.8, {"signed": True}, "+16,8%"),
        (0.0, {"signed": True}, "0%"),
        (1234.5, {}, "1.234,5%"),
        (116.8, {"digits": 0}, "117%"),
        (None, {}, "–"),
    ],
)
def test_vn_percent(value, kwargs, expected):
    assert vn_percent(value, **kwargs) == expected


def test_vn_signed():
    assert [vn_signed(v) for v in (1500, -3360, 0, None)] == ["+1.500", "-3.360", "0", "–"]


def test_change():
    assert change(10420, 8920) == (1500, pytest.approx(16.816, abs=1e-3))
    assert change(5, 0) == (5, None)
    assert change(5, None) == (None, None)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (datetime.date(2021, 8, 5), "Hà Nội, ngày 05 tháng 8 năm 2021"),
        (datetime.date(2021, 2, 5), "Hà Nội, ngày 05 tháng 02 năm 2021"),
        (datetime.date(2021, 1, 15), "Hà Nội, ngày 15 tháng 01 năm 2021"),
        (datetime.date(2021, 3, 9), "Hà Nội, ngày 09 tháng 3 năm 2021"),
        (datetime.date(2021, 12, 31), "Hà Nội, ngày 31 tháng 12 năm 2021"),
    ],
)
def test_vn_date_line(date, expected):
    assert vn_date_line("Hà Nội", date) == expected


def test_vn_date_line_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Hà Nội")  # typed with combining marks
    assert decomposed != "Hà Nội"
    line = vn_date_line(decomposed, datetime.date(2021, 8, 5))
    assert line.startswith("Hà Nội, ") and unicodedata.is_normalized("NFC", line)


def test_vn_short_date():
    assert vn_short_date(datetime.date(2021, 8, 5)) == "05/8/2021"
    assert vn_short_date(datetime.date(2021, 2, 15)) == "15/02/2021"


def test_lower_first():
    from chalicelib.documents.formatting import lower_first

    assert lower_first("Kết quả công tác") == "kết quả công tác"
    assert lower_first("COVID-19 tại Nghệ An") == "COVID-19 tại Nghệ An"
    assert lower_first("") == ""
