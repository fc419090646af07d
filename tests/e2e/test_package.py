"""The real `chalice package` output of both cloud stages: what a ministry deploys.

Packaged as a new user would on a fresh machine: no AWS region, no ~/.aws, no credentials.
Slow (the first run downloads manylinux wheels, later runs reuse .chalice/deployments; the
second stage reuses the first's zip): marked `slow`, still run by `make test` and CI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools import package as packager

ROOT = Path(__file__).resolve().parents[2]
STAGES = packager.STAGES
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("package")
    home = base / "home"  # no ~/.aws here
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(home)
    outs = {}
    for stage in STAGES:
        outs[stage] = base / stage
        done = subprocess.run([sys.executable, "-m", "devtools.package", "--stage", stage, str(outs[stage])],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        printed[stage] = done.stdout
    return outs


printed: dict[str, str] = {}  # what `make package` printed, per stage


def sam(packages, stage: str) -> dict:
    return json.loads((packages[stage] / "sam.json").read_text())


@pytest.fixture(scope="module")
def tools() -> Path:
    """The deploy tool-chain's venv (requirements-deploy.txt): samtranslator and cfn-lint."""
    from devtools import deploy_tools

    return deploy_tools.ensure()


@pytest.mark.parametrize("stage", STAGES)
def test_the_expanded_template_lints_clean(packages, tools, stage, tmp_path):
    """What CloudFormation creates is the SAM template expanded by its transform (samtranslator): that
    form is linted too (the 404 declared beside the API's body showed only there, as W3660)."""
    expanded = tmp_path / "expanded.json"
    done = subprocess.run([str(tools / "python"), str(ROOT / "devtools" / "sam_expand.py"),
                           str(packages[stage] / "sam.json"), str(expanded)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    resources = json.loads(expanded.read_text())["Resources"]
    assert not any(r["Type"].startswith("AWS::Serverless::") for r in resources.values())
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment"} <= {
        r["Type"] for r in resources.values()}
    done = subprocess.run([str(tools / "cfn-lint"), "-t", str(expanded), "--regions", "ap-southeast-1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr  # not even a warning


@pytest.mark.parametrize("stage", STAGES)
def test_cfn_lint_finds_nothing_in_the_merged_template(packages, stage):
    lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(lint), "-t", str(packages[stage] / "sam.json"), "--regions", "ap-southeast-1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr  # not even a warning


def test_templates_and_fonts_reach_the_lambda_package(packages):
    with zipfile.ZipFile(packages["dev"] / "deployment.zip") as z:
        names = set(z.namelist())
        for path in ["templates/documents/summary.html.j2", "templates/documents/summary.css",
                     "templates/documents/_header.html.j2", "templates/assets/fonts/OFL.txt",
                     "templates/documents/_heading.html.j2", "templates/documents/_signer.html.j2",
                     "templates/documents/proposal.html.j2", "templates/documents/decision.html.j2",
                     "templates/documents/chain.css", "chalicelib/core/catalog/issuers.json",
                     *(f"templates/assets/fonts/LiberationSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic",
                                                                                      "BoldItalic"))]:
            assert path in names, path
            # the symlink vendor/templates was followed: real bytes, identical to the repository's
            assert z.read(path) == (ROOT / path).read_bytes(), path
        assert {"app.py", "chalicelib/publishing/pipeline.py", "chalicelib/store/repositories.py",
                "chalicelib/store/table.json", "chalicelib/http/conferences.py",
                "chalicelib/core/catalog/indicators.json", "templates/email/conference_documents.txt.j2"} <= names
        assert any(n.startswith("weasyprint/") for n in names) and any(n.startswith("pygal/") for n in names)
        assert not any(n.startswith(("tests/", "devtools/", "vendor/", "layer/", "bench/")) for n in names)


# Lambda's limit for a function and its layers together, unzipped; the WeasyPrint layer (Pango, HarfBuzz,
# fontconfig and fonts) is given this much of it.
LAMBDA_UNZIPPED_LIMIT = 262_144_000
LAYER_ALLOWANCE = 50 * 1024 * 1024


def test_the_signing_libraries_reach_the_package_and_it_leaves_room_for_the_layer(packages):
    """pyHanko signs issued documents in the compile (chalicelib/documents/signing.py) with the stamp font of
    templates/assets; the whole unzipped package still fits Lambda's limit next to the WeasyPrint layer."""
    with zipfile.ZipFile(packages["dev"] / "deployment.zip") as z:
        names = set(z.namelist())
        unzipped = sum(info.file_size for info in z.infolist())
    for module in ("pyhanko/sign/signers/pdf_signer.py", "pyhanko_certvalidator/__init__.py",
                   "asn1crypto/__init__.py", "pdfminer/high_level.py", "uharfbuzz/__init__.py",
                   "chalicelib/documents/signing.py"):
        assert module in names or module.replace(".py", ".pyc") in names, module
    assert any(n.startswith("uharfbuzz/_harfbuzz") and n.endswith(".so") for n in names)  # the manylinux wheel
    assert unzipped <= LAMBDA_UNZIPPED_LIMIT - LAYER_ALLOWANCE, f"{unzipped / 1e6:.0f} MB unzipped"


def test_the_built_portal_reaches_the_lambda_package(packages):
    """vendor/portal -> ../web/dist (`make web`): the page, its service worker, manifest and hashed assets."""
    dist = ROOT / "web" / "dist"
    built = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file())
    assert "index.html" in built and "sw.js" in built and any(b.startswith("assets/index-") for b in built)
    with zipfile.ZipFile(packages["dev"] / "deployment.zip") as z:
        for name in built:
            assert z.read(f"portal/{name}") == (dist / name).read_bytes(), name
        assert not any(n.startswith(("web/", "portal/node_modules")) for n in z.namelist())


def test_every_module_ships_as_bytecode_valid_without_timestamps(packages):
    """/var/task is read-only: without .pyc in the zip every cold start compiles every module it imports,
    ours and the third-party packages' (boto3, pydantic, Jinja2...), and can't keep the result."""
    import importlib.util

    with zipfile.ZipFile(packages["dev"] / "deployment.zip") as z:
        names = set(z.namelist())
        sources = [n for n in names if n.endswith(".py")]
        ours = [n for n in sources if n == "app.py" or n.startswith("chalicelib/")]
        assert len(ours) > 50 and len(sources) > 1000
        for name in sources:
            pyc = importlib.util.cache_from_source(name)  # level 0: Lambda runs python without -O
            assert pyc in names, pyc
            header = z.read(pyc)[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER  # this interpreter's, i.e. the runtime's
            assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, unchecked
            assert header[8:16] == importlib.util.source_hash(z.read(name)), name  # of the shipped source
        assert not [n for n in names if n.endswith(".pyc") and ".opt-" in n]


def test_only_the_babel_locales_used_ship_and_make_package_prints_the_size(packages):
    """Babel's CLDR data is 30 MB for some 1,000 locales; the documents use vi_VN (and root, its base)."""
    with zipfile.ZipFile(packages["dev"] / "deployment.zip") as z:
        locales = {n.removeprefix("babel/locale-data/").removesuffix(".dat") for n in z.namelist()
                   if n.startswith("babel/locale-data/") and n.endswith(".dat")}
        assert {"root", "vi", "vi_VN"} <= locales <= set(packager.BABEL_LOCALES)
        assert "babel/global.dat" in z.namelist()
        unzipped = sum(info.file_size for info in z.infolist())
    zipped = (packages["dev"] / "deployment.zip").stat().st_size
    assert f"package {zipped / 1e6:.1f} MB zipped, {unzipped / 1e6:.1f} MB unzipped" in printed["dev"], printed["dev"]


def test_the_unzipped_package_imports_from_its_bytecode(unzipped):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(unzipped), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-S", "-v", "-c", "import app"], cwd=unzipped, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"code object from '{unzipped}/__pycache__/app.cpython-313.pyc'" in done.stderr
    assert f"code object from '{unzipped}/chalicelib/http/__pycache__/declaration.cpython-313.pyc'" in done.stderr
    assert f"code object from '{unzipped}/chalice/__pycache__/app.cpython-313.pyc'" in done.stderr  # third-party too


@pytest.fixture(scope="module")
def unzipped(packages, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("task")  # stands in for /var/task
    with zipfile.ZipFile(packages["dev"] / "deployment.zip") as z:
        z.extractall(folder)
    return folder


# Run in a fresh interpreter with `-S` (no site-packages) and PYTHONPATH = the unzipped package:
# every import comes from the zip or the standard library, as on Lambda. The zip's wheels are
# manylinux x86_64 for CPython 3.13, which this machine runs. Pango and HarfBuzz come from the
# system (Debian here; the WeasyPrint layer on Lambda): WeasyPrint opens them with dlopen.
RENDER_FROM_THE_PACKAGE = r"""
import datetime as dt, json, os, sys
from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.periods import VN_TZ
from chalicelib.core.settings import settings
from chalicelib.reporting.reports import compute_etag
from chalicelib.store import store_for
from chalicelib.units.service import etag_of

store = store_for(settings())  # THIDUA_STORE=memory: the same in-process table the handler will use
now = dt.datetime.now(dt.timezone.utc)
at = now.isoformat()
for unit_id, name, parent, kind in [("bo-cong-an", "Bộ Công an", None, "ministry"),
                                    ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")]:
    unit = {"id": unit_id, "name": name, "parent_id": parent, "kind": kind, "emails": [],
            "created_at": at, "updated_at": at}
    store.units.create({**unit, "etag": etag_of(unit)})
today = now.astimezone(VN_TZ).date()
period = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
report = {"unit_id": "ca-nghe-an", "period": period, "period_kind": "month", "version": 1,
          "values": {"citizens_escorted": 15000, "violations_detected": 7000, "violations_penalised": 6969},
          "comments": {}, "achievements": "Đưa đón công dân về quê an toàn.", "submitted_at": at,
          "first_submitted_at": at, "submitted_by": "test", "status": "submitted"}
store.reports.save({**report, "etag": compute_etag(report)}, expected_etag=None)
service.create_conference(store, None, ConferenceIn.model_validate({
    "title": "Hội nghị sơ kết công tác phòng, chống dịch", "date": (today + dt.timedelta(days=3)).isoformat(),
    "place": "Hà Nội", "periods": [period], "recipients": ["lanhdao@bocongan.gov.vn"], "number_prefix": "BC-BCA",
    "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), now)

import app  # the package's app.py, as the Lambda runtime imports it
event = {"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events",
         "account": "123456789012", "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": "ap-southeast-1",
         "resources": ["arn:aws:events:ap-southeast-1:123456789012:rule/x"], "detail": {}}
drafted = app.compile_due_conferences(event, None)  # Handler: app.compile_due_conferences: a draft

# trình ký and approval (what the portal does over HTTP), then the schedule issues it: numbered, signed
# with the certificate in THIDUA_SIGNING_DIR (the Lambda reads it from Secrets Manager), with its DOCX
from chalicelib.core.access import Principal
from chalicelib.core.states import Role
from chalicelib.publishing import lifecycle

(conference,) = store.conferences.list(100, None).items
signer = {"id": "signer", "email": "thutruong@bocongan.gov.vn", "name": "Thượng tướng Lê Văn Minh", "role": "leader",
          "unit_id": None, "status": "active", "passkeys": 0, "created_at": at, "updated_at": at, "password_hash": "x"}
store.accounts.create(signer)
draft = store.documents.stream(conference["id"], "summary")["draft_document_id"]
lifecycle.submit(store, Principal("adm", Role.ADMIN, None, "Văn thư"), draft, "signer", None, now)
lifecycle.approve(store, Principal("s", Role.LEADER, None, signer["name"], account_id="signer"), draft, now)
store.commit()
result = app.compile_due_conferences(event, None)
task = os.getcwd()
foreign = sorted({m.__file__ for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and not m.__file__.startswith((task, sys.base_prefix))})
print(json.dumps({"drafted": drafted, "result": result, "foreign_modules": foreign,
                  "weasyprint": sys.modules["weasyprint"].__file__}, ensure_ascii=False, default=str))
"""


def test_the_unzipped_package_drafts_issues_and_signs_a_document_with_the_local_backends(unzipped, tmp_path):
    from helpers import flat, pdf_text
    from chalicelib.documents import issuers, signing
    from devtools import pki

    keys = tmp_path / "pki"  # the package has no devtools: its certificate is made here, as Secrets Manager holds it
    pki.ensure_ca(keys)
    pki.ensure_issuer_credentials(keys, issuers.ministry())
    artifacts, outbox = tmp_path / "artifacts", tmp_path / "outbox"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(unzipped), "LANG": "C.UTF-8",
           "THIDUA_STAGE": "test", "THIDUA_STORE": "memory", "THIDUA_ARTIFACTS": str(artifacts),
           "THIDUA_MAIL": f"outbox:{outbox}", "THIDUA_MAIL_FROM": "thidua@bocongan.gov.vn",
           "THIDUA_PUBLIC_URL": "https://thidua.example.gov.vn/api", "THIDUA_RENDER_WORKERS": "1",
           "THIDUA_SIGNING_DIR": str(keys)}
    done = subprocess.run([sys.executable, "-S", "-c", RENDER_FROM_THE_PACKAGE], cwd=unzipped, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["foreign_modules"] == []  # nothing from the venv: the package is complete
    assert out["weasyprint"].startswith(str(unzipped))
    (compiled,) = out["result"]["compiled"]
    assert compiled["state"] == "stored"
    draft, issued = sorted(artifacts.rglob("*.pdf"), key=lambda p: p.parent.name)
    assert (draft.parent.name, issued.parent.name) == ("v1", "v2")
    drafted = flat(pdf_text(draft.read_bytes()))
    assert "DỰ THẢO" in drafted and "Số: /BC-BCA" in drafted
    pdf = issued.read_bytes()
    text = flat(pdf_text(pdf))
    assert "BÁO CÁO" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "15.000" in text
    assert "Số: 01/BC-BCA" in text and "DỰ THẢO" not in text
    report = signing.validate_pdf(pdf, [pki.load_ca(keys)[0]])
    assert report.valid and report.signer == "Thượng tướng Lê Văn Minh" and report.issuer == "Bộ Công an"
    assert issued.with_suffix(".docx").read_bytes()[:2] == b"PK"
    (mail,) = outbox.glob("*.eml")  # the issued document only: the draft was mailed to nobody
    assert b"lanhdao@bocongan.gov.vn" in mail.read_bytes()


def test_the_compile_functions_schedules_and_binary_types(packages):
    for stage in STAGES:
        resources = sam(packages, stage)["Resources"]
        due = resources["CompileDueConferences"]["Properties"]
        assert due["Handler"] == "app.compile_due_conferences"
        assert due["Events"]["CompileDueConferencesEvent"]["Properties"]["Schedule"] == "rate(5 minutes)"
        # EventBridge cron is UTC: 01:00 UTC is 08:00 in Hà Nội (UTC+7, no daylight saving).
        reminders = resources["SendReminders"]["Properties"]
        assert reminders["Events"]["SendRemindersEvent"]["Properties"]["Schedule"] == "cron(0 1 * * ? *)"
        assert "application/pdf" in json.dumps(resources["RestAPI"])  # clients must send Accept: application/pdf
        api = resources["APIHandler"]["Properties"]
        for logical in packager.COMPILE_FUNCTIONS:
            props = resources[logical]["Properties"]
            assert props["MemorySize"] > 1769 and props["Timeout"] == 900  # two vCPUs for parallel rendering
            assert props["Environment"]["Variables"]["FONTCONFIG_PATH"] == "/opt/fonts"
            assert ":layer:thidua-weasyprint-" in props["Layers"][0]["Fn::Sub"]
        assert "Layers" not in api and api["MemorySize"] == 1024 and api["Timeout"] == 29
        compile_one = resources["CompileConference"]["Properties"]
        assert compile_one["Handler"] == "app.compile_conference"
        assert api["Environment"]["Variables"]["THIDUA_COMPILE_FUNCTION"] == compile_one["FunctionName"]
        assert api["Environment"]["Variables"]["THIDUA_COMPILE_TRIGGER"] == "lambda"


@pytest.mark.parametrize("stage", STAGES)
def test_the_deployed_table_is_the_one_the_store_creates_and_cannot_be_lost(packages, stage):
    from chalicelib.store.dynamodb import table_definition

    resources = sam(packages, stage)["Resources"]
    table = resources["ThiduaTable"]["Properties"]
    local = table_definition(f"thidua-{stage}")
    for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "BillingMode"):
        assert table[key] == local[key], key
    assert table["BillingMode"] == "PAY_PER_REQUEST" and table["TableName"] == f"thidua-{stage}"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True and table["SSESpecification"] == {"SSEEnabled": True}
    # kept if the stack is deleted, but a failed first create takes it away so the retry can make it again
    assert resources["ThiduaTable"]["DeletionPolicy"] == "RetainExceptOnCreate"
    for name in ("APIHandler", "CompileDueConferences", "CompileConference", "SendReminders"):
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables["THIDUA_ARTIFACTS"] == {"Fn::Sub": f"s3://thidua-{stage}-documents-${{AWS::AccountId}}-${{AWS::Region}}/"}
        assert variables["THIDUA_MAIL"] == "ses" and variables["THIDUA_TABLE"] == f"thidua-{stage}"


@pytest.mark.parametrize("stage", STAGES)
def test_the_bucket_blocks_public_access_keeps_versions_and_refuses_plain_http(packages, stage):
    resources = sam(packages, stage)["Resources"]
    bucket = resources["ThiduaDocuments"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate" and bucket["UpdateReplacePolicy"] == "Retain"
    assert props["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    assert any("NoncurrentVersionExpiration" in r for r in props["LifecycleConfiguration"]["Rules"])
    policies = [r["Properties"] for r in resources.values() if r.get("Type") == "AWS::S3::BucketPolicy"]
    (policy,) = [p for p in policies if p["Bucket"] == {"Ref": "ThiduaDocuments"}]
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [{"Fn::GetAtt": ["ThiduaDocuments", "Arn"]}, {"Fn::Sub": "${ThiduaDocuments.Arn}/*"}]


def allows(resources: dict) -> list[tuple[str, dict]]:
    """Every Allow statement of every identity policy in the template."""
    found = []
    for name, resource in resources.items():
        props = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in props.get("Policies", []) if isinstance(p, dict)]
        if resource.get("Type") == "AWS::IAM::Policy":
            documents.append(props["PolicyDocument"])
        found += [(name, s) for d in documents for s in d["Statement"] if s["Effect"] == "Allow"]
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_no_role_may_do_everything_or_touch_everything(packages, stage):
    resources = sam(packages, stage)["Resources"]
    statements = allows(resources)
    roles = {n for n, r in resources.items() if r.get("Type") == "AWS::IAM::Role"}
    assert {n for n, _ in statements} == roles == {"ApiHandlerRole", "SendRemindersRole", "CompileDueConferencesRole",
                                                    "CompileConferenceRole"}
    for role, s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert all("*" not in a for a in actions), (role, actions)
        for resource in s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]:
            text = resource["Fn::Sub"] if isinstance(resource, dict) else resource
            assert text != "*" and ":*:" not in text and "arn:*" not in text, (role, text)
            assert "${AWS::AccountId}" in text, (role, text)  # this account's resource, not any account's
    ses = [s for _, s in statements if any(a.startswith("ses:") for a in s["Action"])]
    assert ses and all(s["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
                                                      "identity/${SesIdentity}"} for s in ses)
    invoke = [(n, s) for n, s in statements if "lambda:InvokeFunction" in s["Action"]]
    assert invoke == [("ApiHandlerRole", invoke[0][1])]
    assert invoke[0][1]["Resource"]["Fn::Sub"].endswith(
        f":function:{resources['CompileConference']['Properties']['FunctionName']}")


def references(value) -> set[str]:
    """Logical ids a template value depends on (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                if isinstance(inner, list):
                    found |= references(inner[1])
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return found


def cycle(resources: dict) -> list[str] | None:
    graph = {name: (references(r) | set(r.get("DependsOn", []))) & set(resources) for name, r in resources.items()}
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                return path + [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [node])):
                return found
        state[node] = 2
        return None

    return next((c for n in graph if n not in state and (c := visit(n, []))), None)


@pytest.mark.parametrize("stage", STAGES)
def test_the_functions_know_the_gateway_url_without_a_circular_dependency(packages, stage):
    resources = sam(packages, stage)["Resources"]
    assert cycle(resources) is None
    assert "RestAPI" in references(resources["APIHandler"]["Properties"]["Environment"])
    # What packaging undoes: Chalice's integrations name the function by GetAtt, which would close a cycle.
    chalice_way = json.loads(json.dumps(resources).replace(
        f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:thidua-{stage}/invocations",
        "${APIHandler.Arn}/invocations"))
    assert cycle(chalice_way) is not None


def test_the_gateway_answers_unknown_paths_with_a_404_problem(packages):
    """Declared in the API's definition body (a separate GatewayResponse drifts: cfn-lint W3660)."""
    resources = sam(packages, "prod")["Resources"]
    assert not any(r.get("Type") == "AWS::ApiGateway::GatewayResponse" for r in resources.values())
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    response = body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["statusCode"] == 404 and "paths" in body  # Chalice's routes and ours, one body
    assert json.loads(response["responseTemplates"]["application/json"])["status"] == 404


@pytest.mark.parametrize("stage", STAGES)
def test_alarms_reach_a_topic(packages, stage):
    resources = sam(packages, stage)["Resources"]
    alarms = {n: r["Properties"] for n, r in resources.items() if r.get("Type") == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == {"Api5xxAlarm", "CompileDueConferencesErrorsAlarm", "CompileConferenceErrorsAlarm"}
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())
    # CloudWatch can publish to the topic only with a key whose policy lets it (not alias/aws/sns)
    assert resources["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["AlarmKey", "Arn"]}
    services = {s["Principal"].get("Service") for s in resources["AlarmKey"]["Properties"]["KeyPolicy"]["Statement"]
                if {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(s["Action"])}
    assert {"cloudwatch.amazonaws.com", "sns.amazonaws.com"} <= services


# --- docs/deploy.md's "First deploy", run as written against moto's CloudFormation server ---------------

ACCOUNT = "123456789012"  # moto's
DEPLOY_BUCKET = f"thidua-deploy-{ACCOUNT}-ap-southeast-1"
# What an emulator cannot do, swapped for its result, and nothing else: the layer is built in Docker
# and published to a real Lambda (layer/README.md); `make package STAGE=prod` is what the `packages`
# fixture ran (devtools.package, the command `make package` runs), copied where the doc expects it.
LAYER_STEP = "LAYER_VERSION=$(layer/build.sh --publish | tail -1)"


def first_deploy_commands() -> str:
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text[text.index("## First deploy"):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="module")
def moto_server(tools, tmp_path_factory):
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(tools / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    # "localhost": moto's CloudFormation reads a TemplateURL's bucket from the path only for that host
    yield f"http://localhost:{port}"
    server.terminate()
    server.wait(timeout=30)


def test_the_first_deploy_commands_run_against_a_cloudformation_emulator(packages, tools, moto_server, tmp_path):
    """The packaged template is > 51,200 bytes: `deploy` without --s3-bucket fails before anything is made.
    Run the doc's block with the AWS CLI (v1 from requirements-deploy.txt: the same commands as v2) against
    moto's server, as far as it goes: moto 5.2.5 does not run the AWS::Serverless transform CloudFormation
    runs, so executing the change set stops there; the expanded form is linted above."""
    import boto3

    script = first_deploy_commands()
    assert LAYER_STEP in script and "make package STAGE=$STAGE" in script
    script = script.replace(LAYER_STEP, "LAYER_VERSION=1")
    work = tmp_path / "checkout"
    shims = tmp_path / "shims"
    work.mkdir()
    shims.mkdir()
    (shims / "make").write_text(
        "#!/bin/sh\n"
        '[ "$1" = package ] && [ "$2" = STAGE=prod ] || { echo "unexpected: make $*" >&2; exit 97; }\n'
        f'mkdir -p build/prod && cp {packages["prod"]}/sam.json {packages["prod"]}/deployment.zip build/prod/\n')
    (shims / "make").chmod(0o755)
    env = {"PATH": f"{shims}:{tools}:{os.environ['PATH']}", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "AWS_ENDPOINT_URL": moto_server, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "ap-southeast-1"}  # CLI v1 reads this one; v2 the AWS_REGION the block exports
    done = subprocess.run(["bash", "-e", "-x", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                          timeout=900)
    output = done.stdout + done.stderr
    assert "51,200" not in output and "must be deployed via an S3 Bucket" not in output, output[-3000:]
    assert "Successfully packaged artifacts" in output, output[-3000:]
    assert "Waiting for changeset to be created" in output, output[-3000:]

    # What CloudFormation was given: the packaged template, read from the deploy bucket, with the parameters
    aws = {"endpoint_url": moto_server, "region_name": "ap-southeast-1", "aws_access_key_id": "testing",
           "aws_secret_access_key": "testing"}
    cfn, s3 = boto3.client("cloudformation", **aws), boto3.client("s3", **aws)
    (stack,) = cfn.describe_stacks(StackName="thidua-prod")["Stacks"]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters == {"SesIdentity": "bocongan.gov.vn", "WeasyPrintLayerVersion": "1",
                          "AlarmEmail": "vanphong-thidua@bocongan.gov.vn"}
    # the change set was made from the template `deploy` uploaded to the bucket (moto keeps no copy of its own)
    change_sets = [c for c in cfn.list_change_sets(StackName="thidua-prod")["Summaries"] if c["StackName"] == "thidua-prod"]
    assert [c["Status"] for c in change_sets] == ["CREATE_COMPLETE"], change_sets
    objects = [o["Key"] for o in s3.list_objects_v2(Bucket=DEPLOY_BUCKET)["Contents"]]
    (template_key,) = [k for k in objects if k.endswith(".template")]
    packaged = s3.get_object(Bucket=DEPLOY_BUCKET, Key=template_key)["Body"].read().decode()
    assert len(packaged.encode()) > 51_200  # why the bucket is needed
    assert "AWS::Serverless-2016-10-31" in packaged and "AlarmKey" in packaged
    code_uris = set(re.findall(rf"s3://{DEPLOY_BUCKET}/([0-9a-f]+)", packaged))
    assert len(code_uris) == 1  # the four functions share the one zip
    uploaded = s3.get_object(Bucket=DEPLOY_BUCKET, Key=code_uris.pop())["Body"].read()
    assert uploaded == (packages["prod"] / "deployment.zip").read_bytes()

    # the defect this catches: without --s3-bucket the CLI refuses the packaged template outright
    refused = subprocess.run(["aws", "cloudformation", "deploy", "--template-file", "build/prod/packaged.yaml",
                              "--stack-name", "thidua-prod-inline"], cwd=work, env=env, capture_output=True,
                             text=True, timeout=300)
    assert refused.returncode != 0 and "51,200" in refused.stdout + refused.stderr
