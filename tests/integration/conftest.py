"""The integration tier: DynamoDB Local, a real SMTP server, WeasyPrint."""

from __future__ import annotations

import pytest


@pytest.fixture
def store_env(ddb) -> dict[str, str]:
    return {"THIDUA_DDB_ENDPOINT": ddb.endpoint}
