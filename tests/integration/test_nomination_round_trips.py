"""What a nomination's create and edit cost in DynamoDB calls, counted on the real client (DynamoDB
Local): at most three round trips, the same with 5 units or 600. The subtree check reads the nominee's
unit, whose stored ancestor path says whether it lies below the nominating unit; no read of every unit,
no read of the conference's nominations (the nominee guard written with the nomination refuses a
duplicate, and only then is the nomination already there read, to name it)."""

from __future__ import annotations

from helpers import issue, seed_units

TREE = [("bo-cong-an", "Bộ Công an", None, "ministry"),
        ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
        ("ca-tp-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other"),
        ("ca-phuong-ben-thuy", "Công an phường Bến Thủy", "ca-tp-vinh", "other"),
        ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]


def build(api, admin_token) -> str:
    for unit_id, name, parent, kind in TREE:
        assert api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name, "parent_id": parent,
                                                               "kind": kind}).status_code == 201
    resp = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    assert resp.status_code == 201, resp.body
    return resp.data["id"]


def more_units(store, n: int) -> None:
    """Units the checks must not read: communes of another province."""
    seed_units(store, [(f"xa-{i:04d}", f"Công an xã số {i:04d}", "ca-ha-tinh", "other") for i in range(n)])


def nominate(api, token, unit_id, cid, **fields):
    body = {"conference_id": cid, "kind": "collective", "name": "Tập thể", "award_form": "giay-khen",
            "achievements": "Hoàn thành xuất sắc nhiệm vụ.", **fields}
    return api.post(f"/v1/units/{unit_id}/nominations", token=token, body=body)


def test_create_and_edit_take_at_most_three_round_trips_flat_in_the_number_of_units(api, admin_token, store, calls, clock):
    cid = build(api, admin_token)
    province = issue(store, "unit", unit_id="ca-nghe-an")
    counted: dict[int, list[list[str]]] = {}
    for extra in (0, 600):
        more_units(store, extra)
        rounds: list[list[str]] = []
        calls.clear()  # a sub-unit three levels down, by the province's token
        made = nominate(api, province, "ca-nghe-an", cid, name=f"Công an phường {extra}",
                        nominee_unit_id="ca-phuong-ben-thuy", team=True)
        assert made.status_code == 201, made.body
        rounds.append(list(calls))
        calls.clear()  # the province for itself
        own = nominate(api, province, "ca-nghe-an", cid, kind="individual", name=f"Trần Văn {extra}",
                       position="Đại úy")
        assert own.status_code == 201, own.body
        rounds.append(list(calls))
        calls.clear()  # the province acting for its city (the path rule: the city's stored path)
        city = nominate(api, province, "ca-tp-vinh", cid, name=f"Đội {extra}", nominee_unit_id="ca-phuong-ben-thuy",
                        team=True)
        assert city.status_code == 201, city.body
        rounds.append(list(calls))
        calls.clear()  # an edit
        edited = api.patch(f"/v1/nominations/{made.data['id']}", token=province,
                           body={"achievements": "Bảo đảm an ninh trật tự địa bàn."},
                           headers={"If-Match": made.headers["ETag"]})
        assert edited.status_code == 200, edited.body
        rounds.append(list(calls))
        calls.clear()  # an edit naming another nominee unit of the subtree
        moved = api.patch(f"/v1/nominations/{city.data['id']}", token=province,
                          body={"nominee_unit_id": "ca-tp-vinh", "name": f"Đội Vinh {extra}"},
                          headers={"If-Match": city.headers["ETag"]})
        assert moved.status_code == 200, moved.body
        rounds.append(list(calls))
        counted[extra] = rounds
    assert counted[0] == counted[600]
    assert all(len(r) <= 3 and "Query" not in r and "Scan" not in r for r in counted[600]), counted
    # a create: the unit, the conference and the nominee's unit with the caller's token, then the write
    creates, edits = [counted[600][i] for i in (0, 1, 2)], [counted[600][i] for i in (3, 4)]
    assert all(c == ["BatchGetItem", "TransactWriteItems"] for c in creates), creates
    # an edit: the pointer with the token, then the nomination, its conference and units, then the write
    assert all(e == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"] for e in edits), edits


def test_outside_the_subtree_a_duplicate_and_a_moved_unit_are_still_refused(api, admin_token, store, calls, clock):
    cid = build(api, admin_token)
    province = issue(store, "unit", unit_id="ca-nghe-an")
    outside = nominate(api, province, "ca-nghe-an", cid, nominee_unit_id="ca-ha-tinh", name="Công an tỉnh Hà Tĩnh")
    assert outside.status_code == 422 and outside.data["errors"][0]["field"] == "nominee_unit_id"
    first = nominate(api, province, "ca-nghe-an", cid, nominee_unit_id="ca-phuong-ben-thuy", name="Phường Bến Thủy")
    assert first.status_code == 201, first.body
    again = nominate(api, province, "ca-nghe-an", cid, nominee_unit_id="ca-phuong-ben-thuy", name="P. Bến Thủy")
    assert again.status_code == 409 and first.data["id"] in again.data["detail"]  # names the one already there
    assert store.units.get("ca-phuong-ben-thuy")["path"] == ["bo-cong-an", "ca-nghe-an", "ca-tp-vinh"]

    # the city moves to Hà Tĩnh with its ward: the ward's stored path follows, and Nghệ An may no longer
    # nominate it (nor act for the city)
    city = api.get("/v1/units/ca-tp-vinh", token=admin_token)
    assert api.patch("/v1/units/ca-tp-vinh", token=admin_token, body={"parent_id": "ca-ha-tinh"},
                     headers={"If-Match": city.headers["ETag"]}).status_code == 200
    assert store.units.get("ca-tp-vinh")["path"] == ["bo-cong-an", "ca-ha-tinh"]
    assert store.units.get("ca-phuong-ben-thuy")["path"] == ["bo-cong-an", "ca-ha-tinh", "ca-tp-vinh"]
    refused = nominate(api, province, "ca-nghe-an", cid, nominee_unit_id="ca-phuong-ben-thuy", name="Đội 2")
    assert refused.status_code == 422 and refused.data["errors"][0]["field"] == "nominee_unit_id"
    assert nominate(api, province, "ca-tp-vinh", cid, name="Đội 3").status_code == 403
    ha_tinh = issue(store, "unit", unit_id="ca-ha-tinh")
    assert nominate(api, ha_tinh, "ca-ha-tinh", cid, nominee_unit_id="ca-phuong-ben-thuy",
                    name="Đội 4", team=True).status_code == 201
