"""Conferences and their compiled documents, as the API sees them (plain Python, no WeasyPrint).

Conference ids are assigned by the server: ``<yyyymmdd>-<6 random letters/digits>``
(the date of the conference, then a random part), e.g. ``20210805-k3f9qa``.
Document ids are 8 random Crockford base32 characters; printed on the document
as the verification code ``7K3F-Q2MD``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.conferences.recipients import from_stored, shown
from chalicelib.core.clock import iso
from chalicelib.core.errors import Locked, NotFound, PreconditionFailed, Unavailable, invalid
from chalicelib.core import audit
from chalicelib.core.etag import etag_of as core_etag
from chalicelib.core.access import Principal
from chalicelib.store import Page, Store

if TYPE_CHECKING:  # request models are for the type checker; pydantic loads only with a body
    from chalicelib.conferences.models import ConferenceIn, ConferencePatch


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"
PUBLIC_FIELDS = ("id", "title", "date", "place", "periods", "unit_ids", "recipients", "quotas",
                 "number_prefix", "signer", "upper_agency", "agency", "distribution", "report_title",
                 "nomination_deadline", "list_prefix", "annex", "assessment", "finalised_at", "created_at",
                 "updated_at", "compile_requested_at", "summary_levels", "summary_detail")
# Fields added later: in the ETag only once set, so stored conferences keep theirs.
LATER_FIELDS = ("summary_levels", "summary_detail")
ASSESSMENT_FIELDS = ("overall", "shortcomings", "causes", "directions", "recommendations")


# -- ids -------------------------------------------------------------------------------

def new_conference_id(date: str) -> str:
    return date.replace("-", "") + "-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))


def new_document_id() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(8))


def verify_code(document_id: str) -> str:
    return f"{document_id[:4]}-{document_id[4:]}"


def parse_document_id(text: str) -> str | None:
    """'7k3f-q2md', '7K3FQ2MD' -> '7K3FQ2MD'; Crockford's O/I/L read as 0/1/1."""
    cleaned = text.replace("-", "").upper().translate(str.maketrans("OIL", "011"))
    return cleaned if len(cleaned) == 8 and all(c in CROCKFORD for c in cleaned) else None


def verify_url(base_url: str, document_id: str) -> str:
    """What the QR code and the printed link open: the portal's public verification page (a person
    scanning a paper copy reads a page, not JSON; the page reads GET /v1/documents/{id}/verify)."""
    return f"{base_url}/#/xac-thuc/{document_id}"


def file_url(base_url: str, document_id: str) -> str:
    return f"{base_url}/v1/documents/{document_id}/file"


# -- conferences -----------------------------------------------------------------------

def etag_of(conference: dict[str, Any]) -> str:
    return core_etag({k: conference.get(k) for k in PUBLIC_FIELDS
                      if k not in LATER_FIELDS or conference.get(k) not in (None, 1, [])})


def public(conference: dict[str, Any]) -> dict[str, Any]:
    # conferences stored before `annex` existed have none: false
    assessment = conference.get("assessment")
    return {k: conference.get(k) for k in PUBLIC_FIELDS} | {
        "annex": bool(conference.get("annex")), "recipients": shown(conference),
        "summary_levels": conference.get("summary_levels") or 1, "summary_detail": conference.get("summary_detail") or [],
        "assessment": {k: assessment.get(k) or "" for k in ASSESSMENT_FIELDS} if assessment else None}


def _check_signer(signer: dict[str, Any] | None) -> None:
    """The conference's signer signs for the ministry (its documents derive their signer block from it)."""
    from chalicelib.documents.issuers import ministry, with_signer

    try:
        with_signer(ministry(), signer)
    except ValueError as exc:
        raise invalid("signer.title", f"Người ký phải ký cho Bộ trưởng Bộ Công an: {exc}.") from None


def _stored_recipients(fields: dict[str, Any]) -> dict[str, Any]:
    """Recipients are stored as {"name", "email"} (name "" when none): never as text to parse again."""
    if fields.get("recipients") is not None:
        fields["recipients"] = [from_stored(r).stored() for r in fields["recipients"]]
    return fields


def _check_detail(store: Store, conference: dict[str, Any]) -> None:
    """Each unit asked for in detail exists and lies in the conference's scope (a few reads: the list is short)."""
    from chalicelib.units.service import ancestors

    for unit_id in conference.get("summary_detail") or []:
        if store.units.get(unit_id) is None:
            raise invalid("summary_detail", f"Không có đơn vị '{unit_id}'.")
        if not in_scope(conference, set(ancestors(store, unit_id))):
            raise invalid("summary_detail", f"Đơn vị '{unit_id}' nằm ngoài phạm vi của hội nghị (unit_ids).")


def get_conference(store: Store, conference_id: str) -> dict[str, Any]:
    conference = store.conferences.get(conference_id)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    return conference


def create_conference(store: Store, who: Principal | None, data: ConferenceIn, now: datetime) -> dict[str, Any]:
    fields = _stored_recipients(data.model_dump(mode="json"))
    fields["summary_detail"] = list(dict.fromkeys(fields.get("summary_detail") or []))
    _check_detail(store, fields)
    at = iso(now)
    conference = {"id": new_conference_id(fields["date"]), **fields, "created_at": at, "updated_at": at}
    conference["etag"] = etag_of(conference)
    # 30^6 ids a day: a collision is all but impossible, and a retry of the request takes another id
    store.explain(exists=Unavailable("Không tạo được mã hội nghị, vui lòng thử lại."))
    store.conferences.create(conference, audit=audit.event(entity(conference["id"]), "created", who, now))
    return conference


def entity(conference_id: str) -> str:
    return f"conference:{conference_id}"


def list_conferences(store: Store, limit: int, cursor: str | None) -> Page:
    return store.conferences.list(limit=limit, cursor=cursor)


LAST_DAY = "2100-12-31"  # conference dates are 2000-2100 (the models refuse others)


def in_scope(conference: dict[str, Any], chain: set[str]) -> bool:
    """Whether a unit whose ancestor chain (itself first) is `chain` lies in the conference's scope:
    no unit_ids means every unit; else one of them is the unit or one of its ancestors."""
    unit_ids = conference.get("unit_ids")
    return not unit_ids or bool(chain & set(unit_ids))


def open_for_nominations(conference: dict[str, Any], now: datetime) -> bool:
    """What a unit may still do: nominate or edit until the deadline, and never once the list is finalised."""
    deadline = conference.get("nomination_deadline")
    return not conference.get("finalised_at") and (not deadline or now <= datetime.fromisoformat(deadline))


def unit_view(conference: dict[str, Any], now: datetime, forms: tuple[str, ...]) -> dict[str, Any]:
    """What a unit sees of a conference: no recipients, signer or document settings.
    `forms`: the catalog's award form codes, highest precedence first."""
    quotas = conference.get("quotas") or {}
    return {"id": conference["id"], "title": conference["title"], "date": conference["date"],
            "place": conference.get("place"), "nomination_deadline": conference.get("nomination_deadline"),
            "open": open_for_nominations(conference, now),
            "award_forms": [code for code in forms if quotas.get(code)]}


def for_unit(store: Store, unit_id: str, now: datetime) -> list[dict[str, Any]]:
    """The conferences a unit may nominate to: in its scope, held today (Hà Nội) or later, by date.

    One Query on the conference-date index from today; the unit's ancestors are read one by one."""
    from chalicelib.core.catalogs import award_forms
    from chalicelib.core.periods import VN_TZ
    from chalicelib.units.service import ancestors, get_unit

    get_unit(store, unit_id)
    chain = set(ancestors(store, unit_id))
    today = now.astimezone(VN_TZ).date().isoformat()
    forms = tuple(f.code for f in award_forms())
    return [unit_view(c, now, forms) for c in store.conferences.between(today, LAST_DAY) if in_scope(c, chain)]


def patch_conference(store: Store, who: Principal | None, conference_id: str, patch: ConferencePatch,
                     if_match: str | None, now: datetime) -> dict[str, Any]:
    current = get_conference(store, conference_id)
    if if_match is not None and if_match != current["etag"]:
        raise PreconditionFailed("ETag không khớp: hội nghị đã được sửa sau lần đọc của bạn.")
    changes = _stored_recipients(patch.model_dump(mode="json", exclude_unset=True))
    if "annex" in changes and changes["annex"] is None:
        changes["annex"] = False
    if changes.get("assessment") is not None:
        changes["assessment"] = {k: changes["assessment"].get(k) or "" for k in ASSESSMENT_FIELDS}
    if "summary_levels" in changes and changes["summary_levels"] is None:
        changes["summary_levels"] = 1
    if "summary_detail" in changes:
        changes["summary_detail"] = list(dict.fromkeys(changes["summary_detail"] or []))
    if changes.get("summary_detail") or (changes.get("unit_ids") and current.get("summary_detail")):
        _check_detail(store, {**current, **changes})
    if changes.get("signer") is not None:
        _check_signer(changes["signer"])
    if current.get("finalised_at") and set(changes) & {"quotas", "nomination_deadline", "periods", "unit_ids"}:
        raise Locked("Danh sách khen thưởng đã chốt: không đổi chỉ tiêu, kỳ, phạm vi hay hạn đề nghị.", "finalised")
    for key in ("title", "date", "place", "periods", "recipients", "number_prefix", "signer",
                "upper_agency", "agency", "quotas"):
        if key in changes and changes[key] is None:
            raise invalid(key, "Không được để trống.")
    updated = {**current, **changes, "updated_at": iso(now)}
    updated["etag"] = etag_of(updated)
    store.explain(etag=PreconditionFailed("Hội nghị vừa được người khác sửa; hãy tải lại và thử lại."))
    store.conferences.replace(updated, expected_etag=current["etag"],
                              audit=audit.event(entity(conference_id), "edited", who, now, fields=sorted(changes)))
    return updated


def request_compile(store: Store, conference_id: str, now: datetime) -> dict[str, Any]:
    """Queue a compile for the next scheduled run (the API never renders: no WeasyPrint here)."""
    get_conference(store, conference_id)
    at = iso(now)
    store.conferences.request_compile(conference_id, at)
    return {"conference_id": conference_id, "status": "queued", "requested_at": at,
            "documents": f"/v1/conferences/{conference_id}/documents"}


# -- documents -------------------------------------------------------------------------

def document_public(record: dict[str, Any], base_url: str) -> dict[str, Any]:
    from chalicelib.publishing import lifecycle

    return lifecycle.document_public(record, base_url)


def list_documents(store: Store, conference_id: str, base_url: str, limit: int,
                   cursor: str | None) -> dict[str, Any]:
    from chalicelib.publishing import lifecycle

    return lifecycle.list_documents(store, conference_id, base_url, limit, cursor)


def stored_document(store: Store, document_id: str) -> dict[str, Any]:
    from chalicelib.publishing import lifecycle

    return lifecycle.stored_document(store, document_id)


def verification(store: Store, document_id: str, artifacts: Any = None) -> dict[str, Any]:
    from chalicelib.publishing import lifecycle

    return lifecycle.verification(store, document_id, artifacts)


def document_redirect(artifacts: Any, record: dict[str, Any], *, docx: bool, name: str, content_type: str,
                      threshold: int, seconds: int) -> str | None:
    """Where a browser downloads a file larger than `threshold` bytes (a presigned URL living `seconds`),
    or None: the file comes inline (small, or the store is a local folder)."""
    from chalicelib.delivery.artifacts import download_url

    key = record.get("docx_key") if docx else record.get("artifact_key")
    size = record.get("docx_size") if docx else record.get("size")
    if not key or size is None or int(size) <= threshold:
        return None
    return download_url(artifacts, key, seconds, name, content_type)


def document_bytes(store: Store, artifacts: Any, document_id: str, docx: bool = False,
                   record: dict[str, Any] | None = None) -> tuple[dict[str, Any], bytes]:
    record = record or stored_document(store, document_id)
    if docx:
        if not record.get("docx_key"):
            raise NotFound(f"tệp DOCX của văn bản '{document_id}'")
        return record, artifacts.get(record["docx_key"])
    return record, artifacts.get(record["artifact_key"])


def download_name(record: dict[str, Any], extension: str = "pdf") -> str:
    from chalicelib.publishing.names import attachment_name  # names only; no renderer is loaded

    return attachment_name(record, extension)
