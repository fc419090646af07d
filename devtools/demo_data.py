"""The demo ministry, from the two seed articles (shared/seeds/).

Công an tỉnh Nghệ An's August 2021 figures are the article's own: 1 + 51 tracing
teams, more than 1.500 officers on tracing, 1.800 officer turns on 30 escort
plans for more than 15.000 citizens, 14.560 violations warned and 6.969
administrative penalties. The other units are named in the articles (Bệnh viện
19-8, Bệnh viện Y học cổ truyền, Bệnh viện 199, Cục Y tế, Bộ Tư lệnh Cảnh sát cơ
động, Cục Cảnh sát giao thông, the southern provinces); their figures are
illustrative, of the same order, so the compiled report has something to compare.
"""

from __future__ import annotations

DOMAIN = "thidua.example.vn"
REOPENED_UNTIL = "2099-12-31T23:59:59+07:00"

UNITS = [
    # (id, name, parent_id, kind)
    ("bo-cong-an", "Bộ Công an", None, "ministry"),
    ("van-phong-bo", "Văn phòng Bộ Công an", "bo-cong-an", "department"),
    ("cuc-y-te", "Cục Y tế", "bo-cong-an", "department"),
    ("bv-19-8", "Bệnh viện 19-8", "cuc-y-te", "hospital"),
    ("bv-y-hoc-co-truyen", "Bệnh viện Y học cổ truyền", "cuc-y-te", "hospital"),
    ("bv-199", "Bệnh viện 199", "cuc-y-te", "hospital"),
    ("bo-tu-lenh-cscd", "Bộ Tư lệnh Cảnh sát cơ động", "bo-cong-an", "department"),
    ("cuc-csgt", "Cục Cảnh sát giao thông", "bo-cong-an", "department"),
    ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
    ("ca-bac-giang", "Công an tỉnh Bắc Giang", "bo-cong-an", "province"),
    ("ca-da-nang", "Công an thành phố Đà Nẵng", "bo-cong-an", "province"),
    ("ca-tp-hcm", "Công an Thành phố Hồ Chí Minh", "bo-cong-an", "province"),
    ("ca-binh-duong", "Công an tỉnh Bình Dương", "bo-cong-an", "province"),
    ("ca-dong-nai", "Công an tỉnh Đồng Nai", "bo-cong-an", "province"),
]


def emails(unit_id: str) -> list[str]:
    return [f"vanphong.{unit_id}@{DOMAIN}"]


NGHE_AN_ACHIEVEMENTS = (
    "Kịp thời tham mưu chính quyền địa phương các biện pháp phòng, chống dịch, bảo đảm an ninh "
    "trật tự trên địa bàn; duy trì các chốt kiểm soát phòng, chống dịch tại các khu vực cửa ngõ. "
    "Thành lập 1 tổ truy vết của Công an tỉnh và 51 tổ truy vết tại 51 đơn vị, địa phương; huy động "
    "hơn 1.500 cán bộ, chiến sỹ tham gia công tác điều tra, truy vết các trường hợp nhiễm và nghi "
    "nhiễm COVID-19 bảo đảm nhanh chóng, kịp thời và chính xác. Huy động hơn 1.800 lượt cán bộ, "
    "chiến sỹ triển khai 30 phương án đón, dẫn trên 15.000 công dân đến và qua địa bàn Nghệ An."
)

# period -> unit -> (values, achievements)
REPORTS: dict[str, dict[str, tuple[dict[str, int], str]]] = {
    "2021-07": {
        "ca-nghe-an": ({"officers_mobilised": 1200, "checkpoints": 38, "tracing_teams": 30,
                        "people_traced": 5200, "escort_plans": 18, "citizens_escorted": 8600,
                        "violations_detected": 12900, "violations_warned": 9100,
                        "violations_penalised": 3800, "fines_vnd": 4_560_000_000, "news_items": 210},
                       "Triển khai phần mềm quản lý người và phương tiện được phép hoạt động, cấp mã QR-Code."),
        "ca-bac-giang": ({"officers_mobilised": 2100, "checkpoints": 64, "tracing_teams": 45,
                          "people_traced": 9800, "violations_detected": 5200, "violations_warned": 4100,
                          "violations_penalised": 1100, "fines_vnd": 1_320_000_000, "news_items": 150},
                         "Phối hợp bảo vệ Bệnh viện dã chiến, bảo đảm an ninh các khu công nghiệp."),
        "ca-da-nang": ({"officers_mobilised": 1500, "checkpoints": 22, "tracing_teams": 28,
                        "people_traced": 6400, "escort_plans": 12, "citizens_escorted": 4300,
                        "violations_detected": 3900, "violations_warned": 2800, "violations_penalised": 1100,
                        "fines_vnd": 1_540_000_000, "news_items": 130}, ""),
        "ca-tp-hcm": ({"officers_mobilised": 9800, "checkpoints": 312, "tracing_teams": 160,
                       "people_traced": 48000, "violations_detected": 31000, "violations_warned": 24500,
                       "violations_penalised": 6500, "fines_vnd": 9_750_000_000, "news_items": 420}, ""),
        "bv-19-8": ({"officers_mobilised": 180, "patients_treated": 640, "vaccination_support": 5200}, ""),
        "bv-199": ({"officers_mobilised": 120, "patients_treated": 410, "vaccination_support": 3100}, ""),
    },
    "2021-08": {
        "ca-nghe-an": ({"officers_mobilised": 1800, "checkpoints": 45, "tracing_teams": 52,
                        "people_traced": 7400, "escort_plans": 30, "citizens_escorted": 15000,
                        "violations_detected": 21529, "violations_warned": 14560,
                        "violations_penalised": 6969, "fines_vnd": 8_362_800_000, "news_items": 265},
                       NGHE_AN_ACHIEVEMENTS),
        "ca-bac-giang": ({"officers_mobilised": 2300, "checkpoints": 58, "tracing_teams": 47,
                          "people_traced": 10400, "violations_detected": 6100, "violations_warned": 4700,
                          "violations_penalised": 1400, "fines_vnd": 1_680_000_000, "news_items": 170},
                         "Phối hợp lực lượng Y tế Công an nhân dân vận hành Bệnh viện dã chiến điều trị "
                         "bệnh nhân COVID-19 tại Bắc Giang; bảo đảm an ninh, trật tự các khu công nghiệp."),
        "ca-da-nang": ({"officers_mobilised": 1700, "checkpoints": 26, "tracing_teams": 31,
                        "people_traced": 7100, "escort_plans": 14, "citizens_escorted": 5200,
                        "violations_detected": 4400, "violations_warned": 3100, "violations_penalised": 1300,
                        "fines_vnd": 1_820_000_000, "news_items": 150}, ""),
        "ca-tp-hcm": ({"officers_mobilised": 12400, "checkpoints": 356, "tracing_teams": 185,
                       "people_traced": 56000, "violations_detected": 38200, "violations_warned": 29700,
                       "violations_penalised": 8500, "fines_vnd": 12_750_000_000, "news_items": 510},
                      "Thành lập các tổ cơ động tuần tra kiểm soát, xây dựng mỗi phường, xã là một "
                      "\"pháo đài chống dịch\"; hỗ trợ lưu thông hàng hóa phục vụ \"mục tiêu kép\"."),
        "ca-binh-duong": ({"officers_mobilised": 3900, "checkpoints": 140, "tracing_teams": 72,
                           "people_traced": 15800, "violations_detected": 9800, "violations_warned": 7600,
                           "violations_penalised": 2200, "fines_vnd": 3_300_000_000, "news_items": 190},
                          "Bảo đảm an ninh tại các khu công nghiệp, hỗ trợ doanh nghiệp thực hiện \"3 tại chỗ\"."),
        "bo-tu-lenh-cscd": ({"officers_mobilised": 4200, "checkpoints": 96, "news_items": 60},
                            "Bố trí lực lượng, phân ca, kíp trực tăng cường về các phường, xã bảo đảm an ninh, "
                            "trật tự tại cơ sở."),
        "cuc-csgt": ({"officers_mobilised": 2600, "checkpoints": 118, "violations_detected": 5400,
                      "violations_warned": 3900, "violations_penalised": 1500, "fines_vnd": 2_250_000_000},
                     "Phối hợp các địa phương xử lý nghiêm hành vi chống người thi hành công vụ tại các "
                     "chốt kiểm soát phòng, chống dịch."),
        "bv-19-8": ({"officers_mobilised": 240, "patients_treated": 980, "vaccination_support": 8600},
                    "Chi viện hàng trăm cán bộ, chiến sỹ tham gia quản lý, vận hành Bệnh viện dã chiến "
                    "điều trị bệnh nhân COVID-19 tại Bắc Giang."),
        "bv-y-hoc-co-truyen": ({"officers_mobilised": 110, "patients_treated": 320,
                                "vaccination_support": 2400}, ""),
        "bv-199": ({"officers_mobilised": 160, "patients_treated": 730, "vaccination_support": 4900},
                   "Được thành phố Đà Nẵng lựa chọn là một trong những cơ sở y tế chủ chốt thực hiện "
                   "nhiệm vụ xét nghiệm, cách ly, điều trị."),
    },
}


# Nominations for the conference (the seed article: "trao thưởng cho các tổ chức, cá nhân có
# thành tích xuất sắc"). Units, figures and Thiếu tướng Phạm Thế Tùng are the articles';
# the other people and teams are illustrative.
# (nominating unit, body without conference_id). A collective is a unit of the tree (nominee_unit_id)
# or a named team within the nominating unit (team: true).
NOMINATIONS: list[tuple[str, dict]] = [
    ("ca-nghe-an", {"kind": "collective", "name": "Công an tỉnh Nghệ An", "nominee_unit_id": "ca-nghe-an",
                    "award_form": "co-thi-dua-bo-cong-an",
                    "achievements": "Thành lập 52 tổ truy vết, huy động hơn 1.500 cán bộ, chiến sỹ truy vết các "
                                    "trường hợp nhiễm và nghi nhiễm COVID-19; triển khai 30 phương án đón, dẫn trên "
                                    "15.000 công dân về địa bàn an toàn.",
                    "figures": {"tracing_teams": 52, "citizens_escorted": 15000}}),
    ("ca-nghe-an", {"kind": "collective", "name": "Tổ truy vết Công an tỉnh Nghệ An", "team": True,
                    "award_form": "bang-khen-bo-truong",
                    "achievements": "Truy vết nhanh chóng, chính xác 7.400 trường hợp tiếp xúc, góp phần khoanh vùng, "
                                    "dập dịch kịp thời trên địa bàn tỉnh.", "figures": {"people_traced": 7400}}),
    ("ca-nghe-an", {"kind": "individual", "name": "Phạm Thế Tùng", "position": "Thiếu tướng, Giám đốc Công an tỉnh",
                    "award_form": "bang-khen-bo-truong",
                    "achievements": "Trực tiếp chỉ đạo lực lượng Công an tỉnh tham mưu chính quyền địa phương các "
                                    "biện pháp phòng, chống dịch, bảo đảm an ninh trật tự trên địa bàn."}),
    ("ca-bac-giang", {"kind": "collective", "name": "Công an tỉnh Bắc Giang", "nominee_unit_id": "ca-bac-giang",
                      "award_form": "co-thi-dua-bo-cong-an",
                      "achievements": "Phối hợp vận hành Bệnh viện dã chiến, bảo đảm an ninh, trật tự các khu công "
                                      "nghiệp trong đợt dịch."}),
    ("ca-tp-hcm", {"kind": "collective", "name": "Công an Thành phố Hồ Chí Minh", "nominee_unit_id": "ca-tp-hcm",
                   "award_form": "co-thi-dua-bo-cong-an",
                   "achievements": "Xây dựng mỗi phường, xã là một \"pháo đài chống dịch\"; hỗ trợ lưu thông hàng hóa "
                                   "phục vụ \"mục tiêu kép\"."}),
    ("cuc-y-te", {"kind": "collective", "name": "Bệnh viện 19-8", "nominee_unit_id": "bv-19-8",
                  "award_form": "bang-khen-bo-truong",
                  "achievements": "Chi viện hàng trăm cán bộ, chiến sỹ tham gia vận hành Bệnh viện dã chiến điều trị "
                                  "bệnh nhân COVID-19 tại Bắc Giang."}),
    ("bv-199", {"kind": "collective", "name": "Bệnh viện 199", "nominee_unit_id": "bv-199",
                "award_form": "bang-khen-bo-truong",
                "achievements": "Là một trong những cơ sở y tế chủ chốt thực hiện xét nghiệm, cách ly, điều trị tại "
                                "thành phố Đà Nẵng."}),
    ("bo-tu-lenh-cscd", {"kind": "collective", "name": "Tiểu đoàn Cảnh sát cơ động số 1", "team": True,
                         "award_form": "bang-khen-bo-truong",
                         "achievements": "Tăng cường lực lượng về các phường, xã, bảo đảm an ninh, trật tự tại cơ sở "
                                         "trong thời gian giãn cách xã hội."}),
    ("ca-binh-duong", {"kind": "individual", "name": "Nguyễn Văn Ánh",
                       "position": "Thượng tá, Trưởng phòng Cảnh sát quản lý hành chính về trật tự xã hội",
                       "award_form": "giay-khen",
                       "achievements": "Chỉ đạo kiểm soát chặt chẽ người ra vào các khu công nghiệp thực hiện \"3 tại chỗ\"."}),
    ("ca-da-nang", {"kind": "individual", "name": "Lê Thị Bình", "position": "Trung tá, Đội trưởng Đội truy vết",
                    "award_form": "giay-khen",
                    "achievements": "Tổ chức truy vết hơn 7.000 trường hợp, không để lây lan trong cộng đồng."}),
    ("cuc-csgt", {"kind": "individual", "name": "Trần Đức Dũng", "position": "Thiếu tá, cán bộ Cục Cảnh sát giao thông",
                  "award_form": "giay-khen",
                  "achievements": "Xử lý nghiêm các trường hợp chống người thi hành công vụ tại chốt kiểm soát dịch."}),
]

QUOTAS = {"co-thi-dua-bo-cong-an": 1, "bang-khen-bo-truong": 4, "giay-khen": 2}

# reviewers: (name, unit they work in); each scores every nomination it has no conflict with
REVIEWERS = [("Đồng chí Thứ trưởng thường trực", None), ("Chánh Văn phòng Bộ", "van-phong-bo")]

# what the reviewers think of the nominations the articles single out (impact, exemplary, initiative)
REVIEW_SCORES = {"Công an tỉnh Nghệ An": (10, 9, 9), "Tổ truy vết Công an tỉnh Nghệ An": (9, 9, 8),
                 "Bệnh viện 19-8": (9, 8, 8), "Phạm Thế Tùng": (9, 9, 7)}
