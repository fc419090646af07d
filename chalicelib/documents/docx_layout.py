"""The layout of the DOCX files (see docx.py, which loads this module only when a DOCX is made):
the documents of the commendation chain as editable DOCX files (python-docx), laid out as
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
import re
import zipfile
from typing import Sequence

from docx import Document
from docx.enum.section import WD_ORIENTATION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from . import docx_charts
from .formatting import nfc, vn_change, vn_number, vn_signed
from .model import DecisionDocument, Heading, ProposalDocument, SummaryDocument
# The words every document prints (number, date line, "Nơi nhận" lines, assessment sections,
# list parts and totals) come from the PDF renderer's own contexts, so both files agree.
from .render import _DOCUMENT_NUMBER, decision_context, heading_context, proposal_context, summary_context

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
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_MARK = "DỰ THẢO"
TABLE_STYLE, TABLE_STYLE_ID = "Table Text", "TableText"


def build_docx(doc: SummaryDocument | ProposalDocument | DecisionDocument) -> bytes:
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
    return _stable_zip(out.getvalue(), _stamp(doc.heading))


def _stamp(heading: Heading) -> datetime.datetime:
    """The file's own dates: the day of issue (a draft: 1 January of its year), never the
    clock, so that the same model always gives the same bytes (and the same SHA-256)."""
    day = heading.issued_on if heading.issued_on and not heading.draft else datetime.date(heading.year, 1, 1)
    return datetime.datetime(day.year, day.month, day.day)


def _stable_zip(data: bytes, stamp: datetime.datetime) -> bytes:
    """The DOCX package rewritten with every member dated `stamp` (python-docx dates them now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# -- small pieces -----------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [nfc(p.strip()) for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def _set_fonts(rpr_parent, size_pt: float | None = None) -> None:
    """Times New Roman for every script slot (Vietnamese letters fall in several ranges)."""
    rpr = rpr_parent.get_or_add_rPr()
    _set_fonts_element(rpr)
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(round(size_pt * 2))))


# Characters XML 1.0 cannot carry (a vertical tab pasted from Word, a NUL): python-docx refuses
# them, and one in a unit's prose must not stop the document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(" ", nfc(text))


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         size: float | None = None, underline: bool = False):
    text = _clean(text)
    run = p.add_run()
    if "\n" in text or "\t" in text or not _DOCUMENT_NUMBER.search(text):
        run.text = text
    else:
        _keep_numbers(run, text)
    run.bold = bold or None
    run.italic = italic or None
    if underline:
        run.underline = True
    if size is not None:
        run.font.size = Pt(size)
    return run


def _keep_numbers(run, text: str) -> None:
    """The run's text with the hyphens of document numbers ("12/QĐ-BCA") as non-breaking
    hyphens (w:noBreakHyphen, read back as "-"): a line break there reads as two symbols."""
    def t(piece: str) -> None:
        if piece:
            el = OxmlElement("w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = piece
            run._r.append(el)

    at = 0
    for m in _DOCUMENT_NUMBER.finditer(text):
        t(text[at:m.start()])
        for i, part in enumerate(m[0].split("-")):
            if i:
                run._r.append(OxmlElement("w:noBreakHyphen"))
            t(part)
        at = m.end()
    t(text[at:])


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


# CT_TblPr's children in schema order: Word rejects a file whose table properties are out of order.
_TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                 "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                 "tblCaption", "tblDescription")


def _tbl_pr_put(tbl_pr, element) -> None:
    """Puts `element` in tblPr at its place in the schema's order (replacing one of its kind)."""
    name = element.tag.split("}")[1]
    for old in tbl_pr.findall(qn(f"w:{name}")):
        tbl_pr.remove(old)
    later = _TBL_PR_ORDER[_TBL_PR_ORDER.index(name) + 1:]
    for child in tbl_pr:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return
    tbl_pr.append(element)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _tbl_pr_put(tbl_pr, borders)


def _cell_margins(table: Table, *, left_mm: float, right_mm: float, top_pt: float = 0, bottom_pt: float = 0) -> None:
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for edge, twips in (("top", top_pt * 20), ("left", left_mm * 56.7), ("bottom", bottom_pt * 20),
                        ("right", right_mm * 56.7)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(round(twips))))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _tbl_pr_put(tbl_pr, mar)


def _fixed_table(container, rows: int, widths_mm: Sequence[float], *, grid: bool) -> Table:
    table = container.add_table(rows=rows, cols=len(widths_mm))
    if grid:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _tbl_pr_put(table._tbl.tblPr, layout)
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
        p._p.style = TABLE_STYLE_ID  # by id: python-docx's lookup by name walks every style, per cell
        if align != WD_ALIGN_PARAGRAPH.LEFT:
            p.alignment = align
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


def _new_document(heading: Heading, *, kind: str, title: str):
    """An empty A4 document with Decree 30's page, fonts and page numbers; its properties'
    title as the PDF's: "Quyết định số 12/QĐ-BCA: Về việc …", "DỰ THẢO - Quyết định: …"."""
    draft, author, stamp = heading.draft, heading.issuer.name, _stamp(heading)
    title = f"{DRAFT_MARK} - {kind}: {title}" if draft else f"{kind} số {heading_context(heading)['number']}: {title}"
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True
    # Table text: single-spaced, no space around (one style, so the office can change all at once).
    table_text = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.style_id = TABLE_STYLE_ID
    table_text.quick_style = True
    table_text.paragraph_format.space_before = Pt(0)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    # python-docx's template styles headings and tables with Calibri/Cambria: Times everywhere.
    for fonts in list(document.styles.element.iter(qn("w:rFonts"))):
        _set_fonts_element(fonts.getparent())
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            _set_fonts_element(rpr)
            for el in rpr.iter(qn("w:lang")):
                el.set(qn("w:val"), "vi-VN")
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
    props.title = _clean(title)[:255]
    props.author = _clean(author)
    props.language = "vi-VN"
    props.created = props.modified = stamp  # not the clock: the same model gives the same bytes
    props.revision = 1
    props.last_modified_by = _clean(author)
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
    h = heading_context(heading)
    upper, body = h["upper"], h["name"]
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
        _run(p, f"Số: {h['number']}", size=BODY_PT)
        p = date_cell.paragraphs[0]
        p.alignment = center
        p.paragraph_format.space_before = Pt(6)
        _run(p, h["date_line"], italic=True, size=BODY_PT)


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


def _ending(document, h: dict, *, closing: str | None = None) -> None:
    """The closing sentence, "Nơi nhận:" left and the signer block right, kept on one page;
    `h` is render.heading_context of the document's heading."""
    if closing:
        _body(document, closing, keep_next=True, after=6).paragraph_format.space_before = Pt(6)
    table = _fixed_table(document, 1, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2), grid=False)
    _no_borders(table)
    _cell_margins(table, left_mm=0, right_mm=0)
    _cant_split(table.rows[0])
    left, right = table.rows[0].cells
    p = left.paragraphs[0]
    p.paragraph_format.space_before = Pt(12)
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in h["recipient_lines"]:
        _para(left, line, size=RECIPIENTS_PT)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(h["signer_lines"]):
        p = right.paragraphs[0] if i == 0 else _para(right)
        p.alignment = center
        if i == 0:
            p.paragraph_format.space_before = Pt(12)
        _run(p, line, bold=True, size=BODY_PT)
    # room for the signature (the signed PDF puts its appearance here)
    space = _para(right)
    space.paragraph_format.space_before = Mm(24)
    _para(right, h["signer_name"], bold=True, size=BODY_PT, align=center)
    _verify_note(document, h)


def _verify_note(document, h: dict) -> None:
    """The QR code, the verification code and address, small, as the PDF prints them (they
    check the issued PDF; the DOCX is its editable copy)."""
    if not h["verify_url"]:
        return
    import segno

    table = _fixed_table(document, 1, (25, TEXT_WIDTH_MM - 25), grid=False)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _no_borders(table)
    _cell_margins(table, left_mm=0, right_mm=1)
    _cant_split(table.rows[0])
    qr_cell, text_cell = table.rows[0].cells
    text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    png = io.BytesIO()
    segno.make(h["verify_url"], error="m", micro=False).save(png, kind="png", scale=8, border=0)
    p = qr_cell.paragraphs[0]
    p.paragraph_format.space_before = Pt(10)
    p.add_run().add_picture(io.BytesIO(png.getvalue()), width=Mm(20), height=Mm(20))
    p = text_cell.paragraphs[0]
    p.paragraph_format.space_before = Pt(10)
    _run(p, f"Mã xác thực: {h['verify_code']}", bold=True, size=10)
    _para(text_cell, "Kiểm tra tính xác thực của văn bản tại:", size=9)
    _para(text_cell, h["verify_url"], size=9)


def _replaces(document, h: dict, kind: str) -> None:
    """"(Báo cáo này thay thế Báo cáo số … ngày …)" under the title, as the PDF prints it."""
    if h["replaces"]:
        _para(document, f"({kind} này thay thế {h['replaces']})", italic=True,
                  align=WD_ALIGN_PARAGRAPH.CENTER, after=10)


# -- the Báo cáo ------------------------------------------------------------------------


def _summary(doc: SummaryDocument):
    ctx = summary_context(doc)  # the PDF's own figures, words and choices (its SVG charts unused)
    doc, h = ctx["doc"], ctx["h"]
    heading = doc.heading
    document = _new_document(heading, kind="Báo cáo", title=doc.title)
    _header(document, heading)
    _title(document, "BÁO CÁO", doc.title)
    _replaces(document, h, "Báo cáo")
    previous = f", so sánh với {doc.previous_label}" if doc.previous_label else ""
    _body(document, "Trên cơ sở báo cáo của Công an các đơn vị, địa phương, kết quả thực hiện "
                    f"{doc.period_label}{previous}, được tổng hợp như sau:")

    # I. totals: the main indicators in words, every indicator in Bảng 1
    _section(document, "I. TỔNG HỢP KẾT QUẢ CHUNG")
    main_totals = [t for t in ctx["totals"] if t["line"].code in doc.main_indicator_codes]
    for n, t in enumerate(main_totals, start=1):
        line, delta, pct = t["line"], t["delta"], t["pct"]
        text = f"- {line.label}: {vn_number(line.total)} {line.unit}"
        if delta is not None:
            if delta > 0:
                text += f", tăng {vn_number(delta)}" + (f" ({vn_change(pct)})" if pct is not None else "")
            elif delta < 0:
                text += f", giảm {vn_number(-delta)}" + (f" ({vn_change(pct)})" if pct is not None else "")
            else:
                text += ", không thay đổi"
            text += f" so với {doc.previous_label or 'kỳ trước'}"
        _body(document, text + ("." if n == len(main_totals) else ";"))
    _caption(document, f"Bảng 1. Tổng hợp các chỉ tiêu {doc.period_label}")
    widths = (9, 56, 20, 20, 20, 22, 18)
    header = ("TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước", "Tăng (+), giảm (-)", "Tỷ lệ")
    body_rows = [
        (str(i), t["line"].label, t["line"].unit, vn_number(t["line"].total), vn_number(t["line"].previous),
         vn_signed(t["delta"]), vn_change(t["pct"]))
        for i, t in enumerate(ctx["totals"], start=1)
    ]
    _data_table(document, widths, header, body_rows, aligns="cLcrrrr", size=FIGURES_PT)

    # II. charts, drawn again as PNG from the same figures
    _section(document, "II. BIỂU ĐỒ CÁC CHỈ TIÊU CHỦ YẾU")
    _subsection(document, "1. Kết quả theo đơn vị")
    figure = 0
    for line in ctx["main"]:
        chart = docx_charts.unit_bar_chart(line, doc.unit_rows)
        if chart is None:
            continue
        figure += 1
        _figure(document, f"Biểu đồ {figure}. {chart.title}", chart.caption, chart.png, chart.height_mm)
    if figure == 0:
        _body(document, "Chưa có số liệu của các đơn vị đối với các chỉ tiêu chủ yếu.")
    _subsection(document, "2. So sánh với kỳ trước")
    comparison = (docx_charts.comparison_chart(ctx["main"], doc.period_label, doc.previous_label)
                  if doc.previous_label else None)
    if comparison is not None:
        figure += 1
        _figure(document, f"Biểu đồ {figure}. {comparison.title}",
                "Số ghi trên cột là số liệu thực tế; trong ngoặc: tăng (+), giảm (-) so với kỳ trước",
                comparison.png, comparison.height_mm)
    else:
        _body(document, "Chưa có số liệu kỳ trước để so sánh.")

    # III. figures by unit, at most four indicators a table (portrait A4), as the PDF splits them
    _section(document, "III. SỐ LIỆU CHI TIẾT THEO ĐƠN VỊ")
    missing = ctx["marks"]["missing"]
    _unit_tables(document, ctx, doc.unit_rows, ctx["column_mm"], first=2)
    legend = f"Ghi chú: “{ctx['marks']['blank']}”: đơn vị đã gửi báo cáo nhưng để trống chỉ tiêu"
    if ctx["any_missing"]:
        legend += f"; “{missing}”: đơn vị chưa gửi báo cáo"
    _para(document, legend + ".", italic=True, size=11, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    if doc.deeper:
        more = "; số liệu của từng đơn vị cấp dưới: xem phụ lục" if doc.details else ""
        _para(document, f"Số liệu của mỗi đơn vị gồm cả số liệu của các đơn vị cấp dưới{more}.", italic=True,
              size=11, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)

    # IV. highlights
    _section(document, "IV. MỘT SỐ KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ")
    if not ctx["highlights"]:
        _body(document, "Chưa có đơn vị báo cáo kết quả nổi bật.")
    for item in ctx["highlights"]:
        for j, text in enumerate(item["paragraphs"]):
            p = _body(document, "")
            if j == 0:
                label = item["unit_name"] + (f" ({item['period_label']})" if item["period_label"] else "")
                _run(p, f"{item['index']}. ")
                _run(p, f"{label}:", bold=True)
                _run(p, " ")
            _run(p, text)

    # V… the office's own assessment (empty parts: left out when issued, marked in a draft)
    for section in ctx["assessment"]:
        _section(document, f"{section['roman']}. {section['title'].upper()}")
        for text in section["paragraphs"]:
            _body(document, text, italic=section["missing"])

    annexes = ctx["annexes"]
    about = ""
    if annexes:
        many = len(annexes) > 1
        about = " (" + ", ".join(f"{a['about']} tại Phụ lục{' ' + a['roman'] if many else ''}" for a in annexes) \
            + " kèm theo)"
    _ending(document, h, closing=f"Trên đây là báo cáo {ctx['title_lower']}{about}./.")

    for annex in annexes:
        _page_break(document)
        label = f"PHỤ LỤC {annex['roman']}" if len(annexes) > 1 else "PHỤ LỤC"
        _para(document, label, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
        _para(document, annex["title"], bold=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
        _para(document, f"(Kèm theo Báo cáo số {h['number']} ngày {h['short_date']})", italic=True,
              size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
        _rule(document, TEXT_WIDTH_MM / 4, TEXT_WIDTH_MM, before=3, after=10)
        if annex["kind"] == "completeness":
            body_rows = [(str(n), row.unit_name, row.status) for n, row in enumerate(doc.completeness, start=1)]
            styles = ["italic" if row.depth >= 2 else "" for row in doc.completeness]
            indents = [min(row.depth, 3) for row in doc.completeness]
            _data_table(document, (10, TEXT_WIDTH_MM - 55, 45), ("TT", "Đơn vị", "Tình trạng"), body_rows,
                        aligns="cLc", size=FIGURES_PT, row_styles=styles, name_indents=indents)
            tail = "".join(f"; {status.lower()}: {n}" for status, n in ctx["status_counts"].items())
            _body(document, f"Tổng số: {len(doc.completeness)} đơn vị{tail}.").paragraph_format.space_before = Pt(6)
        elif annex["kind"] == "detail":
            _unit_tables(document, ctx, annex["rows"], annex["column_mm"], first=1)
        else:
            for n, unit in enumerate(ctx["period_texts"], start=1):
                _para(document, f"{n}. {unit['unit_name']}", bold=True, before=6, after=3, keep_next=True)
                for period in unit["periods"]:
                    for j, text in enumerate(period["paragraphs"]):
                        p = _body(document, "")
                        if j == 0:
                            _run(p, f"{period['label']}:", italic=True)
                            _run(p, " ")
                        _run(p, text)
    return document


def _unit_tables(document, ctx: dict, rows: list, column_mm: dict, *, first: int) -> None:
    """Figures by unit, at most four indicators a table (portrait A4), as the PDF splits them: "Bảng {first}" on."""
    groups = ctx["table_groups"]
    missing = ctx["marks"]["missing"]
    for n, group in enumerate(groups, start=1):
        of = f" ({n}/{len(groups)})" if len(groups) > 1 else ""
        _caption(document, f"Bảng {n + first - 1}. Số liệu theo đơn vị{of}")
        figures_w = [max(20.0, column_mm[ln.code]) for ln in group]
        widths = (9, TEXT_WIDTH_MM - 9 - sum(figures_w), *figures_w)
        header = ("TT", "Đơn vị", *(f"{ln.label}\n({ln.unit})" for ln in group))
        body_rows = [(str(i), row.name,
                      *((vn_number(row.values.get(ln.code)) if row.submitted else missing) for ln in group))
                     for i, row in enumerate(rows, start=1)]
        styles = [("bold" if row.depth == 0 else "italic" if row.depth >= 2 else "") for row in rows]
        indents = [min(row.depth, 3) for row in rows]
        _data_table(document, widths, header, body_rows, aligns="cL" + "r" * len(group), size=FIGURES_PT,
                    row_styles=styles, name_indents=indents)


def _section(document, text: str) -> None:
    p = _para(document, text, bold=True, before=12, after=6, keep_next=True)
    p.paragraph_format.first_line_indent = FIRST_LINE_INDENT


def _subsection(document, text: str) -> None:
    p = _para(document, text, bold=True, before=8, after=4, keep_next=True)
    p.paragraph_format.first_line_indent = FIRST_LINE_INDENT


def _list_heading(document, text: str, *, italic: bool = False) -> None:
    """A list's part title ("I. BẰNG KHEN …", "1. Tập thể (4)"): bold, not indented."""
    _para(document, text, bold=True, italic=italic, before=8, after=4, keep_next=True)


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
    """A ruled table whose header row repeats on every page and whose rows never split.
    `aligns`: one letter a column, "L" the name column (indented by depth)."""
    table = _fixed_table(document, 1 + len(rows), widths, grid=True)
    _cell_margins(table, left_mm=1.4, right_mm=1.4, top_pt=2, bottom_pt=2)
    all_rows = list(table.rows)  # table.rows[i] walks every row: index a list instead
    head = all_rows[0]
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
        row = all_rows[r + 1]
        _cant_split(row)
        style = row_styles[r] if row_styles else ""
        for c, (cell, text) in enumerate(zip(row.cells, values)):
            _cell_text(cell, text, bold=style == "bold", italic=style == "italic" and aligns[c] == "L",
                       size=size, align=_ALIGN[aligns[c]])
            if name_indents and aligns[c] == "L" and name_indents[r] > 1:
                for p in cell.paragraphs:
                    p.paragraph_format.left_indent = Mm(4 * (name_indents[r] - 1))
    return table


# -- the Tờ trình and the Quyết định: lists of collectives and individuals ----------------

# Column widths (mm) as chain.css sets them: (TT, name, [position,] unit[, achievements]).
_AWARD_COLUMNS = {
    ("collective", False): ((10, 85, 70), ("TT", "Tên tập thể", "Đơn vị")),
    ("individual", False): ((10, 48, 50, 57), ("TT", "Họ và tên", "Cấp bậc, chức vụ", "Đơn vị")),
    ("collective", True): ((10, 45, 35, 75), ("TT", "Tên tập thể", "Đơn vị", "Thành tích")),
    ("individual", True): ((10, 32, 30, 30, 63), ("TT", "Họ và tên", "Cấp bậc, chức vụ", "Đơn vị", "Thành tích")),
}


def _award_table(document, part: dict) -> None:
    """One part of a list (render.py's `_parts`): collectives or individuals, numbered 1, 2…"""
    individual = part["kind"] == "individual"
    achievements = part["achievements"]
    widths, header = _AWARD_COLUMNS[(part["kind"], achievements)]
    rows = []
    for i, entry in enumerate(part["entries"], start=1):
        row = [str(i), entry.name, *([entry.position] if individual else []), entry.unit_name]
        if achievements:
            row.append("\n".join(_paragraphs(entry.achievements)))
        rows.append(row)
    aligns = "cL" + "l" * (len(widths) - 2)
    _data_table(document, widths, header, rows, aligns=aligns, size=FIGURES_PT if achievements else TABLE_PT)


def _proposal(doc: ProposalDocument):
    context = proposal_context(doc)
    doc = context["doc"]
    heading = doc.heading
    h = context["h"]
    document = _new_document(heading, kind="Tờ trình", title=doc.title)
    _header(document, heading)
    _title(document, "TỜ TRÌNH", doc.title)
    _replaces(document, h, "Tờ trình")
    _para(document, f"Kính gửi: {doc.addressee}.", align=WD_ALIGN_PARAGRAPH.CENTER, before=4, after=10)
    for basis in doc.bases:
        _body(document, basis, italic=True)
    for text in doc.paragraphs:
        for part in _paragraphs(text):
            _body(document, part)
    for g in context["groups"]:
        _list_heading(document, f"{g['roman']}. {g['group'].award_form_name.upper()}")
        for part in g["parts"]:
            _list_heading(document, f"{part['index']}. {part['label']} ({len(part['entries'])})", italic=True)
            _award_table(document, part)
    _ending(document, h, closing=doc.closing)
    return document


def _decision(doc: DecisionDocument):
    context = decision_context(doc)
    doc = context["doc"]
    heading = doc.heading
    h = context["h"]
    document = _new_document(heading, kind="Quyết định", title=doc.title)
    _header(document, heading)
    _title(document, "QUYẾT ĐỊNH", doc.title)
    _para(document, context["decides_as"], bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=2,
          after=10)
    for basis in doc.bases:
        _body(document, basis, italic=True)
    _body(document, doc.proposal, italic=True)
    _para(document, "QUYẾT ĐỊNH:", bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
          after=6, keep_next=True)
    for n, article in enumerate(doc.articles, start=1):
        for j, text in enumerate(_paragraphs(article)):
            p = _body(document, "")
            if j == 0:
                _run(p, f"Điều {n}.", bold=True)
                _run(p, " ")
            _run(p, text)
    _ending(document, h)

    # the attached list, on a page of its own
    _page_break(document)
    p = _para(document, doc.list_title, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(6)
    _para(document, doc.list_reference, italic=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    _rule(document, TEXT_WIDTH_MM / 4, TEXT_WIDTH_MM, before=3, after=10)
    for label, part in zip(context["roman_parts"], context["parts"]):
        _list_heading(document, f"{label}. {part['label'].upper()} ({len(part['entries'])})", italic=True)
        _award_table(document, part)
    _body(document, f"Tổng số: {context['total']}.").paragraph_format.space_before = Pt(6)
    return document
