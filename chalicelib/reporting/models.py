"""Request and response bodies of the reporting cycle (pydantic v2; the OpenAPI schemas come from here).

Strings arrive NFC-normalised (chalicelib.http), and every text and list is capped so
no body can grow an item past DynamoDB's 400 KB limit. The report body is built from
the indicator catalog, so adding an indicator is an edit to the catalog file only.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictInt, create_model

from chalicelib.core.catalogs import indicator_catalog
from chalicelib.core.fields import Strict, prose

MAX_ACHIEVEMENTS = 20_000
MAX_COMMENT = 2_000


@cache
def indicator_values_model() -> type[BaseModel]:
    """A model with one optional whole-number field per catalog indicator."""
    fields: dict[str, Any] = {
        i.code: (Optional[StrictInt], Field(default=None, ge=i.min, le=i.max,
                                             title=i.label, description=f"Đơn vị tính: {i.unit}"))
        for i in indicator_catalog().indicators
    }
    return create_model("IndicatorValues", __config__=ConfigDict(extra="forbid", defer_build=True), **fields)


@cache
def indicator_comments_model() -> type[BaseModel]:
    text = prose(MAX_COMMENT)
    fields: dict[str, Any] = {i.code: (Optional[text], None) for i in indicator_catalog().indicators}
    return create_model("IndicatorComments", __config__=ConfigDict(extra="forbid", defer_build=True), **fields)


@cache
def report_in_model() -> type[BaseModel]:
    return create_model(
        "ReportIn",
        __config__=ConfigDict(extra="forbid", defer_build=True),
        values=(indicator_values_model(), ...),
        comments=(indicator_comments_model(), Field(default_factory=indicator_comments_model())),
        achievements=(prose(MAX_ACHIEVEMENTS), ""),
    )


Note = prose(4_000)


class ReviewIn(Strict):
    action: Literal["accept", "return"]
    note: Note = ""


class ExceptionIn(Strict):
    until: str = Field(description="ISO 8601 instant until which the unit may submit, e.g. 2021-09-20T23:59:59+07:00")
    reason: prose(1_000, min_length=1)  # type: ignore[valid-type]


class PeriodSettingsIn(Strict):
    deadline: str = Field(description="ISO 8601 instant; reports after it are late and locked")


# -- responses -------------------------------------------------------------------------

class Review(Strict):
    action: Literal["accept", "return"]
    note: str
    by: str
    by_name: str
    at: str
    version: int


class Report(Strict):
    unit_id: str
    period: str
    version: int
    values: dict[str, int]
    comments: dict[str, str]
    achievements: str
    submitted_at: str
    first_submitted_at: Optional[str]
    timeliness: Optional[Literal["on_time", "late"]]
    submitted_by: Optional[str]
    status: Literal["submitted", "accepted", "returned"]
    review: Optional[Review]


class ReviewedReport(Report):
    notified: Optional[bool] = Field(description=(
        "Whether a mail server accepted the return note for the unit (null for accept). false: the unit has "
        "no contact email, or the mail server failed or did not answer in time; then the note is kept and "
        "sent by the next daily reminders run"))


class ReportList(Strict):
    items: list[Report]
    next: Optional[str]


class DeadlineException(Strict):
    unit_id: str
    period: str
    until: str
    reason: str
    granted_by: str
    granted_at: str


class AuditEvent(Strict):
    id: str
    at: str
    entity: str
    action: str
    actor: str                            # "account:<id>" for a person, else the machine token's id
    actor_role: str
    actor_name: str
    actor_account_id: Optional[str] = None  # the person, when signed in as one
    actor_token: Optional[str] = None       # the session or machine token used
    detail: dict[str, Any]


class AuditList(Strict):
    items: list[AuditEvent]
    next: Optional[str]


class ReminderSent(Strict):
    unit_id: str
    period: str
    kind: Literal["before", "overdue", "returned"] = Field(
        description="before: trước hạn; overdue: đã quá hạn; returned: báo cáo bị trả lại chưa nộp lại")
    sent_to: list[str] = Field(description="Các địa chỉ thư điện tử liên hệ của đơn vị đã được gửi lời nhắc")
    sent_at: str


class PeriodInfo(Strict):
    period: str
    kind: Literal["month", "week", "quarter"]
    label: str
    start: str
    end: str
    deadline: str
    open: bool


class PeriodChoice(Strict):
    period: str = Field(description="Mã kỳ, ví dụ 2021-08")
    kind: Literal["month", "week", "quarter"]
    label: str = Field(description="Tên ngắn cho ô chọn kỳ, ví dụ 'Tháng 8/2021', 'Quý III/2021'")
    long_label: str = Field(description="Tên đầy đủ, ví dụ 'tháng 8 năm 2021'")
    start: str
    end: str
    deadline: str = Field(description="Hạn nộp (ISO 8601): do quản trị đặt, nếu không thì hạn mặc định")
    open: bool = Field(description="Chưa quá hạn nộp")
    has_settings: bool = Field(description="Quản trị đã đặt hạn nộp cho kỳ này (PUT /v1/periods/{period})")
    current: bool = Field(description="Kỳ đang diễn ra")


class PeriodChoiceList(Strict):
    items: list[PeriodChoice] = Field(description="Kỳ hiện tại trước, rồi các kỳ trước đó")
    next: Optional[str] = Field(description="Luôn null: danh sách ngắn, một trang")


class CompletenessCounts(Strict):
    expected: int
    complete: int
    on_time: int
    late: int
    missing: int
    returned: int
    accepted: int


class Rates(Strict):
    reporting: Optional[float]
    on_time: Optional[float]


class SubtreeCounts(CompletenessCounts):
    submitted: int = Field(description="Báo cáo hiện hành chưa được duyệt (đã nộp, chưa duyệt, chưa bị trả lại)")


class CompletenessRow(Strict):
    unit_id: str
    name: str
    parent_id: Optional[str]
    depth: int
    expected: bool
    state: Optional[Literal["missing", "submitted", "returned", "accepted"]]
    timeliness: Optional[Literal["on_time", "late"]]
    label: str
    submitted_at: Optional[str] = Field(default=None, description="Thời điểm nộp phiên bản hiện hành (ISO 8601)")
    counts: CompletenessCounts
    rates: Rates
    subtree: SubtreeCounts = Field(description="Chỉ các đơn vị cấp dưới (mọi cấp), không gồm chính đơn vị")
    subtree_state: Optional[Literal["complete", "partial", "none"]] = Field(
        description="complete: mọi đơn vị cấp dưới phải nộp đều có báo cáo hiện hành (đã nộp hoặc đã duyệt; "
                    "bị trả lại thì chưa); none: chưa đơn vị nào; partial: ở giữa; null: không có cấp dưới phải nộp")
    subtree_label: Optional[str] = Field(description="Ví dụ 'Cấp dưới đã nộp đủ (12/12)'")


class Completeness(Strict):
    period: str
    label: str
    deadline: str
    totals: CompletenessCounts = Field(description="Của cả kỳ, như nhau ở mọi trang")
    rates: Rates
    rows: list[CompletenessRow] = Field(description="Các dòng của trang này, theo thứ tự cây đơn vị")
    next: Optional[str] = Field(description="Con trỏ trang sau (?cursor=), null ở trang cuối")


# -- the unit portal: periods at a glance, the workbook import -----------------------------

ReportState = Literal["missing", "submitted", "returned", "accepted"]


class PeriodState(Strict):
    period: str
    label: str = Field(description="Tên kỳ, ví dụ 'tháng 8 năm 2021'")
    deadline: str = Field(description="Hạn nộp (ISO 8601)")
    state: ReportState
    locked: bool = Field(description="Đơn vị không thể gửi hoặc sửa báo cáo kỳ này lúc này (gửi sẽ nhận 423)")
    lock_reason: Optional[str] = Field(description="Lý do khóa, tiếng Việt")
    lock_code: Optional[Literal["deadline_passed", "accepted", "returned_resubmitted"]]
    return_note: Optional[str] = Field(description="Ghi chú của quản trị khi trả lại báo cáo")
    version: Optional[int]
    etag: Optional[str] = Field(description="ETag của báo cáo hiện tại: gửi trong If-Match khi sửa")
    submitted_at: Optional[str]
    exception_until: Optional[str] = Field(description="Ngoại lệ nộp sau hạn được cấp đến thời điểm này")
    next_step: str = Field(description="Việc cần làm tiếp theo, tiếng Việt")


class SubUnitPeriod(Strict):
    period: str
    state: ReportState


class SubUnitPeriods(Strict):
    unit_id: str
    name: str
    periods: list[SubUnitPeriod]


class UnitPeriods(Strict):
    unit_id: str
    name: str
    kind: Literal["month", "week", "quarter"]
    items: list[PeriodState] = Field(description="6 kỳ gần nhất, kỳ hiện tại trước")
    sub_units: list[SubUnitPeriods] = Field(description="Đơn vị cấp dưới trực tiếp và trạng thái từng kỳ")


class ImportedReport(Strict):
    unit_id: str
    unit_name: str
    row: int = Field(description="Dòng của đơn vị trong trang tính")
    valid: bool = Field(description="Dòng không có lỗi: có thể gửi (PUT) báo cáo này")
    values: dict[str, int]
    comments: dict[str, str]
    achievements: str
    etag: Optional[str] = Field(description="ETag của báo cáo hiện tại (gửi trong If-Match), null khi chưa có")
    version: Optional[int]


class WorkbookError(Strict):
    sheet: str
    row: int
    column: str = Field(description="Chữ cái của cột, ví dụ 'D'")
    field: str = Field(description="values.<mã chỉ tiêu>, comments.<mã chỉ tiêu>, achievements, unit_id; "
                                   "period (kỳ đã khóa với đơn vị này) hoặc values (dòng không có số liệu nào): "
                                   "hiện ở cột tên đơn vị")
    message: str


class WorkbookImport(Strict):
    unit_id: str
    period: str
    reports: list[ImportedReport] = Field(description="Các dòng đọc được; chưa lưu gì")
    errors: list[WorkbookError]
