"""Defect 3 on DynamoDB Local, through the Chalice test client: every route marked idempotent
stores its answer in the TransactWriteItems of its change, so a retry after the key's claim has
expired is a replay of the first answer, never a second entity or a stored 409.

The table is wrapped (`Answers`, injected through `bootstrap.services`): an idempotency record
written on its own, outside a transaction (the separate completion the defect relied on), is
lost as if the database hung on that call; `lose_next` commits a transaction and then loses
its answer, as the fault proxy's `lose` mode does end to end (tests/e2e/test_faults.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.http.idempotency import record_key
from chalicelib.bootstrap import services
from chalicelib.store import StoreUnavailable
from chalicelib.store.repositories import Store
from chalicelib.store.table import Operation, Update
from chalicelib.units.tokens import token_id_of

CLAIM_SECONDS = 5  # THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS for these tests
ROUTES = ("unit", "conference", "nomination", "report")
CONFERENCE = {"date": "2021-08-31", "periods": ["2021-08"], "quotas": {"bang-khen-bo-truong": 2},
              "recipients": ["lanhdao@bocongan.example.vn"], "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}


def _is_answer(op: Operation) -> bool:
    return isinstance(op, Update) and op.key[0].startswith("IDEMPOTENCY#")


class Answers:
    """The store's table, but an idempotency record can only be completed inside a transaction."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.separate_answers: list[tuple[str, str]] = []  # answers written on their own (and lost)
        self.transactions: list[list[Operation]] = []
        self.lose_next = 0  # transactions to commit whose answer then never arrives
        self.before_next_transaction: Any = None  # run once, just before the next transaction is sent

    def write(self, operation: Operation) -> None:
        if _is_answer(operation):
            self.separate_answers.append(operation.key)
            raise StoreUnavailable("the idempotency record's own write hung")
        self.table.write(operation)

    def transact(self, operations: list[Operation]) -> None:
        hook, self.before_next_transaction = self.before_next_transaction, None
        if hook is not None:
            hook()
        self.transactions.append(list(operations))
        self.table.transact(operations)
        if self.lose_next:
            self.lose_next -= 1
            raise StoreUnavailable("DynamoDB committed, its answer was lost")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)


@pytest.fixture
def answers(store, monkeypatch) -> Answers:
    wrapped = Answers(store.table)
    monkeypatch.setattr(services, "store", lambda conf: Store.on(wrapped))
    monkeypatch.setenv("THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS", str(CLAIM_SECONDS))
    return wrapped


@dataclass
class Request:
    route: str
    method: str
    path: str
    token: str
    scope: str
    body: dict[str, Any]

    def send(self, api: Any, key: str) -> Any:
        return api.call(self.method, self.path, token=self.token, body=self.body, headers={"Idempotency-Key": key})


@pytest.fixture
def requests(api, admin_token, two_units, clock) -> dict[str, Request]:
    """One request per idempotent route (a conference exists for the nomination)."""
    conference = api.post("/v1/conferences", token=admin_token, body={"title": "Hội nghị nhận đề nghị", **CONFERENCE})
    assert conference.status_code == 201, conference.body
    admin = {"token": admin_token, "scope": f"token:{token_id_of('Bearer ' + admin_token)}"}
    unit = {"token": two_units["ca-nghe-an"], "scope": "unit:ca-nghe-an"}
    return {r.route: r for r in (
        Request("unit", "POST", "/v1/units", **admin,
                body={"id": "ca-quang-binh", "name": "Công an tỉnh Quảng Bình", "kind": "province"}),
        Request("conference", "POST", "/v1/conferences", **admin,
                body={"title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19", **CONFERENCE}),
        Request("nomination", "POST", "/v1/units/ca-nghe-an/nominations", **unit,
                body={"conference_id": conference.data["id"], "kind": "individual", "name": "Nguyễn Thị Hạnh",
                      "position": "Thiếu tá, Đội trưởng", "award_form": "bang-khen-bo-truong",
                      "achievements": "Trực chốt kiểm soát dịch 120 ngày đêm liên tục."}),
        Request("report", "PUT", "/v1/units/ca-nghe-an/reports/2021-08", **unit,
                body={"values": {"checkpoints": 35, "citizens_escorted": 1200}}),
    )}


def _record(store: Store, request: Request, key: str) -> dict[str, Any] | None:
    return store.idempotency.get(record_key(request.scope, request.method, request.path, key))


def _entities(store: Store, request: Request, answer: Any) -> tuple[list[Any], list[Any]]:
    """The stored entities of the request's kind that match it, and the audit events of the answered one."""
    body = answer.data
    if request.route == "unit":
        found = [u for u in store.units.list(limit=100).items if u["id"] == request.body["id"]]
        entity = f"unit:{body['id']}"
    elif request.route == "conference":
        found = [c for c in store.conferences.list(limit=100).items if c["title"] == request.body["title"]]
        entity = f"conference:{body['id']}"
    elif request.route == "nomination":
        found = store.nominations.for_unit("ca-nghe-an", request.body["conference_id"], limit=100).items
        entity = f"nomination:{body['id']}"
    else:
        found = store.reports.revisions("ca-nghe-an", "2021-08").items
        entity = "report:ca-nghe-an:2021-08"
    return found, store.audit.list(entity).items


def _assert_replays(first: Any, retry: Any) -> None:
    assert retry.status_code == 201 and retry.headers.get("Idempotent-Replayed") == "true", (retry.status_code,
                                                                                            retry.body)
    assert retry.data == first.data
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers.get("Location") == first.headers.get("Location")


def _assert_stored_once(store: Store, request: Request, answer: Any) -> None:
    found, events = _entities(store, request, answer)
    assert len(found) == 1, found
    assert len(events) == 1, events


@pytest.mark.parametrize("route", ROUTES)
def test_every_idempotent_route_stores_its_answer_in_its_own_transaction(api, store, requests, answers, clock, route):
    request = requests[route]
    first = request.send(api, "k-1")
    assert first.status_code == 201, first.body
    # Right after the change, the answer is in the table: written by the change's own transaction.
    assert answers.separate_answers == []
    [transaction] = answers.transactions
    assert sum(map(_is_answer, transaction)) == 1 and len(transaction) > 2  # the change, its audit event, its answer
    record = _record(store, request, "k-1")
    assert record is not None and record["state"] == "done", record
    assert record["in_progress_until"] == int(clock.now().timestamp()) + CLAIM_SECONDS  # the setting is read
    assert record["response"]["status"] == 201 and json.loads(record["response"]["body"]) == first.data
    clock.advance(seconds=CLAIM_SECONDS + 1)  # the claim has expired
    _assert_replays(first, request.send(api, "k-1"))
    assert len(answers.transactions) == 1 and answers.separate_answers == []
    _assert_stored_once(store, request, first)


@pytest.mark.parametrize("route", ROUTES)
def test_a_lost_answer_to_the_commit_is_replayed_after_the_claim_expires(api, store, requests, answers, clock, route):
    request = requests[route]
    answers.lose_next = 1
    first = request.send(api, "k-2")
    assert first.status_code == 503 and first.headers["Retry-After"], first.body
    record = _record(store, request, "k-2")  # the 503 released nothing: the commit's answer stands
    assert record is not None and record["state"] == "done" and record["response"]["status"] == 201, record
    clock.advance(seconds=CLAIM_SECONDS + 1)
    retry = request.send(api, "k-2")
    assert retry.status_code == 201 and retry.headers.get("Idempotent-Replayed") == "true", retry.body
    assert retry.data == json.loads(record["response"]["body"])
    _assert_replays(retry, request.send(api, "k-2"))
    assert len(answers.transactions) == 1 and answers.separate_answers == []
    _assert_stored_once(store, request, retry)


def test_a_retried_nomination_replays_201_and_never_stores_a_409(api, store, requests, answers, clock):
    """The review's case: the first answer lost, the retry after the claim expired met the
    nominee already nominated (409), and that 409 became the key's answer for 24 hours."""
    request = requests["nomination"]
    answers.lose_next = 1
    assert request.send(api, "k-3").status_code == 503
    replies = []
    for _ in range(3):
        clock.advance(seconds=CLAIM_SECONDS + 1)
        replies.append(request.send(api, "k-3"))
    assert [r.status_code for r in replies] == [201, 201, 201]
    assert all(r.headers.get("Idempotent-Replayed") == "true" and r.data == replies[0].data for r in replies)
    assert _record(store, request, "k-3")["response"]["status"] == 201
    # The same nominee under another key is another request: its 409 leaves our key's answer alone.
    assert request.send(api, "k-4").status_code == 409
    assert _record(store, request, "k-3")["response"]["status"] == 201
    _assert_stored_once(store, request, replies[0])


@pytest.mark.parametrize("route", ROUTES)
def test_a_request_that_outlives_its_claim_stores_nothing_and_answers_the_retrys_answer(api, store, requests, answers,
                                                                                       clock, route):
    """The first request's transaction reaches the database only after its claim expired and the
    client's retry took the key and made the change: the first must add nothing (no second
    conference) and answer what the key holds, not 409 or 428."""
    request = requests[route]
    retried = []

    def the_client_retries() -> None:
        clock.advance(seconds=CLAIM_SECONDS + 1)
        retried.append(request.send(api, "k-5"))  # runs, and commits, before the first's transaction

    answers.before_next_transaction = the_client_retries
    first = request.send(api, "k-5")
    [retry] = retried
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers, retry.body
    _assert_replays(retry, first)
    assert len(answers.transactions) == 2  # the retry's committed, the first's refused
    record = _record(store, request, "k-5")
    assert json.loads(record["response"]["body"]) == retry.data
    _assert_stored_once(store, request, retry)


class TransactionInProgress:
    """A DynamoDB client whose TransactWriteItems retry meets its own first attempt still running
    (real DynamoDB, same ClientRequestToken; DynamoDB Local never answers this)."""

    def transact_write_items(self, **_: Any) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "TransactionInProgressException", "Message": "in progress"}},
                          "TransactWriteItems")


def test_a_transaction_still_in_progress_is_unavailable_not_a_server_error() -> None:
    from chalicelib.store.dynamodb import DynamoTable
    from chalicelib.store.table import Absent, Put

    table = DynamoTable(TransactionInProgress(), "t")
    with pytest.raises(StoreUnavailable):  # a 503 with Retry-After; the retry then replays the key's answer
        table.transact([Put({"PK": "a", "SK": "a"}, Absent()), Put({"PK": "b", "SK": "b"}, Absent())])
