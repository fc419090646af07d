"""Deep unit trees: moves that would close a cycle are refused at any depth, and every walk
of the tree (ancestors, descendants, tree order, the completeness and document roll-ups)
ends and stays correct however deep the tree is, even over data that already holds a cycle."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from helpers import open_period, seed_units


def chain_ids(levels: int) -> list[str]:
    return [f"dv-{i:04d}" for i in range(levels)]


def seed_chain(store, levels: int) -> list[str]:
    """dv-0000 (the ministry) > dv-0001 > ... > dv-<levels-1>, one unit per level."""
    ids = chain_ids(levels)
    seed_units(store, [(uid, f"Đơn vị cấp {i:04d}", ids[i - 1] if i else None, "ministry" if i == 0 else "other")
                       for i, uid in enumerate(ids)])
    return ids


def board(api, admin_token) -> dict:
    open_period(api, admin_token, "2021-08")
    resp = api.get("/v1/periods/2021-08/completeness", token=admin_token)
    assert resp.status_code == 200, resp.body
    return resp.data


@pytest.mark.parametrize("levels", [34, 200])
def test_defect_10_moving_the_root_under_its_leaf_is_refused_at_any_depth(api, admin_token, store, levels):
    ids = seed_chain(store, levels)
    root, leaf = ids[0], ids[-1]
    before = store.units.all()

    resp = api.patch(f"/v1/units/{root}", token=admin_token, body={"parent_id": leaf})

    assert resp.status_code == 422, resp.body
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in resp.data["errors"]] == ["parent_id"]
    detail = resp.data["detail"]
    assert detail == unicodedata.normalize("NFC", detail) and "đơn vị" in detail.lower()
    assert store.units.all() == before  # nothing stored
    # The same for any unit moved under one of its own descendants, however far down.
    middle = ids[levels // 2]
    resp = api.patch(f"/v1/units/{middle}", token=admin_token, body={"parent_id": ids[-2]})
    assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "parent_id"
    assert api.patch(f"/v1/units/{leaf}", token=admin_token, body={"parent_id": leaf}).status_code == 422
    assert store.units.all() == before


@pytest.mark.parametrize("levels", [34, 200])
def test_defect_10_the_board_lists_every_unit_of_a_deep_tree(api, admin_token, store, levels):
    ids = seed_chain(store, levels)
    api.patch(f"/v1/units/{ids[0]}", token=admin_token, body={"parent_id": ids[-1]})

    data = board(api, admin_token)

    assert [(r["unit_id"], r["depth"]) for r in data["rows"]] == [(uid, i) for i, uid in enumerate(ids)]
    assert data["totals"]["expected"] == levels - 1  # everyone but the ministry
    rows = {r["unit_id"]: r for r in data["rows"]}
    for i, uid in enumerate(ids):  # each row counts itself and everything below it
        assert rows[uid]["counts"]["missing"] == levels - max(i, 1)
    assert rows[ids[0]]["counts"] == data["totals"]


def test_defect_10_a_legitimate_move_deep_in_the_tree_still_works(api, admin_token, store):
    ids = seed_chain(store, 200)
    # dv-0150 (with its 49 descendants) moves up under dv-0010: not a cycle.
    resp = api.patch(f"/v1/units/{ids[150]}", token=admin_token, body={"parent_id": ids[10]})
    assert resp.status_code == 200, resp.body
    assert store.units.get(ids[150])["parent_id"] == ids[10]
    # ... and then down again, under dv-0149 on the other branch: still not a cycle.
    resp = api.patch(f"/v1/units/{ids[150]}", token=admin_token, body={"parent_id": ids[149]})
    assert resp.status_code == 200, resp.body
    # Moving a unit under a sibling branch's deep leaf is fine too.
    api.patch(f"/v1/units/{ids[150]}", token=admin_token, body={"parent_id": ids[10]})
    resp = api.patch(f"/v1/units/{ids[11]}", token=admin_token, body={"parent_id": ids[199]})
    assert resp.status_code == 200, resp.body

    data = board(api, admin_token)
    depths = {r["unit_id"]: r["depth"] for r in data["rows"]}
    assert set(depths) == set(ids)
    assert depths[ids[150]] == 11 and depths[ids[199]] == 60 and depths[ids[11]] == 61 and depths[ids[149]] == 199
    assert data["rows"][0]["counts"] == data["totals"] and data["totals"]["expected"] == 199


# -- the walks themselves -----------------------------------------------------------------

DEEPER_THAN_THE_RECURSION_LIMIT = sys.getrecursionlimit() + 500


def units_of(parents: dict[str, str | None]) -> list[dict]:
    return [{"id": uid, "name": f"Đơn vị {uid}", "parent_id": parent, "kind": "other"}
            for uid, parent in parents.items()]


def test_defect_10_ancestors_reach_the_root_of_a_deep_tree(store):
    from chalicelib.units.service import ancestors

    ids = seed_chain(store, 200)
    assert ancestors(store, ids[-1]) == list(reversed(ids))
    assert ancestors(store, None) == []


def test_defect_10_walks_end_on_a_stored_cycle(store):
    """A cycle already in the table (say, two moves that raced) must not hang or hide units."""
    from chalicelib.conferences.aggregate import rolled_up
    from chalicelib.core.clock import FixedClock
    from chalicelib.core.periods import parse_period
    from chalicelib.reporting.completeness import period_completeness
    from chalicelib.units.service import ancestors, descendants, tree_order

    # root; a > b > c > a (d below b); x <-> y with aa below x (aa sorts before x and y)
    parents = {"root": None, "a": "c", "b": "a", "c": "b", "d": "b", "x": "y", "y": "x", "aa": "x"}
    seed_units(store, [(uid, f"Đơn vị {uid}", parent, "other") for uid, parent in parents.items()])
    units = store.units.all()

    assert ancestors(store, "d") == ["d", "b", "a", "c"]
    assert ancestors(store, "x") == ["x", "y"]
    assert descendants(units, "a") == {"a", "b", "c", "d"}
    # The real tree first; then each cycle, entered at its first unit in name order.
    expected = [("root", 0), ("a", 0), ("b", 1), ("c", 2), ("d", 2), ("x", 0), ("aa", 1), ("y", 1)]
    assert [(u["id"], d) for d, u in tree_order(units)] == expected
    # Each unit counted once, in the one place the walk put it.
    sizes = {"root": 1, "a": 4, "b": 3, "c": 1, "d": 1, "x": 3, "aa": 1, "y": 1}
    rolled = rolled_up(units, {uid: {"checkpoints": 1} for uid in parents}, ["checkpoints"])
    assert {uid: s["checkpoints"] for uid, s in rolled.items()} == sizes
    now = FixedClock("2021-08-20T10:00:00+07:00").now()
    result = period_completeness(units, [], parse_period("2021-08"), 10, now)
    assert [(r.unit_id, r.depth) for r in result.rows] == expected
    assert {r.unit_id: r.counts["expected"] for r in result.rows} == sizes
    assert result.totals["expected"] == len(parents)


def test_defect_10_walks_do_not_recurse_on_very_deep_trees():
    from chalicelib.conferences.aggregate import rolled_up
    from chalicelib.core.clock import FixedClock
    from chalicelib.core.periods import parse_period
    from chalicelib.reporting.completeness import period_completeness
    from chalicelib.units.service import descendants, tree_order

    levels = DEEPER_THAN_THE_RECURSION_LIMIT
    ids = chain_ids(levels)
    units = units_of({uid: ids[i - 1] if i else None for i, uid in enumerate(ids)})

    assert [(d, u["id"]) for d, u in tree_order(units)] == list(enumerate(ids))
    assert len(descendants(units, ids[0])) == levels
    rolled = rolled_up(units, {uid: {"checkpoints": 1} for uid in ids}, ["checkpoints"])
    assert [rolled[uid]["checkpoints"] for uid in ids] == list(range(levels, 0, -1))
    now = FixedClock("2021-08-20T10:00:00+07:00").now()
    result = period_completeness(units, [], parse_period("2021-08"), 10, now)
    assert [r.counts["expected"] for r in result.rows] == list(range(levels, 0, -1))
