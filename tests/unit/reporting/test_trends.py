"""Trends: `chalicelib/reporting/trends.py` over plain data, then through the HTTP API.

A period's total is the indicator summed over the subtree's submitted and accepted reports (a
returned one is out); the units that moved most are the chosen unit's direct children, each
valued by its own subtree, ranked by absolute change between the first and last period.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.core.errors import Invalid, NotFound
from chalicelib.core.periods import VN_TZ
from chalicelib.reporting.trends import MAX_PERIODS, TOP, parse_range, read_plan, trends, trends_for
from helpers import issue, open_period, person, seed_units

NOW = datetime(2021, 8, 20, 10, 0, tzinfo=VN_TZ)
CODE = "patients_treated"

UNITS = [
    {"id": "bca", "name": "Bộ Công an", "kind": "ministry", "parent_id": None},
    {"id": "cyt", "name": "Cục Y tế", "kind": "department", "parent_id": "bca"},
    {"id": "bv-a", "name": "Bệnh viện A", "kind": "hospital", "parent_id": "cyt"},
    {"id": "bv-b", "name": "Bệnh viện B", "kind": "hospital", "parent_id": "cyt"},
    {"id": "bv-c", "name": "Bệnh viện C", "kind": "hospital", "parent_id": "cyt"},
    {"id": "ca-na", "name": "Công an tỉnh Nghệ An", "kind": "province", "parent_id": "bca"},
    {"id": "ca-bg", "name": "Công an tỉnh Bắc Giang", "kind": "province", "parent_id": "bca"},
]


def rep(unit_id: str, period: str, value: int | None, status: str = "submitted", **values: int) -> dict:
    return {"unit_id": unit_id, "period": period, "status": status,
            "values": {**({CODE: value} if value is not None else {}), **values}}


def rng(first: str = "2021-06", last: str = "2021-08", code: str = CODE):
    return parse_range(code, first, last, NOW)


def totals(result: dict) -> list:
    return [p["total"] for p in result["points"]]


# -- totals per period ---------------------------------------------------------------------------

def test_a_period_total_sums_the_subtrees_submitted_and_accepted_reports_and_counts_who_reported():
    reports = [
        rep("cyt", "2021-06", 5), rep("bv-a", "2021-06", 100), rep("bv-b", "2021-06", 40, status="accepted"),
        rep("bv-c", "2021-06", 999, status="returned"),          # sent back as wrong: not counted
        rep("ca-na", "2021-06", 7000),                            # outside the subtree
        rep("bv-a", "2021-07", 120), rep("bv-b", "2021-07", None, checkpoints=3),  # reported, not this figure
        rep("bv-a", "2021-08", 130, status="accepted"), rep("bv-c", "2021-08", 60),
        rep("bv-a", "2021-09", 1),                                # outside the range
    ]
    result = trends(UNITS, reports, rng(), "cyt")
    assert totals(result) == [145, 120, 190]
    assert [p["units_reported"] for p in result["points"]] == [3, 2, 2]
    assert [p["units_with_value"] for p in result["points"]] == [3, 1, 2]
    assert [p["period"] for p in result["points"]] == ["2021-06", "2021-07", "2021-08"]
    assert [p["label"] for p in result["points"]] == ["Tháng 6/2021", "Tháng 7/2021", "Tháng 8/2021"]
    assert (result["unit_id"], result["unit_name"], result["units"], result["units_expected"]) == ("cyt", "Cục Y tế", 4, 4)
    assert result["indicator"] == {"code": CODE, "label": "Bệnh nhân COVID-19 được điều trị", "unit": "người"}


def test_a_period_nobody_gave_the_figure_for_has_no_total_not_zero():
    result = trends(UNITS, [rep("bv-a", "2021-06", 0), rep("bv-b", "2021-07", None, checkpoints=1)], rng(), "cyt")
    assert totals(result) == [0, None, None]
    assert [p["units_reported"] for p in result["points"]] == [1, 1, 0]


def test_the_whole_tree_sums_every_unit_and_says_toan_bo():
    reports = [rep("bv-a", "2021-08", 10), rep("ca-na", "2021-08", 20), rep("ca-bg", "2021-08", 30, status="accepted")]
    result = trends(UNITS, reports, rng(), None)
    assert totals(result) == [None, None, 60]
    assert (result["unit_id"], result["unit_name"], result["units"], result["units_expected"]) == (None, "Toàn Bộ", 7, 6)


# -- the units that moved most -------------------------------------------------------------------

def test_movers_are_the_direct_children_valued_by_their_subtree_and_ranked_by_absolute_change():
    reports = [
        # Cục Y tế's subtree: 100 + 50 -> 300 + 10 (+160); Nghệ An 1000 -> 1100 (+100); Bắc Giang 400 -> 100 (-300)
        rep("bv-a", "2021-06", 100), rep("bv-b", "2021-06", 50), rep("bv-a", "2021-08", 300), rep("bv-b", "2021-08", 10),
        rep("ca-na", "2021-06", 1000), rep("ca-na", "2021-08", 1100),
        rep("ca-bg", "2021-06", 400), rep("ca-bg", "2021-07", 5), rep("ca-bg", "2021-08", 100),
    ]
    result = trends(UNITS, reports, rng(), None)
    assert result["movers_compared"] == 3
    assert [(m["unit_id"], m["first"], m["last"], m["change"], m["change_percent"]) for m in result["rising"]] == [
        ("cyt", 150, 310, 160, 106.7), ("ca-na", 1000, 1100, 100, 10.0)]
    assert [(m["unit_id"], m["change"], m["change_percent"]) for m in result["falling"]] == [("ca-bg", -300, -75.0)]
    assert result["rising"][0]["name"] == "Cục Y tế"
    assert (result["rising"][0]["units_reported_first"], result["rising"][0]["units_reported_last"]) == (2, 2)

    hospitals = trends(UNITS, reports, rng(), "cyt")  # one level down: the hospitals themselves
    assert [(m["unit_id"], m["change"]) for m in hospitals["rising"]] == [("bv-a", 200)]
    assert [(m["unit_id"], m["change"], m["change_percent"]) for m in hospitals["falling"]] == [("bv-b", -40, -80.0)]


def test_a_unit_missing_in_the_first_or_last_period_is_not_ranked_and_zero_has_no_percent():
    reports = [rep("bv-a", "2021-08", 500),                       # nothing in June: missing, not a rise
               rep("bv-b", "2021-06", 80),                        # nothing in August: missing, not a fall
               rep("bv-c", "2021-06", 0), rep("bv-c", "2021-08", 25),
               rep("bv-b", "2021-08", 80, status="returned")]     # a returned report is no figure
    result = trends(UNITS, reports, rng(), "cyt")
    assert [(m["unit_id"], m["change"], m["change_percent"]) for m in result["rising"]] == [("bv-c", 25, None)]
    assert result["falling"] == []


def test_only_the_top_ten_each_way_and_a_leaf_has_no_movers():
    units = [{"id": "root", "name": "Bộ", "kind": "ministry", "parent_id": None}] + [
        {"id": f"u{i:02d}", "name": f"Đơn vị {i:02d}", "kind": "province", "parent_id": "root"} for i in range(30)]
    reports = [r for i in range(30) for r in (rep(f"u{i:02d}", "2021-06", 1000), rep(f"u{i:02d}", "2021-08", 1000 + (i - 15) * 10))]
    result = trends(units, reports, rng(), None)
    assert [m["unit_id"] for m in result["rising"]] == [f"u{i:02d}" for i in range(29, 29 - TOP, -1)]
    assert [m["unit_id"] for m in result["falling"]] == [f"u{i:02d}" for i in range(TOP)]
    assert trends(units, reports, rng(), "u03")["rising"] == trends(units, reports, rng(), "u03")["falling"] == []


# -- the range asked for -------------------------------------------------------------------------

@pytest.mark.parametrize("code, first, last, field, words", [
    ("khong-co", "2021-06", "2021-08", "indicator", "Không có chỉ tiêu mã 'khong-co'"),
    (None, "2021-06", "2021-08", "indicator", "Hãy chọn một chỉ tiêu"),
    (CODE, "2018-01", "2021-08", "to", f"tối đa {MAX_PERIODS} kỳ"),
    (CODE, "2021-06", "2021-Q3", "to", "cùng loại"),
    (CODE, "2021-08", "2021-06", "to", "từ kỳ đầu trở về sau"),
    (CODE, "2021-13", "2021-08", "from", "không hợp lệ"),
])
def test_a_bad_range_is_refused_in_vietnamese(code, first, last, field, words):
    with pytest.raises(Invalid) as refused:
        parse_range(code, first, last, NOW)
    assert refused.value.errors[0].field == field
    assert words in refused.value.errors[0].message


def test_thirty_six_periods_are_allowed_and_the_default_is_six_months_to_the_current_one():
    assert len(parse_range(CODE, "2018-09", "2021-08", NOW).periods) == MAX_PERIODS
    assert [p.code for p in parse_range(CODE, None, None, NOW).periods] == [
        "2021-03", "2021-04", "2021-05", "2021-06", "2021-07", "2021-08"]
    assert [p.code for p in parse_range(CODE, "2021-Q1", None, NOW).periods] == ["2021-Q1", "2021-Q2", "2021-Q3"]


def test_a_small_subtree_is_read_unit_by_unit_and_a_large_one_period_by_period():
    assert read_plan(4) == "unit"
    assert read_plan(11_000) == "period"


# -- from the store, and over HTTP ---------------------------------------------------------------

@pytest.fixture
def seeded(api, admin_token, store):
    seed_units(store, [(u["id"], u["name"], u["parent_id"], u["kind"]) for u in UNITS])
    for period in ("2021-06", "2021-07", "2021-08"):
        open_period(api, admin_token, period)
    figures = {("bv-a", "2021-06"): 100, ("bv-b", "2021-06"): 50, ("bv-a", "2021-08"): 300, ("bv-b", "2021-08"): 10,
               ("ca-na", "2021-06"): 1000, ("ca-na", "2021-08"): 1100, ("bv-c", "2021-07"): 70}
    for (unit_id, period), value in figures.items():
        resp = api.put(f"/v1/units/{unit_id}/reports/{period}", token=admin_token, body={"values": {CODE: value}})
        assert resp.status_code == 201, resp.body
    resp = api.post("/v1/units/bv-b/reports/2021-08/review", token=admin_token, body={"action": "return", "note": "Sai số."})
    assert resp.status_code == 200, resp.body
    return figures


def test_both_ways_of_reading_the_store_give_the_same_trend(store, seeded):
    for unit_id in (None, "cyt"):
        by_unit = trends_for(store, CODE, unit_id, "2021-06", "2021-08", NOW, per_unit_reads=100)
        by_period = trends_for(store, CODE, unit_id, "2021-06", "2021-08", NOW, per_unit_reads=0)
        assert by_unit == by_period
    assert totals(by_unit) == [150, 70, 300]  # bv-b's August report was returned
    with pytest.raises(NotFound):
        trends_for(store, CODE, "khong-co", "2021-06", "2021-08", NOW)


def test_admins_and_leaders_read_trends_and_units_may_not(api, admin_token, store, seeded):
    leader = person(store, "leader")[1]
    for token in (admin_token, leader, issue(store, "leader")):
        resp = api.get(f"/v1/trends?indicator={CODE}&unit=cyt&from=2021-06&to=2021-08", token=token)
        assert resp.status_code == 200, resp.body
        assert totals(resp.data) == [150, 70, 300]
        assert [m["unit_id"] for m in resp.data["rising"]] == ["bv-a"]
        assert resp.data["from"] == "2021-06"
    whole = api.get(f"/v1/trends?indicator={CODE}&from=2021-06&to=2021-08", token=leader).data
    assert totals(whole) == [1150, 70, 1400]
    assert [(m["unit_id"], m["change"]) for m in whole["rising"]] == [("cyt", 150), ("ca-na", 100)]
    clerk = api.post("/v1/units/bv-a/tokens", token=admin_token, body={}).data["token"]
    assert api.get(f"/v1/trends?indicator={CODE}", token=clerk).status_code == 403

    choices = api.get("/v1/trends/units", token=leader)
    assert choices.status_code == 200
    # tree order, siblings in Vietnamese alphabetical order ("Công" before "Cục")
    assert [u["id"] for u in choices.data["items"]] == ["bca", "ca-bg", "ca-na", "cyt", "bv-a", "bv-b", "bv-c"]
    assert choices.data["items"][3] == {"id": "cyt", "name": "Cục Y tế", "parent_id": "bca"}
    assert api.get("/v1/trends/units", token=clerk).status_code == 403


def test_a_bad_request_gets_a_vietnamese_problem(api, admin_token, seeded):
    too_long = api.get(f"/v1/trends?indicator={CODE}&from=2018-01&to=2021-08", token=admin_token)
    assert too_long.status_code == 422
    assert too_long.data["errors"] == [{"field": "to", "message": too_long.data["errors"][0]["message"]}]
    assert f"tối đa {MAX_PERIODS} kỳ" in too_long.data["errors"][0]["message"]
    assert too_long.data["detail"] == too_long.data["errors"][0]["message"]  # said as it is, in Vietnamese
    unknown = api.get("/v1/trends?indicator=khong-co", token=admin_token)
    assert unknown.status_code == 422 and "Không có chỉ tiêu" in unknown.data["errors"][0]["message"]
    missing = api.get(f"/v1/trends?indicator={CODE}&unit=khong-co", token=admin_token)
    assert missing.status_code == 404 and "Không tìm thấy đơn vị" in missing.data["detail"]


def test_the_unit_picker_of_11000_units_is_one_body_well_under_lambdas_6_mb():
    from chalicelib.reporting.completeness import lambda_bytes
    from chalicelib.reporting.trends import unit_choices

    units = [{"id": "bca", "name": "Bộ Công an", "kind": "ministry", "parent_id": None}] + [
        {"id": f"ca-tinh-{p:02d}", "name": f"Công an tỉnh Thừa Thiên Huế số {p:02d}", "parent_id": "bca"} for p in range(63)] + [
        {"id": f"cong-an-xa-{i:05d}", "name": f"Công an xã Nghĩa Đồng, huyện Tân Kỳ, đơn vị số {i:05d}",
         "parent_id": f"ca-tinh-{i % 63:02d}"} for i in range(11_000 - 64)]
    body = {"items": unit_choices(units), "next": None}
    assert len(body["items"]) == 11_000
    assert lambda_bytes(body) < 5 * 1024 * 1024
