"""End-to-end rendering of the commendation list ("Danh sách đề nghị khen thưởng")."""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata

import pytest
from helpers import flat, positioned_text
from pypdf import PdfReader

from chalicelib.core.text import sort_key
from chalicelib.documents import (
    CommendationEntry,
    asset_fetcher,
    render_commendations_html,
    render_commendations_pdf,
)
from chalicelib.documents.render import ASSETS_DIR
from devtools.sample_documents import sample_commendations

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.28, 841.89
LEFT, RIGHT = 30 * MM, PAGE_WIDTH - 15 * MM  # Decree 30: left 30-35 mm, right 15-20 mm
TOP_MARGIN = PAGE_HEIGHT - 20 * MM  # anything above this is in the top margin

# The sample, as it must read: sections by precedence, collectives first, rows in
# Vietnamese alphabetical order (individuals by given name).
EXPECTED = [
    "I. BẰNG KHEN CỦA THỦ TƯỚNG CHÍNH PHỦ",
    "1. Tập thể (1)",
    "1 Công an tỉnh Nghệ An",
    "2. Cá nhân (2)",
    "1 Trần Thị Ánh",
    "2 Nguyễn Văn Sơn",
    "II. BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN",
    "1. Tập thể (4)",
    "1 Bệnh viện 19-8",
    "2 Bệnh viện 199",
    "3 Công an thành phố Vinh",
    "4 Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh Nghệ An",
    "2. Cá nhân (9)",
    "1 Đỗ Thị Anh",
    "2 Đặng Văn Ân",
    "3 Lê Đức Bình",
    "4 Lý Văn Đức",
    "5 Ngô Thanh Hải",
    "6 Bùi Quang Huy",
    "7 Vũ Thị Hương",
    "8 Phạm Minh Tuấn",
    "9 Hoàng Thị Yến",
    "Tổng số: 5 tập thể, 11 cá nhân.",
    "Nơi nhận:",
]


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def final_pdf():
    fetcher = asset_fetcher()
    reader, text = _read(render_commendations_pdf(sample_commendations(), fetcher=fetcher))
    return reader, text, fetcher


@pytest.fixture(scope="module")
def draft_pdf():
    return _read(render_commendations_pdf(sample_commendations(draft=True)))


def test_pdf_text_has_the_official_elements(final_pdf):
    _, text, _ = final_pdf
    assert unicodedata.is_normalized("NFC", text)
    for expected in [
        "BỘ CÔNG AN",
        "VĂN PHÒNG BỘ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/DS-BCA",
        "Hà Nội, ngày 05 tháng 8 năm 2021",
        "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
        "Nơi nhận:",
        "- Đồng chí Bộ trưởng (để báo cáo);",
        "- Lưu: VT, VP.",
        "CHÁNH VĂN PHÒNG",
        "Trung tướng Tô Ân Xô",
        "Mã xác thực: 9PLM-4R2C",
        "https://thidua.bocongan.example/xac-thuc/9PLM-4R2C",
    ]:
        assert expected in text, expected
    assert (
        "Đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc phục vụ hội nghị sơ kết "
        "công tác phòng, chống dịch COVID-19 của lực lượng Công an nhân dân"
    ) in flat(text)
    assert "DỰ THẢO" not in text
    # the two title lines come in order, right after the header
    assert text.index("Hà Nội, ngày") < text.index("DANH SÁCH ĐỀ NGHỊ") < text.index("Đề nghị khen")


def test_sections_groups_and_rows_in_order(final_pdf):
    _, text, _ = final_pdf
    text = flat(text)
    cursor = 0
    for token in EXPECTED:
        found = text.find(token, cursor)
        assert found >= 0, f"{token!r} missing or out of order"
        cursor = found + len(token)
    assert "GIẤY KHEN" not in text and "III." not in text  # the form without nominees


def test_rows_follow_vietnamese_alphabetical_order():
    """The order EXPECTED spells out is sort_key's, by given name: Anh < Ân < Bình < Đức ..."""
    (_, _), (_, _), (_, collectives), (_, individuals) = [
        (g.award_form_name, [e.name for e in g.entries]) for g in sample_commendations().groups
    ]
    assert individuals == sorted(individuals, key=lambda n: (sort_key(n.split()[-1]), sort_key(n)))
    assert collectives == sorted(collectives, key=sort_key)
    given = [n.split()[-1] for n in individuals]
    assert given == ["Anh", "Ân", "Bình", "Đức", "Hải", "Huy", "Hương", "Tuấn", "Yến"]


def test_collective_tables_have_no_rank_column(final_pdf):
    _, text, _ = final_pdf
    text = flat(text)
    assert "TT Tên tập thể Đơn vị Tóm tắt thành tích" in text
    assert "TT Họ và tên Cấp bậc, chức vụ Đơn vị Tóm tắt thành tích" in text
    collectives = text[text.index("1. Tập thể (1)"):text.index("2. Cá nhân (2)")]
    assert "Cấp bậc" not in collectives
    assert "Đại tá, Giám đốc" in text and "Thượng tá, Phó Giám đốc" in text


def test_draft_is_marked_and_unnumbered(draft_pdf, final_pdf):
    reader, text = draft_pdf
    assert re.search(r"Số:\s+/DS-BCA", text)
    assert "01/DS-BCA" not in text
    assert text.count("DỰ THẢO") == 1
    runs = positioned_text(reader.pages[0])
    (mark,) = [(x, y) for x, y, t in runs if t == "DỰ THẢO"]
    (nation,) = [(x, y) for x, y, t in runs if t == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert mark[1] > nation[1]  # above the national name
    assert mark[0] > nation[0] and mark[0] > PAGE_WIDTH / 2  # on the right
    assert mark[0] + 20 * MM < RIGHT + 1
    html = render_commendations_html(sample_commendations(draft=True))
    assert re.search(r"<title>DỰ THẢO - Danh sách đề nghị khen thưởng: Đề nghị", html)
    final_html = render_commendations_html(sample_commendations())
    assert "DỰ THẢO" not in final_html
    assert "<title>Danh sách đề nghị khen thưởng số 01/DS-BCA: Đề nghị" in final_html


def test_a4_and_page_numbers_from_page_two(final_pdf):
    reader, _, _ = final_pdf
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842
    assert [t for _, y, t in positioned_text(reader.pages[0]) if y > TOP_MARGIN] == []
    centre = (LEFT + RIGHT) / 2
    for number, page in enumerate(reader.pages[1:], start=2):
        in_margin = [(x, t) for x, y, t in positioned_text(page) if y > TOP_MARGIN]
        assert [t for _, t in in_margin] == [str(number)]
        assert abs(in_margin[0][0] - centre) < 6 * MM


def test_body_is_inside_the_margins(final_pdf):
    reader, _, _ = final_pdf
    for page in reader.pages:
        body = [(x, y) for x, y, _ in positioned_text(page) if y <= TOP_MARGIN]
        assert min(x for x, _ in body) >= LEFT - 1
        assert max(x for x, _ in body) < RIGHT
        assert min(y for _, y in body) >= 20 * MM - 1


def test_only_bundled_fonts_and_assets(final_pdf):
    reader, _, fetcher = final_pdf
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert fonts <= {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic",
                     "Liberation-Serif-Bold-Italic"}
    assert fetcher.refused == []
    assets = ASSETS_DIR.resolve().as_uri() + "/"
    assert all(u.startswith((assets, "data:")) for u in fetcher.requested)


def _advance(char: str, size: float) -> float:
    """Width in points of one glyph of the bundled regular font."""
    from fontTools.ttLib import TTFont

    font = TTFont(ASSETS_DIR / "fonts" / "LiberationSerif-Regular.ttf")
    glyph = font.getBestCmap()[ord(char)]
    return font["hmtx"][glyph][0] * size / font["head"].unitsPerEm


def test_long_words_wrap_inside_the_page_and_user_text_is_literal():
    word = "W" * 3000
    doc = sample_commendations()
    hostile = CommendationEntry(
        name=unicodedata.normalize("NFD", "Lê <b>Hồng</b>"),
        position="{{7*7}}",
        unit_name="Đơn" + "Đ" * 200,
        summary=word,
    )
    individuals = doc.groups[1]
    assert individuals.kind == "individual"
    doc = dataclasses.replace(
        doc,
        groups=[doc.groups[0], dataclasses.replace(individuals, entries=[hostile]), *doc.groups[2:]],
    )
    html = render_commendations_html(doc)
    assert unicodedata.is_normalized("NFC", html)
    assert "&lt;b&gt;Hồng&lt;/b&gt;" in html and "<b>Hồng</b>" not in html
    assert "{{7*7}}" in html and ">49<" not in html
    reader, text = _read(render_commendations_pdf(doc))
    assert unicodedata.is_normalized("NFC", text)
    assert "Lê <b>Hồng</b>" in text and "{{7*7}}" in text
    assert text.count("W") == 3000  # nothing cut off
    widest = _advance("W", 12)  # the tables are set in 12 pt
    lines = 0
    for page in reader.pages:
        for x, _, t in positioned_text(page):
            assert LEFT - 1 <= x < RIGHT, t[:20]
            if set(t) == {"W"}:
                lines += 1
                assert x + len(t) * widest <= RIGHT + 1, (x, len(t))
    assert lines > 10  # it did wrap, line by line
