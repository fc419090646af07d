"""Where a `Store` comes from: DynamoDB (deployed, and against DynamoDB Local) or memory."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from chalicelib.store.dynamodb import DynamoTable, make_client
from chalicelib.store.memory import memory_table
from chalicelib.store.repositories import Store

if TYPE_CHECKING:
    from chalicelib.core.settings import Settings

_stores: dict[tuple[str | None, str, str], Store] = {}
_lock = threading.Lock()  # two first requests in one process must not build two clients


def dynamodb_store(settings: Settings) -> Store:
    """One Store (and boto3 client) per endpoint/table/region, made on first use and reused."""
    key = (settings.dynamodb_endpoint, settings.table_name, settings.region, settings.ddb_attempts,
           settings.ddb_connect_timeout, settings.ddb_read_timeout)
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = Store.on(DynamoTable(make_client(settings), settings.table_name))
        return store


def memory_store(name: str = "thidua") -> Store:
    """A Store over the shared in-memory table `name` (the same data for every caller)."""
    return Store.on(memory_table(name))
