"""A document stream's lifecycle as the office works it: dự thảo → trình ký → (ký) → ban hành → gửi.

Each stream of a conference (the summary, the Tờ trình, one Quyết định per granting issuer and
award form) has a head record in the store (`store.documents.stream`): its stage, its current
draft, who it was submitted to, the number the clerk entered from the register, the document it
replaces, the signer's note. The compile (`pipeline.py`) makes drafts and issues approved streams;
these are the steps people take over HTTP. Plain Python: no renderer, no pipeline, no pyHanko at
import (the API Lambdas import this).

    draft ──submit──▶ submitted ──approve──▶ approved ──compile──▶ issued ──replace──▶ draft (replaces)
      ▲                   │                      │
      └─────return────────┘◀─ inputs changed ────┘ (back to draft with a note)
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from chalicelib.conferences import service
from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.clock import iso
from chalicelib.core.errors import Conflict, Forbidden, NotFound, invalid
from chalicelib.core.periods import VN_TZ
from chalicelib.core.states import DocumentState
from chalicelib.store import Store

DRAFT, SUBMITTED, APPROVED, ISSUED, REPLACED = "draft", "submitted", "approved", "issued", "replaced"
STAGES = (DRAFT, SUBMITTED, APPROVED, ISSUED, REPLACED)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHANGED_AFTER_SUBMIT = "Số liệu đã thay đổi sau khi trình ký; cần trình ký lại."

# How mail and the API name each kind ("Quyết định số 12/QĐ-BCA").
NOUNS = {"summary": "Báo cáo", "proposal": "Tờ trình", "decision": "Quyết định", "commendations": "Danh sách"}


def kind_of(stream: str) -> str:
    """The kind a stored stream string names: "decision@bo-cong-an@bang-khen-bo-truong" -> "decision"."""
    return stream.split("@", 1)[0]


def noun(stream: str) -> str:
    return NOUNS.get(kind_of(stream), "Văn bản")


def entity(conference_id: str, stream: str) -> str:
    return f"document:{conference_id}:{stream}"


def stage_of(record: dict[str, Any]) -> str:
    """Records stored before the lifecycle carry no stage: a numbered one was issued, the rest drafts."""
    return record.get("stage") or (ISSUED if record.get("number") else DRAFT)


def vn_date(iso_date: str) -> str:
    """05/9/2021; days below 10 and months 1-2 take a leading zero (Decree 30)."""
    import datetime as dt

    d = dt.date.fromisoformat(iso_date)
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d.month < 3 else f"{d.day:02d}/{d.month}/{d.year}"


def reference(record: dict[str, Any]) -> str:
    """How another document names this one: "Quyết định số 01/QĐ-BCA ngày 05/9/2021"."""
    text = f"{noun(record['kind'])} số {record.get('number')}"
    return f"{text} ngày {vn_date(record['issued_on'])}" if record.get("issued_on") else text


def about(record: dict[str, Any]) -> str:
    """"Quyết định về việc tặng Bằng khen …": the kind's noun and its trích yếu, lower-cased."""
    title = record.get("title") or ""
    lowered = title[:1].lower() + title[1:]
    first = noun(record["kind"])
    return lowered if lowered.lower().startswith(first.lower()) else f"{first} {lowered}".strip()


# -- reading ---------------------------------------------------------------------------

def stored_document(store: Store, document_id: str) -> dict[str, Any]:
    doc_id = service.parse_document_id(document_id)
    record = store.documents.get(doc_id) if doc_id else None
    if record is None or record.get("state") != DocumentState.STORED:
        raise NotFound(f"văn bản có mã '{document_id}'")
    return record


def _ref(record: dict[str, Any] | None, with_date: bool = False) -> dict[str, Any] | None:
    if not record:
        return None
    out = {"document_id": record["document_id"], "number": record.get("number")}
    return out | {"issued_on": record.get("issued_on")} if with_date else out


def document_public(record: dict[str, Any], base_url: str, head: dict[str, Any] | None = None,
                    current: bool | None = None) -> dict[str, Any]:
    doc_id, stream = record["document_id"], record["kind"]
    stage = stage_of(record)
    is_current = current if current is not None else (
        head is None or head.get("current_document_id") in (None, doc_id))
    waiting = head is not None and head.get("draft_document_id") == doc_id and stage in (DRAFT, SUBMITTED, APPROVED)
    submitted_to = (head or {}).get("submitted_to") if waiting and stage in (SUBMITTED, APPROVED) else None
    return_note = (head or {}).get("return_note") if waiting and stage == DRAFT else record.get("return_note")
    issuer = record.get("issuer")
    return {
        "id": doc_id, "document_id": doc_id, "kind": kind_of(stream), "stream": stream, "stage": stage,
        "version": int(record["version"]), "number": record.get("number"), "title": record.get("title"),
        "symbol": record.get("symbol") or record.get("number_prefix"),
        "issuer": {"id": issuer["id"], "name": issuer["name"]} if issuer else None,
        "issued_on": record.get("issued_on") if stage in (ISSUED, REPLACED) else None,
        "sha256": record.get("sha256"), "size": record.get("size"), "created_at": record.get("stored_at"),
        "url": service.file_url(base_url, doc_id),
        "docx_url": service.file_url(base_url, doc_id) if record.get("docx_key") else None,
        "verify_url": service.verify_url(base_url, doc_id), "verify_code": service.verify_code(doc_id),
        "signed": bool(record.get("signed")), "replaces": record.get("replaces") and {
            "document_id": record["replaces"]["document_id"], "number": record["replaces"].get("number")},
        "replaced_by": record.get("replaced_by") and {
            "document_id": record["replaced_by"]["document_id"], "number": record["replaced_by"].get("number")},
        "submitted_to": submitted_to and {"account_id": submitted_to["account_id"], "name": submitted_to["name"]},
        "return_note": return_note, "current": bool(is_current),
    }


def list_documents(store: Store, conference_id: str, base_url: str, limit: int, cursor: str | None) -> dict[str, Any]:
    service.get_conference(store, conference_id)
    heads = {h["stream"]: h for h in store.documents.streams(conference_id)}
    page = store.documents.list(conference_id, limit=limit, cursor=cursor)
    stored = [r for r in page.items if r.get("state") == DocumentState.STORED]
    newest: dict[str, int] = {}
    for r in stored:  # streams without a head (stored before the lifecycle): the newest version is current
        newest[r["kind"]] = max(newest.get(r["kind"], 0), int(r["version"]))
    items = [document_public(r, base_url, heads.get(r["kind"]),
                             None if r["kind"] in heads else int(r["version"]) == newest[r["kind"]])
             for r in stored]
    return {"items": items, "next": page.next}


def document_item(store: Store, record: dict[str, Any], base_url: str) -> dict[str, Any]:
    fresh = store.documents.get(record["document_id"]) or record
    return document_public(fresh, base_url, store.documents.stream(fresh["conference_id"], fresh["kind"]))


def may_read(store: Store, who: Principal, document_id: str) -> None:
    """Staff read every document; anyone else only the one submitted to them for signing (a unit head
    signing a Giấy khen reads the draft before approving it)."""
    if who.is_staff:
        return
    record = stored_document(store, document_id)
    head = store.documents.stream(record["conference_id"], record["kind"]) or {}
    if (who.account_id is None or head.get("draft_document_id") != record["document_id"]
            or (head.get("submitted_to") or {}).get("account_id") != who.account_id):
        raise Forbidden("Chỉ quản trị, lãnh đạo và người được trình ký văn bản này mới tải được tệp.")


def signing_requests(store: Store, who: Principal, base_url: str) -> dict[str, Any]:
    """What is submitted to the caller (a person) and not yet approved or returned."""
    if who.account_id is None:
        return {"items": [], "next": None}
    items = []
    for head in store.documents.awaiting(who.account_id):
        record = store.documents.get(head["draft_document_id"])
        if record is not None and head.get("stage") == SUBMITTED:
            conference = store.conferences.get(head["conference_id"]) or {}
            items.append({**document_public(record, base_url, head),
                          "conference_id": head["conference_id"], "conference_title": conference.get("title"),
                          "submitted_at": head.get("submitted_at"),
                          "submitted_by": (head.get("submitted_by") or {}).get("name")})
    return {"items": items, "next": None}


# -- the steps -------------------------------------------------------------------------

def _head_for(store: Store, record: dict[str, Any]) -> dict[str, Any]:
    head = store.documents.stream(record["conference_id"], record["kind"])
    if head is None:
        raise Conflict("Văn bản này không thuộc quy trình trình ký (văn bản cũ).")
    return head


def _current_draft(head: dict[str, Any], record: dict[str, Any], stage: str) -> None:
    if head.get("draft_document_id") != record["document_id"]:
        raise Conflict("Đây không phải bản dự thảo mới nhất của văn bản; hãy tải lại danh sách văn bản.")
    if head.get("stage") != stage:
        raise Conflict(f"Văn bản đang ở bước '{head.get('stage')}', không phải '{stage}'.")


def _draft_year(record: dict[str, Any], now: datetime) -> int:
    return int(record.get("year") or now.astimezone(VN_TZ).year)


def submit(store: Store, who: Principal, document_id: str, signer_account_id: str, number: int | None,
           now: datetime) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Trình ký: the current draft goes to one signer. Returns (record, head, signer account)."""
    record = stored_document(store, document_id)
    head = _head_for(store, record)
    _current_draft(head, record, DRAFT)
    signer = store.accounts.get(signer_account_id)
    if signer is None or signer.get("status") != "active":
        raise invalid("signer_account_id", "Người ký phải là một tài khoản đang hoạt động.")
    if number is not None:
        if number < 1:
            raise invalid("number", "Số văn bản phải từ 1 trở lên.")
        symbol = record.get("symbol") or ""
        if store.documents.number_taken(symbol, _draft_year(record, now), number):
            raise Conflict(f"Số {number:02d}/{symbol} năm {_draft_year(record, now)} đã được dùng.")
    at = iso(now)
    to = {"account_id": signer["id"], "name": signer.get("name") or signer.get("email")}
    by = {"account_id": who.account_id, "name": who.name,
          "email": (store.accounts.get(who.account_id) or {}).get("email") if who.account_id else None}
    gsi_pk, gsi_sk = _signing_keys(signer["id"], at, record)
    fields = {"stage": SUBMITTED, "submitted_to": to, "submitted_by": by, "submitted_at": at,
              "number_requested": number, "return_note": None, "GSI1PK": gsi_pk, "GSI1SK": gsi_sk}
    store.explain(stage=Conflict("Văn bản vừa thay đổi (một bản dự thảo mới hoặc đã trình ký); hãy tải lại."))
    from chalicelib.store.table import Eq

    store.documents.move_stream(record["conference_id"], record["kind"], DRAFT, fields,
                                condition=Eq("draft_document_id", record["document_id"]),
                                documents=[(record, {"stage": SUBMITTED, "return_note": None})],
                                audit=audit.event(entity(record["conference_id"], record["kind"]), "submitted",
                                                  who, now, document_id=record["document_id"],
                                                  signer=signer["id"], number=number))
    return {**record, "stage": SUBMITTED, "return_note": None}, {**head, **fields}, signer


def _signing_keys(account_id: str, at: str, record: dict[str, Any]) -> tuple[str, str]:
    from chalicelib.store import keys

    return keys.signing_request_index(account_id, at, record["conference_id"], record["kind"])


def _as_signer(store: Store, who: Principal, document_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    record = stored_document(store, document_id)
    head = _head_for(store, record)
    _current_draft(head, record, SUBMITTED)
    if who.account_id is None or (head.get("submitted_to") or {}).get("account_id") != who.account_id:
        raise Forbidden("Chỉ người được trình ký văn bản này mới được duyệt hoặc trả lại.")
    return record, head


def approve(store: Store, who: Principal, document_id: str, now: datetime) -> dict[str, Any]:
    """The signer says yes: the compile issues it (number, date of approval, signature)."""
    from chalicelib.store.table import Eq

    record, head = _as_signer(store, who, document_id)
    at = iso(now)
    store.explain(stage=Conflict("Văn bản không còn chờ duyệt."))
    store.documents.move_stream(record["conference_id"], record["kind"], SUBMITTED,
                                {"stage": APPROVED, "approved_at": at, "approved_by": head["submitted_to"],
                                 "GSI1PK": None, "GSI1SK": None},
                                condition=Eq("draft_document_id", record["document_id"]),
                                documents=[(record, {"stage": APPROVED, "approved_at": at})],
                                audit=audit.event(entity(record["conference_id"], record["kind"]), "approved", who,
                                                  now, document_id=record["document_id"]))
    store.conferences.request_compile(record["conference_id"], at)
    return {**record, "stage": APPROVED}


def return_(store: Store, who: Principal, document_id: str, note: str,
            now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The signer sends it back with a note: the stream is a draft again. Returns (record, head)."""
    from chalicelib.store.table import Eq

    record, head = _as_signer(store, who, document_id)
    at = iso(now)
    store.explain(stage=Conflict("Văn bản không còn chờ duyệt."))
    fields = {"stage": DRAFT, "return_note": note, "returned_at": at, "GSI1PK": None, "GSI1SK": None}
    store.documents.move_stream(record["conference_id"], record["kind"], SUBMITTED, fields,
                                condition=Eq("draft_document_id", record["document_id"]),
                                documents=[(record, {"stage": DRAFT, "return_note": note})],
                                audit=audit.event(entity(record["conference_id"], record["kind"]), "returned", who,
                                                  now, document_id=record["document_id"], note=note))
    return {**record, "stage": DRAFT, "return_note": note}, {**head, **fields}


def replace(store: Store, who: Principal, document_id: str, reason: str, now: datetime) -> dict[str, Any]:
    """Reopen an issued document's stream: the next issue replaces it ("thay thế Quyết định số …")."""
    from chalicelib.store.table import Eq

    record = stored_document(store, document_id)
    head = _head_for(store, record) if stage_of(record) == ISSUED else None
    if head is None or head.get("stage") != ISSUED or head.get("issued_document_id") != record["document_id"]:
        raise Conflict("Chỉ thay thế được văn bản đã ban hành, chưa bị thay thế và không đang được thay thế.")
    at = iso(now)
    replaces = {"document_id": record["document_id"], "number": record.get("number"),
                "issued_on": record.get("issued_on"), "reference": reference(record)}
    store.explain(stage=Conflict("Văn bản vừa được thay thế hoặc thay đổi; hãy tải lại."))
    store.documents.move_stream(record["conference_id"], record["kind"], ISSUED,
                                {"stage": DRAFT, "replaces": replaces, "replace_reason": reason,
                                 "return_note": None, "submitted_to": None, "number_requested": None},
                                condition=Eq("issued_document_id", record["document_id"]),
                                audit=audit.event(entity(record["conference_id"], record["kind"]), "replacing", who,
                                                  now, document_id=record["document_id"], reason=reason))
    store.conferences.request_compile(record["conference_id"], at)
    return record


# -- verification ----------------------------------------------------------------------

def _signature(record: dict[str, Any], pdf: bytes | None) -> dict[str, Any] | None:
    """The signature's report: validated again (pyHanko) when the PDF is at hand, else as recorded at issue."""
    if pdf is None:
        if not record.get("signed"):
            return None
        stored = record.get("signature") or {}
        return {"intact": True, "trusted": True, "valid": True, "signer": stored.get("signer", ""),
                "signed_at": stored.get("signed_at", ""), "issuer": stored.get("issuer", "")}
    return validate(pdf)


def validate(pdf: bytes) -> dict[str, Any] | None:
    """pyHanko's verdict on a PDF's signature against the stage's trust roots; None for an unsigned PDF."""
    from chalicelib.core.settings import settings
    from chalicelib.documents import signing  # pyHanko: only when asked to verify

    return signing.verify_signature(settings(), pdf).as_json()


def verification(store: Store, document_id: str, artifacts: Any = None) -> dict[str, Any]:
    """What a reader holding the paper or the file may check: no auth, nothing else revealed."""
    record = stored_document(store, document_id)
    return _verification(store, record, artifacts)


def _verification(store: Store, record: dict[str, Any], artifacts: Any, pdf: bytes | None = None) -> dict[str, Any]:
    stage = stage_of(record)
    head = store.documents.stream(record["conference_id"], record["kind"])
    latest = store.documents.latest(record["conference_id"], record["kind"])
    if head is not None:
        current = head.get("current_document_id") in (None, record["document_id"]) and stage != REPLACED
    else:
        current = latest is None or int(latest["version"]) == int(record["version"])
    newer = None if current or latest is None or latest.get("state") != DocumentState.STORED else {
        "id": latest["document_id"], "code": service.verify_code(latest["document_id"]),
        "version": int(latest["version"]), "number": latest.get("number")}
    replaced_by = record.get("replaced_by")
    notice = None
    if stage == REPLACED and replaced_by:
        notice = f"Văn bản này đã được thay thế bằng {noun(record['kind'])} số {replaced_by.get('number')}" + (
            f" ngày {vn_date(replaced_by['issued_on'])}." if replaced_by.get("issued_on") else ".")
    elif stage != ISSUED and not current:
        notice = "Bản dự thảo này đã được thay thế bằng bản dự thảo mới hơn; chưa ban hành."
    elif stage != ISSUED:
        notice = "Đây là bản dự thảo, chưa ban hành."
    elif not current:
        notice = "Văn bản này đã được thay thế bằng phiên bản mới hơn."
    if pdf is None and record.get("signed") and artifacts is not None:
        pdf = artifacts.get(record["artifact_key"])  # checked again: the stored file must still verify
    return {"id": record["document_id"], "code": service.verify_code(record["document_id"]),
            "kind": kind_of(record["kind"]), "stream": record["kind"], "stage": stage,
            "current": bool(current), "superseded_by": newer, "notice": notice,
            "number": record.get("number"), "title": record.get("title") or "",
            "date": record.get("issued_on") if stage in (ISSUED, REPLACED) else None,
            "version": int(record["version"]), "sha256": record.get("sha256") or "", "size": int(record.get("size") or 0),
            "agency": record.get("agency"),
            "replaced_by": replaced_by and {"document_id": replaced_by["document_id"],
                                            "number": replaced_by.get("number"),
                                            "issued_on": replaced_by.get("issued_on")},
            "signature": _signature(record, pdf)}


EMBEDDED_ID = re.compile(rb"/v1/documents/([0-9A-HJKMNP-TV-Z]{8})/verify")


# the printed link: the verification page (#/xac-thuc/<id>), or the API route documents printed before it
PRINTED_ID = re.compile(r"(?:#/xac-thuc/|/v1/documents/)([0-9A-HJKMNP-TV-Z]{8})")


def _printed_ids(pdf: bytes) -> list[str]:
    """The ids printed on the document (the verification link by the QR code), read from its text: the
    PDF's own streams are compressed. pdfminer (installed with the signing libraries) reads it."""
    import io

    try:
        from pdfminer.high_level import extract_text
        text = extract_text(io.BytesIO(pdf))
    except Exception:  # noqa: BLE001 - not a PDF we can read: nothing matches
        return []
    flat = "".join(text.split())
    return list(dict.fromkeys(PRINTED_ID.findall(flat)))


def verify_upload(store: Store, pdf: bytes) -> dict[str, Any]:
    """A copy someone holds: found by the id its QR code and link carry; `intact` false when its bytes are not
    the issued file's (an altered copy), whatever its signature says."""
    ids = list(dict.fromkeys(m.group(1).decode() for m in EMBEDDED_ID.finditer(pdf))) or _printed_ids(pdf)
    record = None
    for doc_id in ids:
        record = store.documents.get(doc_id)
        if record is not None and record.get("state") == DocumentState.STORED:
            break
        record = None
    if record is None:
        raise NotFound("văn bản khớp với tệp đã tải lên")
    digest = hashlib.sha256(pdf).hexdigest()
    result = _verification(store, record, None, pdf=pdf)
    matches = digest == record.get("sha256")
    result["matches"] = matches
    if not matches:
        sig = result.get("signature") or {"intact": False, "trusted": False, "valid": False, "signer": "",
                                          "signed_at": "", "issuer": ""}
        result["signature"] = {**sig, "intact": False, "valid": False}
        result["notice"] = "Tệp tải lên khác với văn bản đã ban hành: đã bị sửa đổi."
    elif record.get("signed") and result["signature"] is None:
        result["signature"] = {"intact": False, "trusted": False, "valid": False, "signer": "", "signed_at": "",
                               "issuer": ""}
    return result
