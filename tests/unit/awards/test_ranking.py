"""The shortlist rubric as pure functions: normalisation, kinds, weights, reviewers, ties, quota."""

from __future__ import annotations

from chalicelib.awards import ranking
from chalicelib.core.catalogs import Criterion, Rubric, award_forms, scoring_rubric

RUBRIC = Rubric(automatic_weight=0.4, reviewer_weight=0.6, per="officers_mobilised",
                indicators={"people_traced": 1.0, "patients_treated": 1.0},
                criteria=(Criterion("impact", "Hiệu quả", 0.75), Criterion("initiative", "Sáng kiến", 0.25)),
                criterion_max=10)
UNITS = [{"id": "big", "kind": "province"}, {"id": "small", "kind": "province"}, {"id": "mid", "kind": "province"},
         {"id": "hospital", "kind": "hospital"}, {"id": "clinic", "kind": "hospital"}]


def report(unit, **values):
    return {"unit_id": unit, "values": values, "status": "submitted"}


def test_figures_are_per_officer_so_size_alone_does_not_win():
    figures = ranking.unit_figures([report("big", officers_mobilised=10000, people_traced=20000),
                                    report("small", officers_mobilised=100, people_traced=900),
                                    report("mid", officers_mobilised=1000, people_traced=3000)])
    auto = ranking.automatic_scores(UNITS, figures, RUBRIC)
    assert auto["small"].score == 100.0 and auto["mid"].score == 50.0 and auto["big"].score == 0.0


def test_units_are_ranked_only_among_their_own_kind():
    figures = ranking.unit_figures([report("big", officers_mobilised=100, people_traced=100),
                                    report("small", officers_mobilised=100, people_traced=50),
                                    report("hospital", officers_mobilised=100, patients_treated=10),
                                    report("clinic", officers_mobilised=100, patients_treated=5)])
    auto = ranking.automatic_scores(UNITS, figures, RUBRIC)
    # the hospital's modest figures are the best among hospitals: it is not measured against provinces
    assert auto["hospital"].score == 100.0 and auto["clinic"].score == 0.0 and auto["big"].score == 100.0
    assert auto["mid"].score == 0.0 and auto["mid"].indicators == {}  # reported nothing


def test_a_unit_alone_of_its_kind_scores_neutral_and_returned_reports_count_nowhere():
    figures = ranking.unit_figures([report("hospital", officers_mobilised=10, patients_treated=9),
                                    {**report("clinic", officers_mobilised=10, patients_treated=99),
                                     "status": "returned"}])
    assert "clinic" not in figures
    assert ranking.automatic_scores(UNITS, figures, RUBRIC)["hospital"].score == ranking.NEUTRAL


def test_reviewer_scores_use_the_criterion_weights_and_scale_to_100():
    reviews = ranking.reviewer_part([{"scores": {"impact": 10, "initiative": 0}},
                                     {"scores": {"impact": 6, "initiative": 10}}], RUBRIC)
    # reviewer 1: 7.5, reviewer 2: 7.0 -> mean 7.25 of 10 -> 72.5
    assert reviews.score == 72.5 and reviews.count == 2 and reviews.criteria == {"impact": 8.0, "initiative": 5.0}
    assert ranking.total(50.0, reviews, RUBRIC) == round(0.4 * 50 + 0.6 * 72.5, 2)
    assert ranking.reviewer_part([], RUBRIC).score is None
    assert ranking.total(80.0, ranking.reviewer_part([], RUBRIC), RUBRIC) == 32.0


def nomination(nid, unit, created, form="bang-khen-bo-truong", status="pending"):
    return {"id": nid, "unit_id": unit, "award_form": form, "created_at": created, "status": status}


def test_ties_break_by_automatic_then_time_then_id_and_forms_go_by_precedence():
    auto = {"a": ranking.Automatic(60.0), "b": ranking.Automatic(60.0), "c": ranking.Automatic(70.0)}
    noms = [nomination("n2", "a", "2021-08-02"), nomination("n1", "b", "2021-08-02"),
            nomination("n3", "a", "2021-08-01"), nomination("n4", "c", "2021-08-03", form="giay-khen"),
            nomination("n5", "b", "2021-08-05", form="co-thi-dua-bo-cong-an")]
    rows = ranking.rank(noms, award_forms(), {}, auto, {}, RUBRIC)
    assert [r.nomination["id"] for r in rows] == ["n5", "n3", "n1", "n2", "n4"]
    assert [r.rank for r in rows] == [1, 1, 2, 3, 1]
    again = ranking.rank(list(reversed(noms)), award_forms(), {}, auto, {}, RUBRIC)
    assert [r.nomination["id"] for r in again] == [r.nomination["id"] for r in rows]


def test_the_quota_skips_rejected_nominations():
    auto = {u: ranking.Automatic(s) for u, s in (("a", 90.0), ("b", 80.0), ("c", 70.0))}
    noms = [nomination("n1", "a", "t"), nomination("n2", "b", "t", status="rejected"), nomination("n3", "c", "t")]
    rows = ranking.rank(noms, award_forms(), {"bang-khen-bo-truong": 2}, auto, {}, RUBRIC)
    assert [(r.nomination["id"], r.within_quota) for r in rows] == [("n1", True), ("n2", False), ("n3", True)]


def test_the_shipped_rubric_names_only_catalog_indicators():
    rubric = scoring_rubric()
    assert abs(rubric.automatic_weight + rubric.reviewer_weight - 1) < 1e-9
    assert rubric.per == "officers_mobilised" and {c.code for c in rubric.criteria} == {"impact", "exemplary",
                                                                                      "initiative"}
