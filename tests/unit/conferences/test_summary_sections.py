"""Issue 10: section IV shows each unit once; the period-by-period texts go in an annex only
when the conference asks for it (`annex`); the roll-up is linear; the conference API
accepts and returns `annex`."""

from __future__ import annotations

import datetime as dt
import time

from chalicelib.conferences import aggregate
from chalicelib.documents import issuers
from chalicelib.documents.model import Heading
from chalicelib.core.catalogs import indicator_catalog as catalog
from chalicelib.core.periods import parse_period
from chalicelib.documents.render import render_summary_html

UNITS = [{"id": "bca", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
         {"id": "na", "name": "Công an tỉnh Nghệ An", "parent_id": "bca", "kind": "province"},
         {"id": "bg", "name": "Công an tỉnh Bắc Giang", "parent_id": "bca", "kind": "province"}]
CONF = {"id": "c1", "title": "Hội nghị sơ kết", "date": "2021-09-05", "periods": ["2021-07", "2021-08"],
        "recipients": ["ld@x.vn"], "number_prefix": "BC-BCA", "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "A"}}

HEADING = Heading(issuers.ministry(), "BC", "07/BC-BCA", dt.date(2021, 9, 1), 2021, ["Lãnh đạo Bộ"],
                  "https://x/v", "7K3F-Q2MD")


def report(unit, period, achievements, status="submitted"):
    return {"unit_id": unit, "period": period, "values": {"checkpoints": 1}, "achievements": achievements,
            "status": status, "etag": f"{unit}-{period}-{len(achievements)}"}


def doc(reports, conf=CONF, units=UNITS):
    covered, previous = aggregate.window(conf)
    by_period: dict[str, list] = {}
    for r in reports:
        by_period.setdefault(r["period"], []).append(r)
    inputs = aggregate.Inputs(conf, units, covered, previous, by_period, catalog(), "v1")
    return aggregate.build_summary(inputs, heading=HEADING)


REPORTS = [report("na", "2021-07", "Nghệ An tháng bảy."), report("na", "2021-08", "Nghệ An tháng tám."),
           report("bg", "2021-07", "Bắc Giang tháng bảy."), report("bg", "2021-08", "   ")]


def test_each_unit_once_with_its_latest_period_when_no_summary():
    d = doc(REPORTS)
    assert [(h.unit_name, h.text, h.period_label) for h in d.highlights] == [
        ("Công an tỉnh Bắc Giang", "Bắc Giang tháng bảy.", "tháng 7 năm 2021"),
        ("Công an tỉnh Nghệ An", "Nghệ An tháng tám.", "tháng 8 năm 2021")]
    assert d.period_texts == []  # no annex unless asked
    html = render_summary_html(d)
    assert html.count("Nghệ An tháng") == 1 and "PHỤ LỤC" not in html


def test_a_quarter_report_holding_the_months_is_the_units_own_summary():
    d = doc([*REPORTS, report("na", "2021-Q3", "Nghệ An quý III: tổng kết.")])
    assert [(h.text, h.period_label) for h in d.highlights][1] == ("Nghệ An quý III: tổng kết.", "quý III năm 2021")
    assert aggregate.summary_periods(aggregate.window(CONF)[0]) == [parse_period("2021-Q3")]
    assert aggregate.summary_periods([parse_period("2021-03"), parse_period("2021-04")]) == []  # two quarters
    assert aggregate.summary_periods([parse_period("2021-08")]) == []  # one period: its own text
    weeks = [parse_period("2021-W02"), parse_period("2021-W03")]
    assert [p.code for p in aggregate.summary_periods(weeks)] == ["2021-01", "2021-Q1"]


def test_returned_summaries_do_not_count_and_texts_are_capped():
    long = "Rất dài " * 400
    d = doc([*REPORTS, report("na", "2021-Q3", "bị trả lại", status="returned"), report("bg", "2021-08", long)])
    texts = {h.unit_name: h.text for h in d.highlights}
    assert texts["Công an tỉnh Nghệ An"] == "Nghệ An tháng tám."
    capped = texts["Công an tỉnh Bắc Giang"]
    assert len(capped) <= aggregate.HIGHLIGHT_CAP and capped.endswith("…") and long.startswith(capped[:-1])


def test_the_annex_has_every_period_in_full_only_when_asked():
    d = doc([*REPORTS, report("na", "2021-Q3", "Nghệ An quý III.")], conf={**CONF, "annex": True})
    assert [(u.unit_name, [(p.period_label, p.text) for p in u.periods]) for u in d.period_texts] == [
        ("Công an tỉnh Bắc Giang", [("tháng 7 năm 2021", "Bắc Giang tháng bảy.")]),
        ("Công an tỉnh Nghệ An", [("tháng 7 năm 2021", "Nghệ An tháng bảy."), ("tháng 8 năm 2021", "Nghệ An tháng tám.")])]
    html = render_summary_html(d)
    assert "PHỤ LỤC" in html and "KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ THEO TỪNG KỲ BÁO CÁO" in html
    assert "Tháng 7 năm 2021:" in html and html.count("Nghệ An tháng bảy.") == 1
    # the fingerprint changes with the annex, and stays what it was without it
    without = aggregate.fingerprint(aggregate.Inputs(CONF, UNITS, *aggregate.window(CONF), {}, catalog(), "v1"))
    same = aggregate.fingerprint(aggregate.Inputs({**CONF, "annex": False}, UNITS, *aggregate.window(CONF), {},
                                                  catalog(), "v1"))
    asked = aggregate.fingerprint(aggregate.Inputs({**CONF, "annex": True}, UNITS, *aggregate.window(CONF), {},
                                                   catalog(), "v1"))
    assert without == same != asked


def test_rollup_is_linear_in_the_units():
    units = [{"id": "root", "name": "Bộ", "parent_id": None}]
    for i in range(3000):  # a deep chain and a wide fan: the old walk was quadratic
        units.append({"id": f"u{i}", "name": f"Đơn vị {i}", "parent_id": f"u{i - 1}" if i % 2 and i else "root"})
    codes = list(catalog().codes)
    own = {u["id"]: {c: 1 for c in codes} for u in units}
    started = time.perf_counter()
    rolled = aggregate.rolled_up(units, own, codes)
    assert time.perf_counter() - started < 2.0
    assert rolled["root"]["checkpoints"] == len(units)
    assert rolled["u1"]["checkpoints"] == 1 and rolled["u0"]["checkpoints"] == 2


def test_the_conference_api_accepts_and_returns_annex(api, admin_token):
    body = {**CONF, "recipients": ["ld@x.vn"]}
    body.pop("id")
    created = api.post("/v1/conferences", token=admin_token, body=body)
    assert created.status_code == 201 and created.data["annex"] is False
    cid = created.data["id"]
    patched = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"annex": True},
                        headers={"If-Match": created.headers["ETag"]})
    assert patched.status_code == 200 and patched.data["annex"] is True
    assert api.get(f"/v1/conferences/{cid}", token=admin_token).data["annex"] is True
    bad = api.post("/v1/conferences", token=admin_token, body={**body, "annex": "có"})
    assert bad.status_code == 422
