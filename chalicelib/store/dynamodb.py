"""`Table` over DynamoDB: the one table, reached through a botocore low-level client.

botocore is imported inside functions only, so importing this module stays cheap (cold
starts of handlers that never touch the store, and the memory-backed test tier). The
client is botocore's own: boto3 would add its session and s3transfer to every cold start.
The item layout is the one `keys.py` describes; the table itself is defined once,
in `table.json`, which both `ensure()` and the deployment template use.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from chalicelib.store import keys
from chalicelib.store.attributes import deserialize, serialize
from chalicelib.store.errors import BadCursor, ConditionFailed, StoreUnavailable
from chalicelib.store.table import (
    Absent, All, Any_, Check, Condition, Delete, Eq, Exists, Lt, Missing, Operation, Page, PagesThrough, Put, Update,
)

if TYPE_CHECKING:
    from chalicelib.core.settings import Settings

TABLE_DEFINITION_PATH = Path(__file__).parent / "table.json"
MAX_PAGE = 100
_TRANSACTION_RETRIES = 8
# Error codes that mean "the database did not answer in time", after botocore's own retries.
# TransactionInProgressException: botocore's retry of a TransactWriteItems (same ClientRequestToken)
# met its first attempt still running; whether it commits, the key's answer will tell the client's retry.
_UNAVAILABLE_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "TransactionInProgressException",
})


def table_definition(table_name: str) -> dict[str, Any]:
    """boto3 `create_table` arguments from the CloudFormation resource in table.json."""
    props = json.loads(TABLE_DEFINITION_PATH.read_text())["Properties"]
    return {
        "TableName": table_name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"],
    }


def make_client(settings: Settings) -> Any:
    """A DynamoDB client whose whole retry budget fits well inside API Gateway's 29 s.

    DynamoDB answers in milliseconds; a call that takes seconds is a fault. Two attempts of
    at most 1 s to connect and 2 s to read (plus botocore's jittered backoff, under 1 s)
    give up within ~5 s, and the request is answered 503 with Retry-After instead of
    hanging until the gateway cuts it. botocore is imported only here (boto3's client is this one).
    """
    from botocore.config import Config

    # total_max_attempts counts the first try; botocore's max_attempts would count only retries
    # Requests are built by this module, never from user input: botocore's client-side walk of every
    # parameter against the service model (about a fifth of a PUT's own CPU) checks nothing new.
    config = Config(retries={"mode": "standard", "total_max_attempts": settings.ddb_attempts},
                    connect_timeout=settings.ddb_connect_timeout, read_timeout=settings.ddb_read_timeout,
                    max_pool_connections=64, tcp_keepalive=True, parameter_validation=False)
    kwargs: dict[str, Any] = {"region_name": settings.region, "config": config}
    if settings.dynamodb_endpoint:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint
        # DynamoDB Local accepts any credentials; don't make developers configure them.
        kwargs["aws_access_key_id"] = "local"
        kwargs["aws_secret_access_key"] = "local"
    return _session().create_client("dynamodb", **kwargs)


_botocore_session: Any = None


def _session() -> Any:
    """One botocore session per process (boto3.client() shares its default session the same way):
    credentials and the service model are loaded once for every client made."""
    global _botocore_session
    if _botocore_session is None:
        from botocore.session import get_session

        _botocore_session = get_session()
    return _botocore_session


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; our figures are whole numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return value


# -- cursors (shared with MemoryTable, so both hand out byte-identical cursors) ---------

def key_attrs(index: bool) -> tuple[str, str]:
    """The (partition, sort) attributes a query runs on."""
    return ("GSI1PK", "GSI1SK") if index else ("PK", "SK")


def encode_cursor(key: dict[str, str] | None) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode()


MAX_CURSOR = 2048


def decode_cursor(cursor: str | None, pk: str, *, index: bool, prefix: str | None,
                  between: tuple[str, str] | None) -> dict[str, str] | None:
    """The start key a cursor names, refused unless it belongs to exactly this listing.

    DynamoDB rejects a start key of another partition or outside the sort-key
    condition with a ValidationException; checking here turns that into BadCursor,
    and gives MemoryTable the very same rule.
    """
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR:  # ours are a few hundred characters; a huge one is not ours
        raise BadCursor("cursor is not one this API issued")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise BadCursor("cursor is not one this API issued") from None
    pk_attr, sk_attr = key_attrs(index)
    expected = {"PK", "SK", "GSI1PK", "GSI1SK"} if index else {"PK", "SK"}
    if (not isinstance(key, dict) or set(key) != expected
            or not all(isinstance(v, str) for v in key.values()) or key[pk_attr] != pk):
        raise BadCursor("cursor does not belong to this listing")
    sk = key[sk_attr]
    if (prefix is not None and not sk.startswith(prefix)) or (
            between is not None and not between[0] <= sk <= between[1]):
        raise BadCursor("cursor does not belong to this listing")
    return key


def page_limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


# -- conditions ------------------------------------------------------------------------

class _Expression:
    """Collects generated `#nK` / `:vK` placeholders while rendering expressions."""

    def __init__(self, serialize: Any) -> None:
        self._serialize = serialize
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attr: str) -> str:
        for placeholder, existing in self.names.items():
            if existing == attr:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attr
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = self._serialize(value)
        return placeholder

    def condition(self, cond: Condition) -> str:
        if isinstance(cond, Absent):
            return f"attribute_not_exists({self.name('PK')})"
        if isinstance(cond, Exists):
            return f"attribute_exists({self.name('PK')})"
        if isinstance(cond, Eq):
            return f"{self.name(cond.attr)} = {self.value(cond.value)}"
        if isinstance(cond, Lt):
            # A comparison with a missing attribute is false in DynamoDB, as Lt promises.
            return f"{self.name(cond.attr)} < {self.value(cond.value)}"
        if isinstance(cond, Missing):
            # attribute_not_exists alone is also true when the whole item is missing.
            return f"(attribute_exists({self.name('PK')}) AND attribute_not_exists({self.name(cond.attr)}))"
        if isinstance(cond, (All, Any_)):
            if not cond.parts:
                raise ValueError("an empty all_of/any_of has no DynamoDB expression")
            joiner = " AND " if isinstance(cond, All) else " OR "
            return "(" + joiner.join(self.condition(p) for p in cond.parts) + ")"
        raise TypeError(f"not a condition: {cond!r}")

    def params(self, condition: Condition | None) -> dict[str, Any]:
        """ConditionExpression plus the placeholder maps (only the non-empty ones: boto3 refuses empty)."""
        out: dict[str, Any] = {}
        if condition is not None:
            out["ConditionExpression"] = self.condition(condition)
        if self.names:
            out["ExpressionAttributeNames"] = self.names
        if self.values:
            out["ExpressionAttributeValues"] = self.values
        return out


class DynamoTable(PagesThrough):
    """`Table` over one DynamoDB table (see `chalicelib.store.table`)."""

    def __init__(self, client: Any, table_name: str) -> None:
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

        self.client = client
        self.name = table_name
        self._client_error = ClientError
        self._unreachable = (ConnectionError, HTTPClientError)

    # -- plumbing ------------------------------------------------------------------

    def _call(self, operation: str, **kwargs: Any) -> Any:
        """One API call; an unreachable or throttled database becomes StoreUnavailable."""
        try:
            return getattr(self.client, operation)(**kwargs)
        except self._unreachable as exc:
            raise StoreUnavailable(str(exc)) from exc
        except self._client_error as exc:
            if self._code(exc) in _UNAVAILABLE_CODES:
                raise StoreUnavailable(str(exc)) from exc
            raise

    @staticmethod
    def _code(exc: Any) -> str:
        return exc.response.get("Error", {}).get("Code", "")

    def _item(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: serialize(v) for k, v in data.items() if v is not None}

    def _key(self, key: tuple[str, str]) -> dict[str, Any]:
        return {"PK": {"S": key[0]}, "SK": {"S": key[1]}}

    def _load(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: plain(deserialize(v)) for k, v in item.items() if k not in keys.KEY_ATTRS}

    def _request(self, op: Operation) -> tuple[str, dict[str, Any]]:
        """(kind, parameters) of one operation, for both the single and the transactional API."""
        expr = _Expression(serialize)
        if isinstance(op, Put):
            if "PK" not in op.item or "SK" not in op.item:
                raise ValueError("a Put item needs PK and SK")
            return "Put", {"TableName": self.name, "Item": self._item(op.item), **expr.params(op.condition)}
        if isinstance(op, Update):
            if not op.set and not op.add:
                raise ValueError("an Update needs at least one attribute")
            if {"PK", "SK"} & (set(op.set) | set(op.add)):
                raise ValueError("an Update cannot change the table key")
            sets = [f"{expr.name(k)} = {expr.value(v)}" for k, v in op.set.items() if v is not None]
            # None means "not stored", so setting None removes the attribute.
            removes = [expr.name(k) for k, v in op.set.items() if v is None]
            adds = [f"{expr.name(k)} {expr.value(v)}" for k, v in op.add.items()]
            update = " ".join(part for part in (
                "SET " + ", ".join(sets) if sets else "",
                "REMOVE " + ", ".join(removes) if removes else "",
                "ADD " + ", ".join(adds) if adds else "") if part)
            return "Update", {"TableName": self.name, "Key": self._key(op.key), "UpdateExpression": update,
                              **expr.params(op.condition)}
        if isinstance(op, Delete):
            return "Delete", {"TableName": self.name, "Key": self._key(op.key), **expr.params(op.condition)}
        if isinstance(op, Check):
            return "ConditionCheck", {"TableName": self.name, "Key": self._key(op.key), **expr.params(op.condition)}
        raise TypeError(f"not an operation: {op!r}")

    # -- Table -----------------------------------------------------------------------

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        resp = self._call("get_item", TableName=self.name, Key=self._key(key), ConsistentRead=True)
        item = resp.get("Item")
        return None if item is None else self._load(item)

    def get_many(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any] | None]:
        """BatchGetItem, strongly consistent: one round trip for up to 100 items."""
        if len(wanted) > MAX_PAGE:
            raise ValueError(f"get_many takes at most {MAX_PAGE} keys")
        found: dict[tuple[str, str], dict[str, Any] | None] = dict.fromkeys(wanted)
        pending: dict[str, Any] = {self.name: {"Keys": [self._key(k) for k in dict.fromkeys(wanted)],
                                               "ConsistentRead": True}}
        for attempt in range(_TRANSACTION_RETRIES):
            resp = self._call("batch_get_item", RequestItems=pending)
            for item in resp.get("Responses", {}).get(self.name, []):
                found[(item["PK"]["S"], item["SK"]["S"])] = self._load(item)
            pending = resp.get("UnprocessedKeys") or {}
            if not pending:
                return found
            time.sleep(0.01 * (2 ** attempt))  # DynamoDB hands back what it could not read in time
        raise StoreUnavailable("batch read kept returning unprocessed keys")

    def write(self, operation: Operation) -> None:
        if isinstance(operation, Check):
            raise ValueError("a Check belongs in a transaction")
        kind, params = self._request(operation)
        call = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}[kind]
        for attempt in range(_TRANSACTION_RETRIES):
            try:
                self._call(call, **params)
                return
            except self._client_error as exc:
                code = self._code(exc)
                if code == "ConditionalCheckFailedException":
                    raise ConditionFailed(0) from None
                # A plain write to an item inside an in-flight transaction loses; not retried by botocore.
                if code != "TransactionConflictException":
                    raise
                if attempt == _TRANSACTION_RETRIES - 1:
                    raise StoreUnavailable("write kept conflicting with transactions") from exc
                time.sleep(0.01 * (2 ** attempt))

    def transact(self, operations: list[Operation]) -> None:
        """TransactWriteItems; retries lost races between transactions, not failed conditions."""
        items = [{kind: params} for kind, params in map(self._request, operations)]
        for attempt in range(_TRANSACTION_RETRIES):
            try:
                self._call("transact_write_items", TransactItems=items)
                return
            except self._client_error as exc:
                if self._code(exc) != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons:
                    raise ConditionFailed(reasons.index("ConditionalCheckFailed")) from None
                if "TransactionConflict" not in reasons:
                    raise
                if attempt == _TRANSACTION_RETRIES - 1:
                    raise StoreUnavailable("transaction kept conflicting") from exc
                time.sleep(0.01 * (2 ** attempt))

    def query(self, pk: str, *, index: bool = False, prefix: str | None = None,
              between: tuple[str, str] | None = None, newest_first: bool = False,
              limit: int | None = MAX_PAGE, cursor: str | None = None,
              attrs: Sequence[str] | None = None) -> Page:
        if prefix is not None and between is not None:
            raise ValueError("query takes prefix or between, not both")
        pk_attr, sk_attr = key_attrs(index)
        expr = "#pk = :pk"
        names = {"#pk": pk_attr}
        values: dict[str, Any] = {":pk": {"S": pk}}
        if between is not None:
            expr += " AND #sk BETWEEN :lo AND :hi"
            names["#sk"] = sk_attr
            values[":lo"], values[":hi"] = {"S": between[0]}, {"S": between[1]}
        elif prefix is not None:
            expr += " AND begins_with(#sk, :prefix)"
            names["#sk"] = sk_attr
            values[":prefix"] = {"S": prefix}
        kwargs: dict[str, Any] = {
            "TableName": self.name, "KeyConditionExpression": expr,
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
        }
        if limit is not None:  # None: DynamoDB's own pages (up to 1 MB), for reads of everything
            kwargs["Limit"] = page_limit(limit)
        if attrs:  # only these attributes come back (and are paid for in transfer and parsing)
            for i, attr in enumerate(attrs):
                names[f"#a{i}"] = attr
            kwargs["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(attrs)))
        if index:
            kwargs["IndexName"] = keys.GSI1  # GSIs are eventually consistent only
        else:
            kwargs["ConsistentRead"] = True  # e.g. Documents.latest must see a version just claimed
        start = decode_cursor(cursor, pk, index=index, prefix=prefix, between=between)
        if start:
            kwargs["ExclusiveStartKey"] = {k: {"S": v} for k, v in start.items()}
        resp = self._call("query", **kwargs)
        last = resp.get("LastEvaluatedKey")
        return Page([self._load(i) for i in resp.get("Items", [])],
                    encode_cursor({k: v["S"] for k, v in last.items()} if last else None))

    def ensure(self) -> bool:
        try:
            self._call("describe_table", TableName=self.name)
            return False
        except self.client.exceptions.ResourceNotFoundException:
            pass
        try:
            self._call("create_table", **table_definition(self.name))
        except self.client.exceptions.ResourceInUseException:
            return False  # someone else created it meanwhile
        self.client.get_waiter("table_exists").wait(TableName=self.name,
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        return True

    def drop(self) -> None:
        self._call("delete_table", TableName=self.name)
