"""Eligibility warnings from the catalog's rules and a nominee's register entries (pure)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chalicelib.core.catalogs import EligibilityRule, eligibility_rules, parse_eligibility
from chalicelib.register.eligibility import warnings_for

CONFERENCE = {"id": "c1", "date": "2021-09-01"}
BK = "bang-khen-bo-truong"
CO = "co-thi-dua-bo-cong-an"


def nomination(i="n1", kind="individual", form=BK, unit="ca-nghe-an", status="pending", created="2021-08-01T00:00:00Z"):
    return {"id": i, "kind": kind, "award_form": form, "unit_id": unit, "status": status, "created_at": created,
            "name": "Phạm Thế Tùng"}


def entry(i, form=BK, date="2020-09-05", number="12/QĐ-BCA", nomination_id=None):
    return {"id": i, "award_form": form, "award_form_name": "", "decision_number": number, "decision_date": date,
            "granted_by": "Bộ trưởng Bộ Công an", "nomination_id": nomination_id, "year": int(date[:4])}


def rules(**by_form):
    return {form: tuple(EligibilityRule(citation="Quy định của Văn phòng Bộ (cấu hình)", **r) for r in rs)
            for form, rs in by_form.items()}


def test_the_same_form_again_within_the_years_is_warned_with_the_decision_behind_it():
    found = warnings_for(nomination(), [entry("r1")], rules(**{BK: [{"rule": "not_again_within_years", "years": 1}]}),
                         conference={"date": "2021-06-01"})
    assert [w.as_dict() for w in found] == [{
        "rule": "not_again_within_years", "citation": "Quy định của Văn phòng Bộ (cấu hình)",
        "message": "Đã được tặng Bằng khen của Bộ trưởng Bộ Công an theo Quyết định số 12/QĐ-BCA ngày 05/9/2020 "
                   "của Bộ trưởng Bộ Công an; "
                   "quy định: không tặng lại trong 1 năm",
        "entries": ["r1"]}]


def test_an_award_older_than_the_years_another_form_or_the_nominations_own_entry_is_no_warning():
    rule = rules(**{BK: [{"rule": "not_again_within_years", "years": 1}]})
    assert warnings_for(nomination(), [entry("r1", date="2020-09-01")], rule, conference=CONFERENCE) == []
    assert warnings_for(nomination(), [entry("r1", form="giay-khen")], rule, conference=CONFERENCE) == []
    assert warnings_for(nomination(), [entry("r1", date="2021-08-30", nomination_id="n1")], rule,
                        conference=CONFERENCE) == []
    # a decision dated after the conference is not history yet
    assert warnings_for(nomination(), [entry("r1", date="2021-10-01")], rule, conference=CONFERENCE) == []


def test_several_awards_name_the_latest_and_list_every_entry():
    rule = rules(**{BK: [{"rule": "not_again_within_years", "years": 3}]})
    found = warnings_for(nomination(), [entry("r1", date="2019-03-01", number="3/QĐ-BCA"), entry("r2")], rule,
                         conference=CONFERENCE)
    assert len(found) == 1
    assert "Quyết định số 12/QĐ-BCA ngày 05/9/2020 của Bộ trưởng Bộ Công an (và 1 lần khác)" in found[0].message
    assert set(found[0].entries) == {"r1", "r2"}


def test_prerequisite_in_each_year_names_the_missing_years():
    rule = rules(**{CO: [{"rule": "prerequisite_each_year", "award_form": BK, "years": 3}]})
    n = nomination(kind="collective", form=CO)
    found = warnings_for(n, [entry("r1", date="2019-05-02"), entry("r2", date="2020-01-15")], rule,
                         conference=CONFERENCE)
    assert [w.message for w in found] == [
        "Chưa có Bằng khen của Bộ trưởng Bộ Công an năm 2018 trong sổ theo dõi khen thưởng; "
        "quy định: cần Bằng khen của Bộ trưởng Bộ Công an trong mỗi năm của 3 năm liền trước"]
    assert found[0].entries == ("r1", "r2")
    held = [entry("r0", date="2018-12-31"), entry("r1", date="2019-05-02"), entry("r2", date="2020-01-15")]
    assert warnings_for(n, held, rule, conference=CONFERENCE) == []


def test_kinds_warns_an_individual_for_a_collectives_only_form():
    rule = rules(**{CO: [{"rule": "kinds", "kinds": ("collective",)}]})
    found = warnings_for(nomination(form=CO), [], rule, conference=CONFERENCE)
    assert [w.message for w in found] == [
        "Cờ thi đua của Bộ Công an không dành cho cá nhân; quy định: chỉ xét tặng cho tập thể"]
    assert warnings_for(nomination(kind="collective", form=CO), [], rule, conference=CONFERENCE) == []


def test_unit_cap_warns_the_nominations_beyond_the_cap_in_the_order_they_were_made():
    rule = rules(**{BK: [{"rule": "unit_cap", "max": 2}]})
    same = [nomination("a", created="2021-08-01"), nomination("b", created="2021-08-02"),
            nomination("c", created="2021-08-03"), nomination("x", unit="ca-da-nang", created="2021-07-01"),
            nomination("g", form="giay-khen", created="2021-07-01")]
    warned = {n["id"]: warnings_for(n, [], rule, conference=CONFERENCE, same_conference_nominations=same)
              for n in same if n["award_form"] == BK}
    assert [k for k, v in warned.items() if v] == ["c"]
    assert warned["c"][0].message == ("Là đề nghị thứ 3 của đơn vị đề nghị cho Bằng khen của Bộ trưởng Bộ Công an "
                                      "tại hội nghị này (đơn vị có 3 đề nghị); quy định: tối đa 2 đề nghị mỗi đơn vị")
    # a rejected nomination frees its place
    same[0]["status"] = "rejected"
    assert warnings_for(same[2], [], rule, conference=CONFERENCE, same_conference_nominations=same) == []


def test_rules_follow_the_catalog_order_and_a_form_without_rules_has_no_warnings():
    rule = rules(**{CO: [{"rule": "kinds", "kinds": ("collective",)},
                         {"rule": "not_again_within_years", "years": 1}]})
    found = warnings_for(nomination(form=CO), [entry("r1", form=CO, date="2021-01-01")], rule, conference=CONFERENCE)
    assert [w.rule for w in found] == ["kinds", "not_again_within_years"]
    assert warnings_for(nomination(form="giay-khen"), [entry("r1")], rule, conference=CONFERENCE) == []


def test_without_a_conference_date_today_is_the_reference():
    rule = rules(**{BK: [{"rule": "not_again_within_years", "years": 1}]})
    assert warnings_for(nomination(), [entry("r1")], rule, conference={}, today=dt.date(2021, 1, 1))
    with pytest.raises(ValueError):
        warnings_for(nomination(), [entry("r1")], rule, conference={})


def test_the_shipped_catalog_cites_every_rule_and_catches_a_2020_bang_khen_in_2021():
    shipped = eligibility_rules()
    assert {r.rule for r in shipped[CO]} >= {"kinds"} and any(r.rule == "unit_cap" for rs in shipped.values() for r in rs)
    for rs in shipped.values():
        for r in rs:
            assert r.citation  # uncertain law is marked as the office's configuration, never invented
            assert "06/2022/QH15" in r.citation or "(cấu hình)" in r.citation
    found = warnings_for(nomination(), [entry("r1")], shipped, conference=CONFERENCE)
    assert [w.rule for w in found] == ["not_again_within_years"]


@pytest.mark.parametrize("bad", [
    {"rule": "nope", "citation": "x"},
    {"rule": "kinds", "kinds": ["robot"], "citation": "x"},
    {"rule": "not_again_within_years", "years": 0, "citation": "x"},
    {"rule": "prerequisite_each_year", "award_form": "no-such-form", "years": 2, "citation": "x"},
    {"rule": "unit_cap", "max": 3},
])
def test_a_typo_in_the_catalog_fails_loudly(bad):
    with pytest.raises(ValueError):
        parse_eligibility(json.loads(json.dumps({"award_forms": {BK: [bad]}})))
    with pytest.raises(ValueError):
        parse_eligibility({"award_forms": {"no-such-form": []}})
