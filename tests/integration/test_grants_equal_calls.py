"""Each function's role grants exactly the AWS operations the function calls: none missing (it would fail
in AWS with AccessDenied), none unused (least privilege).

The calls are recorded while the tests run (tests/aws_calls.py, installed by tests/conftest.py): the
record of this session's other tests, and a small representative workload of each function run here,
so that the comparison holds alone and in any order. The workload enters the functions as Lambda does
(the API through Chalice's test client, the schedules and the compile through their handlers) on
DynamoDB Local, with S3, SES, Secrets Manager and Lambda by moto (no local server exists for them):
a report submitted, reviewed and returned, a nomination decided, an invitation mailed, a document
downloaded, a compile requested; the compile drafting, then issuing (signed with a certificate read from
Secrets Manager, stored in S3, mailed by SES); the reminders mailing a unit and a returned report's note.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

import aws_calls
from devtools import package

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod"  # dev's files are prod's but for the names (tests/unit/deploy/test_deploy_config.py)
FUNCTIONS = ("api_handler", "compile_conference", "compile_due_conferences", "send_reminders")
BUCKET = "thidua-test-documents"
REGION = "ap-southeast-1"
SENDER = "thidua@bocongan.gov.vn"
# Made by the Lambda runtime for the function, never by its code: granted, not recorded.
RUNTIME = {"logs:CreateLogStream", "logs:PutLogEvents"}


def granted(function: str) -> set[str]:
    document = json.loads((ROOT / ".chalice" / package.function_settings(STAGE, function)["iam_policy_file"]).read_text())
    return {a for s in document["Statement"] if s["Effect"] == "Allow"
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


@pytest.fixture
def cloud(ddb, tmp_path, monkeypatch) -> Iterator[dict[str, Any]]:
    """The cloud stage's backends: DynamoDB Local, and moto's S3, SES v2, Secrets Manager and Lambda."""
    from moto import mock_aws

    from chalicelib.documents import issuers
    from chalicelib.publishing import trigger
    from devtools import pki

    env = {"THIDUA_DDB_ENDPOINT": ddb.endpoint, "THIDUA_TABLE": f"t{uuid.uuid4().hex[:12]}", "THIDUA_STAGE": "test",
           "THIDUA_ARTIFACTS": f"s3://{BUCKET}/", "THIDUA_MAIL": "ses", "THIDUA_MAIL_FROM": f"Văn phòng <{SENDER}>",
           "THIDUA_PUBLIC_URL": "https://thidua.example.gov.vn", "THIDUA_SIGNING_SECRET_PREFIX": "thidua-test/signing/",
           "THIDUA_COMPILE_TRIGGER": "lambda", "THIDUA_COMPILE_FUNCTION": "thidua-test-compile_conference",
           "THIDUA_RENDER_WORKERS": "1", "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    for key in ("THIDUA_STORE", "THIDUA_SIGNING_DIR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    keys = tmp_path / "pki"
    pki.ensure_ca(keys)
    ministry = issuers.ministry()
    p12 = pki.ensure_issuer_credentials(keys, ministry)
    trigger._lambda_client.cache_clear()  # made inside the mock below, not before it
    with mock_aws():
        import boto3

        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="bocongan.gov.vn")
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=f"thidua-test/signing/{ministry.id}",
            SecretString=json.dumps({"pkcs12": base64.b64encode(p12.read_bytes()).decode(),
                                     "passphrase": pki.read_passphrase(keys)}))
        yield env
    trigger._lambda_client.cache_clear()


def test_each_role_grants_exactly_the_calls_its_function_makes(cloud, clock):
    workload(clock)
    calls = aws_calls.recorded()
    problems = []
    for function in FUNCTIONS:
        made, allowed = calls.get(function, set()), granted(function) - RUNTIME
        if made - allowed:
            problems.append(f"{function} calls without a grant: {sorted(made - allowed)}")
        if allowed - made:
            problems.append(f"{function} is granted what it never calls: {sorted(allowed - made)}")
    assert not problems, "\n".join(problems)
    for function in FUNCTIONS:
        assert RUNTIME <= granted(function), function  # Lambda writes its logs with the function's role


def workload(clock) -> None:
    from chalice.test import Client

    import app as app_module
    from chalicelib.core.access import Principal
    from chalicelib.core.settings import settings
    from chalicelib.core.states import Role
    from chalicelib.publishing import lifecycle
    from chalicelib.store import store_for
    from helpers import Api, issue, open_period, person

    import boto3

    store = store_for(settings())
    store.ensure_table()
    try:
        admin = issue(store, "admin")
        with Client(app_module.app, stage_name="test") as client:
            api = Api(client)
            # --- the API: units, a report submitted and returned, a nomination decided, people, a compile
            open_period(api, admin, "2021-07")
            # due in two days (the clock is 2021-08-20 10:00 in Hà Nội): the reminders run below mails
            open_period(api, admin, "2021-08", deadline="2021-08-22T17:00:00+07:00")
            for unit_id, name in (("ca-nghe-an", "Công an tỉnh Nghệ An"), ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh")):
                assert api.post("/v1/units", token=admin, body={
                    "id": unit_id, "name": name, "kind": "province", "emails": [f"{unit_id}@bocongan.gov.vn"]
                }).status_code == 201
            # a report the conferences' summary lists (its whole item is read in a batch by the compile)
            assert api.put("/v1/units/ca-ha-tinh/reports/2021-07", token=admin, body={
                "values": {"checkpoints": 20}, "achievements": "Hoàn thành."}).status_code == 201
            unit = api.post("/v1/units/ca-nghe-an/tokens", token=admin, body={}).data["token"]
            spare = api.post("/v1/units/ca-nghe-an/tokens", token=admin, body={}).data
            assert api.delete(f"/v1/tokens/{spare['id']}", token=admin).status_code in (200, 204)
            put = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=unit,
                          body={"values": {"checkpoints": 40, "citizens_escorted": 15000}, "achievements": "Tốt."},
                          headers={"Idempotency-Key": "k1"})
            assert put.status_code == 201, put.body
            assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=unit).status_code == 200
            assert api.get("/v1/periods/2021-08/completeness", token=admin).status_code == 200
            # the note of the return cannot be mailed now (the sending identity is gone for a moment): kept
            # for the daily run, which mails it and drops it
            ses = boto3.client("sesv2", region_name=REGION)
            ses.delete_email_identity(EmailIdentity="bocongan.gov.vn")
            returned = api.post("/v1/units/ca-nghe-an/reports/2021-08/review", token=admin,
                                body={"action": "return", "note": "Số liệu chưa khớp."})
            assert returned.status_code == 200 and returned.data["notified"] is False, returned.body
            ses.create_email_identity(EmailIdentity="bocongan.gov.vn")
            # another return whose note goes at once (its kept record is dropped)
            assert api.post("/v1/units", token=admin, body={
                "id": "ca-thanh-hoa", "name": "Công an tỉnh Thanh Hóa", "kind": "province",
                "emails": ["ca-thanh-hoa@bocongan.gov.vn"]}).status_code == 201
            assert api.put("/v1/units/ca-thanh-hoa/reports/2021-08", token=admin,
                           body={"values": {"checkpoints": 12}}).status_code == 201
            returned = api.post("/v1/units/ca-thanh-hoa/reports/2021-08/review", token=admin,
                                body={"action": "return", "note": "Thiếu số liệu."})
            assert returned.status_code == 200 and returned.data["notified"] is True, returned.body
            conferences = []
            for title in ("Hội nghị sơ kết", "Hội nghị tổng kết"):
                conference = api.post("/v1/conferences", token=admin, body={
                    "title": title, "date": str(clock.now().date() + dt.timedelta(days=3)), "place": "Hà Nội",
                    "periods": ["2021-07"], "recipients": ["lanhdao@bocongan.gov.vn"], "number_prefix": "BC-BCA",
                    "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
                assert conference.status_code == 201, conference.body
                conferences.append(conference.data["id"])
            cid, other = conferences
            nominated = api.post("/v1/units/ca-nghe-an/nominations", token=unit, body={
                "kind": "collective", "name": "Công an tỉnh Nghệ An", "award_form": "bang-khen-bo-truong",
                "achievements": "Hoàn thành xuất sắc nhiệm vụ.", "conference_id": cid})
            if nominated.status_code == 201:
                nomination = api.get(f"/v1/nominations/{nominated.data['id']}", token=admin)
                api.post(f"/v1/nominations/{nominated.data['id']}/decision", token=admin,
                         headers={"If-Match": nomination.headers.get("etag", "")},
                         body={"action": "approve"})
            assert api.get(f"/v1/conferences/{cid}/shortlist", token=admin).status_code == 200
            invited = api.post("/v1/accounts", token=admin, body={
                "email": "canbo@bocongan.gov.vn", "name": "Nguyễn Văn B", "role": "unit", "unit_id": "ca-nghe-an"})
            assert invited.status_code == 201, invited.body
            assert api.post(f"/v1/conferences/{cid}/compile", token=admin).status_code == 202

            # --- the compile, both functions drafting and issuing (the same pipeline): compile_conference drafts
            # the first conference; the schedule issues it once approved and drafts the second, which
            # compile_conference issues once approved
            event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                    resources=[f"arn:aws:events:{REGION}:123456789012:rule/x"])
            signer_id, _ = person(store, "leader", name="Nguyễn Văn A", email="nva@bocongan.gov.vn")

            def approve(conference_id: str) -> None:
                draft = store.documents.stream(conference_id, "summary")["draft_document_id"]
                now = clock.now()
                lifecycle.submit(store, Principal("adm", Role.ADMIN, None, "Văn thư"), draft, signer_id, None, now)
                lifecycle.approve(store, Principal("s", Role.LEADER, None, "Lãnh đạo", account_id=signer_id), draft, now)

            client.lambda_.invoke("compile_conference", {"conference_id": cid})
            approve(cid)
            client.lambda_.invoke("compile_due_conferences", event)
            approve(other)
            client.lambda_.invoke("compile_conference", {"conference_id": other})
            for conference_id in conferences:
                head = store.documents.stream(conference_id, "summary")
                assert head.get("issued_document_id"), head
            documents = api.get(f"/v1/conferences/{cid}/documents", token=admin).data["items"]
            document_id = next(d for d in documents if d.get("number"))["id"]
            leader = issue(store, "leader")
            pdf = api.get(f"/v1/documents/{document_id}/file", token=leader, headers={"Accept": "application/pdf"})
            assert pdf.status_code in (200, 302, 303), pdf.body

            # a unit renamed since anything read the tree: the daily run is the first to read it, and packs it
            # anew for the containers that follow (conditioned on the tree's version: ConditionCheckItem)
            etag = api.get("/v1/units/ca-ha-tinh", token=admin).headers["ETag"]
            assert api.patch("/v1/units/ca-ha-tinh", token=admin, body={"name": "Công an tỉnh Hà Tĩnh (mới)"},
                             headers={"If-Match": etag}).status_code == 200
            # --- the reminders: 2021-08 is due in two days and Hà Tĩnh has not reported; Nghệ An's note goes
            reminded = client.lambda_.invoke("send_reminders", event).payload
            assert reminded["sent"] and reminded["notes_sent"], reminded
    finally:
        store.delete_table()
