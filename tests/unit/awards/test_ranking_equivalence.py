"""The automatic score computed by one sort per kind and indicator (and binary search) is exactly the
score of the former peer list per unit: the former implementation is kept here, verbatim, and both
run on random trees and figures."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from chalicelib.awards import ranking
from chalicelib.awards.ranking import NEUTRAL, Automatic, no_denominator
from chalicelib.core.catalogs import Criterion, Rubric

CODES = ("people_traced", "patients_treated", "checkpoints")
KINDS = ("province", "department", "hospital", "other")


def _old_percentile(value: float, others: list[float]) -> float:
    n = len(others)
    if n <= 1:
        return NEUTRAL
    below = sum(1 for v in others if v < value)
    equal = sum(1 for v in others if v == value) - 1
    return round(100.0 * (below + 0.5 * equal) / (n - 1), 2)


def old_automatic_scores(units: list[dict[str, Any]], figures: dict[str, dict[str, int]],
                         rubric: Rubric) -> dict[str, Automatic]:
    """The O(indicators × units²) implementation before issue 20."""
    kind_of = {u["id"]: u.get("kind", "other") for u in units}
    rates: dict[str, dict[str, float]] = {}
    unscored: dict[str, str] = {}
    for unit_id, sums in figures.items():
        reason = no_denominator(sums, rubric.per)
        if reason and any(code in sums for code in rubric.indicators):
            unscored[unit_id] = reason
            continue
        size = int(sums[rubric.per]) if rubric.per else 1
        rates[unit_id] = {code: sums[code] / size for code in rubric.indicators if code in sums}
    out: dict[str, Automatic] = {}
    for unit_id in kind_of:
        if unit_id in unscored:
            out[unit_id] = Automatic(0.0, unscored=unscored[unit_id])
            continue
        mine = rates.get(unit_id, {})
        peers = [u for u in rates if kind_of.get(u) == kind_of[unit_id]]
        ranked = {code: [rates[p][code] for p in peers if code in rates[p]] for code in mine}
        percentiles = {code: _old_percentile(rate, ranked[code]) for code, rate in mine.items()}
        weight = sum(rubric.indicators[c] for c in percentiles)
        score = sum(rubric.indicators[c] * p for c, p in percentiles.items()) / weight if weight else 0.0
        out[unit_id] = Automatic(round(score, 2), percentiles, dict(mine),
                                 {code: len(values) for code, values in ranked.items()})
    return out


def _rubric(per: str | None, weights: list[float]) -> Rubric:
    return Rubric(automatic_weight=0.4, reviewer_weight=0.6, per=per,
                  indicators=dict(zip(CODES, weights)),
                  criteria=(Criterion("impact", "Hiệu quả", 1.0),), criterion_max=10)


# small value ranges so ties (equal rates, zero sizes, missing figures) are frequent
# as `rolled_up_figures` gives them: the rubric's codes only, never an empty entry
unit_figures = st.dictionaries(st.sampled_from((*CODES, "officers_mobilised")),
                               st.integers(0, 6) | st.integers(0, 10**9), min_size=1)


@st.composite
def cases(draw: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]], Rubric, list[str] | None]:
    n = draw(st.integers(0, 40))
    units = [{"id": f"u{i}", "kind": draw(st.sampled_from(KINDS))} for i in range(n)]
    if n and draw(st.booleans()):
        del units[draw(st.integers(0, n - 1))]["kind"]  # no kind: "other"
    ids = [f"u{i}" for i in range(n + 3)]  # a few figures of units no longer in the tree
    figures = {u: draw(unit_figures) for u in draw(st.lists(st.sampled_from(ids), unique=True))} if ids else {}
    per = draw(st.sampled_from(["officers_mobilised", None]))
    weights = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=len(CODES), max_size=len(CODES)))
    only = draw(st.none() | st.lists(st.sampled_from(ids), unique=True))
    return units, figures, _rubric(per, weights), only


@settings(max_examples=400, deadline=None)
@given(cases())
def test_the_sorted_ranking_equals_the_former_peer_lists(case):
    units, figures, rubric, only = case
    before = old_automatic_scores(units, figures, rubric)
    assert ranking.automatic_scores(units, figures, rubric) == before
    # scoring only some units changes nothing for them: every unit of a kind stays a peer
    wanted = ranking.automatic_scores(units, figures, rubric, only=only)
    assert wanted == {u: before[u] for u in (only if only is not None else before) if u in before}


def test_ranking_eleven_thousand_units_is_fast():
    """The shortlist's ranking at the ministry's full size (11,000 units) well under a second."""
    import random
    import time

    rng = random.Random(20)
    units = [{"id": f"u{i}", "kind": rng.choice(KINDS)} for i in range(11_000)]
    figures = {u["id"]: {"officers_mobilised": rng.randint(1, 500), **{c: rng.randint(0, 5000) for c in CODES}}
               for u in units}
    started = time.perf_counter()
    out = ranking.automatic_scores(units, figures, _rubric("officers_mobilised", [1.0, 1.0, 1.0]))
    assert len(out) == 11_000 and time.perf_counter() - started < 2.0  # O(n²) took over a minute
