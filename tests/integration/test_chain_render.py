"""The commendation chain's documents as a reader sees them: text extracted with pdftotext
from the rendered PDFs (Tờ trình, Quyết định with its list, the Báo cáo's heading). Header,
symbol, date of issue, signer and the "Kèm theo Quyết định số …" line must agree."""

from __future__ import annotations

import re
import subprocess

import pytest

from chalicelib.documents.render import render_html, render_pdf, render_pdfs
from devtools.sample_documents import sample_decisions, sample_proposal, sample_summary


def pdftotext(pdf: bytes, first: int | None = None, last: int | None = None, *, layout: bool = False) -> str:
    """The text as pdftotext reads it, whitespace (non-breaking spaces too) collapsed; with
    layout, line by line as printed (a table's row, the header's number and date line)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else [])]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.replace("\u00a0", " ").split())


def pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


@pytest.fixture(scope="module")
def decisions():
    return {d.heading.number: (d, render_pdf(d)) for d in sample_decisions()}


@pytest.fixture(scope="module")
def draft_decision():
    doc = sample_decisions(draft=True)[1]
    return doc, render_pdf(doc)


def test_the_ministers_decision_reads_as_a_decision_of_the_minister(decisions):
    _, pdf = decisions["12/QĐ-BCA"]
    text = pdftotext(pdf)
    for expected in [
        "BỘ CÔNG AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/QĐ-BCA", "Hà Nội, ngày 05 tháng 9 năm 2021",
        "QUYẾT ĐỊNH Về việc tặng Bằng khen của Bộ trưởng Bộ Công an",
        "BỘ TRƯỞNG BỘ CÔNG AN",
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Theo đề nghị của Chánh Văn phòng Bộ Công an tại Tờ trình số 05/TTr-V01 ngày 20/8/2021.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Tặng Bằng khen của Bộ trưởng Bộ Công an cho 04 tập thể và 10 cá nhân có tên trong danh sách kèm theo",
        "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
        "Điều 3. Chánh Văn phòng Bộ Công an, Thủ trưởng các đơn vị có liên quan",
        "Nơi nhận:", "- Như Điều 3;", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Thượng tướng Lê Văn Minh",
    ]:
        assert expected in text, expected
    # not the office's header, not a proposal, no draft mark
    assert "VĂN PHÒNG" not in text and "ĐỀ NGHỊ" not in text and "DỰ THẢO" not in text


def test_the_list_is_attached_on_its_own_page_and_cites_the_decision_as_its_header_says(decisions):
    for number, (doc, pdf) in decisions.items():
        first, rest = pdftotext(pdf, 1, 1), pdftotext(pdf, 2)
        assert "Kèm theo" not in first
        header_number = re.search(r"Số: (\S+)", first)[1]
        day, month, year = re.search(r", ngày (\d+) tháng (\d+) năm (\d{4})", first).groups()
        ref = re.search(r"\(Kèm theo Quyết định số (\S+) ngày (\d+)/(\d+)/(\d{4}) của ([^)]+)\)", rest)
        assert ref, rest[:300]
        assert ref[1] == header_number == number
        assert (ref[2], ref[3], ref[4]) == (day, month, year)
        issuer = doc.heading.issuer
        assert ref[5] == f"{issuer.head_title} {issuer.name}"
        assert rest.index("DANH SÁCH") < rest.index("(Kèm theo")
        # collectives before individuals, each table with its columns
        assert rest.index("TẬP THỂ (") < rest.index("CÁ NHÂN (") if doc.group.collectives and doc.group.individuals \
            else True
        assert "Đơn vị" in rest and "TT" in rest


def test_the_ministers_list_orders_and_never_repeats_the_collectives_name(decisions):
    _, pdf = decisions["12/QĐ-BCA"]
    rest = pdftotext(pdf, 2)
    # individuals by given name: Ánh, Ân, Bình, Đức, Hải, Huy, Hương, Sơn, Tuấn, Yến
    names = ["Trần Thị Ánh", "Đặng Văn Ân", "Lê Đức Bình", "Lý Văn Đức", "Ngô Thanh Hải", "Bùi Quang Huy",
             "Vũ Thị Hương", "Nguyễn Văn Sơn", "Phạm Minh Tuấn", "Hoàng Thị Yến"]
    positions = [rest.index(n) for n in names]
    assert positions == sorted(positions)
    assert "Họ và tên" in rest and "Cấp bậc, chức vụ" in rest and "Tên tập thể" in rest
    # "Phòng … Công an tỉnh Nghệ An" is not followed by "Công an tỉnh Nghệ An" again
    assert "trật tự xã hội Công an tỉnh Nghệ An 4" not in rest
    assert re.search(r"trật tự xã hội Công an tỉnh Nghệ An(?! Công an tỉnh Nghệ An)", rest)


def test_a_unit_heads_decision_has_the_units_header_symbol_place_and_signer(decisions):
    doc, pdf = decisions["03/QĐ-CAT-PX01"]
    text = pdftotext(pdf)
    first = pdftotext(pdf, 1, 1)
    assert first.startswith("BỘ CÔNG AN CÔNG AN TỈNH BÌNH") or "BỘ CÔNG AN CÔNG AN TỈNH BÌNH DƯƠNG" in first
    for expected in ["Số: 03/QĐ-CAT-PX01", "Bình Dương, ngày 05 tháng 9 năm 2021", "Về việc tặng Giấy khen",
                     "GIÁM ĐỐC CÔNG AN TỈNH BÌNH DƯƠNG", "Theo đề nghị của Trưởng phòng Tổ chức cán bộ.",
                     "GIÁM ĐỐC", "Đại tá Nguyễn Thanh Sơn",
                     "(Kèm theo Quyết định số 03/QĐ-CAT-PX01 ngày 05/9/2021 của Giám đốc Công an tỉnh Bình Dương)",
                     "Trương Văn Lâm", "Đỗ Thị Anh"]:
        assert expected in text, expected
    assert "BỘ TRƯỞNG" not in text and "Tờ trình" not in text


def test_a_draft_decision_is_marked_unnumbered_undated_and_its_list_reference_blank(draft_decision, decisions):
    _, pdf = draft_decision
    text = pdftotext(pdf, layout=True)
    assert "DỰ THẢO" in text
    assert "Số: /QĐ-BCA" in text and "12/QĐ-BCA" not in text
    assert "Hà Nội, ngày tháng năm 2021" in text
    assert "(Kèm theo Quyết định số /QĐ-BCA ngày của Bộ trưởng Bộ Công an)" in text
    # otherwise the same document as the issued one
    issued = pdftotext(decisions["12/QĐ-BCA"][1], layout=True)
    assert "Điều 1. Tặng Bằng khen của Bộ trưởng Bộ Công an cho 04 tập thể và 10 cá nhân" in pdftotext(pdf)
    assert issued.count("Công an tỉnh Nghệ An") == text.count("Công an tỉnh Nghệ An")


def test_a_replacing_decision_says_which_one_it_replaces():
    doc = sample_decisions(replaces="Quyết định số 01/QĐ-BCA ngày 05/9/2021")[1]
    text = pdftotext(render_pdf(doc))
    assert "Điều 2. Quyết định có hiệu lực kể từ ngày ký và thay thế Quyết định số 01/QĐ-BCA ngày 05/9/2021." in text


def test_the_proposal_is_the_offices_to_the_minister_with_only_the_ministrys_awards():
    pdf = render_pdf(sample_proposal())
    text = pdftotext(pdf)
    for expected in ["BỘ CÔNG AN VĂN PHÒNG", "Số: 05/TTr-V01", "Hà Nội, ngày 20 tháng 8 năm 2021", "TỜ TRÌNH",
                     "Kính gửi: Đồng chí Bộ trưởng Bộ Công an.",
                     "- Cờ thi đua của Bộ Công an cho 01 tập thể;",
                     "- Bằng khen của Bộ trưởng Bộ Công an cho 04 tập thể và 10 cá nhân (danh sách kèm theo).",
                     "I. CỜ THI ĐUA CỦA BỘ CÔNG AN", "II. BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN", "Thành tích",
                     "CHÁNH VĂN PHÒNG", "Thiếu tướng Trần Quốc Hưng"]:
        assert expected in text, expected
    # Giấy khen are the unit head's to grant: not proposed to the Minister
    assert "Trương Văn Lâm" not in text and "Giấy khen" not in text
    assert "KT. BỘ TRƯỞNG" not in text and "DỰ THẢO" not in text
    # achievements in whole sentences: the two sentences of Bệnh viện 19-8, the second not cut
    assert "Tiếp nhận, điều trị 640 bệnh nhân." in text and "…" not in text


def test_a_draft_proposal_is_marked_and_unnumbered():
    text = pdftotext(render_pdf(sample_proposal(draft=True)), layout=True)
    assert "DỰ THẢO" in text and "Số: /TTr-V01" in text and "Hà Nội, ngày tháng năm 2021" in text


def test_the_summary_heading_draft_and_replacement():
    draft = pdftotext(render_pdf(sample_summary(draft=True)), layout=True)
    assert "DỰ THẢO" in draft and "Số: /BC-BCA" in draft and "Hà Nội, ngày tháng năm 2021" in draft
    assert "IX. KIẾN NGHỊ, ĐỀ XUẤT (Văn phòng chưa viết phần này)" in draft
    assert "(Kèm theo Báo cáo số /BC-BCA ngày )" in draft
    replacing = pdftotext(render_pdf(sample_summary(replaces="Báo cáo số 06/BC-BCA ngày 01/8/2021")))
    assert "(Báo cáo này thay thế Báo cáo số 06/BC-BCA ngày 01/8/2021)" in replacing


def test_the_summary_marks_a_unit_that_did_not_report_apart_from_a_blank_figure():
    text = pdftotext(render_pdf(sample_summary()), layout=True)
    assert re.search(r"Công an tỉnh Bắc Ninh x x x x", text)
    assert "Ghi chú: “–”: đơn vị đã gửi báo cáo nhưng để trống chỉ tiêu; “x”: đơn vị chưa gửi báo cáo." in text
    # the completeness annex: Cục Y tế's hospitals reported
    assert "Cục Y tế Cấp dưới đã nộp đủ (3/3)" in text
    # the office's order: departments, then provinces by place (Đà Nẵng under Đ)
    table = text[text.index("III. SỐ LIỆU CHI TIẾT"):]
    order = [table.index(n) for n in
             ("Cục Y tế 620", "Công an tỉnh Bắc Giang 2.650", "Công an tỉnh Bình Dương 3.900",
              "Công an thành phố Đà Nẵng 1.450", "Công an tỉnh Nghệ An 1.800")]
    assert order == sorted(order)


def test_the_parallel_renderer_takes_the_chains_html():
    docs = [sample_decisions()[1], sample_proposal()]
    single = [render_pdf(d) for d in docs]
    parallel = render_pdfs([render_html(d) for d in docs], workers=2)
    for one, other in zip(single, parallel):
        assert pdftotext(one) == pdftotext(other)
        assert pages(one) == pages(other)


def test_the_old_commendation_list_still_renders_through_the_same_entry_point():
    from devtools.sample_documents import sample_commendations

    text = pdftotext(render_pdf(sample_commendations()))
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in text and "Số: 01/DS-BCA" in text
