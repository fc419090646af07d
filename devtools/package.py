"""`make package [STAGE=dev|prod]`: the deployable SAM template and zip of one stage.

    python -m devtools.package [--stage dev] [--region ap-southeast-1] [out]   (default out: build/<stage>)

Runs `chalice package --stage <stage> --merge-template <out>/merge-template.json <out>` and
then names the API function by its fixed name in the gateway's integrations (see
`name_the_api_function`). The merge template adds to what Chalice generates:

- the DynamoDB table exactly as `chalicelib/store/table.json` defines it (the file the store
  creates the table from locally, so keys, indexes and TTL cannot drift), named by the stage's
  THIDUA_TABLE, on demand, with point-in-time recovery, encryption and deletion protection;
- the documents bucket named by the stage's THIDUA_ARTIFACTS: versioned, encrypted, public
  access blocked, HTTPS only, old versions expired;
- each function's fixed name (`thidua-<stage>[-<function>]`, as `chalice deploy` names them),
  its log group with a retention, and the role policy of `.chalice/policy-<stage>-<role>.json`;
- parameters for the SES sending identity and the WeasyPrint layer's version, and CloudWatch
  alarms (compile errors, the API's 5xx) sent to an SNS topic.

Values in `.chalice/config.json` and the policy files may use CloudFormation's `${...}`
(`${AWS::AccountId}`, `${SesIdentity}`, `${RestAPI}`): each such string becomes an `Fn::Sub`
here, so the stage configuration stays the one place for every setting. `chalice package`
needs a region but no credentials: without AWS_REGION / AWS_DEFAULT_REGION it uses
DEFAULT_REGION (the template itself is region-free; the region is chosen when deploying).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from chalicelib.store.dynamodb import TABLE_DEFINITION_PATH

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / ".chalice" / "config.json"
DEFAULT_REGION = "ap-southeast-1"  # Singapore: the nearest region to Hà Nội with every service used here
STAGES = ("dev", "prod")

# Chalice's function name in config.json -> its logical id in the SAM template.
LOGICAL_IDS = {"api_handler": "APIHandler", "send_reminders": "SendReminders",
               "compile_due_conferences": "CompileDueConferences", "compile_conference": "CompileConference"}
COMPILE_FUNCTIONS = ("CompileDueConferences", "CompileConference")
LOG_RETENTION_DAYS = {"dev": 30, "prod": 400}  # prod keeps a year of logs and a bit, for the yearly review
OLD_VERSIONS_KEPT_DAYS = 365  # a replaced or deleted document stays recoverable for a year


def role_id(logical_id: str) -> str:
    """The IAM role Chalice generates for a function ("APIHandler" -> "ApiHandlerRole")."""
    return "ApiHandlerRole" if logical_id == "APIHandler" else f"{logical_id}Role"


def load_config() -> dict[str, Any]:
    return json.loads(CONFIG_PATH.read_text())


def stage_env(stage: str, config: dict[str, Any] | None = None) -> dict[str, str]:
    config = config or load_config()
    return {**config.get("environment_variables", {}),
            **config["stages"][stage].get("environment_variables", {})}


def function_settings(stage: str, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    config = config or load_config()
    return config["stages"][stage].get("lambda_functions", {}).get(name, {})


def function_name(stage: str, name: str, app_name: str = "thidua") -> str:
    """What `chalice deploy` would call it: the API handler is `<app>-<stage>`."""
    return f"{app_name}-{stage}" if name == "api_handler" else f"{app_name}-{stage}-{name}"


def sub(value: Any) -> Any:
    """Strings with CloudFormation `${...}` become Fn::Sub, recursively; the rest is unchanged."""
    if isinstance(value, str):
        return {"Fn::Sub": value} if "${" in value else value
    if isinstance(value, list):
        return [sub(v) for v in value]
    if isinstance(value, dict):
        return {k: sub(v) for k, v in value.items()}
    return value


def bucket_name(stage: str, config: dict[str, Any] | None = None) -> str:
    spec = stage_env(stage, config)["THIDUA_ARTIFACTS"]
    if not spec.startswith("s3://"):
        raise SystemExit(f"stage {stage}: THIDUA_ARTIFACTS must be s3://... on Lambda (its disk is read-only)")
    return spec.removeprefix("s3://").partition("/")[0]


def app_functions() -> list[str]:
    """The Lambda functions app.py declares, by Chalice name (the API handler included when routes exist).

    Read from the app, so a function added to app.py gets its settings without a change here."""
    sys.path.insert(0, str(ROOT))
    from app import app

    names = ["api_handler"] if app.routes else []
    names += [source.name for source in app.event_sources]
    names += [function.name for function in app.pure_lambda_functions]
    return names


def merge_template(stage: str = "dev", functions: list[str] | None = None) -> dict[str, Any]:
    config = load_config()
    if stage not in config["stages"]:
        raise SystemExit(f"no stage {stage!r} in .chalice/config.json")
    env = stage_env(stage, config)
    functions = app_functions() if functions is None else functions
    # "Văn phòng Bộ Công an <thidua@bocongan.gov.vn>": the address, without its display name
    sender = __import__("email.utils").utils.parseaddr(env.get("THIDUA_MAIL_FROM", ""))[1]
    resources: dict[str, Any] = {
        "ThiduaTable": table(env["THIDUA_TABLE"]),
        "ThiduaDocuments": bucket(bucket_name(stage, config)),
        "ThiduaDocumentsPolicy": https_only_policy(),
        "AlarmKey": alarm_key(),
        "AlarmKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {
            "AliasName": f"alias/{config['app_name']}-{stage}-alarms", "TargetKeyId": {"Ref": "AlarmKey"}}},
        # Encrypted with our own key: CloudWatch cannot use the AWS-managed alias/aws/sns (its policy
        # cannot be changed), so an alarm on such a topic fires and no email ever arrives.
        "AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {
            "TopicName": f"{config['app_name']}-{stage}-alarms",
            "KmsMasterKeyId": {"Fn::GetAtt": ["AlarmKey", "Arn"]}}},
        "AlarmEmailSubscription": {"Type": "AWS::SNS::Subscription", "Condition": "HasAlarmEmail", "Properties": {
            "TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}},
        # The API's metrics are found by its name: one per stage, not Chalice's shared title.
        # The 404 for unknown paths lives in the API's own definition: a GatewayResponse resource
        # beside a DefinitionBody is dropped by the next deployment of the body (cfn-lint W3660).
        "RestAPI": {"Properties": {"Name": f"{config['app_name']}-{stage}",
                                   "DefinitionBody": {"info": {"title": f"{config['app_name']}-{stage}"},
                                                      "x-amazon-apigateway-gateway-responses": gateway_responses()}}},
        "Api5xxAlarm": alarm(f"{config['app_name']}-{stage}-api-5xx",
                             "API trả lỗi 5xx (máy chủ) trong 5 phút qua", "AWS/ApiGateway", "5XXError",
                             [{"Name": "ApiName", "Value": f"{config['app_name']}-{stage}"},
                              {"Name": "Stage", "Value": config["stages"][stage].get("api_gateway_stage", "api")}],
                             threshold=5),
    }
    for name in functions:
        logical = LOGICAL_IDS.get(name) or "".join(part.title() for part in name.split("_"))
        settings = function_settings(stage, name, config)
        fixed = function_name(stage, name, config["app_name"])
        variables = {**env, **settings.get("environment_variables", {})}
        properties: dict[str, Any] = {"FunctionName": fixed, "Environment": {"Variables": sub(variables)}}
        if settings.get("layers"):
            properties["Layers"] = sub(settings["layers"])
        # Created before the function, so Lambda never makes it (without retention) on a first run.
        resources[logical] = {"DependsOn": [f"{logical}LogGroup"], "Properties": properties}
        resources[f"{logical}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
            "Properties": {"LogGroupName": f"/aws/lambda/{fixed}", "RetentionInDays": LOG_RETENTION_DAYS[stage]}}
        policy_file = settings.get("iam_policy_file")
        if policy_file:
            document = json.loads((CONFIG_PATH.parent / policy_file).read_text())
            resources[role_id(logical)] = {"Properties": {"Policies": [
                {"PolicyName": f"{logical}Policy", "PolicyDocument": sub(document)}]}}
        if logical in COMPILE_FUNCTIONS:
            resources[f"{logical}ErrorsAlarm"] = alarm(
                f"{fixed}-errors", "Biên soạn tài liệu hội nghị bị lỗi (Lambda sẽ thử lại; xem nhật ký)",
                "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": fixed}], threshold=1)
    return {
        "Parameters": {
            "SesIdentity": {
                "Type": "String", "MinLength": 3, "Default": sender.rpartition("@")[2] or sender,
                "Description": "The verified SES identity the mail is sent from: the domain of THIDUA_MAIL_FROM, "
                               "or that address itself if only the address is verified"},
            "WeasyPrintLayerVersion": {
                "Type": "Number", "Default": 1, "MinValue": 1,
                "Description": "Version of the layer thidua-weasyprint-70-0 published by layer/build.sh"},
            "AlarmEmail": {"Type": "String", "Default": "",
                           "Description": "Who receives the alarms by email (empty: subscribe to the topic later)"},
        },
        "Conditions": {"HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}},
        "Resources": resources,
        "Outputs": {
            "TableName": {"Value": {"Ref": "ThiduaTable"}},
            "DocumentsBucket": {"Value": {"Ref": "ThiduaDocuments"}},
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
        },
    }


def table(name: str) -> dict[str, Any]:
    resource = json.loads(TABLE_DEFINITION_PATH.read_text())
    resource["Properties"] = {"TableName": name, **resource["Properties"],
                              "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                              "SSESpecification": {"SSEEnabled": True},
                              "DeletionProtectionEnabled": True}
    resource.update(KEPT)  # never lose the ministry's data
    return resource


# Kept when the stack is deleted or the resource replaced, except when the stack's first create
# fails and rolls back: the empty table and bucket go too, so the retry can create them again
# (with Retain they stay behind and the retry fails on their names). UpdateReplacePolicy has no
# RetainExceptOnCreate: a replacement keeps the old one.
KEPT = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}


def bucket(name: str) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", **KEPT,
            "Properties": {
                "BucketName": sub(name),
                "VersioningConfiguration": {"Status": "Enabled"},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                   "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "LifecycleConfiguration": {"Rules": [{
                    "Id": "ExpireOldVersions", "Status": "Enabled",
                    "NoncurrentVersionExpiration": {"NoncurrentDays": OLD_VERSIONS_KEPT_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}}}


def https_only_policy() -> dict[str, Any]:
    return {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "ThiduaDocuments"},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "RefusePlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [{"Fn::GetAtt": ["ThiduaDocuments", "Arn"]},
                         {"Fn::Sub": "${ThiduaDocuments.Arn}/*"}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}


def alarm(name: str, description: str, namespace: str, metric: str, dimensions: list[dict[str, str]],
          threshold: int) -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": name, "AlarmDescription": description, "Namespace": namespace, "MetricName": metric,
        "Dimensions": dimensions, "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1,
        "Threshold": threshold, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "AlarmTopic"}], "OKActions": [{"Ref": "AlarmTopic"}]}}


NOT_FOUND_PROBLEM = {"type": "about:blank", "status": 404, "title": "Not Found",
                     "detail": "Không có đường dẫn này trong API (xem /v1/openapi.json)."}


def gateway_responses() -> dict[str, Any]:
    """API Gateway answers a path no route matches itself (403 "Missing Authentication Token"):
    make it the 404 problem+json the app gives everywhere else, declared in the API's body
    (x-amazon-apigateway-gateway-responses). devtools/chalice_local.py gives the same answer locally."""
    return {"MISSING_AUTHENTICATION_TOKEN": {
        "statusCode": 404,
        "responseParameters": {"gatewayresponse.header.Content-Type": "'application/problem+json'"},
        "responseTemplates": {"application/json": json.dumps(NOT_FOUND_PROBLEM, ensure_ascii=False)}}}


def alarm_key() -> dict[str, Any]:
    """The alarm topic's customer-managed key: the account administers it (so it can never become
    unmanageable), CloudWatch may use it to publish alarms to the topic, and SNS to deliver them."""
    use = ["kms:Decrypt", "kms:GenerateDataKey*"]
    return {"Type": "AWS::KMS::Key", "Properties": {
        "Description": "Encrypts the alarm topic; CloudWatch and SNS may use it",
        "EnableKeyRotation": True,
        "KeyPolicy": {"Version": "2012-10-17", "Statement": [
            {"Sid": "TheAccountAdministersTheKey", "Effect": "Allow",
             "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "CloudWatchPublishesAlarms", "Effect": "Allow",
             "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": use, "Resource": "*"},
            {"Sid": "SnsDeliversThem", "Effect": "Allow",
             "Principal": {"Service": "sns.amazonaws.com"}, "Action": use, "Resource": "*"}]}}}


def name_the_api_function(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The gateway's integrations name the API function by its fixed name, not `${APIHandler.Arn}`.

    The functions read the gateway's own URL (THIDUA_PUBLIC_URL, for links in emails and QR
    codes): with the integrations pointing at `APIHandler` that would be a circular dependency
    (RestAPI -> APIHandler -> RestAPI). The ARN is the same; only the dependency goes."""
    arn = f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{function_name(stage, 'api_handler')}"
    api = template["Resources"].get("RestAPI")
    if api is not None:
        text = json.dumps(api).replace("${APIHandler.Arn}", arn)
        template["Resources"]["RestAPI"] = json.loads(text)
    return template


def region(env: dict[str, str]) -> str:
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def build(out: Path, stage: str = "dev", region_name: str | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "merge-template.json"
    merge.write_text(json.dumps(merge_template(stage), indent=2, ensure_ascii=False))
    env = {**os.environ}
    env["AWS_DEFAULT_REGION"] = region_name or region(env)
    env.pop("AWS_REGION", None)
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(merge), str(out)],
                   cwd=ROOT, check=True, env=env)
    sam = out / "sam.json"
    template = name_the_api_function(json.loads(sam.read_text()), stage)
    sam.write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n")
    add_bytecode(out / "deployment.zip")
    return out


# Babel's CLDR data for the locales the documents are written in (chalicelib/documents/formatting.py,
# LOCALE = "vi_VN"; "root" is what every locale inherits, English a spare for messages): about 0.2 MB
# of its 30 MB.
BABEL_LOCALES = ("root", "vi", "vi_VN", "en", "en_US")


def shipped(name: str) -> bool:
    """Whether a file Chalice put in the zip stays in the package."""
    if name.startswith("babel/locale-data/") and name.endswith(".dat"):
        return name.removeprefix("babel/locale-data/").removesuffix(".dat") in BABEL_LOCALES
    # Whatever bytecode Chalice copied (the working tree's, timestamp-checked, maybe stale) is made again.
    return not (name.endswith(".pyc") or "__pycache__/" in name)


def add_bytecode(zip_path: Path) -> int:
    """Ship every module's bytecode (ours and the third-party packages'), and only the Babel locales used.

    /var/task is read-only: without .pyc next to a module, every cold start compiles it again (boto3,
    pydantic, Jinja2... tens to hundreds of ms; bench/cold_start.py), and can't cache it. Compiled by
    this interpreter, the one Chalice takes the Lambda runtime from, at optimisation level 0 (Lambda
    runs python without -O, so `.opt-1.pyc` would never be read), as unchecked-hash .pyc: valid
    whatever the files' times in the zip, never compared with the source. Returns how many.
    """
    import importlib.util
    import zipfile
    from importlib._bootstrap_external import _code_to_hash_pyc  # what py_compile writes, in memory

    rebuilt = zip_path.with_suffix(".tmp")
    count = 0
    with zipfile.ZipFile(zip_path) as old, zipfile.ZipFile(rebuilt, "w", compression=zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if not shipped(info.filename):
                continue
            data = old.read(info.filename)
            new.writestr(info, data)
            if not info.filename.endswith(".py"):
                continue
            try:
                code = compile(data, f"/var/task/{info.filename}", "exec", dont_inherit=True, optimize=0)
            except SyntaxError:
                # a template or a test file shipped inside some package, never imported: no bytecode
                print(f"  no bytecode for {info.filename} (not Python {sys.version_info[0]}.{sys.version_info[1]})",
                      file=sys.stderr)
                continue
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            target = zipfile.ZipInfo(importlib.util.cache_from_source(info.filename), date_time=info.date_time)
            target.external_attr = info.external_attr
            new.writestr(target, bytes(pyc), compress_type=zipfile.ZIP_DEFLATED)
            count += 1
    rebuilt.replace(zip_path)
    return count


def sizes(zip_path: Path) -> tuple[int, int]:
    """The package's size zipped and unzipped, in bytes (Lambda's limit is 250 MB unzipped, layers included)."""
    import zipfile

    with zipfile.ZipFile(zip_path) as z:
        return zip_path.stat().st_size, sum(info.file_size for info in z.infolist())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.package", description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="output folder (default build/<stage>)")
    parser.add_argument("--stage", default="dev", choices=STAGES)
    parser.add_argument("--region", default=None,
                        help=f"region for chalice (default: AWS_REGION, AWS_DEFAULT_REGION, else {DEFAULT_REGION})")
    args = parser.parse_args(argv)
    if not (ROOT / "vendor" / "portal" / "index.html").is_file():  # vendor/portal -> ../web/dist
        print("error: the web portal is not built (web/dist): run `make web` first (`make package` does).",
              file=sys.stderr)
        return 1
    out = build(args.out or ROOT / "build" / args.stage, args.stage, args.region)
    zipped, unzipped = sizes(out / "deployment.zip")
    print(f"{args.stage}: SAM template {out / 'sam.json'} and {out / 'deployment.zip'}")
    print(f"{args.stage}: package {zipped / 1e6:.1f} MB zipped, {unzipped / 1e6:.1f} MB unzipped "
          f"(Lambda: 250 MB unzipped with the layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
