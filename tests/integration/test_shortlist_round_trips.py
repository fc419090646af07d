"""A shortlist page in round trips on DynamoDB Local (issue 20): the unit tree is one Query of its pack
in a new container and one GetItem of its version in a warm one (never every unit); the eligibility
warnings of the page's rows are one BatchGetItem of their nominees' register summaries (never one Query
per row); and the summaries say what the register's index says."""

from __future__ import annotations

from typing import Any

from chalicelib.store import keys, repositories
from tests.integration.test_register_store import entry
from tests.integration.test_shortlist_reads import conference_with_nominations, queries  # noqa: F401 - a fixture


def public(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from chalicelib.register.service import public as shown

    return [shown(e) for e in entries]


def test_the_summaries_hold_what_the_index_holds_through_writes_removals_and_the_backfill(store):
    from chalicelib.store.table import Put

    assert store.register.summaries_ready()  # a new table: every entry goes into its summary
    entries = [entry(n, "Nguyễn Thị Hòa", 2019 + n % 3, "officer:A1" if n % 2 else "officer:B2") for n in range(130)]
    assert store.register.put_entries(entries) == 130
    assert store.register.put_entries(entries[:10]) == 0  # a retry adds nothing, to the summary either
    store.register.remove([e for e in entries if e["year"] == 2019][:7])
    wanted = ["officer:A1", "officer:B2", "officer:nobody"]
    summaries = store.register.of_identities(wanted)
    assert {k: public(v) for k, v in summaries.items()} == {k: public(store.register.of_identity(k)) for k in wanted}
    assert len(summaries["officer:A1"]) + len(summaries["officer:B2"]) == 123 and summaries["officer:nobody"] == []
    # entries stored before summaries (written raw): the backfill puts them in
    old = entry(500, "Trần Văn Đức", 2018, "officer:C3")
    pk, sk = keys.register_entry(old["year"], old["id"])
    gsi = keys.register_identity_index(old["identity_key"], old["decision_date"], old["id"])
    store.table.write(Put({**{k: v for k, v in old.items() if v is not None}, "PK": pk, "SK": sk,
                           "GSI1PK": gsi[0], "GSI1SK": gsi[1]}))
    assert store.register.of_identities(["officer:C3"]) == {"officer:C3": []}
    assert store.register.backfill_summaries() == 124
    assert public(store.register.of_identities(["officer:C3"])["officer:C3"]) == public([old])


def test_a_shortlist_page_is_a_few_round_trips_whatever_the_units_and_rows(api, admin_token, store, calls,
                                                                          queries):  # noqa: F811
    cid = conference_with_nominations(api, admin_token, store, 30)
    first = api.get(f"/v1/conferences/{cid}/shortlist", token=admin_token)
    assert first.status_code == 200, first.body
    for container in ("new", "warm"):
        if container == "new":
            repositories._TREES.clear()
        calls.clear()
        queries.clear()
        page = api.get(f"/v1/conferences/{cid}/shortlist", token=admin_token)
        assert page.status_code == 200 and page.data["items"] == first.data["items"]
        assert len(page.data["items"]) == 30
        assert not any(q.startswith(("UNITS", "REGISTER#")) for q in queries if q != keys.UNITS_TREE), queries
        assert f"NOMRANKS#{cid}" in queries and f"NOMINATIONS#{cid}" not in queries  # their pack, not their pages
        # the token and the conference (GetItem), [the tree's version (GetItem) | its pack (Query)], the
        # nominations ranked (their pack: Query), the window's sums (Query) and each period's changes (2 Query), the
        # reviewer scores (Query), the page's rows whole and their nominees' register summaries (BatchGetItem)
        tree = ["Query"] if container == "new" else ["GetItem"]
        assert queries.count(keys.UNITS_TREE) == (1 if container == "new" else 0)
        assert sorted(calls) == sorted(["GetItem", "GetItem", *tree, "Query", "Query", "Query", "Query", "Query",
                                        "BatchGetItem", "BatchGetItem"]), (container, calls, queries)


def test_the_ranked_nominations_kept_follow_every_nomination_write(api, admin_token, store, queries):  # noqa: F811
    """The pack of what ranking reads (store.nominations.for_ranking) is never older than the last
    nomination write: a create, an edit, a decision and a bulk decision each show in the next page."""
    from chalicelib.awards.nominations import RANK_FIELDS

    cid = conference_with_nominations(api, admin_token, store, 12)

    def kept() -> dict[str, dict[str, Any]]:
        return {n["id"]: n for n in store.nominations.for_ranking(cid, RANK_FIELDS)}

    def fresh() -> dict[str, dict[str, Any]]:
        return {n["id"]: n for n in store.nominations.for_conference(cid, attrs=RANK_FIELDS)}

    def page() -> dict[str, dict[str, Any]]:
        resp = api.get(f"/v1/conferences/{cid}/shortlist?limit=100", token=admin_token)
        assert resp.status_code == 200, resp.body
        return {r["nomination"]["id"]: r for r in resp.data["items"]}

    rows = page()  # packs
    assert kept() == fresh() and len(rows) == 12
    queries.clear()
    assert kept() == fresh()
    assert queries.count(f"NOMRANKS#{cid}") == 1  # the pack, not the nominations' pages
    first, second, *rest = rows.values()
    # a decision
    resp = api.post(f"/v1/nominations/{first['nomination']['id']}/decision", token=admin_token,
                    body={"decision": "hold"}, headers={"If-Match": first["etag"]})
    assert resp.status_code == 200, resp.body
    decided = first["nomination"]["id"]
    assert page()[decided]["nomination"]["status"] == fresh()[decided]["status"] != first["nomination"]["status"]
    assert kept() == fresh()
    # an edit: another award form
    resp = api.patch(f"/v1/nominations/{second['nomination']['id']}", token=admin_token,
                     body={"award_form": "bang-khen-bo-truong"}, headers={"If-Match": second["etag"]})
    assert resp.status_code == 200, resp.body
    assert page()[second["nomination"]["id"]]["nomination"]["award_form"] == "bang-khen-bo-truong"
    assert kept() == fresh()
    # a bulk decision
    items = [{"nomination_id": r["nomination"]["id"], "etag": r["etag"], "decision": "reject", "note": "Chưa đủ."}
             for r in rest[:5]]
    assert api.post(f"/v1/conferences/{cid}/decisions", token=admin_token, body={"items": items}).status_code == 200
    after = page()
    assert all(after[i["nomination_id"]]["nomination"]["status"] == "rejected" for i in items)
    assert kept() == fresh()
    # a new nomination
    unit = rest[0]["nomination"]["unit_id"]
    from helpers import issue

    resp = api.post(f"/v1/units/{unit}/nominations", token=issue(store, "unit", unit_id=unit), body={
        "conference_id": cid, "kind": "collective", "name": "Tập thể mới", "award_form": "giay-khen",
        "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
    assert resp.status_code == 201, resp.body
    assert resp.data["id"] in page() and kept() == fresh() and len(kept()) == 13
