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
    for heavy in ("weasyprint", "pygal", "pydyf", "fontTools", "PIL"):
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
