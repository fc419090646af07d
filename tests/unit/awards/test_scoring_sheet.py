"""GET /v1/conferences/{id}/scoring over the in-memory store: a reviewer's sheet (the rubric with
descriptions, the nominations they may score, their own scores, their progress), its conflicts
agreeing with what POST /v1/nominations/{id}/scores refuses, and its pages."""

from __future__ import annotations

import json
import secrets

from chalicelib.awards import nominations as service
from chalicelib.core.clock import SystemClock, iso
from helpers import issue, person
from tests.unit.awards.test_awards_api import finalise, nominate, world  # noqa: F401  (the fixture)

SCORES = {"impact": 8, "exemplary": 6, "initiative": 5}


def sheet(api, token, cid, **query):
    path = f"/v1/conferences/{cid}/scoring" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    resp = api.get(path, token=token)
    assert resp.status_code == 200, resp.body
    return resp.data


def seed(api, world):
    t, cid = world["tokens"], world["conference"]
    return {
        "nghe-an": nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid).data["id"],
        "ha-tinh": nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid).data["id"],
        "da-nang": nominate(api, t["ca-da-nang"], "ca-da-nang", cid).data["id"],
        # Cục Y tế proposes its hospital's collective: conflicted for the hospital's people too
        "hospital": nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Khoa Hồi sức",
                             nominee_unit_id="bv-19-8").data["id"],
    }


def test_a_leader_sees_the_rubric_their_conflicts_progress_and_own_scores(api, world):
    ids = seed(api, world)
    cid, store = world["conference"], world["store"]
    _, leader = person(store, "leader", "ca-nghe-an", name="Đại tá Trần Văn B")

    first = sheet(api, leader, cid)
    assert first["conference"]["title"] == "Hội nghị sơ kết công tác phòng, chống dịch COVID-19"
    assert first["conference"]["finalised_at"] is None and first["next"] is None
    assert first["reviewer"]["unit_name"] == "Công an tỉnh Nghệ An"
    assert [c["code"] for c in first["criteria"]] == ["impact", "exemplary", "initiative"]
    assert all(c["label"] and len(c["description"]) > 20 for c in first["criteria"])
    assert first["criterion_max"] == 10
    rows = {r["nomination"]["id"]: r for r in first["items"]}
    assert set(rows) == set(ids.values())
    assert rows[ids["nghe-an"]]["conflict"] == "Đề nghị do đơn vị của bạn (Công an tỉnh Nghệ An) gửi."
    assert all(rows[ids[k]]["conflict"] is None for k in ("ha-tinh", "da-nang", "hospital"))
    assert rows[ids["hospital"]]["unit_name"] == "Cục Y tế" and rows[ids["hospital"]]["nominee_unit_name"] == "Bệnh viện 19-8"
    assert rows[ids["ha-tinh"]]["award_form_name"] and all(r["mine"] is None for r in rows.values())
    assert first["progress"] == {"scored": 0, "total": 3, "conflicted": 1}

    assert api.post(f"/v1/nominations/{ids['ha-tinh']}/scores", token=leader,
                    body={"scores": SCORES, "note": "Tiêu biểu"}).status_code == 200
    after = sheet(api, leader, cid)
    assert after["progress"] == {"scored": 1, "total": 3, "conflicted": 1}
    mine = {r["nomination"]["id"]: r["mine"] for r in after["items"]}
    assert mine[ids["ha-tinh"]]["scores"] == SCORES and mine[ids["ha-tinh"]]["note"] == "Tiêu biểu"
    assert mine[ids["da-nang"]] is None
    # someone else's scores are not this reviewer's
    _, other = person(store, "leader", "ca-da-nang", name="Người khác")
    assert sheet(api, other, cid)["progress"] == {"scored": 0, "total": 3, "conflicted": 1}


def test_the_sheets_conflicts_are_exactly_what_the_score_route_refuses(api, world):
    ids = seed(api, world)
    cid, store = world["conference"], world["store"]
    reviewers = {unit: person(store, "leader", unit, name=f"Lãnh đạo {unit}")[1]
                 for unit in ("ca-nghe-an", "cuc-y-te", "bv-19-8", "bo-cong-an", "bv-199")}
    reviewers["office"] = person(store, "admin", None, name="Văn phòng")[1]
    expected_conflicted = {"ca-nghe-an": {"nghe-an"}, "cuc-y-te": {"hospital"}, "bv-19-8": {"hospital"},
                           "bo-cong-an": set(ids), "bv-199": set(), "office": set()}
    for unit, token in reviewers.items():
        rows = sheet(api, token, cid)["items"]
        conflicted = {r["nomination"]["id"] for r in rows if r["conflict"]}
        assert conflicted == {ids[k] for k in expected_conflicted[unit]}, unit
        for row in rows:
            resp = api.post(f"/v1/nominations/{row['nomination']['id']}/scores", token=token, body={"scores": SCORES})
            if row["conflict"]:
                assert resp.status_code == 403 and resp.data["reason"] == "conflict_of_interest", (unit, resp.body)
            else:
                assert resp.status_code == 200, (unit, resp.body)
    above = {r["nomination"]["id"]: r["conflict"] for r in sheet(api, reviewers["bo-cong-an"], cid)["items"]}
    assert above[ids["ha-tinh"]] == "Đề nghị do Công an tỉnh Hà Tĩnh, đơn vị cấp dưới của đơn vị bạn, gửi."
    hospital = {r["nomination"]["id"]: r["conflict"] for r in sheet(api, reviewers["bv-19-8"], cid)["items"]}
    assert hospital[ids["hospital"]] == "Người hoặc tập thể được đề nghị thuộc đơn vị của bạn (Bệnh viện 19-8)."


def test_after_finalise_the_sheet_says_so_and_keeps_the_scores(api, world):
    ids = seed(api, world)
    cid, store, admin = world["conference"], world["store"], world["admin"]
    _, leader = person(store, "leader", "ca-da-nang")
    assert api.post(f"/v1/nominations/{ids['ha-tinh']}/scores", token=leader, body={"scores": SCORES}).status_code == 200
    assert finalise(api, admin, cid).status_code == 200
    done = sheet(api, leader, cid)
    assert done["conference"]["finalised_at"]
    assert {r["nomination"]["id"]: r["mine"] and r["mine"]["scores"] for r in done["items"]}[ids["ha-tinh"]] == SCORES
    assert api.post(f"/v1/nominations/{ids['da-nang']}/scores", token=leader,
                    body={"scores": SCORES}).status_code == 423


def test_who_may_read_a_sheet(api, world):
    cid, t = world["conference"], world["tokens"]
    assert api.get(f"/v1/conferences/{cid}/scoring", token=t["ca-nghe-an"]).status_code == 403
    assert api.get(f"/v1/conferences/{cid}/scoring").status_code == 401
    assert api.get("/v1/conferences/20210831-zzzzzz/scoring", token=world["admin"]).status_code == 404
    assert sheet(api, issue(world["store"], "leader"), cid)["progress"] == {"scored": 0, "total": 0, "conflicted": 0}


def test_the_sheet_pages_in_a_stable_order_and_refuses_a_foreign_cursor(api, world):
    t, cid, store, admin = world["tokens"], world["conference"], world["store"], world["admin"]
    made = [nominate(api, t[u], u, cid, name=f"Tập thể {i}").data["id"]
            for i, u in enumerate(["ca-nghe-an", "ca-ha-tinh", "ca-da-nang", "ca-nghe-an", "ca-ha-tinh"])]
    _, leader = person(store, "leader", "ca-ha-tinh")
    seen, cursor, pages = [], None, 0
    while True:
        page = sheet(api, leader, cid, limit=2, **({"cursor": cursor} if cursor else {}))
        assert page["progress"] == {"scored": 0, "total": 3, "conflicted": 2}  # the whole conference's, every page
        seen += [r["nomination"]["id"] for r in page["items"]]
        pages += 1
        cursor = page["next"]
        if not cursor:
            break
    assert pages == 3 and sorted(seen) == sorted(made) and len(set(seen)) == 5
    assert seen == [r["nomination"]["id"] for r in sheet(api, leader, cid, limit=100)["items"]]
    other = api.post("/v1/conferences", token=admin, body={
        "title": "Hội nghị khác", "date": "2021-09-30", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    first = sheet(api, leader, cid, limit=2)
    refused = api.get(f"/v1/conferences/{other}/scoring?cursor={first['next']}", token=leader)
    assert refused.status_code == 422 and refused.data["errors"][0]["field"] == "cursor"
    shortlist_cursor = api.get(f"/v1/conferences/{cid}/shortlist?limit=1", token=admin).data["next"]
    assert api.get(f"/v1/conferences/{cid}/scoring?cursor={shortlist_cursor}", token=leader).status_code == 422


def test_5000_long_nominations_answer_in_pages_under_6_mb(api, world):
    cid, store = world["conference"], world["store"]
    text = "Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch COVID-19 trên địa bàn, bảo đảm an ninh trật tự. " * 200
    at = iso(SystemClock().now())
    units = ["ca-nghe-an", "ca-ha-tinh", "ca-da-nang", "bv-19-8", "bv-199"]
    for i in range(5_000):  # straight into the store: the HTTP path is tested above
        unit_id = units[i % len(units)]
        n = {"conference_id": cid, "unit_id": unit_id, "nominee_unit_id": unit_id, "kind": "individual",
             "name": f"Cán bộ số {i}", "position": "Đại úy", "award_form": "giay-khen",
             "achievements": text[:19_000], "figures": {}, "status": "pending", "decision": None,
             "created_at": at, "created_by": "test", "updated_at": at, "version": 1,
             "id": f"n{i:05d}{secrets.token_hex(2)}"}
        n["nominee_key"] = service.nominee_key(n)
        n["etag"] = service.etag_of(n)
        store.nominations.create(n)
    _, leader = person(store, "leader", "cuc-y-te")
    seen, cursor = 0, None
    while True:
        resp = api.get(f"/v1/conferences/{cid}/scoring?limit=100" + (f"&cursor={cursor}" if cursor else ""),
                       token=leader)
        assert resp.status_code == 200
        assert len(json.dumps(resp.data).encode()) < 6 * 1024 * 1024
        assert all(r["nomination"]["achievements_length"] == 19_000 and len(r["nomination"]["achievements"]) <= 301
                   for r in resp.data["items"])
        seen += len(resp.data["items"])
        assert resp.data["progress"] == {"scored": 0, "total": 3_000, "conflicted": 2_000}
        cursor = resp.data["next"]
        if not cursor:
            break
    assert seen == 5_000
