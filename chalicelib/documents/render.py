"""Jinja2 environment, asset-only URL fetcher and the renderers of the official documents
(the summary report and the commendation list).

WeasyPrint is imported only inside the ``render_*_pdf`` functions so that importing this
package (e.g. from an API Lambda) never pays its cold-start cost.
"""

from __future__ import annotations

import dataclasses
import re
import mimetypes
import unicodedata
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import chalicelib
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import charts
from .formatting import (
    change,
    document_number,
    lower_first,
    nfc,
    upper_first,
    vn_date_line,
    vn_number,
    vn_percent,
    vn_short_date,
    vn_signed,
    vn_change,
    NOT_SUBMITTED,
    DASH,
)
from .model import CommendationDocument, DecisionDocument, Heading, ProposalDocument, SummaryDocument

# In Lambda this is /var/task/templates (vendor/templates -> ../templates).
TEMPLATES_DIR = Path(chalicelib.__file__).resolve().parent.parent / "templates"
ASSETS_DIR = TEMPLATES_DIR / "assets"
SUMMARY_TEMPLATE = "documents/summary.html.j2"
PROPOSAL_TEMPLATE = "documents/proposal.html.j2"
DECISION_TEMPLATE = "documents/decision.html.j2"
CHAIN_CSS = "documents/chain.css"  # the Tờ trình and the Quyết định, added after SUMMARY_CSS
SUMMARY_CSS = "documents/summary.css"
COMMENDATIONS_TEMPLATE = "documents/commendations.html.j2"
COMMENDATIONS_CSS = "documents/commendations.css"  # added after SUMMARY_CSS


class URLRefused(ValueError):
    """A document tried to load something outside the bundled assets."""


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        vn_number=vn_number, vn_percent=vn_percent, vn_signed=vn_signed, vn_change=vn_change, nfc=nfc,
        keep_numbers=keep_numbers
    )
    return env


_DOCUMENT_NUMBER = re.compile(r"\d+/[A-Za-zĐđ]+(?:-[A-Za-z0-9Đđ]+)+|\d{1,2}/\d{1,2}/\d{4}")


def keep_numbers(text: str) -> Markup:
    """Escaped text in which a document number ("01/QĐ-BCA") or a date ("05/9/2021") never
    breaks across lines (a line break at its hyphen reads as two symbols)."""
    escaped = str(Markup.escape(text))
    return Markup(_DOCUMENT_NUMBER.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', escaped))


def _nfc_deep(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{f.name: _nfc_deep(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {_nfc_deep(k): _nfc_deep(v) for k, v in value.items()}
    return value


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def _recipient_lines(recipients: list[str]) -> list[str]:
    lines = [r.strip().lstrip("-").strip().rstrip(";.").strip() for r in recipients]
    lines = [r for r in lines if r]
    if not any(r.lower().startswith("lưu") for r in lines):
        lines.append("Lưu: VT")
    return [f"- {r};" for r in lines[:-1]] + [f"- {lines[-1]}."]


def _qr_data_url(url: str) -> str:
    import segno

    qr = segno.make(url, error="m", micro=False)
    return qr.svg_data_uri(scale=4, border=0, dark="#000000", light=None)


def _table_groups(indicators, per_table: int = 4):
    """Split indicator columns into balanced tables of at most per_table columns:
    portrait A4 has room for the unit name and about four figures."""
    if not indicators:
        return [[]]
    count = -(-len(indicators) // per_table)
    size, extra = divmod(len(indicators), count)
    groups, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        groups.append(indicators[start:end])
        start = end
    return groups


# Liberation Serif (Times metrics): digits are 0.5 em wide, "." 0.25 em, "-" 0.333 em.
_GLYPH_EM = {".": 0.25, ",": 0.25, "-": 0.333, "+": 0.564, "%": 0.833}


# A long table is cut into parts of this many rows (about a page) that may render on
# different cores (parallel.CUT): no table is one block the parallel render cannot split.
ROWS_PER_PART = 40


def _number_column_mm(values, *, font_pt: float = 11, minimum_mm: float = 22) -> float:
    """Width of a figures column laid out with `table-layout: fixed` (auto layout re-measures
    every row on every page: 10 s for 100 units): the widest printed figure, padding
    (2 × 4 pt) and rules included, never below `minimum_mm`."""
    widest = max((sum(_GLYPH_EM.get(ch, 0.5) for ch in vn_number(v)) for v in values), default=0.0)
    points = widest * font_pt + 2 * 4 + 1.5
    return max(minimum_mm, round(points * 25.4 / 72 + 0.75, 1))


# A draft leaves number and date blank for the clerk to fill in by hand: non-breaking
# spaces, since ordinary ones would collapse.
BLANK_NUMBER = "\u00a0" * 8
BLANK_DAY = "\u00a0" * 6

# The assessment sections of a báo cáo sơ kết, in the order the office writes them.
ASSESSMENT_SECTIONS = (("overall", "Đánh giá chung"), ("shortcomings", "Tồn tại, hạn chế"),
                       ("causes", "Nguyên nhân"), ("directions", "Phương hướng, nhiệm vụ"),
                       ("recommendations", "Kiến nghị, đề xuất"))
ASSESSMENT_MISSING = "(Văn phòng chưa viết phần này)"


def number_text(heading: Heading) -> str:
    """"07/QĐ-BCA"; a bare "7" gets two digits and the symbol; a draft a blank number."""
    if heading.number is None:
        return f"{BLANK_NUMBER}/{heading.symbol}"
    return document_number(heading.number, heading.symbol)


def date_line(heading: Heading) -> str:
    """"Hà Nội, ngày 05 tháng 8 năm 2021": the day of issue at the issuer's place; a draft's
    day and month are left blank."""
    place = heading.issuer.place
    if heading.issued_on is None or heading.draft:
        return nfc(f"{place}, ngày{BLANK_DAY}tháng{BLANK_DAY}năm {heading.year}")
    return vn_date_line(place, heading.issued_on)


def heading_context(heading: Heading) -> dict:
    """What _heading.html.j2 and _signer.html.j2 print: all of it from the one issuer record."""
    issuer = heading.issuer
    upper, name = issuer.header_lines
    return {
        "upper": upper,
        "name": name,
        "number": number_text(heading),
        "date_line": date_line(heading),
        "short_date": vn_short_date(heading.issued_on) if heading.issued_on and not heading.draft else BLANK_DAY,
        "draft": heading.draft,
        "signer_lines": issuer.signer_lines,
        "signer_name": issuer.signer_name,
        "recipient_lines": _recipient_lines(heading.recipients),
        "replaces": heading.replaces,
        "verify_url": heading.verify_url,
        "verify_code": heading.verify_code,
        "qr_data_url": _qr_data_url(heading.verify_url) if heading.verify_url else None,
    }


def assessment_context(doc: SummaryDocument) -> list[dict]:
    """The office's sections: left out when empty in an issued document, marked in a draft."""
    out = []
    for field, title in ASSESSMENT_SECTIONS:
        text = getattr(doc.assessment, field)
        if text.strip():
            out.append({"title": title, "paragraphs": _paragraphs(text), "missing": False})
        elif doc.heading.draft:
            out.append({"title": title, "paragraphs": [ASSESSMENT_MISSING], "missing": True})
    for i, section in enumerate(out, start=5):  # after sections I-IV of figures and achievements
        section["roman"] = roman(i)
    return out


def summary_context(doc: SummaryDocument) -> dict:
    doc = _nfc_deep(doc)
    by_code = {ln.code: ln for ln in doc.indicators}
    main = [by_code[c] for c in doc.main_indicator_codes if c in by_code]
    totals = []
    for ln in doc.indicators:
        delta, pct = change(ln.total, ln.previous)
        totals.append({"line": ln, "delta": delta, "pct": pct})
    unit_charts = [c for c in (charts.unit_bar_chart(ln, doc.unit_rows) for ln in main) if c]
    comparison = (
        charts.comparison_chart(main, doc.period_label, doc.previous_label)
        if doc.previous_label
        else None
    )
    status_counts: dict[str, int] = {}
    for row in doc.completeness:
        status = re.sub(r" \(\d+/\d+\)", "", row.status)  # "Cấp dưới đã nộp đủ (3/3)": one kind
        status_counts[status] = status_counts.get(status, 0) + 1
    css = (TEMPLATES_DIR / SUMMARY_CSS).read_text(encoding="utf-8")
    annexes = []
    if doc.completeness:
        annexes.append({"kind": "completeness", "title": "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ",
                        "about": "tình hình gửi báo cáo của các đơn vị"})
    if doc.period_texts:
        annexes.append({"kind": "periods", "title": "KẾT QUẢ NỔI BẬT CỦA CÁC ĐƠN VỊ THEO TỪNG KỲ BÁO CÁO",
                        "about": "kết quả nổi bật của các đơn vị theo từng kỳ báo cáo"})
    for detail in doc.details:
        annexes.append({"kind": "detail", "title": "SỐ LIỆU CHI TIẾT CỦA " + detail.unit_name.upper(),
                        "about": "số liệu chi tiết của " + detail.unit_name, "rows": detail.rows,
                        "column_mm": {ln.code: _number_column_mm(r.values.get(ln.code) for r in detail.rows)
                                      for ln in doc.indicators}})
    for i, annex in enumerate(annexes, start=1):
        annex["roman"] = roman(i)
    return {
        "rows_per_part": ROWS_PER_PART,
        "doc": doc,
        "h": heading_context(doc.heading),
        "css": Markup(css),  # our own file, not user input
        "assessment": assessment_context(doc),
        "marks": {"blank": DASH, "missing": NOT_SUBMITTED},
        "any_missing": any(not r.submitted for r in doc.unit_rows),
        "title_lower": lower_first(doc.title),
        "totals": totals,
        "main": main,
        "unit_charts": unit_charts,
        "comparison": comparison,
        "table_groups": _table_groups(doc.indicators),
        "column_mm": {ln.code: _number_column_mm(r.values.get(ln.code) for r in doc.unit_rows)
                      for ln in doc.indicators},
        "highlights": [{"index": i, "unit_name": h.unit_name, "period_label": h.period_label,
                        "paragraphs": _paragraphs(h.text)} for i, h in enumerate(doc.highlights, start=1)],
        "annexes": annexes,
        "period_texts": [{"unit_name": u.unit_name,
                          "periods": [{"label": upper_first(pt.period_label), "paragraphs": _paragraphs(pt.text)}
                                      for pt in u.periods]}
                         for u in doc.period_texts],
        "status_counts": status_counts,
    }


def render_summary_html(doc: SummaryDocument) -> str:
    html = environment().get_template(SUMMARY_TEMPLATE).render(**summary_context(doc))
    return unicodedata.normalize("NFC", html)


def _assets_base_url() -> str:
    return ASSETS_DIR.resolve().as_uri() + "/"


def _make_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serves files under templates/assets and data: URLs; refuses everything else.

        ``requested`` records every URL asked for, ``refused`` those turned down.
        """

        def __init__(self, assets_dir: Path = ASSETS_DIR):
            super().__init__(allowed_protocols=("file", "data"))
            self.assets_dir = assets_dir.resolve()
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(self.assets_dir) and path.is_file():
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        path.as_uri(), path.read_bytes(), {"Content-Type": mime}
                    )
            self.refused.append(url)
            raise URLRefused(f"refused to fetch {url!r}: only bundled assets are allowed")

    return AssetFetcher


def asset_fetcher():
    """A fresh fetcher (imports WeasyPrint)."""
    return _make_fetcher_class()()


def layout_html(html: str, *, fetcher=None):
    """A document (or one part of it) laid out in this process: a weasyprint Document."""
    from weasyprint import HTML

    from .parallel import seamless

    fetcher = fetcher if fetcher is not None else asset_fetcher()
    html = seamless(html)  # a table the template cut for a parallel render is one table here
    return HTML(string=html, base_url=_assets_base_url(), url_fetcher=fetcher).render()


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    """One document (or one part of it) in this process."""
    return layout_html(html, fetcher=fetcher).write_pdf(pdf_variant=None, uncompressed_pdf=False)


def render_pdfs(htmls: list[str], *, workers: int = 1) -> list[bytes]:
    """Several documents' PDFs, long ones cut into parts rendered on up to `workers`
    processes (see parallel.py); workers=1 renders each whole in this process."""
    from . import parallel

    if workers > 1:
        import weasyprint  # noqa: F401 - loaded once here, inherited by every forked render

    return parallel.render_many(htmls, layout_html, workers=workers)


def render_summary_pdf(doc: SummaryDocument, *, fetcher=None, workers: int = 1) -> bytes:
    html = render_summary_html(doc)
    if workers > 1 and fetcher is None:
        return render_pdfs([html], workers=workers)[0]
    return html_to_pdf(html, fetcher=fetcher)


# -- the commendation list ("Danh sách đề nghị khen thưởng") ---------------------------

KIND_LABELS = {"collective": "Tập thể", "individual": "Cá nhân"}
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def commendation_number(doc: CommendationDocument) -> str:
    """"01/DS-BCA" as given; a bare "01" gets the prefix; a draft a blank number."""
    if doc.number is None:
        return f"{BLANK_NUMBER}/{doc.number_prefix}"
    return doc.number if "/" in doc.number else f"{doc.number}/{doc.number_prefix}"


@dataclasses.dataclass(frozen=True)
class _HeaderFields:
    """What ``_header.html.j2`` reads from ``doc``, with the number as printed."""

    upper_agency: str
    agency: str
    number: str


def commendations_context(doc: CommendationDocument) -> dict:
    doc = _nfc_deep(doc)
    # One section (I, II, ...) per award form; its groups numbered 1, 2 within it.
    sections: list[dict] = []
    for group in doc.groups:
        if not sections or sections[-1]["name"] != group.award_form_name:
            sections.append(
                {"roman": roman(len(sections) + 1), "name": group.award_form_name, "parts": []}
            )
        parts = sections[-1]["parts"]
        parts.append({"index": len(parts) + 1, "label": KIND_LABELS[group.kind], "group": group})
    count = {kind: 0 for kind in KIND_LABELS}
    for group in doc.groups:
        count[group.kind] += len(group.entries)
    number = commendation_number(doc)
    css = "\n".join(
        (TEMPLATES_DIR / name).read_text(encoding="utf-8")
        for name in (SUMMARY_CSS, COMMENDATIONS_CSS)
    )
    return {
        "doc": doc,
        "header": _HeaderFields(doc.upper_agency, doc.agency, number),
        "number": number,
        "css": Markup(css),  # our own files, not user input
        "date_line": vn_date_line(doc.place, doc.issued_on),
        "sections": sections,
        "collectives": count["collective"],
        "individuals": count["individual"],
        "recipient_lines": _recipient_lines(doc.recipients),
        "qr_data_url": _qr_data_url(doc.verify_url),
        "rows_per_part": ROWS_PER_PART,
    }


def render_commendations_html(doc: CommendationDocument) -> str:
    html = environment().get_template(COMMENDATIONS_TEMPLATE).render(**commendations_context(doc))
    return unicodedata.normalize("NFC", html)


def render_commendations_pdf(doc: CommendationDocument, *, fetcher=None, workers: int = 1) -> bytes:
    """The list; a long one (thousands of entries, cut every ROWS_PER_PART rows) on `workers` processes."""
    html = render_commendations_html(doc)
    if workers > 1 and fetcher is None:
        return render_pdfs([html], workers=workers)[0]
    return html_to_pdf(html, fetcher=fetcher)




# -- the Tờ trình and the Quyết định ------------------------------------------------------

def _css(*names: str) -> Markup:
    return Markup("\n".join((TEMPLATES_DIR / n).read_text(encoding="utf-8") for n in names))  # our own files


def _parts(group, *, achievements: bool) -> list[dict]:
    parts = []
    for kind, entries in (("collective", group.collectives), ("individual", group.individuals)):
        if entries:
            parts.append({"index": len(parts) + 1, "kind": kind, "label": KIND_LABELS[kind],
                          "entries": entries, "achievements": achievements})
    return parts


def proposal_context(doc: ProposalDocument) -> dict:
    doc = _nfc_deep(doc)
    groups = [{"roman": roman(i), "group": g, "parts": _parts(g, achievements=True)}
              for i, g in enumerate(doc.groups, start=1)]
    return {"doc": doc, "h": heading_context(doc.heading), "css": _css(SUMMARY_CSS, CHAIN_CSS), "groups": groups,
            "rows_per_part": ROWS_PER_PART, "table_close": "</div>", "table_reopen": '<div class="body list">'}


def decision_context(doc: DecisionDocument) -> dict:
    doc = _nfc_deep(doc)
    parts = _parts(doc.group, achievements=False)
    counts = [f"{len(p['entries']):02d} {p['label'].lower()}" for p in parts]
    return {"doc": doc, "h": heading_context(doc.heading), "css": _css(SUMMARY_CSS, CHAIN_CSS),
            "decides_as": doc.heading.issuer.decides_as, "parts": parts,
            "roman_parts": [roman(i) for i in range(1, len(parts) + 1)],
            "rows_per_part": ROWS_PER_PART, "table_close": "</div></div>",
            "table_reopen": '<div class="annex-list"><div class="body list">',
            "total": " và ".join(counts) if counts else "00 tập thể, cá nhân"}


def render_proposal_html(doc: ProposalDocument) -> str:
    return unicodedata.normalize("NFC", environment().get_template(PROPOSAL_TEMPLATE).render(**proposal_context(doc)))


def render_decision_html(doc: DecisionDocument) -> str:
    return unicodedata.normalize("NFC", environment().get_template(DECISION_TEMPLATE).render(**decision_context(doc)))


def render_proposal_pdf(doc: ProposalDocument, *, fetcher=None) -> bytes:
    return html_to_pdf(render_proposal_html(doc), fetcher=fetcher)


def render_decision_pdf(doc: DecisionDocument, *, fetcher=None) -> bytes:
    return html_to_pdf(render_decision_html(doc), fetcher=fetcher)


def render_html(doc) -> str:
    """Any document model as HTML (the template marks where a long one may be cut)."""
    if isinstance(doc, SummaryDocument):
        return render_summary_html(doc)
    if isinstance(doc, ProposalDocument):
        return render_proposal_html(doc)
    if isinstance(doc, DecisionDocument):
        return render_decision_html(doc)
    if isinstance(doc, CommendationDocument):
        return render_commendations_html(doc)
    raise TypeError(f"no template for {type(doc).__name__}")


def render_pdf(doc, *, fetcher=None, workers: int = 1) -> bytes:
    """Any document model as PDF (WeasyPrint is imported here); see render_pdfs for several."""
    html = render_html(doc)
    if workers > 1 and fetcher is None:
        return render_pdfs([html], workers=workers)[0]
    return html_to_pdf(html, fetcher=fetcher)
