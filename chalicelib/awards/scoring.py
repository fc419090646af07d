"""A reviewer's scoring sheet for one conference (GET /v1/conferences/{id}/scoring).

What the leaders' scoring page needs in one paged read: the rubric's criteria (with what each
weighs), the conference's nominations in a stable order, for each whether this reviewer may
score it (the conflict rule of `nominations.score_nomination`, decided here the same way) and
this reviewer's own earlier scores, and their progress over the whole conference.

The rule is computed from one read of the unit tree, not per nomination: a reviewer bound to a
unit may not score a nomination proposed by that unit or one below it, nor one whose nominee's
unit is that unit or one below it (the same as "the reviewer's unit is an ancestor of either").
A reviewer bound to no unit (the office) is never conflicted.
"""

from __future__ import annotations

from typing import Any

from chalicelib.awards import nominations as service
from chalicelib.core.access import Principal
from chalicelib.core.catalogs import award_form, award_forms, scoring_rubric
from chalicelib.core.errors import NotFound
from chalicelib.core.positions import position_cursor, position_of
from chalicelib.store import Store
from chalicelib.units.service import descendants

CONFLICT = "Không được chấm: xung đột lợi ích"


def conflict_reason(nomination: dict[str, Any], mine: set[str], names: dict[str, str], own_unit: str) -> str | None:
    """Why this reviewer may not score the nomination (Vietnamese), or None when they may."""
    if nomination["unit_id"] in mine:
        proposer = names.get(nomination["unit_id"], nomination["unit_id"])
        if nomination["unit_id"] == own_unit:
            return f"Đề nghị do đơn vị của bạn ({proposer}) gửi."
        return f"Đề nghị do {proposer}, đơn vị cấp dưới của đơn vị bạn, gửi."
    if nomination["nominee_unit_id"] in mine:
        nominee = names.get(nomination["nominee_unit_id"], nomination["nominee_unit_id"])
        if nomination["nominee_unit_id"] == own_unit:
            return f"Người hoặc tập thể được đề nghị thuộc đơn vị của bạn ({nominee})."
        return f"Người hoặc tập thể được đề nghị thuộc {nominee}, đơn vị cấp dưới của đơn vị bạn."
    return None


def _order(nomination: dict[str, Any]) -> tuple[int, str, str]:
    form = award_form(nomination["award_form"])
    return (form.precedence if form else 10**6, nomination["created_at"], nomination["id"])


def scoring_sheet(store: Store, who: Principal, conference_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the conference's nominations as `who` scores them; the progress is the whole conference's.

    Every nomination is ordered and checked for conflicts on the few attributes the shortlist ranks on
    (RANK_FIELDS, kept packed: never the achievements) and only the page's rows are read whole, 100
    keys a BatchGetItem, as the shortlist does. A page carries excerpts of the achievements, so no page
    is large however long the texts; the full text is at GET /v1/nominations/{id}.
    """
    start = position_of(cursor, "scoring", conference_id, "bảng chấm điểm này")  # a bad cursor reads nothing
    conference = store.conferences.get(conference_id)
    if conference is None:
        raise NotFound(f"hội nghị '{conference_id}'")
    # names and the reviewer's subtree over every nomination of the conference: the tree, projected
    units = store.units.tree()
    names = {u["id"]: u["name"] for u in units}
    # the reviewer's unit and every unit below it: a nomination touching one of them is conflicted
    mine = descendants(units, who.unit_id) if who.unit_id else set()
    nominations = sorted(store.nominations.for_ranking(conference_id, service.RANK_FIELDS), key=_order)
    own = {s["nomination_id"]: s for s in store.nominations.scores(conference_id) if s["reviewer"] == who.actor}
    reasons = {n["id"]: conflict_reason(n, mine, names, who.unit_id or "") for n in nominations}
    open_ = [n for n in nominations if reasons[n["id"]] is None]
    end = start + len(nominations[start:start + limit])
    # a nomination deleted between the two reads is left out of the page (it was there a moment ago)
    rows = [n for n in store.reads.whole_nominations(nominations[start:end]) if n is not None]
    rubric = scoring_rubric()
    forms = {f.code: f.name for f in award_forms()}
    items = []
    for n in rows:
        score = own.get(n["id"])
        items.append({
            "nomination": {**service.public(n), "achievements": service.excerpt(n["achievements"]),
                           "achievements_length": len(n["achievements"])},
            "award_form_name": forms.get(n["award_form"], n["award_form"]),
            "unit_name": names.get(n["unit_id"], ""),
            "nominee_unit_name": names.get(n["nominee_unit_id"], ""),
            "conflict": reasons[n["id"]],
            "mine": {"scores": score["scores"], "note": score.get("note", ""), "at": score["at"]} if score else None,
        })
    return {
        "conference": {"id": conference["id"], "title": conference["title"], "date": conference.get("date"),
                       "finalised_at": conference.get("finalised_at")},
        "reviewer": {"actor": who.actor, "name": who.name, "unit_id": who.unit_id,
                     "unit_name": names.get(who.unit_id or "", "") or None},
        "criteria": [{"code": c.code, "label": c.label, "description": c.description, "weight": c.weight}
                     for c in rubric.criteria],
        "criterion_max": rubric.criterion_max,
        "progress": {"scored": sum(1 for n in open_ if n["id"] in own), "total": len(open_),
                     "conflicted": len(nominations) - len(open_)},
        "items": items,
        "next": position_cursor("scoring", conference_id, end) if end < len(nominations) else None,
    }
