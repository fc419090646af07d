"""GET /v1/nominations/{id}/detail over the in-memory store: what the office decides a nomination on,
with the shortlist's own numbers, and what a unit may see of it."""

from __future__ import annotations

from helpers import issue, person
from tests.unit.awards.test_awards_api import nominate, world  # noqa: F401  (the fixture)

LONG = ("Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch. " * 40).strip() # longer than the shortlist's excerpt
SCORES = {"impact": 8, "exemplary": 6, "initiative": 5}


def test_the_detail_carries_the_shortlists_numbers_reviews_conflicts_and_audit(api, world):
    t, cid, admin, store = world["tokens"], world["conference"], world["admin"], world["store"]
    hatinh = nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid, achievements=LONG).data
    nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid)
    nominate(api, t["ca-da-nang"], "ca-da-nang", cid)
    _, reviewer = person(store, "leader", "ca-nghe-an", name="Đại tá Trần Văn B")
    assert api.post(f"/v1/nominations/{hatinh['id']}/scores", token=reviewer,
                    body={"scores": SCORES, "note": "Tiêu biểu"}).status_code == 200
    conflicted_id, _ = person(store, "leader", "ca-ha-tinh", name="Giám đốc Hà Tĩnh")
    above_id, _ = person(store, "admin", "bo-cong-an", name="Cán bộ Bộ")
    person(store, "leader", "ca-da-nang", name="Không liên quan")

    got = api.get(f"/v1/nominations/{hatinh['id']}/detail", token=admin)
    assert got.status_code == 200, got.body
    assert got.headers["ETag"] == api.get(f"/v1/nominations/{hatinh['id']}", token=admin).headers["ETag"]
    d = got.data
    assert d["visibility"] == "staff" and d["nomination"]["achievements"] == LONG  # in full
    assert d["unit_name"] == "Công an tỉnh Hà Tĩnh" and d["award_form_name"]
    row = next(r for r in api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["items"]
               if r["nomination"]["id"] == hatinh["id"])
    assert d["score"] == row["score"] and d["rank"] == row["rank"] and d["within_quota"] == row["within_quota"]
    assert d["automatic"]["score"] == row["score"]["automatic"]
    figures = {i["code"]: i for i in d["automatic"]["indicators"]}
    traced = figures["people_traced"]
    assert (traced["value"], traced["rate"], traced["weight"], traced["peers"]) == (3000, 10.0, 1.0, 3)
    assert traced["percentile"] == row["score"]["indicators"]["people_traced"] == 100.0
    assert figures["patients_treated"]["value"] is None and figures["patients_treated"]["percentile"] is None
    assert d["automatic"]["per"] == "officers_mobilised" and d["automatic"]["per_value"] == 300
    assert d["automatic"]["unit_kind"] == "province"
    [review] = d["reviews"]
    assert review["reviewer_name"] == "Đại tá Trần Văn B" and review["scores"] == SCORES
    assert review["note"] == "Tiêu biểu" and review["score"] == row["score"]["reviewers"] == 68.0
    assert {(c["account_id"], c["unit_id"], c["scored"]) for c in d["conflicts"]} == {
        (conflicted_id, "ca-ha-tinh", False), (above_id, "bo-cong-an", False)}
    assert [e["action"] for e in d["audit"]["items"]] == ["scored", "nominated"] and d["audit"]["next"] is None

    leader = issue(store, "leader")
    assert api.get(f"/v1/nominations/{hatinh['id']}/detail", token=leader).data == d


def test_a_unit_sees_its_nomination_and_figures_but_not_reviewers_conflicts_or_audit(api, world):
    t, cid, store = world["tokens"], world["conference"], world["store"]
    hospital = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Khoa Hồi sức", nominee_unit_id="bv-19-8", team=True).data
    _, reviewer = person(store, "leader", "ca-nghe-an")
    assert api.post(f"/v1/nominations/{hospital['id']}/scores", token=reviewer,
                    body={"scores": SCORES}).status_code == 200
    for token in (t["cuc-y-te"], t["bo-cong-an"]):  # the proposing unit and the unit above it
        d = api.get(f"/v1/nominations/{hospital['id']}/detail", token=token)
        assert d.status_code == 200 and d.data["visibility"] == "unit"
        assert d.data["nomination"]["id"] == hospital["id"] and d.data["automatic"]["unit_id"] == "bv-19-8"  # the nominee's unit is scored
        assert all(d.data[k] is None for k in ("score", "rank", "within_quota", "reviews", "conflicts", "audit"))
    for token in (t["bv-19-8"], t["ca-nghe-an"]):  # the nominee's own unit proposed nothing; a sideways unit
        assert api.get(f"/v1/nominations/{hospital['id']}/detail", token=token).status_code == 403


def test_the_audit_trail_is_newest_first_and_capped(api, world):
    from chalicelib.awards.detail import AUDIT_CAP

    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    n = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid)
    etag = n.headers["ETag"]
    for i in range(AUDIT_CAP + 2):
        edited = api.patch(f"/v1/nominations/{n.data['id']}", token=t["ca-nghe-an"],
                           body={"achievements": f"Lần sửa {i}"}, headers={"If-Match": etag})
        etag = edited.headers["ETag"]
    trail = api.get(f"/v1/nominations/{n.data['id']}/detail", token=admin).data["audit"]
    assert len(trail["items"]) == AUDIT_CAP and trail["next"]
    stamps = [e["at"] for e in trail["items"]]
    assert stamps == sorted(stamps, reverse=True)
    rest = api.get(f"/v1/nominations/{n.data['id']}/audit?cursor={trail['next']}", token=admin).data["items"]
    assert [e["action"] for e in rest][-1] == "nominated"


def test_an_unknown_nomination_is_404(api, world):
    for token in (world["admin"], world["tokens"]["ca-nghe-an"]):
        resp = api.get("/v1/nominations/khongtontai/detail", token=token)
        assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("application/problem+json")
