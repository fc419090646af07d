"""End-to-end rendering of the summary report (one WeasyPrint render takes ~2 s: not slow).
The Tờ trình and the Quyết định: tests/integration/test_chain_render.py."""

import dataclasses
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from chalicelib.documents import (
    Highlight,
    asset_fetcher,
    render_summary_html,
    render_summary_pdf,
)
from chalicelib.documents.render import ASSETS_DIR, TEMPLATES_DIR, URLRefused
from devtools.sample_documents import sample_summary
from helpers import flat, positioned_text

REPO = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
HOSTILE = [
    Highlight("Công an tỉnh Nghệ An", 'Ảnh: <img src="file:///etc/passwd"> hết.'),
    Highlight("Cục Y tế", "Mã độc <script>alert(1)</script> hết."),
    Highlight("Bệnh viện 199", "Biểu thức {{7*7}} và {% if true %}x{% endif %} hết."),
]


@pytest.fixture(scope="module")
def sample_pdf():
    fetcher = asset_fetcher()
    pdf = render_summary_pdf(sample_summary(), fetcher=fetcher)
    return PdfReader(io.BytesIO(pdf)), fetcher


@pytest.fixture(scope="module")
def hostile_pdf():
    fetcher = asset_fetcher()
    doc = sample_summary(highlights=HOSTILE)
    pdf = render_summary_pdf(doc, fetcher=fetcher)
    return PdfReader(io.BytesIO(pdf)), fetcher, render_summary_html(doc)


def test_pdf_text_has_the_official_elements(sample_pdf):
    reader, _ = sample_pdf
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert unicodedata.is_normalized("NFC", text)
    for expected in [
        "BỘ CÔNG AN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 07/BC-BCA",
        "Hà Nội, ngày 05 tháng 8 năm 2021",
        "BÁO CÁO",
        "15.000",
        "6.969",
        "14.560",
        "Công an tỉnh Nghệ An",
        "Bệnh viện 19-8",
        "Nơi nhận:",
        "- Lưu: VT, VP.",
        "KT. BỘ TRƯỞNG",
        "THỨ TRƯỞNG",
        "Thượng tướng Lê Văn Minh",
        "Mã xác thực: 7K3F-Q2MD",
        "PHỤ LỤC",
        "(Kèm theo Báo cáo số 07/BC-BCA ngày 05/8/2021)",
        "Chưa nộp (quá hạn)",
        "V. ĐÁNH GIÁ CHUNG",
        "VI. TỒN TẠI, HẠN CHẾ",
        "VII. NGUYÊN NHÂN",
        "VIII. PHƯƠNG HƯỚNG, NHIỆM VỤ",
    ]:
        assert expected in text, expected
    # issued: the empty section is left out, nothing says "DỰ THẢO"; the header is the
    # ministry's alone (it issues the report), never an office under a BC-BCA symbol
    assert "KIẾN NGHỊ" not in text and "DỰ THẢO" not in text and "chưa viết" not in text
    assert "VĂN PHÒNG" not in text
    assert "Kết quả công tác phòng, chống dịch COVID-19" in flat(text)
    # diacritics survive as precomposed characters, not as bare letters
    assert "Ho\u0323" not in text and "Hà Nội" in text


def test_a4_and_page_numbers_from_page_two(sample_pdf):
    reader, _ = sample_pdf
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842
    top_margin = 842 - 20 * MM  # anything above this is in the top margin box
    first = [t for x, y, t in positioned_text(reader.pages[0]) if y > top_margin]
    assert first == []
    for number in (2, 3):
        in_margin = [
            (x, t) for x, y, t in positioned_text(reader.pages[number - 1]) if y > top_margin
        ]
        assert [t for _, t in in_margin] == [str(number)]
        centre = (30 * MM + (595.28 - 15 * MM)) / 2  # left 30 mm, right 15 mm margins
        assert abs(in_margin[0][0] - centre) < 6 * MM


def test_body_starts_below_the_top_margin_and_left_margin_is_30mm(sample_pdf):
    reader, _ = sample_pdf
    items = positioned_text(reader.pages[0])
    assert min(x for x, _, _ in items) >= 30 * MM - 1
    assert max(y for _, y, _ in items) <= 842 - 20 * MM


def test_only_the_bundled_font_is_embedded(sample_pdf):
    reader, _ = sample_pdf
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()  # embedded TrueType
    assert fonts == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }


def test_fetcher_served_only_bundled_assets(sample_pdf):
    _, fetcher = sample_pdf
    assert fetcher.refused == []
    files = [u for u in fetcher.requested if not u.startswith("data:")]
    assert files, "fonts should have been fetched through the fetcher"
    assets = ASSETS_DIR.resolve().as_uri() + "/"
    assert all(u.startswith(assets) for u in files), files
    assert any(u.endswith("LiberationSerif-Regular.ttf") for u in files)


def test_user_text_is_printed_literally(hostile_pdf):
    reader, fetcher, html = hostile_pdf
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert "Biểu thức {{7*7}} và {% if true %}x{% endif %} hết." in text
    assert "Biểu thức 49" not in text
    # the HTML carries them escaped, never as markup or evaluated templates
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html
    assert "{{7*7}}" in html and ">49<" not in html
    assert fetcher.refused == []
    assets = ASSETS_DIR.resolve().as_uri() + "/"
    assert all(u.startswith((assets, "data:")) for u in fetcher.requested)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        (TEMPLATES_DIR / "documents" / "summary.css").as_uri(),
        ASSETS_DIR.as_uri() + "/../documents/summary.css",
        ASSETS_DIR.as_uri() + "/fonts/missing.ttf",
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_everything_outside_the_bundle(url):
    fetcher = asset_fetcher()
    with pytest.raises(URLRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_bundled_font_and_data_urls():
    fetcher = asset_fetcher()
    font = fetcher.fetch((ASSETS_DIR / "fonts" / "LiberationSerif-Regular.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert fetcher.refused == []


def test_html_is_autoescaped_nfc_and_strict():
    doc = sample_summary(
        highlights=[Highlight(unicodedata.normalize("NFD", "Công an tỉnh Nghệ An"), "<b>x</b>")]
    )
    html = render_summary_html(doc)
    assert unicodedata.is_normalized("NFC", html)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert '<html lang="vi">' in html
    from jinja2 import StrictUndefined

    from chalicelib.documents.render import environment

    env = environment()
    assert env.undefined is StrictUndefined and env.autoescape


def test_unit_names_in_charts_are_escaped():
    doc = sample_summary()
    rows = [dataclasses.replace(r, name=r.name + " <x&y>") for r in doc.unit_rows]
    html = render_summary_html(dataclasses.replace(doc, unit_rows=rows))
    assert "<x&y>" not in html and "&lt;x&amp;y&gt;" in html


def test_import_does_not_load_weasyprint():
    code = (
        "import sys, chalicelib.documents, chalicelib.documents.model, "
        "chalicelib.documents.formatting, devtools.sample_documents;"
        "heavy = [m for m in ('weasyprint', 'pygal', 'segno', 'pypdf') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_templates_and_fonts_are_bundled_for_lambda():
    assert TEMPLATES_DIR == REPO / "templates"
    vendored = REPO / "vendor" / "templates"
    assert vendored.is_symlink() and vendored.resolve() == TEMPLATES_DIR.resolve()
    fonts = ASSETS_DIR / "fonts"
    for style in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (fonts / f"LiberationSerif-{style}.ttf").stat().st_size > 100_000
    assert "SIL OPEN FONT LICENSE" in (fonts / "OFL.txt").read_text()


def test_minimal_document_renders():
    """Nothing reported yet: no indicators, units, highlights, previous period or annex."""
    doc = dataclasses.replace(
        sample_summary(),
        previous_label=None,
        indicators=[],
        main_indicator_codes=["officers_mobilised"],
        unit_rows=[],
        highlights=[],
        completeness=[],
        heading=dataclasses.replace(sample_summary().heading, recipients=[]),
    )
    html = render_summary_html(doc)
    assert "Chưa có số liệu kỳ trước để so sánh." in html
    assert "PHỤ LỤC" not in html and "- Lưu: VT." in html
    reader = PdfReader(io.BytesIO(render_summary_pdf(doc)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "BÁO CÁO" in text and "Chưa có đơn vị báo cáo kết quả nổi bật." in flat(text)
    # "KT. BỘ TRƯỞNG" stands above "THỨ TRƯỞNG", as a signer block is laid out.
    runs = {t: (n, y) for n, page in enumerate(reader.pages) for _, y, t in positioned_text(page)}
    (page_a, y_a), (page_b, y_b) = runs["KT. BỘ TRƯỞNG"], runs["THỨ TRƯỞNG"]
    assert page_a == page_b and y_a > y_b


def test_a_3000_character_word_wraps_inside_the_page():
    import dataclasses
    import io

    from pypdf import PdfReader

    from chalicelib.documents.model import Highlight

    word = "Ư" * 3000
    doc = dataclasses.replace(sample_summary(), highlights=[Highlight("Công an tỉnh Nghệ An", word + " hết.")])
    reader = PdfReader(io.BytesIO(render_summary_pdf(doc)))
    width = float(reader.pages[0].mediabox.width)
    found = 0
    for page in reader.pages:
        for x, _, text in positioned_text(page):
            if "ƯƯƯ" in text:
                found += len(text)
                # each wrapped piece starts inside the left margin and fits the text block (~16 cm)
                assert 80 <= x < width - 50, x
                assert len(text) < 90, len(text)
    assert found >= 3000
