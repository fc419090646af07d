"""API Lambdas import `app` on every cold start; WeasyPrint must not come with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_app_does_not_import_weasyprint():
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "app" in imported and "chalicelib" in imported  # the probe itself works
    for heavy in ("weasyprint", "pygal", "pydyf", "fontTools", "PIL", "openpyxl", "docx", "pyhanko", "babel", "lxml",
                  "jinja2", "pydantic", "boto3", "s3transfer"):
        assert heavy not in imported, f"{heavy} is imported by app"


def test_importing_app_loads_no_model_library_client_or_template_engine():
    """pydantic and the models come with the first body to validate; boto3 with the first store
    call; Jinja2 with the first email or admin page (bench/cold_start.py times the difference)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "chalicelib.http.declaration" in imported  # the probe itself works
    for lazy in ("pydantic", "boto3", "botocore", "jinja2", "chalicelib.units.models", "chalicelib.reporting.models",
                 "chalicelib.awards.models", "chalicelib.conferences.models", "chalicelib.delivery.mail", "openpyxl",
                 "chalicelib.reporting.workbook"):
        assert lazy not in imported, f"{lazy} is imported by app"


def test_health_builds_no_database_client():
    """A health check (a load balancer's, a deploy's smoke test) answers without boto3."""
    probe = ("import sys, app; from bench.submission import LambdaContext, proxy_event;"
             "event = proxy_event('GET', '/v1/health', {}, 'none', None); event['body'] = None;"
             "response = app.app(event, LambdaContext()); assert response['statusCode'] == 200, response;"
             "print(sorted(m for m in ('boto3', 'botocore', 'pydantic') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "THIDUA_STAGE": "bench", "THIDUA_STORE": "dynamodb"})
    assert result.stdout.strip() == "[]"


# What the first authenticated request of one feature must not load: the other features' domains
# (their models, catalogs and the email parser come with them) and the boto3 package (the client
# is botocore's own, `chalicelib/store/dynamodb.py`). bench/cold_start.py times the difference.
NOT_FOR_ME = ("chalicelib.awards.nominations", "chalicelib.awards.ranking", "chalicelib.conferences.service",
              "chalicelib.conferences.recipients", "chalicelib.publishing.lifecycle", "chalicelib.publishing.trigger",
              "chalicelib.reporting.reports", "chalicelib.reporting.reminders", "chalicelib.core.catalogs",
              "email.headerregistry", "pydantic", "jinja2", "boto3", "s3transfer", "weasyprint", "openpyxl", "docx")


def test_first_request_loads_only_what_it_needs():
    probe = ("import sys, app; from datetime import datetime, timezone;"
             "from bench.submission import LambdaContext, proxy_event;"
             "from chalicelib.core.settings import settings; from chalicelib.store import store_for;"
             "from chalicelib.units.tokens import issue_token;"
             "token = issue_token(store_for(settings()), 'admin', 'cold', datetime.now(timezone.utc))['token'];"
             "event = proxy_event('GET', '/v1/me', {}, token, None); event['body'] = None;"
             "response = app.app(event, LambdaContext()); assert response['statusCode'] == 200, response;"
             f"print(sorted(m for m in {NOT_FOR_ME!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "THIDUA_STAGE": "bench", "THIDUA_STORE": "memory"})
    assert result.stdout.strip() == "[]"


def test_the_database_client_comes_without_boto3():
    """Making the DynamoDB table (client included: no connection yet) imports botocore, not boto3."""
    probe = ("import sys; from chalicelib.core.settings import settings;"
             "from chalicelib.store.dynamodb import DynamoTable, make_client;"
             "conf = settings({'THIDUA_DDB_ENDPOINT': 'http://127.0.0.1:9', 'AWS_DEFAULT_REGION': 'ap-southeast-1'});"
             "DynamoTable(make_client(conf), conf.table_name);"
             "print('botocore' in sys.modules, sorted(m for m in ('boto3', 's3transfer') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True []"
