"""The register as a workbook (openpyxl, loaded only here): the import template, reading and
checking an uploaded one, and the export of a search.

The template's first row names the columns; each row below is one award. Every string is written
as text, never a formula (`awards.workbook._append`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any, Mapping

from chalicelib.awards.workbook import _append
from chalicelib.core.errors import invalid
from chalicelib.core.text import name_key, nfc, search_key

MAX_ROWS = 2000
MAX_UNPACKED = 50 * 1024 * 1024
# (field, column title, width)
COLUMNS = (
    ("kind", "Đối tượng (Cá nhân/Tập thể)", 14),
    ("name", "Họ tên / Tên tập thể", 30),
    ("officer_number", "Số hiệu", 12),
    ("birth_date", "Ngày sinh (dd/mm/yyyy)", 14),
    ("position", "Cấp bậc, chức vụ", 24),
    ("unit_id", "Mã đơn vị", 18),
    ("award_form", "Hình thức khen thưởng", 30),
    ("decision_number", "Số quyết định", 16),
    ("decision_date", "Ngày quyết định (dd/mm/yyyy)", 14),
    ("granted_by", "Cấp quyết định", 28),
    ("summary", "Tóm tắt thành tích", 50),
)
TITLES = {title: key for key, title, _ in COLUMNS}
LABELS = {key: title for key, title, _ in COLUMNS}
KINDS = {"ca nhan": "individual", "tap the": "collective", "individual": "individual", "collective": "collective"}
KIND_NAMES = {"individual": "Cá nhân", "collective": "Tập thể"}
OFFICER = re.compile(r"^[0-9A-Za-z-]{3,20}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _not_a_workbook(message: str) -> Exception:
    return invalid("body", message)


def _sheet(rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title
    _append(ws, [t for _, t, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(ws, row)
    for i, (_, _, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template() -> bytes:
    """The import template: the columns and one example row."""
    return _sheet([["Cá nhân", "Nguyễn Văn A", "123-456", "01/02/1980", "Trung tá, Phó Trưởng phòng",
                    "ca-nghe-an", "Bằng khen của Bộ trưởng", "123/QĐ-BCA", "15/12/2020", "Bộ trưởng Bộ Công an",
                    "Hoàn thành xuất sắc nhiệm vụ năm 2020."]], "So theo doi khen thuong")


def _vn_date(value: str | None) -> str:
    if not value:
        return ""
    d = dt.date.fromisoformat(value)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def export(entries: list[Mapping[str, Any]]) -> bytes:
    return _sheet([[KIND_NAMES.get(e.get("kind") or "", ""), e.get("name"), e.get("officer_number") or "",
                    _vn_date(e.get("birth_date")), e.get("position") or "", e.get("unit_name") or e.get("unit_id"),
                    e.get("award_form_name") or e.get("award_form"), e.get("decision_number") or "",
                    _vn_date(e.get("decision_date")), e.get("granted_by") or "", e.get("summary") or ""]
                   for e in entries], "So theo doi khen thuong")


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """Each non-empty row of the first sheet with the template's header, by field: {"row": n, field: value}."""
    from chalicelib.core.uploads import open_workbook

    wb = open_workbook(data, _not_a_workbook, max_unpacked=MAX_UNPACKED, data_only=True)
    try:
        for ws in wb.worksheets:
            header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            columns = {i: TITLES[nfc(v.strip())] for i, v in enumerate(header)
                       if isinstance(v, str) and nfc(v.strip()) in TITLES}
            if "name" not in columns.values():
                continue
            out = []
            for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), 2):
                row = {columns[i]: v for i, v in enumerate(values) if i in columns}
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
                    continue
                if len(out) == MAX_ROWS:
                    raise _not_a_workbook(f"Tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.")
                out.append({"row": n, **row})
            return out
    finally:
        wb.close()
    raise _not_a_workbook("Tệp không theo mẫu: dòng 1 phải là tiêu đề các cột của tệp mẫu "
                          "(GET /v1/register/template).")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def _date(value: Any) -> str | None:
    """ISO date of a cell: a date cell, dd/mm/yyyy or yyyy-mm-dd; None when not a date."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _form(forms: Mapping[str, Any], text: str) -> Any:
    """The form a cell names: its code, its name (diacritics optional), or the start of one name only
    ("Bằng khen của Bộ trưởng")."""
    found = forms.get(text) or forms.get(search_key(text))
    if found is None:
        starting = {f.code: f for key, f in forms.items() if key.startswith(search_key(text) + " ")}
        found = next(iter(starting.values())) if len(starting) == 1 else None
    return found


def check_rows(rows: list[dict[str, Any]], units: list[Mapping[str, Any]], forms: Mapping[str, Any]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(entries of the rows without errors, every error {row, field, message}); entries carry "row"."""
    from chalicelib.register.service import identity_key

    by_id = {u["id"]: u for u in units}
    by_name = {name_key(u["name"]): u for u in units}
    errors: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for raw in rows:
        n = raw["row"]
        mine: list[dict[str, Any]] = []

        def error(field: str, message: str) -> None:
            mine.append({"row": n, "field": field, "message": message})

        kind = KINDS.get(search_key(_text(raw.get("kind"))) or "ca nhan")
        if kind is None:
            error("kind", "Đối tượng phải là 'Cá nhân' hoặc 'Tập thể'.")
        name = _text(raw.get("name"))
        if not name:
            error("name", "Thiếu họ tên hoặc tên tập thể.")
        elif len(name) > 200:
            error("name", "Họ tên quá dài (tối đa 200 ký tự).")
        officer = _text(raw.get("officer_number")) or None
        if officer and not OFFICER.fullmatch(officer):
            error("officer_number", "Số hiệu chỉ gồm chữ, số và dấu '-', từ 3 đến 20 ký tự.")
        birth = None
        if _text(raw.get("birth_date")):
            birth = _date(raw.get("birth_date"))
            if birth is None:
                error("birth_date", "Ngày sinh không hợp lệ (dd/mm/yyyy).")
        unit_text = _text(raw.get("unit_id"))
        unit = by_id.get(unit_text) or by_name.get(name_key(unit_text)) if unit_text else None
        if not unit_text:
            error("unit_id", "Thiếu mã đơn vị.")
        elif unit is None:
            error("unit_id", f"Không có đơn vị '{unit_text}' trong cây đơn vị.")
        form_text = _text(raw.get("award_form"))
        form = _form(forms, form_text) if form_text else None
        if not form_text:
            error("award_form", "Thiếu hình thức khen thưởng.")
        elif form is None:
            error("award_form", f"Không có hình thức khen thưởng '{form_text}' trong danh mục.")
        elif kind is not None and kind not in form.for_kinds:
            error("award_form", f"Hình thức '{form.name}' không dành cho {KIND_NAMES[kind].lower()}.")
        number = _text(raw.get("decision_number"))
        if not number:
            error("decision_number", "Thiếu số quyết định.")
        decision_date = _date(raw.get("decision_date"))
        if decision_date is None:
            error("decision_date", "Thiếu ngày quyết định hoặc ngày không hợp lệ (dd/mm/yyyy)."
                  if not _text(raw.get("decision_date")) else "Ngày quyết định không hợp lệ (dd/mm/yyyy).")
        granted = _text(raw.get("granted_by"))
        if not granted:
            error("granted_by", "Thiếu cấp quyết định (ví dụ: Bộ trưởng Bộ Công an).")
        if not mine and kind and unit and form:
            ident = identity_key(kind, name, unit["id"], officer, birth, unit_name=unit["name"])
            key = (ident, form.code, number)
            if key in seen:
                error("name", f"Trùng với dòng {seen[key]} (cùng người, hình thức và số quyết định).")
            else:
                seen[key] = n
                entries.append({"row": n, "kind": kind, "name": name, "identity_key": ident,
                                "officer_number": officer, "birth_date": birth,
                                "position": _text(raw.get("position")) if kind == "individual" else "",
                                "unit_id": unit["id"], "unit_name": unit["name"], "award_form": form.code,
                                "award_form_name": form.name, "decision_number": number,
                                "decision_date": decision_date, "granted_by": granted,
                                "summary": _text(raw.get("summary")), "conference_id": None,
                                "nomination_id": None, "source": "import",
                                "year": int(str(decision_date)[:4])})
        errors += mine
    return entries, errors
