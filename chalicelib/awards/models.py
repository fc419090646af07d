"""Request and response bodies of the award half (pydantic v2; the OpenAPI schemas come from here)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from chalicelib.core.fields import Strict, line, prose
from chalicelib.register.models import RegisterEntry
from chalicelib.reporting.models import AuditEvent
from chalicelib.units.models import UnitId

MAX_ACHIEVEMENTS = 20_000
MAX_BULK = 40  # each decision is two writes (the nomination, its audit event) in one DynamoDB transaction

Text = line(200)
Position = line(200, min_length=0)
AwardCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Note = prose(4_000)
OverrideNote = prose(2_000)
Achievements = prose(MAX_ACHIEVEMENTS, min_length=1)
Figure = Annotated[StrictInt, Field(ge=0, le=10**15)]
OfficerNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{3,20}$")]
BirthDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
_OFFICER = "Số hiệu cán bộ (cá nhân): khóa nhận diện ưu tiên, 3-20 ký tự chữ, số, '-'"
_BIRTH = "Ngày sinh (cá nhân, YYYY-MM-DD): khóa thứ hai khi không có số hiệu"
_TEAM = ("Tập thể là một tổ, đội, nhóm trong đơn vị (tên ở `name`), không phải một đơn vị của cây; "
         "mặc định: tập thể có nominee_unit_id là chính đơn vị đó")


class NominationIn(Strict):
    conference_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}-[a-z0-9]{6}$")]
    kind: Literal["individual", "collective"]
    name: Text = Field(description="Họ và tên (cá nhân) hoặc tên tập thể")
    position: Position = Field("", description="Cấp bậc, chức vụ (cá nhân), ví dụ 'Đại tá, Giám đốc'")
    nominee_unit_id: Optional[UnitId] = Field(
        None, description="Đơn vị của người/tập thể được đề nghị: chính đơn vị đề nghị (mặc định) hoặc đơn vị cấp dưới")
    officer_number: Optional[OfficerNumber] = Field(None, description=_OFFICER)
    birth_date: Optional[BirthDate] = Field(None, description=_BIRTH)
    team: Optional[StrictBool] = Field(None, description=_TEAM)
    award_form: AwardCode = Field(description="Mã hình thức khen thưởng (GET /v1/award-forms)")
    achievements: Achievements  # type: ignore[valid-type]
    figures: dict[str, Figure] = Field(default_factory=dict, max_length=50,
                                       description="Các số liệu làm căn cứ, theo mã chỉ tiêu")


class NominationPatch(Strict):
    """PATCH /v1/nominations/{id}: only the fields given change."""

    kind: Optional[Literal["individual", "collective"]] = None
    name: Optional[Text] = None
    position: Optional[Position] = None
    nominee_unit_id: Optional[UnitId] = None
    officer_number: Optional[OfficerNumber] = None
    birth_date: Optional[BirthDate] = None
    team: Optional[StrictBool] = None
    award_form: Optional[AwardCode] = None
    achievements: Optional[Achievements] = None  # type: ignore[valid-type]
    figures: Optional[dict[str, Figure]] = Field(None, max_length=50)


class DecisionIn(Strict):
    decision: Literal["approve", "reject", "hold"]
    note: Note = ""
    override_note: OverrideNote = Field(  # type: ignore[valid-type]
        "", description="Lý do duyệt vượt điều kiện: bắt buộc khi duyệt một đề nghị có cảnh báo điều kiện (warnings)")
    award_form: Optional[AwardCode] = Field(None, description="Đổi hình thức khen thưởng khi quyết định")


class BulkDecisionItem(DecisionIn):
    nomination_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    etag: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="ETag của đề nghị khi đọc (như If-Match)")


class BulkDecisionIn(Strict):
    items: list[BulkDecisionItem] = Field(min_length=1, max_length=MAX_BULK)


class ScoresIn(Strict):
    scores: dict[str, Annotated[StrictInt, Field(ge=0, le=10)]] = Field(
        description="Điểm nguyên của người chấm theo từng tiêu chí (0-10), xem GET /v1/award-forms")
    note: Note = ""


class FinaliseIn(Strict):
    note: Note = ""


# -- responses -------------------------------------------------------------------------

class AwardForm(Strict):
    code: str
    name: str
    for_: list[Literal["collective", "individual"]] = Field(alias="for")
    precedence: int

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Criterion(Strict):
    code: str
    label: str
    weight: float


class AwardForms(Strict):
    items: list[AwardForm]
    next: Optional[str]
    criteria: list[Criterion]
    criterion_max: int


class EligibilityWarning(Strict):
    rule: str = Field(description="Quy tắc trong danh mục điều kiện (eligibility.json), ví dụ not_again_within_years")
    citation: str = Field(description="Căn cứ của quy tắc")
    message: str
    entries: list[str] = Field(description="Mã các mục trong sổ theo dõi khen thưởng làm căn cứ cảnh báo")


class Override(Strict):
    note: str
    warnings: list[EligibilityWarning]


class DecisionRecord(Strict):
    decision: Literal["approve", "reject", "hold"]
    note: str
    by: str
    by_name: str
    at: str
    award_form_before: Optional[str] = None
    override: Optional[Override] = Field(None, description="Duyệt vượt điều kiện: lý do và các cảnh báo lúc duyệt")


class Nomination(Strict):
    id: str
    conference_id: str
    unit_id: str
    nominee_unit_id: str
    kind: Literal["individual", "collective"]
    name: str
    position: str
    officer_number: Optional[str] = None
    birth_date: Optional[str] = None
    team: bool = False
    identity_key: str = Field("", description="Khóa nhận diện dùng để chống trùng: officer:<số hiệu>, "
                                                "person:<khóa tên>|<ngày sinh>|<đơn vị>, unit:<đơn vị>, "
                                                "team:<đơn vị>:<khóa tên>")
    award_form: str
    achievements: str
    figures: dict[str, int]
    status: Literal["pending", "approved", "rejected", "held"]
    decision: Optional[DecisionRecord]
    created_at: str
    created_by: str
    updated_at: str
    version: int


class NominationList(Strict):
    items: list[Nomination]
    next: Optional[str]


class ScoreBreakdown(Strict):
    automatic: float = Field(description="Phần tự động (0-100): thứ hạng phân vị theo cán bộ, trong cùng loại đơn vị")
    reviewers: Optional[float] = Field(description="Trung bình điểm người chấm (0-100); null khi chưa ai chấm")
    reviewer_count: int
    criteria: dict[str, float] = Field(description="Trung bình từng tiêu chí (0-10)")
    indicators: dict[str, float] = Field(description="Phân vị (0-100) của từng chỉ tiêu trong phần tự động")
    total: float


class ShortlistNomination(Nomination):
    achievements: str = Field(description="Trích đoạn thành tích (tối đa 300 ký tự, cắt ở ranh giới từ, kết thúc "
                                          "bằng '…' khi bị cắt); toàn văn tại GET /v1/nominations/{id}")
    achievements_length: int = Field(description="Số ký tự của toàn văn thành tích")


class ShortlistRow(Strict):
    nomination: ShortlistNomination
    award_form_name: str
    unit_name: str = Field(description="Đơn vị đề nghị")
    nominee_unit_name: str = Field(description="Đơn vị của người/tập thể được đề nghị")
    rank: int = Field(description="Thứ hạng trong hình thức khen thưởng")
    within_quota: bool
    score: ScoreBreakdown
    warnings: list[EligibilityWarning] = Field(
        description="Cảnh báo điều kiện khen thưởng (quy tắc, căn cứ, các mục sổ khen thưởng); duyệt cần override_note")
    etag: str = Field(description="ETag của đề nghị khi đọc danh sách (như GET /v1/nominations/{id}): dùng làm "
                                  "If-Match hoặc etag của mục khi quyết định từ danh sách")


class QuotaLine(Strict):
    award_form: str
    name: str
    quota: Optional[int]
    nominated: int
    approved: int


class Shortlist(Strict):
    items: list[ShortlistRow] = Field(description="Một trang của danh sách đã xếp hạng (theo hình thức khen thưởng, "
                                                  "rồi theo hạng); trang sau: ?cursor= giá trị `next`")
    next: Optional[str]
    quotas: list[QuotaLine] = Field(description="Chỉ tiêu và số đề nghị của cả hội nghị (như nhau ở mọi trang)")
    finalised_at: Optional[str]


class ScoreOut(Strict):
    conference_id: str
    nomination_id: str
    reviewer: str
    reviewer_name: str
    scores: dict[str, int]
    note: str
    at: str


# -- the detail view (GET /v1/nominations/{id}/detail) ---------------------------------

class IndicatorFigure(Strict):
    code: str
    label: str
    unit: str
    weight: float = Field(description="Trọng số của chỉ tiêu trong phần tự động")
    value: Optional[int] = Field(description="Số liệu của đơn vị được chấm (cả các đơn vị cấp dưới), cộng qua các kỳ "
                                             "của hội nghị; null khi không có báo cáo chỉ tiêu này")
    rate: Optional[float] = Field(description="Số liệu chia cho `per` (theo cán bộ) như khi xếp hạng")
    percentile: Optional[float] = Field(description="Phân vị (0-100) trong các đơn vị cùng loại có báo cáo chỉ tiêu")
    peers: int = Field(description="Số đơn vị cùng loại được xếp hạng trên chỉ tiêu này (kể cả đơn vị này)")
    scored: bool = Field(True, description="Chỉ tiêu có được chấm cho đơn vị này không")
    reason: Optional[str] = Field(None, description="Vì sao không chấm (không báo cáo, hoặc thiếu/bằng 0 mẫu số)")


class AutomaticDetail(Strict):
    score: float = Field(description="Phần tự động (0-100), như trong danh sách xếp hạng")
    unit_id: str = Field(description="Đơn vị được chấm: đơn vị được đề nghị (tập thể), đơn vị của cá nhân hoặc của "
                                     "tổ, đội; số liệu của đơn vị này và các đơn vị cấp dưới")
    unit_kind: str = Field(description="Loại đơn vị: xếp hạng trong các đơn vị cùng loại")
    scored: bool = Field(True, description="false khi đơn vị không báo cáo hoặc báo cáo 0 cán bộ huy động (mẫu số): "
                                           "không chấm, phần tự động là 0")
    reason: Optional[str] = Field(None, description="Vì sao không chấm")
    per: Optional[str] = Field(description="Chỉ tiêu dùng để chia (quy mô), ví dụ officers_mobilised")
    per_value: Optional[int]
    weight: float = Field(description="Trọng số của phần tự động trong tổng điểm")
    indicators: list[IndicatorFigure]


class ReviewDetail(Strict):
    reviewer: str
    reviewer_name: str
    scores: dict[str, int]
    note: str
    at: str
    score: Optional[float] = Field(description="Điểm của người chấm này (0-100), theo trọng số tiêu chí")


class ConflictDetail(Strict):
    account_id: str
    name: str
    role: Literal["admin", "leader"]
    status: str
    unit_id: str
    unit_name: str
    scored: bool = Field(description="Đã có điểm của người này (chấm trước khi quy tắc áp dụng)")


class AuditTrail(Strict):
    items: list[AuditEvent] = Field(description="Mới trước, tối đa 50 mục")
    next: Optional[str] = Field(description="Còn nữa: ?cursor= tại GET /v1/nominations/{id}/audit")


class NominationDetail(Strict):
    nomination: Nomination = Field(description="Đề nghị đầy đủ (thành tích toàn văn)")
    visibility: Literal["staff", "unit"] = Field(
        description="unit: đơn vị chỉ thấy đề nghị và phần tự động; điểm người chấm, tổng điểm, hạng, xung đột "
                    "lợi ích và nhật ký là null")
    conference_title: str
    award_form_name: str
    unit_name: str
    nominee_unit_name: str
    automatic: AutomaticDetail
    score: Optional[ScoreBreakdown] = Field(description="Như dòng của đề nghị trong danh sách xếp hạng")
    rank: Optional[int]
    within_quota: Optional[bool]
    reviews: Optional[list[ReviewDetail]]
    conflicts: Optional[list[ConflictDetail]] = Field(
        description="Cán bộ (lãnh đạo, quản trị) thuộc đơn vị đề nghị, đơn vị của người được đề nghị hoặc đơn vị "
                    "cấp trên của chúng: không được chấm đề nghị này")
    audit: Optional[AuditTrail]
    warnings: list[EligibilityWarning] = Field(description="Cảnh báo điều kiện khen thưởng, như trong danh sách xếp hạng")
    history: list[RegisterEntry] = Field(
        default_factory=list, description="Các lần được khen thưởng trước của người/tập thể này (sổ theo dõi "
                                          "khen thưởng), cũ trước")
