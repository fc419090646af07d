"""The register of commendations (sổ theo dõi khen thưởng): who was awarded what, when and by whom.

Entries come from two places:
- every issued Quyết định (`register_decision`, called by the compile when it issues one): one entry
  per awardee, its id derived from the decision's document id and the nomination id, so a compile
  that is retried writes nothing twice;
- past years imported from a workbook (`preview_import`, then `confirm_import`): the preview lists
  every row's errors and stores nothing in the register; confirming stores every row at once.

Search folds names as the nomination uniqueness does, and drops diacritics (đ -> d), so "nguyen thi
hoa" finds "Nguyễn Thị Hòa" and "Nguyễn Thị Hoà". A unit sees the entries of its own subtree.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import zlib
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from chalicelib.core.access import Principal
from chalicelib.core.catalogs import award_form, award_forms
from chalicelib.core.clock import iso
from chalicelib.core.errors import Conflict, Forbidden, NotFound, invalid
from chalicelib.core.positions import position_cursor, position_of
from chalicelib.core.text import name_key, search_key, sort_key
from chalicelib.store import Store
from chalicelib.units.service import TREE_FIELDS, descendants

IMPORT_TTL = timedelta(days=7)  # a preview not confirmed within a week is dropped (DynamoDB TTL)
ENTRY_FIELDS = ("id", "kind", "name", "identity_key", "officer_number", "birth_date", "position", "unit_id",
                "unit_name", "award_form", "award_form_name", "decision_number", "decision_date", "granted_by",
                "summary", "conference_id", "nomination_id", "source", "year")


def public(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: entry.get(k) for k in ENTRY_FIELDS}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def identity_key(kind: str, name: str, unit_id: str, officer_number: str | None = None,
                 birth_date: str | None = None, unit_name: str | None = None) -> str:
    """What identifies a nominee across years (the nomination contract's identity key): the officer
    number, else the folded name with the birth date and unit; a collective: the unit itself when the
    name is the unit's, else a team of that unit."""
    if kind == "individual":
        if officer_number:
            return f"officer:{officer_number.strip().upper()}"
        return f"person:{name_key(name)}|{birth_date or ''}|{unit_id}"
    if unit_name is not None and name_key(unit_name) == name_key(name):
        return f"unit:{unit_id}"
    return f"team:{unit_id}:{name_key(name)}"


def nomination_identity(nomination: Mapping[str, Any]) -> str:
    """A nomination's identity key: its own, else derived as nominations derive it (older records)."""
    if nomination.get("identity_key"):
        return str(nomination["identity_key"])
    from chalicelib.awards.nominations import identity_key as of_nomination

    return of_nomination({**nomination, "nominee_unit_id": nomination.get("nominee_unit_id") or nomination["unit_id"]})


def first_sentence(achievements: str) -> str:
    from chalicelib.awards.commendation_list import whole_sentences

    return whole_sentences(achievements or "", 1)


def granted_by(issuer: Any) -> str:
    """"Bộ trưởng Bộ Công an", "Giám đốc Công an tỉnh Bình Dương": the head's title and the issuer."""
    title = (getattr(issuer, "head_title", "") or "").strip()
    title = title[:1].upper() + title[1:].lower() if title.isupper() else title
    return f"{title} {issuer.name}".strip()


def _stored(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as stored: with the folded name the search matches on."""
    return {**entry, "search": search_key(entry["name"])}


# -- written by an issued Quyết định ---------------------------------------------------

def decision_entries(record: Mapping[str, Any], inputs: Any, issuer: Any) -> list[dict[str, Any]]:
    """The register entries an issued Quyết định makes: one per awardee (`inputs`: kinds.AwardInputs)."""
    units = {u["id"]: u.get("name", "") for u in inputs.units}
    form = inputs.plan.form
    decision_date = str(record["issued_on"])
    out = []
    for n in inputs.approved:
        unit_id = n.get("nominee_unit_id") or n["unit_id"]
        out.append(_stored({
            "id": _digest(record["document_id"], n["id"]), "kind": n["kind"], "name": n["name"],
            "identity_key": nomination_identity(n), "officer_number": n.get("officer_number"),
            "birth_date": n.get("birth_date"), "position": n.get("position") or "", "unit_id": unit_id,
            "unit_name": units.get(unit_id, ""), "award_form": form.code, "award_form_name": form.name,
            "decision_number": record.get("number"), "decision_date": decision_date,
            "granted_by": granted_by(issuer), "summary": first_sentence(n.get("achievements") or ""),
            "conference_id": inputs.conference["id"], "nomination_id": n["id"], "source": "decision",
            "decision_document_id": record["document_id"], "year": int(decision_date[:4])}))
    return out


def register_decision(store: Store, record: Mapping[str, Any], inputs: Any, issuer: Any) -> int:
    """Write the entries of an issued Quyết định; returns how many were new (0 on a retry). A decision
    that replaces another takes its place in the register: the replaced one's entries are removed."""
    written = store.register.put_entries(decision_entries(record, inputs, issuer))
    replaced = (record.get("replaces") or {})
    if replaced.get("document_id") and replaced.get("issued_on"):
        old = [e for e in store.register.entries(str(replaced["issued_on"])[:4])
               if e.get("decision_document_id") == replaced["document_id"]]
        store.register.remove(old)
    return written


# -- search, history, export -----------------------------------------------------------

def _scope(store: Store, who: Principal, unit_id: str | None) -> set[str] | None:
    """The units whose entries the caller may see (None: every entry)."""
    units = store.units.all(attrs=TREE_FIELDS)  # a subtree as a set of ids: the tree, projected
    if unit_id is not None and not any(u["id"] == unit_id for u in units):
        raise NotFound(f"đơn vị '{unit_id}'")
    if who.is_staff:
        return descendants(units, unit_id) if unit_id else None
    if not who.unit_id:
        raise Forbidden("Chỉ quản trị, lãnh đạo hoặc đơn vị được xem sổ theo dõi khen thưởng.")
    own = descendants(units, who.unit_id)
    if unit_id is None:
        return own
    if unit_id not in own:
        raise Forbidden("Đơn vị chỉ xem được sổ theo dõi khen thưởng của đơn vị mình và đơn vị cấp dưới.")
    return descendants(units, unit_id)


def _year(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise invalid("year", "Năm phải có dạng YYYY, ví dụ 2021.")
    return int(raw)


def search(store: Store, who: Principal, *, q: str | None = None, unit_id: str | None = None,
           award_form_code: str | None = None, year: str | None = None) -> list[dict[str, Any]]:
    """Every matching entry the caller may see, newest decision first."""
    if q is not None and len(q) > 200:
        raise invalid("q", "Từ khóa tra cứu tối đa 200 ký tự.")
    scope = _scope(store, who, unit_id)
    wanted_year = _year(year)
    words = search_key(q or "").split()
    out = []
    for entry in store.register.entries(wanted_year):
        if scope is not None and entry.get("unit_id") not in scope:
            continue
        if award_form_code and entry.get("award_form") != award_form_code:
            continue
        parts = (entry.get("search") or search_key(entry["name"])).split()
        if words and not all(any(p.startswith(w) for p in parts) for w in words):  # words typed in part
            continue
        out.append(public(entry))
    out.sort(key=lambda e: (e.get("decision_date") or "", e["id"]), reverse=True)
    return out


def search_page(store: Store, who: Principal, limit: int, cursor: str | None, **filters: Any) -> dict[str, Any]:
    found = search(store, who, **filters)
    # the cursor is bound to the filters it was made for: another search's cursor is refused
    scope = _digest(*(f"{k}={filters.get(k) or ''}" for k in sorted(filters)))
    start = position_of(cursor, "register", scope, "kết quả tra cứu này")
    items = found[start:start + limit]
    more = start + limit < len(found)
    return {"items": items, "next": position_cursor("register", scope, start + limit) if more else None}


def history_of(store: Store, nomination: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The register entries of this nominee, oldest first (never the entry this nomination made)."""
    entries = store.register.of_identity(nomination_identity(nomination))
    return [public(e) for e in entries if e.get("nomination_id") != nomination.get("id")]


# -- import ----------------------------------------------------------------------------

# A pending import is one item (DynamoDB: 400 KB at most): its entries are kept as compressed JSON.
MAX_PACKED = 300_000
MAX_ERRORS_KEPT = 200


def _pack(entries: list[dict[str, Any]]) -> str:
    return base64.b64encode(zlib.compress(json.dumps(entries, ensure_ascii=False).encode(), 9)).decode()


def _unpack(packed: str) -> list[dict[str, Any]]:
    return json.loads(zlib.decompress(base64.b64decode(packed))) if packed else []


def new_import_id() -> str:
    return secrets.token_hex(8)


def _form_lookup() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for form in award_forms():
        out[form.code] = form
        out[search_key(form.name)] = form
    return out


def preview_import(store: Store, who: Principal, rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Check every row (`workbook.read_rows`) and keep the import pending; nothing enters the register."""
    from chalicelib.register.workbook import check_rows

    units = store.units.all(attrs=TREE_FIELDS)  # rows name units by code or name: the tree, projected
    entries, errors = check_rows(rows, units, _form_lookup())
    import_id = new_import_id()
    for entry in entries:
        entry.pop("row")
        # the same award read from a file twice is the same entry: a second import adds nothing
        entry["id"] = _digest("import", entry["identity_key"], entry["award_form"], entry["decision_number"])
    already = store.register.present(entries)
    packed = _pack([_stored(e) for e in entries])
    if len(packed) > MAX_PACKED:
        raise invalid("body", "Tệp có quá nhiều dòng cho một lần nhập; hãy chia thành nhiều tệp (mỗi tệp một năm).")
    store.register.put_import({
        "id": import_id, "created_at": iso(now), "created_by": who.actor, "rows": len(rows),
        "entries": packed, "errors": errors[:MAX_ERRORS_KEPT], "error_count": len(errors), "state": "pending",
        "expires_at": int((now + IMPORT_TTL).timestamp())})
    return {"id": import_id, "rows": len(rows), "valid": len(rows) - len({e["row"] for e in errors}),
            "errors": errors, "already": len(already),
            "preview": [{**public(e), "already_registered": e["id"] in already} for e in entries]}



def confirm_import(store: Store, who: Principal, import_id: str, now: datetime) -> dict[str, Any]:
    record = store.register.get_import(import_id)
    if record is None:
        raise NotFound(f"lần nhập '{import_id}' (đã quá hạn hoặc không có)")
    if record.get("error_count") or record.get("errors"):
        count = record.get("error_count") or len(record["errors"])
        raise Conflict(f"Tệp có {count} lỗi: hãy sửa tệp và nhập lại; không lưu dòng nào.")
    entries = _unpack(record.get("entries") or "")
    written = store.register.put_entries(entries)
    if record.get("state") != "confirmed":
        store.register.mark_import(import_id, {"state": "confirmed", "confirmed_at": iso(now),
                                               "confirmed_by": who.actor})
    return {"id": import_id, "stored": len(entries), "new": written, "state": "confirmed"}


def entries_in_order(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(entries, key=lambda e: (e.get("year") or 0, e.get("award_form_name") or "", sort_key(e["name"])))


def form_name(code: str) -> str:
    form = award_form(code)
    return form.name if form else code
