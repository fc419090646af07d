"""POST /v1/units/{id}/reports/{period}/reminder on DynamoDB Local: the reminder's audit event is
stored by the request's unit of work (the first route whose only write is an audit event), and a
refused reminder stores nothing."""

from __future__ import annotations

from pathlib import Path

from helpers import open_period


def test_a_reminder_sent_now_is_stored_in_the_audit_trail_and_a_refused_one_is_not(api, admin_token, env):
    for unit_id, name in (("ca-nghe-an", "Công an tỉnh Nghệ An"), ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh")):
        assert api.post("/v1/units", token=admin_token, body={
            "id": unit_id, "name": name, "kind": "province", "emails": [f"{unit_id}@example.vn"]}).status_code == 201
    open_period(api, admin_token, "2021-08")
    token = api.post("/v1/units/ca-ha-tinh/tokens", token=admin_token, body={}).data["token"]
    assert api.put("/v1/units/ca-ha-tinh/reports/2021-08", token=token,
                   body={"values": {"checkpoints": 3}}).status_code == 201

    sent = api.post("/v1/units/ca-nghe-an/reports/2021-08/reminder", token=admin_token)
    assert sent.status_code == 200, sent.body
    refused = api.post("/v1/units/ca-ha-tinh/reports/2021-08/reminder", token=admin_token)
    assert refused.status_code == 409

    [event] = api.get("/v1/units/ca-nghe-an/reports/2021-08/audit", token=admin_token).data["items"]
    assert event["action"] == "reminder_sent" and event["detail"]["to"] == ["ca-nghe-an@example.vn"]
    assert [e["action"] for e in api.get("/v1/units/ca-ha-tinh/reports/2021-08/audit",
                                         token=admin_token).data["items"]] == ["submitted"]
    outbox = Path(env["THIDUA_MAIL"].removeprefix("outbox:"))
    assert len(list(outbox.glob("*.eml"))) == 1
