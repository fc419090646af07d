"""The DOCX of each document, read back with python-docx as Word would show it: header,
number, date line, signer, the draft's mark, the decision's list and its reference line,
the page (A4, Decree 30 margins, page numbers from page 2), the font, tables in order."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from chalicelib.awards import decisions
from chalicelib.documents import issuers
from chalicelib.documents.docx import render_docx
from chalicelib.documents.docx_layout import DRAFT_MARK, MOTTO, NATION
from chalicelib.documents.model import AssessmentSections, DecisionDocument, Heading, ProposalDocument
from devtools import sample_documents

ISSUED = datetime.date(2021, 9, 5)
NBSP = "\u00a0"
CONFERENCE = {"title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19", "place": "Hà Nội"}
UNITS = [
    {"id": "bo-cong-an", "name": "Bộ Công an", "kind": "ministry", "parent_id": None},
    {"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An", "kind": "province", "parent_id": "bo-cong-an",
     "place": "Nghệ An"},
    {"id": "ca-tp-vinh", "name": "Công an thành phố Vinh", "kind": "province", "parent_id": "ca-nghe-an"},
    {"id": "cuc-y-te", "name": "Cục Y tế", "kind": "department", "parent_id": "bo-cong-an"},
    {"id": "bv-19-8", "name": "Bệnh viện 19-8", "kind": "hospital", "parent_id": "cuc-y-te"},
]
NOMINATIONS = [
    {"id": "n1", "kind": "collective", "name": "Bệnh viện 19-8", "position": "", "nominee_unit_id": "bv-19-8",
     "award_form": "bang-khen-bo-truong", "achievements": "Chi viện Bệnh viện dã chiến tại Bắc Giang."},
    {"id": "n2", "kind": "collective", "name": "Công an thành phố Vinh", "position": "",
     "nominee_unit_id": "ca-tp-vinh", "award_form": "bang-khen-bo-truong", "achievements": "Duy trì 8 chốt kiểm soát."},
    {"id": "n3", "kind": "individual", "name": "Lê Đức Bình", "position": "Trung tá, Trưởng phòng",
     "nominee_unit_id": "ca-nghe-an", "award_form": "bang-khen-bo-truong", "achievements": "Tham mưu phần mềm."},
    {"id": "n4", "kind": "individual", "name": "Đặng Văn Ân", "position": "Thiếu tá, Đội trưởng",
     "nominee_unit_id": "ca-tp-vinh", "award_form": "bang-khen-bo-truong", "achievements": "Truy vết 72 giờ."},
    {"id": "n5", "kind": "individual", "name": "Trần Văn Hùng", "position": "Thiếu tá, Phó Đội trưởng",
     "nominee_unit_id": "ca-tp-vinh", "award_form": "giay-khen", "achievements": "Truy vết 1.200 trường hợp."},
]


def heading(issuer, kind: str, number: str | None, recipients=("Như Điều 3", "Lưu: VT, V01"),
            replaces: str | None = None) -> Heading:
    return Heading(issuer=issuer, kind_abbreviation=kind, number=number, issued_on=ISSUED if number else None,
                   year=2021, recipients=list(recipients), verify_url="https://thidua.example/xac-thuc/AB12-CD34",
                   verify_code="AB12-CD34", replaces=replaces)


def decision(number: str | None = "12/QĐ-BCA", *, plan: int = 0, replaces: str | None = None) -> DecisionDocument:
    chosen = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[plan]
    return decisions.build_decision(chosen, UNITS, heading=heading(chosen.issuer, "QĐ", number, replaces=replaces))


def proposal(number: str | None = "15/TTr-V01") -> ProposalDocument:
    h = heading(issuers.office(), "TTr", number, ("Như trên", "Lưu: VT, V01"))
    return decisions.build_proposal(CONFERENCE, NOMINATIONS, UNITS, heading=h)


def read(doc):
    return Document(io.BytesIO(render_docx(doc)))


def texts(document) -> list[str]:
    """Every paragraph's text (as python-docx reads it) in reading order, table cells row by row."""
    body = document.element.body
    return [p.text for p in body.iter(qn("w:p"))]  # CT_P.text: w:t, w:noBreakHyphen as "-", w:br, w:tab


def cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def runs_of(document, text: str):
    found = [r for p in _all_paragraphs(document) for r in p.runs if text in r.text]
    assert found, f"no run with {text!r}"
    return found


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def test_the_decision_header_number_date_and_signer_come_from_its_issuer():
    document = read(decision())
    header = document.tables[0]
    left, right = header.rows[0].cells
    assert cell_lines(left) == ["BỘ CÔNG AN"]
    assert all(r.bold for r in left.paragraphs[0].runs)
    assert cell_lines(right) == [NATION, MOTTO]
    assert all(r.bold for p in right.paragraphs for r in p.runs)
    number, date = header.rows[1].cells
    assert cell_lines(number) == ["Số: 12/QĐ-BCA"]
    assert cell_lines(date) == ["Hà Nội, ngày 05 tháng 9 năm 2021"]
    assert all(r.italic for r in date.paragraphs[0].runs)

    lines = texts(document)
    assert lines.index("QUYẾT ĐỊNH") < lines.index("Về việc tặng Bằng khen của Bộ trưởng Bộ Công an") \
        < lines.index("BỘ TRƯỞNG BỘ CÔNG AN") < lines.index("QUYẾT ĐỊNH:")

    ending = document.tables[1]
    recipients, signer = ending.rows[0].cells
    assert cell_lines(recipients) == ["Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, V01."]
    title = recipients.paragraphs[0].runs[0]
    assert title.bold and title.italic
    assert all(r.font.size == Pt(11) for p in recipients.paragraphs[1:] for r in p.runs)
    assert cell_lines(signer) == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Thượng tướng Lê Văn Minh"]
    assert all(r.bold for p in signer.paragraphs for r in p.runs)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in signer.paragraphs if p.text)
    # the verification code as the PDF prints it, with its QR code
    assert "Mã xác thực: AB12-CD34" in lines and "https://thidua.example/xac-thuc/AB12-CD34" in lines


def test_a_unit_heads_decision_is_headed_and_signed_by_that_unit():
    doc = decision("3", plan=1)  # the Giấy khen of Công an tỉnh Nghệ An; a bare number from the register
    document = read(doc)
    left = document.tables[0].rows[0].cells[0]
    assert cell_lines(left) == ["BỘ CÔNG AN", "CÔNG AN TỈNH NGHỆ AN"]
    number, date = document.tables[0].rows[1].cells
    assert number.text == f"Số: 03/{doc.heading.symbol}" and doc.heading.symbol.startswith("QĐ-CAT")
    assert date.text == "Nghệ An, ngày 05 tháng 9 năm 2021"
    assert cell_lines(document.tables[1].rows[0].cells[1])[0] == "GIÁM ĐỐC"
    assert "(Kèm theo Quyết định số 03/%s ngày 05/9/2021 của Giám đốc Công an tỉnh Nghệ An)" % doc.heading.symbol \
        in texts(document)


def test_the_decision_body_bases_italic_articles_numbered_in_bold():
    doc = decision()
    document = read(doc)
    paragraphs = {p.text: p for p in document.paragraphs if p.text}
    assert doc.bases and all(b.startswith("Căn cứ") and b.endswith(";") for b in doc.bases)
    for basis in doc.bases:
        assert all(r.italic for r in paragraphs[basis].runs)
    proposer = paragraphs["Theo đề nghị của Chánh Văn phòng Bộ Công an."]
    assert all(r.italic for r in proposer.runs)
    decides = paragraphs["QUYẾT ĐỊNH:"]
    assert decides.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in decides.runs)
    articles = [p for p in document.paragraphs if p.text.startswith("Điều ")]
    assert [p.text.split(".")[0] for p in articles] == ["Điều 1", "Điều 2", "Điều 3"]
    assert articles[0].text == f"Điều 1. {doc.articles[0]}"
    for p in articles:
        assert p.runs[0].bold and p.runs[0].text.startswith("Điều")
        assert not p.runs[-1].bold
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert p.paragraph_format.first_line_indent == Mm(12.7)


def test_the_decision_list_follows_on_a_new_page_with_its_reference_line_and_entries_in_order():
    doc = decision()
    document = read(doc)
    lines = texts(document)
    reference = "(Kèm theo Quyết định số 12/QĐ-BCA ngày 05/9/2021 của Bộ trưởng Bộ Công an)"
    assert doc.list_reference == reference and reference in lines
    assert lines.index(doc.list_title) == lines.index(reference) - 1
    ref = next(p for p in document.paragraphs if p.text == reference)
    assert all(r.italic for r in ref.runs)
    # a page break between the signer and the list
    xml = document.element.body.xml
    assert xml.index("Thượng tướng Lê Văn Minh") < xml.index('w:type="page"') < xml.index("Kèm theo Quyết định số")

    assert lines.index("I. TẬP THỂ (2)") < lines.index("II. CÁ NHÂN (2)")
    collectives, individuals = document.tables[-2:]
    rows = [[c.text for c in row.cells] for row in collectives.rows]
    assert rows[0] == ["TT", "Tên tập thể", "Đơn vị"]
    assert [r[:2] for r in rows[1:]] == [[str(i), e.name] for i, e in enumerate(doc.group.collectives, start=1)]
    rows = [[c.text for c in row.cells] for row in individuals.rows]
    assert rows[0] == ["TT", "Họ và tên", "Cấp bậc, chức vụ", "Đơn vị"]
    assert rows[1:] == [[str(i), e.name, e.position, e.unit_name]
                        for i, e in enumerate(doc.group.individuals, start=1)]
    assert {r[1] for r in rows[1:]} == {"Lê Đức Bình", "Đặng Văn Ân"}
    assert lines[-1] == "Tổng số: 02 tập thể và 02 cá nhân."
    # the header row repeats on every page, no row splits across pages
    for table in (collectives, individuals):
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)


def test_an_issued_decision_has_no_draft_mark_and_a_draft_has_one_and_blank_number_and_day():
    issued = read(decision())
    assert DRAFT_MARK not in issued.element.xml
    assert all(DRAFT_MARK not in s.first_page_header._element.xml for s in issued.sections)

    draft_doc = decision(number=None)
    draft = read(draft_doc)
    first = draft.sections[0].first_page_header
    assert [p.text.strip() for p in first.paragraphs if p.text.strip()] == [DRAFT_MARK]
    mark = next(r for p in first.paragraphs for r in p.runs if DRAFT_MARK in r.text)
    assert mark.bold and mark._r.rPr.find(qn("w:bdr")) is not None  # boxed
    number, date = draft.tables[0].rows[1].cells
    assert number.text.startswith("Số: " + NBSP) and number.text.endswith("/QĐ-BCA")
    assert not any(ch.isdigit() for ch in number.text)
    assert date.text.startswith("Hà Nội, ngày") and date.text.endswith("năm 2021")
    assert not any(ch.isdigit() for ch in date.text[: -len("2021")])  # no day, no month
    reference = draft_doc.list_reference
    assert reference.startswith("(Kèm theo Quyết định số " + NBSP) and reference in texts(draft)


def test_page_setup_is_a4_with_decree_30_margins_and_page_numbers_from_page_two():
    document = read(decision())
    (section,) = document.sections

    def mm(length):  # stored in twips: 210 mm is 11906 twips, 210.005 mm
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20, 20)
    assert (mm(section.left_margin), mm(section.right_margin)) == (30, 15)
    assert section.different_first_page_header_footer
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in "".join(t.text for t in header._p.iter(qn("w:instrText")))
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))  # page 1: no number


def test_every_text_is_times_new_roman_13_pt_body_and_vietnamese_nfc():
    document = read(proposal())
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(k)) for k in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {"Times New Roman"}
    assert normal.font.size == Pt(13)
    overridden = {r.font.name for p in _all_paragraphs(document) for r in p.runs if r.font.name}
    assert overridden <= {"Times New Roman"}
    for line in texts(document):
        assert unicodedata.normalize("NFC", line) == line
    # no style of python-docx's template keeps a theme font (Calibri/Cambria), which would win over ours
    styles = document.styles.element.xml
    assert "Theme=" not in styles
    fonts = " ".join(re.findall(r"<w:rFonts [^>]*>", styles))
    assert set(re.findall(r'w:(?:ascii|hAnsi|cs|eastAsia)="([^"]+)"', fonts)) == {"Times New Roman"}


def test_the_proposal_header_is_the_office_under_the_ministry_and_lists_the_achievements():
    doc = proposal()
    document = read(doc)
    left = document.tables[0].rows[0].cells[0]
    assert cell_lines(left) == ["BỘ CÔNG AN", "VĂN PHÒNG"]
    upper, body = left.paragraphs[0].runs[0], left.paragraphs[1].runs[0]
    assert not upper.bold and body.bold
    assert cell_lines(document.tables[0].rows[1].cells[0]) == ["Số: 15/TTr-V01"]
    lines = texts(document)
    assert lines.index("TỜ TRÌNH") < lines.index(doc.title) < lines.index("Kính gửi: Đồng chí Bộ trưởng Bộ Công an.")
    assert lines.index("I. BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN") < lines.index("1. Tập thể (2)") \
        < lines.index("2. Cá nhân (2)")
    assert "Giấy khen" not in " ".join(lines)  # a unit head grants it: not proposed to the Minister
    collectives, individuals = document.tables[1:3]
    assert [c.text for c in collectives.rows[0].cells] == ["TT", "Tên tập thể", "Đơn vị", "Thành tích"]
    assert [c.text for c in individuals.rows[0].cells] == ["TT", "Họ và tên", "Cấp bậc, chức vụ", "Đơn vị",
                                                          "Thành tích"]
    group = doc.groups[0]
    assert [[c.text for c in r.cells] for r in individuals.rows[1:]] == [
        [str(i), e.name, e.position, e.unit_name, e.achievements] for i, e in enumerate(group.individuals, start=1)]
    signer = document.tables[-2].rows[0].cells[1]
    assert cell_lines(signer) == ["CHÁNH VĂN PHÒNG", "Thiếu tướng Trần Quốc Hưng"]
    assert doc.closing in lines


def test_a_replacement_says_what_it_replaces():
    replaced = "Quyết định số 01/QĐ-BCA ngày 05/9/2021"
    lines = texts(read(decision(replaces=replaced)))
    assert any(line.startswith("Điều 2.") and f"thay thế {replaced}" in line for line in lines)
    doc = proposal()
    doc = dataclasses.replace(doc, heading=dataclasses.replace(doc.heading, replaces="Tờ trình số 14/TTr-V01 ngày 01/9/2021"))
    assert "(Tờ trình này thay thế Tờ trình số 14/TTr-V01 ngày 01/9/2021)" in texts(read(doc))


def test_the_same_model_gives_the_same_bytes_at_any_time(monkeypatch):
    first = render_docx(decision())
    monkeypatch.setattr(time, "time", lambda: 4_000_000_000.0)  # the year 2096: no date of "now" in the file
    assert render_docx(decision()) == first
    document = read(decision())
    assert document.core_properties.created.date() == datetime.date(2021, 9, 5)  # the day of issue
    assert document.core_properties.title == "Quyết định số 12/QĐ-BCA: Về việc tặng Bằng khen của Bộ trưởng Bộ Công an"
    assert read(decision(None)).core_properties.title.startswith("DỰ THẢO - Quyết định: Về việc tặng")


def test_the_summary_has_its_figures_table_charts_and_annex():
    doc = sample_documents.sample_summary()
    document = read(doc)
    lines = texts(document)
    assert cell_lines(document.tables[0].rows[1].cells[0]) == ["Số: 07/BC-BCA"]
    assert cell_lines(document.tables[0].rows[1].cells[1]) == ["Hà Nội, ngày 05 tháng 8 năm 2021"]
    assert "BÁO CÁO" in lines
    assert lines.index("I. TỔNG HỢP KẾT QUẢ CHUNG") < lines.index("II. BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU") \
        < lines.index("III. SỐ LIỆU CHI TIẾT THEO ĐƠN VỊ") < lines.index("IV. MỘT SỐ KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ")
    totals = document.tables[1]
    assert [c.text for c in totals.rows[0].cells] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước",
                                                      "Tăng (+), giảm (-)", "Tỷ lệ"]
    assert [c.text for c in totals.rows[1].cells] == ["1", "Lượt cán bộ, chiến sỹ được huy động", "lượt", "10.420",
                                                      "8.920", "+1.500", "+16,8%"]
    assert [r.cells[1].text for r in totals.rows[1:]] == [ln.label for ln in doc.indicators]
    # one chart per main indicator with figures, the comparison, and the QR code: PNG pictures
    images = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 7 and all(blob.startswith(b"\x89PNG") for blob in images)
    assert "Biểu đồ 6. So sánh với kỳ trước (kỳ trước = 100%)" in lines
    assert [c.text for c in totals.rows[8].cells][-2:] == ["+1.194", "+6,1%"]  # the change one way: signed
    units = document.tables[2]
    assert [r.cells[1].text for r in units.rows[1:]] == [r.name for r in doc.unit_rows]
    silent = next(r for r in units.rows if r.cells[1].text == "Công an tỉnh Bắc Ninh")
    assert [c.text for c in silent.cells[2:]] == ["x"] * (len(silent.cells) - 2)  # sent no report
    blank = next(r for r in units.rows if r.cells[1].text == "Bệnh viện Y học cổ truyền")
    assert "–" in [c.text for c in blank.cells[2:]]  # left a figure blank
    assert "Ghi chú: “–”: đơn vị đã gửi báo cáo nhưng để trống chỉ tiêu; “x”: đơn vị chưa gửi báo cáo." in lines
    assert [line for line in lines if line.startswith("(Kèm theo Báo cáo số")] == \
        ["(Kèm theo Báo cáo số 07/BC-BCA ngày 05/8/2021)"]
    completeness = document.tables[-1]
    assert [r.cells[1].text for r in completeness.rows[1:]] == [r.unit_name for r in doc.completeness]
    assert lines[-1].startswith(f"Tổng số: {len(doc.completeness)} đơn vị; ")
    signer = [t for t in document.tables if "Nơi nhận:" in t.rows[0].cells[0].text][0].rows[0].cells[1]
    assert cell_lines(signer) == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Thượng tướng Lê Văn Minh"]


def test_the_assessment_sections_issued_leave_out_empty_ones_a_draft_marks_them():
    sections = AssessmentSections(overall="Các đơn vị đã triển khai quyết liệt.", directions="Tiếp tục.\nGiữ vững.")
    doc = sample_documents.sample_summary(assessment=sections)
    lines = texts(read(doc))
    assert lines.index("V. ĐÁNH GIÁ CHUNG") < lines.index("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ")
    assert "TỒN TẠI, HẠN CHẾ" not in " ".join(lines)
    assert lines.index("Tiếp tục.") + 1 == lines.index("Giữ vững.")
    lines = texts(read(sample_documents.sample_summary(assessment=sections, draft=True)))
    assert "VI. TỒN TẠI, HẠN CHẾ" in lines
    assert lines.count("(Văn phòng chưa viết phần này)") == 3
    assert "(Kèm theo Báo cáo số " + NBSP in " ".join(lines)


def test_importing_the_module_loads_no_docx_library():
    """An API handler may import it (for DOCX_MEDIA_TYPE) without python-docx, lxml or Pillow."""
    code = ("import sys, chalicelib.documents.docx as d; assert d.DOCX_MEDIA_TYPE.endswith('document');"
            "heavy = [m for m in ('docx', 'lxml', 'PIL', 'weasyprint') if m in sys.modules];"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[3], check=True)


def test_another_model_is_refused():
    with pytest.raises(TypeError):
        render_docx(object())


def test_prose_with_characters_xml_cannot_carry_still_renders():
    nominations = [dict(n, achievements=n["achievements"] + "\x0bDòng mới\x00.") for n in NOMINATIONS]
    h = heading(issuers.office(), "TTr", None)
    doc = decisions.build_proposal(CONFERENCE, nominations, UNITS, heading=h)
    lines = texts(read(doc))
    assert any("Dòng mới" in line for line in lines)


def test_charts_keep_the_pdfs_choices():
    from chalicelib.documents import docx_charts
    from chalicelib.documents.charts import MAX_BARS
    from chalicelib.documents.model import IndicatorLine, UnitRow

    line = IndicatorLine("x", "Chốt kiểm soát", "chốt", 100, None)
    rows = [UnitRow(f"u{i}", f"Công an tỉnh {i:02d}", 1, {"x": i + 1}) for i in range(MAX_BARS + 3)]
    chart = docx_charts.unit_bar_chart(line, rows)
    assert chart.png.startswith(b"\x89PNG") and chart.title == "Chốt kiểm soát (chốt)"
    assert chart.caption == f"{MAX_BARS} đơn vị có số liệu cao nhất trên tổng số {MAX_BARS + 3} đơn vị"
    assert docx_charts.unit_bar_chart(line, [UnitRow("u", "Cục Y tế", 1, {"x": None})]) is None
    assert docx_charts.comparison_chart([line], "kỳ này", "kỳ trước") is None  # no previous figure


def test_document_numbers_never_break_at_their_hyphen():
    document = read(decision())
    ref = next(p for p in document.paragraphs if p.text.startswith("(Kèm theo Quyết định số 12/QĐ-BCA"))
    assert ref._p.xpath(".//w:noBreakHyphen")  # read back as "-", never a line break there
    assert "12/QĐ-BCA" in ref.text


def test_issue_20_the_summarys_detail_annex_lists_the_units_subtree():
    """The summary lists the ministry's direct units; a unit asked for in detail has its whole subtree in an annex."""
    from tests.unit.documents.test_summary_chain import CONF, REPORTS, build

    document = read(build(REPORTS, conf={**CONF, "summary_detail": ["yte"]}))
    lines = texts(document)
    assert "PHỤ LỤC" in lines and "SỐ LIỆU CHI TIẾT CỦA CỤC Y TẾ" in lines
    assert any(line.startswith("Số liệu của mỗi đơn vị gồm cả số liệu của các đơn vị cấp dưới") for line in lines)
    by_unit = [t for t in document.tables if len(t.columns) > 2 and cell_lines(t.rows[0].cells[1]) == ["Đơn vị"]]
    body, annex = by_unit[0], by_unit[-1]
    assert ["Cục Y tế"] in [cell_lines(row.cells[1]) for row in body.rows]
    assert ["Bệnh viện 199"] not in [cell_lines(row.cells[1]) for row in body.rows]  # the ministry's direct units
    assert [cell_lines(row.cells[1]) for row in annex.rows][1:] == [["Cục Y tế"], ["Bệnh viện 199"]]
