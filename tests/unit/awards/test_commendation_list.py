"""The commendation list builder: grouping, ordering, summaries (pure, no rendering)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from chalicelib.awards.commendation_list import (
    build_commendation_document,
    build_groups,
    commendation_title,
    summarise,
)
from chalicelib.core.text import sort_key
from chalicelib.documents.model import CommendationDocument, Signer

CONFERENCE = {
    "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19",
    "place": "Hà Nội",
    "upper_agency": "BỘ CÔNG AN",
    "agency": "VĂN PHÒNG BỘ",
    "signer": {"title": "Chánh Văn phòng", "name": "Trung tướng Tô Ân Xô"},
    "recipients": ["Hội đồng Thi đua - Khen thưởng <hd@example.org>", "vp@example.org"],
    "distribution": None,
}
FORMS = [
    {"code": "gk", "name": "Giấy khen của Chánh Văn phòng", "for": ["collective", "individual"], "precedence": 40},
    {"code": "bk-bct", "name": "Bằng khen của Bộ trưởng Bộ Công an", "for": ["collective", "individual"],
     "precedence": 30},
    {"code": "cstd", "name": "Chiến sỹ thi đua toàn lực lượng", "for": ["individual"], "precedence": 25},
    {"code": "bk-ttg", "name": "Bằng khen của Thủ tướng Chính phủ", "for": ["collective", "individual"],
     "precedence": 20},
]
UNITS = {"ca-na": "Công an tỉnh Nghệ An", "bv-19-8": "Bệnh viện 19-8", "bo": "Bộ Công an"}


def nomination(kind: str, name: str, form: str, *, position: str = "", unit: str = "ca-na",
               achievements: str = "Hoàn thành xuất sắc nhiệm vụ.") -> dict[str, Any]:
    return {"id": f"{form}-{name}", "kind": kind, "name": name, "position": position,
            "nominee_unit_id": unit, "award_form": form, "achievements": achievements}


def build(nominations: list[dict[str, Any]], **overrides: Any) -> CommendationDocument:
    kwargs: dict[str, Any] = {"number": "01/DS-BCA", "number_prefix": "DS-BCA",
                              "issued_on": datetime.date(2021, 8, 5), "draft": False,
                              "verify_url": "https://example.org/v/ABCD", "verify_code": "ABCD"}
    kwargs.update(overrides)
    return build_commendation_document(CONFERENCE, FORMS, nominations, UNITS, **kwargs)


def test_groups_by_precedence_collectives_first_and_empty_groups_left_out():
    doc = build([
        nomination("individual", "Nguyễn Văn Sơn", "bk-bct", position="Đại tá, Giám đốc"),
        nomination("collective", "Bệnh viện 19-8", "bk-bct", unit="bo"),
        nomination("individual", "Trần Thị Ánh", "bk-ttg", position="Thượng tá"),
        nomination("individual", "Lê Đức Bình", "cstd", position="Trung tá"),
    ])
    assert [(g.award_form_name, g.kind) for g in doc.groups] == [
        ("Bằng khen của Thủ tướng Chính phủ", "individual"),   # precedence 20, no collective
        ("Chiến sỹ thi đua toàn lực lượng", "individual"),     # 25
        ("Bằng khen của Bộ trưởng Bộ Công an", "collective"),  # 30: collectives first
        ("Bằng khen của Bộ trưởng Bộ Công an", "individual"),
    ]  # "Giấy khen" (40) has nobody: no group at all
    assert all(g.entries for g in doc.groups)


def test_no_nominations_no_groups():
    assert build([]).groups == []


def test_individuals_sort_by_given_name_then_full_name():
    names = ["Nguyễn Văn Sơn", "Hoàng Thị Yến", "Lê Đức Bình", "Đặng Văn Ân", "Trần Thị Ánh",
             "Phạm Văn Anh", "Vũ Thị Ân", "Đỗ Văn Đức", "Bùi Văn Dũng"]
    doc = build([nomination("individual", n, "bk-bct") for n in names])
    (group,) = doc.groups
    assert [e.name for e in group.entries] == [
        "Phạm Văn Anh", "Trần Thị Ánh",       # a, then á (tones break ties)
        "Đặng Văn Ân", "Vũ Thị Ân",           # â after a; the same given name: by full name
        "Lê Đức Bình", "Bùi Văn Dũng", "Đỗ Văn Đức", "Nguyễn Văn Sơn", "Hoàng Thị Yến",
    ]
    # the given-name order is sort_key's (a < ă < â, d < đ), not code-point order
    given = ["Sơn", "Yến", "Bình", "Ân", "Ánh", "Đức", "Dũng"]
    assert sorted(given, key=sort_key) == ["Ánh", "Ân", "Bình", "Dũng", "Đức", "Sơn", "Yến"]
    # same given name: the full name decides ("Đặng" < "Vũ")
    assert sort_key("Đặng Văn Ân") < sort_key("Vũ Thị Ân")


def test_collectives_sort_by_full_name():
    names = ["Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh Nghệ An",
             "Công an tỉnh Nghệ An", "Bệnh viện 199", "Bệnh viện 19-8", "Đội Cảnh sát giao thông",
             "Công an thành phố Vinh"]
    (group,) = build([nomination("collective", n, "bk-bct") for n in names]).groups
    assert [e.name for e in group.entries] == [
        "Bệnh viện 19-8", "Bệnh viện 199", "Công an thành phố Vinh", "Công an tỉnh Nghệ An",
        "Đội Cảnh sát giao thông",
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh Nghệ An",
    ]


def test_entry_fields():
    doc = build([
        nomination("individual", "  Nguyễn   Văn Sơn ", "bk-bct", position="Đại tá,  Giám đốc",
                   unit="ca-na", achievements="Chỉ đạo truy vết. Thành lập 52 tổ."),
        nomination("collective", "Bệnh viện 19-8", "bk-bct", position="ignored", unit="gone"),
    ])
    collective, individual = (g.entries[0] for g in doc.groups)
    assert individual.name == "Nguyễn Văn Sơn"
    assert individual.position == "Đại tá, Giám đốc"
    assert individual.unit_name == "Công an tỉnh Nghệ An"
    assert individual.summary == "Chỉ đạo truy vết."
    assert collective.position == ""
    assert collective.unit_name == ""  # a unit no longer known: blank, never its id


@pytest.mark.parametrize("achievements, expected", [
    ("Câu một. Câu hai.", "Câu một."),
    ("Dòng một\nDòng hai. Câu khác.", "Dòng một"),
    ("\n\n  Sau   dòng trống,\tkhoảng trắng   gộp lại  \n", "Sau dòng trống, khoảng trắng gộp lại"),
    ("Số 1.800 lượt, tỷ lệ 97,4% không cắt ở dấu chấm giữa số.", "Số 1.800 lượt, tỷ lệ 97,4% không cắt ở dấu chấm giữa số."),
    ("Dòng một\r\nDòng hai", "Dòng một"),
    ("", ""),
])
def test_summary_is_the_first_sentence(achievements, expected):
    assert summarise(achievements) == expected


def test_summary_is_capped_at_160_at_a_word_boundary():
    words = "huy động lực lượng chốt kiểm soát, truy vết, đón dẫn công dân " * 10
    out = summarise(words)
    assert len(out) <= 160 and out.endswith("…")
    head = out[:-1]
    assert words.startswith(head) and words[len(head)] in " ,"  # cut between words
    assert not head.endswith((" ", ","))
    assert len(out) > 140  # and not much earlier than needed
    exactly = "a" * 160
    assert summarise(exactly) == exactly
    giant = "x" * 3000  # one word longer than the cap: cut mid-word
    assert summarise(giant) == "x" * 159 + "…"


def test_title_and_header_fields():
    doc = build([], number=None, draft=True)
    assert doc.title == ("Đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc phục vụ "
                         "hội nghị sơ kết công tác phòng, chống dịch COVID-19")
    assert commendation_title("Lễ kỷ niệm 75 năm") == (
        "Đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc phục vụ Lễ kỷ niệm 75 năm")
    assert doc.number is None and doc.number_prefix == "DS-BCA" and doc.draft
    assert (doc.upper_agency, doc.agency, doc.place) == ("BỘ CÔNG AN", "VĂN PHÒNG BỘ", "Hà Nội")
    assert doc.issued_on == datetime.date(2021, 8, 5)
    assert doc.signer == Signer("Chánh Văn phòng", "Trung tướng Tô Ân Xô")
    assert (doc.verify_url, doc.verify_code) == ("https://example.org/v/ABCD", "ABCD")


def test_recipients_are_the_distribution_lines_like_the_summary():
    assert build([]).recipients == ["Hội đồng Thi đua - Khen thưởng", "vp@example.org"]
    conference = {**CONFERENCE, "distribution": ["Đồng chí Bộ trưởng (để báo cáo)", "Lưu: VT"]}
    doc = build_commendation_document(conference, FORMS, [], UNITS, number="01/DS-BCA",
                                      number_prefix="DS-BCA", issued_on=datetime.date(2021, 8, 5),
                                      draft=False, verify_url="u", verify_code="c")
    assert doc.recipients == ["Đồng chí Bộ trưởng (để báo cáo)", "Lưu: VT"]


@pytest.mark.parametrize("bad, message", [
    (nomination("individual", "Lê Đức Bình", "nope"), "unknown award form"),
    (nomination("collective", "Bệnh viện 19-8", "cstd"), "not awarded to a collective"),
    (nomination("family", "Nhà A", "bk-bct"), "unknown kind"),
])
def test_inconsistent_nominations_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        build_groups(FORMS, [bad], UNITS)
