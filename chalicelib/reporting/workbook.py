"""A period's reports as an Excel workbook: the template a clerk fills, and reading it back.

The template (`template`) has one row per unit (the unit itself, then each direct sub-unit),
one column per catalog indicator (its Vietnamese label and unit in the header), one
"Giải thích" column per indicator (the outlier rule's comment), and the achievements. A hidden
first row holds each column's field (`values.<code>`, `comments.<code>`, `achievements`) and a
hidden column A each row's unit id: reading a file never depends on labels, and a column moved
or inserted by the clerk is still read right. An instructions sheet explains it in Vietnamese.

Reading (`import_workbook`) stores nothing: it returns each row as the report body the portal
then submits (PUT with its own Idempotency-Key, If-Match the ETag returned here) and every
problem by sheet, row and column. A cell's content is taken as typed: a formula, a text or a
date in a number cell, a decimal or a negative figure is an error, never coerced. Each row then
meets the rules a submission meets: the report body's model (bounds, lengths, safe text), the
catalog's cross-field rules, the outlier rule, and the period's lock for that unit.

openpyxl is imported inside the functions: the API Lambda never loads it at cold start.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from chalicelib.core.catalogs import indicator_catalog
from chalicelib.core.errors import FieldError, Invalid, NotFound, invalid
from chalicelib.core.periods import VN_TZ, Period
from chalicelib.core.text import nfc_deep
from chalicelib.reporting.deadlines import deadline_from, lock_for, vn_time
from chalicelib.reporting.portal import children_of
from chalicelib.reporting.reports import outliers
from chalicelib.units.service import TREE_FIELDS, descendants

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Báo cáo"
INSTRUCTIONS = "Hướng dẫn"
KEY_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
UNIT_ID, UNIT_NAME, ACHIEVEMENTS = "unit_id", "unit_name", "achievements"

MAX_BYTES = 1024 * 1024            # the upload (413 above it)
MAX_UNPACKED = 30 * 1024 * 1024    # what its parts may inflate to: no zip bomb reaches openpyxl
MAX_ROWS = 500                     # unit rows read from one sheet
MAX_COLUMNS = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER_FORMAT = "#,##0"


@dataclass(frozen=True)
class Column:
    key: str        # the field it holds: unit_id, unit_name, values.<code>, comments.<code>, achievements
    header: str
    kind: str       # "id" | "name" | "number" | "text"
    width: float


def columns() -> list[Column]:
    catalog = indicator_catalog()
    return [Column(UNIT_ID, "Mã đơn vị", "id", 14), Column(UNIT_NAME, "Đơn vị", "name", 34),
            *(Column(f"values.{i.code}", f"{i.label} ({i.unit})", "number", 16) for i in catalog.indicators),
            *(Column(f"comments.{i.code}", f"Giải thích: {i.label}", "text", 24) for i in catalog.indicators),
            Column(ACHIEVEMENTS, "Thành tích nổi bật", "text", 60)]


# -- the template ------------------------------------------------------------------------------

def _text(cell: Any, value: str) -> Any:
    """A string is always text: openpyxl would store "=..." as a live formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def template(store: Any, unit_id: str, period: Period, deadline_days: int, now: datetime) -> bytes:
    """The workbook for `unit_id` and `period`, today's figures filled in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    # the unit and its direct sub-units (no index by parent: the tree, projected; reports by key)
    units = store.units.all(attrs=TREE_FIELDS)
    unit = next((u for u in units if u["id"] == unit_id), None)
    if unit is None:
        raise NotFound(f"đơn vị '{unit_id}'")
    rows = [unit, *children_of(units, unit_id)]
    reads = store.reports.read_many(reports=[(u["id"], period.code) for u in rows], settings=[period.code])
    deadline = deadline_from(reads.settings[period.code], period, deadline_days)
    cols = columns()
    catalog = indicator_catalog()

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center")
    fills = {"number": PatternFill("solid", fgColor="DDEBF7"), "text": PatternFill("solid", fgColor="F2F2F2"),
             "name": PatternFill("solid", fgColor="DDEBF7"), "id": PatternFill("solid", fgColor="F2F2F2")}
    for index, col in enumerate(cols, 1):
        _text(ws.cell(KEY_ROW, index), col.key)
        header = _text(ws.cell(HEADER_ROW, index), col.header)
        header.font, header.alignment, header.fill = bold, wrap, fills[col.kind]
        ws.column_dimensions[get_column_letter(index)].width = col.width
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.row_dimensions[HEADER_ROW].height = 75
    ws.column_dimensions["A"].hidden = True

    for offset, row_unit in enumerate(rows):
        r = FIRST_ROW + offset
        report = reads.reports[(row_unit["id"], period.code)] or {}
        values, comments = report.get("values") or {}, report.get("comments") or {}
        for index, col in enumerate(cols, 1):
            cell = ws.cell(r, index)
            if col.kind == "id":
                _text(cell, row_unit["id"])
            elif col.kind == "name":
                _text(cell, row_unit["name"]).font = bold if offset == 0 else Font()
            elif col.kind == "number":
                cell.value = values.get(col.key.split(".", 1)[1])
                cell.number_format = NUMBER_FORMAT
            else:
                text = comments.get(col.key.split(".", 1)[1]) if col.key.startswith("comments.") \
                    else report.get("achievements")
                if text:
                    _text(cell, text).alignment = Alignment(wrap_text=True, vertical="top")
    last = FIRST_ROW + len(rows) - 1
    for index, col in enumerate(cols, 1):
        if col.kind != "number":
            continue
        indicator = catalog.get(col.key.split(".", 1)[1])
        rule = DataValidation(type="whole", operator="between", formula1=str(indicator.min),
                              formula2=str(indicator.max), allow_blank=True, showErrorMessage=True,
                              errorTitle="Số liệu không hợp lệ",
                              error=f"Nhập số nguyên từ {indicator.min} đến {indicator.max:,}".replace(",", ".")
                              + f" ({indicator.unit}), không có phần thập phân.")
        letter = get_column_letter(index)
        rule.add(f"{letter}{FIRST_ROW}:{letter}{last}")
        ws.add_data_validation(rule)
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)  # the header and the unit names stay in view

    _instructions(wb.create_sheet(INSTRUCTIONS), unit, period, deadline, now)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _instructions(ws: Any, unit: dict[str, Any], period: Period, deadline: datetime, now: datetime) -> None:
    from openpyxl.styles import Alignment, Font

    catalog = indicator_catalog()
    lines = [
        ("HƯỚNG DẪN NHẬP BÁO CÁO TỪ TỆP EXCEL", True),
        (f"Đơn vị: {unit['name']} (mã {unit['id']})", False),
        (f"Kỳ báo cáo: {period.label} ({period.code}); hạn nộp: {vn_time(deadline)}", False),
        (f"Tệp mẫu lập lúc {vn_time(now)}.", False),
        ("", False),
        (f"1. Điền số liệu ở trang \"{SHEET}\": mỗi dòng là một đơn vị (đơn vị của bạn, rồi các đơn vị cấp "
         "dưới); mỗi cột là một chỉ tiêu, tên và đơn vị tính ở dòng tiêu đề. Số liệu đã gửi trước đó được "
         "điền sẵn.", False),
        ("2. Chỉ gõ số nguyên không âm, không có phần thập phân. Không dùng công thức và không gõ chữ vào ô "
         "số: ô có công thức hoặc chữ sẽ bị báo lỗi, không được tự chuyển thành số. Chỉ tiêu không có số "
         "liệu thì để trống.", False),
        ("3. Không xóa, không sửa cột A (mã đơn vị) và dòng 1 (mã chỉ tiêu), đang được ẩn: hệ thống dựa "
         "vào chúng để đọc tệp. Có thể đổi độ rộng cột, thêm định dạng.", False),
        (f"4. Số liệu lớn hơn {catalog.outlier_factor} lần trung vị các kỳ trước của đơn vị cần được giải "
         "thích ở cột \"Giải thích\" của chỉ tiêu đó.", False),
        ("5. Quy tắc kiểm tra chéo giữa các chỉ tiêu:", False),
        *((f"    - {rule.message}", False) for rule in catalog.rules),
        ("6. Tải tệp lên ở mục \"Nhập từ tệp Excel\": mọi lỗi được liệt kê theo trang, dòng và cột. Chưa "
         "có gì được lưu cho đến khi bạn bấm \"Xác nhận nhập\".", False),
        ("", False),
        ("DANH MỤC CHỈ TIÊU", True),
    ]
    for text, strong in lines:
        ws.append([text])
        cell = ws.cell(ws.max_row, 1)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if strong:
            cell.font = Font(bold=True, size=12 if ws.max_row == 1 else 11)
    ws.append(["Mã", "Chỉ tiêu", "Đơn vị tính", "Nhỏ nhất", "Lớn nhất"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for i in catalog.indicators:
        ws.append([i.code, i.label, i.unit, i.min, i.max])
        ws.cell(ws.max_row, 5).number_format = NUMBER_FORMAT
    for letter, width in zip("ABCDE", (100, 40, 14, 10, 18)):
        ws.column_dimensions[letter].width = width


# -- reading a workbook back ---------------------------------------------------------------------

@dataclass
class Sheet:
    title: str
    keys: dict[int, str]                                   # column index -> field key (the hidden row)
    rows: list[tuple[int, list[tuple[Any, str]]]]          # (row number, [(value, data_type)])
    more_rows: bool = False                                # rows past MAX_ROWS were not read


def _not_a_workbook(message: str) -> Invalid:
    return invalid("body", message, "Tệp tải lên không đọc được như một tệp Excel (.xlsx) theo mẫu.")


def read_sheet(data: bytes) -> Sheet:
    """The template's sheet of an uploaded workbook, cell values as typed; Invalid (422) when the
    bytes are not an .xlsx workbook holding a sheet made from the template."""
    from chalicelib.core.uploads import open_workbook

    wb = open_workbook(data, _not_a_workbook, max_unpacked=MAX_UNPACKED, data_only=False)
    try:
        for ws in wb.worksheets:
            first = next(ws.iter_rows(min_row=KEY_ROW, max_row=KEY_ROW, max_col=MAX_COLUMNS, values_only=True), ())
            keys = {i: v.strip() for i, v in enumerate(first, 1) if isinstance(v, str) and v.strip()}
            if UNIT_ID not in keys.values():
                continue
            width = max(keys)
            rows = [(FIRST_ROW + n, [(c.value, c.data_type) for c in row])
                    for n, row in enumerate(ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + MAX_ROWS - 1,
                                                         max_col=width))]
            # Rows past the cap count only when something is written in them (Excel keeps styled empty rows).
            tail = ws.iter_rows(min_row=FIRST_ROW + MAX_ROWS, max_col=width, values_only=True)
            more = any(not _blank(value) for row in tail for value in row)
            return Sheet(ws.title, keys, rows, more)
    except Exception:  # noqa: BLE001 - a malformed sheet part
        raise _not_a_workbook("Không đọc được nội dung trang tính trong tệp .xlsx (tệp hỏng).") from None
    finally:
        wb.close()
    raise _not_a_workbook("Tệp không theo mẫu: không thấy trang tính có dòng mã chỉ tiêu (dòng 1, ẩn). "
                          "Hãy tải tệp mẫu của kỳ này, điền số liệu vào đó rồi tải lên.")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: Any, data_type: str) -> tuple[int | None, str | None]:
    """A number cell's whole number, or why the cell is not one (Vietnamese)."""
    if data_type == "f":
        return None, "Ô có công thức; hãy gõ trực tiếp số, không dùng công thức."
    if data_type == "e":
        return None, f"Ô có lỗi {value}; hãy gõ số."
    if isinstance(value, bool):
        return None, "Ô chứa giá trị đúng/sai, không phải số."
    if isinstance(value, (datetime, date, time, timedelta)):
        return None, "Ô chứa ngày giờ, không phải số."
    if isinstance(value, str):
        shown = value.strip()
        shown = shown if len(shown) <= 30 else shown[:30] + "…"
        return None, f"Ô chứa văn bản \"{shown}\", không phải số; hãy gõ số nguyên, không có dấu phân cách."
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None, f"Phải là số nguyên, không có phần thập phân (đang là {value:g})."
        return int(value), None
    return None, "Ô không chứa số."


def text(value: Any, data_type: str) -> tuple[str | None, str | None]:
    """A text cell's content (a number or a date typed there is its text), or why it cannot be read."""
    if data_type == "f":
        return None, "Ô có công thức; hãy gõ trực tiếp nội dung, không dùng công thức."
    if data_type == "e":
        return None, f"Ô có lỗi {value}."
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date, time)):
        value = value.isoformat()
    return str(nfc_deep(str(value))).strip(), None


@dataclass
class _Row:
    number: int
    unit: dict[str, Any]
    values: dict[str, int] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    achievements: str = ""
    errors: list[FieldError] = field(default_factory=list)


def import_workbook(store: Any, unit_id: str, period: Period, data: bytes, deadline_days: int, now: datetime,
                    explain: Callable[[Any], Invalid]) -> dict[str, Any]:
    """Read an uploaded workbook into report bodies and errors; nothing is stored.

    `explain` turns the report model's ValidationError into Vietnamese field errors (the HTTP layer's
    translation, the one a PUT's 422 uses).
    """
    if period.start > now.astimezone(VN_TZ).date():
        raise invalid("period", f"Kỳ {period.label} chưa bắt đầu: chưa thể nhập báo cáo.")
    # the rows may name any unit of the subtree: the tree, projected (one Query, 2-3 pages at 11,000)
    units = store.units.all(attrs=TREE_FIELDS)
    by_id = {u["id"]: u for u in units}
    if unit_id not in by_id:
        raise NotFound(f"đơn vị '{unit_id}'")
    sheet = read_sheet(data)
    from openpyxl.utils import get_column_letter

    column_of: dict[str, int] = {}
    for index, key in sorted(sheet.keys.items()):
        column_of.setdefault(key, index)  # a repeated key: the first column is read
    codes = set(indicator_catalog().codes)
    errors: list[dict[str, Any]] = []

    def error(row: int, key_or_index: str | int, field_name: str, message: str) -> None:
        index = key_or_index if isinstance(key_or_index, int) else column_of.get(
            key_or_index, column_of.get(UNIT_NAME, column_of[UNIT_ID]))
        errors.append({"sheet": sheet.title, "row": row, "column": get_column_letter(index),
                       "field": field_name, "message": message})

    seen_keys: set[str] = set()
    for index, key in sorted(sheet.keys.items()):
        kind, _, code = key.partition(".")
        if key in seen_keys:
            error(KEY_ROW, index, key, f"Cột mã '{key}' bị lặp; chỉ cột đầu tiên được đọc.")
        elif (kind in ("values", "comments") and code not in codes) or (
                not code and key not in (UNIT_ID, UNIT_NAME, ACHIEVEMENTS)):
            error(KEY_ROW, index, key, f"Mã cột '{key}' không có trong mẫu hiện hành (chỉ tiêu đã đổi?); "
                                       "cột này không được đọc. Hãy tải tệp mẫu mới.")
        seen_keys.add(key)

    allowed = descendants(units, unit_id)
    parsed: list[_Row] = []
    rows_of: dict[str, int] = {}
    for number_, cells in sheet.rows:
        def cell(key: str, cells: list[tuple[Any, str]] = cells) -> tuple[Any, str]:
            index = column_of.get(key)
            return cells[index - 1] if index is not None and index <= len(cells) else (None, "n")

        content = [k for k in column_of if k not in (UNIT_ID, UNIT_NAME) and not _blank(cell(k)[0])]
        raw_id = cell(UNIT_ID)[0]
        row_unit_id = str(raw_id).strip() if not _blank(raw_id) else ""
        if not row_unit_id:
            if content:
                error(number_, UNIT_ID, UNIT_ID, "Dòng có số liệu nhưng thiếu mã đơn vị ở cột A (cột ẩn); "
                                                 "hãy điền vào dòng của đơn vị trong tệp mẫu.")
            continue
        if row_unit_id not in by_id:
            error(number_, UNIT_ID, UNIT_ID, f"Không có đơn vị mã '{row_unit_id[:64]}'.")
            continue
        if row_unit_id not in allowed:
            error(number_, UNIT_ID, UNIT_ID, f"Đơn vị '{by_id[row_unit_id]['name']}' không phải "
                                             f"{by_id[unit_id]['name']} hay đơn vị cấp dưới của nó; không được "
                                             "nhập báo cáo cho đơn vị này.")
            continue
        if row_unit_id in rows_of:
            error(number_, UNIT_ID, UNIT_ID, f"Đơn vị '{by_id[row_unit_id]['name']}' đã có ở dòng "
                                             f"{rows_of[row_unit_id]}; mỗi đơn vị chỉ một dòng.")
            continue
        rows_of[row_unit_id] = number_
        if not content:
            continue  # a unit left blank sends no report
        row = _Row(number_, by_id[row_unit_id])
        for key in content:
            value, data_type = cell(key)
            kind, _, code = key.partition(".")
            if kind == "values" and code in codes:
                figure, problem = number(value, data_type)
                if problem:
                    row.errors.append(FieldError(key, problem))
                else:
                    row.values[code] = figure
            elif (kind == "comments" and code in codes) or key == ACHIEVEMENTS:
                written, problem = text(value, data_type)
                if problem:
                    row.errors.append(FieldError(key, problem))
                elif written and key == ACHIEVEMENTS:
                    row.achievements = written
                elif written:
                    row.comments[code] = written
        parsed.append(row)

    reads = store.reports.read_many(reports=[(r.unit["id"], period.code) for r in parsed], settings=[period.code],
                                    exceptions=[(r.unit["id"], period.code) for r in parsed],
                                    histories=[r.unit["id"] for r in parsed], period_kind=period.kind)
    deadline = deadline_from(reads.settings[period.code], period, deadline_days)
    reports = []
    for row in parsed:
        _check(row, explain, reads.histories[row.unit["id"]], period)
        current = reads.reports[(row.unit["id"], period.code)]
        lock = lock_for(current, period, deadline, reads.exceptions[(row.unit["id"], period.code)], now)
        if lock:
            row.errors.append(FieldError("period", lock.detail))  # shown on the unit's name
        for problem in row.errors:
            error(row.number, problem.field, problem.field, problem.message)
        reports.append({"unit_id": row.unit["id"], "unit_name": row.unit["name"], "row": row.number,
                        "valid": not row.errors, "values": row.values, "comments": row.comments,
                        "achievements": row.achievements, "etag": current["etag"] if current else None,
                        "version": current["version"] if current else None})
    if sheet.more_rows:
        error(FIRST_ROW + MAX_ROWS, UNIT_ID, UNIT_ID, f"Tệp có quá {MAX_ROWS} dòng đơn vị; các dòng sau không được đọc.")
    errors.sort(key=lambda e: (e["row"], _column_number(e["column"]), e["field"]))
    return {"unit_id": unit_id, "period": period.code, "reports": reports, "errors": errors}


def _column_number(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def _check(row: _Row, explain: Callable[[Any], Invalid], history: dict[str, dict[str, int]], period: Period) -> None:
    """The rules a submission of this row would meet (`reports.submit_report`), as field errors."""
    from pydantic import ValidationError

    from chalicelib.reporting.models import report_in_model

    if not row.values and not row.achievements and not row.errors:
        row.errors.append(FieldError("values", "Báo cáo phải có ít nhất một số liệu hoặc phần thành tích."))
        return
    try:
        report_in_model().model_validate({"values": row.values, "comments": row.comments,
                                          "achievements": row.achievements})
    except ValidationError as exc:
        row.errors.extend(explain(exc).errors)  # a field without a column of its own is shown on the unit's name
    catalog = indicator_catalog()
    row.errors.extend(catalog.check_rules(row.values))
    row.errors.extend(outliers(history, period, row.values, row.comments))
