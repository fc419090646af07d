"""The unit tier: domain rules and the HTTP layer over the in-memory store. No Java, seconds."""

from __future__ import annotations

import pytest


@pytest.fixture
def store_env() -> dict[str, str]:
    return {"THIDUA_STORE": "memory"}
