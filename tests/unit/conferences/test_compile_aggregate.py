"""Aggregation into a SummaryDocument, without DynamoDB or WeasyPrint."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from chalicelib.conferences import aggregate
from chalicelib.documents import issuers
from chalicelib.documents.model import Heading
from chalicelib.core.catalogs import indicator_catalog as catalog
from chalicelib.core.periods import parse_period

UNITS = [{"id": "bca", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
         {"id": "na", "name": "Công an tỉnh Nghệ An", "parent_id": "bca", "kind": "province"},
         {"id": "vinh", "name": "Công an thành phố Vinh", "parent_id": "na", "kind": "other"},
         {"id": "bg", "name": "Công an tỉnh Bắc Giang", "parent_id": "bca", "kind": "province"}]
CONF = {"id": "c1", "title": "Hội nghị sơ kết", "date": "2021-09-05", "periods": ["2021-07", "2021-08"],
        "recipients": ["Lãnh đạo Bộ <ld@x.vn>", "vp@x.vn"], "number_prefix": "BC-BCA",
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "A"}}

HEADING = Heading(issuers.ministry(), "BC", "07/BC-BCA", dt.date(2021, 9, 1), 2021, ["Lãnh đạo Bộ"],
                  "https://x/v", "7K3F-Q2MD")


def report(unit, period, values, achievements="", status="submitted", etag=None):
    return {"unit_id": unit, "period": period, "values": values, "achievements": achievements, "status": status,
            "etag": etag or f"{unit}-{period}"}


def inputs(reports, conf=CONF):
    covered, previous = aggregate.window(conf)
    by_period: dict[str, list] = {}
    for r in reports:
        by_period.setdefault(r["period"], []).append(r)
    return aggregate.Inputs(conf, aggregate.units_in_scope(UNITS, conf.get("unit_ids")), covered, previous,
                            by_period, catalog(), "v1")


def build(i, completeness=()):
    return aggregate.build_summary(i, heading=HEADING, completeness=completeness)


REPORTS = [report("na", "2021-08", {"citizens_escorted": 15000}, "Nghệ An làm tốt."),
           report("na", "2021-07", {"citizens_escorted": 1000}),
           report("vinh", "2021-08", {"citizens_escorted": 4200}, "Vinh làm tốt."),
           report("bg", "2021-08", {"citizens_escorted": 500}, "   "),
           report("bg", "2021-06", {"citizens_escorted": 300}),
           report("bg", "2021-05", {"citizens_escorted": 200})]


def test_window_previous_and_labels():
    covered, previous = aggregate.window(CONF)
    assert [p.code for p in previous] == ["2021-05", "2021-06"]
    assert aggregate.window_label(covered) == "tháng 7 và tháng 8 năm 2021"
    months = [parse_period(f"2021-{m:02d}") for m in range(1, 7)]
    assert aggregate.window_label(months) == "từ tháng 1 đến tháng 6 năm 2021"


def test_rollup_totals_previous_and_highlights():
    # Issue 20: two levels asked for (the default, one, lists the ministry's direct units only:
    # test_the_summary_lists_the_levels_asked_for below). This test used to see every level.
    doc = build(inputs(REPORTS, {**CONF, "summary_levels": 2}))
    rows = {r.unit_id: r for r in doc.unit_rows}
    assert rows["na"].values["citizens_escorted"] == 16000 + 4200  # own (two months) + Vinh
    assert rows["vinh"].values["citizens_escorted"] == 4200 and rows["vinh"].depth == 2
    assert rows["bca"].values["citizens_escorted"] == 20700 and rows["bca"].name.endswith("(tổng cộng)")
    [line] = [ln for ln in doc.indicators if ln.code == "citizens_escorted"]
    assert (line.total, line.previous) == (20700, 500)
    assert all(ln.code in ("citizens_escorted",) for ln in doc.indicators)  # unreported indicators left out
    # the office's order (issuers.json unit_order): Vinh under its province, not first by name
    assert [h.unit_name for h in doc.highlights] == ["Công an tỉnh Nghệ An", "Công an thành phố Vinh"]
    assert "Công an tỉnh Bắc Giang" not in [h.unit_name for h in doc.highlights]  # blank achievements
    assert aggregate.distribution_lines(CONF) == ["Lãnh đạo Bộ", "vp@x.vn"]  # the heading's Nơi nhận
    assert doc.title == "Tổng hợp kết quả tháng 7 và tháng 8 năm 2021 phục vụ Hội nghị sơ kết"
    assert doc.previous_label == "tháng 5 và tháng 6 năm 2021"


def test_returned_reports_count_nowhere_and_scope_limits_units():
    doc = build(inputs([*REPORTS[:2], report("vinh", "2021-08", {"citizens_escorted": 4200}, "x", "returned")]))
    assert {r.unit_id: r.values["citizens_escorted"] for r in doc.unit_rows}["na"] == 16000
    scoped = build(inputs(REPORTS, {**CONF, "unit_ids": ["na"]}))
    assert [r.unit_id for r in scoped.unit_rows] == ["na", "vinh"]  # the levels count from the scope's top


def test_the_summary_lists_the_levels_asked_for_each_unit_rolled_up():
    """Issue 20: by default the ministry's direct units, each with its subtree's figures; a unit
    below them is in its ancestor's row, not in a row, highlight or annex line of its own."""
    doc = build(inputs(REPORTS), [SimpleNamespace(unit_id=u, name=n, label="Đúng hạn", state="submitted")
                                  for u, n in (("na", "Công an tỉnh Nghệ An"), ("vinh", "Công an thành phố Vinh"))])
    assert [r.unit_id for r in doc.unit_rows] == ["bca", "bg", "na"]
    assert {r.unit_id: r.values["citizens_escorted"] for r in doc.unit_rows} == {"bca": 20700, "bg": 500,
                                                                               "na": 20200}
    assert [h.unit_name for h in doc.highlights] == ["Công an tỉnh Nghệ An"]
    assert [r.unit_name for r in doc.completeness] == ["Công an tỉnh Nghệ An"]
    assert doc.deeper and doc.levels == 1 and doc.details == []
    annexed = build(inputs(REPORTS, {**CONF, "annex": True}))
    assert [t.unit_name for t in annexed.period_texts] == ["Công an tỉnh Nghệ An"]


def test_a_unit_asked_for_in_detail_gets_its_whole_subtree_in_an_annex():
    doc = build(inputs(REPORTS, {**CONF, "summary_detail": ["na"]}))
    [detail] = doc.details
    assert detail.unit_name == "Công an tỉnh Nghệ An"
    assert [(r.unit_id, r.depth, r.values["citizens_escorted"]) for r in detail.rows] == [
        ("na", 0, 20200), ("vinh", 1, 4200)]
    assert [r.unit_id for r in doc.unit_rows] == ["bca", "bg", "na"]  # the body stays bounded


def test_levels_and_detail_change_the_fingerprint_only_when_asked_for():
    base = aggregate.fingerprint(inputs(REPORTS))
    assert aggregate.fingerprint(inputs(REPORTS, {**CONF, "summary_levels": 1})) == base
    assert aggregate.fingerprint(inputs(REPORTS, {**CONF, "summary_levels": 2})) != base
    assert aggregate.fingerprint(inputs(REPORTS, {**CONF, "summary_detail": ["na"]})) != base


def test_completeness_rows_skip_the_ministry():
    rows = [SimpleNamespace(name="Bộ Công an", label="Tổng hợp", state=None),
            SimpleNamespace(name="Công an tỉnh Nghệ An", label="Đúng hạn", state="submitted")]
    assert [(r.unit_name, r.status) for r in build(inputs(REPORTS), rows).completeness] == [
        ("Công an tỉnh Nghệ An", "Đúng hạn")]


def test_fingerprint_changes_with_data_not_with_recipients_when_distribution_is_fixed():
    conf = {**CONF, "distribution": ["Lãnh đạo Bộ"]}
    base = aggregate.fingerprint(inputs(REPORTS, conf))
    assert aggregate.fingerprint(inputs(REPORTS, {**conf, "recipients": ["a@x.vn"]})) == base
    changed = [*REPORTS[:-1], report("bg", "2021-05", {"citizens_escorted": 201}, etag="new")]
    assert aggregate.fingerprint(inputs(changed, conf)) != base  # the previous window counts too
    assert aggregate.fingerprint(inputs(REPORTS, {**conf, "signer": {"title": "X", "name": "B"}})) != base
