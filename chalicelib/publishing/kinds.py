"""The kinds of document a conference produces, as data.

A kind says how to gather its inputs from the store, how to fingerprint them (a
new version only when they change), how to build the document model once the
version has its number and verification code, how to render it, and how it is
named: file, attachment and mail wording. Adding a kind is adding an entry here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.conferences import aggregate
from chalicelib.core.catalogs import award_forms, indicator_catalog
from chalicelib.core.settings import Settings
from chalicelib.store import Store


@dataclass(frozen=True)
class Numbering:
    """What a claimed, numbered version gives the document model."""

    number: str | None        # None: a draft
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
    prefix_field: str = "number_prefix"                 # the conference field naming the number series
    default_prefix: str = "BC-BCA"
    numbered: Callable[[Any], bool] = lambda inputs: True  # a draft gets no number
    wanted: Callable[[Any], bool] = lambda inputs: True    # whether there is anything to publish yet
    # The document as HTML whose template marks where it may be cut: with it, a compile
    # renders every kind's document at once, long ones in parts on every core.
    html: Callable[[Any], str] | None = None

    def prefix_of(self, conference: dict[str, Any]) -> str:
        return conference.get(self.prefix_field) or self.default_prefix

    @staticmethod
    def number_series(prefix: str, year: int) -> str:
        """The counter behind numbers: they run per prefix and year, never twice."""
        return f"docnumber#{prefix}#{year}"

    def attachment_name(self, number: str | None, version: int = 1) -> str:
        if number is None:
            return f"{self.attachment_stem}-du-thao-v{version}.pdf"
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
    # the summary periods: a unit's report for a quarter holding the covered months is its
    # own summary of them (section IV)
    reports = {p.code: [r for r in store.reports.for_period(p.code) if r["unit_id"] in in_scope]
               for p in [*previous, *covered, *aggregate.summary_periods(covered)]}
    inputs = aggregate.Inputs(conference, units, covered, previous, reports, indicator_catalog(),
                              aggregate.catalog_version())
    last = covered[-1]
    completeness = period_completeness(units, reports.get(last.code, []), last, conf.deadline_days, now,
                                       deadline=deadline_for(store, last, conf.deadline_days)).rows
    return SummaryInputs(inputs, completeness)


def build_summary(inputs: SummaryInputs, numbering: Numbering) -> Any:
    from chalicelib.documents import issuers
    from chalicelib.documents.model import Heading

    conference = inputs.aggregate.conference
    try:
        issuer = issuers.ministry(conference)
    except ValueError:  # a conference stored before signers were checked: the ministry's own signer
        issuer = issuers.ministry()
    heading = Heading(issuer=issuer, kind_abbreviation="BC", number=numbering.number,
                      issued_on=numbering.issued_on if numbering.number else None, year=numbering.issued_on.year,
                      recipients=aggregate.distribution_lines(conference), verify_url=numbering.verify_url,
                      verify_code=numbering.verify_code)
    return aggregate.build_summary(inputs.aggregate, heading=heading, completeness=inputs.completeness,
                                   assessment=aggregate.assessment_of(conference))


def render_summary(doc: Any) -> bytes:
    from chalicelib.documents.render import render_summary_pdf  # WeasyPrint: here and only here

    return render_summary_pdf(doc)


def summary_html(doc: Any) -> str:
    from chalicelib.documents.render import render_summary_html

    return render_summary_html(doc)


SUMMARY = DocumentKind(
    code="summary", label="Báo cáo tổng hợp", noun="Báo cáo", filename="bao-cao-tong-hop.pdf", attachment_stem="bao-cao-tong-hop",
    gather=gather_summary, fingerprint=lambda inputs: aggregate.fingerprint(inputs.aggregate),
    build=build_summary, render=render_summary, html=summary_html)

# -- the commendation list -------------------------------------------------------------

@dataclass(frozen=True)
class CommendationInputs:
    conference: dict[str, Any]
    approved: list[dict[str, Any]]      # the nominations approved so far (all of them once finalised)
    unit_names: dict[str, str]
    finalised: bool


# Conference fields the list prints; with the approved nominations' ETags they make its fingerprint.
LIST_FIELDS = ("title", "date", "place", "signer", "upper_agency", "agency", "distribution", "recipients",
               "list_prefix", "finalised_at")


def gather_commendations(store: Store, conference: dict[str, Any], conf: Settings,
                         now: dt.datetime) -> CommendationInputs:
    approved = [n for n in store.nominations.for_conference(conference["id"]) if n["status"] == "approved"]
    names = {u["id"]: u["name"] for u in store.units.all()}
    return CommendationInputs(conference, approved, names, bool(conference.get("finalised_at")))


def fingerprint_commendations(inputs: CommendationInputs) -> str:
    content = {"conference": {k: inputs.conference.get(k) for k in LIST_FIELDS},
               "approved": sorted((n["id"], n["etag"]) for n in inputs.approved),
               "units": sorted((u, inputs.unit_names.get(u)) for u in {n["nominee_unit_id"] for n in inputs.approved}),
               "forms": [f.as_dict() for f in award_forms()]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build_commendations(inputs: CommendationInputs, numbering: Numbering) -> Any:
    from chalicelib.awards.commendation_list import build_commendation_document

    conference = inputs.conference
    return build_commendation_document(
        conference, [f.as_dict() for f in award_forms()], inputs.approved, inputs.unit_names,
        number=numbering.number, number_prefix=conference.get("list_prefix") or "DS-BCA",
        issued_on=numbering.issued_on, draft=not inputs.finalised, verify_url=numbering.verify_url,
        verify_code=numbering.verify_code)


def render_commendations(doc: Any) -> bytes:
    from chalicelib.documents.render import render_commendations_pdf  # WeasyPrint: here and only here

    return render_commendations_pdf(doc)


def commendations_html(doc: Any) -> str:
    from chalicelib.documents.render import render_commendations_html

    return render_commendations_html(doc)


COMMENDATIONS = DocumentKind(
    code="commendations", label="Danh sách đề nghị khen thưởng", noun="Danh sách",
    filename="danh-sach-de-nghi-khen-thuong.pdf", attachment_stem="danh-sach-de-nghi-khen-thuong",
    gather=gather_commendations, fingerprint=fingerprint_commendations, build=build_commendations,
    render=render_commendations, html=commendations_html, prefix_field="list_prefix", default_prefix="DS-BCA",
    numbered=lambda inputs: inputs.finalised,
    # no list until something is approved or the list is finalised (then even an empty one)
    wanted=lambda inputs: inputs.finalised or bool(inputs.approved))

KINDS: tuple[DocumentKind, ...] = (SUMMARY, COMMENDATIONS)
