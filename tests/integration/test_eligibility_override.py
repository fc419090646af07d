"""Eligibility on DynamoDB Local (issue 19): a register entry stored in the table (its identity index)
warns a nomination; approving it without an override note writes nothing, with one the decision, the
override and its audit event land together (one transaction)."""

from __future__ import annotations

from helpers import issue, seed_units

UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")]


def test_an_ineligible_nomination_is_approved_only_with_an_audited_override(api, admin_token, store) -> None:
    from chalicelib.register import service

    seed_units(store, UNITS)
    token = issue(store, "unit", unit_id="ca-nghe-an")
    store.register.put_entries([{
        "id": "imp-2020-1", "kind": "individual", "name": "Phạm Thế Tùng", "unit_id": "ca-nghe-an",
        "unit_name": "Công an tỉnh Nghệ An", "identity_key": service.identity_key("individual", "Phạm Thế Tùng", "ca-nghe-an"),
        "officer_number": None, "birth_date": None, "position": "Thiếu tướng", "award_form": "bang-khen-bo-truong",
        "award_form_name": "Bằng khen của Bộ trưởng Bộ Công an", "decision_number": "12/QĐ-BCA",
        "decision_date": "2020-09-05", "granted_by": "Bộ trưởng Bộ Công an", "summary": "", "conference_id": None,
        "nomination_id": None, "source": "import", "year": 2020}])
    conference = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "recipients": ["lanhdao@bocongan.example.vn"], "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    made = api.post("/v1/units/ca-nghe-an/nominations", token=token, body={
        "conference_id": conference.data["id"], "kind": "individual", "name": "Phạm Thế Tùng",
        "position": "Thiếu tướng, Giám đốc", "award_form": "bang-khen-bo-truong", "achievements": "Hoàn thành xuất sắc."})
    assert made.status_code == 201, made.body
    nid = made.data["id"]
    [warning] = api.get(f"/v1/nominations/{nid}/detail", token=admin_token).data["warnings"]
    assert warning["entries"] == ["imp-2020-1"] and "12/QĐ-BCA ngày 05/9/2020" in warning["message"]
    path = f"/v1/nominations/{nid}/decision"
    refused = api.post(path, token=admin_token, body={"decision": "approve"}, headers={"If-Match": made.headers["ETag"]})
    assert refused.status_code == 422 and refused.data["errors"][0]["field"] == "override_note"
    assert store.nominations.get(nid)["status"] == "pending"
    assert [e["action"] for e in store.audit.list(f"nomination:{nid}", limit=10).items] == ["nominated"]
    done = api.post(path, token=admin_token, body={"decision": "approve", "override_note": "Hội đồng thống nhất."},
                    headers={"If-Match": made.headers["ETag"]})
    assert done.status_code == 200, done.body
    stored = store.nominations.get(nid)
    assert stored["decision"]["override"] == {"note": "Hội đồng thống nhất.", "warnings": [warning]}
    approve = next(e for e in store.audit.list(f"nomination:{nid}", limit=10).items if e["action"] == "approve")
    assert approve["detail"]["override"] == stored["decision"]["override"]
