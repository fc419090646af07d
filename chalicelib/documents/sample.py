"""Demo summary built from the seed articles (Công an tỉnh Nghệ An figures are real)."""

from __future__ import annotations

import datetime

from .model import (
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


if __name__ == "__main__":  # python -m chalicelib.documents.sample [out.pdf]
    import sys
    import time
    from pathlib import Path

    from .render import render_summary_pdf

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "out/sample-summary.pdf")
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    target.write_bytes(render_summary_pdf(sample_summary()))
    print(f"{target} ({time.perf_counter() - started:.2f} s)")
