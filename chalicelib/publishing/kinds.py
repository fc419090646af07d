"""The kinds of document a conference produces, as data.

A kind says how to gather its inputs from the store, how to fingerprint them (a
new version only when they change), how to build the document model once the
version has its number and verification code, how to render it, and how it is
named: file, attachment and mail wording. Adding a kind is adding an entry here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from concurrent.futures import ThreadPoolExecutor
import json
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.conferences import aggregate
from chalicelib.core.catalogs import award_forms, indicator_catalog
from chalicelib.core.settings import Settings
from chalicelib.store import Store


@dataclass(frozen=True)
class Numbering:
    """What the document model is given beyond its inputs: a draft has no number and no date of issue."""

    number: str | None        # "07/QĐ-BCA"; None: a draft
    document_id: str
    issued_on: dt.date | None # the day of issue (the approval day, Hà Nội time); None: a draft
    verify_url: str
    verify_code: str
    year: int = 0             # the year a draft's date line prints
    replaces: str | None = None  # "Quyết định số 01/QĐ-BCA ngày 05/9/2021": the issued document this one replaces

    @property
    def draft(self) -> bool:
        return self.number is None


@dataclass(frozen=True)
class Stream:
    """One document a conference produces, with its own lifecycle: its stored kind string is `key`."""

    kind: "DocumentKind"
    key: str                  # "summary", "proposal", "decision@bo-cong-an@bang-khen-bo-truong"
    inputs: Any               # what the kind's fingerprint and builder take
    issuer: Any               # documents.model.Issuer: the header, the symbol, the signer, the certificate
    symbol: str               # "QĐ-BCA": numbers run per (symbol, year)
    # who else receives it once issued, beyond the conference's recipients: [{"name", "email"}]
    # (a decision: the units whose nominees are in it)
    recipients: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class DocumentKind:
    code: str                     # the kind: "summary" | "proposal" | "decision"
    label: str                    # Vietnamese: "Báo cáo tổng hợp"
    noun: str                     # how a mail body names it: "Báo cáo"
    streams: Callable[[Store, dict[str, Any], Settings, dt.datetime], list[Stream]]
    fingerprint: Callable[[Any], str]
    build: Callable[[Any, Numbering], Any]
    render: Callable[[Any], bytes]
    # The document as HTML whose template marks where it may be cut: with it, a compile
    # renders every kind's document at once, long ones in parts on every core.
    html: Callable[[Any], str] | None = None
    # Kinds of a later phase are built once the earlier ones of the same run are stored (a decision
    # cites the Tờ trình issued before it).
    phase: int = 0
    # Once issued, its awardees are written to the register of commendations (a Quyết định).
    registers: bool = False
    # When the fingerprint's making changed (the summary's, issue 20): the scheme a version records, and
    # the fingerprint as made before it, read only for a draft submitted before the change, so that the
    # signer's approval of it still issues it (pipeline._unchanged_or_back_to_draft).
    fingerprint_scheme: str | None = None
    legacy_fingerprint: Callable[[Store, dict[str, Any], Settings, dt.datetime], str] | None = None


def _fingerprint(content: Any) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def ministry_issuer(conference: dict[str, Any]) -> Any:
    """The ministry signed by the conference's signer; a signer who does not sign for the ministry (an
    older conference) is left out and the catalog's own signer stands (PATCH refuses such signers now)."""
    from chalicelib.documents import issuers

    try:
        return issuers.ministry(conference)
    except ValueError:
        return issuers.ministry()


# -- the summary report ----------------------------------------------------------------

@dataclass(frozen=True)
class SummaryInputs:
    aggregate: aggregate.Inputs
    completeness: list[Any]   # the annex; reflects the first compile, not fingerprinted


# What the summary reads of a unit: the tree and the names (never its emails, tokens or paths).
UNIT_ATTRS = ("id", "name", "parent_id", "kind")


def gather_summary(store: Store, conference: dict[str, Any], conf: Settings, now: dt.datetime) -> SummaryInputs:
    """Everything the summary depends on, read with Queries and BatchGetItems (no Scan), never every report.

    - every unit's figures of each period of the window and of the previous one: the period's pack
      (`awards.window.period_figures`: unit -> the values of its counted report; packs are kept by a
      schedule and made on a first read otherwise), a few items per period whatever the size of the tree;
    - the whole reports (the achievements) of the units the bounded summary lists only, by key in
      BatchGetItems: a few hundred at most (section IV, the annex, the fingerprint of their texts);
    - the completeness annex from the same: the listed units' own reports and the last period's pack.
    """
    from chalicelib.awards.window import period_figures
    from chalicelib.reporting.completeness import period_completeness
    from chalicelib.reporting.deadlines import deadline_for

    covered, previous = aggregate.window(conference)
    # the summary periods: a unit's report for a quarter holding the covered months is its
    # own summary of them (section IV): only the listed units' are read
    longer = aggregate.summary_periods(covered)
    periods = [p.code for p in [*previous, *covered]]
    # the tree and the packs side by side (their round trips overlap)
    with ThreadPoolExecutor(max_workers=min(8, len(periods) + 1)) as pool:  # joined before any render forks
        tree = pool.submit(store.units.all, attrs=UNIT_ATTRS)
        packs = list(pool.map(lambda code: period_figures(store, code, now), periods))
        units = aggregate.units_in_scope(tree.result(), conference.get("unit_ids"))
    in_scope = {u["id"] for u in units}
    # A counted report as the aggregate reads it: its unit, period and values (a returned one is in no pack).
    reports: dict[str, list[dict[str, Any]]] = {
        code: [{"unit_id": unit_id, "period": code, "values": values}
               for unit_id, values in figures.items() if unit_id in in_scope]
        for code, figures in zip(periods, packs)}
    listed = aggregate.listed_units(units, aggregate.summary_levels(conference))
    last = covered[-1]
    wanted = [(r["unit_id"], p.code) for p in covered for r in reports[p.code] if r["unit_id"] in listed]
    # the last period's state of every listed unit (the annex's own label: a returned report is in no pack)
    wanted += [(unit_id, p.code) for p in [last, *longer] for unit_id in sorted(listed)]
    whole = store.reports.read_many(reports=wanted).reports if wanted else {}
    for p in covered:
        reports[p.code] = [whole.get((r["unit_id"], p.code)) or r for r in reports[p.code]]
    for p in longer:
        reports[p.code] = [r for (unit_id, code), r in whole.items() if code == p.code and r is not None]
    inputs = aggregate.Inputs(conference, units, covered, previous, reports, indicator_catalog(),
                              aggregate.catalog_version())
    # The annex lists the listed units only: each with its own state (its report, read whole above) and
    # its subtree's count of reports in (complete/expected), which the pack of the last period gives.
    # A unit below them counts as "in" when its report counts; its own timeliness is not shown.
    statuses = [whole[(unit_id, last.code)] for unit_id in sorted(listed) if whole.get((unit_id, last.code))]
    statuses += [r for r in reports[last.code] if r["unit_id"] not in listed]
    completeness = period_completeness(units, statuses, last, conf.deadline_days, now,
                                       deadline=deadline_for(store, last, conf.deadline_days)).rows
    return SummaryInputs(inputs, completeness)


def summary_streams(store: Store, conference: dict[str, Any], conf: Settings, now: dt.datetime) -> list[Stream]:
    issuer = ministry_issuer(conference)
    return [Stream(SUMMARY, "summary", gather_summary(store, conference, conf, now), issuer, issuer.symbol("BC"))]


def fingerprint_summary(inputs: SummaryInputs) -> str:
    assessment = inputs.aggregate.conference.get("assessment") or {}
    return _fingerprint([aggregate.fingerprint(inputs.aggregate), assessment])


def legacy_fingerprint_summary(store: Store, conference: dict[str, Any], conf: Settings, now: dt.datetime) -> str:
    """The summary's fingerprint as made before the packs (every in-scope report's ETag and status, read
    projected by period: the old gather's cost, about 36 s at 11,000 units and 12 months). Only for a draft
    submitted for signature before the upgrade, whose version records no `fingerprint_scheme`."""
    units = aggregate.units_in_scope(store.units.all(attrs=UNIT_ATTRS), conference.get("unit_ids"))
    in_scope = {u["id"] for u in units}
    covered, previous = aggregate.window(conference)
    periods = [p.code for p in [*previous, *covered, *aggregate.summary_periods(covered)]]
    reports = {code: [r for r in store.reports.figures_for_period(code) if r["unit_id"] in in_scope]
               for code in periods}
    inputs = aggregate.Inputs(conference, units, covered, previous, reports, indicator_catalog(),
                              aggregate.catalog_version())
    return fingerprint_summary(SummaryInputs(inputs, []))


def heading_for(issuer: Any, kind_abbreviation: str, numbering: Numbering, recipients: list[str]) -> Any:
    """The document's heading: header, symbol and signer from one issuer record; a draft has no number, no day."""
    from chalicelib.documents.model import Heading

    return Heading(issuer=issuer, kind_abbreviation=kind_abbreviation, number=numbering.number,
                   issued_on=numbering.issued_on if numbering.number else None,
                   year=numbering.year or (numbering.issued_on.year if numbering.issued_on else dt.date.today().year),
                   recipients=recipients, verify_url=numbering.verify_url, verify_code=numbering.verify_code,
                   replaces=numbering.replaces)


def build_summary(inputs: SummaryInputs, numbering: Numbering) -> Any:
    conference = inputs.aggregate.conference
    heading = heading_for(ministry_issuer(conference), "BC", numbering, aggregate.distribution_lines(conference))
    return aggregate.build_summary(inputs.aggregate, heading=heading, completeness=inputs.completeness,
                                   assessment=aggregate.assessment_of(conference))


def render_summary(doc: Any) -> bytes:
    from chalicelib.documents.render import render_summary_pdf  # WeasyPrint: here and only here

    return render_summary_pdf(doc)


def summary_html(doc: Any) -> str:
    from chalicelib.documents.render import render_summary_html

    return render_summary_html(doc)


SUMMARY = DocumentKind(
    code="summary", label="Báo cáo tổng hợp", noun="Báo cáo", streams=summary_streams,
    fingerprint=fingerprint_summary, build=build_summary, render=render_summary, html=summary_html,
    fingerprint_scheme="packs", legacy_fingerprint=legacy_fingerprint_summary)


# -- the Tờ trình and the Quyết định (their models and builders: chalicelib/awards/decisions.py) --------

@dataclass(frozen=True)
class AwardInputs:
    conference: dict[str, Any]
    plan: Any                                  # what the builder takes (a decisions.plan_decisions item)
    approved: list[dict[str, Any]]             # the nominations it holds
    units: list[dict[str, Any]]
    proposal_ref: str | None = None            # "Tờ trình số 05/TTr-V01 ngày 01/9/2021": the issued Tờ trình


# Conference fields the award documents print; with the nominations' ETags they make the fingerprint.
AWARD_FIELDS = ("title", "date", "place", "signer", "distribution", "recipients")


def fingerprint_awards(inputs: AwardInputs) -> str:
    names = {u["id"]: u.get("name") for u in inputs.units}
    # Not the Tờ trình it cites: like its own number and date, that comes from an issued document, so
    # the decision the signer approved is still the one issued once the Tờ trình is.
    return _fingerprint({"conference": {k: inputs.conference.get(k) for k in AWARD_FIELDS},
                         "approved": sorted((n["id"], n["etag"]) for n in inputs.approved),
                         "units": sorted((u, names.get(u)) for u in {n["nominee_unit_id"] for n in inputs.approved}),
                         "forms": [f.as_dict() for f in award_forms()]})


def _award_builders() -> bool:
    """Whether the Tờ trình and Quyết định builders are installed (chalicelib/awards/decisions.py)."""
    import importlib.util

    return importlib.util.find_spec("chalicelib.awards.decisions") is not None


# What the award documents read of a unit: names and the tree (the granting issuer), its place and its
# emails (a decision goes to the units whose nominees it holds); never its path or anything else.
AWARD_UNIT_ATTRS = ("id", "name", "parent_id", "kind", "place", "emails")


def _approved(store: Store, conference: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The conference's approved nominations, whole, and the units (projected); nothing more is read while
    none is approved: first every nomination's status alone (5,000 nominations: their achievements are
    the bulk), the whole nominations and the tree only once there is something to propose or decide."""
    statuses = store.nominations.for_conference(conference["id"], attrs=("id", "status"))
    if not any(n.get("status") == "approved" for n in statuses):
        return [], []
    approved = [n for n in store.nominations.for_conference(conference["id"]) if n["status"] == "approved"]
    return approved, store.units.all(attrs=AWARD_UNIT_ATTRS)


def _unit_recipients(nominations: list[dict[str, Any]], units: list[dict[str, Any]]) -> tuple[dict[str, str], ...]:
    """The emails of the units whose nominees are in a decision: each unit learns of its own awards."""
    by_id = {u["id"]: u for u in units}
    out: dict[str, dict[str, str]] = {}
    for n in nominations:
        for unit_id in dict.fromkeys([n.get("nominee_unit_id"), n.get("unit_id")]):
            unit = by_id.get(unit_id or "")
            for address in (unit or {}).get("emails") or []:
                out.setdefault(address.lower(), {"name": unit["name"], "email": address})
    return tuple(out.values())


def _issued_proposal(store: Store, conference_id: str) -> str | None:
    """How a Quyết định of the ministry cites the Tờ trình that proposed it, once that is issued."""
    from chalicelib.publishing.lifecycle import ISSUED, reference

    head = store.documents.stream(conference_id, "proposal")
    record = store.documents.get(head["issued_document_id"]) if head and head.get("issued_document_id") else None
    return reference(record) if record is not None and record.get("stage") == ISSUED else None


def proposal_streams(store: Store, conference: dict[str, Any], conf: Settings, now: dt.datetime) -> list[Stream]:
    if not _award_builders():
        return []
    """One Tờ trình per conference, once the ministry has approved nominations to propose."""
    from chalicelib.awards import decisions
    from chalicelib.documents import issuers

    approved, units = _approved(store, conference)
    plan = decisions.plan_proposal(conference, approved, units)
    if plan is None:
        return []
    office = issuers.office()
    held = [n for n in approved if n["id"] in set(decisions.nomination_ids(plan))]
    return [Stream(PROPOSAL, "proposal", AwardInputs(conference, plan, held, units), office, office.symbol("TTr"))]


def decision_streams(store: Store, conference: dict[str, Any], conf: Settings, now: dt.datetime) -> list[Stream]:
    if not _award_builders():
        return []
    """One Quyết định per (granting issuer, award form): `decision@<issuer id>@<form code>`."""
    from chalicelib.awards import decisions

    approved, units = _approved(store, conference)
    proposal_ref = _issued_proposal(store, conference["id"])
    out = []
    for plan in decisions.plan_decisions(conference, approved, units):
        ids = set(decisions.nomination_ids(plan))
        held = [n for n in approved if n["id"] in ids]
        issuer = plan.issuer
        by_ministry = plan.form.granted_by != "unit_head"
        out.append(Stream(DECISION, plan.stream, AwardInputs(conference, plan, held, units,
                                                             proposal_ref if by_ministry else None),
                          issuer, issuer.symbol("QĐ"), _unit_recipients(held, units)))
    return out


def _distribution(conference: dict[str, Any], default: list[str]) -> list[str]:
    return list(conference.get("distribution") or default)


def build_proposal(inputs: AwardInputs, numbering: Numbering) -> Any:
    from chalicelib.awards import decisions
    from chalicelib.documents import issuers

    office = issuers.office()
    heading = heading_for(office, "TTr", numbering, ["Như trên", office.archive])
    return decisions.build_proposal(inputs.conference, inputs.approved, inputs.units, heading=heading)


def build_decision(inputs: AwardInputs, numbering: Numbering) -> Any:
    from chalicelib.awards import decisions

    issuer = inputs.plan.issuer
    heading = heading_for(issuer, "QĐ", numbering, ["Như Điều 3", issuer.archive])
    return decisions.build_decision(inputs.plan, inputs.units, heading=heading, proposal_ref=inputs.proposal_ref)


def _render(name: str) -> Callable[[Any], Any]:
    def run(doc: Any) -> Any:
        from chalicelib.documents import render  # WeasyPrint: here and only here

        return getattr(render, name)(doc)
    run.__name__ = name
    return run


PROPOSAL = DocumentKind(
    code="proposal", label="Tờ trình đề nghị khen thưởng", noun="Tờ trình", streams=proposal_streams,
    fingerprint=fingerprint_awards, build=build_proposal, render=_render("render_proposal_pdf"),
    html=_render("render_proposal_html"))
DECISION = DocumentKind(
    code="decision", label="Quyết định khen thưởng", noun="Quyết định", streams=decision_streams,
    fingerprint=fingerprint_awards, build=build_decision, render=_render("render_decision_pdf"),
    html=_render("render_decision_html"), phase=1, registers=True)

# The old commendation list ("commendations", DS) is no longer produced: its records stay listed,
# downloadable and verifiable (names.py, lifecycle.py).
KINDS: tuple[DocumentKind, ...] = (SUMMARY, PROPOSAL, DECISION)
