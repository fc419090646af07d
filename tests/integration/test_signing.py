"""Signed PDFs as a reader's software judges them: WeasyPrint renders, chalicelib/documents/signing.py
signs PAdES with a certificate of the test PKI (made here by devtools/pki.py, in a tmp folder), and
pyHanko's own validator checks the signature; pdftotext says where the signer block is printed."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from chalicelib.core.settings import settings
from chalicelib.documents import render_summary_pdf, signing
from chalicelib.documents.issuers import ministry, unit_issuer
from devtools import pki
from devtools.sample_documents import sample_summary

REPO = Path(__file__).resolve().parents[2]
FONTS = REPO / "templates" / "assets" / "fonts"
SIGNER = "Thượng tướng Lê Văn Minh"

# A Quyết định's last pages, as the templates lay them out: the text, the signer block (title lines,
# a blank, the name) at the end of page 2, then an attachment on page 3 that does not print the name.
HTML = f"""<html><head><style>
@font-face {{ font-family: Serif; src: url("file://{FONTS}/LiberationSerif-Regular.ttf"); }}
@font-face {{ font-family: Serif; font-weight: bold; src: url("file://{FONTS}/LiberationSerif-Bold.ttf"); }}
@page {{ size: A4; margin: 20mm 20mm 20mm 30mm; }}
body {{ font-family: Serif; font-size: 13pt; }}
.page {{ page-break-after: always; }}
table {{ width: 100%; table-layout: fixed; border-collapse: collapse; }}
.signer {{ text-align: center; font-weight: bold; vertical-align: top; }}
.space {{ height: SPACE; }}
</style></head><body>
<div class="page"><p>Điều 1. Tặng Bằng khen của Bộ trưởng Bộ Công an cho 3 tập thể và 5 cá nhân.</p></div>
<p>Điều 2. Chánh Văn phòng Bộ Công an chịu trách nhiệm thi hành Quyết định này.</p>
<table class="page"><tr><td>Nơi nhận:<br>- Như Điều 2;<br>- Lưu: VT, V01.</td>
<td class="signer">TITLE<div class="space"></div>NAME</td></tr></table>
<p>DANH SÁCH tập thể, cá nhân được tặng Bằng khen (Kèm theo Quyết định số 12/QĐ-BCA)</p>
</body></html>"""


def render(title: str = "KT. BỘ TRƯỞNG<br>THỨ TRƯỞNG", name: str = SIGNER, space: str = "26mm") -> bytes:
    import weasyprint

    html = HTML.replace("TITLE", title).replace("NAME", name).replace("SPACE", space)
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_ca(directory)
    return directory


@pytest.fixture(scope="module")
def conf(pki_dir):
    return settings({"THIDUA_STAGE": "test", "THIDUA_SIGNING_DIR": str(pki_dir)})


@pytest.fixture(scope="module")
def credentials(conf):
    return signing.credentials_for(conf, "bo-cong-an")


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render()


@pytest.fixture(scope="module")
def signed(unsigned, credentials) -> bytes:
    return signing.sign_pdf(unsigned, credentials, signer_name=SIGNER, location="Hà Nội",
                            reason="Ban hành Quyết định số 12/QĐ-BCA")


def pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def words(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page, every word with its box in PDF points (origin bottom-left), by pdftotext -bbox."""
    tree = ElementTree.fromstring(pdftotext(pdf, "-bbox"))
    pages = []
    for page in tree.iter("{http://www.w3.org/1999/xhtml}page"):
        height = float(page.get("height"))
        pages.append([(w.text or "", float(w.get("xMin")), height - float(w.get("yMax")), float(w.get("xMax")),
                       height - float(w.get("yMin"))) for w in page.iter("{http://www.w3.org/1999/xhtml}word")])
    return pages


def signature_widgets(pdf: bytes) -> list[tuple[int, list[float]]]:
    """(page index, /Rect) of every signature widget on the pages."""
    found = []
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or (annot.get("/Parent") and annot["/Parent"].get("/FT") == "/Sig"):
                found.append((index, [float(v) for v in annot["/Rect"]]))
    return found


def test_the_signed_pdf_validates_as_intact_and_trusted_by_the_test_ca(signed, conf):
    report = signing.validate_pdf(signed, signing.trust_roots_for(conf))
    assert (report.signed, report.intact, report.trusted, report.valid, report.modified_after) == (
        True, True, True, True, False)
    assert report.signer == SIGNER and report.issuer == "Bộ Công an" and report.ca == "thidua test CA"
    assert abs(report.signed_at - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=5)
    assert report.as_json() == {"intact": True, "trusted": True, "valid": True, "signer": SIGNER,
                                "signed_at": report.signed_at.isoformat(), "issuer": "Bộ Công an"}


def test_pyhankos_own_validator_agrees(signed, pki_dir):
    """Adobe-style validation straight from pyHanko, without our report in between."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor((pki_dir / "ca.crt").read_bytes())
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[x509.Certificate.load(der)]))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Bộ Công an"
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES, not adbe.pkcs7.detached
    assert "UNTOUCHED" in status.summary()


def inside(word, rect) -> bool:
    x1, y1, x2, y2 = rect
    return x1 <= word[1] and word[3] <= x2 and y1 <= word[2] and word[4] <= y2


def overlaps(word, rect) -> bool:
    x1, y1, x2, y2 = rect
    return word[1] < x2 and word[3] > x1 and word[2] < y2 and word[4] > y1


def test_signing_moves_no_printed_word_and_adds_only_the_stamp(signed, unsigned):
    [(page_index, rect)] = signature_widgets(signed)
    before, after = words(unsigned), words(signed)
    assert len(before) == len(after)
    for index, (old, new) in enumerate(zip(before, after)):
        added = [w for w in new if w not in old]
        assert [w for w in old if w not in new] == []
        assert all(index == page_index and inside(w, rect) for w in added), added


def test_the_stamp_sits_in_the_signer_block_between_the_title_and_the_name(signed, unsigned):
    pages = words(unsigned)  # the document as printed, without the stamp
    name_page = max(i for i, page in enumerate(pages) if any(w[0] == "Minh" for w in page))
    assert name_page == 1  # page 2: the attachment on page 3 does not print the name
    [(page_index, rect)] = signature_widgets(signed)
    x1, y1, x2, y2 = rect
    assert page_index == name_page
    page = pages[name_page]
    minh = next(w for w in page if w[0] == "Minh")
    name = [w for w in page if w[2] == minh[2]]  # the name's line
    assert " ".join(w[0] for w in name) == SIGNER
    title = [w for w in page if w[0] in ("THỨ", "TRƯỞNG") and w[2] > minh[4]]
    name_top = max(w[4] for w in name)
    title_bottom = min(w[2] for w in title)
    assert name_top <= y1 < y2 <= title_bottom  # in the blank, over neither the title nor the name
    assert y2 - y1 >= 40  # big enough to read
    assert x1 < min(w[1] for w in name) + 20 and x2 > max(w[3] for w in name) - 20  # over the name's column
    assert not [w for w in page if overlaps(w, rect)]  # nothing printed under it


def test_the_stamp_shows_who_signed_and_when_in_vietnamese(signed, conf):
    """What a viewer draws (poppler reads the widget's appearance with the rest of the page)."""
    text = " ".join(pdftotext(signed).split())
    assert f"Đã ký: {SIGNER} Bộ Công an Thời gian: " in text
    stamped = text.split("Thời gian: ")[1][:26]  # "03/12/2026 11:32:23 +07:00": Việt Nam's time
    assert stamped.endswith("+07:00")
    # the very time the signature claims (and a validator reports), not another reading of the clock
    claimed = signing.verify_signature(conf, signed).signed_at
    assert datetime.datetime.strptime(stamped, "%d/%m/%Y %H:%M:%S %z") == claimed


def test_an_incremental_update_that_changes_the_page_breaks_the_signature(signed, conf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    cover = generic.StreamObject(stream_data=b"1 1 1 rg 80 600 450 200 re f")  # whites out the signer block
    writer.add_stream_to_page(1, writer.add_object(cover))
    altered = io.BytesIO()
    writer.write(altered)
    report = signing.validate_pdf(altered.getvalue(), signing.trust_roots_for(conf))
    assert report.signed and report.modified_after
    assert not report.intact and not report.valid
    assert report.as_json()["intact"] is False


def test_a_byte_changed_inside_the_signed_range_breaks_the_signature(signed, conf):
    byte_range = [int(v) for v in signed.split(b"/ByteRange")[1].split(b"[")[1].split(b"]")[0].split()]
    data = bytearray(signed)
    for position in (byte_range[1] // 2, byte_range[2] + byte_range[3] // 2):  # one in each signed part
        altered = bytearray(data)
        altered[position] ^= 0x01
        report = signing.validate_pdf(bytes(altered), signing.trust_roots_for(conf))
        assert report.signed and not report.intact and not report.valid, position


def test_a_certificate_of_another_ca_is_not_trusted(unsigned, conf):
    other_ca, other_key = pki.make_ca("Another CA")
    stranger = signing.credentials_from_pkcs12(pki.make_signer_pkcs12("Bộ Công an", other_ca, other_key),
                                               pki.TEST_PASSPHRASE, "bo-cong-an")
    signed = signing.sign_pdf(unsigned, stranger, signer_name=SIGNER, location="Hà Nội", reason="Thử")
    report = signing.validate_pdf(signed, signing.trust_roots_for(conf))
    assert report.signed and report.intact and not report.trusted and not report.valid
    assert report.issuer == "Bộ Công an" and report.ca == "Another CA"  # the same name, from a stranger
    assert signing.validate_pdf(signed, [other_ca]).valid  # the same signature, trusted by its own CA


def test_an_unsigned_pdf_reports_no_signature(unsigned, conf):
    report = signing.validate_pdf(unsigned, signing.trust_roots_for(conf))
    assert not report.signed and not report.valid and report.signer is None and report.as_json() is None


def test_a_signer_block_without_a_name_gets_the_stamp_under_the_title(conf):
    """A unit head the catalog does not name: the block prints the title and a blank for the name."""
    pdf = render(title="GIÁM ĐỐC", name="")
    issuer = unit_issuer({"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An", "kind": "province"})
    credentials = signing.credentials_for(conf, issuer)  # issued now by the test CA
    signed = signing.sign_pdf(pdf, credentials, signer_name="", signer_title="GIÁM ĐỐC", location="Nghệ An",
                              reason="Ban hành")
    [(page_index, rect)] = signature_widgets(signed)
    page = words(pdf)[page_index]
    title = [w for w in page if w[0] in ("GIÁM", "ĐỐC")]
    assert page_index == 1 and rect[3] <= min(w[2] for w in title) and rect[3] - rect[1] >= 40
    assert not [w for w in page if overlaps(w, rect)]
    assert signing.validate_pdf(signed, signing.trust_roots_for(conf)).valid


def test_without_a_signer_block_the_signature_is_invisible_and_still_valid(unsigned, credentials, conf):
    signed = signing.sign_pdf(unsigned, credentials, signer_name="Người không có tên trong văn bản",
                              location="Hà Nội", reason="Thử")
    widgets = signature_widgets(signed)
    assert widgets and all(rect[2] - rect[0] == 0 for _, rect in widgets)
    assert signing.validate_pdf(signed, signing.trust_roots_for(conf)).valid


def test_the_summary_report_is_signed_in_its_own_signer_block(conf):
    """The real template: the stamp lands above the printed name of the sample summary's signer."""
    doc = sample_summary()
    pdf = render_summary_pdf(doc)
    issuer = doc.heading.issuer
    credentials = signing.credentials_for(conf, issuer)
    signed = signing.sign_pdf(pdf, credentials, signer_name=issuer.signer_name,
                              signer_title="\n".join(issuer.signer_lines), location=issuer.place, reason="Ban hành")
    pages = words(pdf)
    last = issuer.signer_name.split()[-1]
    name_page = max(i for i, page in enumerate(pages) if any(w[0] == last for w in page))
    [(page_index, rect)] = signature_widgets(signed)
    assert page_index == name_page
    name = [w for w in pages[name_page] if w[0] in issuer.signer_name.split() and w[1] >= rect[0] - 20]
    assert rect[1] >= max(w[4] for w in name) and rect[0] < min(w[1] for w in name) < rect[2]
    assert not [w for w in pages[name_page] if overlaps(w, rect)]
    assert signing.validate_pdf(signed, signing.trust_roots_for(conf)).valid


def test_an_issued_document_is_signed_for_its_issuer_record(unsigned, conf):
    """What the compile calls: the issuer record gives the key, the signer block and the place."""
    issuer = ministry()
    assert issuer.signer_lines == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"] and issuer.signer_name == SIGNER  # as HTML prints
    signed = signing.sign_issued(conf, unsigned, issuer, reason="Ban hành Quyết định số 12/QĐ-BCA")
    report = signing.verify_signature(conf, signed)
    assert report.valid and report.signer == SIGNER and report.issuer == issuer.name
    [(page_index, rect)] = signature_widgets(signed)
    assert page_index == 1 and rect[3] - rect[1] >= 40
    [embedded] = PdfReader(io.BytesIO(signed)).trailer["/Root"]["/AcroForm"]["/Fields"]
    value = embedded.get_object()["/V"].get_object()
    assert (value["/Location"], value["/Reason"]) == ("Hà Nội", "Ban hành Quyết định số 12/QĐ-BCA")


def test_a_short_name_gets_a_stamp_wide_enough_to_read_and_still_over_no_text(credentials, conf):
    pdf = render(name="Lê A")
    signed = signing.sign_pdf(pdf, credentials, signer_name="Lê A", location="Hà Nội", reason="Thử")
    [(page_index, rect)] = signature_widgets(signed)
    assert page_index == 1 and rect[2] - rect[0] >= signing.STAMP_MIN_WIDTH
    assert not [w for w in words(pdf)[page_index] if overlaps(w, rect)]


def test_a_signer_block_with_no_blank_is_signed_invisibly_rather_than_over_the_text(credentials, conf):
    pdf = render(space="0")
    signed = signing.sign_pdf(pdf, credentials, signer_name=SIGNER, location="Hà Nội", reason="Thử")
    widgets = signature_widgets(signed)
    assert widgets and all(rect[2] - rect[0] == 0 for _, rect in widgets)
    assert signing.verify_signature(conf, signed).valid
