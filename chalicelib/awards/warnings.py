"""Eligibility warnings of nominations as the shortlist, the detail and decisions show them.

The rules are pure (`chalicelib.register.eligibility`); this module reads what they need: the
register entries of the nominees (`history_reader`: one call for a whole page of nominations,
not one per row) and the conference's other nominations (unit caps).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable, Mapping

from chalicelib.core.catalogs import eligibility_rules
from chalicelib.register.eligibility import Warning, warnings_for
from chalicelib.store import Store

Histories = dict[str, list[dict[str, Any]]]  # nomination id -> register entries of its nominee


def register_histories(store: Store, nominations: list[dict[str, Any]]) -> Histories:
    """The register entries of each nomination's nominee (chalicelib.register.service), oldest first,
    never the entry the nomination itself made. Each nominee's entries are read once however many
    nominations name them: the register is keyed by identity, so it is one Query per distinct nominee
    of the page (DynamoDB has no batch Query), never one per row of the whole list; once every entry is
    also in its nominee's summary item (kept by every register write), one BatchGetItem per 100 nominees."""
    from chalicelib.register import service

    identities = {n["id"]: service.nomination_identity(n) for n in nominations}
    wanted = list(dict.fromkeys(identities.values()))
    if store.register.summaries_ready():  # each nominee's entries in one summary item: 100 a BatchGetItem
        by_identity = store.register.of_identities(wanted)
    elif len(wanted) > 1:  # a page of 100 rows is up to 100 Queries: side by side, not one after another
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(REGISTER_READERS, len(wanted))) as pool:
            by_identity = dict(zip(wanted, pool.map(store.register.of_identity, wanted)))
    else:
        by_identity = {key: store.register.of_identity(key) for key in wanted}
    out: Histories = {}
    for n in nominations:
        key = identities[n["id"]]
        out[n["id"]] = [service.public(e) for e in by_identity[key] if e.get("nomination_id") != n.get("id")]
    return out


REGISTER_READERS = 8  # Queries in flight at once (boto3 clients are thread-safe; the calls wait on the network)


# Tests replace it with a fake (an in-memory register); production reads the register.
history_reader: Callable[[Store, list[dict[str, Any]]], Histories] = register_histories


def histories(store: Store, nominations: list[dict[str, Any]]) -> Histories:
    if not nominations:
        return {}
    return history_reader(store, nominations)


def warnings_of(nomination: Mapping[str, Any], history: Iterable[Mapping[str, Any]], conference: Mapping[str, Any],
                same_conference: Iterable[Mapping[str, Any]], today: Any = None) -> list[Warning]:
    # the rules count back from the conference's date; a conference without one, from today
    return warnings_for(nomination, list(history), eligibility_rules(), conference=conference,
                        same_conference_nominations=same_conference, today=today or dt.date.today())


def warnings_by_id(store: Store, conference: Mapping[str, Any], nominations: list[dict[str, Any]],
                   same_conference: list[dict[str, Any]], today: Any = None) -> dict[str, list[dict[str, Any]]]:
    """nomination id -> its warnings as the API gives them, one register read for all of them."""
    found = histories(store, nominations)
    # the unit caps count a nomination's peers (same unit, same award form): grouped once, so the
    # workbook's 5,000 rows are not 5,000 walks over the 5,000 nominations (the rules filter the same way)
    peers: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for other in same_conference:
        peers.setdefault((other.get("unit_id"), other.get("award_form")), []).append(other)
    return {n["id"]: [w.as_dict() for w in warnings_of(n, found.get(n["id"], []), conference,
                                                        peers.get((n.get("unit_id"), n.get("award_form")), []), today)]
            for n in nominations}
