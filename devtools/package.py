"""`make package`: the deployable SAM template and zip, with the table from its one definition.

Runs `chalice package --stage dev --merge-template build/merge-template.json build/package`.
The merge template adds the DynamoDB table exactly as `chalicelib/store/table.json`
defines it (the same file the store uses to create the table locally), so local and
deployed keys, indexes and TTL cannot drift.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chalicelib.store.dynamodb import TABLE_DEFINITION_PATH

ROOT = Path(__file__).resolve().parent.parent


FUNCTIONS = ("APIHandler", "CompileDueConferences", "SendReminders")
BUCKET = {"Fn::Sub": "thidua-documents-${AWS::AccountId}-${AWS::Region}"}  # matches policy-dev.json


def merge_template(table_name: str = "thidua") -> dict:
    table = json.loads(TABLE_DEFINITION_PATH.read_text())
    table["Properties"] = {"TableName": table_name, **table["Properties"]}
    table["DeletionPolicy"] = table["UpdateReplacePolicy"] = "Retain"  # never lose the ministry's data
    bucket = {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
              "Properties": {"BucketName": BUCKET, "VersioningConfiguration": {"Status": "Enabled"},
                             "PublicAccessBlockConfiguration": {
                                 "BlockPublicAcls": True, "BlockPublicPolicy": True,
                                 "IgnorePublicAcls": True, "RestrictPublicBuckets": True}}}
    # Lambda's file system is read-only: documents go to the bucket.
    artifacts = {"Fn::Sub": ["s3://${Bucket}/", {"Bucket": {"Ref": "ThiduaDocuments"}}]}
    functions = {name: {"Properties": {"Environment": {"Variables": {"THIDUA_ARTIFACTS": artifacts}}}}
                 for name in FUNCTIONS}
    return {"Resources": {"ThiduaTable": table, "ThiduaDocuments": bucket, **functions,
                          "UnknownRouteResponse": unknown_route_response()}}


NOT_FOUND_PROBLEM = {"type": "about:blank", "status": 404, "title": "Not Found",
                     "detail": "Không có đường dẫn này trong API (xem /v1/openapi.json)."}


def unknown_route_response() -> dict:
    """API Gateway answers a path no route matches itself (403 "Missing Authentication Token"):
    make it the 404 problem+json the app gives everywhere else. devtools/chalice_local.py
    gives the same answer locally."""
    return {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {
        "RestApiId": {"Ref": "RestAPI"}, "ResponseType": "MISSING_AUTHENTICATION_TOKEN", "StatusCode": "404",
        "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/problem+json'"},
        "ResponseTemplates": {"application/json": json.dumps(NOT_FOUND_PROBLEM, ensure_ascii=False)}}}


def build(out: Path, stage: str = "dev") -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    merge = out.parent / "merge-template.json"
    merge.write_text(json.dumps(merge_template(), indent=2, ensure_ascii=False))
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(merge), str(out)],
                   cwd=ROOT, check=True)
    return out


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "package")
    print(f"SAM template and deployment.zip in {out}/")
