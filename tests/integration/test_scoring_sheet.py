"""The scoring sheet (GET /v1/conferences/{id}/scoring) on DynamoDB Local: the reviewer's own scores
and conflicts as stored, read in a handful of round trips however many nominations there are
(the unit tree once, the conference's nominations and scores by Query, never a read per nomination)."""

from __future__ import annotations

from helpers import issue, person, seed_units

UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province"),
         ("ca-da-nang", "Công an thành phố Đà Nẵng", "bo-cong-an", "province")]
SCORES = {"impact": 7, "exemplary": 8, "initiative": 6}


def test_the_sheet_on_dynamodb_in_a_few_round_trips(api, admin_token, store, calls) -> None:
    seed_units(store, UNITS)
    tokens = {u: issue(store, "unit", unit_id=u) for u, *_ in UNITS}
    cid = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    made = {}
    for i in range(30):
        unit = ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang")[i % 3]
        resp = api.post(f"/v1/units/{unit}/nominations", token=tokens[unit], body={
            "conference_id": cid, "kind": "collective", "name": f"Tập thể số {i}", "award_form": "giay-khen",
            "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
        assert resp.status_code == 201, resp.body
        made[resp.data["id"]] = unit
    _, leader = person(store, "leader", "ca-nghe-an", name="Đại tá Trần Văn B")
    scored = [n for n, unit in made.items() if unit == "ca-ha-tinh"][:4]
    for nomination_id in scored:
        assert api.post(f"/v1/nominations/{nomination_id}/scores", token=leader,
                        body={"scores": SCORES}).status_code == 200

    from chalicelib.store import repositories

    # the first read since the units changed packs the tree (store.units.tree): every unit read once
    assert api.get(f"/v1/conferences/{cid}/scoring?limit=100", token=leader).status_code == 200
    repositories._TREES.clear()  # a new container: the tree from its pack
    calls.clear()
    sheet = api.get(f"/v1/conferences/{cid}/scoring?limit=100", token=leader)
    assert sheet.status_code == 200, sheet.body
    # the session, the conference, the units' tree (its pack), the nominations' rank fields (their pack),
    # the scores, the page's rows whole: not one read per nomination, never every nomination's achievements
    assert sorted(calls) == ["BatchGetItem", "BatchGetItem", "GetItem", "Query", "Query", "Query"], calls
    data = sheet.data
    assert data["progress"] == {"scored": 4, "total": 20, "conflicted": 10}
    rows = {r["nomination"]["id"]: r for r in data["items"]}
    assert set(rows) == set(made)
    assert {n for n, r in rows.items() if r["conflict"]} == {n for n, u in made.items() if u == "ca-nghe-an"}
    assert {n for n, r in rows.items() if r["mine"]} == set(scored)
    assert all(rows[n]["mine"]["scores"] == SCORES for n in scored)
