"""One nomination with everything the office decides it on (GET /v1/nominations/{id}/detail).

The numbers are the shortlist's own: the nomination's row is taken from the same ranking
(`nominations.shortlist_rows`), so the detail and the shortlist never disagree.

Who sees what: staff (admin, leader) see it all. A unit (the proposing unit or one above it)
sees its nomination in full and the figures and percentiles its automatic part used (its own
data and its own standing), but not the reviewers' scores, the reviewer part, the total and
rank (the shortlist is staff-only), the conflicts of interest (who the reviewers are) nor the
audit trail (it carries the scores and the office's notes): those fields are null for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.awards import nominations as service
from chalicelib.awards import ranking
from chalicelib.core.access import Principal
from chalicelib.core.catalogs import award_form, indicator_catalog, scoring_rubric
from chalicelib.core.states import Role
from chalicelib.store import Store

AUDIT_CAP = 50
STAFF_ROLES = (Role.ADMIN.value, Role.LEADER.value)


def conflicts(store: Store, nomination: dict[str, Any], scored_by: set[str]) -> list[dict[str, Any]]:
    """The staff accounts (leaders and admins, the people who score) the conflict rule keeps out."""
    names = {}
    out = []
    for unit_id in sorted(service.conflicted_units(store, nomination)):
        unit = store.units.get(unit_id)
        names[unit_id] = unit["name"] if unit else ""
        cursor = None
        while True:
            page = store.accounts.list(unit_id, cursor=cursor)
            for account in page.items:
                if account.get("role") in STAFF_ROLES and account.get("unit_id") == unit_id:
                    out.append({"account_id": account["id"], "name": account.get("name", ""),
                                "role": account["role"], "status": account.get("status", "active"),
                                "unit_id": unit_id, "unit_name": names[unit_id],
                                "scored": f"account:{account['id']}" in scored_by})
            cursor = page.next
            if not cursor:
                break
    return out


NOT_REPORTED = "Đơn vị không báo cáo chỉ tiêu này trong các kỳ của hội nghị."


def _automatic(unit_id: str, row: ranking.Row, figures: dict[str, int], unit: dict[str, Any] | None) -> dict[str, Any]:
    """The automatic part as scored: the nominee's unit (its subtree's figures), each indicator
    with whether it was scored and, when not, why (no report, or no denominator)."""
    rubric = scoring_rubric()
    catalog = indicator_catalog()
    auto = row.automatic
    indicators = []
    for code, weight in rubric.indicators.items():
        indicator = catalog.get(code)
        scored = code in auto.indicators
        reason = None if scored else (auto.unscored if auto.unscored and code in figures else NOT_REPORTED)
        indicators.append({"code": code, "label": indicator.label if indicator else code,
                           "unit": indicator.unit if indicator else "", "weight": weight,
                           "value": figures.get(code), "rate": auto.rates.get(code),
                           "percentile": auto.indicators.get(code), "peers": auto.peers.get(code, 0),
                           "scored": scored, "reason": reason})
    return {"score": auto.score, "unit_id": unit_id, "unit_kind": (unit or {}).get("kind", "other"),
            "scored": auto.unscored is None, "reason": auto.unscored,
            "per": rubric.per, "per_value": figures.get(rubric.per) if rubric.per else None,
            "weight": rubric.automatic_weight, "indicators": indicators}


def _eligibility(store: Store, conference: dict[str, Any], nomination: dict[str, Any],
                 same_conference: list[dict[str, Any]]) -> dict[str, Any]:
    """The nominee's register history (oldest first; a unit may read its own nominees' entries) and the
    nomination's warnings, as the shortlist has them."""
    from chalicelib.awards import warnings as eligibility

    history = eligibility.histories(store, [nomination]).get(nomination["id"], [])
    history = sorted(history, key=lambda e: (str(e.get("decision_date") or e.get("year") or ""), str(e.get("id"))))
    found = eligibility.warnings_of(nomination, history, conference, same_conference)
    return {"warnings": [w.as_dict() for w in found], "history": history}


def nomination_detail(store: Store, who: Principal, nomination_id: str, now: datetime | None = None
                      ) -> tuple[dict[str, Any], str]:
    """The detail and the nomination's ETag (the same as GET /v1/nominations/{id} gives)."""
    nomination = service.get_nomination(store, nomination_id)
    conference = store.conferences.get(nomination["conference_id"]) or {}
    # the detail shows the nomination's rank, which ranks the whole conference over rolled-up figures:
    # the tree kept between requests, and the conference's nominations read as the shortlist reads them
    units = store.units.tree()
    names = {u["id"]: u["name"] for u in units}
    staff = who.is_staff
    rubric = scoring_rubric()
    if conference:
        # ranked on the few attributes ranking reads (as a shortlist page): this nomination is read whole above
        rows, figures = service.ranked(store, conference, units, now, attrs=service.RANK_FIELDS)
    else:  # a nomination outlives nothing, but never fail a read on a missing conference
        rows, figures = [], {}
    row = next((r for r in rows if r.nomination["id"] == nomination_id), None)
    if row is None:
        row = ranking.Row(nomination, award_form(nomination["award_form"]), 0, False, ranking.Automatic(0.0),
                          ranking.reviewer_part([], rubric), 0.0)
    scored_unit = ranking.scored_unit(nomination)
    unit = next((u for u in units if u["id"] == scored_unit), None)
    out: dict[str, Any] = {
        "nomination": service.public(nomination),
        "visibility": "staff" if staff else "unit",
        "conference_title": conference.get("title", ""),
        "award_form_name": row.award_form.name if row.award_form else nomination["award_form"],
        "unit_name": names.get(nomination["unit_id"], ""),
        "nominee_unit_name": names.get(nomination["nominee_unit_id"], ""),
        "automatic": _automatic(scored_unit, row, figures.get(scored_unit, {}), unit),
        "score": None, "rank": None, "within_quota": None, "reviews": None, "conflicts": None, "audit": None,
    }
    out.update(_eligibility(store, conference, nomination, [r.nomination for r in rows] or [nomination]))
    if not staff:
        return out, nomination["etag"]
    public_row = row.as_dict({})
    out.update(score=public_row["score"], rank=row.rank or None, within_quota=row.within_quota)
    mine = sorted(service.scores_of(store, nomination), key=lambda s: s["at"])
    out["reviews"] = [{"reviewer": s["reviewer"], "reviewer_name": s.get("reviewer_name", ""),
                       "scores": s["scores"], "note": s.get("note", ""), "at": s["at"],
                       "score": ranking.reviewer_part([s], rubric).score} for s in mine]
    out["conflicts"] = conflicts(store, nomination, {s["reviewer"] for s in mine})
    trail = store.audit.list(service.entity(nomination_id), limit=AUDIT_CAP)
    out["audit"] = {"items": trail.items, "next": trail.next}
    return out, nomination["etag"]
