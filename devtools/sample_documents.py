"""Demo documents built from the seed articles (Công an tỉnh Nghệ An figures are real):
the summary report and the commendation list."""

from __future__ import annotations

import datetime

from chalicelib.documents.model import (
    CommendationDocument,
    CompletenessRow,
    Highlight,
    IndicatorLine,
    Signer,
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

# (unit_id, name, depth, figures in CODES order; None = not reported)
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
]

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

COMPLETENESS = [
    CompletenessRow("Công an tỉnh Nghệ An", "Đúng hạn"),
    CompletenessRow("Công an tỉnh Bắc Giang", "Đã duyệt"),
    CompletenessRow("Công an tỉnh Bình Dương", "Muộn"),
    CompletenessRow("Công an thành phố Đà Nẵng", "Bị trả lại"),
    CompletenessRow("Cục Y tế", "Đúng hạn"),
    CompletenessRow("Bệnh viện 19-8", "Đúng hạn"),
    CompletenessRow("Bệnh viện 199", "Muộn"),
    CompletenessRow("Bệnh viện Y học cổ truyền", "Đã duyệt"),
    CompletenessRow("Công an tỉnh Bắc Ninh", "Chưa nộp"),
]


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def sample_summary(highlights: list[Highlight] | None = None) -> SummaryDocument:
    rows = [
        UnitRow(uid, name, depth, dict(zip(CODES, figures)))
        for uid, name, depth, figures in UNITS
    ]
    level1 = [r for r in rows if r.depth == 1]
    ministry_values = {c: _sum([r.values[c] for r in level1]) for c in CODES}
    ministry = UnitRow("bo-cong-an", "Bộ Công an (tổng cộng)", 0, ministry_values)
    indicators = [
        IndicatorLine(code, label, unit, ministry_values[code] or 0, PREVIOUS[code])
        for code, label, unit in INDICATORS
    ]
    return SummaryDocument(
        upper_agency="BỘ CÔNG AN",
        agency="VĂN PHÒNG BỘ",
        number="07/BC-BCA",
        place="Hà Nội",
        issued_on=datetime.date(2021, 8, 5),
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
        unit_rows=[ministry, *rows],
        highlights=HIGHLIGHTS if highlights is None else highlights,
        completeness=COMPLETENESS,
        recipients=[
            "Đồng chí Bộ trưởng (để báo cáo)",
            "Các đồng chí Thứ trưởng (để báo cáo)",
            "Ban Chỉ đạo phòng, chống dịch COVID-19 của Bộ Công an",
            "Công an các đơn vị, địa phương",
            "Lưu: VT, VP",
        ],
        signer=Signer(title="Chánh Văn phòng", name="Trung tướng Tô Ân Xô"),
        verify_url="https://thidua.bocongan.example/xac-thuc/7K3F-Q2MD",
        verify_code="7K3F-Q2MD",
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


if __name__ == "__main__":  # python -m devtools.sample_documents [out.pdf]
    import sys
    import time
    from pathlib import Path

    from chalicelib.documents.render import render_summary_pdf

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "out/sample-summary.pdf")
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    target.write_bytes(render_summary_pdf(sample_summary()))
    print(f"{target} ({time.perf_counter() - started:.2f} s)")
