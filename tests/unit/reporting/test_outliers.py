"""The outlier soft rule, `outliers` in chalicelib/reporting/reports.py.

A figure more than the catalog's `soft_rules.outlier_factor` (10) times the unit's own
median of its earlier periods (at most the 12 latest) is accepted only with a comment on
that indicator. No history, or a median of 0, gives no warning.
"""

from __future__ import annotations

import pytest

from chalicelib.core.catalogs import Catalog, indicator_catalog
from chalicelib.core.periods import Period
from chalicelib.reporting import reports
from chalicelib.reporting.reports import HISTORY_PERIODS, outliers

AUGUST = Period("month", 2021, 8)
CODE = "people_traced"


def months_before(period: Period, n: int) -> list[str]:
    """The codes of the n periods before `period`, latest first."""
    out, p = [], period
    for _ in range(n):
        p = p.previous()
        out.append(p.code)
    return out


def history_of(*values: int | None, code: str = CODE, period: Period = AUGUST) -> dict[str, dict[str, int]]:
    """The unit's figure history: `values` for the periods before `period`, latest first."""
    return {p: ({code: v} if v is not None else {}) for p, v in zip(months_before(period, len(values)), values)}


def warnings(history, values, comments=None, period=AUGUST):
    return [(e.field, e.message) for e in outliers(history, period, values, comments or {})]


def message(value, median, code=CODE, factor=10):
    return (f"Giá trị {value} lớn hơn {factor} lần trung vị các kỳ trước ({median}); "
            f"cần giải thích trong comments.{code}.")


def test_the_shipped_factor_is_ten():
    assert indicator_catalog().outlier_factor == 10
    assert HISTORY_PERIODS == 12


@pytest.mark.parametrize("history, value, expected", [
    # median 20: up to 200 is fine, above it needs a comment
    (history_of(10, 20, 30), 200, []),
    (history_of(10, 20, 30), 201, [("values.people_traced", message(201, "20"))]),
    (history_of(10, 20, 30), 5, []),
    # an even number of periods: the median is the mean of the middle two
    (history_of(10, 20), 150, []),
    (history_of(10, 20), 151, [("values.people_traced", message(151, "15"))]),
    (history_of(10, 25), 176, [("values.people_traced", message(176, "17.5"))]),
    (history_of(10, 25), 175, []),
    # the median, not the mean: one large month does not raise the bar
    (history_of(10, 10, 10000), 101, [("values.people_traced", message(101, "10"))]),
    # a single earlier period is enough history
    (history_of(3), 31, [("values.people_traced", message(31, "3"))]),
    (history_of(3), 30, []),
])
def test_a_figure_over_ten_times_the_median_needs_a_comment(history, value, expected):
    assert warnings(history, {CODE: value}) == expected


@pytest.mark.parametrize("history", [
    {},                                        # a unit's first report
    history_of(None, None),                    # earlier reports without this indicator
    {"2021-07": {"news_items": 5}},            # only other indicators
], ids=["no-history", "indicator-never-reported", "other-indicators-only"])
def test_no_history_of_the_indicator_gives_no_warning(history):
    assert warnings(history, {CODE: 1_000_000}) == []


@pytest.mark.parametrize("history", [history_of(0), history_of(0, 0, 0), history_of(0, 0, 5)])
def test_a_zero_median_gives_no_warning(history):
    assert warnings(history, {CODE: 1_000_000}) == []


def test_a_comment_on_the_indicator_clears_the_warning():
    history = history_of(10, 20, 30)
    assert warnings(history, {CODE: 5000}, {CODE: "Đợt bùng phát dịch tại khu công nghiệp"}) == []


def test_a_comment_on_another_indicator_does_not():
    history = history_of(10, 20, 30)
    assert warnings(history, {CODE: 5000}, {"news_items": "Nhiều tin bài"}) == [
        ("values.people_traced", message(5000, "20"))]


def test_each_indicator_is_judged_on_its_own_history_in_the_order_sent():
    history = {"2021-07": {CODE: 10, "news_items": 2, "checkpoints": 40},
               "2021-06": {CODE: 10, "news_items": 2, "checkpoints": 40}}
    values = {"news_items": 21, "checkpoints": 400, CODE: 101}
    assert warnings(history, values) == [("values.news_items", message(21, "2", "news_items")),
                                         ("values.people_traced", message(101, "10"))]
    assert warnings(history, values, {"news_items": "Tháng cao điểm"}) == [
        ("values.people_traced", message(101, "10"))]


def test_only_earlier_periods_count_not_this_one_nor_later_ones():
    # Counting this period's previous version (a replacement) would make the median 2505;
    # counting the later periods too, 5000. Over July alone it is 10.
    history = {"2021-07": {CODE: 10}, "2021-08": {CODE: 5000}, "2021-09": {CODE: 5000}, "2022-01": {CODE: 5000}}
    assert warnings(history, {CODE: 101}) == [("values.people_traced", message(101, "10"))]


def test_the_median_is_over_the_twelve_latest_earlier_periods():
    # latest first: five at 10 and six at 100, then the 12th at 10, then the 13th at 100.
    # The 12 latest: six at 10, six at 100 -> median 55, so 600 is an outlier. Over 11
    # periods, or over 13, the median would be 100 and 600 would pass.
    history = history_of(100, 10, 100, 10, 100, 10, 100, 10, 100, 10, 100, 10, 100)
    assert len(history) == 13
    assert warnings(history, {CODE: 600}) == [("values.people_traced", message(600, "55"))]
    assert warnings(history, {CODE: 550}) == []


def test_periods_older_than_the_window_are_ignored():
    # a unit that used to report large figures and now reports small ones
    history = history_of(*([5] * 12), 10_000, 10_000, 10_000)
    assert warnings(history, {CODE: 51}) == [("values.people_traced", message(51, "5"))]


def test_the_window_runs_across_the_new_year():
    january = Period("month", 2022, 1)
    history = history_of(10, 10, 10, period=january)
    assert sorted(history) == ["2021-10", "2021-11", "2021-12"]
    assert warnings(history, {CODE: 101}, period=january) == [("values.people_traced", message(101, "10"))]


def test_weekly_periods_compare_with_earlier_weeks():
    week = Period("week", 2021, 33)
    history = history_of(4, 6, 5, period=week)
    assert sorted(history) == ["2021-W30", "2021-W31", "2021-W32"]
    assert warnings(history, {CODE: 51}, period=week) == [("values.people_traced", message(51, "5"))]
    assert warnings(history, {CODE: 50}, period=week) == []


def test_the_factor_comes_from_the_catalog(monkeypatch):
    catalog = indicator_catalog()
    monkeypatch.setattr(reports, "indicator_catalog",
                        lambda: Catalog(catalog.indicators, catalog.rules, outlier_factor=3))
    history = history_of(10, 10)
    assert warnings(history, {CODE: 30}) == []
    assert warnings(history, {CODE: 31}) == [("values.people_traced", message(31, "10", factor=3))]
