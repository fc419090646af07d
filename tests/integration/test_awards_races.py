"""Races between the office's decisions, reviewers' scores and finalising, on DynamoDB Local.

Defect 1 of the outside review: with a quota of 1 and one nomination approved, "approve the
second" and "finalise" sent together both answered 200 in about 1 round of 5, and the numbered
list printed both. Each round here sends the two requests at the same instant (a barrier)
and checks what a reader of the final list would: never more approvals than the quota in a
finalised list, and never a score stored in a finalised one.
"""

from __future__ import annotations

from helpers import issue, seed_units, together

ROUNDS = 24
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]
FORM = "bang-khen-bo-truong"
SCORES = {"scores": {"impact": 7, "exemplary": 8, "initiative": 6}}


def new_round(api, admin: str, tokens: dict[str, str], n: int) -> tuple[str, dict, dict]:
    conference = api.post("/v1/conferences", token=admin, body={
        "title": f"Hội nghị {n}", "date": "2021-08-31", "periods": ["2021-08"], "quotas": {FORM: 1},
        "recipients": ["lanhdao@bocongan.example.vn"], "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    assert conference.status_code == 201, conference.body
    cid = conference.data["id"]
    made = []
    for unit in ("ca-nghe-an", "ca-ha-tinh"):
        resp = api.post(f"/v1/units/{unit}/nominations", token=tokens[unit], body={
            "conference_id": cid, "kind": "collective", "name": f"Tập thể {unit}", "award_form": FORM,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
        assert resp.status_code == 201, resp.body
        made.append(resp)
    return cid, made[0], made[1]


def approvals(api, admin: str, cid: str) -> int:
    rows = api.get(f"/v1/conferences/{cid}/shortlist?limit=100", token=admin).data["items"]
    return sum(1 for r in rows if r["nomination"]["status"] == "approved")


def test_defect_1_a_finalised_list_never_exceeds_its_quota(api, admin_token, store) -> None:
    seed_units(store, UNITS)
    tokens = {u: issue(store, "unit", unit_id=u) for u, *_ in UNITS}
    outcomes = []
    for n in range(ROUNDS):
        cid, first, second = new_round(api, admin_token, tokens, n)
        assert api.post(f"/v1/nominations/{first.data['id']}/decision", token=admin_token, body={"decision": "approve"},
                        headers={"If-Match": first.headers["ETag"]}).status_code == 200
        conference_etag = api.get(f"/v1/conferences/{cid}", token=admin_token).headers["ETag"]
        approve, finalise = together(
            lambda: api.post(f"/v1/nominations/{second.data['id']}/decision", token=admin_token,
                             body={"decision": "approve"}, headers={"If-Match": second.headers["ETag"]}),
            lambda: api.post(f"/v1/conferences/{cid}/finalise", token=admin_token,
                             headers={"If-Match": conference_etag}))
        outcomes.append((approve.status_code, finalise.status_code))
        assert not (approve.status_code == 200 and finalise.status_code == 200), f"round {n}: both passed"
        finalised = api.get(f"/v1/conferences/{cid}", token=admin_token).data["finalised_at"]
        assert (finalise.status_code == 200) == bool(finalised)
        if finalised:
            assert approvals(api, admin_token, cid) <= 1, f"round {n}: a finalised list over its quota"
            assert approve.status_code == 423, approve.body
        else:
            # the decision won: finalise counted it (409, over the quota) or saw the conference change (412)
            assert approve.status_code == 200 and finalise.status_code in (409, 412), (approve.body, finalise.body)
            assert approvals(api, admin_token, cid) == 2
            fresh = api.get(f"/v1/conferences/{cid}", token=admin_token).headers["ETag"]
            over = api.post(f"/v1/conferences/{cid}/finalise", token=admin_token, headers={"If-Match": fresh})
            assert over.status_code == 409 and "2/1" in over.data["detail"]
    print(f"\ndefect 1, {ROUNDS} rounds (approve, finalise): {sorted(set(outcomes))}")


def test_defect_1_a_score_is_never_stored_in_a_finalised_list(api, admin_token, store) -> None:
    seed_units(store, UNITS)
    tokens = {u: issue(store, "unit", unit_id=u) for u, *_ in UNITS}
    leader = issue(store, "leader", name="Thứ trưởng")
    outcomes = []
    for n in range(ROUNDS):
        cid, first, _ = new_round(api, admin_token, tokens, n)
        conference_etag = api.get(f"/v1/conferences/{cid}", token=admin_token).headers["ETag"]
        score, finalise = together(
            lambda: api.post(f"/v1/nominations/{first.data['id']}/scores", token=leader, body=SCORES),
            lambda: api.post(f"/v1/conferences/{cid}/finalise", token=admin_token,
                             headers={"If-Match": conference_etag}))
        outcomes.append((score.status_code, finalise.status_code))
        assert finalise.status_code == 200, finalise.body  # a score never holds up finalising
        stored = store.nominations.scores(cid)
        if score.status_code == 200:
            assert len(stored) == 1  # it committed while the list was open: it counts
        else:
            assert score.status_code == 423 and stored == [], (score.body, stored)
    print(f"\ndefect 1 (scores), {ROUNDS} rounds (score, finalise): {sorted(set(outcomes))}")
