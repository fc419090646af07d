"""The demo documents as DOCX, next to their WeasyPrint PDFs, for `make docx-preview`, which
converts the DOCX files to PDF with LibreOffice to look at (issued and draft versions).

    python -m devtools.docx_preview out/docx-preview

The models come from the chain's own builders (chalicelib/awards/decisions.py) over the
sample conference of devtools/sample_documents.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import sys
from pathlib import Path

from chalicelib.awards import decisions
from chalicelib.documents import issuers
from chalicelib.documents.docx import render_docx
from chalicelib.documents.model import (
    AssessmentSections,
    DecisionDocument,
    Heading,
    IndicatorLine,
    ProposalDocument,
    SummaryDocument,
    UnitRow,
)
from devtools import sample_documents as sd

ISSUED_ON = datetime.date(2021, 9, 5)
VERIFY = "https://thidua.bocongan.example/xac-thuc/"
CONFERENCE = {
    "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19 của lực lượng Công an nhân dân",
    "place": "Hà Nội",
}
# The sample units as the unit tree has them: (id, name, kind, parent).
UNIT_KINDS = {"cuc-y-te": "department", "bv-19-8": "hospital", "bv-199": "hospital", "bv-yhct": "hospital"}
PARENTS = {"ca-tp-vinh": "ca-nghe-an", "ca-nghi-loc": "ca-nghe-an", "bv-19-8": "cuc-y-te", "bv-199": "cuc-y-te",
           "bv-yhct": "cuc-y-te"}
# The sample nominations' form codes -> the catalog's.
FORMS = {"bk-ttg": "co-thi-dua-bo-cong-an", "bk-bct": "bang-khen-bo-truong", "gk-cvp": "giay-khen"}


def units() -> list[dict]:
    out = [{"id": "bo-cong-an", "name": "Bộ Công an", "kind": "ministry", "parent_id": None}]
    for uid, name, _depth, _figures in sd.UNITS:
        kind = UNIT_KINDS.get(uid, "province")
        out.append({"id": uid, "name": name, "kind": kind, "parent_id": PARENTS.get(uid, "bo-cong-an"),
                    "place": issuers.place_name(name) if kind == "province" else "Hà Nội"})
    return out


def nominations() -> list[dict]:
    """The sample nominations, approved; the Cờ thi đua only for collectives, and two Giấy
    khen of Công an tỉnh Nghệ An's Giám đốc so that a unit head's decision is shown too."""
    out = []
    for n in sd.sample_nominations():
        form = FORMS[n["award_form"]]
        if form == "co-thi-dua-bo-cong-an" and n["kind"] != "collective":
            form = "bang-khen-bo-truong"
        out.append({**n, "award_form": form, "status": "approved"})
    out += [
        {"id": "nom-gk-1", "kind": "individual", "name": "Trần Văn Hùng", "position": "Thiếu tá, Phó Đội trưởng",
         "nominee_unit_id": "ca-tp-vinh", "award_form": "giay-khen", "status": "approved",
         "achievements": "Tham gia truy vết 1.200 trường hợp tiếp xúc gần."},
        {"id": "nom-gk-2", "kind": "collective", "name": "Đội Cảnh sát giao thông Công an huyện Nghi Lộc",
         "position": "", "nominee_unit_id": "ca-nghi-loc", "award_form": "giay-khen", "status": "approved",
         "achievements": "Duy trì 4 chốt kiểm soát phòng, chống dịch trên Quốc lộ 1A."},
    ]
    return out


def heading(issuer, kind: str, *, draft: bool, number: int, recipients: list[str], code: str) -> Heading:
    return Heading(issuer=issuer, kind_abbreviation=kind, number=None if draft else f"{number:02d}/{issuer.symbol(kind)}",
                   issued_on=None if draft else ISSUED_ON, year=ISSUED_ON.year, recipients=recipients,
                   verify_url=VERIFY + code, verify_code=code)


def sample_proposal(*, draft: bool = False) -> ProposalDocument:
    h = heading(issuers.office(), "TTr", draft=draft, number=15, code="TT5R-2QKD",
                recipients=["Như trên", "Đồng chí Thứ trưởng Lê Văn Minh (để báo cáo)", "Lưu: VT, V01"])
    return decisions.build_proposal(CONFERENCE, nominations(), units(), heading=h)


def sample_decisions(*, draft: bool = False) -> list[DecisionDocument]:
    out = []
    for i, plan in enumerate(decisions.plan_decisions(CONFERENCE, nominations(), units()), start=12):
        h = heading(plan.issuer, "QĐ", draft=draft, number=i, code=f"QD{i}M-K2PA",
                    recipients=["Như Điều 3", "Đồng chí Bộ trưởng (để báo cáo)", "Lưu: VT, V01"])
        proposed = not draft and plan.issuer.id == issuers.ministry().id  # the Tờ trình proposes the Minister's
        out.append(decisions.build_decision(plan, units(), heading=h,
                                            proposal_ref="Tờ trình số 15/TTr-V01 ngày 01/9/2021" if proposed else None))
    return out


def sample_summary(*, draft: bool = False) -> SummaryDocument:
    rows = [UnitRow(uid, name, depth, dict(zip(sd.CODES, figures))) for uid, name, depth, figures in sd.UNITS]
    level1 = [r for r in rows if r.depth == 1]
    totals = {c: sum(v for r in level1 if (v := r.values[c]) is not None) for c in sd.CODES}
    ministry_row = UnitRow("bo-cong-an", "Bộ Công an (tổng cộng)", 0, totals)
    h = heading(issuers.ministry(), "BC", draft=draft, number=7, code="7K3F-Q2MD",
                recipients=["Đồng chí Bộ trưởng (để báo cáo)", "Các đồng chí Thứ trưởng (để báo cáo)",
                            "Công an các đơn vị, địa phương", "Lưu: VT, V01"])
    h = dataclasses.replace(h, issued_on=None if draft else datetime.date(2021, 8, 5))
    return SummaryDocument(
        heading=h,
        title="Kết quả công tác phòng, chống dịch COVID-19 tháng 7 và tháng 8 năm 2021",
        period_label="tháng 7 và tháng 8 năm 2021",
        previous_label="tháng 5 và tháng 6 năm 2021",
        indicators=[IndicatorLine(c, label, unit, totals[c], sd.PREVIOUS[c]) for c, label, unit in sd.INDICATORS],
        main_indicator_codes=["officers_mobilised", "tracing_teams", "citizens_escorted", "violations_warned",
                              "violations_penalised"],
        unit_rows=[ministry_row, *rows],
        highlights=sd.HIGHLIGHTS,
        completeness=sd.COMPLETENESS,
        assessment=AssessmentSections(
            overall="Công an các đơn vị, địa phương đã triển khai quyết liệt, đồng bộ các biện pháp phòng, "
                    "chống dịch, vừa bảo đảm an ninh, trật tự vừa hỗ trợ người dân.",
            directions="Tiếp tục duy trì các tổ truy vết.\nBảo đảm an ninh, trật tự tại các khu cách ly.",
        ),
    )


def documents() -> dict[str, object]:
    docs: dict[str, object] = {
        "bao-cao": sample_summary(),
        "bao-cao-du-thao": sample_summary(draft=True),
        "to-trinh": sample_proposal(),
        "to-trinh-du-thao": sample_proposal(draft=True),
    }
    for i, doc in enumerate(sample_decisions(), start=1):
        docs[f"quyet-dinh-{i}"] = doc
    docs["quyet-dinh-1-du-thao"] = sample_decisions(draft=True)[0]
    return docs


def main(out: Path, *, pdf: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in documents().items():
        (out / f"{name}.docx").write_bytes(render_docx(doc))
        print(out / f"{name}.docx")
        if pdf:  # the same model through WeasyPrint, to compare with
            from chalicelib.documents.render import render_pdf

            (out / f"{name}.weasyprint.pdf").write_bytes(render_pdf(doc))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/docx-preview"), pdf="--no-pdf" not in sys.argv)
