"""The commendation chain's documents from a conference's approved nominations (pure: no I/O).

The office proposes in one Tờ trình (TTr) every award its Ministry grants; each granting
authority grants each award form in its own Quyết định (QĐ), the list of collectives and
individuals attached. Who grants what is data (award_forms.json `granted_by`, issuers.json);
every ordering rule lives here, the renderer prints in the order given.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from chalicelib.awards.commendation_list import collective_key, individual_key, whole_sentences
from chalicelib.core.catalogs import AwardForm, award_forms
from chalicelib.core.text import sort_key
from chalicelib.documents import issuers
from chalicelib.documents.formatting import document_number, lower_first, vn_short_date
from chalicelib.documents.model import (
    AwardEntry,
    AwardGroup,
    DecisionDocument,
    Heading,
    Issuer,
    ProposalDocument,
)

KINDS = ("collective", "individual")  # collectives are listed before individuals
# A draft leaves the number and the date blank for the clerk (non-breaking: they must not collapse).
BLANK = "\u00a0" * 6
# What the Tờ trình prints of each nominee's achievements: whole sentences up to about this many characters.
PROPOSAL_ACHIEVEMENTS = 400


@dataclass(frozen=True)
class DecisionPlan:
    """One Quyết định to make: one granting issuer, one award form, its nominations."""

    stream: str                         # "decision@<issuer_id>@<form_code>": the stored kind
    issuer: Issuer
    form: AwardForm
    nominations: list[dict[str, Any]]   # approved, of this form, granted by this issuer
    occasion: str = ""                  # "hội nghị sơ kết …": what Điều 1 says they are praised at


@dataclass(frozen=True)
class ProposalPlan:
    """The Tờ trình to make: the approved nominations whose form the Ministry grants."""

    stream: str                         # "proposal"
    nominations: list[dict[str, Any]]


def nomination_ids(plan: DecisionPlan | ProposalPlan) -> list[str]:
    """The ids of the nominations a plan holds (whose ETags the pipeline may watch)."""
    return [n["id"] for n in plan.nominations]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _forms(forms: Sequence[AwardForm] | None) -> dict[str, AwardForm]:
    return {f.code: f for f in (forms if forms is not None else award_forms())}


def _form_of(nomination: Mapping[str, Any], forms: dict[str, AwardForm]) -> AwardForm:
    form = forms.get(nomination["award_form"])
    if form is None:
        raise ValueError(f"nomination {nomination.get('id')!r}: unknown award form {nomination['award_form']!r}")
    if nomination["kind"] not in KINDS or nomination["kind"] not in form.for_kinds:
        raise ValueError(f"nomination {nomination.get('id')!r}: {form.code!r} is not awarded to a {nomination['kind']}")
    return form


def _by_ministry(form: AwardForm) -> bool:
    return form.granted_by != issuers.UNIT_HEAD


def plan_decisions(conference: Mapping[str, Any], approved_nominations: Iterable[Mapping[str, Any]],
                   units: list[Mapping[str, Any]], *, forms: Sequence[AwardForm] | None = None) -> list[DecisionPlan]:
    """One plan per (granting issuer, award form) with at least one approved nomination.
    Ordered by form precedence, the Ministry's before the units', units in the office's order."""
    by_form = _forms(forms)
    rank = {u["id"]: i for i, (_, u) in enumerate(issuers.office_order(units))}
    plans: dict[tuple[str, str], DecisionPlan] = {}
    order: dict[tuple[str, str], tuple] = {}
    for n in approved_nominations:
        form = _form_of(n, by_form)
        issuer = issuers.granting_issuer(form, n.get("nominee_unit_id"), units, conference)
        key = (issuer.id, form.code)
        if key not in plans:
            plans[key] = DecisionPlan(f"decision@{issuer.id}@{form.code}", issuer, form, [], _occasion(conference))
            order[key] = (form.precedence, 0 if _by_ministry(form) else 1, rank.get(issuer.id, len(rank)),
                          sort_key(issuer.name))
        plans[key].nominations.append(dict(n))
    return [plans[k] for k in sorted(plans, key=lambda k: order[k])]


def _unit_names(units: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {u["id"]: _clean(u["name"]) for u in units}


def award_entry(nomination: Mapping[str, Any], unit_names: Mapping[str, str], *,
                achievements_limit: int | None = None) -> AwardEntry:
    """A nominee as a list prints it. The "Đơn vị" cell stays empty when it would repeat the
    collective's own name; the achievements are whole sentences, never cut mid-sentence."""
    name = _clean(nomination["name"])
    unit = _clean(unit_names.get(nomination.get("nominee_unit_id") or "", ""))
    collective = nomination["kind"] == "collective"
    if collective and unit and (sort_key(unit) == sort_key(name) or unit.lower() in name.lower()):
        unit = ""  # "Công an tỉnh Nghệ An" / "Phòng … Công an tỉnh Nghệ An": the name says it
    achievements = (nomination.get("achievements") or "").strip()
    if achievements_limit is not None:
        achievements = whole_sentences(achievements, achievements_limit)
    return AwardEntry(name=name, position="" if collective else _clean(nomination.get("position")),
                      unit_name=unit, achievements=achievements)


def award_group(form: AwardForm, granted_by: Issuer, nominations: Iterable[Mapping[str, Any]],
                unit_names: Mapping[str, str], *, achievements_limit: int | None = None) -> AwardGroup:
    """Collectives by name, then individuals by given name (Vietnamese order)."""
    collectives, individuals = [], []
    for n in nominations:
        entry = award_entry(n, unit_names, achievements_limit=achievements_limit)
        (collectives if n["kind"] == "collective" else individuals).append(entry)
    return AwardGroup(award_form_name=_clean(form.name), granted_by=f"{granted_by.head_title} {granted_by.name}",
                      collectives=sorted(collectives, key=lambda e: collective_key(e.name)),
                      individuals=sorted(individuals, key=lambda e: individual_key(e.name)))


def _counted(group: AwardGroup) -> str:
    """"2 tập thể và 3 cá nhân", "3 cá nhân"."""
    parts = [f"{len(group.collectives):02d} tập thể" if group.collectives else "",
             f"{len(group.individuals):02d} cá nhân" if group.individuals else ""]
    return " và ".join(p for p in parts if p)


def _who(group: AwardGroup) -> str:
    return " VÀ ".join(p for p in ("TẬP THỂ" if group.collectives else "", "CÁ NHÂN" if group.individuals else "") if p) \
        or "TẬP THỂ, CÁ NHÂN"


def _occasion(conference: Mapping[str, Any]) -> str:
    """"hội nghị sơ kết …" as a sentence names the conference."""
    return lower_first(_clean(conference.get("title")))


def _bases(issuer: Issuer) -> list[str]:
    """"Căn cứ …;" lines: the laws in force (issuers.json), then the issuer's own."""
    return [f"Căn cứ {b.rstrip(';. ')};" for b in [*issuers.legal_bases(), *issuer.bases]]


# -- the Tờ trình ----------------------------------------------------------------------

def proposed(approved_nominations: Iterable[Mapping[str, Any]], *,
             forms: Sequence[AwardForm] | None = None) -> list[Mapping[str, Any]]:
    """The nominations the Tờ trình proposes: those whose form a unit head does not grant."""
    by_form = _forms(forms)
    return [n for n in approved_nominations if _by_ministry(_form_of(n, by_form))]


def plan_proposal(conference: Mapping[str, Any], approved_nominations: Iterable[Mapping[str, Any]],
                  units: list[Mapping[str, Any]] | None = None, *,
                  forms: Sequence[AwardForm] | None = None) -> ProposalPlan | None:
    """The Tờ trình's plan, None when there is nothing for the Ministry to grant."""
    chosen = proposed(approved_nominations, forms=forms)
    return ProposalPlan("proposal", [dict(n) for n in chosen]) if chosen else None


def proposal_wanted(conference: Mapping[str, Any], approved_nominations: Iterable[Mapping[str, Any]],
                    units: list[Mapping[str, Any]] | None = None, *, forms: Sequence[AwardForm] | None = None) -> bool:
    return bool(proposed(approved_nominations, forms=forms))


def build_proposal(conference: Mapping[str, Any], approved_nominations: Iterable[Mapping[str, Any]],
                   units: list[Mapping[str, Any]], *, heading: Heading,
                   forms: Sequence[AwardForm] | None = None) -> ProposalDocument:
    """Tờ trình đề nghị khen thưởng: the office (heading.issuer) proposes to the Minister every
    approved award the Ministry grants, by form (precedence), collectives then individuals."""
    by_form = _forms(forms)
    names = _unit_names(units)
    chosen = proposed(approved_nominations, forms=forms)
    groups = []
    for form in sorted({_form_of(n, by_form) for n in chosen}, key=lambda f: f.precedence):
        grantor = issuers.granting_issuer(form, None, units, conference)
        groups.append(award_group(form, grantor, [n for n in chosen if n["award_form"] == form.code], names,
                                  achievements_limit=PROPOSAL_ACHIEVEMENTS))
    minister = issuers.ministry(conference)
    head = f"{minister.head_title} {minister.name}"
    occasion = _occasion(conference)
    office = heading.issuer
    paragraphs = [
        f"Thực hiện kế hoạch tổ chức {occasion}, trên cơ sở đề nghị của các đơn vị, địa phương và kết quả "
        f"xét duyệt của Hội đồng Thi đua - Khen thưởng, {office.name} đã tổng hợp danh sách các tập thể, "
        "cá nhân có thành tích xuất sắc đủ điều kiện, tiêu chuẩn khen thưởng.",
        f"{office.name} kính trình Đồng chí {head} xem xét, quyết định tặng:",
        *[f"- {g.award_form_name} cho {_counted(g)};" for g in groups],
    ]
    if len(paragraphs) > 2:
        paragraphs[-1] = paragraphs[-1].rstrip(";") + " (danh sách kèm theo)."
    return ProposalDocument(
        heading=heading,
        addressee=f"Đồng chí {head}",
        title=f"Về việc đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc, được biểu dương tại {occasion}",
        bases=[f"Căn cứ {b.rstrip(';. ')};" for b in issuers.legal_bases()],
        paragraphs=paragraphs,
        groups=groups,
        closing=f"{office.name} kính trình Đồng chí {head} xem xét, quyết định./.",
    )


# -- the Quyết định ----------------------------------------------------------------------

def list_reference(heading: Heading) -> str:
    """"(Kèm theo Quyết định số 12/QĐ-BCA ngày 05/9/2021 của Bộ trưởng Bộ Công an)"; a draft
    leaves number and date blank."""
    number = document_number(heading.number, heading.symbol) if heading.number else f"{BLANK}/{heading.symbol}"
    day = vn_short_date(heading.issued_on) if heading.issued_on and not heading.draft else BLANK
    issuer = heading.issuer
    return f"(Kèm theo Quyết định số {number} ngày {day} của {issuer.head_title} {issuer.name})"


def build_decision(plan: DecisionPlan, units: list[Mapping[str, Any]], *, heading: Heading,
                   proposal_ref: str | None = None) -> DecisionDocument:
    """Quyết định khen thưởng of plan.issuer granting plan.form, its list attached.
    `proposal_ref`: "Tờ trình số 05/TTr-V01 ngày 01/9/2021" when a Tờ trình proposed it."""
    issuer = heading.issuer
    group = award_group(plan.form, issuer, plan.nominations, _unit_names(units))
    form = plan.form.short or plan.form.name
    proposer = issuer.proposer or "Thủ trưởng cơ quan tham mưu"
    occasion = plan.occasion
    reason = "vì đã có thành tích xuất sắc" + (f", được biểu dương tại {occasion}" if occasion else "")
    articles = [
        f"Tặng {form} cho {_counted(group)} có tên trong danh sách kèm theo, {reason}.",
        "Quyết định có hiệu lực kể từ ngày ký" + (f" và thay thế {heading.replaces}." if heading.replaces else "."),
        f"{proposer}, Thủ trưởng các đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 "
        "chịu trách nhiệm thi hành Quyết định này./.",
    ]
    return DecisionDocument(
        heading=heading,
        title=f"Về việc tặng {form}",
        bases=_bases(issuer),
        proposal=f"Theo đề nghị của {proposer}" + (f" tại {proposal_ref}" if proposal_ref else "") + ".",
        articles=articles,
        group=group,
        list_title=f"DANH SÁCH {_who(group)} ĐƯỢC TẶNG {form.upper()}",
        list_reference=list_reference(heading),
    )


def proposal_reference(heading: Heading) -> str | None:
    """How a Quyết định cites an issued Tờ trình: "Tờ trình số 05/TTr-V01 ngày 01/9/2021"."""
    if heading.number is None or heading.issued_on is None:
        return None
    return f"Tờ trình số {document_number(heading.number, heading.symbol)} ngày {vn_short_date(heading.issued_on)}"


# -- fingerprints: what a document prints, its number and date of issue aside -------------

_UNPRINTED = ("number", "issued_on", "year", "verify_url", "verify_code")


def document_fingerprint(doc: Any) -> str:
    """sha256 over everything a document prints except its number, date of issue and
    verification link (which the issue itself gives it): a draft and the document issued
    from it have the same fingerprint; any changed word, name or figure changes it."""
    content = dataclasses.asdict(doc)
    if "heading" in content:
        content["heading"] = {k: v for k, v in content["heading"].items() if k not in _UNPRINTED}
        content.pop("list_reference", None)  # the number and date again
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def proposal_fingerprint(conference: Mapping[str, Any], approved_nominations: Iterable[Mapping[str, Any]],
                         units: list[Mapping[str, Any]], *, heading: Heading) -> str:
    return document_fingerprint(build_proposal(conference, list(approved_nominations), units, heading=heading))


def decision_fingerprint(plan: DecisionPlan, units: list[Mapping[str, Any]], *, heading: Heading,
                         proposal_ref: str | None = None) -> str:
    return document_fingerprint(build_decision(plan, units, heading=heading, proposal_ref=proposal_ref))
