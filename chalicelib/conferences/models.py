"""Request bodies for conferences (pydantic v2, NFC-normalised by the route wrapper)."""

from __future__ import annotations

import datetime
from typing import Annotated, Optional, Union

from pydantic_core import PydanticCustomError
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StringConstraints, field_validator

from chalicelib.conferences import recipients
from chalicelib.conferences.recipients import MAX_EMAIL, MAX_NAME
from chalicelib.core.fields import line, prose
from chalicelib.core.periods import PeriodError, parse_period
from chalicelib.units.models import Name, UnitId

MAX_PERIODS = 12
MAX_RECIPIENTS = 50
Text = line(300)
Line = line(200)
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-ZĐ0-9][A-ZĐ0-9-]{0,29}$")]
AwardCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use (cold start)


RECIPIENT_TEXT_HELP = ("Một địa chỉ thư: ten@donvi.gov.vn hoặc Tên <ten@donvi.gov.vn>; tên có dấu phẩy, dấu ngoặc "
                       'hay dấu hai chấm đặt trong ngoặc kép, ví dụ "Cục Y tế, Bộ Công an" <yte@bca.gov.vn>')


class RecipientIn(Strict):
    """A recipient as an object: the name is taken as it is, no quoting needed."""

    name: Optional[line(MAX_NAME, min_length=0)] = Field(  # type: ignore[valid-type]
        default=None, description="Tên hiển thị, ví dụ Cục Y tế, Bộ Công an", examples=["Cục Y tế, Bộ Công an"])
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_EMAIL)] = Field(
        description="Địa chỉ thư (chỉ một địa chỉ, không kèm tên)", examples=["yte@bca.gov.vn"])

    @field_validator("email")
    @classmethod
    def _one_address(cls, value: str) -> str:
        try:
            return recipients.of(None, value).email
        except recipients.RecipientError as exc:
            raise PydanticCustomError("invalid_value", str(exc)) from None


def _recipient(value: object) -> object:
    """A text is read as exactly one address and becomes the object form; an object goes on as it is."""
    if isinstance(value, str):
        try:
            parsed = recipients.parse(value)
        except recipients.RecipientError as exc:
            raise PydanticCustomError("invalid_value", str(exc)) from None
        return parsed.stored()
    if not isinstance(value, dict):
        raise PydanticCustomError("recipient_type", "Phải là chuỗi địa chỉ thư hoặc đối tượng {\"name\", \"email\"}.")
    return value


RecipientText = Annotated[str, Field(description=RECIPIENT_TEXT_HELP, max_length=recipients.MAX_TEXT,
                                     examples=['"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>'])]
Recipient = Annotated[RecipientIn, BeforeValidator(_recipient, json_schema_input_type=Union[RecipientText, RecipientIn])]
RECIPIENTS_HELP = ("Người nhận báo cáo tổng hợp, mỗi phần tử một địa chỉ: chuỗi (" + RECIPIENT_TEXT_HELP
                   + ") hoặc đối tượng {name, email}")
RECIPIENTS_SHOWN = ("Người nhận, mỗi phần tử một địa chỉ dạng RFC 5322 (tên được đặt trong ngoặc kép khi cần); "
                    "gửi lại nguyên các chuỗi này qua POST hoặc PATCH thì được đúng những người nhận này")


class SignerIn(Strict):
    title: prose(200, min_length=1) = Field(  # type: ignore[valid-type]
        description="Chức vụ ký, có thể hai dòng, ví dụ 'KT. BỘ TRƯỞNG\\nTHỨ TRƯỞNG'")
    name: Name = Field(description="Cấp bậc và họ tên người ký")


MAX_SECTION = 20000


class AssessmentIn(Strict):
    """The summary's assessment sections, written by the office before trình ký (each may be empty)."""

    overall: Optional[prose(MAX_SECTION, min_length=0)] = Field(default="", description="Đánh giá chung")  # type: ignore[valid-type]
    shortcomings: Optional[prose(MAX_SECTION, min_length=0)] = Field(default="", description="Tồn tại, hạn chế")  # type: ignore[valid-type]
    causes: Optional[prose(MAX_SECTION, min_length=0)] = Field(default="", description="Nguyên nhân")  # type: ignore[valid-type]
    directions: Optional[prose(MAX_SECTION, min_length=0)] = Field(default="", description="Phương hướng, nhiệm vụ")  # type: ignore[valid-type]
    recommendations: Optional[prose(MAX_SECTION, min_length=0)] = Field(default="", description="Kiến nghị, đề xuất")  # type: ignore[valid-type]


def _periods(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    try:
        parsed = [parse_period(p) for p in value]
    except PeriodError as exc:
        raise PydanticCustomError("invalid_value", str(exc)) from None
    if len({p.kind for p in parsed}) > 1:
        raise PydanticCustomError("invalid_value", "Các kỳ phải cùng loại (tháng, tuần hoặc quý).")
    if len(set(parsed)) != len(parsed):
        raise PydanticCustomError("invalid_value", "Có kỳ bị lặp.")
    return [p.code for p in sorted(parsed)]


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """An instant without a zone is Hà Nội time; years outside 2000-2100 are typos."""
    from chalicelib.core.periods import VN_TZ

    if value is not None and not 2000 <= value.year <= 2100:
        raise PydanticCustomError("invalid_value", "Năm nằm ngoài khoảng cho phép (2000-2100).")
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=VN_TZ)


def _known_forms(value: dict[str, int] | None) -> dict[str, int] | None:
    from chalicelib.core.catalogs import award_form

    unknown = sorted(code for code in (value or {}) if award_form(code) is None)
    if unknown:
        raise PydanticCustomError("invalid_value", f"Hình thức khen thưởng không có trong danh mục: {', '.join(unknown)}.")
    return value


def _reasonable_year(value: datetime.date | None) -> datetime.date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise PydanticCustomError("invalid_value", "Năm nằm ngoài khoảng cho phép (2000-2100).")
    return value


def _text_only(value: object) -> object:
    # A number where a date-time belongs is not a Unix time, it is a mistake.
    if value is not None and not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Phải là thời điểm ISO 8601, ví dụ 2021-08-20T17:00:00+07:00.")
    return value


Instant = Annotated[Optional[datetime.datetime], BeforeValidator(_text_only), AfterValidator(_aware)]
Quotas = Annotated[dict[AwardCode, Annotated[StrictInt, Field(ge=0, le=100_000)]], AfterValidator(_known_forms)]


ANNEX_HELP = ("true: báo cáo tổng hợp có thêm phụ lục kết quả nổi bật của từng đơn vị theo từng kỳ; "
              "mặc định false: mục IV nêu mỗi đơn vị một lần")


LEVELS_HELP = ("Số cấp đơn vị báo cáo tổng hợp liệt kê (mục III, IV và phụ lục), mỗi đơn vị cộng cả cấp dưới; "
               "mặc định 1: các đơn vị trực thuộc Bộ")
DETAIL_HELP = ("Các đơn vị (ví dụ Công an tỉnh) có thêm phụ lục số liệu chi tiết của từng đơn vị cấp dưới; "
               "mặc định không có")
MAX_LEVELS = 4
MAX_DETAIL = 100
Levels = Annotated[StrictInt, Field(ge=1, le=MAX_LEVELS)]


class ConferenceFields(Strict):
    title: Text
    date: datetime.date = Field(description="Ngày họp (YYYY-MM-DD, giờ Việt Nam)")
    place: Line = "Hà Nội"
    periods: list[str] = Field(min_length=1, max_length=MAX_PERIODS, examples=[["2021-07", "2021-08"]])
    unit_ids: Optional[list[UnitId]] = Field(default=None, max_length=500,
                                             description="null: mọi đơn vị; nếu có: các đơn vị này và cấp dưới")
    recipients: list[Recipient] = Field(default_factory=list, max_length=MAX_RECIPIENTS, description=RECIPIENTS_HELP)
    quotas: Quotas = Field(default_factory=dict, max_length=50)
    number_prefix: Prefix = Field("BC-BCA", description="Ký hiệu văn bản: số sẽ là 07/BC-BCA")
    signer: SignerIn
    upper_agency: Line = "BỘ CÔNG AN"
    agency: Line = "VĂN PHÒNG BỘ"
    distribution: Optional[list[Line]] = Field(
        default=None, max_length=30,
        description="Dòng 'Nơi nhận' của văn bản; mặc định lấy từ tên trong recipients")
    report_title: Optional[Text] = Field(default=None, description="Trích yếu; mặc định 'Tổng hợp kết quả ...'")
    nomination_deadline: Instant = Field(
        default=None, description="Hạn đơn vị gửi và sửa đề nghị khen thưởng (ISO 8601, có múi giờ)")
    list_prefix: Prefix = Field("DS-BCA", description="Ký hiệu của danh sách khen thưởng: số sẽ là 01/DS-BCA")
    annex: StrictBool = Field(False, description=ANNEX_HELP)
    assessment: Optional[AssessmentIn] = Field(default=None, description="Các phần đánh giá của báo cáo sơ kết")
    summary_levels: Levels = Field(1, description=LEVELS_HELP)
    summary_detail: list[UnitId] = Field(default_factory=list, max_length=MAX_DETAIL, description=DETAIL_HELP)

    @field_validator("periods")
    @classmethod
    def _check_periods(cls, value: list[str]) -> list[str]:
        return _periods(value)

    @field_validator("date")
    @classmethod
    def _reasonable_date(cls, value: datetime.date) -> datetime.date:
        if not 2000 <= value.year <= 2100:
            raise PydanticCustomError("invalid_value", "Năm nằm ngoài khoảng cho phép (2000-2100).")
        return value


class ConferenceIn(ConferenceFields):
    """POST /v1/conferences."""


class ConferencePatch(Strict):
    """PATCH /v1/conferences/{id}: only the fields given change (null resets optional ones)."""

    title: Optional[Text] = None
    date: Annotated[Optional[datetime.date], AfterValidator(_reasonable_year)] = None
    place: Optional[Line] = None
    periods: Optional[list[str]] = Field(default=None, min_length=1, max_length=MAX_PERIODS)
    unit_ids: Optional[list[UnitId]] = Field(default=None, max_length=500)
    recipients: Optional[list[Recipient]] = Field(default=None, max_length=MAX_RECIPIENTS, description=RECIPIENTS_HELP)
    quotas: Optional[Quotas] = Field(default=None, max_length=50)
    number_prefix: Optional[Prefix] = None
    signer: Optional[SignerIn] = None
    upper_agency: Optional[Line] = None
    agency: Optional[Line] = None
    distribution: Optional[list[Line]] = Field(default=None, max_length=30)
    report_title: Optional[Text] = None
    nomination_deadline: Instant = None
    list_prefix: Optional[Prefix] = None
    annex: Optional[StrictBool] = Field(default=None, description=ANNEX_HELP + " (null: false)")
    assessment: Optional[AssessmentIn] = Field(default=None, description="Các phần đánh giá của báo cáo sơ kết "
                                               "(Văn phòng viết trước khi trình ký); null: xóa")
    summary_levels: Optional[Levels] = Field(default=None, description=LEVELS_HELP + " (null: 1)")
    summary_detail: Optional[list[UnitId]] = Field(default=None, max_length=MAX_DETAIL,
                                                   description=DETAIL_HELP + " (null: không có)")

    @field_validator("periods")
    @classmethod
    def _check_periods(cls, value: list[str] | None) -> list[str] | None:
        return _periods(value)


# -- responses -------------------------------------------------------------------------

class Signer(Strict):
    title: str
    name: str


class Assessment(Strict):
    overall: str
    shortcomings: str
    causes: str
    directions: str
    recommendations: str


class Conference(Strict):
    id: str
    title: str
    date: str
    place: str
    periods: list[str]
    unit_ids: Optional[list[str]]
    recipients: list[str] = Field(description=RECIPIENTS_SHOWN,
                                  examples=[['"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "vp@bca.gov.vn"]])
    quotas: dict[str, int]
    number_prefix: str
    signer: Signer
    upper_agency: str
    agency: str
    distribution: Optional[list[str]]
    report_title: Optional[str]
    nomination_deadline: Optional[str]
    list_prefix: Optional[str]
    annex: bool = Field(False, description=ANNEX_HELP)
    assessment: Optional[Assessment] = Field(None, description="Các phần đánh giá của báo cáo sơ kết")
    summary_levels: int = Field(1, description=LEVELS_HELP)
    summary_detail: list[str] = Field(default_factory=list, description=DETAIL_HELP)
    finalised_at: Optional[str]
    created_at: str
    updated_at: str
    compile_requested_at: Optional[str]


class ConferenceList(Strict):
    items: list[Conference]
    next: Optional[str]


class UnitConference(Strict):
    """A conference as a unit sees it (GET /v1/units/{unit_id}/conferences)."""

    id: str
    title: str
    date: str = Field(description="Ngày họp (YYYY-MM-DD)")
    place: Optional[str]
    nomination_deadline: Optional[str] = Field(description="Hạn gửi và sửa đề nghị khen thưởng (ISO 8601); null: không hạn")
    open: bool = Field(description="true: đơn vị còn gửi và sửa được đề nghị (chưa quá hạn, danh sách chưa chốt)")
    award_forms: list[str] = Field(description="Các hình thức khen thưởng có chỉ tiêu tại hội nghị (mã); rỗng: chưa giao chỉ tiêu")


class UnitConferenceList(Strict):
    items: list[UnitConference]
    next: Optional[str] = Field(description="Luôn null: mọi hội nghị sắp tới trong một trang")


class CompileQueued(Strict):
    conference_id: str
    status: str
    requested_at: str
    documents: str


class IssuerRef(Strict):
    id: str
    name: str


class DocumentRef(Strict):
    document_id: str
    number: Optional[str]


class AccountRef(Strict):
    account_id: str
    name: str


class Document(Strict):
    id: str = Field(description="Mã văn bản (như document_id)")
    document_id: str
    kind: str = Field(description="summary | proposal | decision | commendations (cũ)")
    stream: str = Field(description="Dòng văn bản: summary, proposal, decision@<cơ quan ban hành>@<hình thức>")
    stage: str = Field(description="draft | submitted | approved | issued | replaced")
    version: int
    number: Optional[str] = Field(description="Số văn bản; null: dự thảo")
    title: Optional[str]
    symbol: Optional[str] = Field(description="Ký hiệu, ví dụ QĐ-BCA")
    issuer: Optional[IssuerRef]
    issued_on: Optional[str] = Field(description="Ngày ban hành; null: dự thảo")
    sha256: Optional[str]
    size: Optional[int]
    created_at: Optional[str]
    url: str
    docx_url: Optional[str] = Field(description="Tải DOCX: cùng địa chỉ với Accept DOCX; null: không có")
    verify_url: str
    verify_code: str
    signed: bool = Field(description="true: tệp PDF đã được ký số")
    replaces: Optional[DocumentRef]
    replaced_by: Optional[DocumentRef]
    submitted_to: Optional[AccountRef]
    return_note: Optional[str] = Field(description="Ý kiến của người ký khi trả lại")
    current: bool = Field(description="true: phiên bản mới nhất của dòng văn bản")


class SigningRequest(Document):
    conference_id: str
    conference_title: Optional[str]
    submitted_at: Optional[str]
    submitted_by: Optional[str]


class SigningRequestList(Strict):
    items: list[SigningRequest]
    next: Optional[str]


class SubmitIn(Strict):
    signer_account_id: line(64) = Field(description="Tài khoản người ký")  # type: ignore[valid-type]
    number: Optional[Annotated[StrictInt, Field(ge=1, le=99_999)]] = Field(default=None, description="Số lấy từ sổ văn bản đi; null: số kế tiếp "
                                        "khi ban hành")


class ReturnIn(Strict):
    note: prose(2000, min_length=1) = Field(description="Ý kiến của người ký")  # type: ignore[valid-type]


class ReplaceIn(Strict):
    reason: prose(2000, min_length=1) = Field(description="Lý do thay thế")  # type: ignore[valid-type]


class DocumentList(Strict):
    items: list[Document]
    next: Optional[str]


class Delivery(Strict):
    """One document version sent (or being sent) to one recipient."""

    document_id: str
    kind: str = Field(description="summary | proposal | decision | commendations (cũ)")
    stream: str = Field(description="Dòng văn bản: summary, proposal, decision@<cơ quan ban hành>@<hình thức>")
    version: int
    number: Optional[str] = Field(description="Số văn bản (chỉ văn bản đã ban hành được gửi)")
    recipient: str = Field(description="Người nhận như trên thư (tên và địa chỉ)")
    email: str = Field(description="Địa chỉ thư (chữ thường)")
    state: str = Field(description="sent: đã gửi | sending: đang gửi | failed: gửi lỗi, lần chạy sau gửi lại")
    sent_at: Optional[str] = Field(description="Thời điểm máy chủ thư nhận thư (ISO 8601); null: chưa gửi được")
    attempts: int = Field(description="Số lần đã thử gửi")
    error: Optional[str] = Field(description="Lỗi của lần gửi hỏng gần nhất")


class DeliveryList(Strict):
    items: list[Delivery]
    next: Optional[str] = Field(description="Con trỏ trang kế tiếp (các trang theo phiên bản văn bản)")
    compile_requested_at: Optional[str] = Field(
        description="Yêu cầu tổng hợp đang chờ hoặc đang chạy, ghi nhận lúc này; null: không có yêu cầu nào đang chờ")


class NewerVersion(Strict):
    id: str
    code: str
    version: int
    number: Optional[str]


class ReplacedBy(Strict):
    document_id: str
    number: Optional[str]
    issued_on: Optional[str]


class SignatureReport(Strict):
    intact: bool = Field(description="false: tệp đã bị sửa sau khi ký")
    trusted: bool = Field(description="true: chứng thư của cơ quan ban hành do CA tin cậy cấp")
    valid: bool
    signer: str
    signed_at: Optional[str] = Field(description="Thời điểm ký (ISO 8601) chữ ký ghi")
    issuer: str = Field(description="Cơ quan ban hành có chứng thư đã ký")


class Verification(Strict):
    id: str
    code: str
    kind: str
    stream: str
    stage: str = Field(description="draft | submitted | approved | issued | replaced")
    current: bool = Field(description="false: a newer version of this document exists")
    superseded_by: Optional[NewerVersion]
    notice: Optional[str]
    number: Optional[str] = Field(description="null: a draft (dự thảo)")
    title: str
    date: Optional[str] = Field(description="Ngày ban hành; null: dự thảo")
    version: int
    sha256: str
    size: int
    agency: Optional[str]
    replaced_by: Optional[ReplacedBy]
    signature: Optional[SignatureReport] = Field(description="null: không ký số (dự thảo, văn bản cũ)")


class UploadVerification(Verification):
    matches: bool = Field(description="true: tệp tải lên trùng từng byte với văn bản đã ban hành")
