"""Eligibility warnings: a nomination checked against its award form's rules (catalog/eligibility.json)
and the register entries of its nominee (pure: no store, no clock).

A warning does not refuse the nomination: the office sees it in the shortlist and the detail,
with the rule, its citation and the register entries behind it, and may approve over it with an
override note (audited). Rules:

- not_again_within_years N: the nominee holds the same award form from a decision dated within
  N years before the conference's date.
- prerequisite_each_year form, N: the nominee holds `form` in each of the N calendar years before
  the conference's year (the years missing are named).
- kinds: the form is for these kinds only (collective / individual).
- unit_cap N: a nominating unit's nominations of the form in one conference beyond the first N
  (in the order they were made; rejected ones do not count) are over the cap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from chalicelib.core.catalogs import EligibilityRule, award_form
from chalicelib.documents.formatting import vn_short_date

KIND_NAMES = {"collective": "tập thể", "individual": "cá nhân"}


@dataclass(frozen=True)
class Warning:
    rule: str
    citation: str
    message: str
    entries: tuple[str, ...] = field(default=())  # register entry ids behind it

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "citation": self.citation, "message": self.message, "entries": list(self.entries)}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def reference_date(conference: Mapping[str, Any] | None, today: dt.date | None = None) -> dt.date:
    """The day the rules count back from: the conference's date, else `today`."""
    found = _date((conference or {}).get("date"))
    if found:
        return found
    if today is None:
        raise ValueError("eligibility needs the conference's date or today's")
    return today


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _form_name(code: str, entries: Sequence[Mapping[str, Any]] = ()) -> str:
    form = award_form(code)
    if form:
        return form.name
    return next((e.get("award_form_name") for e in entries if e.get("award_form_name")), code)


def _cited(entry: Mapping[str, Any]) -> str:
    """"Quyết định số 12/QĐ-BCA ngày 05/9/2020" (what a register entry is evidence of)."""
    number = (entry.get("decision_number") or "").strip()
    day = _date(entry.get("decision_date"))
    text = f"Quyết định số {number}" if number else "quyết định"
    return text + (f" ngày {vn_short_date(day)}" if day else (f" năm {entry['year']}" if entry.get("year") else ""))


def _mine(nomination: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    # the nomination's own entry (written when its Quyết định was issued) is not past history
    return [e for e in entries if not (nomination.get("id") and e.get("nomination_id") == nomination["id"])]


def _not_again(rule: EligibilityRule, nomination: Mapping[str, Any], entries: list[Mapping[str, Any]],
               on: dt.date) -> Warning | None:
    since = _years_before(on, rule.years or 1)
    held = [e for e in entries if e.get("award_form") == nomination["award_form"]
            and (d := _date(e.get("decision_date"))) is not None and since < d <= on]
    if not held:
        return None
    held.sort(key=lambda e: (str(e.get("decision_date")), str(e.get("id"))), reverse=True)
    latest = held[0]
    # the authority follows the decision, as an official text cites one ("Cờ thi đua của Bộ Công an
    # theo Quyết định số … của Bộ trưởng Bộ Công an"), never glued to a form name that carries its own
    by = f" của {latest['granted_by']}" if latest.get("granted_by") else ""
    also = f" (và {len(held) - 1} lần khác)" if len(held) > 1 else ""
    return Warning(rule.rule, rule.citation,
                   f"Đã được tặng {_form_name(nomination['award_form'], held)} theo {_cited(latest)}{by}{also}; "
                   f"quy định: không tặng lại trong "
                   f"{rule.years} năm", tuple(str(e["id"]) for e in held))


def _prerequisite(rule: EligibilityRule, nomination: Mapping[str, Any], entries: list[Mapping[str, Any]],
                  on: dt.date) -> Warning | None:
    years = range(on.year - (rule.years or 1), on.year)
    held = [e for e in entries if e.get("award_form") == rule.award_form and _year(e) in years]
    missing = [y for y in years if not any(_year(e) == y for e in held)]
    if not missing:
        return None
    name = _form_name(rule.award_form or "", held)
    return Warning(rule.rule, rule.citation,
                   f"Chưa có {name} năm {', '.join(str(y) for y in missing)} trong sổ theo dõi khen thưởng; "
                   f"quy định: cần {name} trong mỗi năm của {rule.years} năm liền trước",
                   tuple(str(e["id"]) for e in held))


def _year(entry: Mapping[str, Any]) -> int | None:
    d = _date(entry.get("decision_date"))
    if d:
        return d.year
    try:
        return int(entry.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _kinds(rule: EligibilityRule, nomination: Mapping[str, Any]) -> Warning | None:
    if nomination.get("kind") in rule.kinds:
        return None
    allowed = " và ".join(KIND_NAMES.get(k, k) for k in rule.kinds)
    return Warning(rule.rule, rule.citation,
                   f"{_form_name(nomination['award_form'])} không dành cho {KIND_NAMES.get(nomination.get('kind'), '')}; "
                   f"quy định: chỉ xét tặng cho {allowed}")


def _unit_cap(rule: EligibilityRule, nomination: Mapping[str, Any],
              same_conference: Iterable[Mapping[str, Any]]) -> Warning | None:
    peers = {n["id"]: n for n in same_conference
             if n.get("unit_id") == nomination.get("unit_id") and n.get("award_form") == nomination["award_form"]
             and n.get("status") != "rejected"}
    if nomination.get("status") != "rejected":
        peers[nomination["id"]] = nomination
    order = sorted(peers.values(), key=lambda n: (str(n.get("created_at", "")), n["id"]))
    cap = rule.max or 0
    if len(order) <= cap or nomination.get("status") == "rejected":
        return None
    position = [n["id"] for n in order].index(nomination["id"]) + 1
    if position <= cap:
        return None
    return Warning(rule.rule, rule.citation,
                   f"Là đề nghị thứ {position} của đơn vị đề nghị cho {_form_name(nomination['award_form'])} tại "
                   f"hội nghị này (đơn vị có {len(order)} đề nghị); quy định: tối đa {cap} đề nghị mỗi đơn vị")


def warnings_for(nomination: Mapping[str, Any], entries: Iterable[Mapping[str, Any]],
                 rules: Mapping[str, Sequence[EligibilityRule]], *, conference: Mapping[str, Any] | None,
                 same_conference_nominations: Iterable[Mapping[str, Any]] = (),
                 today: dt.date | None = None) -> list[Warning]:
    """The warnings of one nomination, in the catalog's order of its form's rules.

    `entries`: the register entries of this nominee (any form); `rules`: award form -> rules
    (`core.catalogs.eligibility_rules()`); `same_conference_nominations`: the conference's
    nominations (for unit caps)."""
    mine = _mine(nomination, entries)
    out: list[Warning] = []
    on: dt.date | None = None
    for rule in rules.get(nomination["award_form"], ()):
        found: Warning | None = None
        if rule.rule in ("not_again_within_years", "prerequisite_each_year"):
            on = on or reference_date(conference, today)
            found = (_not_again if rule.rule == "not_again_within_years" else _prerequisite)(rule, nomination, mine, on)
        elif rule.rule == "kinds":
            found = _kinds(rule, nomination)
        elif rule.rule == "unit_cap":
            found = _unit_cap(rule, nomination, same_conference_nominations)
        if found:
            out.append(found)
    return out
