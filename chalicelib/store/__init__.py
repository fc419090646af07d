"""The one DynamoDB table behind one repository per aggregate (see `keys.py` for the layout).

    store = store_for(settings())      # DynamoDB (or the in-memory table with THIDUA_STORE=memory)
    store.reports.get("ca-nghe-an", "2021-08")

Importing this package never imports boto3: the client is made on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.store.errors import (AlreadyExists, BadCursor, ClaimLost, ConditionFailed, StoreError,
                                     StoreUnavailable)
from chalicelib.store.table import Page

if TYPE_CHECKING:
    from chalicelib.core.settings import Settings
    from chalicelib.store.repositories import Store

__all__ = ["AlreadyExists", "BadCursor", "ClaimLost", "ConditionFailed", "Page", "Store", "StoreError",
           "StoreUnavailable", "store_for"]


def store_for(settings: "Settings") -> "Store":
    """The store these settings name, made on first use and reused (one client per table)."""
    from chalicelib.store.factory import dynamodb_store, memory_store

    if settings.store == "memory":
        return memory_store(settings.table_name)
    return dynamodb_store(settings)


def __getattr__(name: str) -> Any:
    if name == "Store":  # the type, for annotations at run time
        from chalicelib.store.repositories import Store

        return Store
    raise AttributeError(name)
