"""The compile job: conference -> SummaryDocument -> PDF (artifact) -> one email per recipient.

Run by the Chalice schedule (`app.compile_due_conferences`) and by
`python -m chalicelib.cli compile`. Imported only there: it pulls in the renderer,
and WeasyPrint itself is imported only when a PDF is actually rendered.

Exactly once, even when EventBridge delivers the schedule twice or Lambda retries:

1. The inputs are fingerprinted (conference fields, every covered and previous
   report's ETag and review status, the unit tree, the catalog file). If the
   newest version of the conference's summary has this fingerprint, nothing is
   rendered again.
2. Otherwise version N+1 is claimed with a conditional write (version item and its
   public id pointer in one transaction). A concurrent compile that loses sees
   the winner's claim and stops; a claim left in "rendering" longer than
   STALE_RENDER (its owner crashed) may be taken over. Only the claim owner
   takes the next document number and stores the PDF.
3. Each recipient's delivery is claimed (attribute_not_exists) before sending,
   with a Message-ID derived from (document, version, recipient), and marked sent
   afterwards. A claim stuck in "sending" longer than STALE_SEND is retried.

The edge: a crash after the mail server accepted a message but before "sent" is
recorded means that message is sent again once the claim goes stale (at least
once there); the repeated Message-ID lets mail systems and readers spot it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import logging
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from chalicelib.config import Settings, settings
from chalicelib.delivery import (
    Attachment,
    DownloadLink,
    S3Artifacts,
    artifacts_from_env,
    build_fitted_message,
    default_sender,
    mailer_from_env,
    make_message_id,
)
from chalicelib.indicators import catalog
from chalicelib.periods import VN_TZ
from chalicelib.problems import not_found
from chalicelib.store import AlreadyExists, ConditionFailed, Store, store_for

from . import aggregate, service

log = logging.getLogger("thidua.compile")

KIND = "summary"
FILENAME = "bao-cao-tong-hop.pdf"
STALE_RENDER = dt.timedelta(minutes=10)
STALE_SEND = dt.timedelta(minutes=5)
DEFAULT_DAYS_BEFORE = 7


class CompileFailed(RuntimeError):
    """Some conference could not be compiled or some recipient not reached (retry later)."""


@dataclass
class CompileResult:
    conference_id: str
    state: str                       # "stored" | "in_progress" | "not_due"
    document: dict[str, Any] | None = None
    created: bool = False            # this run rendered a new version
    deliveries: dict[str, str] = field(default_factory=dict)  # email -> sent|already_sent|in_progress|failed

    @property
    def failed(self) -> list[str]:
        return [e for e, s in self.deliveries.items() if s == "failed"]

    def as_dict(self) -> dict[str, Any]:
        doc = self.document or {}
        return {"conference_id": self.conference_id, "state": self.state, "created": self.created,
                "document_id": doc.get("document_id"), "version": doc.get("version"),
                "number": doc.get("number"), "artifact_key": doc.get("artifact_key"),
                "deliveries": self.deliveries}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


def _age(since: str | None, now: dt.datetime) -> dt.timedelta:
    if not since:
        return dt.timedelta.max
    return now - dt.datetime.fromisoformat(since)


def artifact_key(conference_id: str, version: int) -> str:
    return f"conferences/{conference_id}/v{version}/{FILENAME}"


def document_number(sequence: int, prefix: str) -> str:
    return f"{sequence:02d}/{prefix}"


# -- inputs ----------------------------------------------------------------------------

def gather(store: Store, conference: dict[str, Any]) -> aggregate.Inputs:
    """Everything the document depends on, read with Queries (no Scan)."""
    units = aggregate.units_in_scope(store.all_units(), conference.get("unit_ids"))
    in_scope = {u["id"] for u in units}
    covered, previous = aggregate.window(conference)
    reports = {p.code: [r for r in store.reports_for_period(p.code) if r["unit_id"] in in_scope]
               for p in [*previous, *covered]}
    return aggregate.Inputs(conference, units, covered, previous, reports, catalog(), aggregate.catalog_version())


def _completeness(store: Store, inputs: aggregate.Inputs, conf: Settings, now: dt.datetime) -> list[Any]:
    """The annex: who reported for the last covered period (chalicelib.completeness)."""
    from chalicelib.completeness import period_completeness

    last = inputs.covered[-1]
    try:  # an admin may have moved the deadline (issue 3's period settings)
        from chalicelib.deadlines import deadline_for

        deadline = deadline_for(store, last, conf.deadline_days)
    except (ImportError, AttributeError):
        deadline = None
    return period_completeness(inputs.units, inputs.reports.get(last.code, []), last,
                               conf.deadline_days, now, deadline=deadline).rows


# -- the document ----------------------------------------------------------------------

def _default_render(doc: Any) -> bytes:
    from chalicelib.documents.render import render_summary_pdf  # WeasyPrint: here and only here

    return render_summary_pdf(doc)


def ensure_document(store: Store, inputs: aggregate.Inputs, *, now: dt.datetime, conf: Settings,
                    artifacts: Any, render: Callable[[Any], bytes] = _default_render
                    ) -> tuple[dict[str, Any] | None, bool]:
    """The stored version for these inputs, rendering it if this run wins the claim.

    Returns (record, created); record is None while another run is rendering it.
    """
    conference = inputs.conference
    cid = conference["id"]
    fp = aggregate.fingerprint(inputs)
    mine = secrets.token_hex(8)
    latest = store.latest_document(cid, KIND)
    if latest is not None and latest["fingerprint"] == fp:
        record = latest
    else:
        version = (int(latest["version"]) + 1) if latest else 1
        issued_on = min(now.astimezone(VN_TZ).date(), dt.date.fromisoformat(conference["date"]))
        while True:
            record = {"conference_id": cid, "kind": KIND, "version": version, "fingerprint": fp,
                      "document_id": service.new_document_id(), "state": "rendering", "claim": mine,
                      "claimed_at": _iso(now), "issued_on": issued_on.isoformat(),
                      "number_prefix": conference["number_prefix"]}
            try:
                store.claim_document_version(record)
                break
            except AlreadyExists as exc:
                if str(exc) == "id":
                    continue  # random id collided: draw another
                other = store.get_document_version(cid, KIND, version)
                if other is not None and other["fingerprint"] == fp:
                    record = other  # a concurrent run claimed the same inputs
                    break
                version += 1
    if record["state"] == "stored":
        return record, False
    if record["claim"] != mine:
        if _age(record.get("claimed_at"), now) < STALE_RENDER:
            return None, False  # the other run renders, numbers and delivers it
        try:
            store.take_over_document_version(cid, KIND, record["version"], record["claim"], mine, _iso(now))
        except ConditionFailed:
            return None, False
        record = {**record, "claim": mine, "claimed_at": _iso(now)}
    return _render_and_store(store, inputs, record, mine, now=now, conf=conf, artifacts=artifacts, render=render), True


def _render_and_store(store: Store, inputs: aggregate.Inputs, record: dict[str, Any], mine: str, *,
                      now: dt.datetime, conf: Settings, artifacts: Any, render: Callable[[Any], bytes]) -> dict[str, Any] | None:
    cid, version, doc_id = record["conference_id"], int(record["version"]), record["document_id"]
    issued_on = dt.date.fromisoformat(record["issued_on"])
    if not record.get("number"):
        prefix = record["number_prefix"]
        number = document_number(store.next_counter(f"docnumber#{prefix}#{issued_on.year}"), prefix)
        try:  # the number is bound to the version before anything is rendered, so a takeover reuses it
            store.update_document_version(cid, KIND, version, {"number": number}, mine,
                                          extra_condition="attribute_not_exists(#f0)")
        except ConditionFailed:
            return None
        record = {**record, "number": number}
    doc = aggregate.build_summary(
        inputs, number=record["number"], document_id=doc_id, issued_on=issued_on,
        verify_url=service.verify_url(conf.public_base_url, doc_id), verify_code=service.verify_code(doc_id),
        completeness=_completeness(store, inputs, conf, now))
    pdf = render(doc)
    key = artifact_key(cid, version)
    stored = artifacts.put(key, pdf, "application/pdf", metadata={
        "document-id": doc_id, "conference-id": cid, "version": str(version)})
    fields = {"state": "stored", "artifact_key": key, "sha256": stored.sha256, "size": stored.size,
              "title": doc.title, "agency": doc.agency, "stored_at": _iso(dt.datetime.now(dt.timezone.utc))}
    try:
        store.update_document_version(cid, KIND, version, fields, mine)
    except ConditionFailed:
        return None  # taken over meanwhile: the new owner finishes it
    log.info("stored %s v%s %s (%s bytes)", cid, version, record["number"], stored.size)
    return {**record, **fields}


# -- mail ------------------------------------------------------------------------------

def _vn_date(iso_date: str) -> str:
    d = dt.date.fromisoformat(iso_date)
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d.month < 3 else f"{d.day:02d}/{d.month}/{d.year}"


def mail_subject(conference: dict[str, Any], record: dict[str, Any]) -> str:
    return f"Báo cáo tổng hợp phục vụ {conference['title']} (Số {record['number']})"


def mail_bodies(conference: dict[str, Any], record: dict[str, Any], recipient_name: str,
                base_url: str) -> tuple[str, str]:
    doc_id = record["document_id"]
    verify = service.verify_url(base_url, doc_id)
    greeting = f"Kính gửi: {recipient_name}" if recipient_name else "Kính gửi: Lãnh đạo"
    lines = [
        greeting,
        "",
        f"Trân trọng gửi kèm Báo cáo số {record['number']} ngày {_vn_date(record['issued_on'])} "
        f"về việc {record['title'][0].lower() + record['title'][1:]}.",
        f"{conference['title']}: ngày {_vn_date(conference['date'])}, tại {conference.get('place') or 'Hà Nội'}.",
        "",
        "Báo cáo được đính kèm dưới dạng tệp PDF.",
        f"Mã xác thực: {service.verify_code(doc_id)}. Kiểm tra tính xác thực tại: {verify}",
        f"SHA-256 của tệp: {record['sha256']}",
        "",
        "Thư này được gửi tự động từ hệ thống thi đua, khen thưởng; vui lòng không trả lời thư này.",
    ]
    text = "\n".join(lines) + "\n"
    esc = html.escape
    paras = "".join(f"<p>{esc(p)}</p>" for p in lines if p)
    page = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{esc(mail_subject(conference, record))}'
            f'</title></head><body style="font-family: \'Times New Roman\', serif; font-size: 14px">{paras}</body></html>')
    return text, page


def _links_for(record: dict[str, Any], artifacts: Any, base_url: str) -> Callable[[Attachment], DownloadLink]:
    def link(att: Attachment) -> DownloadLink:
        # S3: a presigned URL; a local folder: the API's download route (admin/leader token).
        url = (artifacts.url(record["artifact_key"]) if isinstance(artifacts, S3Artifacts)
               else service.file_url(base_url, record["document_id"]))
        return DownloadLink(att.filename, url, len(att.data))
    return link


def attachment_name(record: dict[str, Any]) -> str:
    return f"bao-cao-tong-hop-so-{record['number'].replace('/', '-')}.pdf"


def deliver(store: Store, conference: dict[str, Any], record: dict[str, Any], *, now: dt.datetime,
            conf: Settings, artifacts: Any, mailer: Any, env: Mapping[str, str]) -> dict[str, str]:
    """Send the stored version to each recipient not yet sent to; returns email -> outcome."""
    doc_id, version = record["document_id"], int(record["version"])
    sender = default_sender(env)
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    pdf: bytes | None = None
    outcomes: dict[str, str] = {}
    for recipient in conference.get("recipients") or []:
        name, addr = email.utils.parseaddr(recipient)
        key = addr.lower()
        if key in outcomes:
            continue
        mine = secrets.token_hex(8)
        message_id = make_message_id(doc_id, str(version), key, domain=domain)
        existing = store.claim_delivery({"document_id": doc_id, "email": key, "recipient": recipient,
                                         "state": "sending", "claim": mine, "claimed_at": _iso(now),
                                         "message_id": message_id, "attempts": 1})
        if existing is not None:
            if existing["state"] == "sent":
                outcomes[key] = "already_sent"
                continue
            if existing["state"] == "sending" and _age(existing.get("claimed_at"), now) < STALE_SEND:
                outcomes[key] = "in_progress"
                continue
            try:  # failed before, or stuck in "sending" (a crash mid-send): take the claim over
                store.update_delivery(doc_id, key, {"state": "sending", "claimed_at": _iso(now),
                                                    "attempts": int(existing.get("attempts", 1)) + 1},
                                      claim=existing["claim"], new_claim=mine)
            except ConditionFailed:
                outcomes[key] = "in_progress"
                continue
        if pdf is None:
            pdf = artifacts.get(record["artifact_key"])
        text, page = mail_bodies(conference, record, name, conf.public_base_url)
        try:
            message = build_fitted_message(
                links_for=_links_for(record, artifacts, conf.public_base_url),
                attachments=[Attachment(attachment_name(record), pdf, "application/pdf")],
                sender=sender, to=[recipient], subject=mail_subject(conference, record), text=text, html=page,
                message_id=message_id, headers={"X-Thidua-Document": f"{doc_id} v{version}"})
            provider_id = mailer.send(message)
        except Exception as exc:  # noqa: BLE001 - recorded, retried by the next run
            log.warning("sending %s v%s to %s failed: %s", doc_id, version, key, exc)
            store.update_delivery(doc_id, key, {"state": "failed", "error": str(exc)[:500]}, claim=mine)
            outcomes[key] = "failed"
            continue
        store.update_delivery(doc_id, key, {"state": "sent", "sent_at": _iso(dt.datetime.now(dt.timezone.utc)),
                                            "provider_id": str(provider_id)}, claim=mine)
        outcomes[key] = "sent"
    return outcomes


# -- entry points ----------------------------------------------------------------------

def compile_conference(store: Store, conference_id: str, *, now: dt.datetime | None = None,
                       env: Mapping[str, str] | None = None, artifacts: Any = None, mailer: Any = None,
                       render: Callable[[Any], bytes] = _default_render) -> CompileResult:
    """Compile (if the data changed) and deliver one conference's summary. Idempotent."""
    env = os.environ if env is None else env
    now = now or dt.datetime.now(dt.timezone.utc)
    conf = settings(env)
    conference = store.get_conference(conference_id)
    if conference is None:
        raise not_found(f"hội nghị '{conference_id}'")
    artifacts = artifacts if artifacts is not None else artifacts_from_env(env)
    inputs = gather(store, conference)
    record, created = ensure_document(store, inputs, now=now, conf=conf, artifacts=artifacts, render=render)
    if record is None:
        return CompileResult(conference_id, "in_progress")
    mailer = mailer if mailer is not None else mailer_from_env(env)
    outcomes = deliver(store, conference, record, now=now, conf=conf, artifacts=artifacts, mailer=mailer, env=env)
    return CompileResult(conference_id, "stored", record, created, outcomes)


def days_before(env: Mapping[str, str]) -> int:
    return int(env.get("THIDUA_COMPILE_DAYS_BEFORE") or DEFAULT_DAYS_BEFORE)


def due_conferences(store: Store, now: dt.datetime, days: int) -> list[dict[str, Any]]:
    """Conferences held from today (Vietnam time) up to `days` days ahead."""
    today = now.astimezone(VN_TZ).date()
    return store.conferences_between(today.isoformat(), (today + dt.timedelta(days=days)).isoformat())


def compile_due(store: Store, *, now: dt.datetime | None = None, env: Mapping[str, str] | None = None,
                **kwargs: Any) -> list[CompileResult]:
    """What the schedule runs: every conference due soon, plus those asked for by
    POST /v1/conferences/{id}/compile. One conference failing does not stop the others."""
    env = os.environ if env is None else env
    now = now or dt.datetime.now(dt.timezone.utc)
    requests = {r["conference_id"]: r["requested_at"] for r in store.compile_requests()}
    ids = list(dict.fromkeys([c["id"] for c in due_conferences(store, now, days_before(env))] + list(requests)))
    results, errors = [], []
    for cid in ids:
        try:
            result = compile_conference(store, cid, now=now, env=env, **kwargs)
        except Exception as exc:  # noqa: BLE001 - logged, reported after the others ran
            log.exception("compiling conference %s failed", cid)
            errors.append(f"{cid}: {exc}")
            continue
        results.append(result)
        if cid in requests and result.state == "stored" and not result.failed:
            store.clear_compile_request(cid, requests[cid])
    failed = [f"{r.conference_id}: {', '.join(r.failed)}" for r in results if r.failed]
    if errors or failed:
        # Raising makes Lambda retry the async invocation; the retry skips what is done.
        raise CompileFailed("; ".join(errors + [f"not delivered to {f}" for f in failed]))
    return results


def run_scheduled(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Body of the scheduled Lambda function."""
    env = os.environ if env is None else env
    store = store_for(settings(env))
    results = compile_due(store, env=env)
    return {"compiled": [r.as_dict() for r in results]}
