"""The end-to-end tier: the full stack (chalice local, DynamoDB Local) and the package. Slow."""

from __future__ import annotations

import pytest
from browser import chromium_factory  # noqa: F401  (a fixture for the browser tests)


@pytest.fixture
def store_env(ddb) -> dict[str, str]:
    return {"THIDUA_DDB_ENDPOINT": ddb.endpoint}
