"""An uploaded .xlsx workbook opened safely, for every import (the report workbook, the register's
past years): the bytes are a zip whose parts are counted and sized before openpyxl inflates any
of them, so no zip bomb and no .xls or other zip reaches it."""

from __future__ import annotations

import io
import zipfile
from typing import Any, Callable

MAX_PARTS = 500


def open_workbook(data: bytes, refuse: Callable[[str], Exception], *, max_unpacked: int,
                  data_only: bool) -> Any:
    """The openpyxl workbook (read-only; the caller closes it), or `refuse(message)` raised with what is
    wrong in Vietnamese. `data_only`: cached formula results instead of the formulas."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise refuse("Tệp Excel 97-2003 (.xls) không được hỗ trợ: hãy mở tệp bằng Excel và lưu "
                     "lại dưới dạng Sổ làm việc Excel (.xlsx).")
    if data[:4] != b"PK\x03\x04":
        raise refuse("Tệp tải lên không phải tệp Excel .xlsx. Hãy tải tệp mẫu, điền rồi tải lên.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse("Tệp .xlsx bị hỏng hoặc không đầy đủ: không giải nén được.") from None
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > max_unpacked:
        raise refuse("Tệp quá lớn khi giải nén; hãy dùng tệp mẫu.")
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise refuse("Tệp nén này không phải sổ làm việc Excel (.xlsx).")
    from openpyxl import load_workbook  # loaded by an import only

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except Exception:  # noqa: BLE001 - whatever a malformed file makes openpyxl raise is the file's fault
        raise refuse("Không đọc được tệp .xlsx (tệp hỏng hoặc không đúng định dạng).") from None
