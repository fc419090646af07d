"""The Tờ trình and the Quyết định built from approved nominations (pure: no I/O, no WeasyPrint)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from chalicelib.awards import decisions
from chalicelib.awards.commendation_list import whole_sentences
from chalicelib.documents import issuers
from chalicelib.documents.model import Heading

UNITS = [
    {"id": "bo-cong-an", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
    {"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An", "parent_id": "bo-cong-an", "kind": "province"},
    {"id": "ca-tp-vinh", "name": "Công an thành phố Vinh", "parent_id": "ca-nghe-an", "kind": "other"},
    {"id": "ca-da-nang", "name": "Công an thành phố Đà Nẵng", "parent_id": "bo-cong-an", "kind": "province"},
    {"id": "ca-binh-duong", "name": "Công an tỉnh Bình Dương", "parent_id": "bo-cong-an", "kind": "province"},
    {"id": "cuc-y-te", "name": "Cục Y tế", "parent_id": "bo-cong-an", "kind": "department"},
    {"id": "bv-199", "name": "Bệnh viện 199", "parent_id": "cuc-y-te", "kind": "hospital"},
]
CONFERENCE = {"id": "c1", "title": "Hội nghị sơ kết công tác năm 2021", "signer": None}


def nom(i, kind, form, name, unit, position="", achievements="Hoàn thành xuất sắc nhiệm vụ."):
    return {"id": f"n{i}", "kind": kind, "award_form": form, "name": name, "nominee_unit_id": unit,
            "position": position, "achievements": achievements, "status": "approved", "etag": f"e{i}"}


NOMINATIONS = [
    nom(1, "individual", "giay-khen", "Lê Văn Bình", "ca-tp-vinh", "Đại úy, Cán bộ"),
    nom(2, "individual", "bang-khen-bo-truong", "Lê Đức Bình", "ca-nghe-an", "Trung tá, Trưởng phòng"),
    nom(3, "collective", "bang-khen-bo-truong", "Công an tỉnh Nghệ An", "ca-nghe-an"),
    nom(4, "individual", "bang-khen-bo-truong", "Trần Thị Ánh", "bv-199", "Thượng tá, Phó Giám đốc"),
    nom(5, "individual", "bang-khen-bo-truong", "Đặng Văn Ân", "ca-tp-vinh", "Thiếu tá, Đội trưởng"),
    nom(6, "collective", "co-thi-dua-bo-cong-an", "Công an thành phố Đà Nẵng", "ca-da-nang"),
    nom(7, "individual", "giay-khen", "Nguyễn Thị Hoa", "bv-199", "Đại úy, Bác sĩ"),
    nom(8, "individual", "giay-khen", "Phan Văn Tú", "ca-da-nang", "Thượng úy, Cán bộ"),
    nom(9, "collective", "bang-khen-bo-truong", "Phòng Cảnh sát hình sự Công an tỉnh Bình Dương", "ca-binh-duong"),
    nom(10, "collective", "giay-khen", "Đội Cảnh sát giao thông", "ca-binh-duong"),
]


def heading(issuer, kind="QĐ", number=None, issued_on=None, replaces=None) -> Heading:
    return Heading(issuer=issuer, kind_abbreviation=kind, number=number, issued_on=issued_on, year=2021,
                   recipients=["Như Điều 3", "Lưu: VT"], verify_url="https://x/v", verify_code="AB12-CD34",
                   replaces=replaces)


def test_one_decision_per_granting_issuer_and_form_ministry_first_units_in_the_offices_order():
    plans = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)
    assert [p.stream for p in plans] == [
        "decision@bo-cong-an@co-thi-dua-bo-cong-an",
        "decision@bo-cong-an@bang-khen-bo-truong",
        # Giấy khen: the head of the nominee's unit directly under the Ministry grants it;
        # departments first, then provinces by place name (Bình Dương, Đà Nẵng, Nghệ An)
        "decision@cuc-y-te@giay-khen",
        "decision@ca-binh-duong@giay-khen",
        "decision@ca-da-nang@giay-khen",
        "decision@ca-nghe-an@giay-khen",
    ]
    by_stream = {p.stream: p for p in plans}
    assert [n["id"] for n in by_stream["decision@bo-cong-an@bang-khen-bo-truong"].nominations] == ["n2", "n3", "n4", "n5", "n9"]
    assert [n["id"] for n in by_stream["decision@ca-nghe-an@giay-khen"].nominations] == ["n1"]  # Vinh is under Nghệ An
    assert by_stream["decision@cuc-y-te@giay-khen"].issuer.head_title == "Cục trưởng"
    assert all(p.form.code == p.stream.rsplit("@", 1)[1] for p in plans)


def test_an_unknown_form_or_a_form_not_for_that_kind_is_refused():
    with pytest.raises(ValueError):
        decisions.plan_decisions(CONFERENCE, [nom(1, "individual", "co-thi-dua-bo-cong-an", "A", "ca-nghe-an")], UNITS)
    with pytest.raises(ValueError):
        decisions.plan_decisions(CONFERENCE, [nom(1, "individual", "khong-co", "A", "ca-nghe-an")], UNITS)


def test_the_ministers_decision_header_symbol_signer_and_list_reference_agree():
    plan = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[1]
    h = heading(plan.issuer, number="12/QĐ-BCA", issued_on=dt.date(2021, 9, 5))
    doc = decisions.build_decision(plan, UNITS, heading=h, proposal_ref="Tờ trình số 05/TTr-V01 ngày 01/9/2021")
    issuer = doc.heading.issuer
    assert (issuer.header_lines, doc.heading.symbol, issuer.signer_lines) == (
        (None, "BỘ CÔNG AN"), "QĐ-BCA", ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"])
    assert doc.title == "Về việc tặng Bằng khen của Bộ trưởng Bộ Công an"
    assert doc.bases[:2] == ["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
                             "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định "
                             "chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;"]
    assert all(b.startswith("Căn cứ ") and b.endswith(";") for b in doc.bases)
    assert doc.proposal == "Theo đề nghị của Chánh Văn phòng Bộ Công an tại Tờ trình số 05/TTr-V01 ngày 01/9/2021."
    assert doc.articles[0].startswith("Tặng Bằng khen của Bộ trưởng Bộ Công an cho 02 tập thể và 03 cá nhân có tên "
                                      "trong danh sách kèm theo, vì đã có thành tích xuất sắc")
    assert doc.articles[1] == "Quyết định có hiệu lực kể từ ngày ký."
    assert doc.articles[2].startswith("Chánh Văn phòng Bộ Công an, Thủ trưởng các đơn vị có liên quan và các tập thể, "
                                      "cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này")
    assert doc.list_title == "DANH SÁCH TẬP THỂ VÀ CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN"
    assert doc.list_reference == "(Kèm theo Quyết định số 12/QĐ-BCA ngày 05/9/2021 của Bộ trưởng Bộ Công an)"


def test_the_list_collectives_then_individuals_by_given_name_and_no_repeated_unit():
    plan = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[1]
    doc = decisions.build_decision(plan, UNITS, heading=heading(plan.issuer), proposal_ref=None)
    group = doc.group
    assert [e.name for e in group.collectives] == ["Công an tỉnh Nghệ An", "Phòng Cảnh sát hình sự Công an tỉnh Bình Dương"]
    # the collective's own name (or one that holds it) leaves "Đơn vị" empty
    assert [e.unit_name for e in group.collectives] == ["", ""]
    assert [e.name for e in group.individuals] == ["Trần Thị Ánh", "Đặng Văn Ân", "Lê Đức Bình"]
    assert [e.unit_name for e in group.individuals] == ["Bệnh viện 199", "Công an thành phố Vinh", "Công an tỉnh Nghệ An"]
    assert [e.position for e in group.collectives] == ["", ""]
    assert group.granted_by == "Bộ trưởng Bộ Công an"


def test_a_unit_heads_giay_khen_is_the_units_own_decision():
    plan = next(p for p in decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS) if p.issuer.id == "ca-binh-duong")
    h = heading(plan.issuer, number="03/QĐ-CAT-PX01", issued_on=dt.date(2021, 9, 5))
    doc = decisions.build_decision(plan, UNITS, heading=h, proposal_ref=None)
    assert plan.issuer.header_lines == ("BỘ CÔNG AN", "CÔNG AN TỈNH BÌNH DƯƠNG")
    assert plan.issuer.signer_lines == ["GIÁM ĐỐC"] and plan.issuer.signer_name == "Đại tá Nguyễn Thanh Sơn"
    assert doc.heading.symbol == "QĐ-CAT-PX01" and plan.issuer.place == "Bình Dương"
    assert doc.proposal == "Theo đề nghị của Trưởng phòng Tổ chức cán bộ."
    assert doc.list_title == "DANH SÁCH TẬP THỂ ĐƯỢC TẶNG GIẤY KHEN"
    assert doc.list_reference == "(Kèm theo Quyết định số 03/QĐ-CAT-PX01 ngày 05/9/2021 của Giám đốc Công an tỉnh Bình Dương)"
    assert doc.heading.issuer.decides_as == "GIÁM ĐỐC CÔNG AN TỈNH BÌNH DƯƠNG"
    # a unit with no catalog entry: derived from its kind, its head signs in its name
    nghe_an = next(p for p in decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS) if p.issuer.id == "ca-nghe-an")
    assert (nghe_an.issuer.head_title, nghe_an.issuer.symbol("QĐ"), nghe_an.issuer.upper) == (
        "Giám đốc", "QĐ-CAT-NA", "Bộ Công an")


def test_a_draft_leaves_number_and_date_blank_in_the_list_reference():
    plan = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[0]
    doc = decisions.build_decision(plan, UNITS, heading=heading(plan.issuer, issued_on=dt.date(2021, 9, 5)),
                                   proposal_ref=None)
    assert doc.heading.draft
    blank = decisions.BLANK
    assert doc.list_reference == f"(Kèm theo Quyết định số {blank}/QĐ-BCA ngày {blank} của Bộ trưởng Bộ Công an)"
    assert doc.list_title == "DANH SÁCH TẬP THỂ ĐƯỢC TẶNG CỜ THI ĐUA CỦA BỘ CÔNG AN"


def test_a_replacement_says_so_in_article_two():
    plan = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[1]
    h = heading(plan.issuer, number="13/QĐ-BCA", issued_on=dt.date(2021, 9, 9),
                replaces="Quyết định số 12/QĐ-BCA ngày 05/9/2021")
    doc = decisions.build_decision(plan, UNITS, heading=h, proposal_ref=None)
    assert doc.articles[1] == ("Quyết định có hiệu lực kể từ ngày ký và thay thế Quyết định số 12/QĐ-BCA "
                               "ngày 05/9/2021.")


def test_the_proposal_has_only_the_ministrys_awards_by_precedence():
    h = heading(issuers.office(), kind="TTr", number="05/TTr-V01", issued_on=dt.date(2021, 9, 1))
    doc = decisions.build_proposal(CONFERENCE, NOMINATIONS, UNITS, heading=h)
    assert doc.heading.symbol == "TTr-V01"
    assert doc.heading.issuer.header_lines == ("BỘ CÔNG AN", "VĂN PHÒNG")
    assert doc.heading.issuer.signer_lines == ["CHÁNH VĂN PHÒNG"]
    assert doc.addressee == "Đồng chí Bộ trưởng Bộ Công an"
    assert [g.award_form_name for g in doc.groups] == ["Cờ thi đua của Bộ Công an", "Bằng khen của Bộ trưởng Bộ Công an"]
    names = [e.name for g in doc.groups for e in [*g.collectives, *g.individuals]]
    assert "Lê Văn Bình" not in names and "Đội Cảnh sát giao thông" not in names  # Giấy khen: not the Minister's
    assert "- Cờ thi đua của Bộ Công an cho 01 tập thể;" in doc.paragraphs
    assert doc.paragraphs[-1] == ("- Bằng khen của Bộ trưởng Bộ Công an cho 02 tập thể và 03 cá nhân "
                                  "(danh sách kèm theo).")
    assert doc.closing.endswith("xem xét, quyết định./.")
    assert decisions.proposal_wanted(CONFERENCE, NOMINATIONS, UNITS)
    assert not decisions.proposal_wanted(CONFERENCE, [n for n in NOMINATIONS if n["award_form"] == "giay-khen"], UNITS)


def test_achievements_are_whole_sentences_never_cut_mid_sentence():
    long = ("Chủ trì phá 12 chuyên án ma túy lớn, bắt giữ 45 đối tượng, thu giữ 20 kg ma túy tổng hợp các loại "
            "trên địa bàn tỉnh. Tham gia huấn luyện 300 lượt cán bộ. " + "Câu thứ ba rất dài " * 30 + "hết.")
    assert whole_sentences(long, 160) == ("Chủ trì phá 12 chuyên án ma túy lớn, bắt giữ 45 đối tượng, thu giữ 20 kg "
                                          "ma túy tổng hợp các loại trên địa bàn tỉnh. Tham gia huấn luyện 300 lượt cán bộ.")
    # the first sentence is kept whole even past the limit; no ellipsis ever
    assert whole_sentences("Một câu rất dài " * 20 + "hết. Hai.", 50) == ("Một câu rất dài " * 20 + "hết.").strip()
    assert whole_sentences("Dòng một\nDòng hai.") == "Dòng một Dòng hai."
    nominations = [nom(1, "individual", "bang-khen-bo-truong", "A B", "ca-nghe-an", achievements=long)]
    doc = decisions.build_proposal(CONFERENCE, nominations, UNITS, heading=heading(issuers.office(), kind="TTr"))
    printed = doc.groups[0].individuals[0].achievements
    assert printed.endswith(".") and "…" not in printed and long.startswith(printed[:-1])


def test_fingerprints_change_with_what_is_printed_not_with_number_or_date():
    plan = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[1]
    draft = heading(plan.issuer)
    issued = dataclasses.replace(draft, number="12/QĐ-BCA", issued_on=dt.date(2021, 9, 5),
                                 verify_url="https://x/other", verify_code="ZZ99-YY88")
    same = decisions.decision_fingerprint(plan, UNITS, heading=draft)
    assert decisions.decision_fingerprint(plan, UNITS, heading=issued) == same
    changed = dataclasses.replace(plan, nominations=[{**plan.nominations[0], "name": "Lê Đức Bính"},
                                                     *plan.nominations[1:]])
    assert decisions.decision_fingerprint(changed, UNITS, heading=draft) != same
    assert decisions.decision_fingerprint(plan, UNITS, heading=dataclasses.replace(draft, recipients=["Khác"])) != same
    assert decisions.decision_fingerprint(plan, UNITS, heading=draft, proposal_ref="Tờ trình số 05/TTr-V01") != same
    office = heading(issuers.office(), kind="TTr")
    p1 = decisions.proposal_fingerprint(CONFERENCE, NOMINATIONS, UNITS, heading=office)
    assert decisions.proposal_fingerprint(CONFERENCE, list(reversed(NOMINATIONS)), UNITS, heading=office) == p1
    more = [*NOMINATIONS, nom(11, "individual", "bang-khen-bo-truong", "Vũ Văn Xuân", "ca-da-nang")]
    assert decisions.proposal_fingerprint(CONFERENCE, more, UNITS, heading=office) != p1
    # a Giấy khen changes nothing the Tờ trình prints
    extra_gk = [*NOMINATIONS, nom(12, "individual", "giay-khen", "Vũ Văn Xuân", "ca-da-nang")]
    assert decisions.proposal_fingerprint(CONFERENCE, extra_gk, UNITS, heading=office) == p1


def test_the_proposals_plan_holds_the_ministrys_nominations_or_is_none():
    plan = decisions.plan_proposal(CONFERENCE, NOMINATIONS, UNITS)
    assert plan.stream == "proposal"
    assert decisions.nomination_ids(plan) == ["n2", "n3", "n4", "n5", "n6", "n9"]
    assert decisions.plan_proposal(CONFERENCE, [n for n in NOMINATIONS if n["award_form"] == "giay-khen"], UNITS) is None
    first = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[0]
    assert decisions.nomination_ids(first) == ["n6"]


def test_a_bare_number_is_written_with_two_digits_and_the_symbol_everywhere():
    plan = decisions.plan_decisions(CONFERENCE, NOMINATIONS, UNITS)[1]
    h = heading(plan.issuer, number="7", issued_on=dt.date(2021, 1, 5))
    doc = decisions.build_decision(plan, UNITS, heading=h, proposal_ref=None)
    assert doc.list_reference == "(Kèm theo Quyết định số 07/QĐ-BCA ngày 05/01/2021 của Bộ trưởng Bộ Công an)"
    office = heading(issuers.office(), kind="TTr", number="5", issued_on=dt.date(2021, 9, 1))
    assert decisions.proposal_reference(office) == "Tờ trình số 05/TTr-V01 ngày 01/9/2021"
    assert decisions.proposal_reference(heading(issuers.office(), kind="TTr")) is None
