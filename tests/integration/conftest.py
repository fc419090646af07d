"""The integration tier: DynamoDB Local, a real SMTP server, WeasyPrint."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def store_env(ddb) -> dict[str, str]:
    return {"THIDUA_DDB_ENDPOINT": ddb.endpoint}


@pytest.fixture
def calls(store) -> list[str]:
    """The DynamoDB operations the store's client makes during a test, by name: each is a round trip."""
    seen: list[str] = []

    def count(model: Any, **_: Any) -> None:
        seen.append(model.name)

    events = store.table.client.meta.events
    events.register("before-parameter-build.dynamodb", count, unique_id="round-trip-counter")
    yield seen
    events.unregister("before-parameter-build.dynamodb", unique_id="round-trip-counter")
