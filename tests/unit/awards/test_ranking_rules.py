"""What tests/unit/awards/test_ranking.py leaves out of chalicelib/awards/ranking.py's `rank`:
every step of the tie-break (total, automatic, reviewers, the earlier nomination, its id)
on its own, the same order from any input order, and where the quota line falls.

The rubric, the per-officer normalisation, kinds and reviewer weights are tested there.
"""

from __future__ import annotations

from itertools import permutations

import pytest

from chalicelib.awards import ranking
from chalicelib.core.catalogs import AwardForm, Criterion, Rubric

# One criterion so a reviewer's score is simply points × 10.
HALF_HALF = Rubric(automatic_weight=0.5, reviewer_weight=0.5, per=None, indicators={},
                   criteria=(Criterion("impact", "Hiệu quả", 1.0),), criterion_max=10)
AUTOMATIC_ONLY = Rubric(automatic_weight=1.0, reviewer_weight=0.0, per=None, indicators={},
                        criteria=(Criterion("impact", "Hiệu quả", 1.0),), criterion_max=10)

COLLECTIVE = AwardForm("co", "Cờ thi đua", ("collective",), 1)
MERIT = AwardForm("bk", "Bằng khen", ("collective", "individual"), 2)
CERTIFICATE = AwardForm("gk", "Giấy khen", ("collective", "individual"), 3)
FORMS = (COLLECTIVE, MERIT, CERTIFICATE)


def nomination(nid, unit, created="2021-08-01T08:00:00+07:00", form="bk", status="pending"):
    return {"id": nid, "unit_id": unit, "award_form": form, "created_at": created, "status": status}


def review(points):
    return {"scores": {"impact": points}}


def order(rows):
    return [r.nomination["id"] for r in rows]


def test_equal_totals_go_to_the_higher_automatic_score():
    auto = {"a": ranking.Automatic(60.0), "b": ranking.Automatic(40.0)}
    # b is earlier and has the smaller id: only the automatic score puts a first
    noms = [nomination("n1", "b", "2021-08-01"), nomination("n2", "a", "2021-08-02")]
    scores = {"n1": [review(6)], "n2": [review(4)]}      # 0.5×40 + 0.5×60 = 0.5×60 + 0.5×40
    rows = ranking.rank(noms, FORMS, {}, auto, scores, HALF_HALF)
    assert [(r.nomination["id"], r.total, r.automatic.score, r.reviews.score, r.rank) for r in rows] == [
        ("n2", 50.0, 60.0, 40.0, 1), ("n1", 50.0, 40.0, 60.0, 2)]


def test_equal_totals_and_automatic_scores_go_to_the_higher_reviewer_score():
    auto = {"a": ranking.Automatic(50.0), "b": ranking.Automatic(50.0)}
    noms = [nomination("n1", "a", "2021-08-01"), nomination("n2", "b", "2021-08-02")]
    scores = {"n1": [review(3)], "n2": [review(8)]}
    rows = ranking.rank(noms, FORMS, {}, auto, scores, AUTOMATIC_ONLY)
    assert [(r.nomination["id"], r.total, r.reviews.score) for r in rows] == [("n2", 50.0, 80.0), ("n1", 50.0, 30.0)]


def test_no_review_yet_ties_with_a_review_of_zero_and_the_earlier_nomination_goes_first():
    auto = {"a": ranking.Automatic(50.0), "b": ranking.Automatic(50.0)}
    noms = [nomination("n1", "a", "2021-08-02"), nomination("n2", "b", "2021-08-01")]
    rows = ranking.rank(noms, FORMS, {}, auto, {"n1": [review(0)]}, HALF_HALF)
    assert [(r.nomination["id"], r.reviews.score, r.total) for r in rows] == [("n2", None, 25.0), ("n1", 0.0, 25.0)]


def test_all_else_equal_the_earlier_nomination_then_the_smaller_id_goes_first():
    noms = [nomination("n-b", "a", "2021-08-01T09:00:00+07:00"), nomination("n-a", "a", "2021-08-01T09:00:00+07:00"),
            nomination("n-0", "a", "2021-08-01T10:00:00+07:00"), nomination("n-z", "a", "2021-08-01T08:00:00+07:00")]
    rows = ranking.rank(noms, FORMS, {}, {}, {}, HALF_HALF)
    assert order(rows) == ["n-z", "n-a", "n-b", "n-0"]
    assert [r.rank for r in rows] == [1, 2, 3, 4]


def test_a_unit_without_an_automatic_score_counts_zero():
    rows = ranking.rank([nomination("n1", "unknown"), nomination("n2", "a")], FORMS, {},
                        {"a": ranking.Automatic(1.0)}, {}, HALF_HALF)
    assert [(r.nomination["id"], r.automatic.score, r.total) for r in rows] == [("n2", 1.0, 0.5), ("n1", 0.0, 0.0)]


# The tie-break steps that can meet in one form under a 0.5/0.5 rubric: n1 > n2 by total,
# n2 > n3 by automatic (equal totals), n3 > n4 by time, n4 > n5 by time, n5 > n6 by id.
TIE_AUTO = {"u1": ranking.Automatic(90.0), "u2": ranking.Automatic(60.0), "u3": ranking.Automatic(40.0)}
TIE_NOMS = [nomination("n1", "u1", "2021-08-09"), nomination("n2", "u2", "2021-08-08"),
            nomination("n3", "u3", "2021-08-01T08:00:00+07:00"), nomination("n4", "u3", "2021-08-01T09:00:00+07:00"),
            nomination("n5", "u3", "2021-08-02"), nomination("n6", "u3", "2021-08-02")]
TIE_SCORES = {"n1": [review(5)], "n2": [review(4)], "n3": [review(6)], "n4": [review(6)], "n5": [review(6)],
              "n6": [review(6)]}


def test_the_same_order_and_quota_line_from_any_input_order():
    expected = [("n1", 1, 70.0, True), ("n2", 2, 50.0, True), ("n3", 3, 50.0, True), ("n4", 4, 50.0, True),
                ("n5", 5, 50.0, False), ("n6", 6, 50.0, False)]
    orders = set()
    for shuffled in permutations(TIE_NOMS):  # all 720 input orders
        rows = ranking.rank(list(shuffled), FORMS, {"bk": 4}, TIE_AUTO, TIE_SCORES, HALF_HALF)
        orders.add(tuple((r.nomination["id"], r.rank, r.total, r.within_quota) for r in rows))
    assert orders == {tuple(expected)}


def test_forms_come_in_precedence_order_each_ranked_from_one():
    noms = [nomination("g1", "a", form="gk"), nomination("b1", "a", form="bk"), nomination("c1", "a", form="co"),
            nomination("b2", "b", form="bk")]
    rows = ranking.rank(noms, (CERTIFICATE, COLLECTIVE, MERIT), {}, {"b": ranking.Automatic(10.0)}, {}, HALF_HALF)
    # the forms as given, which the caller passes sorted by precedence
    assert [(r.award_form.code, r.nomination["id"], r.rank) for r in rows] == [
        ("gk", "g1", 1), ("co", "c1", 1), ("bk", "b2", 1), ("bk", "b1", 2)]


def test_a_nomination_of_a_form_not_offered_is_left_out():
    rows = ranking.rank([nomination("x1", "a", form="khac"), nomination("b1", "a")], FORMS, {}, {}, {}, HALF_HALF)
    assert order(rows) == ["b1"]


# -- the quota line -------------------------------------------------------------------------

THREE = [nomination("n1", "a"), nomination("n2", "b"), nomination("n3", "c")]
THREE_AUTO = {"a": ranking.Automatic(90.0), "b": ranking.Automatic(80.0), "c": ranking.Automatic(70.0)}


def within(nominations, quotas, auto=THREE_AUTO):
    return [(r.nomination["id"], r.within_quota) for r in ranking.rank(nominations, FORMS, quotas, auto, {},
                                                                       HALF_HALF)]


@pytest.mark.parametrize("quotas, expected", [
    ({}, [True, True, True]),                 # no quota for the form: everyone is within
    ({"bk": 0}, [False, False, False]),
    ({"bk": 1}, [True, False, False]),
    ({"bk": 2}, [True, True, False]),
    ({"bk": 3}, [True, True, True]),
    ({"bk": 5}, [True, True, True]),
    ({"co": 1, "gk": 1}, [True, True, True]),  # other forms' quotas do not apply
])
def test_the_first_quota_nominations_are_within_it(quotas, expected):
    assert within(THREE, quotas) == list(zip(["n1", "n2", "n3"], expected))


@pytest.mark.parametrize("quotas, expected", [
    ({}, [("n1", False), ("n2", True), ("n3", True)]),
    ({"bk": 1}, [("n1", False), ("n2", True), ("n3", False)]),
    ({"bk": 2}, [("n1", False), ("n2", True), ("n3", True)]),
])
def test_a_rejected_nomination_keeps_its_rank_but_is_never_within_and_the_line_moves_down(quotas, expected):
    noms = [nomination("n1", "a", status="rejected"), nomination("n2", "b"), nomination("n3", "c")]
    rows = ranking.rank(noms, FORMS, quotas, THREE_AUTO, {}, HALF_HALF)
    assert [(r.nomination["id"], r.within_quota) for r in rows] == expected
    assert [r.rank for r in rows] == [1, 2, 3]


@pytest.mark.parametrize("status", ["pending", "approved", "held"])
def test_every_status_but_rejected_takes_a_place_within_the_quota(status):
    noms = [nomination("n1", "a", status=status), nomination("n2", "b"), nomination("n3", "c")]
    assert within(noms, {"bk": 1}) == [("n1", True), ("n2", False), ("n3", False)]


def test_each_form_has_its_own_quota_line():
    noms = [nomination("b1", "a"), nomination("b2", "b"), nomination("b3", "c"),
            nomination("g1", "a", form="gk"), nomination("g2", "b", form="gk", status="rejected"),
            nomination("g3", "c", form="gk")]
    assert within(noms, {"bk": 1, "gk": 2}) == [("b1", True), ("b2", False), ("b3", False),
                                                ("g1", True), ("g2", False), ("g3", True)]


def test_the_quota_line_follows_the_tie_break():
    # equal scores: the earlier nomination takes the last place within the quota
    noms = [nomination("late", "a", "2021-08-05"), nomination("early", "a", "2021-08-01")]
    assert within(noms, {"bk": 1}, {"a": ranking.Automatic(50.0)}) == [("early", True), ("late", False)]
