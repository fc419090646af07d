"""Response bodies of the register of commendations (pydantic v2; the OpenAPI schemas come from here)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from chalicelib.core.fields import Strict


class RegisterEntry(Strict):
    id: str
    kind: Literal["individual", "collective"]
    name: str
    identity_key: Optional[str] = Field(None, description="Khóa nhận diện (số hiệu, hoặc tên + ngày sinh + đơn vị)")
    officer_number: Optional[str] = None
    birth_date: Optional[str] = None
    position: Optional[str] = None
    unit_id: str
    unit_name: Optional[str] = None
    award_form: str
    award_form_name: Optional[str] = None
    decision_number: Optional[str] = None
    decision_date: Optional[str] = Field(None, description="YYYY-MM-DD")
    granted_by: Optional[str] = Field(None, description="Cấp quyết định, ví dụ 'Bộ trưởng Bộ Công an'")
    summary: Optional[str] = None
    conference_id: Optional[str] = None
    nomination_id: Optional[str] = None
    source: Literal["decision", "import"]
    year: int


class RegisterPage(Strict):
    items: list[RegisterEntry]
    next: Optional[str] = None


class RegisterImportRow(RegisterEntry):
    already_registered: bool = Field(False, description="Mục này đã có trong sổ từ một lần nhập trước")


class RegisterImportError(Strict):
    row: int
    field: str
    message: str


class RegisterImport(Strict):
    id: str
    rows: int
    valid: int
    errors: list[RegisterImportError] = Field(description="Mọi lỗi của mọi dòng; chưa lưu gì vào sổ")
    already: int = Field(0, description="Số dòng hợp lệ đã có trong sổ (nhập lại không ghi trùng)")
    preview: list[RegisterImportRow]


class RegisterImportConfirmed(Strict):
    id: str
    stored: int
    new: int = Field(description="Số mục mới (xác nhận lại không ghi trùng)")
    state: Literal["confirmed"]
