"""From a conference and the stored reports to a SummaryDocument (pure: no AWS, no WeasyPrint).

Figures of a window are the sums of its periods' reports; a unit's row in the
per-unit table is its own figures plus all its descendants' (the tree roll-up);
the grand totals add every unit in scope once. Reports sent back for correction
(status "returned") count nowhere until resubmitted. The previous window is the
same number of periods immediately before the first covered one.

Section IV (achievements) shows each unit once: its own summary of the covered
periods when it gave one (its report for a longer period that contains the whole
window, e.g. the quarter holding a conference's months), else its latest covered
period's achievements; at most HIGHLIGHT_CAP characters. The period-by-period texts
go in an annex only when the conference asks for it (`annex`).

The summary stays a summary at any size of the tree: section III's tables, section IV, the
completeness annex and the period-by-period annex list only the units `summary_levels` deep
(default 1: the ministry's direct units), each rolled up over its subtree; the whole subtree
of a unit named in `summary_detail` (a province, say) comes in an annex of its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Sequence

from chalicelib.documents.issuers import office_order
from chalicelib.documents.model import (
    AssessmentSections,
    CompletenessRow,
    Heading,
    Highlight,
    PeriodText,
    UnitDetail,
    UnitPeriodTexts,
    IndicatorLine,
    SummaryDocument,
    UnitRow,
)
from chalicelib.conferences.recipients import recipients_of
from chalicelib.core.catalogs import CATALOG_PATH, Catalog
from chalicelib.core.periods import Period, parse_period
from chalicelib.core.text import cut_at_word
from chalicelib.units.service import descendants, tree_walk

# Conference fields that change what the document says (recipients only through "Nơi nhận").
DOCUMENT_FIELDS = ("title", "date", "place", "periods", "unit_ids", "number_prefix", "signer",
                   "upper_agency", "agency", "report_title")


# Levels below the top of the scope the summary lists by default: the ministry's direct units.
DEFAULT_LEVELS = 1


def summary_levels(conference: dict[str, Any]) -> int:
    return int(conference.get("summary_levels") or DEFAULT_LEVELS)


def listed_units(units: list[dict[str, Any]], levels: int) -> set[str]:
    """Ids of the units the summary lists: at most `levels` below the top of the scope."""
    return {u["id"] for depth, u in office_order(units) if depth <= levels}


# Section IV prints at most this many characters of a unit's achievements (about a third
# of a page): with 100 units the summary stays a summary (under 60 pages).
HIGHLIGHT_CAP = 1000


@dataclass(frozen=True)
class Inputs:
    conference: dict[str, Any]
    units: list[dict[str, Any]]                 # the units in scope
    covered: list[Period]
    previous: list[Period]
    # period code -> in-scope reports: covered, previous and summary_periods(covered)
    reports: dict[str, list[dict[str, Any]]]
    catalog: Catalog
    catalog_version: str


def catalog_version() -> str:
    return hashlib.sha256(CATALOG_PATH.read_bytes()).hexdigest()[:16]


def window(conference: dict[str, Any]) -> tuple[list[Period], list[Period]]:
    covered = sorted(parse_period(p) for p in conference["periods"])
    previous: list[Period] = []
    p = covered[0]
    for _ in covered:
        p = p.previous()
        previous.insert(0, p)
    return covered, previous


def summary_periods(covered: Sequence[Period]) -> list[Period]:
    """Longer periods that contain the whole window, narrowest first: a unit's report for
    one of them is its own summary of the covered periods. Months -> their quarter;
    weeks -> their month, then their quarter. None for a single period, a window that
    spans two quarters, or quarters (there is no longer kind)."""
    if len(covered) < 2:
        return []
    start, end = covered[0].start, covered[-1].end
    candidates = []
    if covered[0].kind == "week":
        candidates.append(Period("month", start.year, start.month))
    if covered[0].kind in ("week", "month"):
        candidates.append(Period("quarter", start.year, (start.month - 1) // 3 + 1))
    return [p for p in candidates if p.start <= start and p.end >= end]


def units_in_scope(units: list[dict[str, Any]], unit_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    if not unit_ids:
        return list(units)
    keep: set[str] = set()
    known = {u["id"] for u in units}
    for uid in unit_ids:
        if uid in known:
            keep |= descendants(units, uid)
    return [u for u in units if u["id"] in keep]


def counted(report: dict[str, Any]) -> bool:
    return report.get("status") != "returned"


def distribution_lines(conference: dict[str, Any]) -> list[str]:
    """'Nơi nhận': the conference's own lines, else the recipients' display names."""
    if conference.get("distribution"):
        return list(conference["distribution"])
    return [r.name or r.email for r in recipients_of(conference)]


def _figures_digest(inputs: Inputs) -> str | None:
    """The digest of the reports known only by their figures (a period's pack: every unit the summary
    does not list; they carry no ETag): their units and values, so that a changed figure changes the
    fingerprint and a repack does not. None when every report was read whole (its ETag says it all).
    One JSON text per call, not one per report: 131,000 reports at 11,000 units and 24 periods."""
    bare = {code: sorted([r["unit_id"], r.get("values") or {}] for r in rs if not r.get("etag"))
            for code, rs in inputs.reports.items()}
    bare = {code: rows for code, rows in bare.items() if rows}
    if not bare:
        return None
    blob = json.dumps(bare, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def fingerprint(inputs: Inputs) -> str:
    """Same inputs, same fingerprint: the compile makes a new version only when this changes."""
    conf = inputs.conference
    content = {
        "conference": {k: conf.get(k) for k in DOCUMENT_FIELDS}
        # only when asked for, so that earlier conferences keep their fingerprints
        | ({"annex": True} if conf.get("annex") else {})
        | ({"summary_levels": summary_levels(conf)} if summary_levels(conf) != DEFAULT_LEVELS else {})
        | ({"summary_detail": list(conf["summary_detail"])} if conf.get("summary_detail") else {}),
        "distribution": distribution_lines(conf),
        "units": sorted((u["id"], u["name"], u.get("parent_id") or "", u.get("kind") or "") for u in inputs.units),
        "reports": sorted((r["unit_id"], r["period"], r["etag"], r.get("status") or "")
                          for rs in inputs.reports.values() for r in rs if r.get("etag")),
        "catalog": inputs.catalog_version,
    }
    figures = _figures_digest(inputs)
    if figures is not None:  # only when some reports came from packs: whole reports keep their fingerprints
        content["figures"] = figures
    if conf.get("assessment"):  # only when written, so that earlier conferences keep their fingerprints
        content["assessment"] = conf["assessment"]
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def window_label(periods: Sequence[Period]) -> str:
    """[2021-07, 2021-08] -> "tháng 7 và tháng 8 năm 2021"; long runs -> "từ tháng 1 đến tháng 6 năm 2021"."""
    labels = [p.label for p in periods]
    if len(periods) == 1:
        return labels[0]
    same_year = len({p.year for p in periods}) == 1
    suffix = f" năm {periods[0].year}"
    short = [lab.removesuffix(suffix) for lab in labels] if same_year else labels
    if len(periods) > 3:
        return f"từ {short[0]} đến {short[-1]}" + (suffix if same_year else "")
    return ", ".join(short[:-1]) + " và " + short[-1] + (suffix if same_year else "")


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def own_figures(units: list[dict[str, Any]], reports: dict[str, list[dict[str, Any]]],
                periods: Sequence[Period], codes: Sequence[str]) -> dict[str, dict[str, int | None]]:
    """unit id -> code -> the sum over `periods` of the unit's own counted reports."""
    wanted = {p.code for p in periods}
    kept = set(codes)
    # one pass over the reports, adding as it goes (132,000 reports at 11,000 units)
    sums: dict[str, dict[str, int | None]] = {u["id"]: dict.fromkeys(codes) for u in units}
    for code, rs in reports.items():
        if code not in wanted:
            continue
        for r in rs:
            mine = sums.get(r["unit_id"])
            if mine is None or not counted(r):
                continue
            for c, v in (r.get("values") or {}).items():
                if v is not None and c in kept:
                    old = mine[c]
                    mine[c] = v if old is None else old + v
    return sums


def rolled_up(units: list[dict[str, Any]], own: dict[str, dict[str, int | None]],
              codes: Sequence[str]) -> dict[str, dict[str, int | None]]:
    """A unit's own figures plus all its descendants': one pass up the tree, children
    before their parents (linear in units × codes; it used to walk each subtree anew)."""
    sums = {u["id"]: {c: (own.get(u["id"]) or {}).get(c) for c in codes} for u in units}
    for _, unit, parent in reversed(tree_walk(units)):  # the walk's parent: a stored cycle counts once
        if parent is not None:
            mine, theirs = sums[unit["id"]], sums[parent]
            for c in codes:
                if mine[c] is not None:
                    theirs[c] = mine[c] if theirs[c] is None else theirs[c] + mine[c]
    return sums


def shorten(text: str, cap: int = HIGHLIGHT_CAP) -> str:
    return cut_at_word(text, cap)


def _texts(inputs: Inputs, periods: Sequence[Period]) -> dict[str, dict[Period, str]]:
    """unit id -> period -> the counted report's non-empty achievements."""
    names = {u["id"] for u in inputs.units}
    out: dict[str, dict[Period, str]] = {}
    for p in periods:
        for r in inputs.reports.get(p.code, []):
            text = (r.get("achievements") or "").strip()
            if text and counted(r) and r["unit_id"] in names:
                out.setdefault(r["unit_id"], {})[p] = text
    return out


def _office_rank(units: list[dict[str, Any]], order: Sequence[tuple[int, Any]] | None = None) -> dict[str, int]:
    return {u["id"]: i for i, (_, u) in enumerate(order if order is not None else office_order(units))}


def highlights(inputs: Inputs, listed: set[str] | None = None, rank: dict[str, int] | None = None) -> list[Highlight]:
    """Each unit once (each of `listed`, when given), in the office's order (issuers.office_order): its summary of the covered periods
    (a report for a longer period containing the window), else its latest covered
    period's achievements; shortened to HIGHLIGHT_CAP. Over several periods the text
    says which period it comes from."""
    names = {u["id"]: u["name"] for u in inputs.units}
    longer = summary_periods(inputs.covered)
    summaries = _texts(inputs, longer)
    periodic = _texts(inputs, inputs.covered)
    several = len(inputs.covered) > 1
    chosen: dict[str, tuple[Period, str]] = {}
    for uid in names if listed is None else [u for u in names if u in listed]:
        if uid in summaries:
            period = next(p for p in longer if p in summaries[uid])
            chosen[uid] = (period, summaries[uid][period])
        elif uid in periodic:
            period = max(periodic[uid])
            chosen[uid] = (period, periodic[uid][period])
    rank = rank if rank is not None else _office_rank(inputs.units)
    ordered = sorted(chosen, key=lambda uid: rank[uid])
    return [Highlight(names[uid], shorten(chosen[uid][1]), chosen[uid][0].label if several else None)
            for uid in ordered]


def period_texts(inputs: Inputs, listed: set[str] | None = None,
                 rank: dict[str, int] | None = None) -> list[UnitPeriodTexts]:
    """The annex: every unit's (each of `listed`'s) achievements for each covered period, in full."""
    names = {u["id"]: u["name"] for u in inputs.units}
    periodic = _texts(inputs, inputs.covered)
    if listed is not None:
        periodic = {uid: texts for uid, texts in periodic.items() if uid in listed}
    rank = rank if rank is not None else _office_rank(inputs.units)
    ordered = sorted(periodic, key=lambda uid: rank[uid])
    return [UnitPeriodTexts(names[uid], [PeriodText(p.label, periodic[uid][p]) for p in sorted(periodic[uid])])
            for uid in ordered]


def completeness_rows(rows: Sequence[Any]) -> list[CompletenessRow]:
    """Rows of chalicelib.reporting.completeness (or anything with name/label/state) for the
    annex, in the office's order when they carry unit ids. A unit without a report of its own
    whose units below reported says so (its subtree's state), not a bare "Chưa nộp"."""
    out = []
    for r in rows:
        if getattr(r, "state", "x") is None:
            continue
        label = r.label
        sub = getattr(r, "subtree_label", None)
        if sub:
            if getattr(r, "state", None) == "missing" and getattr(r, "subtree_state", None) == "complete":
                label = sub
            elif getattr(r, "subtree_state", None) != "complete":
                label = f"{label}; {sub[:1].lower()}{sub[1:]}"
        out.append(CompletenessRow(r.name, label, getattr(r, "depth", 1)))
    return out


def _in_office_order(rows: Sequence[Any], units: list[dict[str, Any]],
                     rank: dict[str, int] | None = None) -> list[Any]:
    """Completeness rows in the office's order (rows without a known unit id keep theirs, last)."""
    rank = rank if rank is not None else _office_rank(units)
    return sorted(rows, key=lambda r: rank.get(getattr(r, "unit_id", None), len(rank)))


def _reported(inputs: Inputs) -> set[str]:
    """Units that, themselves or a unit below them, sent a counted report for the window."""
    wanted = {p.code for p in inputs.covered}
    mine = {r["unit_id"] for code, rs in inputs.reports.items() if code in wanted for r in rs if counted(r)}
    parents = {u["id"]: u.get("parent_id") for u in inputs.units}
    out: set[str] = set()
    for uid in mine:
        seen = set()
        while uid is not None and uid in parents and uid not in seen:
            seen.add(uid)
            out.add(uid)
            uid = parents[uid]
    return out


def build_summary(inputs: Inputs, *, heading: Heading, completeness: Sequence[Any] = (),
                  assessment: AssessmentSections = AssessmentSections()) -> SummaryDocument:
    """The Báo cáo of a conference. `heading` (issuer = issuers.ministry(conference)) gives
    header, number, date of issue, Nơi nhận and signer; `assessment` the office's own sections."""
    conf = inputs.conference
    all_codes = list(inputs.catalog.codes)
    own_now = own_figures(inputs.units, inputs.reports, inputs.covered, all_codes)
    own_before = own_figures(inputs.units, inputs.reports, inputs.previous, all_codes)
    totals = {c: _sum([own_now[u][c] for u in own_now]) for c in all_codes}
    before = {c: _sum([own_before[u][c] for u in own_before]) for c in all_codes}
    # An indicator nobody reported in either window would be a row of dashes: leave it out.
    codes = [c for c in all_codes if totals[c] is not None or before[c] is not None]
    rolled = rolled_up(inputs.units, own_now, codes)
    lines = [IndicatorLine(i.code, i.label, i.unit, totals[i.code] or 0, before[i.code])
             for i in inputs.catalog.indicators if i.code in codes]
    has_children = {u.get("parent_id") for u in inputs.units}
    reported = _reported(inputs)
    levels = summary_levels(conf)
    order = office_order(inputs.units)
    every = []
    for depth, unit in order:
        name = unit["name"]
        if depth == 0 and unit["id"] in has_children:
            name += " (tổng cộng)"
        every.append(UnitRow(unit["id"], name, depth, rolled[unit["id"]], unit["id"] in reported))
    rows = [r for r in every if r.depth <= levels]
    listed = {r.unit_id for r in rows}
    rank = _office_rank(inputs.units, order)
    period_label = window_label(inputs.covered)
    has_previous = any(v is not None for v in before.values())
    title = conf.get("report_title") or f"Tổng hợp kết quả {period_label} phục vụ {conf['title']}"
    return SummaryDocument(
        heading=heading,
        title=title,
        period_label=period_label,
        previous_label=window_label(inputs.previous) if has_previous else None,
        indicators=lines,
        main_indicator_codes=[i.code for i in inputs.catalog.indicators if i.main],
        unit_rows=rows,
        highlights=highlights(inputs, listed, rank),
        period_texts=period_texts(inputs, listed, rank) if conf.get("annex") else [],
        completeness=completeness_rows(_in_office_order(
            [r for r in completeness if getattr(r, "unit_id", None) in listed or not hasattr(r, "unit_id")],
            inputs.units, rank)),
        assessment=assessment,
        levels=levels,
        deeper=len(rows) < len(every),
        details=details(every, conf.get("summary_detail") or ()),
    )


def details(every: list[UnitRow], unit_ids: Sequence[str]) -> list[UnitDetail]:
    """The detail annexes: for each unit asked for (in the office's order), its subtree's rows
    (`every`, in tree order: a subtree is the run after its unit of deeper rows), depths from it."""
    wanted = set(unit_ids)
    out = []
    for i, row in enumerate(every):
        if row.unit_id not in wanted:
            continue
        end = i + 1
        while end < len(every) and every[end].depth > row.depth:
            end += 1
        rows = [UnitRow(r.unit_id, r.name, r.depth - row.depth, r.values, r.submitted) for r in every[i:end]]
        out.append(UnitDetail(row.name.removesuffix(" (tổng cộng)"), rows))
    return out


def assessment_of(conference: dict[str, Any]) -> AssessmentSections:
    """The conference's `assessment` field as the document's sections (missing ones empty)."""
    raw = conference.get("assessment") or {}
    return AssessmentSections(**{k: (raw.get(k) or "") for k in AssessmentSections.__dataclass_fields__})
