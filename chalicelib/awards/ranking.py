"""The shortlist rubric, as pure functions (documented in the README, configured in
`core/catalog/scoring.json`).

    total = automatic_weight × automatic + reviewer_weight × reviewers        (each 0-100)

- automatic: the nominee's entity is scored, not the nominating unit: a collective that
  is a unit of the tree on its own subtree's figures (its roll-up), an individual on
  their unit's (nominee_unit_id, else the nominating unit), a team on its unit's. For
  each rubric indicator, the unit's figure summed over the conference's periods and
  divided by its officers mobilised (so a hospital of 200 is not outranked by a city
  force of 12.000 by size alone), then ranked as a percentile among the units *of the
  same kind* (provinces with provinces, hospitals with hospitals) that reported it; the
  indicator percentiles are averaged by their rubric weights. A unit alone of its kind
  on an indicator scores the neutral 50. A unit whose officers mobilised is missing or
  zero is not scored at all (0, and not a peer of anyone): its figures have no
  denominator, and dividing by 1 instead would put it far above every honest unit.
- reviewers: each reviewer's criteria (0-10) averaged by the criterion weights and
  scaled to 0-100, then averaged over reviewers. No review yet counts as 0, so an
  unreviewed nomination does not overtake reviewed ones by its figures alone.
- ties break by: total, then automatic, then reviewers, then the earlier nomination
  (created_at), then the nomination id: the same order on every run.
- quota: the first `quota` nominations in a form that are not rejected are within it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterable

from chalicelib.core.catalogs import AwardForm, Rubric
from chalicelib.core.states import NominationStatus

NEUTRAL = 50.0


def unit_figures(reports: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """unit -> indicator -> sum over the given reports (returned reports excluded)."""
    out: dict[str, dict[str, int]] = {}
    for r in reports:
        if r.get("status") == "returned":  # sent back for correction: counts nowhere until resubmitted
            continue
        sums = out.setdefault(r["unit_id"], {})
        for code, value in (r.get("values") or {}).items():
            if value is not None:
                sums[code] = sums.get(code, 0) + int(value)
    return out


def scored_unit(nomination: dict[str, Any]) -> str:
    """The unit whose figures score the nomination: the nominee's (a unit of the tree, or the unit
    of the person or team), else the nominating unit."""
    return nomination.get("nominee_unit_id") or nomination["unit_id"]


def no_denominator(sums: dict[str, int], per: str | None) -> str | None:
    """Why a unit's figures cannot be divided by its size (Vietnamese), or None when they can."""
    if not per:
        return None
    if sums.get(per) is None:
        return "Không chấm: đơn vị không báo cáo số cán bộ, chiến sĩ huy động (mẫu số) trong các kỳ của hội nghị."
    if sums[per] <= 0:
        return "Không chấm: đơn vị báo cáo 0 cán bộ, chiến sĩ huy động (mẫu số bằng 0)."
    return None


def _percentile(value: float, ranked: list[float]) -> float:
    """Percent rank of `value` among `ranked` (sorted ascending, `value` among them): ties share the middle.

    Two binary searches instead of a walk over the peers: the same counts, so the same result."""
    n = len(ranked)
    if n <= 1:
        return NEUTRAL
    below = bisect_left(ranked, value)
    equal = bisect_right(ranked, value) - below - 1
    return round(100.0 * (below + 0.5 * equal) / (n - 1), 2)


@dataclass(frozen=True)
class Automatic:
    score: float
    indicators: dict[str, float] = field(default_factory=dict)  # indicator -> percentile
    rates: dict[str, float] = field(default_factory=dict)       # indicator -> the figure per `rubric.per`
    peers: dict[str, int] = field(default_factory=dict)         # indicator -> units of the kind ranked on it
    unscored: str | None = None  # why the unit is not scored (no denominator), in Vietnamese


def automatic_scores(units: list[dict[str, Any]], figures: dict[str, dict[str, int]],
                     rubric: Rubric, only: Iterable[str] | None = None) -> dict[str, Automatic]:
    """The automatic part of the units in `only` (every unit when None), each ranked among all the units
    of its own kind.

    Every unit of a kind is still a peer (the percentiles are over the whole kind), but only the units
    asked for are scored: the shortlist asks for its nominees' units. One sort per kind and indicator,
    then two binary searches per scored unit and indicator: O(n log n), not a peer list per unit."""
    kind_of = {u["id"]: u.get("kind", "other") for u in units}
    rates: dict[str, dict[str, float]] = {}
    unscored: dict[str, str] = {}
    for unit_id, sums in figures.items():
        reason = no_denominator(sums, rubric.per)
        if reason and any(code in sums for code in rubric.indicators):
            unscored[unit_id] = reason  # never divided by 1: not scored, and no peer of the honest units
            continue
        size = int(sums[rubric.per]) if rubric.per else 1
        rates[unit_id] = {code: sums[code] / size for code in rubric.indicators if code in sums}
    ranked: dict[tuple[str, str], list[float]] = {}  # (kind, indicator) -> every peer's rate, ascending
    for unit_id, mine in rates.items():
        kind = kind_of.get(unit_id)
        if kind is None:  # figures of a unit no longer in the tree: nobody's peer
            continue
        for code, rate in mine.items():
            ranked.setdefault((kind, code), []).append(rate)
    for values in ranked.values():
        values.sort()
    wanted = kind_of if only is None else dict.fromkeys(u for u in only if u in kind_of)
    out: dict[str, Automatic] = {}
    for unit_id in wanted:
        if unit_id in unscored:
            out[unit_id] = Automatic(0.0, unscored=unscored[unit_id])
            continue
        kind = kind_of[unit_id]
        mine = rates.get(unit_id, {})
        percentiles = {code: _percentile(rate, ranked[(kind, code)]) for code, rate in mine.items()}
        weight = sum(rubric.indicators[c] for c in percentiles)
        score = sum(rubric.indicators[c] * p for c, p in percentiles.items()) / weight if weight else 0.0
        out[unit_id] = Automatic(round(score, 2), percentiles, dict(mine),
                                 {code: len(ranked[(kind, code)]) for code in mine})
    return out


@dataclass(frozen=True)
class Reviews:
    score: float | None                   # 0-100; None when nobody scored
    count: int
    criteria: dict[str, float]            # criterion -> mean (0-10)


def reviewer_part(scores: list[dict[str, Any]], rubric: Rubric) -> Reviews:
    if not scores:
        return Reviews(None, 0, {})
    total_weight = sum(c.weight for c in rubric.criteria)
    per_reviewer = [sum(c.weight * float(s["scores"].get(c.code, 0)) for c in rubric.criteria) / total_weight
                    for s in scores]
    criteria = {c.code: round(sum(float(s["scores"].get(c.code, 0)) for s in scores) / len(scores), 2)
                for c in rubric.criteria}
    mean = sum(per_reviewer) / len(per_reviewer)
    return Reviews(round(100.0 * mean / rubric.criterion_max, 2), len(scores), criteria)


def total(automatic: float, reviews: Reviews, rubric: Rubric) -> float:
    return round(rubric.automatic_weight * automatic + rubric.reviewer_weight * (reviews.score or 0.0), 2)


@dataclass(frozen=True)
class Row:
    nomination: dict[str, Any]
    award_form: AwardForm
    rank: int
    within_quota: bool
    automatic: Automatic
    reviews: Reviews
    total: float

    def as_dict(self, public: dict[str, Any]) -> dict[str, Any]:
        return {"nomination": public, "award_form_name": self.award_form.name, "rank": self.rank,
                "within_quota": self.within_quota,
                "score": {"automatic": self.automatic.score, "reviewers": self.reviews.score,
                          "reviewer_count": self.reviews.count, "criteria": self.reviews.criteria,
                          "indicators": self.automatic.indicators, "total": self.total}}


def rank(nominations: list[dict[str, Any]], forms: tuple[AwardForm, ...], quotas: dict[str, int],
         automatic: dict[str, Automatic], scores: dict[str, list[dict[str, Any]]], rubric: Rubric) -> list[Row]:
    """Rows grouped by award form in order of precedence, ranked within each form."""
    rows: list[Row] = []
    for form in forms:
        scored = []
        for n in (n for n in nominations if n["award_form"] == form.code):
            auto = automatic.get(scored_unit(n), Automatic(0.0))
            reviews = reviewer_part(scores.get(n["id"], []), rubric)
            scored.append((n, auto, reviews, total(auto.score, reviews, rubric)))
        scored.sort(key=lambda t: (-t[3], -t[1].score, -(t[2].score or 0.0), t[0]["created_at"], t[0]["id"]))
        quota = quotas.get(form.code)
        taken = 0
        for position, (n, auto, reviews, points) in enumerate(scored, 1):
            counts = n.get("status") != NominationStatus.REJECTED
            within = counts and (quota is None or taken < quota)
            taken += int(within)
            rows.append(Row(n, form, position, within, auto, reviews, points))
    return rows
