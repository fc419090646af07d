"""The shortlist and the commendation list as an Excel workbook (openpyxl, loaded only here).

Two sheets: the ranked shortlist with its score breakdown and the quota line, and
the approved list grouped as the commendation list is (final once the conference
is finalised, otherwise a draft).

Names, positions, achievements and notes come from units and staff: every string is
written as text (never a formula), and one a spreadsheet would read as a formula
(`=`, `+`, `-`, `@`, or a tab or line break before them) carries the quote prefix, so
Excel and LibreOffice show it as written even after someone edits the cell.
"""

from __future__ import annotations

import io
from typing import Any

from chalicelib.core.catalogs import award_forms, scoring_rubric
from chalicelib.core.text import sort_key

STATUS = {"pending": "Chờ quyết định", "approved": "Duyệt", "rejected": "Từ chối", "held": "Tạm hoãn"}
KIND = {"collective": "Tập thể", "individual": "Cá nhân"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _last_row(sheet: Any) -> list[Any]:
    """The cells of the row `_append` just wrote, as wide as the sheet (as `sheet[sheet.max_row]` gave
    them). Not that: `max_row` and a row's width walk every cell of the sheet, so writing a row at a
    time was quadratic (5,000 rows: minutes). The width is the widest row appended so far."""
    row = sheet._current_row  # where openpyxl's append wrote last
    return [sheet.cell(row, col) for col in range(1, getattr(sheet, "_widest", 1) + 1)]


def _append(sheet: Any, values: list[Any]) -> None:
    """`sheet.append`, but a string is always text: openpyxl would store "=..." as a live formula."""
    sheet.append(values)
    sheet._widest = max(getattr(sheet, "_widest", 1), len(values))
    for cell in _last_row(sheet):
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True


def shortlist_workbook(conference: dict[str, Any], shortlist: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    quota_line = Border(bottom=Side(style="thick", color="C00000"))
    grey = PatternFill("solid", fgColor="EEEEEE")
    criteria = scoring_rubric().criteria

    wb = Workbook()
    ranked = wb.active
    ranked.title = "Xếp hạng"
    _append(ranked, [f"DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG ĐÃ XẾP HẠNG: {conference['title']}"])
    ranked["A1"].font = Font(bold=True, size=13)
    _append(ranked, [f"Chốt danh sách: {shortlist['finalised_at']}" if shortlist.get("finalised_at")
                     else "Chưa chốt danh sách (dự thảo)"])
    header = ["Hình thức khen thưởng", "Hạng", "Trong chỉ tiêu", "Đối tượng", "Họ tên / Tên tập thể",
              "Cấp bậc, chức vụ", "Đơn vị đề nghị", "Trạng thái", "Điểm tự động", "Điểm người chấm",
              "Số người chấm", *(c.label for c in criteria), "Tổng điểm", "Ghi chú quyết định"]
    _append(ranked, header)
    for cell in ranked[3]:
        cell.font, cell.fill, cell.alignment = bold, grey, wrap
    rows = shortlist["items"]
    for i, row in enumerate(rows):
        n, score = row["nomination"], row["score"]
        _append(ranked, [row["award_form_name"], row["rank"], "Có" if row["within_quota"] else "Không",
                         KIND[n["kind"]], n["name"], n["position"], row["unit_name"], STATUS[n["status"]],
                         score["automatic"], score["reviewers"], score["reviewer_count"],
                         *(score["criteria"].get(c.code) for c in criteria), score["total"],
                         (n.get("decision") or {}).get("note", "")])
        following = rows[i + 1] if i + 1 < len(rows) else None
        # the quota line: under the last row within quota of a form that has one
        if row["within_quota"] and (following is None or following["award_form_name"] != row["award_form_name"]
                                    or not following["within_quota"]):
            for cell in _last_row(ranked):
                cell.border = quota_line
    widths = [28, 6, 10, 10, 30, 24, 18, 14, 10, 10, 8, *([12] * len(criteria)), 10, 30]
    for col, width in enumerate(widths, 1):
        ranked.column_dimensions[get_column_letter(col)].width = width
    ranked.freeze_panes = "A4"

    final = wb.create_sheet("Danh sách khen thưởng")
    _append(final, ["DANH SÁCH KHEN THƯỞNG" if shortlist.get("finalised_at") else "DANH SÁCH KHEN THƯỞNG (DỰ THẢO)"])
    final["A1"].font = Font(bold=True, size=13)
    _append(final, ["TT", "Họ tên / Tên tập thể", "Cấp bậc, chức vụ", "Đơn vị", "Tóm tắt thành tích"])
    for cell in final[2]:
        cell.font, cell.fill = bold, grey
    approved = [{**r["nomination"], "nominee_unit_name": r["nominee_unit_name"]} for r in rows
                if r["nomination"]["status"] == "approved"]
    for form in award_forms():
        for kind in ("collective", "individual"):
            group = sorted((n for n in approved if n["award_form"] == form.code and n["kind"] == kind),
                           key=lambda n: (sort_key(n["name"].split()[-1]) if kind == "individual" else (),
                                          sort_key(n["name"])))
            if not group:
                continue
            _append(final, [f"{form.name}: {KIND[kind].lower()} ({len(group)})"])
            final.cell(final._current_row, 1).font = bold
            for i, n in enumerate(group, 1):
                _append(final, [i, n["name"], n["position"], n["nominee_unit_name"], n["achievements"][:300]])
                for cell in _last_row(final):
                    cell.alignment = wrap
    for col, width in enumerate([6, 32, 24, 22, 70], 1):
        final.column_dimensions[get_column_letter(col)].width = width

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
