"""Who received which document version of a conference, and when (the office's "Đã gửi").

Read from the delivery records the compile claims per (document version, recipient) for its
exactly-once mail (`chalicelib.publishing.pipeline.deliver`): nothing is recorded twice here.
Pages follow the conference's document versions, so one page holds the deliveries of at most
DOCUMENTS_PER_PAGE versions (each at most MAX_RECIPIENTS recipients): far under Lambda's 6 MB.
"""

from __future__ import annotations

from typing import Any

from chalicelib.conferences import service
from chalicelib.core.states import DocumentState
from chalicelib.store import Store

DOCUMENTS_PER_PAGE = 20


def _public(document: dict[str, Any], delivery: dict[str, Any]) -> dict[str, Any]:
    # The claim and provider ids are the pipeline's bookkeeping: not shown.
    from chalicelib.publishing.lifecycle import kind_of

    return {"document_id": document["document_id"], "kind": kind_of(document["kind"]), "stream": document["kind"],
            "version": int(document["version"]),
            "number": document.get("number"), "recipient": delivery.get("recipient") or delivery["email"],
            "email": delivery["email"], "state": delivery.get("state"), "sent_at": delivery.get("sent_at"),
            "attempts": int(delivery.get("attempts", 1)), "error": delivery.get("error")}


def pending_compile(store: Store, conference_id: str) -> str | None:
    """When the compile request still waiting for (or in) a run was recorded; None when none waits."""
    return next((r["requested_at"] for r in store.conferences.compile_requests()
                 if r["conference_id"] == conference_id), None)


def list_deliveries(store: Store, conference_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of deliveries, by document version (oldest first), then by when each was sent."""
    service.get_conference(store, conference_id)  # 404 for an unknown conference
    page = store.documents.list(conference_id, limit=min(limit, DOCUMENTS_PER_PAGE), cursor=cursor)
    items: list[dict[str, Any]] = []
    for document in page.items:
        if document.get("state") != DocumentState.STORED:
            continue  # a version never stored was never sent (nor is a draft: only issued documents are)
        sent = [_public(document, d) for d in store.documents.deliveries(document["document_id"])]
        items += sorted(sent, key=lambda d: (d["sent_at"] or "9999", d["email"]))
    return {"items": items, "next": page.next, "compile_requested_at": pending_compile(store, conference_id)}
