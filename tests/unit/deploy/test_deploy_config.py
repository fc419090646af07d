"""The deployed stages' configuration and policies, read from .chalice/ without packaging (fast).

What a ministry runs is decided here: every setting a stage variable, per-function memory and
timeouts, and least-privilege roles: each statement names the stage's own table, bucket,
sending identity, log group or compile function, never `*`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devtools import package

ROOT = Path(__file__).resolve().parents[3]
CLOUD_STAGES = package.STAGES
CONFIG = package.load_config()
FUNCTIONS = ("api_handler", "send_reminders", "compile_due_conferences", "compile_conference")


def settings_variables() -> set[str]:
    """Every THIDUA_* variable `chalicelib/core/settings.py` reads."""
    return set(re.findall(r'"(THIDUA_[A-Z_]+)"', (ROOT / "chalicelib/core/settings.py").read_text()))


def policy(stage: str, function: str) -> dict:
    return json.loads((ROOT / ".chalice" / package.function_settings(stage, function)["iam_policy_file"]).read_text())


def statements(stage: str) -> list[tuple[str, dict]]:
    return [(f, s) for f in FUNCTIONS for s in policy(stage, f)["Statement"]]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("stage", CLOUD_STAGES)
def test_every_setting_is_a_stage_variable(stage):
    env = package.stage_env(stage)
    # the cloud uses DynamoDB at its real endpoint, and signs with keys from Secrets Manager, not a folder
    local_only = {"THIDUA_DDB_ENDPOINT", "THIDUA_STORE", "THIDUA_SIGNING_DIR"}
    assert settings_variables() - local_only <= set(env), settings_variables() - local_only - set(env)
    assert not local_only & set(env)
    assert env["THIDUA_STAGE"] == stage and env["THIDUA_TABLE"] == f"thidua-{stage}"
    assert env["THIDUA_ARTIFACTS"].startswith(f"s3://thidua-{stage}-documents-")  # Lambda's disk is read-only
    assert env["THIDUA_MAIL"] == "ses" and "@" in env["THIDUA_MAIL_FROM"]
    assert env["THIDUA_COMPILE_TRIGGER"] == "lambda"
    assert env["THIDUA_COMPILE_FUNCTION"] == package.function_name(stage, "compile_conference")
    assert all(isinstance(v, str) for v in env.values())  # Lambda takes strings only


def test_the_local_stage_compiles_in_a_thread_and_the_stages_differ_only_by_name():
    assert CONFIG["stages"]["local"]["environment_variables"]["THIDUA_COMPILE_TRIGGER"] == "thread"
    dev, prod = (json.dumps(CONFIG["stages"][s]).replace(f"thidua-{s}", "thidua-STAGE")
                 .replace(f'"stage": "{s}"', '"stage": "STAGE"').replace(f'"THIDUA_STAGE": "{s}"', '"THIDUA_STAGE": "STAGE"')
                 .replace(f"policy-{s}-", "policy-STAGE-") for s in CLOUD_STAGES)
    assert dev == prod
    for kind in ("api", "compile_conference", "compile_due_conferences", "reminders"):
        texts = [(ROOT / f".chalice/policy-{s}-{kind}.json").read_text().replace(f"thidua-{s}", "thidua-STAGE")
                 for s in CLOUD_STAGES]
        assert texts[0] == texts[1], kind


@pytest.mark.parametrize("stage", CLOUD_STAGES)
def test_each_function_has_its_memory_timeout_and_own_policy(stage):
    assert CONFIG["stages"][stage]["autogen_policy"] is False
    for function in FUNCTIONS:
        settings = package.function_settings(stage, function)
        assert settings["lambda_memory_size"] >= 512 and settings["lambda_timeout"] >= 29, function
        assert (ROOT / ".chalice" / settings["iam_policy_file"]).is_file(), function
    assert package.function_settings(stage, "api_handler")["lambda_timeout"] <= 29  # API Gateway gives up at 29 s
    for function in ("compile_due_conferences", "compile_conference"):
        settings = package.function_settings(stage, function)
        # Above 1,769 MB Lambda gives a second vCPU: the compile renders in parallel processes.
        assert settings["lambda_memory_size"] > 1769 and settings["lambda_timeout"] >= 300
        assert settings["environment_variables"]["FONTCONFIG_PATH"] == "/opt/fonts"
        assert len(settings["layers"]) == 1 and ":layer:thidua-weasyprint-" in settings["layers"][0]


def test_every_function_app_py_declares_is_configured():
    declared = set(package.app_functions())
    assert {"api_handler", "send_reminders", "compile_due_conferences"} <= declared
    assert declared <= set(FUNCTIONS), declared - set(FUNCTIONS)


@pytest.mark.parametrize("stage", CLOUD_STAGES)
def test_no_statement_grants_everything(stage):
    for function, s in statements(stage):
        assert s["Effect"] == "Allow"
        for action in as_list(s["Action"]):
            assert "*" not in action, (function, action)
        for resource in as_list(s["Resource"]):
            assert resource != "*" and ":*:" not in resource and not resource.startswith("arn:*"), (function, resource)


@pytest.mark.parametrize("stage", CLOUD_STAGES)
def test_each_service_is_granted_on_the_stage_resource_only(stage):
    prefix = "arn:${AWS::Partition}:"
    account = ":${AWS::Region}:${AWS::AccountId}:"
    bucket = package.bucket_name(stage)
    for function, s in statements(stage):
        services = {a.split(":")[0] for a in as_list(s["Action"])}
        assert len(services) == 1, s
        service = services.pop()
        resources = as_list(s["Resource"])
        if service == "dynamodb":
            table = f"{prefix}dynamodb{account}table/thidua-{stage}"
            assert sorted(resources) == [table, f"{table}/index/GSI1"]  # the one index, by name
        elif service == "s3":
            assert resources == [f"{prefix}s3:::{bucket}/*"]
        elif service == "ses":
            # chalicelib/delivery/mail.py sends with SES API v2 SendEmail (raw MIME content): ses:SendEmail.
            assert s["Action"] == ["ses:SendEmail"] and resources == [f"{prefix}ses{account}identity/${{SesIdentity}}"]
        elif service == "logs":
            assert set(s["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
            # each function writes its own log group only, the two compile functions included
            assert resources == [f"{prefix}logs{account}log-group:/aws/lambda/{package.function_name(stage, function)}:*"]
        elif service == "secretsmanager":
            # the compile signs issued documents with each issuer's PKCS#12 (chalicelib/documents/signing.py):
            # read-only, and only the secrets under the stage's prefix.
            prefix_of_stage = package.stage_env(stage)["THIDUA_SIGNING_SECRET_PREFIX"]
            assert function.startswith("compile") and s["Action"] == ["secretsmanager:GetSecretValue"]
            assert prefix_of_stage == f"thidua-{stage}/signing/"
            assert resources == [f"{prefix}secretsmanager{account}secret:{prefix_of_stage}*"]
        elif service == "lambda":
            assert function == "api_handler" and s["Action"] == ["lambda:InvokeFunction"]
            assert resources == [f"{prefix}lambda{account}function:{package.function_name(stage, 'compile_conference')}"]
        else:
            pytest.fail(f"{function}: unexpected service {service}")


def test_the_roles_grant_what_the_code_calls():
    mail = (ROOT / "chalicelib/delivery/mail.py").read_text()
    assert '"sesv2"' in mail and "client.send_email(" in mail  # SES v2 SendEmail -> ses:SendEmail
    store = (ROOT / "chalicelib/store/dynamodb.py").read_text()
    called = set(re.findall(r'_call\("([a-z_]+)"', store)) | set(re.findall(r'"(put_item|update_item|delete_item)"', store))
    table_admin = {"describe_table", "create_table", "delete_table"}  # the CLI's ensure_table and tests only
    iam = {"transact_write_items": {"PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"}}
    needed = set().union(*(iam.get(c, {"".join(p.title() for p in c.split("_"))}) for c in called - table_admin))
    # The API reaches every store operation; the other functions are granted some of them, exactly those
    # they were seen calling (tests/integration/test_grants_equal_calls.py compares the recorded calls).
    for stage in CLOUD_STAGES:
        for function in FUNCTIONS:
            granted = {a.removeprefix("dynamodb:") for s in policy(stage, function)["Statement"]
                       for a in as_list(s["Action"]) if a.startswith("dynamodb:")}
            assert granted <= needed, (stage, function, granted - needed)
            if function == "api_handler":
                assert needed <= granted, (stage, function, needed - granted)
    trigger = ROOT / "chalicelib/publishing/trigger.py"
    if trigger.exists():
        assert 'boto3.client("lambda"' in trigger.read_text() and 'InvocationType="Event"' in trigger.read_text()
    assert {a for s in policy("prod", "compile_conference")["Statement"] for a in as_list(s["Action"])} >= {
        "s3:PutObject", "s3:GetObject", "ses:SendEmail"}
    assert not any(a.startswith(("lambda:", "s3:Put")) for f in ("send_reminders",)
                   for s in policy("prod", f)["Statement"] for a in as_list(s["Action"]))
