"""Response body of the scoring sheet (GET /v1/conferences/{id}/scoring); its own module so the award
models stay as they are."""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from chalicelib.awards.models import ShortlistNomination
from chalicelib.core.fields import Strict


class SheetConference(Strict):
    id: str
    title: str
    date: Optional[str]
    finalised_at: Optional[str] = Field(description="Đã chốt danh sách: điểm chỉ còn để xem")


class SheetReviewer(Strict):
    actor: str = Field(description="Người chấm (như trường `reviewer` của điểm)")
    name: str
    unit_id: Optional[str] = Field(description="Đơn vị của người chấm: căn cứ xét xung đột lợi ích")
    unit_name: Optional[str]


class SheetCriterion(Strict):
    code: str
    label: str
    description: str = Field(description="Nội dung người chấm cân nhắc ở tiêu chí này")
    weight: float


class SheetProgress(Strict):
    scored: int = Field(description="Số đề nghị người chấm đã chấm (trong số được chấm)")
    total: int = Field(description="Số đề nghị người chấm được chấm (không kể đề nghị xung đột lợi ích)")
    conflicted: int = Field(description="Số đề nghị không được chấm vì xung đột lợi ích")


class OwnScore(Strict):
    scores: dict[str, int]
    note: str
    at: str


class SheetRow(Strict):
    nomination: ShortlistNomination
    award_form_name: str
    unit_name: str = Field(description="Đơn vị đề nghị")
    nominee_unit_name: str = Field(description="Đơn vị của người/tập thể được đề nghị")
    conflict: Optional[str] = Field(description="Lý do không được chấm (xung đột lợi ích); null: được chấm")
    mine: Optional[OwnScore] = Field(description="Điểm người chấm đã cho đề nghị này; null: chưa chấm")


class ScoringSheet(Strict):
    conference: SheetConference
    reviewer: SheetReviewer
    criteria: list[SheetCriterion]
    criterion_max: int
    progress: SheetProgress = Field(description="Tiến độ trên cả hội nghị (như nhau ở mọi trang)")
    items: list[SheetRow] = Field(description="Một trang đề nghị (theo hình thức khen thưởng, rồi thứ tự gửi); "
                                              "thành tích rút gọn; trang sau: ?cursor= giá trị `next`")
    next: Optional[str]
