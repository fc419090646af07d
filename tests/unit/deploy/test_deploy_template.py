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
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_the_bucket_is_private_versioned_encrypted_and_https_only(stage):
    resources = package.merge_template(stage, ALL)["Resources"]
    props = resources["ThiduaDocuments"]["Properties"]
    assert props["BucketName"] == {"Fn::Sub": f"thidua-{stage}-documents-${{AWS::AccountId}}-${{AWS::Region}}"}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True} and len(
        props["PublicAccessBlockConfiguration"]) == 4
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
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
