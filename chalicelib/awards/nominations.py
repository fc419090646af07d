"""Nominations for commendation: proposed by units, scored by reviewers, decided by the office.

A unit nominates for itself or a unit of its subtree; it may edit a nomination
until it is approved or rejected, until the conference's nomination deadline, and
until the list is finalised. One person or collective is nominated at most once
per conference and award form (a guard item in the store makes that hold under
concurrency). Every change gives the nomination a new ETag; decisions need the
ETag the decider read (If-Match). Finalising a conference locks its list: every
later change is 423. Every change is in the audit log.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Sequence

from chalicelib.awards import ranking
from chalicelib.core import audit
from chalicelib.core.etag import etag_of as core_etag
from chalicelib.core.access import Principal
from chalicelib.core.catalogs import award_form, award_forms, indicator_catalog, scoring_rubric
from chalicelib.core.clock import iso
from chalicelib.core.errors import (Conflict, FieldError, Forbidden, Invalid, Locked, NotFound, PreconditionFailed,
                                    PreconditionRequired, invalid)
from chalicelib.core.periods import parse_period
from chalicelib.core.positions import position_cursor, position_of
from chalicelib.core.states import Decision, NominationKind, NominationStatus
from chalicelib.core.text import cut_at_word, mixed_scripts, name_key
from chalicelib.store import Page, Store
from chalicelib.store.repositories import Batch
from chalicelib.store.unit_of_work import MAX_TRANSACTION
from chalicelib.units.service import ancestors, get_unit, in_subtree

if TYPE_CHECKING:  # request models are for the type checker; pydantic loads only with a body
    from chalicelib.awards.models import BulkDecisionIn, DecisionIn, NominationIn, NominationPatch, ScoresIn

PUBLIC_FIELDS = ("id", "conference_id", "unit_id", "nominee_unit_id", "kind", "name", "position", "officer_number",
                 "birth_date", "team", "identity_key", "award_form", "achievements", "figures", "status", "decision",
                 "created_at", "created_by", "updated_at", "version")
EDITABLE = (NominationStatus.PENDING, NominationStatus.HELD)
FINALISED = "Danh sách khen thưởng của hội nghị đã được chốt; không thể thay đổi."
_ID_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"


def public(nomination: dict[str, Any]) -> dict[str, Any]:
    out = {k: nomination.get(k) for k in PUBLIC_FIELDS}
    out["figures"] = out["figures"] or {}
    out["team"] = is_team(nomination)
    out["identity_key"] = out["identity_key"] or identity_key(nomination)  # records from before identities
    return out


def etag_of(nomination: dict[str, Any]) -> str:
    return core_etag(public(nomination), nomination["version"])


def identity_key(nomination: dict[str, Any]) -> str:
    """Who is nominated: the officer number when there is one, else the folded name with the date of
    birth and unit; a collective is a unit of the tree, or a named team within a unit."""
    unit = nomination["nominee_unit_id"]
    if nomination["kind"] == NominationKind.INDIVIDUAL:
        if nomination.get("officer_number"):
            return f"officer:{nomination['officer_number'].upper()}"
        return f"person:{name_key(nomination['name'])}|{nomination.get('birth_date') or ''}|{unit}"
    if is_team(nomination):
        return f"team:{unit}:{name_key(nomination['name'])}"
    return f"unit:{unit}"


def is_team(nomination: dict[str, Any]) -> bool:
    """A named team within a unit; a collective stored before identities (no `team`) was keyed by its name."""
    if nomination["kind"] != NominationKind.COLLECTIVE:
        return False
    return bool(nomination.get("team", True))


def nominee_key(nomination: dict[str, Any]) -> str:
    """The store's guard key (one per conference and award form): a digest of the identity key."""
    return hashlib.sha256(identity_key(nomination).encode()).hexdigest()[:32]


def entity(nomination_id: str) -> str:
    return f"nomination:{nomination_id}"


# -- checks ----------------------------------------------------------------------------

def _conference(store: Store, conference_id: str, field: str = "conference_id") -> dict[str, Any]:
    conference = store.conferences.get(conference_id)
    if conference is None:
        raise invalid(field, f"Hội nghị '{conference_id}' không tồn tại.")
    return conference


def _open_for_changes(conference: dict[str, Any]) -> None:
    if conference.get("finalised_at"):
        raise Locked(FINALISED, "finalised")


def _open_for_units(conference: dict[str, Any], who: Principal, now: datetime) -> None:
    _open_for_changes(conference)
    deadline = conference.get("nomination_deadline")
    if deadline and not who.is_admin and now > datetime.fromisoformat(deadline):
        raise Locked("Đã hết hạn gửi đề nghị khen thưởng cho hội nghị này.", "nomination_deadline_passed")


def _check_fields(store: Store, nomination: dict[str, Any], nominee_unit: dict[str, Any] | None = None) -> None:
    """`nominee_unit`: the nominee's unit as read (None: read here)."""
    errors: list[FieldError] = []
    form = award_form(nomination["award_form"])
    if form is None:
        errors.append(FieldError("award_form", "Hình thức khen thưởng không có trong danh mục (xem GET /v1/award-forms)."))
    elif nomination["kind"] not in form.for_kinds:
        whom = "tập thể" if nomination["kind"] == NominationKind.COLLECTIVE else "cá nhân"
        errors.append(FieldError("award_form", f"{form.name} không dành cho {whom}."))
    if nomination["kind"] == NominationKind.INDIVIDUAL and not nomination.get("position"):
        errors.append(FieldError("position", "Cá nhân được đề nghị cần ghi cấp bậc, chức vụ."))
    if nomination["kind"] == NominationKind.INDIVIDUAL:
        if nomination.get("team"):
            errors.append(FieldError("team", "Chỉ tập thể mới là tổ, đội, nhóm trong đơn vị."))
        if nomination.get("birth_date"):
            try:
                born = date.fromisoformat(nomination["birth_date"])
            except ValueError:
                born = None
            if born is None or not 1900 <= born.year <= date.today().year:
                errors.append(FieldError("birth_date", "Ngày sinh không hợp lệ (YYYY-MM-DD)."))
    else:
        for key in ("officer_number", "birth_date"):
            if nomination.get(key):
                errors.append(FieldError(key, "Chỉ ghi cho cá nhân được đề nghị."))
    unknown = sorted(set(nomination.get("figures") or {}) - set(indicator_catalog().codes))
    if unknown:
        errors.append(FieldError("figures", f"Mã chỉ tiêu không có trong danh mục: {', '.join(unknown)}."))
    nominee = nominee_unit if nominee_unit is not None and nominee_unit.get("id") == nomination["nominee_unit_id"] \
        else store.units.get(nomination["nominee_unit_id"])
    if nominee is None:
        errors.append(FieldError("nominee_unit_id", f"Đơn vị '{nomination['nominee_unit_id']}' không tồn tại."))
    elif not in_subtree(store, nominee, nomination["unit_id"]):  # the nominee's stored path: no tree read
        errors.append(FieldError("nominee_unit_id", "Chỉ đề nghị cho đơn vị mình hoặc đơn vị cấp dưới."))
    if errors:
        raise Invalid(errors)


def _check_identity(store: Store, nomination: dict[str, Any]) -> None:
    """One nominee per conference and award form: the guard item the write puts with the nomination
    (its failure is a 409 naming the nomination already there, built only then). A name mixing
    scripts that is not a duplicate is refused (422): it only looks like the name it copies; only such
    a name costs a read of the guard here."""
    def duplicate() -> Exception:
        other = _guarded(store, nomination)
        if other is None:  # released meanwhile: still refused, the guard was taken when the write ran
            form = award_form(nomination["award_form"])
            return Conflict(f"'{nomination['name']}' đã được đề nghị "
                            f"{form.name if form else nomination['award_form']} tại hội nghị này.")
        return Conflict(_duplicate(store, nomination, other))

    store.explain(nominee=duplicate)
    if mixed_scripts(nomination["name"]):
        other = _guarded(store, nomination)
        if other is not None:
            raise duplicate()
        raise invalid("name", "Tên trộn chữ của nhiều hệ chữ (ví dụ chữ Kirin hoặc Hy Lạp giống chữ Latinh); "
                              "hãy gõ lại bằng chữ tiếng Việt.")


def _guarded(store: Store, nomination: dict[str, Any]) -> dict[str, Any] | None:
    """Another nomination holding this nominee's guard (same conference, form and identity), if any."""
    holder = store.nominations.guard_holder(nomination["conference_id"], nomination["award_form"],
                                            nominee_key(nomination))
    if holder is None or holder == nomination.get("id"):
        return None
    return store.nominations.get(holder)


def _duplicate(store: Store, nomination: dict[str, Any], other: dict[str, Any]) -> str:
    form = award_form(nomination["award_form"])
    unit = store.units.get(other["unit_id"]) or {}
    return (f"'{nomination['name']}' đã được đề nghị {form.name if form else nomination['award_form']} tại hội nghị "
            f"này: đề nghị {other['id']} ('{other['name']}') của {unit.get('name', other['unit_id'])}.")


# -- nominations -----------------------------------------------------------------------

_HINTS = {"nominee_unit_id": re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$"),
          "conference_id": re.compile(r"^[0-9]{8}-[a-z0-9]{6}$")}


def _hint(raw: bytes, name: str) -> str | None:
    """What the (not yet validated) body names in field `name`, when it has the shape of an id: only
    ever a key read ahead with the rest of the batch; the body is validated after authentication."""
    try:
        value = json.loads(raw).get(name) if raw and len(raw) <= 64 * 1024 else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and _HINTS[name].match(value) else None


def create_reads(store: Store, unit_id: str, bearer: Any, raw: bytes = b"") -> Any:
    """The route's preload, one BatchGetItem: the nominating unit, the conference and the nominee's
    unit the body names, with what authenticates the caller."""
    nominee = _hint(raw, "nominee_unit_id")
    conference = _hint(raw, "conference_id")
    return store.reads.read(units=[unit_id, *([nominee] if nominee else [])],
                            conferences=[conference] if conference else [], bearer=bearer)


_NOMINATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def decide_many_reads(store: Store, conference_id: str, bearer: Any, raw: bytes = b"") -> Any:
    """The bulk decision's preload, one BatchGetItem: the conference and the pointers of the nominations
    the (not yet validated) body names, with what authenticates the caller."""
    from chalicelib.awards.models import MAX_BULK

    try:
        items = json.loads(raw).get("items") if raw and len(raw) <= 64 * 1024 else None
    except (ValueError, AttributeError):
        items = None
    named = [i.get("nomination_id") for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    # anything may stand there before validation (an object, a list): only id-shaped strings are read
    ids = list(dict.fromkeys(i for i in named if isinstance(i, str) and _NOMINATION_ID.match(i)))[:MAX_BULK]
    return store.reads.read(conferences=[conference_id], pointers=ids, bearer=bearer)


def create_nomination(store: Store, who: Principal, unit_id: str, body: NominationIn, now: datetime,
                      reads: Any = None) -> dict[str, Any]:
    """At most three round trips, however many units and nominations there are: the unit (read with
    the caller's credentials, `create_reads`), the conference with the nominee's unit (one batch; the
    subtree check is the nominee's stored path), then the write, whose guard item refuses a nominee
    already nominated."""
    data = body.model_dump()
    nominee_id = data["nominee_unit_id"] or unit_id
    found = _also(store, reads, units=[unit_id, nominee_id], conferences=[body.conference_id])
    unit = found.units[unit_id]
    if unit is None:
        raise NotFound(f"đơn vị '{unit_id}'")
    conference = found.conferences[body.conference_id]
    if conference is None:
        raise invalid("conference_id", f"Hội nghị '{body.conference_id}' không tồn tại.")
    _open_for_units(conference, who, now)
    # a collective named without a unit of the tree is a team within the nominating unit (as before identities)
    team = data["team"] if data["team"] is not None else (body.kind == "collective" and data["nominee_unit_id"] is None)
    nomination = {**data, "team": team, "unit_id": unit_id, "nominee_unit_id": nominee_id,
                  "status": NominationStatus.PENDING.value, "decision": None, "created_at": iso(now),
                  "created_by": who.actor, "updated_at": iso(now), "version": 1}
    _check_fields(store, nomination, found.units[nominee_id])
    nomination["identity_key"] = identity_key(nomination)
    nomination["nominee_key"] = nominee_key(nomination)
    _check_identity(store, nomination)
    nomination["id"] = "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))  # 30^10: never twice in practice
    nomination["etag"] = etag_of(nomination)
    store.explain(finalised=Locked(FINALISED, "finalised"),
                  exists=Conflict("Không cấp được mã đề nghị, vui lòng thử lại."))
    store.nominations.create(nomination, audit=audit.event(entity(nomination["id"]), "nominated", who, now,
                                                           conference_id=conference["id"], award_form=body.award_form))
    return nomination


NOMINEE_UNITS_SEARCH = 20  # units a search answers unless `limit` says otherwise


def nominee_units(store: Store, unit_id: str, *, q: str | None = None, limit: int | None = None,
                  cursor: str | None = None) -> dict[str, Any]:
    """The units a nomination of `unit_id` may name (itself and its subtree), in tree order.

    Without `q`, `limit` and `cursor`: the whole subtree, as the form has always read it, when it fits in
    1 MB (a province's 70 units: 8 KB); else its first page and `next` (the ministry's 11,000: 1.3 MB), and
    the form searches (`q`) instead. `q`: at most `limit` units of the subtree whose name has a word
    beginning with each word typed (diacritics optional, as GET /v1/units?q=) or whose id it is, in tree
    order, and `total` says how many matched."""
    from chalicelib.core.text import name_key as key_of
    from chalicelib.core.positions import MAX_BODY, body_bytes
    from chalicelib.units.directory import MAX_QUERY, name_matcher
    from chalicelib.units.service import descendants, tree_walk

    if q is not None and len(q.strip()) > MAX_QUERY:
        raise invalid("q", f"Tối đa {MAX_QUERY} ký tự.")
    start = position_of(cursor, "nominee-units", unit_id, "danh sách này") if q is None else 0
    get_unit(store, unit_id)
    tree = store.units.tree()  # the picker lists the subtree: the tree, kept between requests
    mine = descendants(tree, unit_id)
    units = [u for u in tree if u["id"] in mine]
    rows = [{"id": u["id"], "name": u["name"], "parent_id": parent if parent in mine else None}
            for _, u, parent in tree_walk(units)]
    if q is not None:
        text = q.strip()
        match, _ = name_matcher(text)
        found = [r for r in rows if r["id"] == text.lower() or (key_of(text) and match(r["name"]))]
        return {"items": found[:limit or NOMINEE_UNITS_SEARCH], "next": None, "total": len(found)}
    if limit is None and cursor is None:
        whole = {"items": rows, "next": None, "total": len(rows)}
        if body_bytes(whole) <= MAX_BODY:
            return whole
    end = start + (limit or 50)
    return {"items": rows[start:end], "total": len(rows),
            "next": position_cursor("nominee-units", unit_id, end) if end < len(rows) else None}


def get_nomination(store: Store, nomination_id: str) -> dict[str, Any]:
    nomination = store.nominations.get(nomination_id)
    if nomination is None:
        raise NotFound(f"đề nghị khen thưởng '{nomination_id}'")
    return nomination


def list_nominations(store: Store, unit_id: str, conference_id: str | None, limit: int, cursor: str | None) -> Page:
    get_unit(store, unit_id)
    return store.nominations.for_unit(unit_id, conference_id, limit=limit, cursor=cursor)


def _also(store: Store, reads: Any, units: list[str] = (), conferences: list[str] = ()) -> Any:  # type: ignore[assignment]
    """`reads` (a preload's Batch) with whatever of `units` and `conferences` it lacks read in one more batch."""
    have_units = dict(reads.units) if reads is not None else {}
    have_conferences = dict(reads.conferences) if reads is not None else {}
    missing_units = [u for u in units if u not in have_units]
    missing_conferences = [c for c in conferences if c not in have_conferences]
    if missing_units or missing_conferences:
        more = store.reads.read(units=missing_units, conferences=missing_conferences)
        have_units.update(more.units)
        have_conferences.update(more.conferences)
    return Batch(units=have_units, conferences=have_conferences,
                 nominations=dict(reads.nominations) if reads is not None else {})


@dataclass(frozen=True)
class EditReads:
    """What an edit's preload read: the caller's credentials and the nomination's id pointer, then
    (the pointer naming them) the nomination, its conference, its unit and its nominee's unit."""

    credentials: dict[str, Any] | None
    pointer: dict[str, Any] | None
    found: Batch

    @property
    def owner(self) -> str | None:
        """The proposing unit, for the access rule (no second read of the nomination)."""
        return self.pointer["unit_id"] if self.pointer else None

    @property
    def units(self) -> dict[str, Any]:
        """The units read (the proposing unit's stored path answers the access rule's subtree check)."""
        return self.found.units

    @property
    def conferences(self) -> dict[str, Any]:
        return self.found.conferences

    @property
    def nominations(self) -> dict[str, Any]:
        return self.found.nominations


def edit_reads(store: Store, nomination_id: str, bearer: Any, raw: bytes = b"") -> EditReads:
    """The route's preload, two BatchGetItems: the nomination's pointer with what authenticates the
    caller, then what the pointer names (and the nominee's unit the body names, if another)."""
    first = store.reads.read(pointers=[nomination_id], bearer=bearer)
    pointer = first.pointers[nomination_id]
    if pointer is None:
        return EditReads(first.credentials, None, Batch())
    units = [pointer["unit_id"], pointer.get("nominee_unit_id"), _hint(raw, "nominee_unit_id")]
    found = store.reads.read(units=[u for u in units if u], conferences=[pointer["conference_id"]],
                             nominations=[pointer])
    return EditReads(first.credentials, pointer, found)


def patch_nomination(store: Store, who: Principal, nomination_id: str, patch: NominationPatch, if_match: str | None,
                     now: datetime, reads: EditReads | None = None) -> dict[str, Any]:
    """At most three round trips, however many units and nominations there are: the pointer (with
    the caller's credentials, `edit_reads`), the nomination with its conference and its nominee's
    unit (one batch: the pointer names them), then the write."""
    if reads is None or reads.pointer is None or reads.pointer["id"] != nomination_id:
        reads = edit_reads(store, nomination_id, None)
    pointer = reads.pointer
    if pointer is None:
        raise NotFound(f"đề nghị khen thưởng '{nomination_id}'")
    if if_match is None:
        raise PreconditionRequired("Sửa đề nghị cần If-Match với ETag của lần đọc gần nhất.")
    changes = patch.model_dump(exclude_unset=True)
    current = reads.nominations.get(nomination_id)
    if current is None:
        raise NotFound(f"đề nghị khen thưởng '{nomination_id}'")
    if if_match != current["etag"]:
        raise PreconditionFailed("ETag không khớp: đề nghị đã thay đổi sau lần đọc của bạn.")
    # the nominee's unit this edit leaves, read with the nomination (a pointer from before pointers
    # named it, or a body the hint missed, costs one more read)
    found = _also(store, reads, units=[changes.get("nominee_unit_id") or current["nominee_unit_id"]],
                  conferences=[current["conference_id"]])
    conference = found.conferences[current["conference_id"]]
    if conference is None:
        raise invalid("conference_id", f"Hội nghị '{current['conference_id']}' không tồn tại.")
    _open_for_units(conference, who, now)
    if current["status"] not in EDITABLE:
        raise Locked("Đề nghị đã được quyết định nên không thể sửa.", "decided")
    for key in ("kind", "name", "award_form", "achievements", "nominee_unit_id"):
        if key in changes and changes[key] is None:
            raise invalid(key, "Không được để trống.")
    if "team" in changes and changes["team"] is None:
        changes["team"] = False
    updated = {**current, **changes, "updated_at": iso(now), "version": current["version"] + 1}
    if updated["kind"] == NominationKind.INDIVIDUAL:
        updated["team"] = False
    _check_fields(store, updated, found.units.get(updated["nominee_unit_id"]))
    updated["identity_key"] = identity_key(updated)
    updated["nominee_key"] = nominee_key(updated)
    _check_identity(store, updated)
    updated["etag"] = etag_of(updated)
    store.explain(finalised=Locked(FINALISED, "finalised"),
                  etag=PreconditionFailed("Đề nghị vừa được thay đổi bởi một yêu cầu khác; hãy đọc lại."))
    store.nominations.replace(updated, current, audit=audit.event(entity(nomination_id), "edited", who, now,
                                                                  fields=sorted(changes)), pointer=pointer)
    return updated


# -- reviewer scores -------------------------------------------------------------------

def conflicted_units(store: Store, nomination: dict[str, Any]) -> set[str]:
    """The units whose reviewers may not score the nomination: the proposing unit and every unit
    above it, the nominee's unit and every unit above it."""
    return set(ancestors(store, nomination["unit_id"])) | set(ancestors(store, nomination["nominee_unit_id"]))


def scores_of(store: Store, nomination: dict[str, Any]) -> list[dict[str, Any]]:
    return store.nominations.scores_for(nomination["conference_id"], nomination["id"])


def score_nomination(store: Store, who: Principal, nomination_id: str, body: ScoresIn, now: datetime) -> dict[str, Any]:
    nomination = get_nomination(store, nomination_id)
    _open_for_changes(_conference(store, nomination["conference_id"]))
    # HotCRP's conflict rule: nobody scores a proposal from their own unit (or one below it), nor one
    # whose nominee is their unit or below it (a parent nominating its child's collective).
    if who.unit_id and who.unit_id in conflicted_units(store, nomination):
        raise Forbidden("Người chấm không được chấm đề nghị của đơn vị mình hoặc đơn vị cấp dưới (xung đột lợi ích).",
                        reason="conflict_of_interest")
    criteria = {c.code for c in scoring_rubric().criteria}
    missing, unknown = criteria - set(body.scores), set(body.scores) - criteria
    if missing or unknown:
        raise Invalid([FieldError(f"scores.{c}", "Thiếu điểm tiêu chí này.") for c in sorted(missing)]
                      + [FieldError(f"scores.{c}", "Tiêu chí không có trong thang điểm.") for c in sorted(unknown)])
    # who.actor: the person when signed in as one, one reviewer however many sessions they open
    score = {"conference_id": nomination["conference_id"], "nomination_id": nomination_id, "reviewer": who.actor,
             "reviewer_name": who.name, "scores": {k: body.scores[k] for k in sorted(criteria)}, "note": body.note,
             "at": iso(now)}
    store.explain(finalised=Locked(FINALISED, "finalised"))
    store.nominations.put_score(score, audit=audit.event(entity(nomination_id), "scored", who, now,
                                                         scores=score["scores"]))
    return score


# -- decisions -------------------------------------------------------------------------

def _decided(nomination: dict[str, Any], who: Principal, body: DecisionIn, now: datetime, field: str = "",
             warned: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The decided nomination. `warned(updated)`: its eligibility warnings (for the form it is approved in);
    approving over a warning needs an override note, kept on the decision (and in its audit event)."""
    decision = Decision(body.decision)
    if decision == Decision.REJECT and not body.note:
        raise invalid(f"{field}note", "Từ chối đề nghị phải kèm ghi chú nêu lý do.")
    updated = {**nomination, "status": decision.status.value, "updated_at": iso(now),
               "version": nomination["version"] + 1,
               "decision": {"decision": decision.value, "note": body.note, "by": who.actor, "by_name": who.name,
                            "at": iso(now), "award_form_before": None, "override": None}}
    if body.award_form and body.award_form != nomination["award_form"]:
        form = award_form(body.award_form)
        if form is None or nomination["kind"] not in form.for_kinds:
            raise invalid(f"{field}award_form", "Hình thức khen thưởng không có hoặc không dành cho đối tượng này.")
        updated["decision"]["award_form_before"] = nomination["award_form"]
        updated["award_form"] = body.award_form
    warnings = warned(updated) if warned and decision == Decision.APPROVE else []
    if warnings:
        note = (getattr(body, "override_note", "") or "").strip()
        if not note:
            raise invalid(f"{field}override_note",
                          "Đề nghị chưa đủ điều kiện: " + "; ".join(w["message"] for w in warnings)
                          + ". Duyệt vượt điều kiện cần ghi lý do (Lý do duyệt vượt điều kiện).")
        updated["decision"]["override"] = {"note": note, "warnings": warnings}
    updated["etag"] = etag_of(updated)
    return updated


def _warned(store: Store, conference: dict[str, Any], nominations: list[dict[str, Any]], now: datetime
            ) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """The warnings of a nomination being approved: one register read for all the nominations given,
    the conference's nominations read once (unit caps)."""
    from chalicelib.awards import warnings as eligibility

    found = eligibility.histories(store, nominations)
    same = store.nominations.for_conference(conference["id"])

    def warned(updated: dict[str, Any]) -> list[dict[str, Any]]:
        others = [n for n in same if n["id"] != updated["id"]] + [updated]
        return [w.as_dict() for w in eligibility.warnings_of(updated, found.get(updated["id"], []), conference,
                                                             others, now.date())]
    return warned


def _stage_decisions(store: Store, who: Principal, conference_id: str,
                     pairs: list[tuple[dict[str, Any], dict[str, Any]]], now: datetime) -> None:
    """All the decisions, their audit events and the conference's approval counts: one transaction."""
    events = [audit.event(entity(old["id"]), new["decision"]["decision"], who, now, note=new["decision"]["note"],
                          award_form=new["award_form"], before=old["status"],
                          **({"override": new["decision"]["override"]} if new["decision"].get("override") else {}))
              for old, new in pairs]
    approved: dict[str, int] = {}
    for old, new in pairs:
        if old["status"] == NominationStatus.APPROVED:
            approved[old["award_form"]] = approved.get(old["award_form"], 0) - 1
        if new["status"] == NominationStatus.APPROVED:
            approved[new["award_form"]] = approved.get(new["award_form"], 0) + 1
    moves = sum(1 for old, new in pairs if old["award_form"] != new["award_form"])
    if 2 * len(pairs) + 2 * moves + 2 > MAX_TRANSACTION:  # + the conference's counts and its ranks' version
        raise invalid("items", f"Quá nhiều đề nghị đổi hình thức khen thưởng trong một lần ({moves}); "
                               "hãy chia thành nhiều lần.")
    store.explain(finalised=Locked(FINALISED, "finalised"), **{
        f"etag:{old['id']}": PreconditionFailed(f"Đề nghị '{old['id']}' vừa thay đổi; không quyết định nào được ghi. "
                                                "Hãy tải lại danh sách.") for old, _ in pairs},
        nominee=Conflict("Đối tượng này đã được đề nghị hình thức khen thưởng mới tại hội nghị; "
                         "không quyết định nào được ghi."))
    store.nominations.decide([(new, old) for old, new in pairs], conference_id, events,
                             stamp=f"{iso(now)}#{secrets.token_hex(4)}", approved=approved)


def decide(store: Store, who: Principal, nomination_id: str, body: DecisionIn, if_match: str | None,
           now: datetime) -> dict[str, Any]:
    nomination = get_nomination(store, nomination_id)
    if if_match is None:
        raise PreconditionRequired("Quyết định cần If-Match với ETag của đề nghị khi đọc.")
    conference = _conference(store, nomination["conference_id"])
    _open_for_changes(conference)
    if if_match != nomination["etag"]:
        raise PreconditionFailed("ETag không khớp: đề nghị đã thay đổi sau lần đọc của bạn.")
    warned = _warned(store, conference, [nomination], now) if body.decision == Decision.APPROVE.value else None
    updated = _decided(nomination, who, body, now, warned=warned)
    _stage_decisions(store, who, nomination["conference_id"], [(nomination, updated)], now)
    return updated


def decide_many(store: Store, who: Principal, conference_id: str, body: BulkDecisionIn, now: datetime,
                reads: Any = None) -> list[dict[str, Any]]:
    """All or nothing: one transaction, each nomination conditioned on the ETag its item names."""
    ids = [item.nomination_id for item in body.items]
    if reads is not None and conference_id in reads.conferences and all(i in reads.pointers for i in ids):
        # the conference and the pointers came with the caller's credentials (`decide_many_reads`):
        # the nominations are one more batch, then the transaction
        conference = reads.conferences[conference_id]
        pointers = [p for i in ids if (p := reads.pointers[i]) is not None]
        read = store.reads.read(nominations=pointers).nominations if pointers else {}
        found = {i: read.get(i) for i in ids}
    else:
        # the conference with the pointers, then the nominations: two batched round trips, not two per item
        conference, found = store.nominations.with_conference(conference_id, ids)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    _open_for_changes(conference)
    if len(set(ids)) != len(ids):
        raise invalid("items", "Mỗi đề nghị chỉ xuất hiện một lần trong một lần quyết định.")
    pairs = []
    for i, item in enumerate(body.items):
        nomination = found[item.nomination_id]
        if nomination is None or nomination["conference_id"] != conference_id:
            raise invalid(f"items.{i}.nomination_id", "Không có đề nghị này trong hội nghị.")
        if item.etag.strip('"') != nomination["etag"]:
            raise PreconditionFailed(f"Đề nghị '{item.nomination_id}' đã thay đổi sau lần đọc của bạn; "
                                     "không quyết định nào được ghi.")
    approving = [found[item.nomination_id] for item in body.items if item.decision == Decision.APPROVE.value]
    warned = _warned(store, conference, approving, now) if approving else None
    errors: list[FieldError] = []
    for i, item in enumerate(body.items):
        nomination = found[item.nomination_id]
        try:
            pairs.append((nomination, _decided(nomination, who, item, now, f"items.{i}.", warned)))
        except Invalid as refused:  # every item's problem at once; nothing is written
            errors.extend(refused.errors)
    if errors:
        raise Invalid(errors)
    _stage_decisions(store, who, conference_id, pairs, now)
    return [new for _, new in pairs]


# -- the shortlist and finalising ------------------------------------------------------

# What ranking a nomination and counting it against its quota and its unit's cap read: a page of the
# shortlist ranks on these (a few dozen bytes a nomination, not its achievements) and reads its own
# rows whole, so 5,000 nominations cost a few small Query pages.
RANK_FIELDS = ("id", "unit_id", "conference_id", "nominee_unit_id", "award_form", "status", "created_at", "kind")


def shortlist_rows(store: Store, conference: dict[str, Any], units: list[dict[str, Any]],
                   now: datetime | None = None, attrs: Sequence[str] | None = None) -> list[ranking.Row]:
    """Every nomination of the conference, ranked within its award form (same order on every run)."""
    return ranked(store, conference, units, now, attrs)[0]


def ranked(store: Store, conference: dict[str, Any], units: list[dict[str, Any]], now: datetime | None = None,
           attrs: Sequence[str] | None = None) -> tuple[list[ranking.Row], dict[str, dict[str, int]]]:
    """The ranked rows and the units' figures (summed over the conference's periods) they were scored on
    (`attrs`: the nominations read with only these attributes)."""
    from chalicelib.awards.window import window_figures

    rubric = scoring_rubric()
    # a few attributes each: from their pack, kept exactly by every nomination write (store.nominations)
    nominations = store.nominations.for_ranking(conference["id"], attrs) if attrs is not None \
        else store.nominations.for_conference(conference["id"])
    periods = [parse_period(p).code for p in conference["periods"]]
    # the window's sums from each period's packed figures, not from every report read in full
    codes = [*rubric.indicators, *([rubric.per] if rubric.per else [])]
    own = window_figures(store, periods, now or datetime.now(timezone.utc), codes)
    figures = rolled_up_figures(units, own, rubric)
    # only the nominees' units are scored; every unit of their kinds stays a peer of the percentiles
    automatic = ranking.automatic_scores(units, figures, rubric, only={ranking.scored_unit(n) for n in nominations})
    scores: dict[str, list[dict[str, Any]]] = {}
    for s in store.nominations.scores(conference["id"]):
        scores.setdefault(s["nomination_id"], []).append(s)
    return ranking.rank(nominations, award_forms(), conference.get("quotas") or {}, automatic, scores, rubric), figures


def rolled_up_figures(units: list[dict[str, Any]], own: dict[str, dict[str, int]], rubric: Any
                      ) -> dict[str, dict[str, int]]:
    """Each unit's figures over its whole subtree (its own reports and every unit's below it): a
    parent with no report of its own is scored on what its units did, as the summary counts it."""
    codes = list(rubric.indicators) + ([rubric.per] if rubric.per else [])
    sums = _rolled_up(units, {u: {c: f.get(c) for c in codes} for u, f in own.items()}, codes)
    return {u: {c: v for c, v in f.items() if v is not None} for u, f in sums.items()
            if any(v is not None for v in f.values())}


def _rolled_up(units: list[dict[str, Any]], own: dict[str, dict[str, int | None]], codes: Sequence[str]
               ) -> dict[str, dict[str, int | None]]:
    """What `conferences.aggregate.rolled_up` gives, without its walk in Vietnamese name order: sums do
    not depend on the order, and sorting 11,000 names is most of a new container's shortlist (~0.5 s).
    Children before parents by depth, each unit adding into its parent. A tree holding a cycle (which the
    table should never hold) is left to `rolled_up`, whose walk decides where the cycle is entered."""
    ids = {u["id"] for u in units}
    parent = {u["id"]: (u.get("parent_id") if u.get("parent_id") in ids else None) for u in units}
    depth: dict[str, int] = {}
    for start in parent:
        chain: list[str] = []
        at: str | None = start
        while at is not None and at not in depth:
            if len(chain) > len(parent):  # longer than the tree: a cycle
                from chalicelib.conferences.aggregate import rolled_up

                return rolled_up(units, own, codes)
            chain.append(at)
            at = parent[at]
        base = -1 if at is None else depth[at]
        for n, unit_id in enumerate(reversed(chain), 1):
            depth[unit_id] = base + n
    sums = {u["id"]: {c: (own.get(u["id"]) or {}).get(c) for c in codes} for u in units}
    for unit_id in sorted(depth, key=depth.__getitem__, reverse=True):  # deepest first: children before parents
        up = parent[unit_id]
        if up is not None:
            mine, theirs = sums[unit_id], sums[up]
            for c in codes:
                if mine[c] is not None:
                    theirs[c] = mine[c] if theirs[c] is None else theirs[c] + mine[c]
    return sums


def shortlist(store: Store, conference_id: str, *, page: tuple[int, int] | None = None,
              now: datetime | None = None) -> dict[str, Any]:
    """Every row ranked; the eligibility warnings of the rows in `page` (start, end), of every row
    when None: one read of the register for those rows, whatever their number."""
    return _shortlist(store, conference_id, page, now)[0]


def _shortlist(store: Store, conference_id: str, page: tuple[int, int] | None, now: datetime | None
               ) -> tuple[dict[str, Any], int]:
    """The shortlist with the rows of `page` only (every row when None), and how many rows there are:
    every nomination is ranked, only the page's rows are made into answers."""
    from chalicelib.awards import warnings as eligibility

    conference = store.conferences.get(conference_id)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    units = store.units.tree()  # ranking needs kind and parent, the rows names: the tree, kept between requests
    # a page ranks every nomination on RANK_FIELDS and reads its own rows whole (one BatchGetItem)
    rows = shortlist_rows(store, conference, units, now, attrs=RANK_FIELDS if page is not None else None)
    quotas = conference.get("quotas") or {}
    lines = [{"award_form": f.code, "name": f.name, "quota": quotas.get(f.code),
              "nominated": sum(1 for r in rows if r.award_form.code == f.code),
              "approved": sum(1 for r in rows if r.award_form.code == f.code
                              and r.nomination["status"] == NominationStatus.APPROVED)}
             for f in award_forms()]
    names = {u["id"]: u["name"] for u in units}
    start, end = page if page is not None else (0, len(rows))
    shown = rows[start:end]
    if page is not None and shown:
        whole = store.reads.whole_nominations([r.nomination for r in shown])
        # a nomination deleted between the two reads is left out of the page (it was there a moment ago)
        shown = [replace(r, nomination=n) for r, n in zip(shown, whole) if n is not None]
    warned = eligibility.warnings_by_id(store, conference, [r.nomination for r in shown],
                                        [r.nomination for r in rows])
    # the row's ETag is the nomination's own: a decision made from the list is conditioned on what the
    # list showed (If-Match, or a bulk item's etag), so a change since the list was read is a 412
    items = [{**r.as_dict(public(r.nomination)), "unit_name": names.get(r.nomination["unit_id"], ""),
              "nominee_unit_name": names.get(r.nomination["nominee_unit_id"], ""),
              "warnings": warned.get(r.nomination["id"], []), "etag": r.nomination["etag"]}
             for r in shown]
    return {"items": items, "next": None, "quotas": lines,
            "finalised_at": conference.get("finalised_at")}, len(rows)


def shortlist_page(store: Store, conference_id: str, limit: int, cursor: str | None,
                   now: datetime | None = None) -> dict[str, Any]:
    """One page of the ranked shortlist, each row's achievements cut to an excerpt.

    Everything is ranked on every request and then sliced, so pages join up in the
    same order whatever their size; the cursor is the position of the page's first row.
    Every page carries the whole conference's quota summary. The full text of a row is
    at GET /v1/nominations/{id}; the workbook (`shortlist`) keeps every row in full.
    """
    start = position_of(cursor, "shortlist", conference_id, "danh sách này")
    full, total = _shortlist(store, conference_id, (start, start + limit), now)
    rows = full["items"]
    end = start + len(rows)
    items = [{**row, "nomination": {**row["nomination"], "achievements": excerpt(row["nomination"]["achievements"]),
                                    "achievements_length": len(row["nomination"]["achievements"])}}
             for row in rows]
    return {**full, "items": items,
            "next": position_cursor("shortlist", conference_id, end) if end < total else None}


SHORTLIST_EXCERPT = 300


def excerpt(text: str, cap: int = SHORTLIST_EXCERPT) -> str:
    return cut_at_word(text, cap)


def approved_counts(store: Store, conference: dict[str, Any]) -> dict[str, int]:
    """Approved nominations per award form, as of the conference record read (its decision stamp)."""
    counted = store.conferences.approved(conference)
    if counted is not None:
        return counted
    out: dict[str, int] = {}
    for n in store.nominations.for_conference(conference["id"]):
        if n["status"] == NominationStatus.APPROVED:
            out[n["award_form"]] = out.get(n["award_form"], 0) + 1
    return out


def finalise(store: Store, who: Principal, conference_id: str, if_match: str | None, now: datetime) -> dict[str, Any]:
    """Lock the conference's list: approvals within quota become the final commendation list.

    The approvals are counted on the conference record itself (every decision moves the counts in its
    own transaction), and the finalised record is written only while no decision came in since that
    read: a decision racing the finalise either lands first (and is counted) or is refused (423).
    """
    from chalicelib.conferences.service import entity as conference_entity, etag_of as conference_etag

    conference = store.conferences.get(conference_id)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    if if_match is None:
        raise PreconditionRequired("Chốt danh sách cần If-Match với ETag của hội nghị khi đọc.")
    if if_match != conference["etag"]:
        raise PreconditionFailed("ETag không khớp: hội nghị đã được sửa sau lần đọc của bạn.")
    _open_for_changes(conference)
    approved = approved_counts(store, conference)
    over = []
    for code, quota in (conference.get("quotas") or {}).items():
        if approved.get(code, 0) > quota:
            over.append(f"{award_form(code).name if award_form(code) else code}: {approved[code]}/{quota}")
    if over:
        raise Conflict("Số đề nghị được duyệt vượt chỉ tiêu: " + "; ".join(over) + ".")
    finalised = {**conference, "finalised_at": iso(now), "finalised_by": who.actor, "updated_at": iso(now),
                 "compile_requested_at": iso(now)}
    finalised["etag"] = conference_etag(finalised)
    store.explain(etag=PreconditionFailed("Hội nghị vừa được thay đổi hoặc vừa có quyết định mới; "
                                          "hãy tải lại rồi chốt."))
    store.conferences.replace(finalised, conference["etag"],
                              audit=audit.event(conference_entity(conference_id), "finalised", who, now,
                                                approved=sum(approved.values())))
    store.conferences.request_compile(conference_id, iso(now))
    return finalised


def award_forms_catalog() -> dict[str, Any]:
    rubric = scoring_rubric()
    return {"items": [f.as_dict() for f in award_forms()], "next": None,
            "criteria": [{"code": c.code, "label": c.label, "weight": c.weight} for c in rubric.criteria],
            "criterion_max": rubric.criterion_max}
