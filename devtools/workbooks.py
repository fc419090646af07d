"""Filling the report template workbook as a clerk would in Excel (tests and the browser tests).

    data = fill_template(template_bytes, {"pc-giao-thong": {"checkpoints": 12}},
                         cells={("pc-an-ninh", "checkpoints"): "mười hai"})

Rows and columns are found by the template's hidden unit ids (column A) and field keys (row 1),
never by labels or positions.
"""

from __future__ import annotations

import io
from typing import Any, Mapping


def fill_template(template: bytes, figures: Mapping[str, Mapping[str, Any]],
                  cells: Mapping[tuple[str, str], Any] | None = None,
                  achievements: Mapping[str, str] | None = None) -> bytes:
    """The template with `figures` ({unit id: {indicator code: value}}) typed in, then `cells`
    ({(unit id, field): raw value}, a field being an indicator code, "comments.<code>" or
    "achievements"; a value starting with "=" becomes a formula) and `achievements` ({unit id: text})."""
    from openpyxl import load_workbook

    from chalicelib.reporting.workbook import FIRST_ROW, KEY_ROW, SHEET, UNIT_ID

    wb = load_workbook(io.BytesIO(template))
    ws = wb[SHEET]
    column = {ws.cell(KEY_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    row = {ws.cell(r, column[UNIT_ID]).value: r for r in range(FIRST_ROW, ws.max_row + 1)}

    def put(unit_id: str, key: str, value: Any) -> None:
        key = key if "." in key or key == "achievements" else f"values.{key}"
        ws.cell(row[unit_id], column[key]).value = value

    for unit_id, values in figures.items():
        for code, value in values.items():
            put(unit_id, code, value)
    for unit_id, text in (achievements or {}).items():
        put(unit_id, "achievements", text)
    for (unit_id, key), value in (cells or {}).items():
        put(unit_id, key, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
