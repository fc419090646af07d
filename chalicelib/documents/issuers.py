"""Who issues each document and who signs it, from `catalog/issuers.json` and the unit tree.

One `Issuer` record gives a document its header, its symbol and its signer block, so
the three can never disagree. A unit with no entry in the catalog still gets a record
(its head signs in its name) derived from its kind; the catalog is where an office
writes its real abbreviations and signers.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable, Mapping

from chalicelib.core.text import sort_key

from chalicelib.core.catalogs import AwardForm, issuer_catalog
from chalicelib.documents.model import SIGNING_AUTHORITIES, Issuer

UNIT_HEAD = "unit_head"


def legal_bases() -> list[str]:
    """The laws and decrees every Quyết định khen thưởng cites ("Căn cứ …;"), in force today."""
    return list(issuer_catalog()["legal_bases"])


def _record(raw: Mapping[str, Any]) -> Issuer:
    if raw.get("authority", "") not in SIGNING_AUTHORITIES:
        raise ValueError(f"issuer {raw['id']}: authority must be one of {SIGNING_AUTHORITIES}")
    return Issuer(id=raw["id"], name=raw["name"], short_name=raw.get("short_name") or raw["name"],
                  upper=raw.get("upper"), abbreviation=raw["abbreviation"], place=raw["place"],
                  head_title=raw["head_title"], authority=raw.get("authority", ""),
                  signer_title=raw.get("signer_title") or raw["head_title"], signer_name=raw.get("signer_name", ""),
                  proposer=raw.get("proposer", ""), bases=tuple(raw.get("bases") or ()),
                  archive=raw.get("archive") or "Lưu: VT.")


def catalog_issuer(issuer_id: str) -> Issuer | None:
    raw = next((i for i in issuer_catalog()["issuers"] if i["id"] == issuer_id), None)
    return _record(raw) if raw else None


def _initials(name: str) -> str:
    """"Công an tỉnh Bắc Giang" -> "BG": the place's initials, Đ kept, other marks dropped."""
    words = name.split()
    place = words[2:] if len(words) > 2 and words[0].lower() == "công" and words[1].lower() == "an" else words
    place = [w for w in place if w.lower() not in ("tỉnh", "thành", "phố", "cục", "bệnh", "viện")] or words
    letters = "".join(w[0] for w in place if w[0].isalnum()).upper()
    return "".join(c if c == "Đ" else unicodedata.normalize("NFD", c)[0] for c in letters)


def unit_issuer(unit: Mapping[str, Any], units: Iterable[Mapping[str, Any]] = ()) -> Issuer:
    """The issuer record of a unit: its catalog entry, or one derived from its kind (its head
    signs in its name; the signer's name is left for the catalog or the signer to fill)."""
    found = catalog_issuer(unit["id"])
    if found is not None:
        return found
    defaults = issuer_catalog()["unit_head_defaults"]
    kind = defaults.get(unit.get("kind") or "other") or defaults["other"]
    names = {u["id"]: u["name"] for u in units}
    upper = names.get(unit.get("parent_id") or "") or _ministry_name()
    return Issuer(id=unit["id"], name=unit["name"], short_name=unit["name"], upper=upper,
                  abbreviation=f"{kind['abbreviation_prefix']}-{_initials(unit['name'])}",
                  place=unit.get("place") or "Hà Nội", head_title=kind["head_title"], authority="",
                  signer_title=kind["head_title"], signer_name="", proposer=kind.get("proposer", ""))


def _ministry_name() -> str:
    ministry = catalog_issuer(issuer_catalog()["ministry"])
    assert ministry is not None, "issuers.json: the ministry must have an entry"
    return ministry.name


def with_signer(issuer: Issuer, signer: Mapping[str, str] | None) -> Issuer:
    """The issuer with the signer a conference names ({"title": "KT. BỘ TRƯỞNG\\nTHỨ TRƯỞNG",
    "name": ...}). The title's first line must be the issuer's own head (with or without an
    authority): a signer for another body raises ValueError, so header and signer cannot disagree."""
    if not signer:
        return issuer
    lines = [line.strip() for line in (signer.get("title") or "").splitlines() if line.strip()]
    if not lines:
        return issuer
    first = lines[0]
    authority = next((a for a in SIGNING_AUTHORITIES if a and first.upper().startswith(a)), "")
    head = first[len(authority):].strip()
    own = issuer.head_title.upper()
    # "KT. BỘ TRƯỞNG" over "THỨ TRƯỞNG", or both on one line: "KT. BỘ TRƯỞNG THỨ TRƯỞNG"
    if head.upper() != own and not (authority and head.upper().startswith(own + " ")):
        raise ValueError(f"người ký '{first}' không ký thay, thừa lệnh cho {issuer.head_title} {issuer.name}")
    rest = head[len(own):].strip()
    title = lines[1] if len(lines) > 1 else (rest or head)
    return Issuer(**{**issuer.__dict__, "authority": authority, "signer_title": title.capitalize(),
                     "signer_name": signer.get("name") or issuer.signer_name})


def ministry(conference: Mapping[str, Any] | None = None) -> Issuer:
    """The ministry: issues the summary report and grants its own award forms; signed by
    the conference's signer when it names one."""
    found = catalog_issuer(issuer_catalog()["ministry"])
    assert found is not None
    return with_signer(found, (conference or {}).get("signer"))


def office() -> Issuer:
    """The office that proposes awards (the Tờ trình)."""
    found = catalog_issuer(issuer_catalog()["office"])
    assert found is not None, "issuers.json: the office must have an entry"
    return found


def head_unit(unit_id: str, units: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The unit directly under the ministry that holds `unit_id` (itself when it is one)."""
    by_id = {u["id"]: u for u in units}
    top = catalog_issuer(issuer_catalog()["ministry"])
    unit = by_id.get(unit_id)
    seen = set()
    while unit is not None and unit["id"] not in seen:
        seen.add(unit["id"])
        parent = unit.get("parent_id")
        if parent is None or (top is not None and parent == top.id) or by_id.get(parent, {}).get("parent_id") is None:
            return unit
        unit = by_id.get(parent)
    return None


def granting_issuer(form: AwardForm, nominee_unit_id: str | None, units: list[Mapping[str, Any]],
                    conference: Mapping[str, Any] | None = None) -> Issuer:
    """Who grants `form` to a nominee of `nominee_unit_id`: the issuer the form names, or for a
    unit-head form (Giấy khen) the head of the nominee's unit directly under the ministry."""
    if form.granted_by != UNIT_HEAD:
        if form.granted_by == issuer_catalog()["ministry"]:
            return ministry(conference)
        found = catalog_issuer(form.granted_by)
        if found is None:
            raise ValueError(f"award form {form.code}: unknown issuer {form.granted_by!r}")
        return found
    unit = head_unit(nominee_unit_id or "", units)
    if unit is None:
        raise ValueError(f"award form {form.code}: no unit grants it to a nominee of {nominee_unit_id!r}")
    return unit_issuer(unit, units)


# -- the office's order of units (issuers.json "unit_order") ----------------------------

def _unit_order() -> Mapping[str, Any]:
    return issuer_catalog().get("unit_order") or {}


def place_name(name: str) -> str:
    """"Công an thành phố Đà Nẵng" -> "Đà Nẵng": the name without the catalog's kind prefixes."""
    for prefix in sorted(_unit_order().get("name_prefixes", ()), key=len, reverse=True):
        if name.lower().startswith(prefix.lower() + " "):
            return name[len(prefix) + 1:]
    return name


def office_sort_key(unit: Mapping[str, Any]) -> tuple:
    """The office's convention, as data: units directly under the Ministry (departments) first,
    then provinces by place name ("Công an thành phố Đà Nẵng" under Đ, among the provinces)."""
    order = _unit_order()
    kinds = list(order.get("kinds", ()))
    kind = unit.get("kind") or "other"
    rank = kinds.index(kind) if kind in kinds else len(kinds)
    return (rank, sort_key(place_name(unit["name"])), unit["id"])


def office_order(units: Iterable[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """(depth, unit) in tree order, siblings in the office's order; a unit whose parent is
    unknown (or part of a cycle) starts a tree of its own, so every unit appears once."""
    units = list(units)
    by_id = {u["id"]: u for u in units}
    children: dict[str | None, list[Mapping[str, Any]]] = {}
    for u in units:
        parent = u.get("parent_id")
        children.setdefault(parent if parent in by_id else None, []).append(u)
    out: list[tuple[int, Mapping[str, Any]]] = []
    seen: set[str] = set()

    def walk(root: Mapping[str, Any]) -> None:
        todo = [(0, root)]
        while todo:
            depth, unit = todo.pop()
            if unit["id"] in seen:
                continue
            seen.add(unit["id"])
            out.append((depth, unit))
            below = sorted(children.get(unit["id"], []), key=office_sort_key, reverse=True)
            todo.extend((depth + 1, child) for child in below if child["id"] not in seen)

    for root in sorted(children.get(None, []), key=office_sort_key):
        walk(root)
    if len(seen) < len(by_id):  # only with a cycle: 11,000 sort keys less for every tree that has none
        for unit in sorted(units, key=office_sort_key):  # cycles: enter at their first unit
            if unit["id"] not in seen:
                walk(unit)
    return out
