"""Rendering long documents on every core.

WeasyPrint lays out and draws on one core. A long summary (every unit's achievements,
period by period, in an annex) is cut into parts of about equal expected cost at the
``<!--thidua:part-->`` markers its template puts between units and before annexes;
each part is rendered by its own forked process with the page numbers left out; the
parts are joined with pypdf, and the page numbers are stamped from one cheap
WeasyPrint render of empty pages that carry only the document's own ``@page`` rules,
so they sit exactly where a single render puts them. The text is the same as a single
render's; a part boundary inside the annex starts a new page (the unit that follows
begins at the top of it), so the page count may differ by one per boundary.

AWS Lambda has no /dev/shm: ``multiprocessing.Pool``, ``Queue`` and
``ProcessPoolExecutor`` fail there. Plain forked ``Process``es with ``Pipe``s work.

Nothing here imports WeasyPrint or pypdf at import time.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
import traceback
from dataclasses import dataclass
from typing import Callable, Sequence

log = logging.getLogger("thidua.render")

PART = "<!--thidua:part-->"
# A long table is cut too, between rows: its template closes it just before a PART marker
# (from CUT on) and opens it again, header row and all, just after (up to JOIN). Blocks
# rendered together drop that close-and-reopen, so the table runs on as one; a part that
# begins mid-table starts with the reopened table at the top of its own page.
CUT = "<!--thidua:cut-->"
JOIN = "<!--thidua:join-->"
# Parts are rendered without page numbers; the assembled document gets them stamped.
NO_PAGE_NUMBERS = "<style>@page { @top-center { content: none; } }</style>"
# Below this expected cost (about 3 s, 50 pages of prose) a document is rendered in one
# process: forking, parsing the stylesheet again and joining would cost more than they save.
MIN_PARALLEL_COST = 150_000.0
# Expected cost of a block in "characters of prose": table cells and images cost more
# to lay out than their text says (measured on the 100-unit summary).
CELL_COST = 40.0
IMAGE_COST = 7000.0

_TAG = re.compile(r"<[^>]*>")
_CELL = re.compile(r"<t[dh][\s>]")
_IMAGE = re.compile(r"<img[\s>]")


class RenderFailed(RuntimeError):
    """A render process failed or died; the message carries its traceback."""


@dataclass(frozen=True)
class Split:
    head: str                # "<!DOCTYPE html>...<body>"
    blocks: list[str]        # the body, cut at every PART marker
    tail: str                # "</body></html>"

    def html(self, blocks: Sequence[str], *, numbered: bool = True) -> str:
        head = self.head if numbered else self.head.replace("</head>", NO_PAGE_NUMBERS + "</head>", 1)
        return head + join(blocks) + self.tail


def join(blocks: Sequence[str]) -> str:
    """Blocks back together; a table cut between two of them (CUT ... JOIN) runs on as one."""
    out: list[str] = []
    for block in blocks:
        if out and out[-1].rfind(CUT) > out[-1].rfind(JOIN) and JOIN in block:
            out[-1] = out[-1][:out[-1].rindex(CUT)]
            block = block[block.index(JOIN) + len(JOIN):]
        out.append(block)
    return "".join(out)


def seamless(html: str) -> str:
    """The document as one render lays it out: every cut table whole again."""
    if CUT not in html:
        return html
    doc = split(html)
    return doc.head + join(doc.blocks) + doc.tail


def split(html: str) -> Split:
    start = html.index(">", html.index("<body")) + 1
    end = html.rindex("</body>")
    return Split(html[:start], html[start:end].split(PART), html[end:])


def cost(block: str) -> float:
    """Expected layout and drawing cost of a block of HTML, in characters of prose."""
    text = len(_TAG.sub("", block))
    return text + CELL_COST * len(_CELL.findall(block)) + IMAGE_COST * len(_IMAGE.findall(block))


def plan(costs: Sequence[float], parts: int) -> list[tuple[int, int]]:
    """Cut blocks [0, n) into at most `parts` contiguous ranges whose costs are as even as
    possible (the smallest largest range; blocks are never cut)."""
    n = len(costs)
    parts = max(1, min(parts, n))
    prefix = [0.0]
    for c in costs:
        prefix.append(prefix[-1] + c)

    def cuts_for(limit: float) -> list[int] | None:
        cuts, start = [], 0
        while start < n:
            end = start + 1
            if prefix[end] - prefix[start] > limit:
                return None
            while end < n and prefix[end + 1] - prefix[start] <= limit:
                end += 1
            cuts.append(end)
            start = end
        return cuts if len(cuts) <= parts else None

    low, high = max(costs, default=0.0), prefix[-1]
    best = cuts_for(high) or [n]
    for _ in range(60):  # bisect the largest part's cost
        if high - low <= 1e-6 * max(1.0, high):
            break
        middle = (low + high) / 2
        found = cuts_for(middle)
        if found is None:
            low = middle
        else:
            best, high = found, middle
    ranges, start = [], 0
    for end in best:
        ranges.append((start, end))
        start = end
    return ranges


def worker_count(setting: int) -> int:
    """THIDUA_RENDER_WORKERS: 0 means one per CPU this process may use."""
    if setting > 0:
        return setting
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# -- processes ---------------------------------------------------------------------------

# Messages from a render process: a piece's page count as soon as it is laid out, then
# the result (length-prefixed PDFs, one per piece) or the failure.
_PAGES, _DONE, _FAILED = b"p", b"d", b"f"


@dataclass(frozen=True)
class Piece:
    doc: int          # which document
    first: int        # its blocks [first, end)
    end: int
    numbered: bool    # rendered with its own page numbers (a whole document, or its first part)


def _child(conn, job: Callable[[Callable[[int, int], None]], list[bytes]]) -> None:
    # Nothing the render allocates outlives the process: skip the collector's passes
    # (they walk the growing layout tree again and again).
    gc.disable()
    try:
        pdfs = job(lambda piece, pages: conn.send_bytes(_PAGES + piece.to_bytes(4, "big") + pages.to_bytes(4, "big")))
        data = _DONE + b"".join(len(pdf).to_bytes(8, "big") + pdf for pdf in pdfs)
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        data = _FAILED + traceback.format_exc().encode()
    try:
        conn.send_bytes(data)
    finally:
        conn.close()


def run_forked(jobs: Sequence[Callable[[Callable[[int, int], None]], list[bytes]]],
               on_pages: Callable[[int, int, int], None] = lambda job, piece, pages: None) -> list[list[bytes]]:
    """Run every job in its own forked process at once; each job's list of PDFs, in order.

    A job calls its argument with (piece, pages) once a piece is laid out; the parent
    passes that on to `on_pages(job, piece, pages)` while the job goes on drawing.
    Plain Process + Pipe: no semaphores, no /dev/shm (AWS Lambda).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    results: list[list[bytes] | None] = [None] * len(jobs)
    running: dict[object, tuple[int, object]] = {}
    gc.collect()
    gc.freeze()  # the children never write to the parent's objects' GC headers: fewer pages copied
    try:
        for index, job in enumerate(jobs):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(sender, job), daemon=True)
            process.start()
            sender.close()
            running[receiver] = (index, process)
        while running:
            for receiver in wait(list(running)):
                index, process = running[receiver]
                try:
                    data = receiver.recv_bytes()
                except EOFError:
                    data = _FAILED + b"render process exited without a result"
                if data[:1] == _PAGES:
                    on_pages(index, int.from_bytes(data[1:5], "big"), int.from_bytes(data[5:9], "big"))
                    continue
                del running[receiver]
                receiver.close()
                process.join()
                if data[:1] != _DONE:
                    raise RenderFailed(data[1:].decode(errors="replace"))
                pdfs, offset = [], 1
                while offset < len(data):
                    size = int.from_bytes(data[offset:offset + 8], "big")
                    pdfs.append(data[offset + 8:offset + 8 + size])
                    offset += 8 + size
                results[index] = pdfs
    finally:
        for receiver, (_, process) in running.items():
            process.terminate()
            process.join()
            receiver.close()
        gc.unfreeze()
    return [r or [] for r in results]


# -- assembling ------------------------------------------------------------------------

def page_numbers_html(doc: Split, first: int, pages: int) -> str:
    """`pages` empty pages numbered from `first` under the document's own stylesheet: only
    the margin boxes (the page numbers) are drawn. The slow way (WeasyPrint lays out every
    page, about 5 ms each); `number_sheet_html` is the fast one, this the fallback."""
    start = ("<style>@page :first { counter-increment: page %d; @top-center { content: counter(page); } }</style>"
             % first)
    body = "<div></div>" + '<div style="break-before: page"></div>' * (pages - 1)
    return doc.head.replace("</head>", start + "</head>", 1) + body + doc.tail


# One line per page number, set like the top-centre margin box: the same font and size,
# centred across the same width (the page between its left and right margins).
_SHEET_STYLE = ("<style>@page :first { counter-increment: page %d; @top-center { content: counter(page); } }"
                ".thidua-pn { margin: 0; padding: 0; text-indent: 0; text-align: center; font-family: "
                "\"Liberation Serif\"; font-size: 13pt; font-weight: normal; font-style: normal; "
                "letter-spacing: normal; word-spacing: normal; }</style>")


def number_sheet_html(doc: Split, first: int, pages: int) -> str:
    """The numbers first .. first+pages-1, one per line, on a few pages; its first page also
    carries `first` in its own top margin (where the stamps must sit)."""
    lines = "".join(f'<div class="thidua-pn">{n}</div>' for n in range(first, first + pages))
    return doc.head.replace("</head>", _SHEET_STYLE % first + "</head>", 1) + lines + doc.tail


# The text operators of a WeasyPrint content stream: where a run starts, its font, its glyphs.
_TEXT_OP = re.compile(rb"1 0 0 -1 ([-\d.]+) ([-\d.]+) Tm|(/[^\s/\[\]<>()]+) ([\d.]+) Tf|(\[[^\]]*\]) TJ")
_PAGE_CM = re.compile(rb"^(1 0 0 -1 0 [\d.]+ cm)\nq\n([\d.]+ 0 0 [\d.]+ 0 0 cm)\n")
TOP_MARGIN_PX = 20 / 25.4 * 96  # the @page top margin in the CSS pixels WeasyPrint draws in


@dataclass(frozen=True)
class Stamp:
    """What `_overlay` lays over a page: a content stream and the resources it names."""
    data: bytes
    resources: object   # a pypdf dictionary

    def get_contents(self):  # the page-like interface of a pypdf page, for _overlay
        return self

    def get_data(self) -> bytes:
        return self.data

    def __getitem__(self, key: str):
        if key != "/Resources":
            raise KeyError(key)
        return self.resources


def _text_runs(data: bytes) -> list[tuple[float, float, bytes, bytes, bytes]] | None:
    """(x, y, font, size, TJ array) of every glyph run, in drawing order."""
    runs, x, y, font, size = [], None, None, None, None
    for match in _TEXT_OP.finditer(data):
        if match.group(1) is not None:
            x, y = float(match.group(1)), float(match.group(2))
        elif match.group(3) is not None:
            font, size = match.group(3), match.group(4)
        else:
            if x is None or font is None:
                return None
            runs.append((x, y, font, size, match.group(5)))
    return runs


def stamps_from_sheet(sheet: bytes, first: int, pages: int) -> list[Stamp] | None:
    """Each number's glyph run as WeasyPrint set it on the sheet (its shaping and centring),
    moved up into the top margin, where the sheet's own first page number sits. None when
    the sheet is not what this expects (the caller then lays every stamp page out)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(sheet))
    margin: list[tuple[float, float]] = []
    lines: list[tuple[float, bytes, bytes, bytes]] = []
    prefix = b""
    for page in reader.pages:
        data = page.get_contents().get_data()
        cm = _PAGE_CM.match(data)
        runs = _text_runs(data)
        if cm is None or runs is None:
            return None
        prefix = prefix or cm.group(1) + b"\nq\n" + cm.group(2) + b"\n"
        for x, y, font, size, array in runs:
            if y < TOP_MARGIN_PX:
                margin.append((x, y))
            else:
                lines.append((x, font, size, array))
    fonts = {font for _, font, _, _ in lines}
    # The sheet's own first number and its line for the same number must be set alike.
    if not margin or len(lines) != pages or len(fonts) != 1 or abs(margin[0][0] - lines[0][0]) > 0.01:
        return None
    top = b"%f" % margin[0][1]
    _retag_fonts(reader, 10_000 + first)  # the sheet's subset is another subset of the same font
    resources = reader.pages[0]["/Resources"].get_object()
    return [Stamp(prefix + b"q\n0 0 0 rg\nBT\n1 0 0 -1 %f " % x + top + b" Tm\n" + font + b" " + size
                  + b" Tf\n" + array + b" TJ\nET\nQ\nQ\n", resources)
            for x, font, size, array in lines]


def assemble(parts: Sequence[tuple[bytes, bool]], stamps: bytes | Sequence[Stamp] | None) -> bytes:
    """Join the parts' pages; the pages of parts rendered without numbers get `stamps` (the
    pages of a PDF, or `Stamp`s), in order, laid over them."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter()
    readers = [(PdfReader(io.BytesIO(pdf)), numbered) for pdf, numbered in parts]
    stamp_pages = iter(())
    if isinstance(stamps, bytes):
        stamp_reader = PdfReader(io.BytesIO(stamps))
        _retag_fonts(stamp_reader, len(readers))
        stamp_pages = iter(stamp_reader.pages)
    elif stamps:
        stamp_pages = iter(stamps)
    save, restore = DecodedStreamObject(), DecodedStreamObject()
    save.set_data(b"q\n")
    restore.set_data(b"\nQ\n")
    wrap = (writer._add_object(save), writer._add_object(restore))
    for index, (reader, numbered) in enumerate(readers):
        if index:
            _retag_fonts(reader, index)
        start = len(writer.pages)
        writer.append(reader, import_outline=True)
        if not numbered:
            for page in writer.pages[start:]:
                _overlay(writer, page, next(stamp_pages), wrap)
    if readers and readers[0][0].metadata:
        writer.add_metadata({k: v for k, v in readers[0][0].metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retag_fonts(reader, index: int) -> None:
    """WeasyPrint names a font subset after the font, not after its glyphs: two parts'
    different subsets of Liberation Serif carry the same "ABCDEF+" tag, which a viewer
    may take for one font. Give a later part's subsets a tag of their own."""
    import hashlib

    from pypdf.generic import NameObject

    def retag(name: str) -> str:
        tag, plus, rest = name[1:].partition("+")
        if not plus:
            return name
        digest = hashlib.sha256(f"{tag}/{index}".encode()).digest()
        return "/" + "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + rest

    seen: set[int] = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font")
        for ref in (fonts.get_object().values() if fonts is not None else ()):
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            font[NameObject("/BaseFont")] = NameObject(retag(font["/BaseFont"]))
            for descendant in font.get("/DescendantFonts", []):
                cid = descendant.get_object()
                cid[NameObject("/BaseFont")] = NameObject(retag(cid["/BaseFont"]))
                descriptor = cid.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    descriptor[NameObject("/FontName")] = NameObject(retag(descriptor["/FontName"]))


def _overlay(writer, page, stamp, wrap) -> None:
    """Draw `stamp` (a page of another PDF) over `page`: its content stream appended after
    the page's own (wrapped in q/Q, as WeasyPrint leaves its transformation in place), its
    resources added under names of their own. pypdf's merge_page does the same by parsing
    both content streams: 0.6 s for 250 pages."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    data = stamp.get_contents().get_data()
    if not data.strip():
        return
    resources = page["/Resources"].get_object()
    stamp_resources = stamp["/Resources"].get_object()
    for category in ("/Font", "/ExtGState"):
        source = stamp_resources.get(category)
        if source is None:
            continue
        target = resources.get(category)
        if target is None:
            target = resources[NameObject(category)] = DictionaryObject()
        target = target.get_object()
        for name, value in source.get_object().items():
            renamed = "/stamp-" + name[1:]
            data = re.sub(rb"/" + re.escape(name[1:].encode()) + rb"(?=[\s/\[\]<>()])",
                          renamed.encode(), data)
            if renamed not in target:
                target[NameObject(renamed)] = value.clone(writer) if hasattr(value, "clone") else value
    drawing = DecodedStreamObject()
    drawing.set_data(data)
    contents = page.get("/Contents")
    own = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([wrap[0], *own, wrap[1], writer._add_object(drawing)])


# -- the whole -------------------------------------------------------------------------

def render_many(htmls: Sequence[str], layout: Callable[[str], object], *, workers: int,
                min_cost: float = MIN_PARALLEL_COST) -> list[bytes]:
    """PDFs of `htmls` (documents whose templates mark their parts), as a single render
    makes them, on up to `workers` processes.

    `layout(html)` lays a document out (a weasyprint Document: `.pages`, `.write_pdf()`).
    All documents' blocks are cut, in order, into `workers` ranges of about equal cost; a
    range may end one document and begin the next. A document's first part keeps its page
    numbers; the others are rendered without and stamped once the pages before them are
    counted.
    """
    def whole(html: str) -> bytes:
        return layout(html).write_pdf()

    def numbers_for(doc: Split, first: int, pages: int) -> bytes | list[Stamp]:
        sheet = whole(number_sheet_html(doc, first, pages))
        found = stamps_from_sheet(sheet, first, pages)
        if found is None:
            log.warning("page-number sheet not understood: laying out %d stamp pages", pages)
            return whole(page_numbers_html(doc, first, pages))
        return found

    docs = [split(h) for h in htmls]
    costs = [[cost(b) for b in d.blocks] for d in docs]
    total = sum(sum(c) for c in costs)
    if workers > 1 and threading.active_count() > 1:
        # fork() copies only this thread: a lock another thread holds (logging's, say) would stay
        # locked in the child forever. The local stage's background worker renders in one process;
        # Lambda runs the handler alone, and forks.
        log.info("other threads are running: rendering in this process")
        workers = 1
    if workers <= 1 or total < min_cost:
        return [whole(h) for h in htmls]
    flat = [(i, j) for i, d in enumerate(docs) for j in range(len(d.blocks))]
    jobs: list[list[Piece]] = []
    for start, end in plan([costs[i][j] for i, j in flat], workers):
        pieces: list[Piece] = []
        for i, j in flat[start:end]:
            if pieces and pieces[-1].doc == i:
                pieces[-1] = Piece(i, pieces[-1].first, j + 1, pieces[-1].numbered)
            else:
                pieces.append(Piece(i, j, j + 1, j == 0))
        jobs.append(pieces)

    def job_for(pieces: list[Piece]) -> Callable[[Callable[[int, int], None]], list[bytes]]:
        def job(report: Callable[[int, int], None]) -> list[bytes]:
            out = []
            for n, p in enumerate(pieces):
                document = layout(docs[p.doc].html(docs[p.doc].blocks[p.first:p.end], numbered=p.numbered))
                report(n, len(document.pages))
                out.append(document.write_pdf())
                del document
            return out
        return job

    # Page counts as they arrive; a split document's stamps are rendered here, in the
    # parent, as soon as all its parts are laid out (while they are still being drawn).
    pieces_of = {i: [(j, n) for j, job in enumerate(jobs) for n, p in enumerate(job) if p.doc == i]
                 for i in range(len(docs))}
    pages: dict[tuple[int, int], int] = {}
    stamps: dict[int, bytes] = {}

    def on_pages(job: int, piece: int, count: int) -> None:
        pages[(job, piece)] = count
        for i, keys in pieces_of.items():
            if len(keys) > 1 and i not in stamps and all(k in pages for k in keys):
                first = pages[keys[0]]
                rest = sum(pages[k] for k in keys[1:])
                stamps[i] = numbers_for(docs[i], first + 1, rest)

    rendered = run_forked([job_for(p) for p in jobs], on_pages)
    results = []
    for i in range(len(docs)):
        parts = [(rendered[j][n], jobs[j][n].numbered) for j, n in pieces_of[i]]
        results.append(parts[0][0] if len(parts) == 1 else assemble(parts, stamps[i]))
    return results
