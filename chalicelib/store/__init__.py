"""The one DynamoDB table: every key, condition expression and query lives here.

Single-table design (the table itself is defined once, in `table.json`, which
both `create_table` and the deployment template use):

    entity              PK                          SK                          GSI1PK              GSI1SK
    unit                UNITS                       UNIT#<unit_id>              -                   -
    token               TOKEN#<token_id>            TOKEN                       TOKENS              <token_id>
    report (current)    UNIT#<unit_id>              REPORT#<period>             PERIOD#<period>     UNIT#<unit_id>
    report revision     UNIT#<unit_id>              REVISION#<period>#<v:06d>   -                   -
    idempotency record  IDEMPOTENCY#<scope>#<key>   IDEMPOTENCY                 -                   -
    counter             COUNTER#<name>              COUNTER                     -                   -
    period settings     PERIODS                     PERIOD#<period>             -                   -
    deadline exception  UNIT#<unit_id>              EXCEPTION#<period>          -                   -
    reminder sent       UNIT#<unit_id>              REMINDER#<period>#<kind>    -                   -
    audit event         AUDIT#<entity>              <iso time>#<event id>       AUDIT#<yyyy-mm>     <iso time>#<event id>

Access patterns: a unit, all units (Query UNITS); a token by id (GetItem, the id
is part of the bearer token); a unit's reports over a period range (Query
BETWEEN, period codes sort within one kind); every report of one period (Query
GSI1); a report's revisions (Query begins_with). No Scan anywhere.

The current report and its revision are written in one transaction, conditioned
on the ETag the client last read, so concurrent replaces cannot both win and
every accepted version is kept. Audit events are written in the same
transaction as the change they record, so neither exists without the other.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from chalicelib.config import Settings
from chalicelib.store.conferences import ConferenceStoreMixin
from chalicelib.store.errors import AlreadyExists, BadCursor, ConditionFailed, StoreError

TABLE_DEFINITION_PATH = Path(__file__).parent / "table.json"
MAX_PAGE = 100
_TRANSACTION_RETRIES = 8


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None


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


def make_client(settings: Settings):
    """A DynamoDB client with an explicit retry mode; boto3 imported only here."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5},
                    connect_timeout=3, read_timeout=10, max_pool_connections=64)
    kwargs: dict[str, Any] = {"region_name": settings.region, "config": config}
    if settings.dynamodb_endpoint:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint
        # DynamoDB Local accepts any credentials; don't make developers configure them.
        kwargs.setdefault("aws_access_key_id", "local")
        kwargs.setdefault("aws_secret_access_key", "local")
    return boto3.client("dynamodb", **kwargs)


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; our figures are whole numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


_KEY_ATTRS = ("PK", "SK", "GSI1PK", "GSI1SK", "expires_at")


class Store(ConferenceStoreMixin):
    def __init__(self, client: Any, table_name: str) -> None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self.client = client
        self.table = table_name
        self._ser = TypeSerializer()
        self._de = TypeDeserializer()

    @classmethod
    def from_settings(cls, settings: Settings) -> "Store":
        return cls(make_client(settings), settings.table_name)

    # -- plumbing ------------------------------------------------------------------

    def _item(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: self._ser.serialize(v) for k, v in data.items() if v is not None}

    def _values(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: self._ser.serialize(v) for k, v in values.items()}

    def _load(self, item: dict[str, Any] | None) -> dict[str, Any] | None:
        if item is None:
            return None
        data = {k: _plain(self._de.deserialize(v)) for k, v in item.items()}
        for k in _KEY_ATTRS:
            data.pop(k, None)
        return data

    def _get(self, pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
        resp = self.client.get_item(TableName=self.table, Key=self._item({"PK": pk, "SK": sk}),
                                    ConsistentRead=consistent)
        return self._load(resp.get("Item"))

    @staticmethod
    def _encode_cursor(key: dict[str, Any] | None) -> str | None:
        if not key:
            return None
        return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()

    @staticmethod
    def _decode_cursor(cursor: str | None, pk_attr: str, pk_value: str) -> dict[str, Any] | None:
        if not cursor:
            return None
        try:
            key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadCursor("cursor is not one this API issued") from None
        # A cursor from another listing would make DynamoDB reject the query.
        if not isinstance(key, dict) or key.get(pk_attr) != {"S": pk_value} or not all(
            isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()
        ):
            raise BadCursor("cursor does not belong to this listing")
        return key

    def _query(self, pk_value: str, *, index: str | None = None, sk_between: tuple[str, str] | None = None,
               sk_prefix: str | None = None, limit: int = MAX_PAGE, cursor: str | None = None,
               forward: bool = True) -> Page:
        pk_attr, sk_attr = ("GSI1PK", "GSI1SK") if index else ("PK", "SK")
        expr = "#pk = :pk"
        names = {"#pk": pk_attr}
        values: dict[str, Any] = {":pk": pk_value}
        if sk_between:
            expr += " AND #sk BETWEEN :lo AND :hi"
            names["#sk"] = sk_attr
            values[":lo"], values[":hi"] = sk_between
        elif sk_prefix:
            expr += " AND begins_with(#sk, :prefix)"
            names["#sk"] = sk_attr
            values[":prefix"] = sk_prefix
        kwargs: dict[str, Any] = {
            "TableName": self.table, "KeyConditionExpression": expr,
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": self._values(values),
            "Limit": max(1, min(limit, MAX_PAGE)), "ScanIndexForward": forward,
        }
        if index:
            kwargs["IndexName"] = index
        start = self._decode_cursor(cursor, pk_attr, pk_value)
        if start:
            kwargs["ExclusiveStartKey"] = start
        resp = self.client.query(**kwargs)
        return Page([self._load(i) for i in resp.get("Items", [])],
                    self._encode_cursor(resp.get("LastEvaluatedKey")))

    def _query_all(self, pk_value: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            page = self._query(pk_value, cursor=cursor, **kwargs)
            yield from page.items
            if not page.next:
                return
            cursor = page.next

    def _put_new(self, item: dict[str, Any]) -> None:
        try:
            self.client.put_item(TableName=self.table, Item=self._item(item),
                                 ConditionExpression="attribute_not_exists(PK)")
        except self.client.exceptions.ConditionalCheckFailedException:
            raise AlreadyExists(item["PK"]) from None

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """TransactWriteItems; retries lost races between transactions, not failed conditions."""
        for attempt in range(_TRANSACTION_RETRIES):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except self.client.exceptions.TransactionCanceledException as exc:
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons:
                    raise ConditionFailed(reasons) from None
                if "TransactionConflict" not in reasons or attempt == _TRANSACTION_RETRIES - 1:
                    raise
                time.sleep(0.01 * (2 ** attempt))

    # -- table -----------------------------------------------------------------------

    def ensure_table(self) -> bool:
        """Create the table when it is missing; True when it was created."""
        try:
            self.client.describe_table(TableName=self.table)
            return False
        except self.client.exceptions.ResourceNotFoundException:
            pass
        try:
            self.client.create_table(**table_definition(self.table))
        except self.client.exceptions.ResourceInUseException:
            return False  # someone else created it meanwhile
        self.client.get_waiter("table_exists").wait(TableName=self.table,
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        return True

    def delete_table(self) -> None:
        self.client.delete_table(TableName=self.table)

    # -- units -----------------------------------------------------------------------

    def create_unit(self, unit: dict[str, Any]) -> None:
        self._put_new({"PK": "UNITS", "SK": f"UNIT#{unit['id']}", **unit})

    def get_unit(self, unit_id: str) -> dict[str, Any] | None:
        return self._get("UNITS", f"UNIT#{unit_id}")

    def replace_unit(self, unit: dict[str, Any], expected_updated_at: str) -> None:
        try:
            self.client.put_item(
                TableName=self.table, Item=self._item({"PK": "UNITS", "SK": f"UNIT#{unit['id']}", **unit}),
                ConditionExpression="updated_at = :seen",
                ExpressionAttributeValues=self._values({":seen": expected_updated_at}),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConditionFailed(unit["id"]) from None

    def list_units(self, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self._query("UNITS", sk_prefix="UNIT#", limit=limit, cursor=cursor)

    def all_units(self) -> list[dict[str, Any]]:
        return list(self._query_all("UNITS", sk_prefix="UNIT#"))

    # -- tokens ----------------------------------------------------------------------

    def create_token(self, token: dict[str, Any]) -> None:
        self._put_new({"PK": f"TOKEN#{token['id']}", "SK": "TOKEN",
                       "GSI1PK": "TOKENS", "GSI1SK": token["id"], **token})

    def get_token(self, token_id: str) -> dict[str, Any] | None:
        # Strongly consistent: a revoked token must stop working at once.
        return self._get(f"TOKEN#{token_id}", "TOKEN", consistent=True)

    def revoke_token(self, token_id: str, revoked_at: str) -> bool:
        try:
            self.client.update_item(
                TableName=self.table, Key=self._item({"PK": f"TOKEN#{token_id}", "SK": "TOKEN"}),
                UpdateExpression="SET revoked_at = :at",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=self._values({":at": revoked_at}),
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    # -- reports ---------------------------------------------------------------------

    def get_report(self, unit_id: str, period: str) -> dict[str, Any] | None:
        return self._get(f"UNIT#{unit_id}", f"REPORT#{period}")

    def save_report(self, report: dict[str, Any], expected_etag: str | None,
                    audit: dict[str, Any] | None = None) -> None:
        """Write the current report, its revision (and its audit event) atomically.

        `expected_etag=None` creates (fails if any version exists); otherwise the
        stored ETag must still be `expected_etag`. Raises ConditionFailed.
        """
        unit_id, period, version = report["unit_id"], report["period"], report["version"]
        current = {"PK": f"UNIT#{unit_id}", "SK": f"REPORT#{period}",
                   "GSI1PK": f"PERIOD#{period}", "GSI1SK": f"UNIT#{unit_id}", **report}
        put_current: dict[str, Any] = {"TableName": self.table, "Item": self._item(current)}
        if expected_etag is None:
            put_current["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put_current["ConditionExpression"] = "etag = :etag"
            put_current["ExpressionAttributeValues"] = self._values({":etag": expected_etag})
        revision = {"PK": f"UNIT#{unit_id}", "SK": f"REVISION#{period}#{version:06d}", **report}
        put_revision = {"TableName": self.table, "Item": self._item(revision),
                        "ConditionExpression": "attribute_not_exists(PK)"}
        self._transact([{"Put": put_current}, {"Put": put_revision}, *self._audit_puts(audit)])

    def update_report_fields(self, unit_id: str, period: str, expected_etag: str,
                             fields: dict[str, Any], audit: dict[str, Any] | None = None) -> None:
        """Change bookkeeping fields (review state) of the current report, guarded by its ETag."""
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":v{i}": v for i, v in enumerate(fields.values())}
        values[":etag"] = expected_etag
        update = {
            "TableName": self.table, "Key": self._item({"PK": f"UNIT#{unit_id}", "SK": f"REPORT#{period}"}),
            "UpdateExpression": "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            "ConditionExpression": "etag = :etag",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": self._values(values),
        }
        self._transact([{"Update": update}, *self._audit_puts(audit)])

    # -- deadlines -------------------------------------------------------------------

    def get_period_settings(self, period: str) -> dict[str, Any] | None:
        return self._get("PERIODS", f"PERIOD#{period}")

    def put_period_settings(self, settings: dict[str, Any], audit: dict[str, Any] | None = None) -> None:
        item = {"TableName": self.table,
                "Item": self._item({"PK": "PERIODS", "SK": f"PERIOD#{settings['period']}", **settings})}
        self._transact([{"Put": item}, *self._audit_puts(audit)])

    def get_exception(self, unit_id: str, period: str) -> dict[str, Any] | None:
        return self._get(f"UNIT#{unit_id}", f"EXCEPTION#{period}")

    def put_exception(self, exception: dict[str, Any], audit: dict[str, Any] | None = None) -> None:
        item = {"TableName": self.table, "Item": self._item({
            "PK": f"UNIT#{exception['unit_id']}", "SK": f"EXCEPTION#{exception['period']}", **exception})}
        self._transact([{"Put": item}, *self._audit_puts(audit)])

    # -- reminders -------------------------------------------------------------------

    def claim_reminder(self, unit_id: str, period: str, kind: str, at: str) -> bool:
        """True for exactly one caller per unit, period and kind (a failed send may be claimed again)."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=self._item({"PK": f"UNIT#{unit_id}", "SK": f"REMINDER#{period}#{kind}", "unit_id": unit_id,
                                 "period": period, "kind": kind, "claimed_at": at, "state": "sending"}),
                ConditionExpression="attribute_not_exists(PK) OR #state = :failed",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=self._values({":failed": "failed"}))
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def mark_reminder(self, unit_id: str, period: str, kind: str, state: str, detail: str = "") -> None:
        self.client.update_item(
            TableName=self.table, Key=self._item({"PK": f"UNIT#{unit_id}", "SK": f"REMINDER#{period}#{kind}"}),
            UpdateExpression="SET #state = :state, detail = :detail",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=self._values({":state": state, ":detail": detail}),
        )

    def get_reminder(self, unit_id: str, period: str, kind: str) -> dict[str, Any] | None:
        return self._get(f"UNIT#{unit_id}", f"REMINDER#{period}#{kind}")

    def list_revisions(self, unit_id: str, period: str, limit: int = MAX_PAGE,
                       cursor: str | None = None) -> Page:
        return self._query(f"UNIT#{unit_id}", sk_prefix=f"REVISION#{period}#", limit=limit, cursor=cursor)

    def list_reports(self, unit_id: str, first: str, last: str, limit: int = MAX_PAGE,
                     cursor: str | None = None, newest_first: bool = False) -> Page:
        return self._query(f"UNIT#{unit_id}", sk_between=(f"REPORT#{first}", f"REPORT#{last}"),
                           limit=limit, cursor=cursor, forward=not newest_first)

    def reports_for_period(self, period: str) -> list[dict[str, Any]]:
        return list(self._query_all(f"PERIOD#{period}", index="GSI1"))

    # -- idempotency -----------------------------------------------------------------

    def claim_idempotency_key(self, scope: str, key: str, fingerprint: str, ttl_seconds: int,
                              now: float | None = None) -> dict[str, Any] | None:
        """Claim a key for one request. None when claimed; else the record already there."""
        now = now or time.time()
        item = {"PK": f"IDEMPOTENCY#{scope}#{key}", "SK": "IDEMPOTENCY", "fingerprint": fingerprint,
                "state": "in_progress", "expires_at": int(now) + ttl_seconds}
        try:
            self._put_new(item)
            return None
        except AlreadyExists:
            existing = self._get(item["PK"], "IDEMPOTENCY")
            if existing is None:  # expired and removed between our two calls: claim again
                return self.claim_idempotency_key(scope, key, fingerprint, ttl_seconds, now)
            return existing

    def complete_idempotency_key(self, scope: str, key: str, response: dict[str, Any]) -> None:
        self.client.update_item(
            TableName=self.table, Key=self._item({"PK": f"IDEMPOTENCY#{scope}#{key}", "SK": "IDEMPOTENCY"}),
            UpdateExpression="SET #state = :done, #response = :response",
            ExpressionAttributeNames={"#state": "state", "#response": "response"},
            ExpressionAttributeValues=self._values({":done": "done", ":response": json.dumps(response)}),
        )

    def release_idempotency_key(self, scope: str, key: str) -> None:
        self.client.delete_item(TableName=self.table,
                                Key=self._item({"PK": f"IDEMPOTENCY#{scope}#{key}", "SK": "IDEMPOTENCY"}))

    # -- counters and audit ----------------------------------------------------------

    def next_counter(self, name: str) -> int:
        """Atomically increment and return a named counter (document numbers)."""
        resp = self.client.update_item(
            TableName=self.table, Key=self._item({"PK": f"COUNTER#{name}", "SK": "COUNTER"}),
            UpdateExpression="ADD #value :one", ExpressionAttributeNames={"#value": "value"},
            ExpressionAttributeValues=self._values({":one": 1}), ReturnValues="UPDATED_NEW",
        )
        return int(resp["Attributes"]["value"]["N"])

    def _audit_puts(self, event: dict[str, Any] | None) -> list[dict[str, Any]]:
        if event is None:
            return []
        at, event_id = event["at"], event["id"]
        item = {"PK": f"AUDIT#{event['entity']}", "SK": f"{at}#{event_id}",
                "GSI1PK": f"AUDIT#{at[:7]}", "GSI1SK": f"{at}#{event_id}", **event}
        return [{"Put": {"TableName": self.table, "Item": self._item(item),
                         "ConditionExpression": "attribute_not_exists(PK)"}}]

    def append_audit(self, event: dict[str, Any]) -> None:
        self._transact(self._audit_puts(event))

    def list_audit(self, entity: str, limit: int = MAX_PAGE, cursor: str | None = None) -> Page:
        return self._query(f"AUDIT#{entity}", limit=limit, cursor=cursor, forward=False)


_stores: dict[tuple[str | None, str, str], Store] = {}


def store_for(settings: Settings) -> Store:
    """One Store (and boto3 client) per endpoint/table, made on first use and reused."""
    key = (settings.dynamodb_endpoint, settings.table_name, settings.region)
    if key not in _stores:
        _stores[key] = Store.from_settings(settings)
    return _stores[key]
