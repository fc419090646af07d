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


def template_units(template: bytes) -> list[str]:
    """The unit ids of the template's rows, in order: the unit itself, then its sub-units."""
    from openpyxl import load_workbook

    from chalicelib.reporting.workbook import FIRST_ROW, KEY_ROW, SHEET, UNIT_ID

    ws = load_workbook(io.BytesIO(template))[SHEET]
    column = next(c for c in range(1, ws.max_column + 1) if ws.cell(KEY_ROW, c).value == UNIT_ID)
    return [ws.cell(r, column).value for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, column).value]


SAMPLE_FIGURES = {"officers_mobilised": 120, "checkpoints": 6, "tracing_teams": 4, "citizens_escorted": 1500,
                  "violations_detected": 40, "violations_warned": 25, "violations_penalised": 15,
                  "fines_vnd": 30_000_000}
BAD_CELL = ("checkpoints", "mười hai")  # a text in a number cell: refused, never coerced


def sub_units_filled(template: bytes, bad_cell: bool = False) -> bytes:
    """Every sub-unit's row of the template filled with plausible figures (different per row); with
    `bad_cell`, the first sub-unit's checkpoints is the text "mười hai" (one error: sheet "Báo cáo",
    that row, the checkpoints column). What the browser test uploads, before and after the fix."""
    units = template_units(template)[1:]
    figures = {unit_id: {code: value + n for code, value in SAMPLE_FIGURES.items()}
               for n, unit_id in enumerate(units)}
    cells = {(units[0], BAD_CELL[0]): BAD_CELL[1]} if bad_cell and units else {}
    return fill_template(template, figures, cells=cells)
