"""`make demo` end to end (into a temporary folder): both documents, the draft and the final
commendation list, the workbook, and one email per recipient carrying both PDFs."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from chalicelib.core.text import sort_key
from devtools.stack import ROOT

pytestmark = pytest.mark.slow


def text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run([sys.executable, "-m", "devtools.demo"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "THIDUA_DEMO_OUT": str(out)}, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    paths = dict(re.findall(r"^\s+(báo cáo tổng hợp|danh sách \(dự thảo\)|danh sách \(chính thức\)|bảng tính):\s+(\S+)",
                            done.stdout, re.M))
    return {"out": out, **{k: Path(v) for k, v in paths.items()}}


def test_the_commendation_lists_group_by_precedence_sort_vietnamese_and_mark_only_the_draft(demo):
    draft, final = text(demo["danh sách (dự thảo)"]), text(demo["danh sách (chính thức)"])
    assert "DỰ THẢO" in draft and "DỰ THẢO" not in final
    assert "Số: 01/DS-BCA" in final and "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in final
    flat = " ".join(final.split())
    order = [flat.index(h) for h in ("CỜ THI ĐUA CỦA BỘ CÔNG AN", "BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG AN", "GIẤY KHEN")]
    assert order == sorted(order)
    # within the Bằng khen collectives: Vietnamese alphabetical order
    group = flat[flat.index("BẰNG KHEN CỦA BỘ TRƯỞNG"):flat.index("Cá nhân", flat.index("BẰNG KHEN CỦA BỘ TRƯỞNG"))]
    names = [n for n in ("Bệnh viện 19-8", "Bệnh viện 199", "Tiểu đoàn Cảnh sát cơ động số 1",
                         "Tổ truy vết Công an tỉnh Nghệ An") if n in group]
    assert len(names) >= 2
    assert [group.index(n) for n in names] == sorted(group.index(n) for n in names)
    assert names == sorted(names, key=sort_key)


def test_the_first_conference_email_carries_both_pdfs(demo):
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted((demo["out"] / "outbox").glob("*.eml"))]
    to_minister = [m for m in messages if "botruong@" in m["To"]]
    assert len(to_minister) == 2  # the first compile (both documents), then the final list only
    first, second = sorted(to_minister, key=lambda m: len(list(m.iter_attachments())), reverse=True)
    names = [a.get_filename() for a in first.iter_attachments()]
    assert names == ["bao-cao-tong-hop-so-01-BC-BCA.pdf", "danh-sach-de-nghi-khen-thuong-du-thao-v1.pdf"]
    assert all(a.get_content_type() == "application/pdf" for a in first.iter_attachments())
    assert [a.get_filename() for a in second.iter_attachments()] == ["danh-sach-de-nghi-khen-thuong-so-01-DS-BCA.pdf"]


def test_the_workbook_holds_the_ranked_shortlist_and_the_final_list(demo):
    from openpyxl import load_workbook

    book = load_workbook(demo["bảng tính"])
    assert book.sheetnames == ["Xếp hạng", "Danh sách khen thưởng"]
    assert book["Danh sách khen thưởng"]["A1"].value == "DANH SÁCH KHEN THƯỞNG"
    assert text(demo["báo cáo tổng hợp"]).count("BÁO CÁO") >= 1
