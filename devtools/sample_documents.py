"""Demo documents built from the seed articles (Công an tỉnh Nghệ An figures are real):
the summary report (Báo cáo), the Tờ trình, the Quyết định of the Minister and of a unit
head (each with its list attached), and the old commendation list (still readable).

    python -m devtools.sample_documents [out-dir]     # every kind, issued and draft, as PDF
"""

from __future__ import annotations

import datetime

from chalicelib.documents import issuers
from chalicelib.documents.model import (
    AssessmentSections,
    CommendationDocument,
    CompletenessRow,
    DecisionDocument,
    Heading,
    Highlight,
    IndicatorLine,
    ProposalDocument,
    SummaryDocument,
    UnitRow,
)

INDICATORS: list[tuple[str, str, str]] = [
    ("officers_mobilised", "Lượt cán bộ, chiến sỹ được huy động", "lượt"),
    ("tracing_teams", "Tổ truy vết được thành lập", "tổ"),
    ("tracing_officers", "Cán bộ, chiến sỹ tham gia truy vết", "người"),
    ("checkpoints", "Chốt kiểm soát phòng, chống dịch", "chốt"),
    ("escort_plans", "Phương án đón, dẫn công dân", "phương án"),
    ("citizens_escorted", "Công dân được đón, dẫn", "người"),
    ("violations_warned", "Trường hợp vi phạm được nhắc nhở", "trường hợp"),
    ("violations_penalised", "Trường hợp bị xử phạt hành chính", "trường hợp"),
    ("vaccination_support", "Lượt hỗ trợ tiêm vaccine", "lượt"),
    ("patients_treated", "Bệnh nhân COVID-19 được điều trị", "người"),
]
CODES = [c for c, _, _ in INDICATORS]

# (unit_id, name, depth, figures in CODES order; None = left blank); the order is the
# office's (issuers.office_order): the units under the Ministry first, then provinces by place.
UNITS: list[tuple[str, str, int, tuple[int | None, ...]]] = [
    ("ca-nghe-an", "Công an tỉnh Nghệ An", 1,
     (1800, 52, 1500, 41, 30, 15000, 14560, 6969, 2300, None)),
    ("ca-tp-vinh", "Công an thành phố Vinh", 2,
     (310, 6, 240, 8, 5, 4200, 3120, 1485, 600, None)),
    ("ca-nghi-loc", "Công an huyện Nghi Lộc", 2,
     (140, 3, 95, 4, 2, 1350, 1046, 512, 180, None)),
    ("ca-bac-giang", "Công an tỉnh Bắc Giang", 1,
     (2650, 38, 1120, 56, 22, 9400, 8730, 3215, 4100, None)),
    ("ca-binh-duong", "Công an tỉnh Bình Dương", 1,
     (3900, 64, 2100, 87, 41, 21800, 19240, 8110, 6500, None)),
    ("ca-da-nang", "Công an thành phố Đà Nẵng", 1,
     (1450, 27, 860, 35, 18, 7600, 6410, 2380, 2900, None)),
    ("cuc-y-te", "Cục Y tế", 1,
     (620, 4, 150, None, None, None, None, None, 12400, 1870)),
    ("bv-19-8", "Bệnh viện 19-8", 2,
     (260, 2, 60, None, None, None, None, None, 5200, 640)),
    ("bv-199", "Bệnh viện 199", 2,
     (180, 2, 70, None, None, None, None, None, 3800, 910)),
    ("bv-yhct", "Bệnh viện Y học cổ truyền", 2,
     (120, None, None, None, None, None, None, None, 1500, 320)),
    ("ca-bac-ninh", "Công an tỉnh Bắc Ninh", 1, (None,) * 10),  # did not report
]
NOT_SUBMITTED = {"ca-bac-ninh"}
PARENTS = {"ca-tp-vinh": "ca-nghe-an", "ca-nghi-loc": "ca-nghe-an", "bv-19-8": "cuc-y-te", "bv-199": "cuc-y-te",
           "bv-yhct": "cuc-y-te"}
KINDS = {"cuc-y-te": "department", "bv-19-8": "hospital", "bv-199": "hospital", "bv-yhct": "hospital",
         "ca-tp-vinh": "other", "ca-nghi-loc": "other"}


def unit_records() -> list[dict]:
    """The sample's units as the store holds them (parent, kind), the Ministry at the top."""
    return [{"id": "bo-cong-an", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
            *({"id": uid, "name": name, "parent_id": PARENTS.get(uid, "bo-cong-an"),
               "kind": KINDS.get(uid, "province")} for uid, name, _, _ in UNITS)]

# Previous period totals (tháng 5 và tháng 6 năm 2021); None where not collected then.
PREVIOUS = {
    "officers_mobilised": 8920,
    "tracing_teams": 158,
    "tracing_officers": 5210,
    "checkpoints": 232,
    "escort_plans": 97,
    "citizens_escorted": 47150,
    "violations_warned": 52300,
    "violations_penalised": 19480,
    "vaccination_support": 17600,
    "patients_treated": None,
}

HIGHLIGHTS = [
    Highlight(
        "Công an tỉnh Nghệ An",
        "Kịp thời tham mưu chính quyền địa phương các biện pháp phòng, chống dịch, bảo đảm "
        "an ninh trật tự trên địa bàn; duy trì các chốt kiểm soát phòng, chống dịch tại các "
        "khu vực cửa ngõ; chủ động xây dựng phần mềm “Quản lý người và phương tiện được phép "
        "hoạt động trong thời gian áp dụng các biện pháp cách ly xã hội” và cấp mã QR-Code.\n"
        "Thành lập 01 tổ truy vết của Công an tỉnh và 51 tổ truy vết tại 51 đơn vị, địa "
        "phương; huy động hơn 1.500 cán bộ, chiến sỹ tham gia điều tra, truy vết; huy động "
        "hơn 1.800 lượt cán bộ, chiến sỹ triển khai 30 phương án đón, dẫn trên 15.000 công "
        "dân đến và qua địa bàn. Công an các cấp đã tuyên truyền, nhắc nhở 14.560 trường hợp "
        "vi phạm; tham mưu xử phạt hành chính 6.969 trường hợp cố tình vi phạm.",
    ),
    Highlight(
        "Cục Y tế",
        "Lực lượng Y tế Công an nhân dân phát huy vai trò lực lượng cốt lõi trong công tác "
        "phòng, chống dịch; chi viện hàng trăm cán bộ, chiến sỹ từ Bệnh viện 19-8 và Bệnh "
        "viện Y học cổ truyền tham gia quản lý, vận hành Bệnh viện dã chiến điều trị bệnh "
        "nhân COVID-19 tại Bắc Giang.",
    ),
    Highlight(
        "Bệnh viện 199",
        "Được thành phố Đà Nẵng lựa chọn là một trong những cơ sở y tế chủ chốt thực hiện "
        "nhiệm vụ xét nghiệm, cách ly, điều trị người bệnh COVID-19.",
    ),
]

# In the office's order; Cục Y tế sent no report of its own, its hospitals did (the subtree's state).
COMPLETENESS = [
    CompletenessRow("Cục Y tế", "Cấp dưới đã nộp đủ (3/3)"),
    CompletenessRow("Bệnh viện 19-8", "Đúng hạn", 2),
    CompletenessRow("Bệnh viện 199", "Nộp muộn", 2),
    CompletenessRow("Bệnh viện Y học cổ truyền", "Đã duyệt", 2),
    CompletenessRow("Công an tỉnh Bắc Giang", "Đã duyệt"),
    CompletenessRow("Công an tỉnh Bắc Ninh", "Chưa nộp (quá hạn)"),
    CompletenessRow("Công an tỉnh Bình Dương", "Nộp muộn"),
    CompletenessRow("Công an thành phố Đà Nẵng", "Bị trả lại"),
    CompletenessRow("Công an tỉnh Nghệ An", "Đúng hạn"),
    CompletenessRow("Công an thành phố Vinh", "Đúng hạn", 2),
    CompletenessRow("Công an huyện Nghi Lộc", "Đúng hạn", 2),
]

ASSESSMENT = AssessmentSections(
    overall=("Công an các đơn vị, địa phương đã chủ động, quyết liệt triển khai các biện pháp phòng, "
             "chống dịch, vừa bảo đảm an ninh, trật tự, vừa tham gia hiệu quả công tác phòng, chống dịch.\n"
             "Số công dân được đón, dẫn tăng gần gấp đôi so với kỳ trước, nhiều đơn vị tổ chức tốt "
             "việc hỗ trợ tiêm vaccine cho người dân."),
    shortcomings=("Một số đơn vị gửi báo cáo chậm so với thời hạn; số liệu của một số chỉ tiêu chưa "
                  "được thống kê đầy đủ."),
    causes="Diễn biến dịch phức tạp, lực lượng phải tập trung cho các nhiệm vụ cấp bách.",
    directions=("Tiếp tục duy trì các chốt kiểm soát, chủ động phương án đón, dẫn công dân; bảo đảm "
                "chế độ thông tin, báo cáo đúng hạn."),
    recommendations="",
)

RECIPIENTS = [
    "Đồng chí Bộ trưởng (để báo cáo)",
    "Các đồng chí Thứ trưởng (để báo cáo)",
    "Ban Chỉ đạo phòng, chống dịch COVID-19 của Bộ Công an",
    "Công an các đơn vị, địa phương",
    "Lưu: VT, VP",
]


def heading(issuer, kind: str, number: str | None, issued_on: datetime.date | None, *,
            recipients=RECIPIENTS, code: str = "7K3F-Q2MD", replaces: str | None = None) -> Heading:
    return Heading(issuer=issuer, kind_abbreviation=kind, number=number,
                   issued_on=issued_on if number else None, year=(issued_on or datetime.date(2021, 1, 1)).year,
                   recipients=list(recipients), verify_url=f"https://thidua.bocongan.example/xac-thuc/{code}",
                   verify_code=code, replaces=replaces)


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def sample_summary(highlights: list[Highlight] | None = None, *, draft: bool = False,
                   assessment: AssessmentSections = ASSESSMENT, replaces: str | None = None) -> SummaryDocument:
    """The summary report "07/BC-BCA" of 05/8/2021 (or its draft), issued by the Ministry."""
    figures = {uid: dict(zip(CODES, values)) for uid, _, _, values in UNITS}
    level1 = [uid for uid, _, depth, _ in UNITS if depth == 1]
    ministry_values = {c: _sum([figures[uid][c] for uid in level1]) for c in CODES}
    rows = [UnitRow(u["id"], "Bộ Công an (tổng cộng)" if depth == 0 else u["name"], depth,
                    ministry_values if depth == 0 else figures[u["id"]], u["id"] not in NOT_SUBMITTED)
            for depth, u in issuers.office_order(unit_records())]
    indicators = [
        IndicatorLine(code, label, unit, ministry_values[code] or 0, PREVIOUS[code])
        for code, label, unit in INDICATORS
    ]
    return SummaryDocument(
        heading=heading(issuers.ministry(), "BC", None if draft else "07/BC-BCA", datetime.date(2021, 8, 5),
                        replaces=replaces),
        title="Kết quả công tác phòng, chống dịch COVID-19 tháng 7 và tháng 8 năm 2021",
        period_label="tháng 7 và tháng 8 năm 2021",
        previous_label="tháng 5 và tháng 6 năm 2021",
        indicators=indicators,
        main_indicator_codes=[
            "officers_mobilised",
            "tracing_teams",
            "citizens_escorted",
            "violations_warned",
            "violations_penalised",
        ],
        unit_rows=rows,
        highlights=HIGHLIGHTS if highlights is None else highlights,
        completeness=COMPLETENESS,
        assessment=assessment,
    )


# -- the commendation list --------------------------------------------------------------

COMMENDATION_CONFERENCE = {
    "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19 của lực lượng Công an nhân dân",
    "place": "Hà Nội",
    "upper_agency": "BỘ CÔNG AN",
    "agency": "VĂN PHÒNG BỘ",
    "signer": {"title": "Chánh Văn phòng", "name": "Trung tướng Tô Ân Xô"},
    "recipients": ["Hội đồng Thi đua - Khen thưởng Bộ Công an <hdtdkt@bocongan.example>"],
    "distribution": [
        "Đồng chí Bộ trưởng (để báo cáo)",
        "Hội đồng Thi đua - Khen thưởng Bộ Công an",
        "Cục Tổ chức cán bộ",
        "Công an các đơn vị, địa phương có tên trong danh sách",
        "Lưu: VT, VP",
    ],
}

# Given out of precedence order on purpose; "Giấy khen" has no nominee and is left out.
AWARD_FORMS = [
    {"code": "bk-bct", "name": "Bằng khen của Bộ trưởng Bộ Công an",
     "for": ["collective", "individual"], "precedence": 30},
    {"code": "gk-cvp", "name": "Giấy khen của Chánh Văn phòng Bộ Công an",
     "for": ["collective", "individual"], "precedence": 40},
    {"code": "bk-ttg", "name": "Bằng khen của Thủ tướng Chính phủ",
     "for": ["collective", "individual"], "precedence": 20},
]

COMMENDATION_UNITS = {uid: name for uid, name, _, _ in UNITS} | {"bo-cong-an": "Bộ Công an"}

# (kind, name, position, nominee unit, award form, achievements)
NOMINEES: list[tuple[str, str, str, str, str, str]] = [
    ("collective", "Công an tỉnh Nghệ An", "", "bo-cong-an", "bk-ttg",
     ("Kịp thời tham mưu chính quyền địa phương các biện pháp phòng, chống dịch, bảo đảm an ninh "
      "trật tự trên địa bàn; huy động hơn 1.800 lượt cán bộ, chiến sỹ triển khai 30 phương án "
      "đón, dẫn trên 15.000 công dân đến và qua địa bàn. Thành lập 52 tổ truy vết.")),
    ("individual", "Nguyễn Văn Sơn", "Đại tá, Giám đốc", "ca-nghe-an", "bk-ttg",
     ("Trực tiếp chỉ đạo thành lập 01 tổ truy vết của Công an tỉnh và 51 tổ truy vết tại 51 đơn "
      "vị, địa phương. Chỉ đạo xây dựng phần mềm quản lý người và phương tiện.")),
    ("individual", "Trần Thị Ánh", "Thượng tá, Phó Giám đốc", "bv-19-8", "bk-ttg",
     ("Chỉ huy đoàn cán bộ, chiến sỹ Bệnh viện 19-8 chi viện Bệnh viện dã chiến điều trị bệnh "
      "nhân COVID-19 tại Bắc Giang trong 45 ngày liên tục.")),
    ("collective", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh Nghệ An", "",
     "ca-nghe-an", "bk-bct",
     ("Chủ động xây dựng phần mềm “Quản lý người và phương tiện được phép hoạt động trong thời "
      "gian áp dụng các biện pháp cách ly xã hội” và cấp mã QR-Code cho người dân.")),
    ("collective", "Bệnh viện 19-8", "", "cuc-y-te", "bk-bct",
     ("Chi viện hàng trăm cán bộ, chiến sỹ tham gia quản lý, vận hành Bệnh viện dã chiến điều trị "
      "bệnh nhân COVID-19 tại Bắc Giang.\nTiếp nhận, điều trị 640 bệnh nhân.")),
    ("collective", "Bệnh viện 199", "", "cuc-y-te", "bk-bct",
     ("Là một trong những cơ sở y tế chủ chốt của thành phố Đà Nẵng thực hiện nhiệm vụ xét "
      "nghiệm, cách ly, điều trị người bệnh COVID-19.")),
    ("collective", "Công an thành phố Vinh", "", "ca-nghe-an", "bk-bct",
     ("Duy trì 8 chốt kiểm soát phòng, chống dịch tại các khu vực cửa ngõ; nhắc nhở 3.120 trường "
      "hợp vi phạm, tham mưu xử phạt hành chính 1.485 trường hợp.")),
    ("individual", "Lê Đức Bình", "Trung tá, Trưởng phòng", "ca-nghe-an", "bk-bct",
     ("Tham mưu xây dựng và vận hành phần mềm cấp mã QR-Code cho người và phương tiện được phép "
      "hoạt động trong thời gian cách ly xã hội trên địa bàn tỉnh.")),
    ("individual", "Đặng Văn Ân", "Thiếu tá, Đội trưởng", "ca-tp-vinh", "bk-bct",
     ("Chỉ huy tổ truy vết xác minh hơn 2.000 trường hợp tiếp xúc gần trong 72 giờ. Không để dịch "
      "lây lan trong cộng đồng.")),
    ("individual", "Hoàng Thị Yến", "Đại úy, Điều dưỡng viên", "bv-yhct", "bk-bct",
     ("Tình nguyện tham gia chăm sóc người bệnh tại Bệnh viện dã chiến điều trị bệnh nhân "
      "COVID-19 tại Bắc Giang.")),
    ("individual", "Phạm Minh Tuấn", "Thượng tá, Trưởng Công an huyện", "ca-nghi-loc", "bk-bct",
     ("Chỉ đạo triển khai 2 phương án đón, dẫn 1.350 công dân về địa bàn an toàn, không phát sinh "
      "ca lây nhiễm.")),
    ("individual", "Vũ Thị Hương", "Trung tá, Bác sĩ", "bv-199", "bk-bct",
     ("Trực tiếp tham gia điều trị 910 người bệnh COVID-19, trong đó có nhiều ca nặng được điều "
      "trị khỏi, xuất viện an toàn.")),
    ("individual", "Bùi Quang Huy", "Thiếu tá, Phó Trưởng phòng", "ca-da-nang", "bk-bct",
     ("Tổ chức 35 chốt kiểm soát ra, vào thành phố; kiểm tra, hướng dẫn hơn 7.600 lượt công dân "
      "khai báo y tế. Tham gia hỗ trợ tiêm vaccine cho 2.900 lượt người.")),
    ("individual", "Ngô Thanh Hải", "Trung tá, Phó Trưởng phòng", "ca-bac-giang", "bk-bct",
     ("Phối hợp đưa hơn 9.400 công nhân các khu công nghiệp về nơi cư trú an toàn trong đợt "
      "bùng phát dịch tại Bắc Giang.")),
    ("individual", "Đỗ Thị Anh", "Đại úy, Cán bộ", "ca-binh-duong", "bk-bct",
     "Tham gia hỗ trợ tiêm vaccine cho hơn 6.500 lượt người tại các khu nhà trọ công nhân."),
    ("individual", "Lý Văn Đức", "Đại tá, Phó Cục trưởng", "cuc-y-te", "bk-bct",
     ("Tham mưu điều động lực lượng y tế Công an nhân dân chi viện các địa phương; tổ chức 12.400 "
      "lượt hỗ trợ tiêm vaccine.")),
]


def sample_nominations() -> list[dict]:
    return [
        {"id": f"nom-{i:02d}", "kind": kind, "name": name, "position": position,
         "nominee_unit_id": unit, "award_form": form, "achievements": achievements}
        for i, (kind, name, position, unit, form, achievements) in enumerate(NOMINEES, start=1)
    ]


def sample_commendations(*, draft: bool = False) -> CommendationDocument:
    """The list of the sample conference: final "01/DS-BCA", or a draft without a number."""
    # Imported here: the awards layer builds on documents, not the other way round.
    from chalicelib.awards.commendation_list import build_commendation_document

    return build_commendation_document(
        COMMENDATION_CONFERENCE,
        AWARD_FORMS,
        sample_nominations(),
        COMMENDATION_UNITS,
        number=None if draft else "01/DS-BCA",
        number_prefix="DS-BCA",
        issued_on=datetime.date(2021, 8, 5),
        draft=draft,
        verify_url="https://thidua.bocongan.example/xac-thuc/9PLM-4R2C",
        verify_code="9PLM-4R2C",
    )


# -- the commendation chain: the Tờ trình and the Quyết định ---------------------------------

CHAIN_CONFERENCE = {"id": "hn-2021", "title": COMMENDATION_CONFERENCE["title"], "signer": None}
# The sample nominees under the catalog's award forms: the Ministry's Cờ thi đua and Bằng
# khen, and Giấy khen of Công an tỉnh Bình Dương (granted by its Giám đốc).
CHAIN_FORMS = {"bk-ttg": "bang-khen-bo-truong", "bk-bct": "bang-khen-bo-truong"}
CHAIN_EXTRA: list[tuple[str, str, str, str, str, str]] = [
    ("collective", "Công an tỉnh Nghệ An", "", "ca-nghe-an", "co-thi-dua-bo-cong-an",
     "Dẫn đầu phong trào thi đua phòng, chống dịch COVID-19 của Công an các địa phương."),
    ("collective", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "", "ca-binh-duong", "giay-khen",
     "Cấp hơn 20.000 mã QR-Code cho người và phương tiện được phép hoạt động."),
    ("individual", "Đỗ Thị Anh", "Đại úy, Cán bộ", "ca-binh-duong", "giay-khen",
     "Tham gia hỗ trợ tiêm vaccine cho hơn 6.500 lượt người tại các khu nhà trọ công nhân."),
    ("individual", "Trương Văn Lâm", "Thượng úy, Cán bộ", "ca-binh-duong", "giay-khen",
     "Trực chốt kiểm soát 60 ngày liên tục. Không để lọt người vi phạm."),
]


def chain_nominations() -> list[dict]:
    """Approved nominations of the sample conference, as the store holds them."""
    base = [n for n in sample_nominations() if n["name"] != "Đỗ Thị Anh" and n["nominee_unit_id"] != "bo-cong-an"]
    for n in base:
        n["award_form"] = CHAIN_FORMS.get(n["award_form"], n["award_form"])
    extra = [{"id": f"nom-x{i}", "kind": kind, "name": name, "position": position, "nominee_unit_id": unit,
              "award_form": form, "achievements": text}
             for i, (kind, name, position, unit, form, text) in enumerate(CHAIN_EXTRA, start=1)]
    return [*base, *extra]


PROPOSAL_RECIPIENTS = ["Như trên", "Hội đồng Thi đua - Khen thưởng Bộ Công an", "Lưu: VT, V01"]
DECISION_RECIPIENTS = {"bo-cong-an": ["Như Điều 3", "Các đồng chí Thứ trưởng (để báo cáo)", "Lưu: VT, V01"],
                       "ca-binh-duong": ["Như Điều 3", "Văn phòng Bộ Công an (để báo cáo)", "Lưu: VT, PX01"]}


def sample_proposal(*, draft: bool = False) -> ProposalDocument:
    """The Tờ trình "05/TTr-V01" of 20/8/2021 (or its draft) proposing the Ministry's awards."""
    from chalicelib.awards import decisions  # the awards layer builds on documents

    return decisions.build_proposal(
        CHAIN_CONFERENCE, chain_nominations(), unit_records(),
        heading=heading(issuers.office(), "TTr", None if draft else "05/TTr-V01", datetime.date(2021, 8, 20),
                        recipients=PROPOSAL_RECIPIENTS, code="3HVD-8XQE"))


def sample_decisions(*, draft: bool = False, replaces: str | None = None) -> list[DecisionDocument]:
    """Every Quyết định of the sample: the Minister's (Cờ thi đua "11/QĐ-BCA", Bằng khen
    "12/QĐ-BCA" of 05/9/2021) and Công an tỉnh Bình Dương's Giấy khen ("03/QĐ-CAT-PX01")."""
    from chalicelib.awards import decisions

    units = unit_records()
    numbers = {"bo-cong-an": iter(["11", "12"]), "ca-binh-duong": iter(["03"])}
    out = []
    for plan in decisions.plan_decisions(CHAIN_CONFERENCE, chain_nominations(), units):
        number = f"{next(numbers[plan.issuer.id])}/{plan.issuer.symbol('QĐ')}"
        by_ministry = plan.issuer.id == "bo-cong-an"
        h = heading(plan.issuer, "QĐ", None if draft else number, datetime.date(2021, 9, 5),
                    recipients=DECISION_RECIPIENTS[plan.issuer.id], code="9PLM-4R2C", replaces=replaces)
        out.append(decisions.build_decision(plan, units, heading=h,
                                            proposal_ref="Tờ trình số 05/TTr-V01 ngày 20/8/2021" if by_ministry else None))
    return out


def all_samples() -> dict[str, object]:
    """file stem -> document: every kind, issued and as a draft."""
    docs: dict[str, object] = {"bao-cao": sample_summary(), "bao-cao-du-thao": sample_summary(draft=True),
                               "to-trinh": sample_proposal(), "to-trinh-du-thao": sample_proposal(draft=True)}
    for doc in sample_decisions():
        docs[f"quyet-dinh-{doc.heading.number.replace('/', '-')}"] = doc
    docs["quyet-dinh-du-thao"] = sample_decisions(draft=True)[1]
    docs["danh-sach-cu"] = sample_commendations()
    return docs


if __name__ == "__main__":  # python -m devtools.sample_documents [out-dir]
    import sys
    import time
    from pathlib import Path

    from chalicelib.documents.render import render_pdf

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "out/samples")
    target.mkdir(parents=True, exist_ok=True)
    for stem, doc in all_samples().items():
        started = time.perf_counter()
        (target / f"{stem}.pdf").write_bytes(render_pdf(doc))
        print(f"{target / stem}.pdf ({time.perf_counter() - started:.2f} s)")
