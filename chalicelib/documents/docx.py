"""The documents of the commendation chain as editable DOCX files (python-docx), laid out as
their PDFs are (Decree 30/2020/NĐ-CP, Annex I): A4, margins 20/15/20/30 mm, Times New Roman
13-14 pt, the two-column header with its rules, "Số:" and the date line, the document type
and its summary line, the body, "Nơi nhận:" and the signer block, page numbers centred in
the top margin from page 2.

The office edits these in Word or LibreOffice: everything is real text, styles and tables
(no text boxes, no images of text); only the charts are pictures (PNG drawn with Pillow, see
docx_charts.py, since python-docx takes no SVG). Pure: no AWS, no WeasyPrint.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENTATION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from . import docx_charts
from .formatting import (
    change,
    lower_first,
    nfc,
    upper_first,
    vn_date_line,
    vn_number,
    vn_percent,
    vn_short_date,
    vn_signed,
)
from .model import (
    AwardEntry,
    AwardGroup,
    DecisionDocument,
    Heading,
    ProposalDocument,
    SummaryDocument,
)

FONT = "Times New Roman"  # Word and LibreOffice substitute a metric-compatible face (Liberation Serif, Tinos)
BODY_PT = 13
TITLE_PT = 14
RECIPIENTS_PT = 11
TABLE_PT = 12
FIGURES_PT = 11
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
FIRST_LINE_INDENT = Mm(12.7)
HEADER_LEFT_MM, HEADER_RIGHT_MM = 63.0, TEXT_WIDTH_MM - 63.0
# A draft leaves the number and the day blank for the clerk to write in: non-breaking spaces.
BLANK = "\u00a0" * 8
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_MARK = "DỰ THẢO"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

KIND_NAMES = {"BC": "Báo cáo", "TTr": "Tờ trình", "QĐ": "Quyết định"}
ASSESSMENT_TITLES = (
    ("overall", "Đánh giá chung"),
    ("shortcomings", "Tồn tại, hạn chế"),
    ("causes", "Nguyên nhân"),
    ("directions", "Phương hướng, nhiệm vụ"),
    ("recommendations", "Kiến nghị, đề xuất"),
)
ASSESSMENT_MISSING = "(Văn phòng chưa viết phần này)"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def render_docx(doc: SummaryDocument | ProposalDocument | DecisionDocument) -> bytes:
    """The document as a DOCX file (bytes)."""
    if isinstance(doc, DecisionDocument):
        document = _decision(doc)
    elif isinstance(doc, ProposalDocument):
        document = _proposal(doc)
    elif isinstance(doc, SummaryDocument):
        document = _summary(doc)
    else:
        raise TypeError(f"no DOCX layout for {type(doc).__name__}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- small pieces -----------------------------------------------------------------------


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _paragraphs(text: str) -> list[str]:
    return [nfc(p.strip()) for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def recipient_lines(recipients: Iterable[str]) -> list[str]:
    """"Nơi nhận" lines as Decree 30 writes them: "- …;" each, the last "- Lưu: VT…."."""
    lines = [nfc(r).strip().lstrip("-").strip().rstrip(";.").strip() for r in recipients]
    lines = [r for r in lines if r]
    if not any(r.lower().startswith("lưu") for r in lines):
        lines.append("Lưu: VT")
    return [f"- {r};" for r in lines[:-1]] + [f"- {lines[-1]}."]


def number_text(heading: Heading) -> str:
    """"Số: 07/QĐ-BCA"; a draft "Số:        /QĐ-BCA"."""
    if heading.number is None:
        return f"Số: {BLANK}/{heading.symbol}"
    number = heading.number if "/" in heading.number else f"{heading.number}/{heading.symbol}"
    return f"Số: {number}"


def date_line(heading: Heading) -> str:
    """"Hà Nội, ngày 05 tháng 8 năm 2021"; a draft "Hà Nội, ngày    tháng    năm 2021"."""
    if heading.issued_on is None or heading.number is None:
        year = heading.issued_on.year if heading.issued_on else heading.year
        gap = "\u00a0" * 6
        return nfc(f"{heading.issuer.place}, ngày{gap}tháng{gap}năm {year}")
    return vn_date_line(heading.issuer.place, heading.issued_on)


def short_date(heading: Heading) -> str:
    return vn_short_date(heading.issued_on) if heading.issued_on and heading.number else BLANK


def _set_fonts(rpr_parent, size_pt: float | None = None) -> None:
    """Times New Roman for every script slot (Vietnamese letters fall in several ranges)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(round(size_pt * 2))))


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         size: float | None = None, underline: bool = False):
    run = p.add_run(nfc(text))
    run.bold = bold or None
    run.italic = italic or None
    if underline:
        run.underline = True
    if size is not None:
        run.font.size = Pt(size)
    return run


def _para(container, text: str = "", *, bold: bool = False, italic: bool = False,
          size: float | None = None, align=None, indent: bool = False, before: float = 0,
          after: float = 0, keep_next: bool = False) -> Paragraph:
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = FIRST_LINE_INDENT
    if keep_next:
        fmt.keep_with_next = True
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _body(container, text: str, *, italic: bool = False, bold: bool = False, after: float = 6,
          keep_next: bool = False) -> Paragraph:
    """A body paragraph: justified, first line indented 1.27 cm, 6 pt after."""
    return _para(container, text, italic=italic, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                 indent=True, after=after, keep_next=keep_next)


def _rule(container, width_mm: float, cell_width_mm: float, *, before: float = 1, after: float = 0) -> Paragraph:
    """A short horizontal rule centred in its column: an empty paragraph whose top border
    is narrowed by equal indents (real Word documents draw it; a border stays in place
    when the office edits the text above it)."""
    p = _para(container, before=before, after=after)
    side = max(0.0, (cell_width_mm - width_mm) / 2)
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    _tiny(p)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    # pBdr must precede spacing/ind/jc in CT_PPr's sequence
    anchor = next((ppr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                                               "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                                               "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                                               "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                                               "w:mirrorIndents", "w:suppressOverlap", "w:jc")
                   if ppr.find(qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    return p


def _tiny(p: Paragraph) -> None:
    """An empty paragraph only 2 pt high (it carries a rule)."""
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(2)
    mark = p._p.get_or_add_pPr()
    rpr = mark.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        mark.append(rpr)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "4")
    rpr.append(sz)


def _text_width_mm(text: str, *, size: float, bold: bool = False) -> float:
    return docx_charts.text_width_pt(text, size=size, bold=bold) * 25.4 / 72


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell_margins(table: Table, *, left_mm: float, right_mm: float, top_pt: float = 0, bottom_pt: float = 0) -> None:
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for edge, twips in (("top", top_pt * 20), ("left", left_mm * 56.7), ("bottom", bottom_pt * 20),
                        ("right", right_mm * 56.7)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(round(twips))))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.append(mar)


def _fixed_table(container, rows: int, widths_mm: Sequence[float], *, grid: bool) -> Table:
    table = container.add_table(rows=rows, cols=len(widths_mm))
    if grid:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    return table


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False,
               size: float = TABLE_PT, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """Fills a cell's first paragraph; line breaks in `text` become paragraphs."""
    parts = text.split("\n") if text else [""]
    for i, part in enumerate(parts):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        if part:
            _run(p, part, bold=bold, italic=italic, size=size)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _page_field(p: Paragraph) -> None:
    """A PAGE field (Word and LibreOffice compute it), cached value "2"."""
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)
    run.font.size = Pt(BODY_PT)


def _page_break(document) -> None:
    p = document.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.add_run().add_break(WD_BREAK.PAGE)


# -- the page, the header, the ending ---------------------------------------------------


def _new_document(*, draft: bool, title: str, author: str):
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True
    # python-docx's template styles headings and tables with Calibri/Cambria: Times everywhere.
    for style in document.styles:
        if getattr(style, "font", None) is not None and style.element.rPr is not None:
            _set_fonts(style.element)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            _set_fonts_element(rpr_default.find(qn("w:rPr")))
    lang = normal.element.get_or_add_rPr()
    lang_el = OxmlElement("w:lang")
    lang_el.set(qn("w:val"), "vi-VN")
    lang.append(lang_el)

    section = document.sections[0]
    section.orientation = WD_ORIENTATION.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(8)
    section.footer_distance = Mm(8)
    # Page numbers from page 2 (Decree 30): page 1 has its own header, holding only a draft's mark.
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    header_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(header_p)
    first_p = section.first_page_header.paragraphs[0]
    if draft:
        first_p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = _run(first_p, f" {DRAFT_MARK} ", bold=True, size=BODY_PT)
        _run_border(run)

    props = document.core_properties
    props.title = nfc(title)
    props.author = nfc(author)
    props.language = "vi-VN"
    props.created = props.modified = datetime.datetime(2000, 1, 1)  # reproducible: same model, same bytes
    props.revision = 1
    props.last_modified_by = nfc(author)
    props.comments = ""
    return document


def _set_fonts_element(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        if fonts.get(qn(theme)) is not None:
            del fonts.attrib[qn(theme)]


def _run_border(run) -> None:
    rpr = run._r.get_or_add_rPr()
    bdr = OxmlElement("w:bdr")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bdr.set(qn(key), value)
    rpr.append(bdr)


def _header(document, heading: Heading, *, meta: bool = True) -> None:
    """The two-column header: issuing body | nation and motto; then "Số:" | the date line."""
    upper, body = heading.issuer.header_lines
    table = _fixed_table(document, 2 if meta else 1, (HEADER_LEFT_MM, HEADER_RIGHT_MM), grid=False)
    _no_borders(table)
    _cell_margins(table, left_mm=0, right_mm=0)
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    first = left.paragraphs[0]
    first.alignment = center
    if upper:
        _run(first, upper, size=12.5)
        p = _para(left, align=center)
        _run(p, body, bold=True, size=12.5)
    else:
        _run(first, body, bold=True, size=12.5)
    _rule(left, min(HEADER_LEFT_MM / 3, _text_width_mm(body, size=12.5, bold=True)), HEADER_LEFT_MM)
    nation = right.paragraphs[0]
    nation.alignment = center
    _run(nation, NATION, bold=True, size=12.5)
    motto = _para(right, align=center)
    _run(motto, MOTTO, bold=True, size=BODY_PT)
    _rule(right, _text_width_mm(MOTTO, size=BODY_PT, bold=True), HEADER_RIGHT_MM)
    if meta:
        number_cell, date_cell = table.rows[1].cells
        p = number_cell.paragraphs[0]
        p.alignment = center
        p.paragraph_format.space_before = Pt(6)
        _run(p, number_text(heading), size=BODY_PT)
        p = date_cell.paragraphs[0]
        p.alignment = center
        p.paragraph_format.space_before = Pt(6)
        _run(p, date_line(heading), italic=True, size=BODY_PT)


def _title(document, kind: str, summary: str, *, before: float = 18) -> None:
    """The document type and its summary line, bold, centred, a short rule under it."""
    _para(document, kind, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=before,
          keep_next=True)
    if summary:
        p = _para(document, summary, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER,
                  keep_next=True)
        p.paragraph_format.left_indent = Mm(8)
        p.paragraph_format.right_indent = Mm(8)
    _rule(document, TEXT_WIDTH_MM / 4, TEXT_WIDTH_MM, before=6, after=12)


def _ending(document, heading: Heading, *, closing: str | None = None) -> None:
    """The closing sentence, "Nơi nhận:" left and the signer block right, kept on one page."""
    if closing:
        _body(document, closing, keep_next=True, after=6).paragraph_format.space_before = Pt(6)
    issuer = heading.issuer
    table = _fixed_table(document, 1, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2), grid=False)
    _no_borders(table)
    _cell_margins(table, left_mm=0, right_mm=0)
    _cant_split(table.rows[0])
    left, right = table.rows[0].cells
    p = left.paragraphs[0]
    p.paragraph_format.space_before = Pt(12)
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in recipient_lines(heading.recipients):
        _para(left, line, size=RECIPIENTS_PT)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(issuer.signer_lines):
        p = right.paragraphs[0] if i == 0 else _para(right)
        p.alignment = center
        if i == 0:
            p.paragraph_format.space_before = Pt(12)
        _run(p, line, bold=True, size=BODY_PT)
    # room for the signature (the signed PDF puts its appearance here)
    space = _para(right)
    space.paragraph_format.space_before = Mm(24)
    _para(right, issuer.signer_name, bold=True, size=BODY_PT, align=center)
    _verify_note(document, heading)


def _verify_note(document, heading: Heading) -> None:
    """The verification code and address, small, as the PDF prints them (the code checks the
    issued PDF; the DOCX is its editable copy)."""
    if not heading.verify_code:
        return
    p = _para(document, before=10, after=0)
    _run(p, f"Mã xác thực: {heading.verify_code}", bold=True, size=10)
    p = _para(document)
    _run(p, "Kiểm tra tính xác thực của văn bản tại: ", size=9)
    _run(p, heading.verify_url, size=9)


def _replaces(document, heading: Heading, kind: str) -> None:
    if heading.replaces:
        _body(document, f"{kind} này thay thế {heading.replaces}.", italic=True)


# -- the Báo cáo ------------------------------------------------------------------------


@dataclass(frozen=True)
class _SummaryParts:
    heading: Heading
    assessment: object | None


def _summary_heading(doc: SummaryDocument) -> _SummaryParts:
    """The summary's heading (chain-docs gives it one); an older model is read through a
    ministry-like Heading so both render the same way."""
    heading = getattr(doc, "heading", None)
    if heading is not None:
        return _SummaryParts(heading, getattr(doc, "assessment", None))
    from .model import Issuer

    number = getattr(doc, "number", None)
    issuer = Issuer(id="", name=doc.agency, short_name=doc.agency, upper=doc.upper_agency or None,
                    abbreviation=(number or "BC-").split("/")[-1].split("-", 1)[-1] if number else "",
                    place=doc.place, head_title=doc.signer.title, authority="", signer_title=doc.signer.title,
                    signer_name=doc.signer.name)
    heading = Heading(issuer=issuer, kind_abbreviation="BC", number=number, issued_on=doc.issued_on,
                      year=doc.issued_on.year, recipients=doc.recipients, verify_url=doc.verify_url,
                      verify_code=doc.verify_code)
    return _SummaryParts(heading, getattr(doc, "assessment", None))


def _summary(doc: SummaryDocument):
    parts = _summary_heading(doc)
    heading = parts.heading
    title = nfc(doc.title)
    document = _new_document(draft=heading.draft, title=f"Báo cáo: {title}", author=heading.issuer.name)
    _header(document, heading)
    _title(document, "BÁO CÁO", title)
    previous = f", so sánh với {doc.previous_label}" if doc.previous_label else ""
    _body(document, "Trên cơ sở báo cáo của Công an các đơn vị, địa phương, kết quả thực hiện "
                    f"{doc.period_label}{previous}, được tổng hợp như sau:")

    # I. totals
    _section(document, "I. TỔNG HỢP KẾT QUẢ CHUNG")
    rows = []
    for line in doc.indicators:
        delta, pct = change(line.total, line.previous)
        rows.append((line, delta, pct))
        if line.code not in doc.main_indicator_codes:
            continue
        text = f"- {line.label}: {vn_number(line.total)} {line.unit}"
        if delta is not None:
            if delta > 0:
                text += f", tăng {vn_number(delta)}" + (f" ({vn_percent(pct)})" if pct is not None else "")
            elif delta < 0:
                text += f", giảm {vn_number(-delta)}" + (f" ({vn_percent(-pct)})" if pct is not None else "")
            else:
                text += ", không thay đổi"
            text += f" so với {doc.previous_label or 'kỳ trước'}"
        _body(document, text + ";")
    _caption(document, f"Bảng 1. Tổng hợp các chỉ tiêu {doc.period_label}")
    widths = (9, 56, 20, 20, 20, 22, 18)
    header = ("TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước", "Tăng (+), giảm (-)", "Tỷ lệ")
    body_rows = [
        (str(i), line.label, line.unit, vn_number(line.total), vn_number(line.previous), vn_signed(delta),
         vn_percent(pct, 1, True))
        for i, (line, delta, pct) in enumerate(rows, start=1)
    ]
    _data_table(document, widths, header, body_rows, aligns="cLcrrrr", size=FIGURES_PT)

    # II. charts
    _section(document, "II. BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU")
    _subsection(document, "1. Kết quả theo đơn vị")
    by_code = {ln.code: ln for ln in doc.indicators}
    main = [by_code[c] for c in doc.main_indicator_codes if c in by_code]
    figure = 0
    for line in main:
        chart = docx_charts.unit_bar_chart(line, doc.unit_rows)
        if chart is None:
            continue
        figure += 1
        _figure(document, f"Biểu đồ {figure}. {chart.title}", chart.caption, chart.png, chart.height_mm)
    if figure == 0:
        _body(document, "Chưa có số liệu của các đơn vị đối với các chỉ tiêu chủ yếu.")
    _subsection(document, "2. So sánh với kỳ trước")
    comparison = (docx_charts.comparison_chart(main, doc.period_label, doc.previous_label)
                  if doc.previous_label else None)
    if comparison is not None:
        figure += 1
        _figure(document, f"Biểu đồ {figure}. {comparison.title}",
                "Số ghi trên cột là số liệu thực tế; tỷ lệ so với kỳ trước", comparison.png, comparison.height_mm)
    else:
        _body(document, "Chưa có số liệu kỳ trước để so sánh.")

    # III. figures by unit, at most four indicators a table (portrait A4)
    _section(document, "III. SỐ LIỆU CHI TIẾT THEO ĐƠN VỊ")
    groups = _table_groups(doc.indicators)
    for n, group in enumerate(groups, start=1):
        of = f" ({n}/{len(groups)})" if len(groups) > 1 else ""
        _caption(document, f"Bảng {n + 1}. Số liệu theo đơn vị{of}")
        figure_w = 24.0
        widths = (9, TEXT_WIDTH_MM - 9 - figure_w * len(group), *([figure_w] * len(group)))
        header = ("TT", "Đơn vị", *(f"{ln.label}\n({ln.unit})" for ln in group))
        body_rows = [(str(i), row.name, *(vn_number(row.values.get(ln.code)) for ln in group))
                     for i, row in enumerate(doc.unit_rows, start=1)]
        styles = [("bold" if row.depth == 0 else "italic" if row.depth >= 2 else "") for row in doc.unit_rows]
        indents = [min(row.depth, 3) for row in doc.unit_rows]
        _data_table(document, widths, header, body_rows, aligns="cL" + "r" * len(group), size=FIGURES_PT,
                    row_styles=styles, name_indents=indents)

    # IV. highlights
    _section(document, "IV. MỘT SỐ KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ")
    if not doc.highlights:
        _body(document, "Chưa có đơn vị báo cáo kết quả nổi bật.")
    for i, h in enumerate(doc.highlights, start=1):
        for j, text in enumerate(_paragraphs(h.text)):
            p = _body(document, "")
            if j == 0:
                label = f"{h.unit_name} ({h.period_label}):" if h.period_label else f"{h.unit_name}:"
                _run(p, f"{i}. ")
                _run(p, label, bold=True)
                _run(p, " ")
            _run(p, text)

    # V. the office's own assessment (empty parts: left out when issued, marked in a draft)
    sections = _assessment(parts.assessment, draft=heading.draft)
    if sections:
        _section(document, "V. ĐÁNH GIÁ, PHƯƠNG HƯỚNG VÀ KIẾN NGHỊ")
        for n, (label, paragraphs) in enumerate(sections, start=1):
            _subsection(document, f"{n}. {label}")
            for text in paragraphs:
                _body(document, text, italic=text == ASSESSMENT_MISSING)

    annexes = []
    if doc.completeness:
        annexes.append(("completeness", "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ",
                        "tình hình gửi báo cáo của các đơn vị"))
    if getattr(doc, "period_texts", None):
        annexes.append(("periods", "KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ THEO TỪNG KỲ BÁO CÁO",
                        "kết quả nổi bật của các đơn vị theo từng kỳ báo cáo"))
    about = ""
    if annexes:
        many = len(annexes) > 1
        about = " (" + ", ".join(f"{a[2]} tại Phụ lục{' ' + roman(i) if many else ''}"
                                 for i, a in enumerate(annexes, start=1)) + " kèm theo)"
    _replaces(document, heading, "Báo cáo")
    _ending(document, heading, closing=f"Trên đây là báo cáo {lower_first(title)}{about}./.")

    for i, (kind, annex_title, _about) in enumerate(annexes, start=1):
        _page_break(document)
        label = f"PHỤ LỤC {roman(i)}" if len(annexes) > 1 else "PHỤ LỤC"
        _para(document, label, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
        _para(document, annex_title, bold=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
        number = heading.number or f"{BLANK}/{heading.symbol}"
        _para(document, f"(Kèm theo Báo cáo số {number} ngày {short_date(heading)})", italic=True,
              size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
        _rule(document, TEXT_WIDTH_MM / 4, TEXT_WIDTH_MM, before=3, after=10)
        if kind == "completeness":
            body_rows = [(str(n), row.unit_name, row.status) for n, row in enumerate(doc.completeness, start=1)]
            _data_table(document, (10, TEXT_WIDTH_MM - 50, 40), ("TT", "Đơn vị", "Tình trạng"), body_rows,
                        aligns="cLc", size=FIGURES_PT)
            counts: dict[str, int] = {}
            for row in doc.completeness:
                counts[row.status] = counts.get(row.status, 0) + 1
            tail = "".join(f"; {status.lower()}: {n}" for status, n in counts.items())
            _body(document, f"Tổng số: {len(doc.completeness)} đơn vị{tail}.").paragraph_format.space_before = Pt(6)
        else:
            for n, unit in enumerate(doc.period_texts, start=1):
                _para(document, f"{n}. {unit.unit_name}", bold=True, before=6, after=3, keep_next=True)
                for pt in unit.periods:
                    for j, text in enumerate(_paragraphs(pt.text)):
                        p = _body(document, "")
                        if j == 0:
                            _run(p, f"{upper_first(pt.period_label)}:", italic=True)
                            _run(p, " ")
                        _run(p, text)
    return document


def _assessment(assessment, *, draft: bool) -> list[tuple[str, list[str]]]:
    if assessment is None:
        return []
    out = []
    for attr, label in ASSESSMENT_TITLES:
        paragraphs = _paragraphs(getattr(assessment, attr, "") or "")
        if paragraphs:
            out.append((label, paragraphs))
        elif draft:
            out.append((label, [ASSESSMENT_MISSING]))
    return out


def _table_groups(indicators, per_table: int = 4):
    """Indicator columns split into balanced tables of at most `per_table` (as the PDF does)."""
    if not indicators:
        return [[]]
    count = -(-len(indicators) // per_table)
    size, extra = divmod(len(indicators), count)
    groups, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        groups.append(indicators[start:end])
        start = end
    return groups


def _section(document, text: str) -> None:
    p = _para(document, text, bold=True, before=12, after=6, keep_next=True)
    p.paragraph_format.first_line_indent = FIRST_LINE_INDENT


def _subsection(document, text: str) -> None:
    p = _para(document, text, bold=True, before=8, after=4, keep_next=True)
    p.paragraph_format.first_line_indent = FIRST_LINE_INDENT


def _caption(document, text: str) -> None:
    _para(document, text, bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=2, keep_next=True)


def _figure(document, caption: str, note: str, png: bytes, height_mm: float) -> None:
    _caption(document, caption)
    if note:
        _para(document, f"({note})", italic=True, size=11, align=WD_ALIGN_PARAGRAPH.CENTER, after=4, keep_next=True)
    p = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER, after=10)
    p.paragraph_format.line_spacing = 1.0
    p.add_run().add_picture(io.BytesIO(png), width=Mm(TEXT_WIDTH_MM), height=Mm(height_mm))


_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "L": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER,
          "r": WD_ALIGN_PARAGRAPH.RIGHT, "j": WD_ALIGN_PARAGRAPH.JUSTIFY}


def _data_table(document, widths: Sequence[float], header: Sequence[str], rows: Sequence[Sequence[str]], *,
                aligns: str, size: float = TABLE_PT, row_styles: Sequence[str] | None = None,
                name_indents: Sequence[int] | None = None) -> Table:
    """A ruled table whose header row repeats on every page and whose rows never split."""
    table = _fixed_table(document, 1 + len(rows), widths, grid=True)
    _cell_margins(table, left_mm=1.4, right_mm=1.4, top_pt=2, bottom_pt=2)
    head = table.rows[0]
    _repeat_header(head)
    _cant_split(head)
    for cell, text in zip(head.cells, header):
        _cell_text(cell, text, bold=True, size=size, align=WD_ALIGN_PARAGRAPH.CENTER)
        for p in cell.paragraphs[1:]:  # "(unit)" under a figure's label: regular, as in the PDF
            for run in p.runs:
                if run.text.startswith("("):
                    run.bold = None
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for r, values in enumerate(rows):
        row = table.rows[r + 1]
        _cant_split(row)
        style = row_styles[r] if row_styles else ""
        for c, (cell, text) in enumerate(zip(row.cells, values)):
            _cell_text(cell, text, bold=style == "bold", italic=style == "italic" and aligns[c] == "L",
                       size=size, align=_ALIGN[aligns[c]])
            if name_indents and aligns[c] == "L" and name_indents[r] > 1:
                for p in cell.paragraphs:
                    p.paragraph_format.left_indent = Mm(4 * (name_indents[r] - 1))
    return table


# -- the Tờ trình and the Quyết định ----------------------------------------------------


def _award_rows(group: AwardGroup, *, achievements: bool) -> tuple[list[tuple[str, ...]], list[int]]:
    """Rows of an award list: "I. TẬP THỂ" / "II. CÁ NHÂN" parts, entries numbered 1, 2… in
    each; returns the rows and the indexes of the part rows (merged across the table)."""
    rows: list[tuple[str, ...]] = []
    parts: list[int] = []
    sections = [(f"TẬP THỂ ({len(group.collectives)})", group.collectives),
                (f"CÁ NHÂN ({len(group.individuals)})", group.individuals)]
    sections = [s for s in sections if s[1]]
    for n, (label, entries) in enumerate(sections, start=1):
        parts.append(len(rows))
        rows.append((f"{roman(n)}. {label}",))
        for i, entry in enumerate(entries, start=1):
            rows.append(_entry_row(i, entry, achievements=achievements))
    return rows, parts


def _entry_row(i: int, entry: AwardEntry, *, achievements: bool) -> tuple[str, ...]:
    where = ", ".join(x for x in (entry.position, entry.unit_name) if x)
    if achievements:
        return (str(i), entry.name, where, "\n".join(_paragraphs(entry.achievements)))
    return (str(i), entry.name, where)


def _award_table(document, group: AwardGroup, *, achievements: bool) -> None:
    if achievements:
        widths = (10, 42, 43, TEXT_WIDTH_MM - 95)
        header = ("TT", "Tên tập thể, họ và tên cá nhân", "Cấp bậc, chức vụ, đơn vị", "Tóm tắt thành tích")
        aligns = "cLLl"
    else:
        widths = (10, 65, TEXT_WIDTH_MM - 75)
        header = ("TT", "Tên tập thể, họ và tên cá nhân", "Cấp bậc, chức vụ, đơn vị")
        aligns = "cLL"
    rows, parts = _award_rows(group, achievements=achievements)
    padded = [r if len(r) == len(widths) else (*r, *([""] * (len(widths) - len(r)))) for r in rows]
    table = _data_table(document, widths, header, padded, aligns=aligns, size=TABLE_PT)
    for index, values in enumerate(padded):
        # a collective with no other unit named: its name takes the "chức vụ, đơn vị" cell too
        if index not in parts and values[1] and not values[2]:
            row = table.rows[index + 1]
            merged = row.cells[1].merge(row.cells[2])
            for extra in merged.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
    for index in parts:
        row = table.rows[index + 1]
        merged = row.cells[0].merge(row.cells[-1])
        for extra in merged.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        p = merged.paragraphs[0]
        for run in p.runs:
            run.bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        row._tr.get_or_add_trPr()
        # a part's title stays with its first entry
        p.paragraph_format.keep_with_next = True
    if not rows:
        _body(document, "Chưa có tập thể, cá nhân.")


def _proposal(doc: ProposalDocument):
    heading = doc.heading
    document = _new_document(draft=heading.draft, title=f"Tờ trình: {doc.title}", author=heading.issuer.name)
    _header(document, heading)
    _title(document, "TỜ TRÌNH", doc.title)
    p = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _run(p, "Kính gửi: ")
    _run(p, doc.addressee)
    for basis in doc.bases:
        _body(document, _basis_line(basis))
    for text in doc.paragraphs:
        for part in _paragraphs(text):
            _body(document, part)
    for n, group in enumerate(doc.groups, start=1):
        counts = _counts(group)
        _subsection(document, f"{n}. {group.award_form_name}: {counts}")
        _award_table(document, group, achievements=True)
    total_c = sum(len(g.collectives) for g in doc.groups)
    total_i = sum(len(g.individuals) for g in doc.groups)
    _body(document, f"Tổng số: {total_c} tập thể, {total_i} cá nhân.")
    _replaces(document, heading, "Tờ trình")
    _ending(document, heading, closing=doc.closing)
    return document


def _counts(group: AwardGroup) -> str:
    parts = []
    if group.collectives:
        parts.append(f"{len(group.collectives)} tập thể")
    if group.individuals:
        parts.append(f"{len(group.individuals)} cá nhân")
    return ", ".join(parts) or "không có"


def _basis_line(text: str) -> str:
    """"Căn cứ Luật …;" whether the data has the words and the semicolon or not."""
    text = nfc(text).strip().rstrip(";.").strip()
    if not text.lower().startswith("căn cứ"):
        text = f"Căn cứ {text}"
    return text + ";"


def _decision(doc: DecisionDocument):
    heading = doc.heading
    issuer = heading.issuer
    document = _new_document(draft=heading.draft, title=f"Quyết định: {doc.title}", author=issuer.name)
    _header(document, heading)
    _title(document, "QUYẾT ĐỊNH", doc.title)
    _para(document, issuer.decides_as, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for basis in doc.bases:
        _body(document, _basis_line(basis), italic=True)
    if doc.proposal:
        text = nfc(doc.proposal).strip()
        _body(document, text if text.endswith(".") else text + ".", italic=True)
    _para(document, "QUYẾT ĐỊNH:", bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
          after=6, keep_next=True)
    replaced = any("thay thế" in a for a in doc.articles)
    for n, article in enumerate(doc.articles, start=1):
        for j, text in enumerate(_paragraphs(article)):
            p = _body(document, "")
            if j == 0:
                _run(p, f"Điều {n}. ", bold=True)
            _run(p, text)
    if not replaced:
        _replaces(document, heading, "Quyết định")
    _ending(document, heading)

    # the attached list, on a page of its own (Decree 30, Annex I: "Phụ lục" of a Quyết định)
    _page_break(document)
    _header(document, heading, meta=False)
    _para(document, doc.list_title, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=14,
          keep_next=True)
    _para(document, doc.list_reference, italic=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    _rule(document, TEXT_WIDTH_MM / 4, TEXT_WIDTH_MM, before=3, after=12)
    _award_table(document, doc.group, achievements=False)
    _body(document, f"Tổng số: {_counts(doc.group)}.").paragraph_format.space_before = Pt(6)
    return document
