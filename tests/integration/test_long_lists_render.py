"""Issue 20: long lists render on every core. A decision's list of thousands of names and the
summary's tables by unit are cut between rows (no table is one block the parallel render cannot
split); the parts give the same rows, numbered on, in order, with their header row at the top of
each page, as one render does."""

from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest

from chalicelib.documents import parallel
from chalicelib.documents.model import AwardEntry
from chalicelib.documents.render import ROWS_PER_PART, html_to_pdf, layout_html, render_decision_html
from devtools.sample_documents import sample_decisions

pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
ENTRIES = 5 * ROWS_PER_PART + 7


def text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return out.replace("\u00a0", " ")


def long_decision():
    doc = sample_decisions()[1]
    people = [AwardEntry(f"Nguyễn Văn Số{n:04d}", "Thiếu tá, Đội trưởng", "Công an tỉnh Nghệ An", "")
              for n in range(1, ENTRIES + 1)]
    return dataclasses.replace(doc, group=dataclasses.replace(doc.group, collectives=[], individuals=people))


@pytest.fixture(scope="module")
def renders():
    html = render_decision_html(long_decision())
    return html, html_to_pdf(html), parallel.render_many([html], layout_html, workers=3, min_cost=0)[0]


def test_the_list_is_cut_between_rows_into_blocks_the_plan_can_share_out(renders):
    html, _, _ = renders
    blocks = parallel.split(html).blocks
    assert len(blocks) >= 1 + ENTRIES // ROWS_PER_PART  # the decision, then the list in pieces of rows
    assert max(parallel.cost(b) for b in blocks) < 0.4 * sum(parallel.cost(b) for b in blocks)
    # rendered whole, the cuts vanish: one table, as before
    assert parallel.seamless(html).count("<table class=\"data awards") == 1


def test_parts_give_every_row_once_in_order_numbered_on(renders):
    _, single, split = renders
    for pdf in (single, split):
        names = re.findall(r"(\d+)\s+Nguyễn Văn Số(\d{4})", text(pdf))
        assert [(int(a), int(b)) for a, b in names] == [(n, n) for n in range(1, ENTRIES + 1)]
        assert text(pdf).count("Họ và tên") >= 2  # the header row heads each page of the list


def test_the_old_commendation_list_is_cut_too_and_renders_in_parts_as_one():
    from chalicelib.documents.model import CommendationEntry, CommendationGroup
    from chalicelib.documents.render import render_commendations_html
    from devtools.sample_documents import sample_commendations

    doc = sample_commendations()
    people = [CommendationEntry(f"Nguyễn Văn Số{n:04d}", "Thiếu tá", "Công an tỉnh Nghệ An", "Hoàn thành tốt.")
              for n in range(1, ENTRIES + 1)]
    doc = dataclasses.replace(doc, groups=[CommendationGroup(doc.groups[0].award_form_name, "individual", people)])
    html = render_commendations_html(doc)
    assert len(parallel.split(html).blocks) >= ENTRIES // ROWS_PER_PART
    for pdf in (html_to_pdf(html), parallel.render_many([html], layout_html, workers=2, min_cost=0)[0]):
        # (a narrow name column wraps "Nguyễn Văn" and "Số0001" apart: the names' numbers, in order)
        assert [int(n) for n in re.findall(r"Số(\d{4})", text(pdf))] == list(range(1, ENTRIES + 1))
    assert f'<td class="tt">{ENTRIES}</td>' in html  # numbered on across the cuts
