"""Plain data handed to the document renderer: no AWS, no I/O, no WeasyPrint."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    label: str
    unit: str
    total: int
    previous: int | None  # previous period total, None when unknown


@dataclass(frozen=True)
class UnitRow:
    unit_id: str
    name: str
    depth: int  # 0 = ministry, 1 = province/department, 2 = sub-unit
    values: dict[str, int | None]  # rows already in tree order, totals rolled up
    # False: neither the unit nor any unit below it sent a counted report for the window,
    # so its figures print NOT_SUBMITTED, not the blank mark of a figure left empty.
    submitted: bool = True


@dataclass(frozen=True)
class Highlight:
    unit_name: str
    text: str  # untrusted user prose: always autoescaped
    period_label: str | None = None  # where the text comes from, when the report covers several periods


@dataclass(frozen=True)
class PeriodText:
    period_label: str  # "tháng 7 năm 2021"
    text: str  # untrusted user prose


@dataclass(frozen=True)
class UnitPeriodTexts:
    """One unit's achievements period by period (the annex the conference may ask for)."""

    unit_name: str
    periods: list[PeriodText]


@dataclass(frozen=True)
class CompletenessRow:
    unit_name: str
    status: str  # Vietnamese label, e.g. "Đúng hạn", "Muộn", "Chưa nộp", "Cấp dưới đã nộp đủ (3/3)"
    depth: int = 1  # for the indentation of sub-units


@dataclass(frozen=True)
class UnitDetail:
    """One unit's whole subtree, unit by unit (the detail annex a conference may ask for)."""

    unit_name: str
    rows: list[UnitRow]  # the unit itself (depth 0, its subtree's totals), then every unit below it


@dataclass(frozen=True)
class Signer:
    title: str
    name: str


@dataclass(frozen=True)
class CommendationEntry:
    name: str  # person's full name, or the collective's name
    position: str  # rank and position ("Đại tá, Giám đốc"), "" for collectives
    unit_name: str  # the nominee's unit
    summary: str  # one line of achievements (already shortened by the builder)


@dataclass(frozen=True)
class CommendationGroup:
    award_form_name: str  # "Bằng khen của Bộ trưởng Bộ Công an"
    kind: str  # "collective" | "individual"
    entries: list[CommendationEntry]  # already in final order


@dataclass(frozen=True)
class CommendationDocument:
    upper_agency: str
    agency: str
    number: str | None  # "01/DS-BCA" (or "01"); None for a draft: "Số:      /DS-BCA"
    number_prefix: str  # "DS-BCA"
    place: str
    issued_on: datetime.date
    title: str  # trích yếu
    draft: bool  # True: a boxed "DỰ THẢO" on page 1 and in the <title>
    groups: list[CommendationGroup]  # already in final order
    recipients: list[str]
    signer: Signer
    verify_url: str
    verify_code: str


# -- the commendation chain (issue 18): one issuer record gives header, symbol and signer ------

SIGNING_AUTHORITIES = ("", "TM.", "KT.", "TL.", "TUQ.", "Q.")


@dataclass(frozen=True)
class Issuer:
    """An issuing body and who signs for it (Decree 30, Annex I). Header, symbol and signer
    block are all derived from this one record, so they can never disagree."""

    id: str                   # "bo-cong-an", a unit id, or a catalog id such as "van-phong-bo"
    name: str                 # "Bộ Công an", "Văn phòng Bộ Công an", "Công an tỉnh Bình Dương"
    short_name: str           # how the header prints it: "BỘ CÔNG AN", "VĂN PHÒNG", "CÔNG AN TỈNH BÌNH DƯƠNG"
    upper: str | None         # the upper body, printed above it: "BỘ CÔNG AN"; None for the ministry itself
    abbreviation: str         # in the symbol: "BCA" -> "QĐ-BCA", "V01" -> "TTr-V01"
    place: str                # the date line's place: "Hà Nội", "Bình Dương"
    head_title: str           # "Bộ trưởng", "Chánh Văn phòng", "Giám đốc"
    authority: str            # one of SIGNING_AUTHORITIES: "" when the head signs
    signer_title: str         # the signer's own title: "Thứ trưởng" (KT.), "Bộ trưởng" ("")
    signer_name: str          # "Thượng tướng Lê Văn Minh"
    proposer: str = ""        # "Theo đề nghị của …": "Chánh Văn phòng Bộ Công an"
    archive: str = "Lưu: VT."  # the last "Nơi nhận" line: its own văn thư and the drafting unit ("Lưu: VT, V01.")
    bases: tuple[str, ...] = ()  # its own "Căn cứ" lines (its functions and powers), after the laws

    def symbol(self, kind_abbreviation: str) -> str:
        """"QĐ-BCA": the document kind's abbreviation and the issuer's (Decree 30, Annex III)."""
        return f"{kind_abbreviation}-{self.abbreviation}"

    @property
    def header_lines(self) -> tuple[str | None, str]:
        """(upper body, issuing body), both uppercase; the first is None for a top-level body."""
        return (self.upper.upper() if self.upper else None, self.short_name.upper())

    @property
    def signer_lines(self) -> list[str]:
        """The signer block's title lines: ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"], ["GIÁM ĐỐC"], ["Q. GIÁM ĐỐC"]."""
        if self.authority == "":
            return [self.head_title.upper()]
        if self.authority == "Q.":
            return [f"Q. {self.head_title.upper()}"]
        return [f"{self.authority} {self.head_title.upper()}", self.signer_title.upper()]

    @property
    def decides_as(self) -> str:
        """Who decides, as a Quyết định's heading line says it: "BỘ TRƯỞNG BỘ CÔNG AN"."""
        return f"{self.head_title} {self.name}".upper()


@dataclass(frozen=True)
class Heading:
    """What every document of the chain starts and ends with."""

    issuer: Issuer
    kind_abbreviation: str    # "BC" | "TTr" | "QĐ"
    number: str | None        # "07/QĐ-BCA"; None: a draft ("Số:     /QĐ-BCA")
    issued_on: datetime.date | None  # the day of issue; None: a draft ("ngày    tháng    năm 2021")
    year: int                 # the year a draft's date line prints
    recipients: list[str]     # "Nơi nhận" lines
    verify_url: str
    verify_code: str
    replaces: str | None = None   # "Quyết định số 01/QĐ-BCA ngày 05/9/2021": this one replaces it

    @property
    def draft(self) -> bool:
        return self.number is None

    @property
    def symbol(self) -> str:
        return self.issuer.symbol(self.kind_abbreviation)


@dataclass(frozen=True)
class AssessmentSections:
    """The parts of a báo cáo sơ kết the office writes itself before trình ký (each may be empty)."""

    overall: str = ""         # Đánh giá chung
    shortcomings: str = ""    # Tồn tại, hạn chế
    causes: str = ""          # Nguyên nhân
    directions: str = ""      # Phương hướng, nhiệm vụ
    recommendations: str = "" # Kiến nghị, đề xuất


@dataclass(frozen=True)
class AwardEntry:
    name: str                 # full name, or the collective's name
    position: str             # "Thiếu tướng, Giám đốc Công an tỉnh"; "" for collectives
    unit_name: str            # the nominee's unit; "" when it is the collective itself
    achievements: str         # the achievements, whole sentences (never cut mid-sentence)


@dataclass(frozen=True)
class AwardGroup:
    award_form_name: str      # "Bằng khen của Bộ trưởng Bộ Công an"
    granted_by: str           # "Bộ trưởng Bộ Công an", "Giám đốc Công an tỉnh Bình Dương"
    collectives: list[AwardEntry]
    individuals: list[AwardEntry]


@dataclass(frozen=True)
class ProposalDocument:
    """Tờ trình đề nghị khen thưởng: the office proposes the awards to the granting authority."""

    heading: Heading
    addressee: str            # "Đồng chí Bộ trưởng Bộ Công an" (printed after "Kính gửi:")
    title: str                # trích yếu: "Về việc đề nghị khen thưởng …"
    bases: list[str]          # "Căn cứ …" lines, as data
    paragraphs: list[str]     # the body before the list of proposals
    groups: list[AwardGroup]  # what is proposed, by award form
    closing: str              # "Văn phòng Bộ kính trình Bộ trưởng xem xét, quyết định./."

    number = property(lambda self: self.heading.number, doc="The heading's number (None: a draft).")
    agency = property(lambda self: self.heading.issuer.name, doc="The issuing body: 'Bộ Công an'.")


@dataclass(frozen=True)
class DecisionDocument:
    """Quyết định khen thưởng of one granting authority and one award form, its list attached."""

    heading: Heading
    title: str                # "Về việc tặng Bằng khen của Bộ trưởng Bộ Công an"
    bases: list[str]          # "Căn cứ …" lines, as data
    proposal: str             # "Theo đề nghị của Chánh Văn phòng Bộ Công an."
    articles: list[str]       # Điều 1, Điều 2, Điều 3 (text after "Điều N.")
    group: AwardGroup
    list_title: str           # "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN …"
    list_reference: str       # "(Kèm theo Quyết định số 12/QĐ-BCA ngày 05/9/2021 của Bộ trưởng Bộ Công an)"

    number = property(lambda self: self.heading.number, doc="The heading's number (None: a draft).")
    agency = property(lambda self: self.heading.issuer.name, doc="The issuing body: 'Bộ Công an'.")


@dataclass(frozen=True)
class SummaryDocument:
    """Báo cáo tổng hợp (BC) of a conference; its issuer is the ministry (issuers.ministry)."""

    heading: Heading
    title: str
    period_label: str
    previous_label: str | None
    indicators: list[IndicatorLine]
    main_indicator_codes: list[str]
    unit_rows: list[UnitRow]
    highlights: list[Highlight]
    completeness: list[CompletenessRow]
    period_texts: list[UnitPeriodTexts] = field(default_factory=list)  # empty: no such annex
    assessment: AssessmentSections = AssessmentSections()
    # How many levels below the top of the scope list their units (unit_rows, highlights,
    # completeness, period_texts), each rolled up over its subtree; a deeper unit counts in its
    # ancestor's figures only, so the pages stay bounded at any size of the tree.
    levels: int = 1
    deeper: bool = False  # some unit lies deeper than `levels`: its figures are in its ancestor's row
    details: list[UnitDetail] = field(default_factory=list)  # one annex per unit asked for in full

    # What the pipeline stores of every document of the chain, alike.
    number = property(lambda self: self.heading.number, doc="The heading's number (None: a draft).")
    agency = property(lambda self: self.heading.issuer.name, doc="The issuing body: 'Bộ Công an'.")
