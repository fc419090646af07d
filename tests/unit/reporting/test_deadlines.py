"""The deadline rules of chalicelib/reporting/deadlines.py, as plain functions over plain data.

A period's reports are due THIDUA_DEADLINE_DAYS after it ends, at the end of that day in
Hà Nội (23:59:59 +07:00); an admin-set deadline overrides that. After the deadline a unit
may not submit (the 423 `reason`), unless an exception runs until a later time. An accepted
report is locked whatever the date; a returned one is open whatever the date.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core.errors import Invalid, Locked
from chalicelib.core.periods import VN_TZ, Period
from chalicelib.reporting.deadlines import deadline_from, lock_for, parse_instant

AUGUST = Period("month", 2021, 8)
# 2021-08 ends on 31 August; ten days later, at the end of the day in Hà Nội.
AUGUST_DEADLINE = datetime(2021, 9, 10, 23, 59, 59, tzinfo=VN_TZ)
SECOND = timedelta(seconds=1)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


# -- deadline_from --------------------------------------------------------------------------

@pytest.mark.parametrize("period, days, expected", [
    (Period("month", 2021, 8), 10, vn(2021, 9, 10, 23, 59, 59)),
    (Period("month", 2021, 2), 10, vn(2021, 3, 10, 23, 59, 59)),     # 28-day February
    (Period("month", 2024, 2), 10, vn(2024, 3, 10, 23, 59, 59)),     # leap year: ends on the 29th
    (Period("month", 2021, 4), 10, vn(2021, 5, 10, 23, 59, 59)),     # 30-day month
    (Period("month", 2021, 12), 10, vn(2022, 1, 10, 23, 59, 59)),    # across the new year
    (Period("month", 2021, 8), 0, vn(2021, 8, 31, 23, 59, 59)),      # due on the period's last day
    (Period("month", 2021, 8), 3, vn(2021, 9, 3, 23, 59, 59)),
    (Period("week", 2021, 33), 3, vn(2021, 8, 25, 23, 59, 59)),      # Mon 16 - Sun 22 August
    (Period("week", 2021, 52), 10, vn(2022, 1, 12, 23, 59, 59)),     # ends Sunday 2 January 2022
    (Period("quarter", 2021, 3), 10, vn(2021, 10, 10, 23, 59, 59)),  # July-September
    (Period("quarter", 2021, 4), 10, vn(2022, 1, 10, 23, 59, 59)),
])
def test_the_default_deadline_is_days_after_the_period_ends_at_the_end_of_the_day_in_hanoi(period, days, expected):
    deadline = deadline_from(None, period, days)
    assert deadline == expected
    assert deadline.utcoffset() == timedelta(hours=7)
    assert deadline.isoformat() == expected.isoformat()


def test_the_default_deadline_as_a_utc_instant():
    # EventBridge and the store think in UTC: 23:59:59 in Hà Nội is 16:59:59Z the same day.
    assert deadline_from(None, AUGUST, 10).astimezone(timezone.utc) == datetime(2021, 9, 10, 16, 59, 59,
                                                                                tzinfo=timezone.utc)


@pytest.mark.parametrize("settings", [None, {}, {"deadline": None}, {"deadline": ""},
                                      {"period": "2021-08", "set_by": "tok-admin"}])
def test_period_settings_without_a_deadline_leave_the_default(settings):
    assert deadline_from(settings, AUGUST, 10) == AUGUST_DEADLINE


@pytest.mark.parametrize("stored, expected", [
    ("2021-09-15T17:00:00+07:00", vn(2021, 9, 15, 17, 0)),                            # later than the default
    ("2021-09-05T23:59:59+07:00", vn(2021, 9, 5, 23, 59, 59)),                         # earlier than the default
    ("2021-09-15T10:00:00+00:00", datetime(2021, 9, 15, 10, 0, tzinfo=timezone.utc)),  # stored in UTC
])
def test_an_admin_set_deadline_overrides_the_default(stored, expected):
    settings = {"period": "2021-08", "deadline": stored, "set_by": "tok-admin", "set_at": "2021-08-20T10:00:00+07:00"}
    for days in (0, 10, 30):  # whatever THIDUA_DEADLINE_DAYS says
        assert deadline_from(settings, AUGUST, days) == expected
    assert deadline_from(settings, AUGUST, 10).isoformat() == stored


# -- parse_instant ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2021-09-10T23:59:59+07:00", vn(2021, 9, 10, 23, 59, 59)),
    ("2021-09-10T16:59:59+00:00", vn(2021, 9, 10, 23, 59, 59)),
    ("2021-09-10T16:59:59Z", vn(2021, 9, 10, 23, 59, 59)),
    ("2000-01-01T00:00:00+07:00", vn(2000, 1, 1)),             # the first year allowed
    ("2100-12-31T23:59:59+07:00", vn(2100, 12, 31, 23, 59, 59)),  # the last year allowed
])
def test_parse_instant_reads_iso_8601_instants(text, expected):
    assert parse_instant(text, "deadline") == expected


def test_parse_instant_keeps_the_offset_it_was_given():
    assert parse_instant("2021-09-10T16:59:59+00:00", "until").utcoffset() == timedelta(0)


def test_parse_instant_reads_a_time_without_offset_as_hanoi_time():
    value = parse_instant("2021-09-10T23:59:59", "deadline")
    assert value.tzinfo is VN_TZ
    assert value.isoformat() == "2021-09-10T23:59:59+07:00"


ISO_MESSAGE = "Phải là thời điểm ISO 8601, ví dụ 2021-09-10T23:59:59+07:00."
YEAR_MESSAGE = "Năm nằm ngoài khoảng cho phép (2000-2100)."


@pytest.mark.parametrize("text, message", [
    ("10/09/2021 23:59", ISO_MESSAGE),
    ("2021-09-31T10:00:00+07:00", ISO_MESSAGE),   # no 31 September
    ("2021-09-10T24:30:00+07:00", ISO_MESSAGE),
    ("ngày mai", ISO_MESSAGE),
    ("", ISO_MESSAGE),
    (None, ISO_MESSAGE),
    ("1999-12-31T23:59:59+07:00", YEAR_MESSAGE),
    ("2101-01-01T00:00:00+07:00", YEAR_MESSAGE),
    ("0001-01-01T00:00:00", YEAR_MESSAGE),
])
def test_parse_instant_refuses_what_is_not_a_plausible_instant_naming_the_field(text, message):
    with pytest.raises(Invalid) as caught:
        parse_instant(text, "until")
    assert [(e.field, e.message) for e in caught.value.errors] == [("until", message)]


# -- lock_for -----------------------------------------------------------------------------

def submitted(**extra):
    return {"unit_id": "ca-nghe-an", "period": "2021-08", "version": 1, "status": "submitted",
            "submitted_at": "2021-09-05T10:00:00+07:00", **extra}


DEADLINE_PASSED = ("Đã hết hạn nộp báo cáo tháng 8 năm 2021 lúc 23:59 ngày 10/09/2021; "
                   "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung.")
ACCEPTED = "Báo cáo tháng 8 năm 2021 đã được duyệt nên đã khóa; đề nghị quản trị trả lại nếu cần sửa."
RESUBMITTED = ("Báo cáo tháng 8 năm 2021 bị trả lại đã được nộp lại và kỳ đã hết hạn (23:59 ngày 10/09/2021), "
               "nên báo cáo đã khóa lại.")


def lock_of(report, now, exception=None, period=AUGUST, deadline=AUGUST_DEADLINE):
    lock = lock_for(report, period, deadline, exception, now)
    return None if lock is None else (lock.reason, lock.detail)


@pytest.mark.parametrize("now", [
    vn(2021, 9, 1, 8, 0),
    AUGUST_DEADLINE - SECOND,
    AUGUST_DEADLINE,                                              # exactly at the deadline: still open
    datetime(2021, 9, 10, 16, 59, 59, tzinfo=timezone.utc),       # the same instant, in UTC
])
@pytest.mark.parametrize("report", [None, submitted(), submitted(resubmitted_after_return=True)],
                         ids=["first", "replacement", "resubmitted"])
def test_until_the_deadline_instant_a_unit_may_submit(report, now):
    assert lock_of(report, now) is None


@pytest.mark.parametrize("now", [
    AUGUST_DEADLINE + timedelta(microseconds=1),
    AUGUST_DEADLINE + SECOND,
    datetime(2021, 9, 10, 17, 0, 0, tzinfo=timezone.utc),        # 00:00 on 11 September in Hà Nội
    vn(2022, 1, 1),
])
@pytest.mark.parametrize("report", [None, submitted()], ids=["first", "replacement"])
def test_after_the_deadline_the_unit_is_locked_out(report, now):
    assert lock_of(report, now) == ("deadline_passed", DEADLINE_PASSED)


def test_the_lock_is_a_locked_error_carrying_its_reason():
    lock = lock_for(None, AUGUST, AUGUST_DEADLINE, None, AUGUST_DEADLINE + SECOND)
    assert isinstance(lock, Locked)
    assert lock.reason == "deadline_passed" and lock.extra == {"reason": "deadline_passed"}
    assert str(lock) == DEADLINE_PASSED


@pytest.mark.parametrize("now", [vn(2021, 9, 1), AUGUST_DEADLINE, AUGUST_DEADLINE + SECOND])
def test_an_accepted_report_is_locked_whatever_the_date(now):
    assert lock_of(submitted(status="accepted"), now) == ("accepted", ACCEPTED)


def test_an_exception_does_not_unlock_an_accepted_report():
    exception = {"until": "2021-09-20T23:59:59+07:00"}
    assert lock_of(submitted(status="accepted"), vn(2021, 9, 15), exception) == ("accepted", ACCEPTED)


@pytest.mark.parametrize("now", [vn(2021, 9, 1), AUGUST_DEADLINE + SECOND, vn(2022, 6, 1)])
def test_a_returned_report_is_open_for_correction_whatever_the_date(now):
    assert lock_of(submitted(status="returned", resubmitted_after_return=True), now) is None


def test_a_returned_report_resubmitted_is_locked_again_after_the_deadline():
    report = submitted(version=2, resubmitted_after_return=True)
    assert lock_of(report, AUGUST_DEADLINE + SECOND) == ("returned_resubmitted", RESUBMITTED)


EXCEPTION = {"unit_id": "ca-nghe-an", "period": "2021-08", "until": "2021-09-15T17:00:00+07:00",
             "reason": "Mất điện", "granted_by": "tok-admin"}


@pytest.mark.parametrize("now, expected", [
    (vn(2021, 9, 12, 9, 0), None),                                 # within the exception
    (vn(2021, 9, 15, 17, 0), None),                                # exactly at its end
    (datetime(2021, 9, 15, 10, 0, tzinfo=timezone.utc), None),     # the same instant, in UTC
    (vn(2021, 9, 15, 17, 0, 1), ("deadline_passed", DEADLINE_PASSED)),  # after it: the deadline applies again
])
@pytest.mark.parametrize("report", [None, submitted()], ids=["first", "replacement"])
def test_an_exception_reopens_until_its_time(report, now, expected):
    assert lock_of(report, now, EXCEPTION) == expected


def test_an_exception_also_reopens_a_resubmitted_report():
    report = submitted(version=2, resubmitted_after_return=True)
    assert lock_of(report, vn(2021, 9, 12), EXCEPTION) is None
    assert lock_of(report, vn(2021, 9, 16), EXCEPTION) == ("returned_resubmitted", RESUBMITTED)


def test_an_exception_ending_before_the_deadline_unlocks_nothing_after_it():
    early = {**EXCEPTION, "until": "2021-09-05T00:00:00+07:00"}
    assert lock_of(None, AUGUST_DEADLINE + SECOND, early) == ("deadline_passed", DEADLINE_PASSED)


def test_the_message_shows_an_admin_set_deadline_in_hanoi_time():
    deadline = deadline_from({"deadline": "2021-09-15T10:00:00+00:00"}, AUGUST, 10)
    assert lock_of(None, vn(2021, 9, 15, 17, 0), deadline=deadline) is None
    assert lock_of(None, vn(2021, 9, 15, 17, 0, 1), deadline=deadline) == (
        "deadline_passed", "Đã hết hạn nộp báo cáo tháng 8 năm 2021 lúc 17:00 ngày 15/09/2021; "
                           "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung.")


@pytest.mark.parametrize("period, days, open_until, message", [
    (Period("week", 2021, 33), 3, vn(2021, 8, 25, 23, 59, 59),
     "Đã hết hạn nộp báo cáo tuần 33 năm 2021 lúc 23:59 ngày 25/08/2021; "
     "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung."),
    (Period("week", 2021, 52), 3, vn(2022, 1, 5, 23, 59, 59),
     "Đã hết hạn nộp báo cáo tuần 52 năm 2021 lúc 23:59 ngày 05/01/2022; "
     "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung."),
    (Period("quarter", 2021, 3), 10, vn(2021, 10, 10, 23, 59, 59),
     "Đã hết hạn nộp báo cáo quý III năm 2021 lúc 23:59 ngày 10/10/2021; "
     "đề nghị quản trị cấp ngoại lệ nếu cần nộp bổ sung."),
])
def test_weekly_and_quarterly_periods_lock_at_their_own_deadline(period, days, open_until, message):
    deadline = deadline_from(None, period, days)
    assert deadline == open_until
    assert lock_of(None, open_until, period=period, deadline=deadline) is None
    assert lock_of(None, open_until + SECOND, period=period, deadline=deadline) == ("deadline_passed", message)


def test_a_quarterly_accepted_report_names_its_quarter():
    period = Period("quarter", 2021, 4)
    lock = lock_for(submitted(status="accepted"), period, deadline_from(None, period, 10), None, vn(2021, 12, 1))
    assert (lock.reason, lock.detail) == (
        "accepted", "Báo cáo quý IV năm 2021 đã được duyệt nên đã khóa; đề nghị quản trị trả lại nếu cần sửa.")
