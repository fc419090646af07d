"""Response bodies of the trends routes (pydantic v2; the OpenAPI schemas come from here)."""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from chalicelib.core.fields import Strict


class TrendIndicator(Strict):
    code: str
    label: str
    unit: str = Field(description="Đơn vị tính, ví dụ 'người'")


class TrendPoint(Strict):
    period: str = Field(description="Mã kỳ, ví dụ 2021-08")
    label: str = Field(description="Tên ngắn của kỳ, ví dụ 'Tháng 8/2021'")
    total: Optional[int] = Field(description="Tổng chỉ tiêu trên các báo cáo đã nộp hoặc đã duyệt của các đơn vị "
                                             "trong nhánh (báo cáo bị trả lại không tính); null khi không báo cáo "
                                             "nào có số liệu chỉ tiêu này")
    units_reported: int = Field(description="Số đơn vị trong nhánh có báo cáo đã nộp hoặc đã duyệt")
    units_with_value: int = Field(description="Trong số đó, số đơn vị có số liệu chỉ tiêu này")


class TrendMover(Strict):
    unit_id: str
    name: str
    first: int = Field(description="Tổng của nhánh đơn vị này ở kỳ đầu")
    last: int = Field(description="Tổng của nhánh đơn vị này ở kỳ cuối")
    change: int = Field(description="last - first")
    change_percent: Optional[float] = Field(description="Thay đổi so với kỳ đầu, %, một chữ số thập phân; "
                                                        "null khi kỳ đầu bằng 0")
    units_reported_first: int = Field(description="Số đơn vị của nhánh có báo cáo được tính ở kỳ đầu")
    units_reported_last: int = Field(description="Số đơn vị của nhánh có báo cáo được tính ở kỳ cuối")


class Trends(Strict):
    indicator: TrendIndicator
    unit_id: Optional[str] = Field(description="Đơn vị được chọn; null: toàn bộ cây đơn vị")
    unit_name: str = Field(description="Tên đơn vị được chọn, hoặc 'Toàn Bộ'")
    from_: str = Field(alias="from", description="Kỳ đầu")
    to: str = Field(description="Kỳ cuối")
    units: int = Field(description="Số đơn vị trong nhánh (kể cả đơn vị được chọn)")
    units_expected: int = Field(description="Số đơn vị trong nhánh phải nộp báo cáo (trừ cấp Bộ)")
    points: list[TrendPoint] = Field(description="Từng kỳ trong khoảng, cũ trước")
    movers_compared: int = Field(description="Số đơn vị được so sánh: các đơn vị cấp dưới trực tiếp của đơn vị được "
                                             "chọn (toàn bộ: các đơn vị ngay dưới cấp Bộ), mỗi đơn vị tính cả nhánh")
    rising: list[TrendMover] = Field(description="Tối đa 10 đơn vị tăng nhiều nhất (theo số tuyệt đối) từ kỳ đầu "
                                                 "đến kỳ cuối; chỉ đơn vị có số liệu ở cả hai kỳ")
    falling: list[TrendMover] = Field(description="Tối đa 10 đơn vị giảm nhiều nhất (theo số tuyệt đối)")


class UnitChoice(Strict):
    id: str
    name: str
    parent_id: Optional[str]


class UnitChoiceList(Strict):
    items: list[UnitChoice] = Field(description="Các đơn vị theo thứ tự cây (đơn vị cấp trên trước): tất cả khi "
                                                "vừa 1 MB, nếu không thì từng trang; hoặc kết quả tìm (`q`)")
    next: Optional[str] = Field(description="Con trỏ trang kế tiếp; null: trang cuối (luôn null khi tìm)")
    total: Optional[int] = Field(None, description="Số đơn vị (khi tìm: số đơn vị khớp)")
