"""The completeness board of a period as an Excel workbook (the admin's "Tải bảng tổng hợp").

One sheet: a title row with the period, the deadline, the period's totals, then one row per unit
in tree order (the name indented by its depth) with its own state, on time or late, when it
submitted, and for a parent the state of its branch. Every string cell is text, never a formula
(the unit names come from admins; `workbook._text` quote-prefixes what a spreadsheet would
evaluate). openpyxl is imported inside the function: the API Lambda never loads it at cold start.
"""

from __future__ import annotations

import io
from datetime import datetime

from chalicelib.core.periods import VN_TZ
from chalicelib.reporting.completeness import Completeness
from chalicelib.reporting.deadlines import vn_time
from chalicelib.reporting.workbook import _text

SHEET = "Tình hình nộp"
# The same words as the admin's board (web/src/ui.tsx STATE_TEXT, screens/cycle).
STATE_TEXT = {"missing": "Chưa nộp", "submitted": "Đã nộp", "returned": "Bị trả lại", "accepted": "Đã duyệt"}
TIMELINESS_TEXT = {"on_time": "Đúng hạn", "late": "Trễ hạn"}
BRANCH_TEXT = {"complete": "Đủ cả nhánh", "partial": "Thiếu một phần nhánh", "none": "Cả nhánh chưa nộp"}
HEADERS = ("Mã đơn vị", "Đơn vị", "Trạng thái", "Đúng hạn / trễ hạn", "Nộp lúc", "Tình hình nộp của cả nhánh",
           "Đơn vị cấp dưới đã nộp", "Đơn vị cấp dưới phải nộp")
WIDTHS = (18, 48, 14, 18, 20, 24, 14, 14)
TITLE_ROW, DEADLINE_ROW, TOTALS_ROW, HEADER_ROW = 1, 2, 3, 5


def local(at: str | None) -> str:
    return datetime.fromisoformat(at).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if at else ""


def board_workbook(board: Completeness, now: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    period = board.period
    _text(ws.cell(TITLE_ROW, 1), f"TÌNH HÌNH NỘP BÁO CÁO {period.label.upper()}").font = Font(bold=True, size=13)
    _text(ws.cell(DEADLINE_ROW, 1), f"Kỳ {period.short_label} ({period.code}); hạn nộp {vn_time(board.deadline)}; "
                                    f"lập lúc {vn_time(now)}")
    t = board.totals
    _text(ws.cell(TOTALS_ROW, 1), f"Phải nộp: {t['expected']}; đã nộp: {t['complete']}; chưa nộp: {t['missing']}; "
                                  f"bị trả lại: {t['returned']}; đúng hạn: {t['on_time']}; trễ hạn: {t['late']}; "
                                  f"đã duyệt: {t['accepted']}")
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS), 1):
        cell = _text(ws.cell(HEADER_ROW, column), header)
        cell.font, cell.fill, cell.alignment = bold, grey, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(column)].width = width
    for offset, row in enumerate(board.rows, 1):
        r = HEADER_ROW + offset
        _text(ws.cell(r, 1), row.unit_id)
        # Excel's own indent keeps the name as written (leading spaces would change the text).
        _text(ws.cell(r, 2), row.name).alignment = Alignment(indent=min(row.depth * 2, 15))
        _text(ws.cell(r, 3), STATE_TEXT[row.state] if row.state else "Cấp tổng hợp (không nộp)")
        _text(ws.cell(r, 4), TIMELINESS_TEXT.get(row.timeliness or "", ""))
        _text(ws.cell(r, 5), local(row.submitted_at))
        branch = row.subtree_state
        _text(ws.cell(r, 6), BRANCH_TEXT[branch] if branch else "")
        if branch:
            ws.cell(r, 7).value = row.subtree["complete"]
            ws.cell(r, 8).value = row.subtree["expected"]
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(HEADERS))}{HEADER_ROW + len(board.rows)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
