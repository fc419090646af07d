"""Which reminder is due when: `reminder_kind` and `candidate_periods` of
chalicelib/reporting/reminders.py.

From THIDUA_REMINDER_DAYS (3) days before the deadline until the deadline instant, the
"before" reminder; after the deadline, for 30 days, the "overdue" one; otherwise none.
The daily run looks at the monthly periods of this month and the two before it, this
month being the month in Hà Nội.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core.periods import VN_TZ, Period
from chalicelib.reporting.reminders import OVERDUE_WINDOW, candidate_periods, reminder_kind

DEADLINE = datetime(2021, 9, 10, 23, 59, 59, tzinfo=VN_TZ)  # period 2021-08, ten days after it ends
TICK = timedelta(microseconds=1)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_the_overdue_window_is_thirty_days():
    assert OVERDUE_WINDOW == timedelta(days=30)


@pytest.mark.parametrize("now, expected", [
    # long before: nothing
    (vn(2021, 9, 1, 8, 0), None),
    # the "before" window opens exactly 3 × 24 h before the deadline instant
    (DEADLINE - timedelta(days=3) - TICK, None),
    (DEADLINE - timedelta(days=3), "before"),
    (vn(2021, 9, 7, 8, 0), None),                      # the 08:00 run three calendar days before: not yet
    (vn(2021, 9, 8, 8, 0), "before"),                  # the first daily run inside the window
    (vn(2021, 9, 10, 8, 0), "before"),
    (DEADLINE, "before"),                              # exactly at the deadline: still "before"
    # after the deadline: overdue, for 30 days
    (DEADLINE + TICK, "overdue"),
    (vn(2021, 9, 11, 8, 0), "overdue"),
    (DEADLINE + timedelta(days=30), "overdue"),
    (DEADLINE + timedelta(days=30) + TICK, None),
    (vn(2021, 10, 10, 8, 0), "overdue"),
    (vn(2021, 10, 11, 8, 0), None),
    (vn(2022, 1, 1), None),
])
def test_reminder_kind_by_instant(now, expected):
    assert reminder_kind(DEADLINE, now, 3) == expected


@pytest.mark.parametrize("now, expected", [
    (datetime(2021, 9, 7, 16, 59, 59, tzinfo=timezone.utc), "before"),   # = 23:59:59 on 7 Sept in Hà Nội
    (datetime(2021, 9, 7, 16, 59, 58, tzinfo=timezone.utc), None),
    (datetime(2021, 9, 10, 16, 59, 59, tzinfo=timezone.utc), "before"),  # = the deadline
    (datetime(2021, 9, 10, 17, 0, 0, tzinfo=timezone.utc), "overdue"),   # = 00:00 on 11 Sept in Hà Nội
    (datetime(2021, 9, 8, 1, 0, tzinfo=timezone.utc), "before"),         # the 01:00 UTC schedule
])
def test_reminder_kind_compares_instants_whatever_the_time_zone(now, expected):
    assert reminder_kind(DEADLINE, now, 3) == expected


@pytest.mark.parametrize("days_before, now, expected", [
    (0, DEADLINE - TICK, None),
    (0, DEADLINE, "before"),              # no early reminder: only the deadline instant itself
    (0, DEADLINE + TICK, "overdue"),
    (1, DEADLINE - timedelta(days=1), "before"),
    (1, DEADLINE - timedelta(days=1) - TICK, None),
    (7, vn(2021, 9, 4, 8, 0), "before"),
    (7, vn(2021, 9, 3, 8, 0), None),
])
def test_the_before_window_follows_the_configured_days(days_before, now, expected):
    assert reminder_kind(DEADLINE, now, days_before) == expected


def test_an_admin_set_deadline_moves_both_windows():
    deadline = datetime(2021, 9, 20, 10, 0, tzinfo=timezone.utc)  # 17:00 on 20 September in Hà Nội
    assert reminder_kind(deadline, vn(2021, 9, 11, 8, 0), 3) is None  # would be overdue under the default
    assert reminder_kind(deadline, vn(2021, 9, 17, 17, 0), 3) == "before"
    assert reminder_kind(deadline, vn(2021, 9, 20, 17, 0, 1), 3) == "overdue"
    assert reminder_kind(deadline, vn(2021, 10, 20, 17, 0), 3) == "overdue"
    assert reminder_kind(deadline, vn(2021, 10, 20, 17, 0, 1), 3) is None


# -- candidate_periods ----------------------------------------------------------------------

def codes(now: datetime) -> list[str]:
    return [p.code for p in candidate_periods(now)]


@pytest.mark.parametrize("now, expected", [
    (vn(2021, 9, 15, 8, 0), ["2021-07", "2021-08", "2021-09"]),
    (vn(2021, 9, 1, 0, 0), ["2021-07", "2021-08", "2021-09"]),
    (vn(2021, 8, 31, 23, 59, 59), ["2021-06", "2021-07", "2021-08"]),
    (vn(2022, 1, 5, 8, 0), ["2021-11", "2021-12", "2022-01"]),   # across the new year
    (vn(2022, 2, 28, 8, 0), ["2021-12", "2022-01", "2022-02"]),
    (vn(2021, 3, 1, 8, 0), ["2021-01", "2021-02", "2021-03"]),
])
def test_candidates_are_this_month_and_the_two_before(now, expected):
    assert codes(now) == expected


@pytest.mark.parametrize("now, expected", [
    # 17:00 UTC on 31 August is already 1 September in Hà Nội
    (datetime(2021, 8, 31, 17, 0, 0, tzinfo=timezone.utc), ["2021-07", "2021-08", "2021-09"]),
    (datetime(2021, 8, 31, 16, 59, 59, tzinfo=timezone.utc), ["2021-06", "2021-07", "2021-08"]),
    (datetime(2021, 12, 31, 17, 0, 0, tzinfo=timezone.utc), ["2021-11", "2021-12", "2022-01"]),
])
def test_this_month_is_the_month_in_hanoi_not_in_utc(now, expected):
    assert codes(now) == expected


def test_candidates_are_monthly_periods():
    assert candidate_periods(vn(2021, 9, 15)) == [Period("month", 2021, 7), Period("month", 2021, 8),
                                                  Period("month", 2021, 9)]


@pytest.mark.parametrize("now", [vn(2021, 9, 8, 8, 0), vn(2021, 10, 10, 8, 0), vn(2021, 10, 1, 8, 0)])
def test_with_the_default_ten_days_every_period_with_a_reminder_due_is_a_candidate(now):
    # The daily run checks only the candidates: any monthly period whose reminder is due
    # now (default deadline, 3 days before, 30 days overdue) must be among them.
    due = [p.code for p in (Period("month", 2021, m) for m in range(1, 13))
           if reminder_kind(p.deadline(10), now, 3) is not None]
    assert due and set(due) <= set(codes(now))
