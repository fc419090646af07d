"""The local stack: DynamoDB Local plus `chalice local`, used by serve, demo and e2e tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from devtools import dynamodb_local

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stack:
    api_url: str
    env: dict[str, str]
    ddb: dynamodb_local.DynamoDBLocal


class PortTaken(RuntimeError):
    """Another server answers on the port this one was started on."""


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until `proc` itself answers `url` (its answers carry its pid: devtools/chalice_local.py)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PortTaken(f"chalice local exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                served_by = resp.headers.get("X-Thidua-Local-Pid")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
            continue
        if served_by == str(proc.pid):
            return
        raise PortTaken(f"{url} is answered by another server (pid {served_by})")
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def stack_env(ddb_endpoint: str, table: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "THIDUA_DDB_ENDPOINT": ddb_endpoint, "THIDUA_TABLE": table,
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-1"),
            **(extra or {})}


@contextmanager
def running_stack(table: str = "thidua", api_port: int | None = None,
                  extra_env: dict[str, str] | None = None, quiet: bool = True) -> Iterator[Stack]:
    """An in-memory DynamoDB Local and `chalice local --stage test` wired to it."""
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for

    ddb = dynamodb_local.start()
    try:
        for attempt in range(1 if api_port else 5):
            port = api_port or dynamodb_local.free_port()  # the app's public URL names the port
            env = stack_env(ddb.endpoint, table, {"THIDUA_PUBLIC_URL": f"http://127.0.0.1:{port}",
                                                  **(extra_env or {})})
            store_for(settings(env)).ensure_table()
            api = running_api(env, port, quiet)
            try:
                url, _ = api.__enter__()
                break
            except PortTaken:
                if api_port or attempt == 4:
                    raise
        try:
            yield Stack(url, env, ddb)
        finally:
            api.__exit__(None, None, None)
    finally:
        ddb.stop()


@contextmanager
def running_api(env: dict[str, str], port: int | None = None,
                quiet: bool = True) -> Iterator[tuple[str, subprocess.Popen]]:
    """`chalice local --stage test` with `env` on 127.0.0.1: its URL and its process (which a test may kill).

    Without a fixed port it takes a free one, and another when a concurrent test took that one first."""
    out = subprocess.DEVNULL if quiet else None
    for attempt in range(1 if port else 5):
        chosen = port or dynamodb_local.free_port()
        api = subprocess.Popen([sys.executable, "-m", "devtools.chalice_local", "--stage", "test", "--host",
                                "127.0.0.1", "--port", str(chosen), "--no-autoreload"],
                               cwd=ROOT, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{chosen}"
        try:
            wait_for_http(url + "/v1/health", api)
            break
        except PortTaken:
            _stop(api)
            if port or attempt == 4:
                raise
    try:
        yield url, api
    finally:
        _stop(api)


def _stop(api: subprocess.Popen) -> None:
    if api.poll() is None:
        api.terminate()
        try:
            api.wait(timeout=10)
        except subprocess.TimeoutExpired:
            api.kill()
            api.wait(timeout=10)


class Http:
    """A tiny JSON client over urllib for the demo and e2e tests (no extra dependency)."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        h = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw, status, rh = resp.read(), resp.status, dict(resp.headers)
        except urllib.error.HTTPError as err:
            raw, status, rh = err.read(), err.code, dict(err.headers)
        return status, rh, (json.loads(raw) if raw else None)
