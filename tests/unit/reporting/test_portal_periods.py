"""The unit portal's home (GET /v1/units/{unit_id}/periods): recent periods with their state, lock,
return note and next step, and a parent's sub-units, over the in-memory store.

The clock stands at 2021-08-20 10:00 in Hà Nội; the default deadline is 10 days after a period ends."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.core.periods import VN_TZ, Period, period_containing
from chalicelib.reporting.portal import recent_periods
from helpers import issue, put_report, seed_units

PARENT, CHILDREN, OTHER = "ca-nghe-an", ("pc-giao-thong", "pc-an-ninh", "ca-tp-vinh"), "ca-ha-tinh"
UNITS = [(PARENT, "Công an tỉnh Nghệ An", None, "province"),
         ("pc-giao-thong", "Phòng Cảnh sát giao thông", PARENT, "other"),
         ("pc-an-ninh", "Phòng An ninh đối nội", PARENT, "other"),
         ("ca-tp-vinh", "Công an thành phố Vinh", PARENT, "other"),
         (OTHER, "Công an tỉnh Hà Tĩnh", None, "province")]


@pytest.fixture
def tree(store, api, admin_token, clock):
    seed_units(store, UNITS)
    for period in ("2021-04", "2021-05", "2021-06", "2021-07", "2021-08"):
        if period != "2021-04":
            put_report(store, PARENT, period, {"checkpoints": 10})
    put_report(store, "pc-giao-thong", "2021-08", {"checkpoints": 3})
    put_report(store, "ca-tp-vinh", "2021-07", {"checkpoints": 4})
    review = api.post(f"/v1/units/{PARENT}/reports/2021-07/review", token=admin_token,
                      body={"action": "return", "note": "Bổ sung số chốt kiểm soát."})
    assert review.status_code == 200, review.body
    assert api.post(f"/v1/units/{PARENT}/reports/2021-06/review", token=admin_token,
                    body={"action": "accept"}).status_code == 200
    assert api.post(f"/v1/units/{PARENT}/reports/2021-04/exception", token=admin_token,
                    body={"until": "2021-08-25T17:00:00+07:00", "reason": "Mất điện"}).status_code == 201
    return {"parent": issue(store, "unit", unit_id=PARENT), "child": issue(store, "unit", unit_id="pc-giao-thong"),
            "other": issue(store, "unit", unit_id=OTHER), "leader": issue(store, "leader"), "admin": admin_token}


def test_a_unit_sees_its_six_latest_periods_newest_first_with_state_lock_and_next_step(api, tree):
    resp = api.get(f"/v1/units/{PARENT}/periods", token=tree["parent"])
    assert resp.status_code == 200, resp.body
    body = resp.data
    assert body["unit_id"] == PARENT and body["name"] == "Công an tỉnh Nghệ An" and body["kind"] == "month"
    items = {i["period"]: i for i in body["items"]}
    assert [i["period"] for i in body["items"]] == ["2021-08", "2021-07", "2021-06", "2021-05", "2021-04", "2021-03"]

    august = items["2021-08"]
    assert august["state"] == "submitted" and not august["locked"] and august["lock_reason"] is None
    assert august["deadline"] == "2021-09-10T23:59:59+07:00"
    assert august["version"] == 1 and august["etag"]
    assert august["next_step"] == "Đã nộp; chờ quản trị duyệt. Có thể sửa báo cáo đến 23:59 ngày 10/09/2021."
    assert august["label"] == "tháng 8 năm 2021"

    july = items["2021-07"]
    assert july["state"] == "returned" and not july["locked"]
    assert july["return_note"] == "Bổ sung số chốt kiểm soát."
    assert "gửi lại" in july["next_step"]

    june = items["2021-06"]
    assert june["state"] == "accepted" and june["locked"] and june["lock_code"] == "accepted"
    assert "đã được duyệt" in june["lock_reason"] and june["return_note"] is None

    may = items["2021-05"]
    assert may["state"] == "submitted" and may["locked"] and may["lock_code"] == "deadline_passed"
    assert may["lock_reason"].startswith("Đã hết hạn nộp báo cáo tháng 5 năm 2021")
    assert may["next_step"] == "Đã nộp; chờ quản trị duyệt."

    april = items["2021-04"]  # missing, past its deadline, but an exception is in force
    assert april["state"] == "missing" and not april["locked"] and april["version"] is None and april["etag"] is None
    assert april["exception_until"] == "2021-08-25T17:00:00+07:00"
    assert april["next_step"] == "Đã được gia hạn: nộp báo cáo trước 17:00 ngày 25/08/2021."

    march = items["2021-03"]
    assert march["state"] == "missing" and march["locked"]
    assert march["next_step"].startswith("Đã hết hạn nộp")


def test_the_etag_is_the_one_a_put_needs(api, tree):
    items = api.get(f"/v1/units/{PARENT}/periods", token=tree["parent"]).data["items"]
    august = next(i for i in items if i["period"] == "2021-08")
    read = api.get(f"/v1/units/{PARENT}/reports/2021-08", token=tree["parent"])
    assert read.headers["ETag"] == f'"{august["etag"]}"'


def test_a_parent_sees_its_direct_sub_units_in_vietnamese_order(api, tree):
    body = api.get(f"/v1/units/{PARENT}/periods", token=tree["parent"]).data
    assert [s["name"] for s in body["sub_units"]] == [
        "Công an thành phố Vinh", "Phòng An ninh đối nội", "Phòng Cảnh sát giao thông"]
    states = {s["unit_id"]: {p["period"]: p["state"] for p in s["periods"]} for s in body["sub_units"]}
    assert states["pc-giao-thong"]["2021-08"] == "submitted"
    assert states["ca-tp-vinh"]["2021-07"] == "submitted" and states["ca-tp-vinh"]["2021-08"] == "missing"
    assert all(len(s["periods"]) == 6 for s in body["sub_units"])


def test_a_sub_unit_has_no_sub_units(api, tree):
    body = api.get("/v1/units/pc-giao-thong/periods", token=tree["child"]).data
    assert body["sub_units"] == []
    assert body["items"][0]["state"] == "submitted"


@pytest.mark.parametrize("caller, unit, status", [
    ("parent", PARENT, 200), ("parent", "pc-an-ninh", 200),       # its own subtree
    ("child", "pc-giao-thong", 200), ("child", PARENT, 403),        # not upwards
    ("child", "pc-an-ninh", 403), ("other", PARENT, 403),           # nor sideways
    ("leader", PARENT, 200), ("admin", "pc-an-ninh", 200),
    ("admin", "khong-co", 404),
])
def test_who_may_read_which_units_periods(api, tree, caller, unit, status):
    resp = api.get(f"/v1/units/{unit}/periods", token=tree[caller])
    assert resp.status_code == status, resp.body
    if status == 403:
        assert "báo cáo" in resp.data["detail"]


def test_weekly_and_quarterly_periods(api, tree):
    weeks = api.get(f"/v1/units/{PARENT}/periods?kind=week", token=tree["parent"]).data
    assert [i["period"] for i in weeks["items"]] == ["2021-W33", "2021-W32", "2021-W31", "2021-W30", "2021-W29",
                                                     "2021-W28"]
    assert all(i["state"] == "missing" for i in weeks["items"])  # the monthly reports are not weeks
    quarters = api.get(f"/v1/units/{PARENT}/periods?kind=quarter", token=tree["parent"]).data
    assert [i["period"] for i in quarters["items"]] == ["2021-Q3", "2021-Q2", "2021-Q1", "2020-Q4", "2020-Q3",
                                                        "2020-Q2"]


def test_an_unknown_kind_is_a_422_naming_the_field(api, tree):
    resp = api.get(f"/v1/units/{PARENT}/periods?kind=year", token=tree["parent"])
    assert resp.status_code == 422
    assert resp.data["errors"][0]["field"] == "kind"


@pytest.mark.parametrize("kind, day, expected", [
    ("month", "2021-01-01", "2021-01"), ("week", "2021-01-01", "2020-W53"), ("week", "2021-08-20", "2021-W33"),
    ("quarter", "2021-09-30", "2021-Q3"), ("quarter", "2021-10-01", "2021-Q4"),
])
def test_the_period_a_day_falls_in(kind, day, expected):
    assert period_containing(kind, datetime.fromisoformat(day).date()).code == expected


def test_recent_periods_cross_the_year_in_hanoi_time():
    # 2021-12-31 18:00 UTC is already 1 January 2022 in Hà Nội
    now = datetime(2021, 12, 31, 18, 0, tzinfo=VN_TZ.__class__("UTC"))
    assert [p.code for p in recent_periods("month", now)] == [
        "2022-01", "2021-12", "2021-11", "2021-10", "2021-09", "2021-08"]
    assert recent_periods("month", now)[0] == Period("month", 2022, 1)
