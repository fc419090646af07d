"""The demo documents as DOCX (and their WeasyPrint PDFs where a renderer exists), for
`make docx-preview`, which converts the DOCX files to PDF with LibreOffice to look at.

    python -m devtools.docx_preview out/docx-preview
"""

from __future__ import annotations

import dataclasses
import datetime
import sys
from pathlib import Path

from chalicelib.documents import issuers
from chalicelib.documents.docx import render_docx
from chalicelib.documents.model import (
    AssessmentSections,
    AwardEntry,
    AwardGroup,
    DecisionDocument,
    Heading,
    ProposalDocument,
)
from devtools import sample_documents

ISSUED_ON = datetime.date(2021, 9, 5)
VERIFY = "https://thidua.bocongan.example/xac-thuc/"


def _heading(issuer, kind: str, number: str | None, recipients: list[str], code: str) -> Heading:
    return Heading(issuer=issuer, kind_abbreviation=kind, number=number,
                   issued_on=ISSUED_ON if number else None, year=ISSUED_ON.year, recipients=recipients,
                   verify_url=VERIFY + code, verify_code=code)


def _entries(kind: str, form: str) -> list[AwardEntry]:
    units = sample_documents.COMMENDATION_UNITS
    return [AwardEntry(name=name, position=position,
                       unit_name="" if k == "collective" else units.get(unit, ""), achievements=text)
            for k, name, position, unit, f, text in sample_documents.NOMINEES if k == kind and f == form]


def sample_group() -> AwardGroup:
    return AwardGroup(award_form_name="Bằng khen của Bộ trưởng Bộ Công an", granted_by="Bộ trưởng Bộ Công an",
                      collectives=_entries("collective", "bk-bct"), individuals=_entries("individual", "bk-bct"))


def sample_proposal(*, draft: bool = False) -> ProposalDocument:
    heading = _heading(issuers.office(), "TTr", None if draft else "15/TTr-V01",
                       ["Như trên", "Đồng chí Thứ trưởng Lê Văn Minh (để báo cáo)", "Lưu: VT, V01"], "TT5R-2QKD")
    return ProposalDocument(
        heading=heading,
        addressee="Đồng chí Bộ trưởng Bộ Công an",
        title="Về việc đề nghị tặng Bằng khen của Bộ trưởng Bộ Công an cho các tập thể, cá nhân có thành "
              "tích xuất sắc trong công tác phòng, chống dịch COVID-19",
        bases=[f"Căn cứ {b}" for b in issuers.legal_bases()],
        paragraphs=["Thực hiện Kế hoạch sơ kết công tác phòng, chống dịch COVID-19 của lực lượng Công an "
                    "nhân dân, trên cơ sở đề nghị của Công an các đơn vị, địa phương và kết quả xét duyệt "
                    "của Hội đồng Thi đua - Khen thưởng Bộ Công an, Văn phòng Bộ kính trình Bộ trưởng xem "
                    "xét, quyết định khen thưởng như sau:"],
        groups=[sample_group()],
        closing="Văn phòng Bộ kính trình Bộ trưởng xem xét, quyết định./.",
    )


def sample_decision(*, draft: bool = False) -> DecisionDocument:
    ministry = issuers.ministry()
    number = None if draft else "12/QĐ-BCA"
    heading = _heading(ministry, "QĐ", number,
                       ["Như Điều 3", "Đồng chí Bộ trưởng (để báo cáo)", "Lưu: VT, V01"], "QD7M-K2PA")
    reference = (f"(Kèm theo Quyết định số {number} ngày 05/9/2021 của Bộ trưởng Bộ Công an)" if number else
                 "(Kèm theo Quyết định số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/QĐ-BCA ngày "
                 "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0 của Bộ trưởng Bộ Công an)")
    group = sample_group()
    return DecisionDocument(
        heading=heading,
        title="Về việc tặng Bằng khen của Bộ trưởng Bộ Công an",
        bases=[f"Căn cứ {b}" for b in issuers.legal_bases()]
        + ["Căn cứ Nghị định số 02/2025/NĐ-CP ngày 18 tháng 02 năm 2025 của Chính phủ quy định chức năng, "
           "nhiệm vụ, quyền hạn và cơ cấu tổ chức của Bộ Công an"],
        proposal=f"Theo đề nghị của {ministry.proposer}.",
        articles=[
            f"Tặng Bằng khen của Bộ trưởng Bộ Công an cho {len(group.collectives)} tập thể và "
            f"{len(group.individuals)} cá nhân (có danh sách kèm theo) đã có thành tích xuất sắc trong công "
            "tác phòng, chống dịch COVID-19.",
            "Quyết định này có hiệu lực kể từ ngày ký.",
            "Chánh Văn phòng Bộ Công an, Thủ trưởng các đơn vị có liên quan và các tập thể, cá nhân có tên "
            "trong danh sách chịu trách nhiệm thi hành Quyết định này.",
        ],
        group=group,
        list_title="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN",
        list_reference=reference,
    )


def sample_summary(*, draft: bool = False):
    doc = sample_documents.sample_summary()
    fields = {f.name for f in dataclasses.fields(doc)}
    if "heading" in fields and draft:
        doc = dataclasses.replace(doc, heading=dataclasses.replace(doc.heading, number=None, issued_on=None))
    if "assessment" in fields and draft:
        doc = dataclasses.replace(doc, assessment=AssessmentSections(
            overall="Công an các đơn vị, địa phương đã triển khai quyết liệt các biện pháp phòng, chống dịch."))
    return doc


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    docs = {
        "bao-cao": sample_summary(),
        "bao-cao-du-thao": sample_summary(draft=True),
        "to-trinh": sample_proposal(),
        "quyet-dinh": sample_decision(),
        "quyet-dinh-du-thao": sample_decision(draft=True),
    }
    for name, doc in docs.items():
        (out / f"{name}.docx").write_bytes(render_docx(doc))
        print(out / f"{name}.docx")
    try:  # the same model through WeasyPrint, to compare with
        from chalicelib.documents.render import render_summary_pdf

        (out / "bao-cao.weasyprint.pdf").write_bytes(render_summary_pdf(docs["bao-cao"]))
    except Exception as exc:  # noqa: BLE001 - a preview: say why and go on
        print(f"(no WeasyPrint PDF of the summary: {exc})")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/docx-preview"))
