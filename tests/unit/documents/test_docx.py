"""The DOCX of each document, read back with python-docx as Word would show it: header,
number, date line, signer, the draft's mark, the decision's list and its reference line,
the page (A4, Decree 30 margins, page numbers from page 2), the font, tables in order."""

from __future__ import annotations

import dataclasses
import datetime
import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from chalicelib.documents import issuers
from chalicelib.documents.docx import BLANK, DRAFT_MARK, MOTTO, NATION, render_docx
from chalicelib.documents.model import (
    AssessmentSections,
    AwardEntry,
    AwardGroup,
    DecisionDocument,
    Heading,
    ProposalDocument,
    SummaryDocument,
)
from devtools import sample_documents

ISSUED = datetime.date(2021, 9, 5)
NBSP = "\u00a0"


def heading(issuer, kind: str, number: str | None, recipients=("Như Điều 3", "Lưu: VT, V01")) -> Heading:
    return Heading(issuer=issuer, kind_abbreviation=kind, number=number, issued_on=ISSUED if number else None,
                   year=2021, recipients=list(recipients), verify_url="https://thidua.example/xac-thuc/AB12-CD34",
                   verify_code="AB12-CD34")


GROUP = AwardGroup(
    award_form_name="Bằng khen của Bộ trưởng Bộ Công an",
    granted_by="Bộ trưởng Bộ Công an",
    collectives=[AwardEntry("Bệnh viện 19-8", "", "", "Chi viện Bệnh viện dã chiến tại Bắc Giang."),
                 AwardEntry("Công an thành phố Vinh", "", "", "Duy trì 8 chốt kiểm soát.")],
    individuals=[AwardEntry("Lê Đức Bình", "Trung tá, Trưởng phòng", "Công an tỉnh Nghệ An", "Tham mưu phần mềm."),
                 AwardEntry("Đặng Văn Ân", "Thiếu tá, Đội trưởng", "Công an thành phố Vinh", "Truy vết 72 giờ.")],
)


def decision(number: str | None = "12/QĐ-BCA") -> DecisionDocument:
    reference = (f"(Kèm theo Quyết định số {number} ngày 05/9/2021 của Bộ trưởng Bộ Công an)" if number else
                 f"(Kèm theo Quyết định số {NBSP * 6}/QĐ-BCA ngày {NBSP * 6} của Bộ trưởng Bộ Công an)")
    return DecisionDocument(
        heading=heading(issuers.ministry(), "QĐ", number),
        title="Về việc tặng Bằng khen của Bộ trưởng Bộ Công an",
        bases=issuers.legal_bases(),
        proposal="Theo đề nghị của Chánh Văn phòng Bộ Công an.",
        articles=["Tặng Bằng khen của Bộ trưởng Bộ Công an cho 2 tập thể và 2 cá nhân (có danh sách kèm theo).",
                  "Quyết định này có hiệu lực kể từ ngày ký.",
                  "Chánh Văn phòng Bộ Công an và các tập thể, cá nhân có tên trong danh sách chịu trách nhiệm "
                  "thi hành Quyết định này."],
        group=GROUP,
        list_title="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN",
        list_reference=reference,
    )


def proposal(number: str | None = "15/TTr-V01") -> ProposalDocument:
    return ProposalDocument(
        heading=heading(issuers.office(), "TTr", number, ("Như trên", "Lưu: VT, V01")),
        addressee="Đồng chí Bộ trưởng Bộ Công an",
        title="Về việc đề nghị tặng Bằng khen của Bộ trưởng Bộ Công an",
        bases=[f"Căn cứ {b};" for b in issuers.legal_bases()],
        paragraphs=["Văn phòng Bộ kính trình Bộ trưởng xem xét, quyết định khen thưởng như sau:"],
        groups=[GROUP],
        closing="Văn phòng Bộ kính trình Bộ trưởng xem xét, quyết định./.",
    )


def read(doc):
    return Document(io.BytesIO(render_docx(doc)))


def texts(document) -> list[str]:
    """Every paragraph's text in reading order, table cells row by row."""
    out: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            out.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for p in child.iter(qn("w:p")):
                out.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return out


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
    assert all(r.bold for r in runs_of(document, "BỘ CÔNG AN")[:1])
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


def test_the_decision_body_bases_italic_articles_numbered_in_bold():
    document = read(decision())
    paragraphs = {p.text: p for p in document.paragraphs if p.text}
    for basis in issuers.legal_bases():
        line = f"Căn cứ {basis};" if not basis.startswith("Căn cứ") else basis
        assert line in paragraphs, line
        assert all(r.italic for r in paragraphs[line].runs)
    proposer = paragraphs["Theo đề nghị của Chánh Văn phòng Bộ Công an."]
    assert all(r.italic for r in proposer.runs)
    decides = paragraphs["QUYẾT ĐỊNH:"]
    assert decides.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in decides.runs)
    articles = [p for p in document.paragraphs if p.text.startswith("Điều ")]
    assert [p.text.split(".")[0] for p in articles] == ["Điều 1", "Điều 2", "Điều 3"]
    for p in articles:
        assert p.runs[0].bold and p.runs[0].text.startswith("Điều")
        assert not p.runs[1].bold
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert p.paragraph_format.first_line_indent == Mm(12.7)


def test_the_decision_list_follows_on_a_new_page_with_its_reference_line_and_entries_in_order():
    document = read(decision())
    lines = texts(document)
    reference = "(Kèm theo Quyết định số 12/QĐ-BCA ngày 05/9/2021 của Bộ trưởng Bộ Công an)"
    assert reference in lines
    assert lines.index("DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN") \
        == lines.index(reference) - 1
    ref = next(p for p in document.paragraphs if p.text == reference)
    assert all(r.italic for r in ref.runs)
    # a page break between the signer and the list
    xml = document.element.body.xml
    assert xml.index('w:type="page"') < xml.index("Kèm theo Quyết định số")
    assert xml.index("Thượng tướng Lê Văn Minh") < xml.index('w:type="page"')

    table = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["TT", "Tên tập thể, họ và tên cá nhân", "Cấp bậc, chức vụ, đơn vị"]
    firsts = [r[0] for r in rows[1:]]
    assert firsts == ["I. TẬP THỂ (2)", "1", "2", "II. CÁ NHÂN (2)", "1", "2"]
    assert [r[1] for r in rows[1:] if r[0].isdigit()] == ["Bệnh viện 19-8", "Công an thành phố Vinh",
                                                          "Lê Đức Bình", "Đặng Văn Ân"]
    assert rows[5][2] == "Trung tá, Trưởng phòng, Công an tỉnh Nghệ An"
    # the header row repeats on every page, no row splits across pages
    first_row = table.rows[0]._tr
    assert first_row.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)


def test_an_issued_decision_has_no_draft_mark_and_a_draft_has_one_and_blank_number_and_day():
    issued = read(decision())
    assert DRAFT_MARK not in issued.element.xml
    assert all(DRAFT_MARK not in s.first_page_header._element.xml for s in issued.sections)

    draft = read(decision(number=None))
    first = draft.sections[0].first_page_header
    assert [p.text.strip() for p in first.paragraphs if p.text.strip()] == [DRAFT_MARK]
    mark = next(r for p in first.paragraphs for r in p.runs if DRAFT_MARK in r.text)
    assert mark.bold and mark._r.rPr.find(qn("w:bdr")) is not None  # boxed
    number, date = draft.tables[0].rows[1].cells
    assert number.text == f"Số: {BLANK}/QĐ-BCA"
    assert date.text.startswith("Hà Nội, ngày") and date.text.endswith("năm 2021")
    assert not any(ch.isdigit() for ch in date.text[: -len("2021")])  # no day, no month
    assert f"(Kèm theo Quyết định số {NBSP * 6}/QĐ-BCA ngày {NBSP * 6} của Bộ trưởng Bộ Công an)" in texts(draft)


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
    import unicodedata

    for line in texts(document):
        assert unicodedata.normalize("NFC", line) == line
    # no style of the template keeps a theme font (Calibri/Cambria)
    assert "majorHAnsi" not in document.styles.element.xml.split("w:docDefaults")[1].split("</w:docDefaults>")[0]


def test_the_proposal_header_is_the_office_under_the_ministry_and_lists_the_achievements():
    document = read(proposal())
    left, right = document.tables[0].rows[0].cells
    assert cell_lines(left) == ["BỘ CÔNG AN", "VĂN PHÒNG"]
    upper, body = left.paragraphs[0].runs[0], left.paragraphs[1].runs[0]
    assert not upper.bold and body.bold
    assert cell_lines(document.tables[0].rows[1].cells[0]) == ["Số: 15/TTr-V01"]
    lines = texts(document)
    assert "TỜ TRÌNH" in lines and "Kính gửi: Đồng chí Bộ trưởng Bộ Công an" in lines
    assert lines.index("TỜ TRÌNH") < lines.index("Kính gửi: Đồng chí Bộ trưởng Bộ Công an")
    assert "1. Bằng khen của Bộ trưởng Bộ Công an: 2 tập thể, 2 cá nhân" in lines
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells][-1] == "Tóm tắt thành tích"
    assert [c.text for c in table.rows[5].cells] == ["1", "Lê Đức Bình", "Trung tá, Trưởng phòng, Công an tỉnh Nghệ An",
                                                     "Tham mưu phần mềm."]
    signer = document.tables[-1].rows[0].cells[1]
    assert cell_lines(signer) == ["CHÁNH VĂN PHÒNG", "Thiếu tướng Trần Quốc Hưng"]
    assert "Văn phòng Bộ kính trình Bộ trưởng xem xét, quyết định./." in lines


def test_a_replacement_says_what_it_replaces():
    doc = decision()
    doc = dataclasses.replace(doc, heading=dataclasses.replace(
        doc.heading, replaces="Quyết định số 01/QĐ-BCA ngày 05/9/2021"))
    assert "Quyết định này thay thế Quyết định số 01/QĐ-BCA ngày 05/9/2021." in texts(read(doc))


def test_the_same_model_gives_the_same_bytes():
    assert render_docx(decision()) == render_docx(decision())


def summary_doc(**changes) -> SummaryDocument:
    doc = sample_documents.sample_summary()
    return dataclasses.replace(doc, **changes) if changes else doc


def test_the_summary_has_its_figures_table_charts_and_annex():
    doc = summary_doc()
    document = read(doc)
    lines = texts(document)
    assert "BÁO CÁO" in lines
    assert lines.index("I. TỔNG HỢP KẾT QUẢ CHUNG") < lines.index("II. BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU") \
        < lines.index("III. SỐ LIỆU CHI TIẾT THEO ĐƠN VỊ") < lines.index("IV. MỘT SỐ KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ")
    totals = document.tables[1]
    assert [c.text for c in totals.rows[0].cells] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước",
                                                      "Tăng (+), giảm (-)", "Tỷ lệ"]
    assert [c.text for c in totals.rows[1].cells] == ["1", "Lượt cán bộ, chiến sỹ được huy động", "lượt", "10.420",
                                                      "8.920", "+1.500", "+16,8%"]
    assert [r.cells[1].text for r in totals.rows[1:]] == [ln.label for ln in doc.indicators]
    # one chart per main indicator with figures, and the comparison: PNG pictures
    images = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 6 and all(blob.startswith(b"\x89PNG") for blob in images)
    assert "Biểu đồ 6. So sánh với kỳ trước (kỳ trước = 100%)" in lines
    units = document.tables[2]
    assert [r.cells[1].text for r in units.rows[1:]] == [r.name for r in doc.unit_rows]
    annex_ref = [line for line in lines if line.startswith("(Kèm theo Báo cáo số")]
    assert annex_ref == ["(Kèm theo Báo cáo số 07/BC-BCA ngày 05/8/2021)"]
    assert lines[-1].startswith("Tổng số: 9 đơn vị")


def _has_assessment() -> bool:
    return "assessment" in {f.name for f in dataclasses.fields(SummaryDocument)}


@pytest.mark.skipif(not _has_assessment(), reason="SummaryDocument has no assessment yet (chain-docs)")
def test_the_assessment_sections_issued_leave_out_empty_ones_a_draft_marks_them():
    sections = AssessmentSections(overall="Các đơn vị đã triển khai quyết liệt.", directions="Tiếp tục.\nGiữ vững.")
    doc = summary_doc(assessment=sections)
    lines = texts(read(doc))
    assert "1. Đánh giá chung" in lines and "2. Phương hướng, nhiệm vụ" in lines
    assert "Tồn tại, hạn chế" not in " ".join(lines)
    assert lines.index("Tiếp tục.") + 1 == lines.index("Giữ vững.")
    draft = dataclasses.replace(doc, heading=dataclasses.replace(doc.heading, number=None, issued_on=None))
    lines = texts(read(draft))
    assert "2. Tồn tại, hạn chế" in lines
    assert lines.count("(Văn phòng chưa viết phần này)") == 3
