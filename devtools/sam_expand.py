"""Expand a SAM template into the CloudFormation CloudFormation itself creates (samtranslator, the
library CloudFormation's AWS::Serverless transform runs), for cfn-lint to check what is deployed.

    <deploy-tools>/python devtools/sam_expand.py sam.json expanded.json

Runs in the deploy tool-chain's venv (devtools/deploy_tools.py), not .venv: it imports nothing
of the project. Functions' CodeUri become an S3 location as `aws cloudformation package` makes
them, unless already one. No AWS call: managed policies are not looked up (the roles use none).
"""

from __future__ import annotations

import json
import os
import sys


def expand(template: dict, region: str = "ap-southeast-1") -> dict:
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", region)  # the translator's ARNs need a partition
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and not str(props.get("CodeUri", "")).startswith("s3://"):
            props["CodeUri"] = "s3://thidua-deploy-123456789012-ap-southeast-1/deployment.zip"

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    return transform(template, {}, NoManagedPolicies())


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as f:
        expanded = expand(json.load(f))
    with open(target, "w") as f:
        json.dump(expanded, f, indent=1, ensure_ascii=False)
