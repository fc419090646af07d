"""The merge template devtools/package.py gives `chalice package` (fast: no packaging).

tests/e2e/test_package.py checks the same properties on the real merged sam.json of each stage
and runs cfn-lint on it.
"""

from __future__ import annotations

import json

import pytest

from devtools import package

ALL = ["api_handler", "send_reminders", "compile_due_conferences", "compile_conference"]


@pytest.fixture(params=package.STAGES)
def stage(request) -> str:
    return request.param


def test_the_table_is_recoverable_protected_and_encrypted(stage):
    table = package.merge_template(stage, ALL)["Resources"]["ThiduaTable"]
    props = table["Properties"]
    assert props["TableName"] == f"thidua-{stage}" and props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["DeletionProtectionEnabled"] is True and props["SSESpecification"]["SSEEnabled"] is True
    # kept when the stack goes, but not after a failed first create: the retry can make it again
    assert table["DeletionPolicy"] == "RetainExceptOnCreate" and table["UpdateReplacePolicy"] == "Retain"


def test_the_bucket_is_private_versioned_encrypted_and_https_only(stage):
    resources = package.merge_template(stage, ALL)["Resources"]
    props = resources["ThiduaDocuments"]["Properties"]
    assert props["BucketName"] == {"Fn::Sub": f"thidua-{stage}-documents-${{AWS::AccountId}}-${{AWS::Region}}"}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True} and len(
        props["PublicAccessBlockConfiguration"]) == 4
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert resources["ThiduaDocuments"]["DeletionPolicy"] == "RetainExceptOnCreate"
    assert resources["ThiduaDocuments"]["UpdateReplacePolicy"] == "Retain"
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 30
    (deny,) = resources["ThiduaDocumentsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::Sub": "${ThiduaDocuments.Arn}/*"} in deny["Resource"]


def test_functions_get_fixed_names_their_settings_and_log_groups(stage):
    resources = package.merge_template(stage, ALL)["Resources"]
    for name in ALL:
        logical = package.LOGICAL_IDS[name]
        props = resources[logical]["Properties"]
        assert props["FunctionName"] == package.function_name(stage, name)
        variables = props["Environment"]["Variables"]
        assert variables["THIDUA_ARTIFACTS"] == {"Fn::Sub": f"s3://{package.bucket_name(stage)}/"}
        assert variables["THIDUA_PUBLIC_URL"]["Fn::Sub"].startswith("https://${RestAPI}.execute-api.")
        assert resources[f"{logical}LogGroup"]["Properties"]["LogGroupName"] == f"/aws/lambda/{props['FunctionName']}"
        assert resources[logical]["DependsOn"] == [f"{logical}LogGroup"]
        policy = resources[package.role_id(logical)]["Properties"]["Policies"][0]["PolicyDocument"]
        assert "${AWS::AccountId}" in json.dumps(policy) and "Fn::Sub" in json.dumps(policy)
    assert "Layers" not in resources["APIHandler"]["Properties"]
    for logical in package.COMPILE_FUNCTIONS:
        assert resources[logical]["Properties"]["Layers"][0]["Fn::Sub"].endswith(":${WeasyPrintLayerVersion}")


def test_only_resources_the_app_declares_are_patched(stage):
    resources = package.merge_template(stage, ["api_handler", "send_reminders", "compile_due_conferences"])["Resources"]
    assert "CompileConference" not in resources and "CompileConferenceRole" not in resources


def test_alarms_watch_the_compile_errors_and_the_api_5xx(stage):
    template = package.merge_template(stage, ALL)
    resources = template["Resources"]
    for logical in package.COMPILE_FUNCTIONS:
        alarm = resources[f"{logical}ErrorsAlarm"]["Properties"]
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": resources[logical]["Properties"]["FunctionName"]}]
    api = resources["Api5xxAlarm"]["Properties"]
    assert (api["Namespace"], api["MetricName"]) == ("AWS/ApiGateway", "5XXError")
    assert {"Name": "ApiName", "Value": f"thidua-{stage}"} in api["Dimensions"]
    assert resources["RestAPI"]["Properties"]["Name"] == f"thidua-{stage}"
    assert template["Parameters"]["SesIdentity"]["Default"] == "bocongan.gov.vn"


def test_config_strings_with_cloudformation_substitutions_become_fn_sub():
    assert package.sub({"a": "plain", "b": ["x-${AWS::Region}"]}) == {"a": "plain", "b": [{"Fn::Sub": "x-${AWS::Region}"}]}


def test_the_package_region_defaults_to_singapore_and_follows_the_environment():
    assert package.region({}) == "ap-southeast-1"
    assert package.region({"AWS_DEFAULT_REGION": "eu-west-1"}) == "eu-west-1"
    assert package.region({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-west-1"}) == "us-east-1"


def test_the_alarm_topic_uses_a_key_cloudwatch_and_sns_may_use(stage):
    """With the AWS-managed alias/aws/sns key CloudWatch cannot publish: alarms fire, no email arrives."""
    resources = package.merge_template(stage, ALL)["Resources"]
    topic = resources["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["AlarmKey", "Arn"]}
    key = resources["AlarmKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    by_principal = {json.dumps(s["Principal"], sort_keys=True): s for s in statements}
    for service in ("cloudwatch.amazonaws.com", "sns.amazonaws.com"):
        s = by_principal[json.dumps({"Service": service})]
        assert s["Effect"] == "Allow" and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(s["Action"]), service
    admin = by_principal[json.dumps({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                                    sort_keys=True)]
    assert admin["Action"] == "kms:*"  # the account keeps control of its key
    assert resources["AlarmKeyAlias"]["Properties"]["AliasName"] == f"alias/thidua-{stage}-alarms"
    for name in ("Api5xxAlarm", "CompileConferenceErrorsAlarm", "CompileDueConferencesErrorsAlarm"):
        assert resources[name]["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_404_for_unknown_paths_is_declared_in_the_api_body(stage):
    """A GatewayResponse resource next to a DefinitionBody drifts (cfn-lint W3660): it lives in the body."""
    resources = package.merge_template(stage, ALL)["Resources"]
    assert not any(r.get("Type") == "AWS::ApiGateway::GatewayResponse" for r in resources.values())
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    response = body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["statusCode"] == 404
    assert response["responseParameters"] == {"gatewayresponse.header.Content-Type": "'application/problem+json'"}
    problem = json.loads(response["responseTemplates"]["application/json"])
    assert problem["status"] == 404 and problem["title"] == "Not Found"
