"""The real `chalice package` output carries what the compile needs at /var/task.

Slow (tens of seconds; the first run downloads manylinux wheels, later runs reuse
.chalice/deployments): marked `slow`, still run by `make test` and CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package") / "out"
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-1")}
    done = subprocess.run([sys.executable, "-m", "devtools.package", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.slow
def test_templates_and_fonts_reach_the_lambda_package(package):
    with zipfile.ZipFile(package / "deployment.zip") as z:
        names = set(z.namelist())
        for path in ["templates/documents/summary.html.j2", "templates/documents/summary.css",
                     "templates/documents/_header.html.j2", "templates/assets/fonts/OFL.txt",
                     *(f"templates/assets/fonts/LiberationSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic",
                                                                                      "BoldItalic"))]:
            assert path in names, path
            # the symlink vendor/templates was followed: real bytes, identical to the repository's
            assert z.read(path) == (ROOT / path).read_bytes(), path
        assert {"app.py", "chalicelib/publishing/pipeline.py", "chalicelib/store/repositories.py",
                "chalicelib/http/conferences.py", "chalicelib/core/catalog/indicators.json",
                "templates/email/conference_documents.txt.j2"} <= names
        assert any(n.startswith("weasyprint/") for n in names) and any(n.startswith("pygal/") for n in names)
        assert not any(n.startswith(("tests/", "devtools/", "vendor/")) for n in names)


@pytest.mark.slow
def test_compile_schedule_and_pdf_binary_type_are_in_the_template(package):
    sam = json.loads((package / "sam.json").read_text())
    compile_fn = sam["Resources"]["CompileDueConferences"]["Properties"]
    assert compile_fn["Handler"] == "app.compile_due_conferences"
    assert compile_fn["Events"]["CompileDueConferencesEvent"]["Properties"]["Schedule"] == "rate(5 minutes)"
    api = json.dumps(sam["Resources"]["RestAPI"])
    assert "application/pdf" in api  # binary media type: clients must send Accept: application/pdf


@pytest.mark.slow
def test_the_deployed_table_is_the_one_the_store_creates(package):
    from chalicelib.store.dynamodb import table_definition

    resources = json.loads((package / "sam.json").read_text())["Resources"]
    table = resources["ThiduaTable"]["Properties"]
    local = table_definition("thidua")
    for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "BillingMode"):
        assert table[key] == local[key], key
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert resources["ThiduaTable"]["DeletionPolicy"] == "Retain"
    compile_fn = resources["CompileDueConferences"]["Properties"]
    assert compile_fn["MemorySize"] == 2048 and compile_fn["Timeout"] == 300
    for name in ("APIHandler", "CompileDueConferences", "SendReminders"):
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert "ThiduaDocuments" in json.dumps(variables["THIDUA_ARTIFACTS"]), name  # never the read-only disk
        assert variables["THIDUA_MAIL"] == "ses" and variables["THIDUA_TABLE"] == "thidua"


@pytest.mark.slow
def test_the_gateway_answers_unknown_paths_with_a_404_problem(package):
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    response = resources["UnknownRouteResponse"]["Properties"]
    assert response["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN" and response["StatusCode"] == "404"
    assert response["RestApiId"] == {"Ref": "RestAPI"} and "RestAPI" in resources
    assert json.loads(response["ResponseTemplates"]["application/json"])["status"] == 404
