"""A fair automatic score: the nominee's entity is scored on its own figures, and a unit whose
denominator (officers mobilised) is missing or zero is not scored, never divided by 1."""

from __future__ import annotations

from chalicelib.awards import ranking
from helpers import put_report
from tests.unit.awards.test_awards_api import nominate, world  # noqa: F401  (the fixture)
from tests.unit.awards.test_ranking import RUBRIC, UNITS, report


def test_the_hospital_nominated_by_its_department_scores_on_the_hospitals_figures(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    # Cục Y tế sends no report of its own; Bệnh viện 19-8 (below it) does
    hospital = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Bệnh viện 19-8", nominee_unit_id="bv-19-8").data
    detail = api.get(f"/v1/nominations/{hospital['id']}/detail", token=admin).data
    auto = detail["automatic"]
    assert auto["unit_id"] == "bv-19-8" and auto["unit_kind"] == "hospital" and auto["scored"] is True
    assert auto["per_value"] == 240
    patients = next(i for i in auto["indicators"] if i["code"] == "patients_treated")
    assert patients["value"] == 980 and patients["scored"] is True and patients["percentile"] == 100.0
    # per officer 980/240 and 8600/240 beat Bệnh viện 199's 300/160 and 1000/160: first among hospitals
    assert auto["score"] == 100.0
    row = next(r for r in api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["items"]
               if r["nomination"]["id"] == hospital["id"])
    assert row["score"]["automatic"] == 100.0


def test_a_collective_unit_scores_on_its_subtree_and_an_individual_on_their_unit(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    department = nominate(api, t["bo-cong-an"], "bo-cong-an", cid, name="Cục Y tế", nominee_unit_id="cuc-y-te").data
    doctor = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, kind="individual", name="Nguyễn Văn Sơn",
                      position="Đại tá, Giám đốc", nominee_unit_id="bv-199").data
    auto = api.get(f"/v1/nominations/{department['id']}/detail", token=admin).data["automatic"]
    assert auto["unit_id"] == "cuc-y-te" and auto["per_value"] == 240 + 160   # both hospitals rolled up
    assert next(i for i in auto["indicators"] if i["code"] == "patients_treated")["value"] == 980 + 300
    auto = api.get(f"/v1/nominations/{doctor['id']}/detail", token=admin).data["automatic"]
    assert auto["unit_id"] == "bv-199" and auto["per_value"] == 160 and auto["score"] == 0.0 and auto["scored"]


def test_a_unit_without_officers_does_not_outrank_an_honest_unit():
    figures = ranking.unit_figures([report("big", officers_mobilised=1000, people_traced=300),   # honest
                                    report("small", officers_mobilised=100, people_traced=20),   # honest, lower
                                    report("mid", people_traced=900),                            # no officers
                                    report("hospital", officers_mobilised=0, patients_treated=50),
                                    report("clinic", officers_mobilised=10, patients_treated=1)])
    auto = ranking.automatic_scores(UNITS, figures, RUBRIC)
    assert auto["big"].score == 100.0 and auto["small"].score == 0.0 and auto["big"].peers == {"people_traced": 2}
    assert auto["mid"].score == 0.0 and auto["mid"].unscored and "không báo cáo số cán bộ" in auto["mid"].unscored
    assert auto["hospital"].score == 0.0 and "0 cán bộ" in auto["hospital"].unscored
    assert auto["clinic"].score == ranking.NEUTRAL   # alone of its kind once the unscored hospital is left out


def test_the_breakdown_says_why_a_unit_is_not_scored(api, world):
    t, cid, admin, store = world["tokens"], world["conference"], world["admin"], world["store"]
    put_report(store, "ca-da-nang", "2021-08", {"officers_mobilised": 0, "people_traced": 99000})
    liar = nominate(api, t["ca-da-nang"], "ca-da-nang", cid, name="Công an thành phố Đà Nẵng",
                    nominee_unit_id="ca-da-nang").data
    honest = nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid, name="Công an tỉnh Hà Tĩnh",
                      nominee_unit_id="ca-ha-tinh").data
    auto = api.get(f"/v1/nominations/{liar['id']}/detail", token=admin).data["automatic"]
    assert auto["scored"] is False and auto["score"] == 0.0 and "mẫu số" in auto["reason"]
    traced = next(i for i in auto["indicators"] if i["code"] == "people_traced")
    assert traced["scored"] is False and traced["reason"] == auto["reason"] and traced["percentile"] is None
    rows = {r["nomination"]["id"]: r for r in api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["items"]}
    assert rows[honest["id"]]["rank"] < rows[liar["id"]]["rank"]
    assert rows[honest["id"]]["score"]["automatic"] > rows[liar["id"]]["score"]["automatic"]
