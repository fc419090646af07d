"""Each shortlist row carries its nomination's ETag, so the office decides on what the list showed:
a decision sent with a row's ETag lands; after someone else changed the nomination it is refused (412)
with a Vietnamese detail and nothing is overwritten, single or bulk."""

from __future__ import annotations

import pytest

from helpers import issue, put_report, seed_units

UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]


@pytest.fixture
def world(api, admin_token, store):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"officers_mobilised": 1800, "people_traced": 7400})
    put_report(store, "ca-ha-tinh", "2021-08", {"officers_mobilised": 300, "people_traced": 3000})
    conference = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data
    tokens = {u: issue(store, "unit", unit_id=u) for u, *_ in UNITS}
    return {"conference": conference["id"], "tokens": tokens, "admin": admin_token}


def nominate(api, token, unit, conference):
    return api.post(f"/v1/units/{unit}/nominations", token=token, body={
        "conference_id": conference, "kind": "collective", "name": f"Tập thể {unit}",
        "award_form": "bang-khen-bo-truong", "achievements": "Hoàn thành xuất sắc nhiệm vụ."})


def rows_by_unit(api, admin: str, cid: str) -> dict[str, dict]:
    data = api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data
    return {r["nomination"]["unit_id"]: r for r in data["items"]}


def test_a_rows_etag_is_the_nominations_and_decides_it(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    for unit in ("ca-nghe-an", "ca-ha-tinh"):
        assert nominate(api, t[unit], unit, cid).status_code == 201
    rows = rows_by_unit(api, admin, cid)
    nghe_an = rows["ca-nghe-an"]
    read = api.get(f"/v1/nominations/{nghe_an['nomination']['id']}", token=admin)
    assert read.headers["ETag"].strip('"') == nghe_an["etag"]
    decided = api.post(f"/v1/nominations/{nghe_an['nomination']['id']}/decision", token=admin,
                       body={"decision": "approve"}, headers={"If-Match": nghe_an["etag"]})
    assert decided.status_code == 200 and decided.data["status"] == "approved"
    # the next read of the list has the new ETag; the old one no longer decides
    assert rows_by_unit(api, admin, cid)["ca-nghe-an"]["etag"] == decided.headers["ETag"].strip('"') != nghe_an["etag"]


def test_a_change_after_the_list_was_read_is_refused_single_and_bulk(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    for unit in ("ca-nghe-an", "ca-ha-tinh"):
        assert nominate(api, t[unit], unit, cid).status_code == 201
    rows = rows_by_unit(api, admin, cid)
    ha_tinh = rows["ca-ha-tinh"]
    # the unit edits its nomination after the office read the list
    edited = api.patch(f"/v1/nominations/{ha_tinh['nomination']['id']}", token=t["ca-ha-tinh"],
                       body={"achievements": "Bổ sung thành tích tháng 8."}, headers={"If-Match": ha_tinh["etag"]})
    assert edited.status_code == 200
    single = api.post(f"/v1/nominations/{ha_tinh['nomination']['id']}/decision", token=admin,
                      body={"decision": "reject", "note": "Chưa đủ tiêu chuẩn"}, headers={"If-Match": ha_tinh["etag"]})
    assert single.status_code == 412 and "đã thay đổi" in single.data["detail"]
    bulk = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": [
        {"nomination_id": r["nomination"]["id"], "etag": r["etag"], "decision": "hold"} for r in rows.values()]})
    assert bulk.status_code == 412 and ha_tinh["nomination"]["id"] in bulk.data["detail"]
    # nothing was written: both still pending, the edit kept
    after = rows_by_unit(api, admin, cid)
    assert [r["nomination"]["status"] for r in after.values()] == ["pending", "pending"]
    assert api.get(f"/v1/nominations/{ha_tinh['nomination']['id']}",
                   token=admin).data["achievements"] == "Bổ sung thành tích tháng 8."
