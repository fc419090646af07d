"""Shared fixtures: a real DynamoDB Local per test worker, a fresh table per test."""

from __future__ import annotations

import json
import uuid
from typing import Any, Iterator

import pytest

from chalicelib.config import settings
from chalicelib.store import Store, store_for
from devtools import dynamodb_local


@pytest.fixture(scope="session")
def ddb() -> Iterator[dynamodb_local.DynamoDBLocal]:
    try:
        server = dynamodb_local.start()
    except dynamodb_local.SetupError as exc:
        pytest.exit(f"DynamoDB Local unavailable: {exc}", returncode=3)
    yield server
    server.stop()


@pytest.fixture
def env(ddb, monkeypatch, tmp_path) -> dict[str, str]:
    values = {
        "THIDUA_DDB_ENDPOINT": ddb.endpoint,
        "THIDUA_TABLE": f"t{uuid.uuid4().hex[:12]}",
        "THIDUA_STAGE": "test",
        "THIDUA_ARTIFACTS": str(tmp_path / "artifacts"),
        "THIDUA_MAIL": f"outbox:{tmp_path / 'outbox'}",
        "THIDUA_PUBLIC_URL": "https://thidua.example.gov.vn",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def store(env) -> Iterator[Store]:
    s = store_for(settings())
    s.ensure_table()
    yield s
    s.delete_table()


class Api:
    """The Chalice test client with JSON bodies and bearer tokens."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False) if body is not None else "")
        resp = getattr(self.client.http, method.lower())(path, headers=h, body=data)
        resp.data = json.loads(resp.body) if resp.body else None
        return resp

    def __getattr__(self, method: str):
        return lambda path, **kw: self.call(method, path, **kw)


@pytest.fixture
def api(store) -> Iterator[Api]:
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="test") as client:
        yield Api(client)


@pytest.fixture
def admin_token(store) -> str:
    from chalicelib.auth import issue_token

    return issue_token(store, "admin", "Kiểm thử")["token"]


FAR_FUTURE = "2099-12-31T23:59:59+07:00"
HISTORICAL_PERIODS = ("2021-05", "2021-06", "2021-07", "2021-08", "2021-Q3", "2020-W53")


def open_period(api: Api, admin_token: str, period: str, deadline: str = FAR_FUTURE) -> None:
    """Set a period's deadline (the 2021 seed periods closed long ago)."""
    resp = api.put(f"/v1/periods/{period}", token=admin_token, body={"deadline": deadline})
    assert resp.status_code == 200, resp.body


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
