"""The compile: a conference's document streams → drafts (dự thảo) and issued documents (ban hành) →
one email per recipient with the issued documents attached (gửi).

Each stream (the summary, the Tờ trình, one Quyết định per granting issuer and award form:
`kinds.py`) has a lifecycle (`lifecycle.py`). The compile acts on its stage:

- `draft` (or a new stream): when the inputs' fingerprint changed, a new draft version: unnumbered,
  marked DỰ THẢO, no date of issue, and no mail. The stream head points at it.
- `approved` (the signer said yes): if the inputs still have the submitted draft's fingerprint, the
  final version: numbered (the clerk's number from the register, or the next in its (symbol, year)
  series), dated the approval day (Hà Nội), rendered, PDF signed (PAdES) and DOCX stored next to it;
  stored as `issued` in one transaction with its number item, the head and the document it replaces.
  If the inputs changed, the stream goes back to `draft` with a note (it must be submitted again).
- `submitted` / `issued`: nothing. A changed figure after ban hành makes no new version, no number.
  An issued Quyết định writes its awardees to the register of commendations (`chalicelib/register`),
  one entry each with an id from the document and the nomination; the head then notes
  `registered`, and until it does every compile writes them again (the same items: never twice).

Then every issued document is delivered: to the conference's recipients and, for a decision, to
the units whose nominees are in it.

Run by the Chalice schedule (`app.compile_due_conferences`), by POST /compile, approve and replace
(`trigger.py`) and by `python -m chalicelib.cli compile`. Exactly once, even when EventBridge delivers
the schedule twice or Lambda retries:

1. A stream's version is claimed with a conditional write (version and its public id pointer in one
   transaction); older versions still rendering are marked "abandoned". A concurrent compile that
   loses sees the winner's claim and stops; a claim left rendering longer than STALE_RENDER (its
   owner crashed) may be taken over. Only the claim owner renders and stores.
2. A number belongs to an issued version or to none: its item (symbol, year, n) is put with
   attribute_not_exists in the transaction that issues the version. The next number taken meanwhile
   → rendered again with the following one; a number the clerk entered taken meanwhile → the stream
   goes back to draft with a note.
3. Each recipient's delivery of each issued document is claimed before sending, with a Message-ID
   derived from (documents, recipient), and marked sent afterwards; a claim stuck in "sending"
   longer than STALE_SEND is retried.

The edge: a crash after the mail server accepted a message but before "sent" is recorded means
that message is sent again once the claim goes stale (at least once there); the repeated
Message-ID lets mail systems and readers spot it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from chalicelib.conferences import service
from chalicelib.conferences.recipients import from_stored, recipients_of
from chalicelib.core import audit
from chalicelib.core.clock import iso
from chalicelib.core.errors import NotFound
from chalicelib.core.periods import VN_TZ
from chalicelib.core.settings import Settings
from chalicelib.core.states import DocumentState, SendState
from chalicelib.delivery import (Attachment, DownloadLink, S3Artifacts, artifacts_for, build_fitted_message,
                                 default_sender, emails, mailer_for, make_message_id)
from chalicelib.publishing import lifecycle
from chalicelib.publishing.kinds import KINDS, DocumentKind, Numbering, Stream
from chalicelib.publishing.lifecycle import APPROVED, DRAFT, ISSUED, REPLACED
from chalicelib.publishing.names import attachment_name
from chalicelib.store import AlreadyExists, ConditionFailed, Store

log = logging.getLogger("thidua.compile")

STALE_RENDER = dt.timedelta(minutes=10)
STALE_SEND = dt.timedelta(minutes=5)
DOCX_TYPE = lifecycle.DOCX

Render = Callable[[Any], bytes] | Mapping[str, Callable[[Any], bytes]]
# sign(pdf, stream, number text, conf) -> the signed PDF; docx(document model) -> the DOCX bytes
Sign = Callable[[bytes, Stream, str, Settings], bytes]
Docx = Callable[[Any], bytes]


class CompileFailed(RuntimeError):
    """Some conference could not be compiled or some recipient not reached (retry later)."""


def signing_enabled(env: Mapping[str, str] | None = None) -> bool:
    """THIDUA_SIGNING=off: issue without a signature (tests that do not look at signatures). Anything
    else: an issued document is signed, or not issued at all (no credentials: the compile fails loudly)."""
    return ((env if env is not None else os.environ).get("THIDUA_SIGNING") or "on").strip().lower() != "off"


def default_sign(pdf: bytes, stream: Stream, number: str, conf: Settings) -> bytes:
    """The issuing body's PAdES signature, the appearance in the signer block. Raises when the
    body has no credentials (signing.SigningUnavailable): never issued silently unsigned."""
    from chalicelib.documents import signing  # pyHanko: only here

    return signing.sign_issued(conf, pdf, stream.issuer, reason=f"Ban hành {stream.kind.noun} số {number}")


def default_docx(doc: Any) -> bytes:
    from chalicelib.documents.docx import render_docx  # python-docx: only here

    return render_docx(doc)


@dataclass
class CompileResult:
    conference_id: str
    state: str                       # "stored" | "in_progress"
    documents: list[dict[str, Any]] = field(default_factory=list)   # each stream's current record this run saw
    created: bool = False            # this run stored a new version of some stream
    deliveries: dict[str, str] = field(default_factory=dict)  # email -> sent|already_sent|in_progress|failed
    issued: list[dict[str, Any]] = field(default_factory=list)  # the documents this run issued

    @property
    def document(self) -> dict[str, Any] | None:
        """The summary report's record (the first stream)."""
        return self.documents[0] if self.documents else None

    @property
    def failed(self) -> list[str]:
        return [e for e, s in self.deliveries.items() if s == SendState.FAILED]

    def as_dict(self) -> dict[str, Any]:
        doc = self.document or {}
        fields = ("kind", "stage", "document_id", "version", "number", "artifact_key", "docx_key")
        return {"conference_id": self.conference_id, "state": self.state, "created": self.created,
                "document_id": doc.get("document_id"), "version": doc.get("version"),
                "number": doc.get("number"), "artifact_key": doc.get("artifact_key"),
                "documents": [{k: d.get(k) for k in fields} for d in self.documents],
                "issued": [{k: d.get(k) for k in fields} for d in self.issued],
                "deliveries": self.deliveries}


def _age(since: str | None, now: dt.datetime) -> dt.timedelta:
    if not since:
        return dt.timedelta.max
    return now - dt.datetime.fromisoformat(since)


def artifact_key(conference_id: str, version: int, stream: str, extension: str = "pdf") -> str:
    """One folder per stream and version: conferences/<id>/<stream>/v<n>/<stem>.<ext>."""
    from chalicelib.publishing.names import stem

    return f"conferences/{conference_id}/{stream.replace('@', '-')}/v{version}/{stem(stream)}.{extension}"


def document_number(sequence: int, symbol: str) -> str:
    return f"{sequence:02d}/{symbol}"


def stream_fingerprint(stream: Stream, head: dict[str, Any] | None) -> str:
    """The inputs' fingerprint, and the document it replaces (a replacement prints "thay thế …")."""
    replaces = ((head or {}).get("replaces") or {}).get("document_id") or ""
    return hashlib.sha256(f"{stream.kind.fingerprint(stream.inputs)}|{replaces}".encode()).hexdigest()


# -- claims ----------------------------------------------------------------------------

@dataclass
class _Claim:
    stream: Stream
    purpose: str                      # "draft" | "issue"
    state: str                        # "stored": nothing to render; "busy": another run renders it; "mine"
    record: dict[str, Any] | None
    mine: str
    head: dict[str, Any] | None
    doc: Any = None                   # the document model, once built
    number: tuple[int, int] | None = None  # (year, n) an issue carries, taken when stored

    @property
    def kind(self) -> DocumentKind:
        return self.stream.kind


def _claim_version(store: Store, stream: Stream, head: dict[str, Any] | None, purpose: str, *,
                   conference: dict[str, Any], now: dt.datetime) -> _Claim:
    """Find or claim the version of `stream` these inputs make, as a draft or as the issue."""
    cid, key = conference["id"], stream.key
    fp = stream_fingerprint(stream, head)
    mine = secrets.token_hex(8)
    latest = store.documents.latest(cid, key)
    if (latest is not None and latest.get("fingerprint") == fp and latest.get("purpose", DRAFT) == purpose
            and latest["state"] != DocumentState.ABANDONED):
        record = latest
    else:
        version = (int(latest["version"]) + 1) if latest else 1
        while True:
            record = {"conference_id": cid, "kind": key, "version": version, "fingerprint": fp, "purpose": purpose,
                      "document_id": service.new_document_id(), "state": DocumentState.RENDERING.value,
                      "claim": mine, "claimed_at": iso(now), "symbol": stream.symbol}
            if stream.kind.fingerprint_scheme:
                record["fingerprint_scheme"] = stream.kind.fingerprint_scheme
            try:
                store.documents.claim_version(record)
                break
            except AlreadyExists as exc:
                if str(exc) == "id":
                    continue  # random id collided: draw another
                other = store.documents.get_version(cid, key, version)
                if other is not None and other.get("fingerprint") == fp and other.get("purpose", DRAFT) == purpose:
                    record = other  # a concurrent run claimed the same inputs
                    break
                version += 1
    if record["state"] == DocumentState.STORED:
        return _Claim(stream, purpose, "stored", record, mine, head)
    if record["claim"] != mine:
        if _age(record.get("claimed_at"), now) < STALE_RENDER:
            return _Claim(stream, purpose, "busy", None, mine, head)  # the other run finishes it
        try:
            store.documents.take_over(cid, key, record["version"], record["claim"], mine, iso(now))
        except ConditionFailed:
            return _Claim(stream, purpose, "busy", None, mine, head)
        record = {**record, "claim": mine, "claimed_at": iso(now)}
    if int(record["version"]) > 1:
        # A render older than this version is superseded whatever its state: it must not be stored after this one.
        store.documents.abandon_older(cid, key, int(record["version"]), iso(now))
    return _Claim(stream, purpose, "mine", record, mine, head)


def _approval_day(head: dict[str, Any]) -> dt.date:
    return dt.datetime.fromisoformat(head["approved_at"]).astimezone(VN_TZ).date()


def _build(store: Store, claim: _Claim, *, conf: Settings, now: dt.datetime) -> _Claim:
    """The claimed version's document model: a draft, or the issue with the number it would take."""
    record, head = claim.record, claim.head or {}
    assert record is not None
    doc_id = record["document_id"]
    replaces = (head.get("replaces") or {}).get("reference")
    if claim.purpose == "issue":
        issued_on = _approval_day(head)
        year = issued_on.year
        n = head.get("number_requested") or store.documents.last_issued(claim.stream.symbol, year) + 1
        number: tuple[int, int] | None = (year, int(n))
        text: str | None = document_number(int(n), claim.stream.symbol)
    else:
        issued_on, year, number, text = None, now.astimezone(VN_TZ).year, None, None
    doc = claim.kind.build(claim.stream.inputs, Numbering(
        number=text, document_id=doc_id, issued_on=issued_on, year=year,
        verify_url=service.verify_url(conf.public_base_url, doc_id), verify_code=service.verify_code(doc_id),
        replaces=replaces))
    return _Claim(claim.stream, claim.purpose, claim.state, record, claim.mine, claim.head, doc, number)


class _NumberTaken(Exception):
    """The next number was taken meanwhile: render again with the following one."""


def _common_fields(claim: _Claim, doc: Any, now: dt.datetime) -> dict[str, Any]:
    issuer = claim.stream.issuer
    head = claim.head or {}
    return {"state": DocumentState.STORED.value, "title": doc.title,
            "agency": getattr(issuer, "name", None) or getattr(doc, "agency", None),
            "issuer": {"id": issuer.id, "name": issuer.name}, "symbol": claim.stream.symbol, "stored_at": iso(now),
            "replaces": ({k: head["replaces"].get(k) for k in ("document_id", "number", "issued_on")}
                         if head.get("replaces") else None)}


def _store_draft(store: Store, claim: _Claim, pdf: bytes, *, now: dt.datetime, artifacts: Any) -> dict[str, Any] | None:
    record, doc = claim.record, claim.doc
    assert record is not None
    cid, version, key = record["conference_id"], int(record["version"]), record["kind"]
    path = artifact_key(cid, version, key)
    stored = artifacts.put(path, pdf, "application/pdf", metadata={
        "document-id": record["document_id"], "conference-id": cid, "version": str(version)})
    fields = {**_common_fields(claim, doc, now), "stage": DRAFT, "artifact_key": path, "sha256": stored.sha256,
              "size": stored.size, "year": now.astimezone(VN_TZ).year}
    try:
        store.documents.store_version(cid, key, version, fields, claim.mine)
    except ConditionFailed:
        return None  # taken over or abandoned meanwhile
    log.info("stored draft %s %s v%s (%s bytes)", cid, key, version, stored.size)
    return {**record, **fields}


def _store_issue(store: Store, claim: _Claim, pdf: bytes, *, now: dt.datetime, conf: Settings, artifacts: Any,
                 sign: Sign, docx: Docx) -> dict[str, Any] | None:
    """Sign, store PDF and DOCX, and issue the version in one transaction (number, head, replaced document)."""
    record, doc, head = claim.record, claim.doc, claim.head or {}
    assert record is not None and claim.number is not None
    cid, version, key = record["conference_id"], int(record["version"]), record["kind"]
    year, n = claim.number
    text = document_number(n, claim.stream.symbol)
    signed = False
    if signing_enabled():
        pdf = sign(pdf, claim.stream, text, conf)
        signed = True
    path = artifact_key(cid, version, key)
    meta = {"document-id": record["document_id"], "conference-id": cid, "version": str(version)}
    stored = artifacts.put(path, pdf, "application/pdf", metadata=meta)
    docx_bytes = docx(doc)
    docx_path = artifact_key(cid, version, key, "docx")
    stored_docx = artifacts.put(docx_path, docx_bytes, DOCX_TYPE, metadata=meta)
    issued_on = _approval_day(head).isoformat()
    issuer = claim.stream.issuer
    fields = {**_common_fields(claim, doc, now), "stage": ISSUED, "number": text, "issued_on": issued_on,
              "year": year, "artifact_key": path, "sha256": stored.sha256, "size": stored.size,
              "docx_key": docx_path, "docx_sha256": stored_docx.sha256, "docx_size": stored_docx.size,
              "signed": signed, "signature": {"signer": issuer.signer_name, "issuer": issuer.name,
                                              "signed_at": iso(now)} if signed else None,
              "draft_document_id": head.get("draft_document_id"), "approved_by": head.get("approved_by"),
              "unit_recipients": list(claim.stream.recipients)}
    head_fields = {"stage": ISSUED, "issued_document_id": record["document_id"], "issued_version": version,
                   "current_document_id": record["document_id"], "issued_at": iso(now), "number_requested": None,
                   "return_note": None, "replaces": None}
    replaced = None
    old_id = (head.get("replaces") or {}).get("document_id")
    if old_id:
        old = store.documents.get(old_id)
        if old is not None:
            replaced = (old, {"stage": REPLACED, "replaced_by": {"document_id": record["document_id"], "number": text,
                                                                 "issued_on": issued_on}})
    event = audit.event(lifecycle.entity(cid, key), "issued", None, now, document_id=record["document_id"],
                        number=text, replaces=old_id)
    try:
        store.documents.issue(record, fields, claim.mine, number=(claim.stream.symbol, year, n), head=head_fields,
                              replaced=replaced, audit=event)
    except AlreadyExists:
        if head.get("number_requested"):
            _number_refused(store, claim, text, now)
            return None
        raise _NumberTaken() from None
    except ConditionFailed:
        return None  # taken over, abandoned, or the stream moved meanwhile
    log.info("issued %s %s v%s %s (%s bytes, signed %s)", cid, key, version, text, stored.size, signed)
    return {**record, **fields}


def _number_refused(store: Store, claim: _Claim, text: str, now: dt.datetime) -> None:
    """The number the clerk entered was taken since trình ký: back to draft, to be submitted with another."""
    record, head = claim.record, claim.head or {}
    assert record is not None
    note = f"Số {text} đã được dùng cho văn bản khác; cần trình ký lại với số khác."
    draft = store.documents.get(head.get("draft_document_id") or "")
    try:
        store.documents.update_version(record["conference_id"], record["kind"], int(record["version"]),
                                       {"state": DocumentState.ABANDONED.value}, claim.mine)
        store.documents.move_stream(record["conference_id"], record["kind"], APPROVED,
                                    {"stage": DRAFT, "return_note": note, "number_requested": None},
                                    documents=[(draft, {"stage": DRAFT, "return_note": note})] if draft else [],
                                    audit=audit.event(lifecycle.entity(record["conference_id"], record["kind"]),
                                                      "number_refused", None, now, number=text))
    except ConditionFailed:
        pass
    log.warning("%s %s: number %s taken; back to draft", record["conference_id"], record["kind"], text)


# A conflict means another document of the series was issued meanwhile; past this many in a
# row the version is left rendering, for a later run to take over once its claim is stale.
NUMBER_ATTEMPTS = 10


def _render_and_store(store: Store, built: list[_Claim], pdfs: list[bytes], *, now: dt.datetime, conf: Settings,
                      artifacts: Any, render: Render | None, sign: Sign, docx: Docx) -> dict[str, dict[str, Any] | None]:
    """Store each rendered version (stream key -> its record, None when its claim was lost or its number
    kept being taken), rendering again those whose next number another document took."""
    results: dict[str, dict[str, Any] | None] = {}
    for _ in range(NUMBER_ATTEMPTS):
        again: list[_Claim] = []
        for claim, pdf in zip(built, pdfs):
            if claim.purpose == "draft":
                results[claim.stream.key] = _store_draft(store, claim, pdf, now=now, artifacts=artifacts)
                continue
            try:
                results[claim.stream.key] = _store_issue(store, claim, pdf, now=now, conf=conf, artifacts=artifacts,
                                                         sign=sign, docx=docx)
            except _NumberTaken:
                log.info("the next number of %s was taken meanwhile: rendering %s again", claim.stream.symbol,
                         claim.stream.key)
                again.append(_build(store, claim, conf=conf, now=now))
        if not again:
            return results
        built = again
        pdfs = render_documents(built, conf=conf, render=render)
    for claim in built:
        log.warning("%s: its number kept being taken; left for a later run", claim.stream.key)
        results[claim.stream.key] = None
    return results


def render_documents(built: list[_Claim], *, conf: Settings, render: Render | None = None) -> list[bytes]:
    """Every claimed document's PDF. With the kinds' own renderers, all of them at once on
    `conf.render_workers` processes (long documents cut into balanced parts, see
    chalicelib/documents/parallel.py); a renderer given by the caller runs here, in turn."""
    if render is None and all(c.kind.html is not None for c in built):
        from chalicelib.documents.parallel import worker_count

        workers = worker_count(conf.render_workers)
        if workers > 1 and built:
            from chalicelib.documents.render import render_pdfs  # WeasyPrint: only in the compile

            return render_pdfs([c.kind.html(c.doc) for c in built], workers=workers)
    pdfs = []
    for c in built:
        chosen = render.get(c.kind.code) if isinstance(render, Mapping) else render
        pdfs.append((chosen or c.kind.render)(c.doc))
    return pdfs


# -- the lifecycle's compile-side steps ----------------------------------------------------

def _unchanged_or_back_to_draft(store: Store, stream: Stream, head: dict[str, Any], now: dt.datetime, *,
                                conference: dict[str, Any], conf: Settings) -> dict[str, Any]:
    """An approved stream is issued only from the inputs the signer saw; otherwise back to draft."""
    draft = store.documents.get(head.get("draft_document_id") or "")
    if draft is not None and draft.get("fingerprint") == stream_fingerprint(stream, head):
        return head
    if draft is not None and _unchanged_before_upgrade(store, stream, head, draft, conference, conf, now):
        return head
    fields = {"stage": DRAFT, "return_note": lifecycle.CHANGED_AFTER_SUBMIT, "number_requested": None}
    try:
        store.documents.move_stream(head["conference_id"], stream.key, APPROVED, fields,
                                    documents=[(draft, {"stage": DRAFT, "return_note": lifecycle.CHANGED_AFTER_SUBMIT})]
                                    if draft else [],
                                    audit=audit.event(lifecycle.entity(head["conference_id"], stream.key),
                                                      "changed_after_submit", None, now))
    except ConditionFailed:
        return store.documents.stream(head["conference_id"], stream.key) or head
    log.info("%s %s: inputs changed after trình ký; back to draft", head["conference_id"], stream.key)
    return {**head, **fields}


def _unchanged_before_upgrade(store: Store, stream: Stream, head: dict[str, Any], draft: dict[str, Any],
                              conference: dict[str, Any], conf: Settings, now: dt.datetime) -> bool:
    """A draft made before its kind's fingerprint changed its making (no `fingerprint_scheme` recorded):
    the same inputs when the fingerprint made the old way still matches it (read once, for such a draft)."""
    kind = stream.kind
    if kind.legacy_fingerprint is None or draft.get("fingerprint_scheme") == kind.fingerprint_scheme:
        return False
    replaces = ((head or {}).get("replaces") or {}).get("document_id") or ""
    legacy = kind.legacy_fingerprint(store, conference, conf, now)
    return draft.get("fingerprint") == hashlib.sha256(f"{legacy}|{replaces}".encode()).hexdigest()


def _point_head_at(store: Store, claim: _Claim, record: dict[str, Any]) -> None:
    """The stream's head names its newest draft (created with the stream's first draft)."""
    head = claim.head or {}
    if head.get("draft_document_id") == record["document_id"]:
        return
    store.documents.put_draft(record["conference_id"], record["kind"], {
        "stage": DRAFT, "kind": claim.kind.code, "symbol": claim.stream.symbol,
        "draft_version": int(record["version"]), "draft_document_id": record["document_id"],
        "current_document_id": record["document_id"]})


# -- mail ------------------------------------------------------------------------------

vn_date = lifecycle.vn_date
SUBJECT_MAX = 120


def _subject_about(title: str) -> str:
    """"Về việc tặng Bằng khen …" -> "tặng Bằng khen …" (the subject and the body say "về việc" once)."""
    text = title.strip()
    for lead in ("Về việc ", "V/v "):
        if text.startswith(lead):
            return text[len(lead):]
    return text[:1].lower() + text[1:]


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-–") + "…"


def mail_context(conference: dict[str, Any], documents: list[dict[str, Any]], recipient_name: str,
                 base_url: str) -> dict[str, Any]:
    docs = []
    for r in documents:
        noun = lifecycle.noun(r["kind"])
        replaces = r.get("replaces")
        docs.append({"noun": noun, "number": r.get("number"), "ref": f"{noun} số {r['number']}",
                     "issued_on": vn_date(r["issued_on"]), "about": _subject_about(r.get("title") or ""),
                     "replaces": (f"{noun} số {replaces['number']} ngày {vn_date(replaces['issued_on'])}"
                                  if replaces and replaces.get("issued_on") else
                                  f"{noun} số {replaces['number']}" if replaces else None),
                     "code": service.verify_code(r["document_id"]),
                     "verify_url": service.verify_url(base_url, r["document_id"]), "signed": bool(r.get("signed"))})
    return {"conference": conference, "conference_date": vn_date(conference["date"]), "documents": docs,
            "recipient_name": recipient_name}


def mail_subject(conference: dict[str, Any], documents: list[dict[str, Any]]) -> str:
    """Starts with the number: "Quyết định số 12/QĐ-BCA: tặng Bằng khen … - Hội nghị …", at most 120 characters."""
    context = mail_context(conference, documents, "", "")
    docs = context["documents"]
    first = docs[0]
    if len(docs) == 1:
        text = f"{first['ref']}: {first['about']} - {conference['title']}"
    else:
        # as many numbers as fit in about half the line, then how many more; the conference after
        shown = [first["ref"]]
        for d in docs[1:]:
            if len(", ".join([*shown, d["ref"]])) > SUBJECT_MAX // 2:
                break
            shown.append(d["ref"])
        rest = len(docs) - len(shown)
        text = ", ".join(shown) + (f" và {rest} văn bản khác" if rest else "") + f" - {conference['title']}"
    return _cut(" ".join(text.split()), SUBJECT_MAX)


def mail_bodies(conference: dict[str, Any], documents: list[dict[str, Any]], recipient_name: str,
                base_url: str) -> tuple[str, str]:
    context = mail_context(conference, documents, recipient_name, base_url)
    return emails.render("conference_documents", subject=mail_subject(conference, documents), **context)


def _links_for(documents: list[dict[str, Any]], artifacts: Any, base_url: str) -> Callable[[Attachment], DownloadLink]:
    by_name = {attachment_name(r): r for r in documents}

    def link(att: Attachment) -> DownloadLink:
        record = by_name[att.filename]
        # S3: a presigned URL; a local folder: the API's download route (admin/leader token).
        url = (artifacts.url(record["artifact_key"]) if isinstance(artifacts, S3Artifacts)
               else service.file_url(base_url, record["document_id"]))
        return DownloadLink(att.filename, url, len(att.data))
    return link


def _claim(store: Store, record: dict[str, Any], key: str, recipient: str, mine: str, now: dt.datetime) -> str:
    """Claim one document's delivery to one recipient: "mine", "sent" or "in_progress"."""
    doc_id = record["document_id"]
    existing = store.documents.claim_delivery({"document_id": doc_id, "email": key, "recipient": recipient,
                                               "state": SendState.SENDING.value, "claim": mine,
                                               "claimed_at": iso(now), "attempts": 1})
    if existing is None:
        return "mine"
    if existing["state"] == SendState.SENT:
        return "sent"
    if existing["state"] == SendState.SENDING and _age(existing.get("claimed_at"), now) < STALE_SEND:
        return "in_progress"
    try:  # failed before, or stuck in "sending" (a crash mid-send): take the claim over
        store.documents.update_delivery(doc_id, key, {"state": SendState.SENDING.value, "claimed_at": iso(now),
                                                      "attempts": int(existing.get("attempts", 1)) + 1},
                                        claim=existing["claim"], new_claim=mine)
        return "mine"
    except ConditionFailed:
        return "in_progress"


def _addressees(conference: dict[str, Any], documents: list[dict[str, Any]]) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Each recipient and the issued documents meant for them: the conference's recipients get every
    one; a unit named on a decision gets that decision."""
    out: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
    for recipient in recipients_of(conference):
        out.setdefault(recipient.key, (recipient, list(documents)))
    for record in documents:
        for entry in record.get("unit_recipients") or []:
            recipient = from_stored(entry)
            if recipient.key in out:
                if record not in out[recipient.key][1]:
                    out[recipient.key][1].append(record)
            else:
                out[recipient.key] = (recipient, [record])
    return list(out.values())


def deliver(store: Store, conference: dict[str, Any], documents: list[dict[str, Any]], *,
            now: dt.datetime, conf: Settings, artifacts: Any, mailer: Any) -> dict[str, str]:
    """Send each recipient, in one email, every issued document they have not received yet (drafts never).

    Deliveries are claimed per (document, recipient), so each recipient gets each document exactly once."""
    sender = default_sender({"THIDUA_MAIL_FROM": conf.mail_from})
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    pdfs: dict[str, bytes] = {}
    outcomes: dict[str, str] = {}
    for recipient, meant in _addressees(conference, documents):
        key = recipient.key
        if not meant:
            continue
        mine = secrets.token_hex(8)
        claims = [(r, _claim(store, r, key, str(recipient), mine, now)) for r in meant]
        bundle = [r for r, state in claims if state == "mine"]
        if not bundle:
            outcomes[key] = "in_progress" if any(s == "in_progress" for _, s in claims) else "already_sent"
            continue
        tag = " ".join(f"{r['document_id']} {r.get('number')}" for r in bundle)
        message_id = make_message_id(*(f"{r['document_id']}-{r['version']}" for r in bundle), key, domain=domain)
        for r in bundle:
            if r["document_id"] not in pdfs:
                pdfs[r["document_id"]] = artifacts.get(r["artifact_key"])
        files = [Attachment(attachment_name(r), pdfs[r["document_id"]], "application/pdf") for r in bundle]
        text, page = mail_bodies(conference, bundle, recipient.name, conf.public_base_url)
        try:
            message = build_fitted_message(
                links_for=_links_for(bundle, artifacts, conf.public_base_url), attachments=files,
                sender=sender, to=[recipient.address], subject=mail_subject(conference, bundle), text=text, html=page,
                message_id=message_id, headers={"X-Thidua-Document": tag})
            provider_id = mailer.send(message)
        except Exception as exc:  # noqa: BLE001 - recorded, retried by the next run
            log.warning("sending %s to %s failed: %s", tag, key, exc)
            for r in bundle:
                store.documents.update_delivery(r["document_id"], key, {"state": SendState.FAILED.value,
                                                                        "error": str(exc)[:500]}, claim=mine)
            outcomes[key] = SendState.FAILED.value
            continue
        for r in bundle:
            store.documents.update_delivery(r["document_id"], key, {"state": SendState.SENT.value, "sent_at": iso(now),
                                                                    "message_id": message_id,
                                                                    "provider_id": str(provider_id)}, claim=mine)
        outcomes[key] = SendState.SENT.value
    return outcomes


KIND_ORDER = {"summary": 0, "proposal": 1, "decision": 2}


def issued_documents(store: Store, conference_id: str) -> list[dict[str, Any]]:
    """Every stream's issued document that stands (not replaced): the report, the Tờ trình, then the
    decisions by number."""
    out = []
    for head in store.documents.streams(conference_id):
        record = store.documents.get(head.get("issued_document_id") or "") if head.get("issued_document_id") else None
        if record is not None and record.get("stage") == ISSUED and record.get("state") == DocumentState.STORED:
            out.append(record)
    return sorted(out, key=lambda r: (KIND_ORDER.get(lifecycle.kind_of(r["kind"]), 9), r.get("symbol") or "",
                                      r.get("number") or ""))


# -- entry points ----------------------------------------------------------------------

def compile_conference(store: Store, conference_id: str, *, conf: Settings, now: dt.datetime,
                       artifacts: Any = None, mailer: Any = None, render: Render | None = None,
                       kinds: tuple[DocumentKind, ...] = KINDS, sign: Sign | None = None,
                       docx: Docx | None = None) -> CompileResult:
    """Drafts for draft streams whose inputs changed, the issue of approved streams, and the delivery
    of every issued document to whoever has not received it. Idempotent.

    `render` replaces the PDF renderer (one function, or kind code -> function); `sign` and `docx`
    replace the signature and the DOCX renderer (defaults: chalicelib.documents.signing / docx).
    """
    conference = store.conferences.get(conference_id)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    artifacts = artifacts if artifacts is not None else artifacts_for(conf)
    sign = sign or default_sign
    docx = docx or default_docx
    documents: list[dict[str, Any]] = []
    issued: list[dict[str, Any]] = []
    busy, created = False, False
    # Phases: a Quyết định of the ministry cites the Tờ trình issued before it ("Theo đề nghị … tại Tờ trình
    # số …"), so the decisions are built once the report and the Tờ trình of this run are stored.
    for phase in sorted({kind.phase for kind in kinds}):
        outcome = _compile_phase(store, conference, tuple(k for k in kinds if k.phase == phase), conf=conf,
                                 now=now, artifacts=artifacts, render=render, sign=sign, docx=docx)
        documents += outcome[0]
        issued += outcome[1]
        busy = busy or outcome[2]
        created = created or outcome[3]
    mailer = mailer if mailer is not None else mailer_for(conf)
    outcomes = deliver(store, conference, issued_documents(store, conference_id), now=now, conf=conf,
                       artifacts=artifacts, mailer=mailer)
    return CompileResult(conference_id, "in_progress" if busy else "stored", documents, created, outcomes, issued)


def _compile_phase(store: Store, conference: dict[str, Any], kinds: tuple[DocumentKind, ...], *, conf: Settings,
                   now: dt.datetime, artifacts: Any, render: Render | None, sign: Sign, docx: Docx
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool, bool]:
    """(current records, issued records, busy, created) of these kinds' streams: every stream claimed first,
    what this run claimed rendered all at once (in parallel), then stored."""
    heads = {h["stream"]: h for h in store.documents.streams(conference["id"])}
    claims: list[_Claim] = []
    unregistered: list[tuple[Stream, dict[str, Any]]] = []
    busy = False
    for kind in kinds:
        for stream in kind.streams(store, conference, conf, now):
            head = heads.get(stream.key)
            stage = (head or {}).get("stage", DRAFT)
            if stage == APPROVED:
                assert head is not None
                head = _unchanged_or_back_to_draft(store, stream, head, now, conference=conference, conf=conf)
                stage = head.get("stage", DRAFT)
            if stage not in (DRAFT, APPROVED):
                if stage == ISSUED and head and _unregistered(kind, head):
                    unregistered.append((stream, head))  # issued, its register entries not all written
                continue  # submitted: waits for its signer; issued: never changes
            claim = _claim_version(store, stream, head, "issue" if stage == APPROVED else "draft",
                                   conference=conference, now=now)
            if claim.state == "busy":
                busy = True
                continue
            claims.append(claim)
    built = [_build(store, claim, conf=conf, now=now) for claim in claims if claim.state == "mine"]
    pdfs = render_documents(built, conf=conf, render=render)
    stored = _render_and_store(store, built, pdfs, now=now, conf=conf, artifacts=artifacts, render=render,
                               sign=sign, docx=docx)
    documents, issued = [], []
    for claim in claims:
        record = stored.get(claim.stream.key) if claim.state == "mine" else claim.record
        if record is None:
            busy = True
            continue
        if claim.purpose == "draft":
            _point_head_at(store, claim, record)
        elif claim.state == "mine":
            issued.append(record)
            if claim.kind.registers:
                _register(store, claim.stream, record)
        documents.append(record)
    for stream, head in unregistered:
        record = store.documents.get(head["issued_document_id"])
        if record is not None:
            _register(store, stream, record)
    return documents, issued, busy, bool(built)


def _unregistered(kind: DocumentKind, head: dict[str, Any]) -> bool:
    return kind.registers and bool(head.get("issued_document_id")) and \
        head.get("registered") != head["issued_document_id"]


def _register(store: Store, stream: Stream, record: dict[str, Any]) -> None:
    """One register entry per awardee of an issued Quyết định (ids from the document and the nomination:
    written again, nothing changes), then the head notes it so later compiles skip it."""
    from chalicelib.register.service import register_decision

    written = register_decision(store, record, stream.inputs, stream.issuer)
    try:
        store.documents.move_stream(record["conference_id"], stream.key, ISSUED,
                                    {"registered": record["document_id"]})
    except ConditionFailed:
        pass  # replaced meanwhile: the replacement registers its own entries
    log.info("register: %s new entries from %s %s", written, record["conference_id"], record.get("number"))


def due_conferences(store: Store, now: dt.datetime, days: int) -> list[dict[str, Any]]:
    """Conferences held from today (Vietnam time) up to `days` days ahead."""
    today = now.astimezone(VN_TZ).date()
    return store.conferences.between(today.isoformat(), (today + dt.timedelta(days=days)).isoformat())


def compile_due(store: Store, *, conf: Settings, now: dt.datetime, **kwargs: Any) -> list[CompileResult]:
    """What the schedule runs: every conference due soon, plus those asked for by
    POST /v1/conferences/{id}/compile (and approve, replace). One conference failing does not stop the others."""
    requests = {r["conference_id"]: r["requested_at"] for r in store.conferences.compile_requests()}
    ids = list(dict.fromkeys([c["id"] for c in due_conferences(store, now, conf.compile_days_before)]
                             + list(requests)))
    results, errors = [], []
    for cid in ids:
        try:
            result = compile_conference(store, cid, conf=conf, now=now, **kwargs)
        except Exception as exc:  # noqa: BLE001 - logged, reported after the others ran
            log.exception("compiling conference %s failed", cid)
            errors.append(f"{cid}: {exc}")
            continue
        results.append(result)
        if cid in requests and result.state == "stored" and not result.failed:
            store.conferences.clear_compile_request(cid, requests[cid])
    failed = [f"{r.conference_id}: {', '.join(r.failed)}" for r in results if r.failed]
    if errors or failed:
        # Raising makes Lambda retry the async invocation; the retry skips what is done.
        raise CompileFailed("; ".join(errors + [f"not delivered to {f}" for f in failed]))
    return results


def run_scheduled(conf: Settings, now: dt.datetime) -> dict[str, Any]:
    """Body of the scheduled Lambda function."""
    from chalicelib.store import store_for

    results = compile_due(store_for(conf), conf=conf, now=now)
    return {"compiled": [r.as_dict() for r in results]}
