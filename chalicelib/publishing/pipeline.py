"""The compile: conference → each kind of document (claimed, numbered, rendered, stored) → one
email per recipient with the documents attached.

Run by the Chalice schedule (`app.compile_due_conferences`) and by
`python -m chalicelib.cli compile`. Exactly once, even when EventBridge delivers
the schedule twice or Lambda retries:

1. A kind's inputs are fingerprinted (`kinds.py`). If the newest version of that
   kind has this fingerprint, nothing is rendered again.
2. Otherwise version N+1 is claimed with a conditional write (version and its
   public id pointer in one transaction), and older versions still rendering are
   marked "abandoned" (superseded: their render can no longer be stored). A
   concurrent compile that loses sees the winner's claim and stops; a claim left
   rendering longer than STALE_RENDER (its owner crashed) may be taken over. Only
   the claim owner renders and stores the PDF. It renders with the number its
   series would issue next and takes that number in the transaction that marks the
   version stored, only if it is still the next one (else it renders again with the
   new next one): a number belongs to a stored version or to none, so a render that
   dies leaves no hole in the series, and no number is issued twice.
3. Each recipient's delivery of the set of documents is claimed before sending,
   with a Message-ID derived from (documents, recipient), and marked sent
   afterwards. A claim stuck in "sending" longer than STALE_SEND is retried.

The edge: a crash after the mail server accepted a message but before "sent" is
recorded means that message is sent again once the claim goes stale (at least
once there); the repeated Message-ID lets mail systems and readers spot it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from chalicelib.conferences import service
from chalicelib.conferences.recipients import recipients_of
from chalicelib.core.clock import iso
from chalicelib.core.errors import NotFound
from chalicelib.core.periods import VN_TZ
from chalicelib.core.settings import Settings
from chalicelib.core.states import DocumentState, SendState
from chalicelib.delivery import (Attachment, DownloadLink, S3Artifacts, artifacts_for, build_fitted_message,
                                 default_sender, emails, mailer_for, make_message_id)
from chalicelib.publishing.kinds import KINDS, DocumentKind, Numbering
from chalicelib.store import AlreadyExists, ConditionFailed, Store

log = logging.getLogger("thidua.compile")

STALE_RENDER = dt.timedelta(minutes=10)
STALE_SEND = dt.timedelta(minutes=5)


class CompileFailed(RuntimeError):
    """Some conference could not be compiled or some recipient not reached (retry later)."""


@dataclass
class CompileResult:
    conference_id: str
    state: str                       # "stored" | "in_progress"
    documents: list[dict[str, Any]] = field(default_factory=list)   # one stored record per kind
    created: bool = False            # this run rendered a new version of some kind
    deliveries: dict[str, str] = field(default_factory=dict)  # email -> sent|already_sent|in_progress|failed

    @property
    def document(self) -> dict[str, Any] | None:
        """The summary report's record (the first kind)."""
        return self.documents[0] if self.documents else None

    @property
    def failed(self) -> list[str]:
        return [e for e, s in self.deliveries.items() if s == SendState.FAILED]

    def as_dict(self) -> dict[str, Any]:
        doc = self.document or {}
        return {"conference_id": self.conference_id, "state": self.state, "created": self.created,
                "document_id": doc.get("document_id"), "version": doc.get("version"),
                "number": doc.get("number"), "artifact_key": doc.get("artifact_key"),
                "documents": [{k: d.get(k) for k in ("kind", "document_id", "version", "number", "artifact_key")}
                              for d in self.documents],
                "deliveries": self.deliveries}


def _age(since: str | None, now: dt.datetime) -> dt.timedelta:
    if not since:
        return dt.timedelta.max
    return now - dt.datetime.fromisoformat(since)


def artifact_key(conference_id: str, version: int, kind: DocumentKind) -> str:
    """Versions count per kind; each kind's file name differs, so one folder per version number serves all."""
    return f"conferences/{conference_id}/v{version}/{kind.filename}"


def document_number(sequence: int, prefix: str) -> str:
    return f"{sequence:02d}/{prefix}"


# -- one kind of document --------------------------------------------------------------

def ensure_document(store: Store, kind: DocumentKind, conference: dict[str, Any], inputs: Any, *,
                    now: dt.datetime, conf: Settings, artifacts: Any,
                    render: Callable[[Any], bytes] | None = None) -> tuple[dict[str, Any] | None, bool]:
    """The stored version of `kind` for these inputs, rendering it if this run wins the claim.

    Returns (record, created); record is None while another run is rendering it.
    """
    claim = _claim_version(store, kind, conference, inputs, now=now)
    if claim.state != "mine":
        return claim.record, False
    built = _build(store, claim, conf=conf)
    stored = _render_and_store(store, [built], [(render or kind.render)(built.doc)], now=now, conf=conf,
                               artifacts=artifacts, render=render or kind.render)[kind.code]
    return stored, stored is not None


@dataclass
class _Claim:
    kind: DocumentKind
    inputs: Any
    state: str                        # "stored": nothing to render; "busy": another run renders it; "mine"
    record: dict[str, Any] | None
    mine: str
    doc: Any = None                   # the document model, once built
    number: tuple[str, int, str] | None = None  # (series, sequence, text) the document carries, taken when stored


def _claim_version(store: Store, kind: DocumentKind, conference: dict[str, Any], inputs: Any, *,
                   now: dt.datetime) -> _Claim:
    """Find or claim the version of `kind` these inputs make (steps 1-2 of the module doc)."""
    cid = conference["id"]
    fp = kind.fingerprint(inputs)
    mine = secrets.token_hex(8)
    latest = store.documents.latest(cid, kind.code)
    if latest is not None and latest["fingerprint"] == fp and latest["state"] != DocumentState.ABANDONED:
        record = latest
    else:
        version = (int(latest["version"]) + 1) if latest else 1
        issued_on = min(now.astimezone(VN_TZ).date(), dt.date.fromisoformat(conference["date"]))
        while True:
            record = {"conference_id": cid, "kind": kind.code, "version": version, "fingerprint": fp,
                      "document_id": service.new_document_id(), "state": DocumentState.RENDERING.value,
                      "claim": mine, "claimed_at": iso(now), "issued_on": issued_on.isoformat(),
                      "number_prefix": kind.prefix_of(conference)}
            try:
                store.documents.claim_version(record)
                break
            except AlreadyExists as exc:
                if str(exc) == "id":
                    continue  # random id collided: draw another
                other = store.documents.get_version(cid, kind.code, version)
                if other is not None and other["fingerprint"] == fp:
                    record = other  # a concurrent run claimed the same inputs
                    break
                version += 1
    if record["state"] == DocumentState.STORED:
        return _Claim(kind, inputs, "stored", record, mine)
    if record["claim"] != mine:
        if _age(record.get("claimed_at"), now) < STALE_RENDER:
            return _Claim(kind, inputs, "busy", None, mine)  # the other run renders, numbers and delivers it
        try:
            store.documents.take_over(cid, kind.code, record["version"], record["claim"], mine, iso(now))
        except ConditionFailed:
            return _Claim(kind, inputs, "busy", None, mine)
        record = {**record, "claim": mine, "claimed_at": iso(now)}
    if int(record["version"]) > 1:
        # A render older than this version is superseded whatever its state: it must not be stored
        # (and so take a number) after this one, nor stay "rendering" for ever.
        store.documents.abandon_older(cid, kind.code, int(record["version"]), iso(now))
    return _Claim(kind, inputs, "mine", record, mine)


def _build(store: Store, claim: _Claim, *, conf: Settings) -> _Claim:
    """The claimed version's document model, carrying the number its series would issue next;
    the number is taken only when the version is stored (`_store`)."""
    kind, record = claim.kind, claim.record
    assert record is not None
    doc_id = record["document_id"]
    issued_on = dt.date.fromisoformat(record["issued_on"])
    number = None
    if record.get("number"):  # bound before rendering by an earlier release: a takeover keeps it
        text: str | None = record["number"]
    elif kind.numbered(claim.inputs):
        prefix = record["number_prefix"]
        series = kind.number_series(prefix, issued_on.year)
        sequence = store.documents.last_number(series) + 1
        text = document_number(sequence, prefix)
        number = (series, sequence, text)
    else:
        text = None  # a draft
    doc = kind.build(claim.inputs, Numbering(
        number=text, document_id=doc_id, issued_on=issued_on,
        verify_url=service.verify_url(conf.public_base_url, doc_id), verify_code=service.verify_code(doc_id)))
    return _Claim(kind, claim.inputs, claim.state, record, claim.mine, doc, number)


class _NumberTaken(Exception):
    """Another version took the number this one was rendered with: render it again."""


def _store(store: Store, claim: _Claim, pdf: bytes, *, now: dt.datetime, artifacts: Any) -> dict[str, Any] | None:
    """Store the PDF and mark the version stored, taking its number in the same transaction.
    None when the claim was lost (taken over or abandoned); raises _NumberTaken."""
    kind, record, doc = claim.kind, claim.record, claim.doc
    assert record is not None
    cid, version, doc_id = record["conference_id"], int(record["version"]), record["document_id"]
    key = artifact_key(cid, version, kind)
    stored = artifacts.put(key, pdf, "application/pdf", metadata={
        "document-id": doc_id, "conference-id": cid, "version": str(version)})
    fields = {"state": DocumentState.STORED.value, "artifact_key": key, "sha256": stored.sha256, "size": stored.size,
              "title": doc.title, "agency": doc.agency, "stored_at": iso(now)}
    try:
        store.documents.store_version(cid, kind.code, version, fields, claim.mine, claim.number)
    except AlreadyExists:
        raise _NumberTaken() from None
    except ConditionFailed:
        return None  # taken over or abandoned meanwhile: the new owner (or a newer version) finishes it
    if claim.number is not None:
        fields["number"] = claim.number[2]
    log.info("stored %s %s v%s %s (%s bytes)", cid, kind.code, version, fields.get("number", record.get("number")),
             stored.size)
    return {**record, **fields}


# A conflict means another version of the series was stored meanwhile; past this many in a
# row the version is left rendering, for a later run to take over once its claim is stale.
NUMBER_ATTEMPTS = 10


def _render_and_store(store: Store, built: list[_Claim], pdfs: list[bytes], *, now: dt.datetime, conf: Settings,
                      artifacts: Any, render: Callable[[Any], bytes] | Mapping[str, Callable[[Any], bytes]] | None
                      ) -> dict[str, dict[str, Any] | None]:
    """Store each rendered version (kind code -> its record, None when its claim was lost or
    its number kept being taken), rendering again those whose number another version took."""
    results: dict[str, dict[str, Any] | None] = {}
    for _ in range(NUMBER_ATTEMPTS):
        again: list[_Claim] = []
        for claim, pdf in zip(built, pdfs):
            try:
                results[claim.kind.code] = _store(store, claim, pdf, now=now, artifacts=artifacts)
            except _NumberTaken:
                assert claim.number is not None
                log.info("number %s was taken meanwhile: rendering %s again", claim.number[2], claim.kind.code)
                again.append(_build(store, claim, conf=conf))
        if not again:
            return results
        built = again
        pdfs = render_documents(built, conf=conf, render=render)
    for claim in built:
        log.warning("%s v%s: its number kept being taken; left for a later run", claim.kind.code,
                    claim.record["version"] if claim.record else "?")
        results[claim.kind.code] = None
    return results


def render_documents(built: list[_Claim], *, conf: Settings,
                     render: Callable[[Any], bytes] | Mapping[str, Callable[[Any], bytes]] | None = None) -> list[bytes]:
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


# -- mail ------------------------------------------------------------------------------

def vn_date(iso_date: str) -> str:
    """05/8/2021; days below 10 and months 1-2 take a leading zero (Decree 30)."""
    d = dt.date.fromisoformat(iso_date)
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d.month < 3 else f"{d.day:02d}/{d.month}/{d.year}"


def mail_context(conference: dict[str, Any], documents: list[tuple[DocumentKind, dict[str, Any]]],
                 recipient_name: str, base_url: str) -> dict[str, Any]:
    docs = [{"label": kind.label, "noun": kind.noun, "number": r.get("number"), "numbered": bool(r.get("number")),
             # how the mail names it: "Báo cáo số 01/BC-BCA", "Danh sách dự thảo (phiên bản 2)"
             "ref": f"{kind.noun} số {r['number']}" if r.get("number") else
                    f"{kind.noun} dự thảo (phiên bản {r['version']})",
             "issued_on": vn_date(r["issued_on"]),
             "about": r["title"][0].lower() + r["title"][1:], "code": service.verify_code(r["document_id"]),
             "verify_url": service.verify_url(base_url, r["document_id"]), "sha256": r["sha256"]}
            for kind, r in documents]
    return {"conference": conference, "conference_date": vn_date(conference["date"]), "documents": docs,
            "recipient_name": recipient_name}


def mail_subject(conference: dict[str, Any], documents: list[tuple[DocumentKind, dict[str, Any]]]) -> str:
    return emails.render_subject("conference_documents", **mail_context(conference, documents, "", ""))


def mail_bodies(conference: dict[str, Any], documents: list[tuple[DocumentKind, dict[str, Any]]],
                recipient_name: str, base_url: str) -> tuple[str, str]:
    context = mail_context(conference, documents, recipient_name, base_url)
    return emails.render("conference_documents", subject=mail_subject(conference, documents), **context)


def _links_for(documents: list[tuple[DocumentKind, dict[str, Any]]], artifacts: Any,
               base_url: str) -> Callable[[Attachment], DownloadLink]:
    by_name = {kind.attachment_name(r.get("number"), r["version"]): r for kind, r in documents}

    def link(att: Attachment) -> DownloadLink:
        record = by_name[att.filename]
        # S3: a presigned URL; a local folder: the API's download route (admin/leader token).
        url = (artifacts.url(record["artifact_key"]) if isinstance(artifacts, S3Artifacts)
               else service.file_url(base_url, record["document_id"]))
        return DownloadLink(att.filename, url, len(att.data))
    return link


def _claim(store: Store, record: dict[str, Any], key: str, recipient: str, mine: str,
           now: dt.datetime) -> str:
    """Claim one document version's delivery to one recipient: "mine", "sent" or "in_progress"."""
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


def deliver(store: Store, conference: dict[str, Any], documents: list[tuple[DocumentKind, dict[str, Any]]], *,
            now: dt.datetime, conf: Settings, artifacts: Any, mailer: Any) -> dict[str, str]:
    """Send each recipient, in one email, every document version they have not received yet.

    Deliveries are claimed per (document version, recipient), so each recipient gets each
    version exactly once: the first email carries both documents; when only the
    commendation list changes later, the next carries only the list.
    """
    sender = default_sender({"THIDUA_MAIL_FROM": conf.mail_from})
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    pdfs: dict[str, bytes] = {}
    outcomes: dict[str, str] = {}
    for recipient in recipients_of(conference):
        key = recipient.key
        if key in outcomes:
            continue
        mine = secrets.token_hex(8)
        claims = [(kind, r, _claim(store, r, key, str(recipient), mine, now)) for kind, r in documents]
        bundle = [(kind, r) for kind, r, state in claims if state == "mine"]
        if not bundle:
            outcomes[key] = "in_progress" if any(s == "in_progress" for *_, s in claims) else "already_sent"
            continue
        tag = " ".join(f"{r['document_id']} v{r['version']}" for _, r in bundle)
        message_id = make_message_id(*(f"{r['document_id']}-{r['version']}" for _, r in bundle), key, domain=domain)
        for _, r in bundle:
            if r["document_id"] not in pdfs:
                pdfs[r["document_id"]] = artifacts.get(r["artifact_key"])
        files = [Attachment(kind.attachment_name(r.get("number"), r["version"]), pdfs[r["document_id"]],
                            "application/pdf") for kind, r in bundle]
        text, page = mail_bodies(conference, bundle, recipient.name, conf.public_base_url)
        try:
            message = build_fitted_message(
                links_for=_links_for(bundle, artifacts, conf.public_base_url), attachments=files,
                sender=sender, to=[recipient.address], subject=mail_subject(conference, bundle), text=text, html=page,
                message_id=message_id, headers={"X-Thidua-Document": tag})
            provider_id = mailer.send(message)
        except Exception as exc:  # noqa: BLE001 - recorded, retried by the next run
            log.warning("sending %s to %s failed: %s", tag, key, exc)
            for _, r in bundle:
                store.documents.update_delivery(r["document_id"], key, {"state": SendState.FAILED.value,
                                                                        "error": str(exc)[:500]}, claim=mine)
            outcomes[key] = SendState.FAILED.value
            continue
        for _, r in bundle:
            store.documents.update_delivery(r["document_id"], key, {"state": SendState.SENT.value, "sent_at": iso(now),
                                                                    "message_id": message_id,
                                                                    "provider_id": str(provider_id)}, claim=mine)
        outcomes[key] = SendState.SENT.value
    return outcomes


# -- entry points ----------------------------------------------------------------------

def compile_conference(store: Store, conference_id: str, *, conf: Settings, now: dt.datetime,
                       artifacts: Any = None, mailer: Any = None,
                       render: Callable[[Any], bytes] | Mapping[str, Callable[[Any], bytes]] | None = None,
                       kinds: tuple[DocumentKind, ...] = KINDS) -> CompileResult:
    """Compile (each kind whose inputs changed) and deliver one conference's documents. Idempotent.

    `render` replaces the renderer: one function for every kind, or a mapping kind code -> function.
    """
    conference = store.conferences.get(conference_id)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    artifacts = artifacts if artifacts is not None else artifacts_for(conf)
    # Claim every kind first, then render what this run claimed all at once (the documents
    # of a conference in parallel), then store. When another run holds a kind, later kinds
    # are left to it, as before; what this run did claim is still rendered and stored.
    claims: list[_Claim] = []
    busy = False
    for kind in kinds:
        inputs = kind.gather(store, conference, conf, now)
        if not kind.wanted(inputs):
            continue
        claim = _claim_version(store, kind, conference, inputs, now=now)
        if claim.state == "busy":
            busy = True
            break
        claims.append(claim)
    built = [_build(store, claim, conf=conf) for claim in claims if claim.state == "mine"]
    pdfs = render_documents(built, conf=conf, render=render)
    stored_records = _render_and_store(store, built, pdfs, now=now, conf=conf, artifacts=artifacts, render=render)
    if busy or None in stored_records.values():
        return CompileResult(conference_id, "in_progress")
    documents = [(c.kind, stored_records.get(c.kind.code) or c.record) for c in claims]
    created = bool(built)
    mailer = mailer if mailer is not None else mailer_for(conf)
    outcomes = deliver(store, conference, documents, now=now, conf=conf, artifacts=artifacts, mailer=mailer)
    return CompileResult(conference_id, "stored", [r for _, r in documents], created, outcomes)


def due_conferences(store: Store, now: dt.datetime, days: int) -> list[dict[str, Any]]:
    """Conferences held from today (Vietnam time) up to `days` days ahead."""
    today = now.astimezone(VN_TZ).date()
    return store.conferences.between(today.isoformat(), (today + dt.timedelta(days=days)).isoformat())


def compile_due(store: Store, *, conf: Settings, now: dt.datetime, **kwargs: Any) -> list[CompileResult]:
    """What the schedule runs: every conference due soon, plus those asked for by
    POST /v1/conferences/{id}/compile. One conference failing does not stop the others."""
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
