"""Issue 10: a long summary rendered in parts on several processes is the same document as a
single render: the same text, page numbers centred in the top margin from page 2, in order,
across the part boundaries; only the bundled fonts; and small documents fork nothing."""

from __future__ import annotations

import io
import os

import pytest
from pypdf import PdfReader

from chalicelib.documents import parallel
from chalicelib.documents.render import html_to_pdf, layout_html, render_summary_html
from bench.compile import body_text, margin_numbers, national_summary
from helpers import MM, positioned_text

TOP_MARGIN = 842 - 20 * MM

# Under pytest-xdist the worker process carries execnet's I/O thread (started with _thread, so
# threading.active_count() does not see it and the render forks, as on Lambda, where the handler
# runs alone); Python then warns that forking a multi-threaded process may deadlock. That thread
# holds no lock the render takes. Without xdist no warning is raised.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")


def body_and_numbers(pdf: bytes, tmp_path) -> tuple[str, list[str]]:
    """As poppler reads it (it places the charts' SVG text where it is drawn)."""
    path = tmp_path / f"{hash(pdf)}.pdf"
    path.write_bytes(pdf)
    return body_text(path), margin_numbers(path)


@pytest.fixture(scope="module")
def renders():
    html = render_summary_html(national_summary(12, 3, annex=True))
    single = html_to_pdf(html)
    # min_cost=0: this small document is cut as a long one would be, into three parts
    split = parallel.render_many([html], layout_html, workers=3, min_cost=0)[0]
    return html, single, split


def test_the_document_is_cut_at_unit_boundaries_into_balanced_parts(renders):
    html, _, _ = renders
    doc = parallel.split(html)
    assert len(doc.blocks) > 12  # a marker before each unit of section IV and of the annex
    costs = [parallel.cost(b) for b in doc.blocks]
    ranges = parallel.plan(costs, 3)
    assert [r[0] for r in ranges][0] == 0 and ranges[-1][1] == len(costs)
    assert all(a < b for a, b in ranges) and all(x[1] == y[0] for x, y in zip(ranges, ranges[1:]))
    sizes = [sum(costs[a:b]) for a, b in ranges]
    assert max(sizes) <= max(max(costs), 1.6 * sum(sizes) / 3)  # a block (a chart, a table) is never cut


def test_parallel_parts_give_the_same_text_and_continuous_page_numbers(renders, tmp_path):
    _, single, split = renders
    single_text, single_numbers = body_and_numbers(single, tmp_path)
    split_text, split_numbers = body_and_numbers(split, tmp_path)
    # Prose is the same, in order. Before it, a part boundary moves page breaks: a table
    # continued on one more page repeats its header row once more, and a chart beside a
    # table is read in another order, so there the same words are asked for, not their count.
    assert set(split_text.split()) == set(single_text.split())
    section_iv = single_text.index("IV. MỘT SỐ KẾT QUẢ NỔI BẬT")
    assert split_text[split_text.index("IV. MỘT SỐ KẾT QUẢ NỔI BẬT"):] == single_text[section_iv:]
    assert split_numbers[0] == "" and split_numbers[1:] == [str(n) for n in range(2, len(split_numbers) + 1)]
    assert single_numbers[1:] == [str(n) for n in range(2, len(single_numbers) + 1)]
    assert len(split_numbers) - len(single_numbers) in (0, 1, 2)  # a new page at most per part boundary


def test_the_numbers_come_from_one_small_sheet_not_a_laid_out_page_each(monkeypatch, tmp_path):
    """Laying out one empty numbered page per stamp cost 5 ms a page on the parent's core while
    the parts were drawn; the numbers are set once, on a few lines per page, and moved up."""
    def refuse(*args, **kwargs):
        raise AssertionError("fell back to one laid-out page per number")
    monkeypatch.setattr(parallel, "page_numbers_html", refuse)
    html = render_summary_html(national_summary(12, 3, annex=True))
    pdf = parallel.render_many([html], layout_html, workers=2, min_cost=0)[0]
    _, numbers = body_and_numbers(pdf, tmp_path)
    assert numbers[0] == "" and numbers[1:] == [str(n) for n in range(2, len(numbers) + 1)]
    sheet = html_to_pdf(parallel.number_sheet_html(parallel.split(html), 98, 30))
    stamps = parallel.stamps_from_sheet(sheet, 98, 30)
    assert stamps is not None and len(stamps) == 30
    assert parallel.stamps_from_sheet(sheet, 98, 31) is None  # a sheet that does not match is refused


def test_stamped_numbers_sit_where_a_single_render_puts_them(renders):
    _, single, split = renders
    def number_positions(pdf):
        reader = PdfReader(io.BytesIO(pdf))
        return [[(round(x), round(y)) for x, y, t in positioned_text(p) if y > TOP_MARGIN] for p in reader.pages]
    one, many = number_positions(single), number_positions(split)
    # the same x (centred) and y for one-digit and two-digit numbers alike
    assert many[1] == one[1] and many[-1][0][1] == one[-1][0][1]
    assert abs(many[len(many) - 1][0][0] - one[len(one) - 1][0][0]) <= 1 if len(many) == len(one) else True


def test_only_the_bundled_fonts_and_each_subset_named_once(renders):
    _, _, split = renders
    reader = PdfReader(io.BytesIO(split))
    names: dict[str, set[int]] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            names.setdefault(str(ref.get_object()["/BaseFont"]), set()).add(ref.idnum)
    assert {n.split("+", 1)[-1] for n in names} <= {"Liberation-Serif", "Liberation-Serif-Bold",
                                                   "Liberation-Serif-Italic", "Liberation-Serif-Bold-Italic"}
    # different subsets (one per part, one for the stamped numbers) never share a name
    assert all(len(objects) == 1 for objects in names.values()), names


def test_small_documents_and_one_worker_fork_nothing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("forked for a small document")
    monkeypatch.setattr(parallel, "run_forked", refuse)
    html = render_summary_html(national_summary(3, 2))
    pdf = parallel.render_many([html], layout_html, workers=4)[0]
    assert pdf.startswith(b"%PDF")
    assert parallel.render_many([html], layout_html, workers=1, min_cost=0)[0].startswith(b"%PDF")


def test_no_fork_while_other_threads_run(monkeypatch):
    """The local stage compiles in a background thread of `chalice local`: forking there could
    leave a lock held forever in the child, so it renders in one process."""
    import threading

    def refuse(*args, **kwargs):
        raise AssertionError("forked while another thread runs")
    monkeypatch.setattr(parallel, "run_forked", refuse)
    html = render_summary_html(national_summary(3, 2))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert parallel.render_many([html], layout_html, workers=3, min_cost=0)[0].startswith(b"%PDF")
    finally:
        stop.set()
        other.join()


def test_a_failing_part_raises_and_leaves_no_process(renders, monkeypatch):
    # The forked path is what is tested. A thread an earlier test on this worker left behind (the
    # browser stack's proxy, idle in accept() until the session ends) would turn it off: not forking
    # beside other threads is test_no_fork_while_other_threads_run's subject, not this one's.
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    forked = []
    real_run_forked = parallel.run_forked
    monkeypatch.setattr(parallel, "run_forked", lambda *a, **k: forked.append(1) or real_run_forked(*a, **k))
    html, _, _ = renders
    def broken(source):
        if "PHỤ LỤC" in source:
            raise ValueError("broken part")
        return layout_html(source)
    before = _all_children()  # e.g. the session's DynamoDB Local, started by an earlier test
    with pytest.raises(parallel.RenderFailed, match="broken part"):
        parallel.render_many([html], broken, workers=2, min_cost=0)
    assert forked, "the parts were not rendered in forked processes"
    assert _all_children() == before


def _all_children() -> set[str]:
    return {c for task in os.listdir(f"/proc/{os.getpid()}/task") for c in _children(task)}


def _children(task: str) -> list[str]:
    return open(f"/proc/{os.getpid()}/task/{task}/children").read().split()


def test_worker_count_zero_is_one_per_cpu():
    assert parallel.worker_count(0) == len(os.sched_getaffinity(0))
    assert parallel.worker_count(3) == 3
