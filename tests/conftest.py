"""Shared fixtures. The tier picks the store: `tests/unit` the in-memory table (no Java),
`tests/integration` and `tests/e2e` DynamoDB Local (one server per test worker, a fresh
table per test). Everything else (settings, the HTTP client, tokens) is the same."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `from helpers import ...` in every tier

from chalicelib.core.settings import settings  # noqa: E402
from chalicelib.store import Store, store_for  # noqa: E402
from helpers import HISTORICAL_PERIODS, Api, issue, open_period  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Record the AWS calls each Lambda function makes while the tests run (tests/aws_calls.py),
    for tests/integration/test_grants_equal_calls.py; a new session starts a new record."""
    import aws_calls

    if not hasattr(config, "workerinput"):  # the controller (or a run without workers), before any worker
        aws_calls.clear()
    aws_calls.install()


@pytest.fixture(autouse=True)
def environ_put_back() -> Iterator[None]:
    """The Chalice test client swaps `os.environ` for a copy during each call, which is not
    thread-safe: a test calling it from threads can leave the copy (with THIDUA_STORE=memory)
    behind, and a later full-stack test on that worker then hands it to chalice local."""
    real = os.environ
    yield
    if os.environ is not real:
        os.environ = real
        pytest.fail("this test left os.environ swapped for the Chalice test client's copy; put it back")


@pytest.fixture(scope="session")
def ddb():
    from devtools import dynamodb_local

    try:
        server = dynamodb_local.start()
    except dynamodb_local.SetupError as exc:
        pytest.exit(f"DynamoDB Local unavailable: {exc}", returncode=3)
    yield server
    server.stop()


@pytest.fixture
def store_env() -> dict[str, str]:
    """Which store the test runs on; each tier's conftest overrides this."""
    raise NotImplementedError("tests live in tests/unit, tests/integration or tests/e2e")


@pytest.fixture
def env(store_env, monkeypatch, tmp_path) -> dict[str, str]:
    values = {
        "THIDUA_TABLE": f"t{uuid.uuid4().hex[:12]}",
        "THIDUA_STAGE": "test",
        "THIDUA_ARTIFACTS": str(tmp_path / "artifacts"),
        "THIDUA_MAIL": f"outbox:{tmp_path / 'outbox'}",
        "THIDUA_PUBLIC_URL": "https://thidua.example.gov.vn",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        **store_env,
    }
    for key in ("THIDUA_STORE", "THIDUA_DDB_ENDPOINT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def store(env) -> Iterator[Store]:
    s = store_for(settings())
    s.ensure_table()
    yield s
    s.delete_table()


@pytest.fixture
def clock(monkeypatch):
    """The HTTP layer's clock, fixed at 2021-08-20 10:00 in Hà Nội (tests move it)."""
    from chalicelib.core.clock import FixedClock
    from chalicelib.bootstrap import services

    fixed = FixedClock("2021-08-20T10:00:00+07:00")
    monkeypatch.setattr(services, "clock", fixed)
    return fixed


@pytest.fixture
def api(store) -> Iterator[Api]:
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="test") as client:
        yield Api(client)


@pytest.fixture
def admin_token(store) -> str:
    return issue(store, "admin")


@pytest.fixture
def two_units(api, admin_token) -> dict[str, str]:
    """Two units with a unit token each: {unit_id: token}; the 2021 test periods are open."""
    for period in HISTORICAL_PERIODS:
        open_period(api, admin_token, period)
    tokens = {}
    for unit_id, name in (("ca-nghe-an", "Công an tỉnh Nghệ An"), ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh")):
        assert api.post("/v1/units", token=admin_token,
                        body={"id": unit_id, "name": name, "kind": "province"}).status_code == 201
        resp = api.post(f"/v1/units/{unit_id}/tokens", token=admin_token, body={})
        assert resp.status_code == 201
        tokens[unit_id] = resp.data["token"]
    return tokens
