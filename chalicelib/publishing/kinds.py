"""The kinds of document a conference produces, as data.

A kind says how to gather its inputs from the store, how to fingerprint them (a
new version only when they change), how to build the document model once the
version has its number and verification code, how to render it, and how it is
named: file, attachment and mail wording. Adding a kind is adding an entry here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.conferences import aggregate
from chalicelib.core.catalogs import indicator_catalog
from chalicelib.core.settings import Settings
from chalicelib.store import Store


@dataclass(frozen=True)
class Numbering:
    """What a claimed, numbered version gives the document model."""

    number: str
    document_id: str
    issued_on: dt.date
    verify_url: str
    verify_code: str


@dataclass(frozen=True)
class DocumentKind:
    code: str                     # stored kind: "summary"
    label: str                    # Vietnamese, in mail subjects: "Báo cáo tổng hợp"
    noun: str                     # how a mail body names it: "Báo cáo"
    filename: str                 # artifact file name inside the version's folder
    attachment_stem: str          # attachment: "<stem>-so-<number>.pdf"
    gather: Callable[[Store, dict[str, Any], Settings, dt.datetime], Any]
    fingerprint: Callable[[Any], str]
    build: Callable[[Any, Numbering], Any]
    render: Callable[[Any], bytes]

    def number_series(self, conference: dict[str, Any], year: int) -> tuple[str, str]:
        """(counter name, prefix): numbers run per prefix and year, never twice."""
        prefix = conference["number_prefix"]
        return f"docnumber#{prefix}#{year}", prefix

    def attachment_name(self, number: str) -> str:
        return f"{self.attachment_stem}-so-{number.replace('/', '-')}.pdf"


# -- the summary report ----------------------------------------------------------------

@dataclass(frozen=True)
class SummaryInputs:
    aggregate: aggregate.Inputs
    completeness: list[Any]   # the annex; reflects the first compile, not fingerprinted


def gather_summary(store: Store, conference: dict[str, Any], conf: Settings, now: dt.datetime) -> SummaryInputs:
    """Everything the summary depends on, read with Queries (no Scan)."""
    from chalicelib.reporting.completeness import period_completeness
    from chalicelib.reporting.deadlines import deadline_for

    units = aggregate.units_in_scope(store.units.all(), conference.get("unit_ids"))
    in_scope = {u["id"] for u in units}
    covered, previous = aggregate.window(conference)
    reports = {p.code: [r for r in store.reports.for_period(p.code) if r["unit_id"] in in_scope]
               for p in [*previous, *covered]}
    inputs = aggregate.Inputs(conference, units, covered, previous, reports, indicator_catalog(),
                              aggregate.catalog_version())
    last = covered[-1]
    completeness = period_completeness(units, reports.get(last.code, []), last, conf.deadline_days, now,
                                       deadline=deadline_for(store, last, conf.deadline_days)).rows
    return SummaryInputs(inputs, completeness)


def build_summary(inputs: SummaryInputs, numbering: Numbering) -> Any:
    return aggregate.build_summary(inputs.aggregate, number=numbering.number, document_id=numbering.document_id,
                                   issued_on=numbering.issued_on, verify_url=numbering.verify_url,
                                   verify_code=numbering.verify_code, completeness=inputs.completeness)


def render_summary(doc: Any) -> bytes:
    from chalicelib.documents.render import render_summary_pdf  # WeasyPrint: here and only here

    return render_summary_pdf(doc)


SUMMARY = DocumentKind(
    code="summary", label="Báo cáo tổng hợp", noun="Báo cáo", filename="bao-cao-tong-hop.pdf", attachment_stem="bao-cao-tong-hop",
    gather=gather_summary, fingerprint=lambda inputs: aggregate.fingerprint(inputs.aggregate),
    build=build_summary, render=render_summary)

KINDS: tuple[DocumentKind, ...] = (SUMMARY,)
