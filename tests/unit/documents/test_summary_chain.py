"""Issue 18 in the summary report (pure: no WeasyPrint): its heading from the ministry's
issuer record, the assessment sections, the office's unit order, one way of writing a
change, distinct marks for "not submitted" and "left blank", the completeness annex from
the subtree's state, chart labels that fit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import SimpleNamespace

from chalicelib.conferences import aggregate
from chalicelib.core.catalogs import indicator_catalog as catalog
from chalicelib.documents import charts, issuers
from chalicelib.documents.formatting import vn_change
from chalicelib.documents.model import AssessmentSections, Heading, IndicatorLine
from chalicelib.documents.render import render_summary_html

UNITS = [{"id": "bca", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
         {"id": "na", "name": "Công an tỉnh Nghệ An", "parent_id": "bca", "kind": "province"},
         {"id": "dn", "name": "Công an thành phố Đà Nẵng", "parent_id": "bca", "kind": "province"},
         {"id": "ag", "name": "Công an tỉnh An Giang", "parent_id": "bca", "kind": "province"},
         {"id": "hcm", "name": "Công an Thành phố Hồ Chí Minh", "parent_id": "bca", "kind": "province"},
         {"id": "yte", "name": "Cục Y tế", "parent_id": "bca", "kind": "department"},
         {"id": "bv", "name": "Bệnh viện 199", "parent_id": "yte", "kind": "hospital"},
         {"id": "c08", "name": "Cục Cảnh sát giao thông", "parent_id": "bca", "kind": "department"}]
CONF = {"id": "c1", "title": "Hội nghị sơ kết", "date": "2021-09-05", "periods": ["2021-08"],
        "recipients": ["ld@x.vn"], "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng B"}}


def heading(number="07/BC-BCA", issued_on=dt.date(2021, 8, 5), replaces=None) -> Heading:
    return Heading(issuers.ministry(CONF), "BC", number, issued_on, 2021, ["Lãnh đạo Bộ"], "https://x/v",
                   "7K3F-Q2MD", replaces)


def report(unit, values, period="2021-08"):
    return {"unit_id": unit, "period": period, "values": values, "achievements": f"{unit} tốt.",
            "status": "submitted", "etag": unit}


def build(reports, *, h=None, assessment=AssessmentSections(), completeness=(), conf=CONF):
    covered, previous = aggregate.window(conf)
    by_period: dict[str, list] = {}
    for r in reports:
        by_period.setdefault(r["period"], []).append(r)
    inputs = aggregate.Inputs(conf, UNITS, covered, previous, by_period, catalog(), "v1")
    return aggregate.build_summary(inputs, heading=h or heading(), completeness=completeness, assessment=assessment)


REPORTS = [report("na", {"checkpoints": 5}), report("dn", {"checkpoints": 3}), report("bv", {"checkpoints": 2}),
           report("ag", {"checkpoints": None}), report("c08", {"checkpoints": 1})]


def test_units_in_the_offices_order_departments_then_provinces_by_place():
    # two levels: the hospital under Cục Y tế has a row of its own (issue 20: by default it does not)
    doc = build(REPORTS, conf={**CONF, "summary_levels": 2})
    assert [r.name for r in doc.unit_rows] == [
        "Bộ Công an (tổng cộng)", "Cục Cảnh sát giao thông", "Cục Y tế", "Bệnh viện 199",
        "Công an tỉnh An Giang", "Công an thành phố Đà Nẵng", "Công an Thành phố Hồ Chí Minh",
        "Công an tỉnh Nghệ An"]
    assert issuers.place_name("Công an thành phố Đà Nẵng") == "Đà Nẵng"
    assert [h.unit_name for h in doc.highlights][:2] == ["Cục Cảnh sát giao thông", "Bệnh viện 199"]


def test_a_unit_that_sent_nothing_is_told_apart_from_a_blank_figure():
    doc = build(REPORTS)
    rows = {r.unit_id: r for r in doc.unit_rows}
    assert rows["ag"].submitted and rows["ag"].values["checkpoints"] is None   # sent, left blank: "–"
    assert not rows["hcm"].submitted                                            # sent nothing: "x"
    assert rows["yte"].submitted  # its hospital reported for it
    html = render_summary_html(doc)
    assert "“–”: đơn vị đã gửi báo cáo nhưng để trống chỉ tiêu; “x”: đơn vị chưa gửi báo cáo" in html


def test_the_heading_is_the_ministrys_and_a_draft_is_marked_and_blank():
    html = render_summary_html(build(REPORTS))
    assert '<div class="agency">BỘ CÔNG AN</div>' in html and 'class="upper-agency"' not in html
    assert "Số: 07/BC-BCA" in html and "Hà Nội, ngày 05 tháng 8 năm 2021" in html
    assert "KT. BỘ TRƯỞNG" in html and "THỨ TRƯỞNG" in html and "Thượng tướng B" in html
    assert "DỰ THẢO" not in html
    draft = render_summary_html(build(REPORTS, h=heading(number=None, issued_on=None)))
    assert "DỰ THẢO" in draft and "/BC-BCA" in draft and "07/BC-BCA" not in draft
    assert "Hà Nội, ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng" in draft
    replacing = render_summary_html(build(REPORTS, h=heading(replaces="Báo cáo số 06/BC-BCA ngày 01/8/2021")))
    assert "(Báo cáo này thay thế Báo cáo số" in replacing


def test_assessment_sections_printed_after_the_figures_empty_ones_left_out_or_marked_in_a_draft():
    sections = AssessmentSections(overall="Đơn vị làm tốt.\nNhiều kết quả.", causes="Dịch bệnh.")
    html = render_summary_html(build(REPORTS, assessment=sections))
    assert "V. ĐÁNH GIÁ CHUNG" in html and "VI. NGUYÊN NHÂN" in html
    assert "TỒN TẠI" not in html and "chưa viết" not in html
    assert html.index("IV. MỘT SỐ KẾT QUẢ") < html.index("V. ĐÁNH GIÁ CHUNG") < html.index("Nơi nhận")
    assert "<p>Nhiều kết quả.</p>" in html
    draft = render_summary_html(build(REPORTS, assessment=sections, h=heading(number=None, issued_on=None)))
    assert draft.count("(Văn phòng chưa viết phần này)") == 3
    assert "VI. TỒN TẠI, HẠN CHẾ" in draft and "IX. KIẾN NGHỊ, ĐỀ XUẤT" in draft
    assert aggregate.assessment_of({"assessment": {"overall": "A", "causes": None}}) == AssessmentSections(overall="A")


def test_changes_are_written_one_way():
    assert [vn_change(v) for v in (97.43, 10.0, -6.44, 0.0, None)] == ["+97,4%", "+10,0%", "-6,4%", "0,0%", "–"]
    doc = dataclasses.replace(build(REPORTS), indicators=[IndicatorLine("checkpoints", "Chốt", "chốt", 29410, 14900)],
                              main_indicator_codes=["checkpoints"])
    html = render_summary_html(doc)
    assert "tăng 14.510 (+97,4%)" in html and ">+97,4%<" in html
    assert "197%" not in html and "97%" not in html.replace("97,4%", "")


def test_a_comparison_label_fits_after_its_bar():
    """Chart 7 of the issue: "29.410 (197%" clipped at the plot's edge."""
    label = "29.410 (+97,4%)"
    bars = [(197.4, label), (100.0, "14.900")]
    top = charts.axis_top(bars, ["Công dân được đón, dẫn"])
    plot = charts.WIDTH - 2 * charts.MARGIN - charts.SPACING - len("Công dân được đón, dẫn") * 0.6 * charts.LABEL_FONT
    end = 197.4 / top * plot + 6 + charts.text_px(label, charts.VALUE_FONT)
    assert end <= plot
    svg = charts.comparison_chart([IndicatorLine("x", "Công dân được đón, dẫn", "người", 29410, 14900)],
                                  "kỳ này", "kỳ trước").data_url
    import base64
    text = base64.b64decode(svg.split(",", 1)[1]).decode()
    assert "29.410 (+97,4%)" in text and "197%" not in text


def test_completeness_annex_uses_the_subtrees_state():
    rows = [SimpleNamespace(unit_id="bca", name="Bộ Công an", label="", state=None, depth=0,
                            subtree_state="partial", subtree_label="x"),
            SimpleNamespace(unit_id="yte", name="Cục Y tế", label="Chưa nộp", state="missing", depth=1,
                            subtree_state="complete", subtree_label="Cấp dưới đã nộp đủ (1/1)"),
            SimpleNamespace(unit_id="bv", name="Bệnh viện 199", label="Đúng hạn", state="submitted", depth=2,
                            subtree_state=None, subtree_label=None),
            SimpleNamespace(unit_id="na", name="Công an tỉnh Nghệ An", label="Đúng hạn", state="submitted", depth=1,
                            subtree_state="partial", subtree_label="Cấp dưới nộp chưa đủ (1/2)"),
            SimpleNamespace(unit_id="c08", name="Cục Cảnh sát giao thông", label="Chưa nộp", state="missing",
                            depth=1, subtree_state=None, subtree_label=None)]
    doc = build(REPORTS, completeness=rows, conf={**CONF, "summary_levels": 2})
    assert [(r.unit_name, r.status, r.depth) for r in doc.completeness] == [
        ("Cục Cảnh sát giao thông", "Chưa nộp", 1),
        ("Cục Y tế", "Cấp dưới đã nộp đủ (1/1)", 1),
        ("Bệnh viện 199", "Đúng hạn", 2),
        ("Công an tỉnh Nghệ An", "Đúng hạn; cấp dưới nộp chưa đủ (1/2)", 1)]
    # Issue 20: by default the annex lists the ministry's direct units only, with their subtree's state
    assert [(r.unit_name, r.status) for r in build(REPORTS, completeness=rows).completeness] == [
        ("Cục Cảnh sát giao thông", "Chưa nộp"), ("Cục Y tế", "Cấp dưới đã nộp đủ (1/1)"),
        ("Công an tỉnh Nghệ An", "Đúng hạn; cấp dưới nộp chưa đủ (1/2)")]
    assert "Chưa nộp" not in [r.status for r in doc.completeness if r.unit_name == "Cục Y tế"]


def test_the_assessment_changes_the_fingerprint_only_once_written():
    covered, previous = aggregate.window(CONF)
    base = aggregate.Inputs(CONF, UNITS, covered, previous, {"2021-08": REPORTS}, catalog(), "v1")
    plain = aggregate.fingerprint(base)
    assert aggregate.fingerprint(dataclasses.replace(base, conference={**CONF, "assessment": None})) == plain
    written = dataclasses.replace(base, conference={**CONF, "assessment": {"overall": "Tốt."}})
    assert aggregate.fingerprint(written) != plain
