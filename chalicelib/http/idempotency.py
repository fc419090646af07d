"""`Idempotency-Key`, as Powertools for AWS Lambda does it.

A key is bound to the caller, the method and the actual path: the same key sent
to another unit's or period's path is another request, never a replay. The body
is the payload fingerprint: the same key and path with another body is 422. A
record is claimed `in_progress` before the work and completed with the response,
in the work's own transaction when the view staged a change;
a request that dies mid-way leaves its claim to expire after
`THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS` (default `IN_PROGRESS_SECONDS`; API Gateway
gives up on a request after 29 s), so the client's retry proceeds instead of waiting a day.
Every write after the claim is conditioned on that very claim: a request that outlives it
(a short setting, a stuck call) stores nothing once a retry has taken the key, and answers
what the key holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Callable

from chalice import Response

from chalicelib.core.errors import Conflict, invalid
from chalicelib.core.settings import Settings
from chalicelib.core.states import IdempotencyState
from chalicelib.core.text import nfc_deep
from chalicelib.store import ClaimLost, StoreUnavailable
from chalicelib.store.protocols import Receipt

log = logging.getLogger("thidua.idempotency")

IN_PROGRESS_SECONDS: int = Settings.idempotency_in_progress_seconds  # the setting's default
TTL_SECONDS = 24 * 3600
REPLAYED_HEADERS = ("content-type", "etag", "location")


def record_key(scope: str, method: str, path: str, key: str) -> str:
    return hashlib.sha256("\0".join((scope, method.upper(), path, key)).encode()).hexdigest()


def fingerprint(raw: bytes) -> str:
    try:  # the same JSON with keys in another order is the same request
        canonical = json.dumps(nfc_deep(json.loads(raw)), sort_keys=True, ensure_ascii=False).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


@dataclass
class PendingAnswer:
    """A claimed key whose answer is not stored yet."""
    record_key: str
    now: int
    claimed_until: int  # the claim's in_progress_until: which claim is this request's
    offered: bool = False  # a view put the answer into its own transaction

    def receipt(self, response: Response) -> Receipt:
        self.offered = True
        return Receipt(self.record_key, answer_record(response), self.now, TTL_SECONDS, self.claimed_until)


def answer_record(response: Response) -> dict:
    body = response.body if isinstance(response.body, str) else json.dumps(response.body)
    return {"status": response.status_code, "body": body,
            "headers": {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}}


def _replay(record: dict) -> Response:
    stored = record["response"]
    return Response(body=stored["body"], status_code=stored["status"],
                    headers={**stored["headers"], "Idempotent-Replayed": "true"})


def _stored_answer(record: dict | None, print_: str) -> Response:
    """The answer a key holds, replayed; 422 for another body; 409 while the request holding it runs."""
    if record is not None and record.get("fingerprint") != print_:
        raise invalid("Idempotency-Key", "Khóa đã dùng với nội dung khác.",
                      "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.")
    if record is None or record.get("state") != IdempotencyState.DONE:
        raise Conflict("Yêu cầu cùng Idempotency-Key đang được xử lý; hãy thử lại sau.", retry_after=1)
    return _replay(record)


def run_once(ctx, run: Callable[[], Response]) -> Response:
    """Run the request once per (caller, method, path, key); replay its response afterwards."""
    key = ctx.header("idempotency-key") or ""
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise invalid("Idempotency-Key", "Phải dài từ 1 đến 255 ký tự in được.")
    repo = ctx.store.idempotency
    rkey = record_key(ctx.who.scope, ctx.operation.method, ctx.actual_path, key)
    print_ = fingerprint(ctx.raw_body())
    now = int(ctx.now().timestamp())
    in_progress = ctx.settings.idempotency_in_progress_seconds
    existing = repo.claim(rkey, print_, now, in_progress, TTL_SECONDS)
    if existing is not None:
        return _stored_answer(existing, print_)
    ctx.answer = pending = PendingAnswer(rkey, now, now + in_progress)
    try:
        response = run()
    except ClaimLost:
        # Our claim expired while we ran and the client's retry took the key: our transaction
        # stored nothing, and the key's answer (or its retry still running) is the one to give.
        return _stored_answer(repo.get(rkey), print_)
    except Exception:
        repo.release(rkey, pending.claimed_until)  # a crash must not pin the key
        raise
    finally:
        ctx.answer = None
    if response.status_code >= 500:
        repo.release(rkey, pending.claimed_until)
        return response
    if pending.offered and 200 <= response.status_code < 300:
        return response  # a 2xx means the view's transaction, receipt included, committed
    record = answer_record(response)
    for attempt in range(3):
        try:
            repo.complete(rkey, record, now, TTL_SECONDS, pending.claimed_until)
            break
        except StoreUnavailable:
            # The work is done and stored: the client must hear so, even if the record of its
            # answer could not be kept (a retry would then meet the stored report, not a replay).
            log.warning("could not record the answer of idempotent request %s (try %d)", rkey[:12], attempt + 1)
    return response
