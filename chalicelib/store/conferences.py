"""Conference, compiled-document and delivery keys of the one table (mixed into `Store`).

    entity              PK                          SK                          GSI1PK              GSI1SK
    conference          CONFERENCES                 CONFERENCE#<id>             CONFERENCE_DATES    <yyyy-mm-dd>#<id>
    document version    CONFERENCE#<id>             DOC#<kind>#<v:06d>          -                   -
    document pointer    DOCUMENT#<doc_id>           DOCUMENT                    -                   -
    delivery            DOCUMENT#<doc_id>           DELIVERY#<email>            -                   -
    compile request     COMPILE_REQUESTS            CONFERENCE#<id>             -                   -
    document numbers    COUNTER#docnumber#<prefix>#<year> (the main store's counters)

Access patterns: all conferences (Query CONFERENCES); conferences due soon (Query
GSI1 CONFERENCE_DATES BETWEEN two dates); a conference's document versions, newest
first (Query begins_with DOC#<kind>#); a document by its public id, for the
verify link (GetItem on the pointer, then on the version); a document's
deliveries (Query begins_with DELIVERY#); pending compile requests (Query).

Exactly-once rests on three conditional writes: the version item and its pointer
are created together only if neither exists (one compile wins version N); the
version is finished only by the claim that rendered it; a delivery is claimed
with attribute_not_exists before the message is sent, and marked sent by the
same claim.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.store.errors import AlreadyExists, ConditionFailed

if TYPE_CHECKING:
    from chalicelib.store import Page


def _version_sk(kind: str, version: int) -> str:
    return f"DOC#{kind}#{version:06d}"


class ConferenceStoreMixin:
    """Uses the plumbing of `Store` (client, table, _item, _get, _query, _put_new, _transact)."""

    # -- conferences -----------------------------------------------------------------

    def _conference_item(self, conference: dict[str, Any]) -> dict[str, Any]:
        return {"PK": "CONFERENCES", "SK": f"CONFERENCE#{conference['id']}",
                "GSI1PK": "CONFERENCE_DATES", "GSI1SK": f"{conference['date']}#{conference['id']}",
                **conference}

    def create_conference(self, conference: dict[str, Any]) -> None:
        """Raises AlreadyExists."""
        self._put_new(self._conference_item(conference))

    def get_conference(self, conference_id: str) -> dict[str, Any] | None:
        return self._get("CONFERENCES", f"CONFERENCE#{conference_id}")

    def replace_conference(self, conference: dict[str, Any], expected_etag: str) -> None:
        try:
            self.client.put_item(TableName=self.table, Item=self._item(self._conference_item(conference)),
                                 ConditionExpression="etag = :seen",
                                 ExpressionAttributeValues=self._values({":seen": expected_etag}))
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConditionFailed(conference["id"]) from None

    def list_conferences(self, limit: int = 100, cursor: str | None = None) -> Page:
        return self._query("CONFERENCES", sk_prefix="CONFERENCE#", limit=limit, cursor=cursor)

    def conferences_between(self, first_day: str, last_day: str) -> list[dict[str, Any]]:
        """Conferences whose date (YYYY-MM-DD) lies in [first_day, last_day]."""
        return list(self._query_all("CONFERENCE_DATES", index="GSI1",
                                    sk_between=(f"{first_day}#", f"{last_day}#\uffff")))

    # -- compile requests (POST /v1/conferences/{id}/compile) -------------------------

    def request_compile(self, conference_id: str, requested_at: str) -> None:
        self.client.put_item(TableName=self.table, Item=self._item({
            "PK": "COMPILE_REQUESTS", "SK": f"CONFERENCE#{conference_id}",
            "conference_id": conference_id, "requested_at": requested_at}))

    def compile_requests(self) -> list[dict[str, Any]]:
        return list(self._query_all("COMPILE_REQUESTS", sk_prefix="CONFERENCE#"))

    def clear_compile_request(self, conference_id: str, requested_at: str) -> None:
        """Remove the request unless a newer one arrived meanwhile."""
        try:
            self.client.delete_item(
                TableName=self.table, Key=self._item({"PK": "COMPILE_REQUESTS", "SK": f"CONFERENCE#{conference_id}"}),
                ConditionExpression="requested_at = :at",
                ExpressionAttributeValues=self._values({":at": requested_at}))
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    # -- document versions -----------------------------------------------------------

    def latest_document(self, conference_id: str, kind: str) -> dict[str, Any] | None:
        resp = self.client.query(
            TableName=self.table, KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=self._values({":pk": f"CONFERENCE#{conference_id}",
                                                    ":prefix": f"DOC#{kind}#"}),
            ScanIndexForward=False, Limit=1, ConsistentRead=True)
        items = resp.get("Items", [])
        return self._load(items[0]) if items else None

    def get_document_version(self, conference_id: str, kind: str, version: int) -> dict[str, Any] | None:
        return self._get(f"CONFERENCE#{conference_id}", _version_sk(kind, version))

    def list_documents(self, conference_id: str, limit: int = 100, cursor: str | None = None) -> Page:
        return self._query(f"CONFERENCE#{conference_id}", sk_prefix="DOC#", limit=limit, cursor=cursor)

    def claim_document_version(self, record: dict[str, Any]) -> None:
        """Create version N and its public pointer, or neither.

        Raises AlreadyExists("version") when version N is taken, AlreadyExists("id")
        when the random document id collides.
        """
        cid, kind, version, doc_id = (record["conference_id"], record["kind"], record["version"],
                                      record["document_id"])
        version_item = {"PK": f"CONFERENCE#{cid}", "SK": _version_sk(kind, version), **record}
        pointer = {"PK": f"DOCUMENT#{doc_id}", "SK": "DOCUMENT", "document_id": doc_id,
                   "conference_id": cid, "kind": kind, "version": version}
        try:
            self._transact([
                {"Put": {"TableName": self.table, "Item": self._item(version_item),
                         "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {"TableName": self.table, "Item": self._item(pointer),
                         "ConditionExpression": "attribute_not_exists(PK)"}},
            ])
        except ConditionFailed as exc:
            reasons = exc.args[0] if exc.args else []
            raise AlreadyExists("version" if reasons and reasons[0] == "ConditionalCheckFailed" else "id") from None

    def update_document_version(self, conference_id: str, kind: str, version: int, fields: dict[str, Any],
                                claim: str, extra_condition: str = "") -> None:
        """SET fields on a version, only while `claim` still owns it. Raises ConditionFailed."""
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":v{i}": v for i, v in enumerate(fields.values())}
        values[":claim"] = claim
        condition = "claim = :claim" + (f" AND {extra_condition}" if extra_condition else "")
        try:
            self.client.update_item(
                TableName=self.table, Key=self._item({"PK": f"CONFERENCE#{conference_id}",
                                                      "SK": _version_sk(kind, version)}),
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
                ConditionExpression=condition, ExpressionAttributeNames=names,
                ExpressionAttributeValues=self._values(values))
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConditionFailed(f"{conference_id}/{kind}/{version}") from None

    def take_over_document_version(self, conference_id: str, kind: str, version: int, old_claim: str,
                                   new_claim: str, claimed_at: str) -> None:
        """Move a stale rendering claim to a new owner (the old one crashed). Raises ConditionFailed."""
        self.update_document_version(conference_id, kind, version,
                                     {"claim": new_claim, "claimed_at": claimed_at, "state": "rendering"},
                                     old_claim, extra_condition="#f2 = :v2")  # state is still "rendering"

    def get_document(self, document_id: str) -> dict[str, Any] | None:
        """The version record behind a public document id."""
        pointer = self._get(f"DOCUMENT#{document_id}", "DOCUMENT")
        if pointer is None:
            return None
        return self.get_document_version(pointer["conference_id"], pointer["kind"], int(pointer["version"]))

    # -- deliveries ------------------------------------------------------------------

    def claim_delivery(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """Claim (document, recipient) for sending. None when claimed; else the record already there."""
        item = {"PK": f"DOCUMENT#{record['document_id']}", "SK": f"DELIVERY#{record['email']}", **record}
        try:
            self._put_new(item)
            return None
        except AlreadyExists:
            return self._get(item["PK"], item["SK"])

    def update_delivery(self, document_id: str, email: str, fields: dict[str, Any], claim: str,
                        new_claim: str | None = None) -> None:
        """SET fields (and optionally hand the claim over) while `claim` owns the delivery."""
        fields = {**fields, **({"claim": new_claim} if new_claim else {})}
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":v{i}": v for i, v in enumerate(fields.values())}
        values[":claim"] = claim
        try:
            self.client.update_item(
                TableName=self.table, Key=self._item({"PK": f"DOCUMENT#{document_id}", "SK": f"DELIVERY#{email}"}),
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
                ConditionExpression="claim = :claim", ExpressionAttributeNames=names,
                ExpressionAttributeValues=self._values(values))
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConditionFailed(f"{document_id}/{email}") from None

    def list_deliveries(self, document_id: str) -> list[dict[str, Any]]:
        return list(self._query_all(f"DOCUMENT#{document_id}", sk_prefix="DELIVERY#"))
