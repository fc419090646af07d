"""Who has reported for a period: `period_completeness` of chalicelib/reporting/completeness.py.

Every unit but the ministry is expected to report. A unit's state is missing, submitted,
returned or accepted; its timeliness (on_time / late) is fixed at the first submission.
Rates follow DHIS2: complete (submitted or accepted) / expected, and on time / expected.
A parent's counts are its own plus those of its whole subtree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.core.periods import VN_TZ, Period
from chalicelib.reporting.completeness import COUNTS, period_completeness, subtree_state

AUGUST = Period("month", 2021, 8)
DEADLINE = datetime(2021, 9, 10, 23, 59, 59, tzinfo=VN_TZ)
BEFORE = datetime(2021, 9, 8, 10, 0, tzinfo=VN_TZ)
AFTER = datetime(2021, 9, 15, 10, 0, tzinfo=VN_TZ)
ON_TIME_AT = "2021-09-05T10:00:00+07:00"
LATE_AT = "2021-09-12T10:00:00+07:00"

MINISTRY = {"id": "bca", "name": "Bộ Công an", "kind": "ministry"}


def unit(uid, name, parent="bca", kind="province"):
    return {"id": uid, "name": name, "kind": kind, "parent_id": parent}


def report(uid, status="submitted", at=ON_TIME_AT, **extra):
    return {"unit_id": uid, "period": "2021-08", "status": status, "submitted_at": at, **extra}


def counts(**nonzero):
    return {**dict.fromkeys(COUNTS, 0), **nonzero}


def completeness(units, reports, now=AFTER, deadline=None):
    return period_completeness(units, reports, AUGUST, 10, now, deadline)


def row_of(result, uid):
    return next(r for r in result.rows if r.unit_id == uid)


# -- one unit's own state ------------------------------------------------------------------

@pytest.mark.parametrize("rep, now, state, timeliness, label, own", [
    (None, BEFORE, "missing", None, "Chưa nộp", counts(expected=1, missing=1)),
    (None, DEADLINE, "missing", None, "Chưa nộp", counts(expected=1, missing=1)),
    (None, DEADLINE + timedelta(seconds=1), "missing", None, "Chưa nộp (quá hạn)", counts(expected=1, missing=1)),
    (report("na"), AFTER, "submitted", "on_time", "Đúng hạn", counts(expected=1, complete=1, on_time=1)),
    (report("na", at=LATE_AT), AFTER, "submitted", "late", "Nộp muộn", counts(expected=1, complete=1, late=1)),
    (report("na", status="accepted"), AFTER, "accepted", "on_time", "Đã duyệt",
     counts(expected=1, complete=1, on_time=1, accepted=1)),
    (report("na", status="accepted", at=LATE_AT), AFTER, "accepted", "late", "Đã duyệt (muộn)",
     counts(expected=1, complete=1, late=1, accepted=1)),
    # a returned report is not complete, on time or late: it waits for its correction
    (report("na", status="returned"), AFTER, "returned", "on_time", "Bị trả lại", counts(expected=1, returned=1)),
    (report("na", status="returned", at=LATE_AT), AFTER, "returned", "late", "Bị trả lại",
     counts(expected=1, returned=1)),
    # a stored report without a status is a submitted one
    ({"unit_id": "na", "submitted_at": ON_TIME_AT}, AFTER, "submitted", "on_time", "Đúng hạn",
     counts(expected=1, complete=1, on_time=1)),
], ids=["missing-before", "missing-at-deadline", "missing-overdue", "submitted", "submitted-late", "accepted",
        "accepted-late", "returned", "returned-late", "no-status"])
def test_a_units_state_timeliness_label_and_counts(rep, now, state, timeliness, label, own):
    result = completeness([MINISTRY, unit("na", "Công an tỉnh Nghệ An")], [rep] if rep else [], now)
    row = row_of(result, "na")
    assert (row.expected, row.state, row.timeliness, row.label) == (True, state, timeliness, label)
    assert row.counts == own
    assert result.totals == own


@pytest.mark.parametrize("at, timeliness", [
    ("2021-09-10T23:59:59+07:00", "on_time"),      # exactly at the deadline
    ("2021-09-10T16:59:59+00:00", "on_time"),      # the same instant, in UTC
    ("2021-09-11T00:00:00+07:00", "late"),
    ("2021-09-10T17:00:00+00:00", "late"),         # = 00:00 on 11 September in Hà Nội
])
def test_timeliness_of_a_report_without_one_is_its_submission_against_the_deadline(at, timeliness):
    result = completeness([MINISTRY, unit("na", "Công an tỉnh Nghệ An")], [report("na", at=at)])
    assert row_of(result, "na").timeliness == timeliness


@pytest.mark.parametrize("stored, at, label", [
    # corrected after the deadline (under an exception, or after a return): still on time
    ("on_time", "2021-09-14T09:00:00+07:00", "Đúng hạn"),
    # late against the deadline then in force, which an admin moved later afterwards: still late
    ("late", "2021-09-05T10:00:00+07:00", "Nộp muộn"),
])
def test_the_stored_timeliness_is_fixed_at_the_first_submission(stored, at, label):
    result = completeness([MINISTRY, unit("na", "Công an tỉnh Nghệ An")], [report("na", at=at, timeliness=stored)])
    row = row_of(result, "na")
    assert (row.timeliness, row.label, row.counts[stored]) == (stored, label, 1)


def test_without_a_stored_timeliness_the_first_submission_decides():
    rep = report("na", at="2021-09-14T09:00:00+07:00", first_submitted_at="2021-09-05T10:00:00+07:00", version=2)
    result = completeness([MINISTRY, unit("na", "Công an tỉnh Nghệ An")], [rep])
    assert row_of(result, "na").timeliness == "on_time"


def test_the_ministry_is_not_expected_to_report():
    result = completeness([MINISTRY], [])
    [row] = result.rows
    assert (row.expected, row.state, row.timeliness, row.label) == (False, None, None, "Tổng hợp")
    assert row.counts == counts() and row.rates == {"reporting": None, "on_time": None}
    assert result.totals == counts() and result.rates == {"reporting": None, "on_time": None}


def test_a_ministry_report_counts_nowhere():
    result = completeness([MINISTRY], [report("bca")])
    assert result.rows[0].state is None and result.totals == counts()


# -- rates and roll-up ---------------------------------------------------------------------

PROVINCES = [MINISTRY, unit("ag", "Công an tỉnh An Giang"), unit("bn", "Công an tỉnh Bắc Ninh"),
             unit("cb", "Công an tỉnh Cao Bằng"), unit("db", "Công an tỉnh Điện Biên")]


def test_rates_are_complete_and_on_time_over_expected():
    reports = [report("ag"), report("bn", status="accepted", at=LATE_AT), report("cb", status="returned")]
    result = completeness(PROVINCES, reports)
    assert result.totals == counts(expected=4, complete=2, on_time=1, late=1, missing=1, returned=1, accepted=1)
    assert result.rates == {"reporting": 0.5, "on_time": 0.25}
    ministry = row_of(result, "bca")
    assert ministry.counts == result.totals and ministry.rates == result.rates
    assert row_of(result, "db").rates == {"reporting": 0.0, "on_time": 0.0}
    assert row_of(result, "bn").rates == {"reporting": 1.0, "on_time": 0.0}


@pytest.mark.parametrize("reports, rates", [
    ([], {"reporting": 0.0, "on_time": 0.0}),
    ([report("ag")], {"reporting": 0.3333, "on_time": 0.3333}),
    ([report("ag"), report("bn", at=LATE_AT)], {"reporting": 0.6667, "on_time": 0.3333}),
    ([report("ag"), report("bn"), report("cb", status="accepted")], {"reporting": 1.0, "on_time": 1.0}),
    ([report("ag", status="returned"), report("bn", status="returned"), report("cb", status="returned")],
     {"reporting": 0.0, "on_time": 0.0}),
])
def test_rates_are_rounded_to_four_places(reports, rates):
    result = completeness(PROVINCES[:4], reports)
    assert result.rates == rates and row_of(result, "bca").rates == rates


# bca ─┬─ ht (Hà Tĩnh)
#      └─ na (Nghệ An) ─┬─ na-cd (Phòng Cảnh sát cơ động) ── na-cd-1 (Đội 1)
#                       └─ na-xnc (Phòng Quản lý xuất nhập cảnh)
TREE = [MINISTRY, unit("na", "Công an tỉnh Nghệ An"), unit("ht", "Công an tỉnh Hà Tĩnh"),
        unit("na-xnc", "Phòng Quản lý xuất nhập cảnh", "na", "department"),
        unit("na-cd", "Phòng Cảnh sát cơ động", "na", "department"),
        unit("na-cd-1", "Đội 1", "na-cd", "team")]


def test_rows_come_in_tree_order_with_their_depth_and_parent():
    result = completeness(TREE, [])
    assert [(r.unit_id, r.depth, r.parent_id) for r in result.rows] == [
        ("bca", 0, None), ("ht", 1, "bca"), ("na", 1, "bca"), ("na-cd", 2, "na"), ("na-cd-1", 3, "na-cd"),
        ("na-xnc", 2, "na")]


def test_a_parents_counts_roll_up_from_its_whole_subtree():
    reports = [report("na"), report("na-cd-1", at=LATE_AT), report("na-xnc", status="accepted"),
               report("ht", status="returned")]
    result = completeness(TREE, reports)
    by_id = {r.unit_id: r for r in result.rows}
    assert by_id["na-cd-1"].counts == counts(expected=1, complete=1, late=1)
    # the department has not reported, its team has (late)
    assert by_id["na-cd"].counts == counts(expected=2, complete=1, late=1, missing=1)
    assert by_id["na-cd"].state == "missing"
    assert by_id["na-xnc"].counts == counts(expected=1, complete=1, on_time=1, accepted=1)
    # the province: itself, both departments and the grandchild team
    assert by_id["na"].counts == counts(expected=4, complete=3, on_time=2, late=1, missing=1, accepted=1)
    assert by_id["na"].rates == {"reporting": 0.75, "on_time": 0.5}
    assert by_id["ht"].counts == counts(expected=1, returned=1)
    # the ministry: the whole tree, which is also the period's totals
    assert by_id["bca"].counts == counts(expected=5, complete=3, on_time=2, late=1, missing=1, returned=1,
                                         accepted=1)
    assert result.totals == by_id["bca"].counts
    assert result.rates == {"reporting": 0.6, "on_time": 0.4}


def test_a_parent_without_a_report_of_its_own_whose_children_all_reported_is_still_missing():
    reports = [report("na-cd"), report("na-cd-1"), report("na-xnc")]
    result = completeness(TREE, reports)
    na = row_of(result, "na")
    assert (na.state, na.timeliness, na.label) == ("missing", None, "Chưa nộp (quá hạn)")
    assert na.counts == counts(expected=4, complete=3, on_time=3, missing=1)
    assert na.rates == {"reporting": 0.75, "on_time": 0.75}


def test_totals_count_each_unit_once():
    reports = [report(u["id"]) for u in TREE]
    result = completeness(TREE, reports)
    assert result.totals == counts(expected=5, complete=5, on_time=5)
    assert result.rates == {"reporting": 1.0, "on_time": 1.0}


def test_reports_of_units_outside_the_tree_are_ignored():
    result = completeness(PROVINCES, [report("ag"), report("khong-co")])
    assert [r.unit_id for r in result.rows] == ["bca", "ag", "bn", "cb", "db"]
    assert result.totals == counts(expected=4, complete=1, on_time=1, missing=3)


def test_siblings_in_vietnamese_alphabetical_order_not_code_point_order():
    units = [MINISTRY, unit("yb", "Yên Bái"), unit("db", "Điện Biên"), unit("dn", "Đà Nẵng"),
             unit("dt", "Đồng Tháp"), unit("dl", "Đắk Lắk"), unit("du", "Dương Minh")]
    # a ă â b c d đ e ê …: D before Đ, Đà before Đắk before Điện before Đồng, all before Y
    assert [r.name for r in completeness(units, []).rows][1:] == [
        "Dương Minh", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Đồng Tháp", "Yên Bái"]


# -- the deadline ---------------------------------------------------------------------------

def test_the_default_deadline_is_ten_days_after_the_period():
    result = completeness(PROVINCES, [])
    assert result.deadline == DEADLINE
    assert result.as_dict()["deadline"] == "2021-09-10T23:59:59+07:00"


def test_an_admin_set_deadline_overrides_the_default():
    later = datetime(2021, 9, 15, 17, 0, tzinfo=VN_TZ)
    result = completeness(PROVINCES, [report("ag", at=LATE_AT)], now=datetime(2021, 9, 14, 9, 0, tzinfo=VN_TZ),
                          deadline=later)
    assert result.deadline == later
    assert (row_of(result, "ag").timeliness, row_of(result, "ag").label) == ("on_time", "Đúng hạn")
    assert row_of(result, "bn").label == "Chưa nộp"  # not overdue yet under the moved deadline


def test_as_dict_is_what_the_api_answers():
    result = completeness([MINISTRY, unit("na", "Công an tỉnh Nghệ An")], [report("na", at=LATE_AT)])
    out = result.as_dict()
    assert (out["period"], out["label"]) == ("2021-08", "tháng 8 năm 2021")
    assert out["rates"] == {"reporting": 1.0, "on_time": 0.0}
    assert out["rows"][1] == {
        "unit_id": "na", "name": "Công an tỉnh Nghệ An", "parent_id": "bca", "depth": 1, "expected": True,
        "state": "submitted", "timeliness": "late", "label": "Nộp muộn", "submitted_at": LATE_AT,
        "counts": counts(expected=1, complete=1, late=1), "rates": {"reporting": 1.0, "on_time": 0.0},
        "subtree": {**counts(), "submitted": 0}, "subtree_state": None, "subtree_label": None}


# -- a parent's state, derived from its subtree ----------------------------------------------

def sub(**nonzero):
    return {**counts(), "submitted": 0, **nonzero}


# bca ── yt (Cục Y tế, department) ─┬─ bv-1 (Bệnh viện 19-8)
#                                   ├─ bv-2 (Bệnh viện 30-4)
#                                   └─ bv-3 (Bệnh viện 199)
HOSPITALS = [MINISTRY, unit("yt", "Cục Y tế", kind="department"),
             *(unit(f"bv-{i}", name, "yt", "hospital") for i, name in enumerate(("19-8", "30-4", "199"), 1))]


def test_a_parent_whose_hospitals_all_reported_is_complete_below_though_missing_itself():
    result = completeness(HOSPITALS, [report("bv-1"), report("bv-2", status="accepted"), report("bv-3", at=LATE_AT)])
    yt = row_of(result, "yt")
    assert (yt.state, yt.label) == ("missing", "Chưa nộp (quá hạn)")  # its own report: unchanged
    assert yt.subtree == sub(expected=3, complete=3, on_time=2, late=1, accepted=1, submitted=2)
    assert (yt.subtree_state, yt.subtree_label) == ("complete", "Cấp dưới đã nộp đủ (3/3)")
    out = yt.as_dict()
    assert (out["subtree_state"], out["subtree"]["complete"]) == ("complete", 3)
    # the ministry's subtree is everyone but itself: the Cục is missing, so partial
    bca = row_of(result, "bca")
    assert bca.subtree == sub(expected=4, complete=3, on_time=2, late=1, missing=1, accepted=1, submitted=2)
    assert bca.subtree_state == "partial" and bca.subtree == {**bca.counts, "submitted": 2}


@pytest.mark.parametrize("reports, state, label", [
    ([], "none", "Cấp dưới chưa nộp (0/3)"),
    ([report("bv-1")], "partial", "Cấp dưới nộp chưa đủ (1/3)"),
    # a returned report is not current: it waits for its correction
    ([report("bv-1"), report("bv-2"), report("bv-3", status="returned")], "partial", "Cấp dưới nộp chưa đủ (2/3)"),
    ([report("bv-1", status="returned")], "none", "Cấp dưới chưa nộp (0/3)"),
    # the parent's own report does not count for its subtree
    ([report("yt")], "none", "Cấp dưới chưa nộp (0/3)"),
    ([report(u) for u in ("yt", "bv-1", "bv-2", "bv-3")], "complete", "Cấp dưới đã nộp đủ (3/3)"),
], ids=["none", "partial", "one-returned", "only-returned", "own-only", "all"])
def test_a_parents_subtree_state(reports, state, label):
    yt = row_of(completeness(HOSPITALS, reports), "yt")
    assert (yt.subtree_state, yt.subtree_label) == (state, label)


def test_a_leaf_and_a_parent_of_units_not_expected_have_no_subtree_state():
    result = completeness(HOSPITALS, [report("bv-1")])
    leaf = row_of(result, "bv-1")
    assert leaf.subtree == sub() and (leaf.subtree_state, leaf.subtree_label) == (None, None)
    assert subtree_state(sub()) is None


def test_the_subtree_reaches_grandchildren():
    reports = [report("na-cd"), report("na-cd-1", status="returned"), report("na-xnc")]
    result = completeness(TREE, reports)
    na = row_of(result, "na")
    assert na.subtree == sub(expected=3, complete=2, on_time=2, returned=1, submitted=2)
    assert na.subtree_state == "partial"
    assert row_of(result, "na-cd").subtree == sub(expected=1, returned=1)
    assert row_of(result, "na-cd").subtree_state == "none"
